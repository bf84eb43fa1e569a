package workpool

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestRunCallsEveryPartOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 8} {
		old := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 7, 1000} {
			calls := make([]atomic.Int32, n)
			var firsts atomic.Int32
			ok := Run(n, func() bool { firsts.Add(1); return true }, func(i int) bool {
				calls[i].Add(1)
				return true
			})
			if !ok {
				t.Errorf("procs %d, n %d: Run = false, want true", procs, n)
			}
			if firsts.Load() != 1 {
				t.Errorf("procs %d, n %d: first called %d times", procs, n, firsts.Load())
			}
			for i := range calls {
				if c := calls[i].Load(); c != 1 {
					t.Errorf("procs %d, n %d: part %d called %d times", procs, n, i, c)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestRunStopsOnFailure(t *testing.T) {
	for _, procs := range []int{1, 4} {
		old := runtime.GOMAXPROCS(procs)
		var calls atomic.Int32
		ok := Run(10000, nil, func(i int) bool {
			calls.Add(1)
			return i != 3
		})
		if ok {
			t.Errorf("procs %d: Run = true with a failed part", procs)
		}
		// On one worker, parts run in order and none after the failure.
		// (On more, how many run before the others see it depends on
		// the scheduler.)
		if c := calls.Load(); procs == 1 && c != 4 {
			t.Errorf("one worker: %d parts called, want 4 (up to the failed part 3)", c)
		}
		if Run(5, func() bool { return false }, func(int) bool { return true }) {
			t.Errorf("procs %d: Run = true with first failed", procs)
		}
		runtime.GOMAXPROCS(old)
	}
}
