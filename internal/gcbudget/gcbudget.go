// Package gcbudget sets pipec's garbage-collection policy: a larger first
// heap goal for every command, and for the one-shot commands that read
// pipelines (build, fmt, graph, import) a budget for the rest of the
// process: GOGC=OneShotPercent with a soft memory limit of OneShotLimit.
//
// The start. Go's first collection comes when the heap reaches 4 MB.
// pipec's start-up (package initialisation: Argo's validator, client-go's
// schemes, the language's parsers) allocates about 5 MB that stays mostly
// live, so a one-step build collected two or three times before it wrote
// anything, each cycle scanning the globals of a 100 MB binary. So the
// collector is off until the runtime's memory reaches FirstGoal
// (docs/performance.md, "1 December, night: start-up"); once a command is
// known to be one-shot, the same first goal is set as a GOGC instead.
//
// The budget. A build is a short-lived process: with Go's default
// (GOGC=100) a 10,000-step build spends about a quarter of its CPU time in
// the collector. With the budget the collector runs when the heap is five
// times the live heap, or when the runtime's memory reaches the limit,
// whichever comes first, so the peak memory stays where GOGC=100 puts it
// while the collector runs less often. A soft limit below the live heap
// makes Go collect continuously, so after each collection the policy
// (Next) looks at the live heap: once it passes half the limit, where the
// limit would collect more often than GOGC=100 does, the process goes back
// to Go's defaults (GOGC=100, no limit) for good, and its peak memory
// grows with its input as it would without the package.
//
// Long-lived commands (pipec lsp, pipec watch) never call OneShot: after
// the first collection they run with Go's defaults.
//
// A program imports the package as its first import:
//
//	import "github.com/pipec/pipec/internal/gcbudget"
//
// Go initialises packages in the order of their import paths among those
// whose imports are initialised, so it runs before most of the packages
// that allocate at start (those of k8s.io, sigs.k8s.io, google.golang.org
// and the rest of github.com/pipec/pipec). GOGC or GOMEMLIMIT in the
// environment turn the whole package off: the user's setting wins.
package gcbudget

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// FirstGoal is the runtime's memory (bytes managed by the Go runtime) at
// which the first collection runs.
const FirstGoal = 32 << 20

// OneShotPercent and OneShotLimit are the budget of a one-shot command:
// its GOGC and its soft memory limit (bytes), chosen by measurement
// (docs/performance.md, "2 December, morning: a garbage-collection budget").
const (
	OneShotPercent = 400
	OneShotLimit   = 170 << 20
)

// Settings are the collector's two settings.
type Settings struct {
	// Percent is GOGC: -1 is off.
	Percent int
	// Limit is the soft memory limit in bytes; math.MaxInt64 is none.
	Limit int64
}

var (
	// start is the start-up phase: no collection until FirstGoal.
	start = Settings{Percent: -1, Limit: FirstGoal}
	// defaults are Go's.
	defaults = Settings{Percent: 100, Limit: math.MaxInt64}
	// budget is a one-shot command's.
	budget = Settings{Percent: OneShotPercent, Limit: OneShotLimit}
	// oneShotStart is a one-shot command's start phase: the same first
	// goal as start's (Go's first goal is 4 MB times GOGC/100), but as a
	// GOGC instead of a limit. Under start's limit, the runtime's memory is
	// still above the limit when the first collection ends, so a second
	// collection starts at once, before collected can lift the limit: about
	// 20 ms of CPU wasted at 10,000 steps (docs/performance.md, "a
	// garbage-collection budget").
	oneShotStart = Settings{Percent: int(FirstGoal / (4 << 20) * 100), Limit: math.MaxInt64}
)

// Next is the policy: the settings after a collection that left live bytes
// of heap, for a one-shot command or not, and whether to look again after
// the next collection. It falls back to the defaults, and stops looking,
// once the live heap is above half the limit: from there the limit would
// collect more often than GOGC=100 (whose goal is twice the live heap), and
// below the live heap it would collect without end.
func Next(oneShot bool, live uint64) (s Settings, again bool) {
	if !oneShot || live > uint64(budget.Limit)/2 {
		return defaults, false
	}
	return budget, true
}

// userSet reports whether the environment sets the collector (GOGC or
// GOMEMLIMIT), in which case the package leaves it alone.
func userSet(getenv func(string) string) bool {
	return getenv("GOGC") != "" || getenv("GOMEMLIMIT") != ""
}

// state is the process's: what the package has set and what it knows.
var state struct {
	sync.Mutex
	enabled  bool     // the environment leaves the collector to the package
	oneShot  bool     // OneShot was called
	started  bool     // the first collection has run: the start phase is over
	watching bool     // a sentinel is armed: the next collection calls collected
	current  Settings // what was last applied
}

// Hooks for the tests: readLive is the live heap after the last collection;
// afterCollection, when set, is called with what collected applied.
var (
	readLive        = liveHeap
	afterCollection func(Settings)
)

func init() {
	if userSet(os.Getenv) {
		return
	}
	state.enabled = true
	apply(start)
	arm()
}

// OneShot gives the rest of the process a one-shot command's budget. Call
// it once the command is known, before it reads its input. Until the first
// collection the start phase stays, with its first goal set as a GOGC
// (oneShotStart); a process that has already fallen back to the defaults
// keeps them.
func OneShot() {
	state.Lock()
	defer state.Unlock()
	if !state.enabled || state.oneShot {
		return
	}
	state.oneShot = true
	switch {
	case !state.started:
		apply(oneShotStart)
	case !state.watching:
		decide()
	}
}

// collected runs after each collection while a sentinel is armed.
func collected() {
	state.Lock()
	state.watching = false
	state.started = true
	decide()
	s := state.current
	state.Unlock()
	if afterCollection != nil {
		afterCollection(s)
	}
}

// decide applies the policy to the live heap and re-arms the sentinel if
// the policy wants to look again. state is locked.
func decide() {
	s, again := Next(state.oneShot, readLive())
	apply(s)
	if again {
		arm()
	}
}

// apply sets the collector's settings that differ from the current ones.
// state is locked (or, in init, not yet shared).
func apply(s Settings) {
	if s.Limit != state.current.Limit {
		debug.SetMemoryLimit(s.Limit)
	}
	if s.Percent != state.current.Percent {
		debug.SetGCPercent(s.Percent)
	}
	state.current = s
}

// arm allocates an object nothing refers to: its cleanup runs after the
// next collection. (It holds a pointer, so it is never one of the
// runtime's combined tiny objects, whose cleanups may never run.)
func arm() {
	state.watching = true
	runtime.AddCleanup(new(sentinel), func(struct{}) { collected() }, struct{}{})
}

type sentinel struct{ _ *byte }

// liveMetric is the runtime's count of the heap the last collection marked
// live.
const liveMetric = "/gc/heap/live:bytes"

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: liveMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}
