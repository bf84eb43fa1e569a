// Package workpool runs the parts of a job on a worker per core: the
// compiler's large phases (parsing a large pipeline, lowering its steps,
// rendering its templates) cut their work into many small parts, which
// balances the cores and keeps little in memory at a time.
package workpool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Run calls part(i) for every i in [0, n), each once, on runtime.GOMAXPROCS
// workers, the calling goroutine being one of them: it first calls first
// (if not nil), while the other workers start on the parts, then takes
// parts itself. Parts are handed out in order, but may finish in any
// order. Once first or a part returns false, no more parts are handed out;
// Run returns when every call it made has returned, and reports whether
// all of them returned true.
func Run(n int, first func() bool, part func(i int) bool) bool {
	var next atomic.Int64 // the next part to hand out
	var failed atomic.Bool
	work := func() {
		for !failed.Load() {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			if !part(i) {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n+1) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	if first != nil && !first() {
		failed.Store(true)
	}
	work()
	wg.Wait()
	return !failed.Load()
}
