package startgc

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The first collection (here a forced one) puts back Go's defaults, and
// until then the collector is off with the memory limit as its only
// trigger.
func TestDefaultsAfterFirstCollection(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: the package does nothing")
	}
	select {
	case <-restored:
		t.Fatal("defaults restored before any collection (the test binary's start-up should stay under FirstGoal)")
	default:
	}
	if limit := debug.SetMemoryLimit(-1); limit != FirstGoal {
		t.Fatalf("memory limit at start: %d, want %d", limit, FirstGoal)
	}
	runtime.GC()
	select {
	case <-restored:
	case <-time.After(time.Minute): // a bound on a hang, not a timing assertion
		t.Fatal("defaults not restored after a collection")
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC after the first collection: %d, want 100", p)
	}
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		t.Errorf("memory limit after the first collection: %d, want none", limit)
	}
}
