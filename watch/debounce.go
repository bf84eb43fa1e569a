package watch

import (
	"sync"
	"time"
)

// A Debouncer runs a function once events stop arriving: every Trigger
// (re)starts one trailing timer, and the function runs when it expires, so
// a burst of events gives one run. Runs never overlap: events that arrive
// while the function runs queue exactly one more run, a quiet delay after
// it returns.
type Debouncer struct {
	delay time.Duration
	fn    func()

	mu      sync.Mutex
	timer   *time.Timer
	running bool // fn is running
	again   bool // triggered while fn was running
	stopped bool
	wg      sync.WaitGroup
}

// NewDebouncer returns a debouncer that runs fn delay after the last
// Trigger.
func NewDebouncer(delay time.Duration, fn func()) *Debouncer {
	d := &Debouncer{delay: delay, fn: fn}
	d.timer = time.AfterFunc(time.Hour, d.fire)
	d.timer.Stop()
	return d
}

// Trigger records an event: the function will run once no event has
// arrived for the delay.
func (d *Debouncer) Trigger() {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.stopped:
	case d.running:
		d.again = true
	default:
		d.timer.Reset(d.delay)
	}
}

func (d *Debouncer) fire() {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	if d.running {
		// A timer reset just as it fired: run again after this run.
		d.again = true
		d.mu.Unlock()
		return
	}
	d.running = true
	d.wg.Add(1)
	d.mu.Unlock()
	defer d.wg.Done()

	d.fn()

	d.mu.Lock()
	d.running = false
	if d.again && !d.stopped {
		d.again = false
		d.timer.Reset(d.delay)
	}
	d.mu.Unlock()
}

// Stop cancels a pending run and waits for a running one to return. After
// Stop, Trigger does nothing.
func (d *Debouncer) Stop() {
	d.mu.Lock()
	d.stopped = true
	d.timer.Stop()
	d.mu.Unlock()
	d.wg.Wait()
}
