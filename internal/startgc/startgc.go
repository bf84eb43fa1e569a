// Package startgc gives the process a larger first heap goal: the garbage
// collector does not run until the heap reaches FirstGoal, and from its
// first cycle on it runs as Go's default (GOGC=100) would.
//
// Go's first collection comes when the heap reaches 4 MB. pipec's start-up
// (package initialisation: Argo's validator, client-go's schemes, the
// language's parsers) allocates about 5 MB that stays mostly live, so a
// one-step build collected two or three times before it wrote anything,
// each cycle scanning the globals of a 100 MB binary: the collector was a
// third of the instructions of `pipec version` (docs/performance.md, "1
// December, night: start-up"). Large builds are unaffected past their
// first collection, which comes a little later.
//
// A program imports it for its side effect, as its first import:
//
//	import _ "github.com/pipec/pipec/internal/startgc"
//
// Go initialises packages in the order of their import paths among those
// whose imports are initialised, so it runs before most of the packages
// that allocate at start (those of k8s.io, sigs.k8s.io, google.golang.org
// and the rest of github.com/pipec/pipec). GOGC or GOMEMLIMIT in the
// environment turn it off: the user's setting wins.
package startgc

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// FirstGoal is the heap size (bytes of memory managed by the Go runtime) at
// which the first collection runs.
const FirstGoal = 32 << 20

func init() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	// No collection by heap growth; one when the runtime's memory reaches
	// the limit. After that first cycle, the default again.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(FirstGoal)
	// An object nothing refers to: its cleanup runs after the first
	// collection. (It holds a pointer, so it is never one of the runtime's
	// combined tiny objects, whose cleanups may never run.)
	runtime.AddCleanup(new(sentinel), func(struct{}) { restore() }, struct{}{})
}

type sentinel struct{ _ *byte }

// restored is closed once the defaults are back (for the tests).
var restored = make(chan struct{})

// restore puts back Go's defaults: GOGC=100 and no memory limit.
func restore() {
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(100)
	close(restored)
}
