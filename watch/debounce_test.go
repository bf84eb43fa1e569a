package watch

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// The debouncer tests run in a synctest bubble: time is fake, so they are
// exact and instant.

func TestDebouncerBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int32
		d := NewDebouncer(30*time.Millisecond, func() { runs.Add(1) })
		defer d.Stop()

		// Ten events 10ms apart: the timer keeps restarting.
		for range 10 {
			d.Trigger()
			time.Sleep(10 * time.Millisecond)
		}
		synctest.Wait()
		if n := runs.Load(); n != 0 {
			t.Fatalf("ran %d times during the burst", n)
		}
		time.Sleep(20 * time.Millisecond) // 30ms after the last event
		synctest.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("ran %d times after the burst, want 1", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("ran %d times, want 1", n)
		}
	})
}

func TestDebouncerTrailing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var at []time.Duration
		d := NewDebouncer(30*time.Millisecond, func() { at = append(at, time.Since(start)) })
		defer d.Stop()
		d.Trigger()
		time.Sleep(20 * time.Millisecond)
		d.Trigger()
		time.Sleep(time.Second)
		synctest.Wait()
		if len(at) != 1 || at[0] != 50*time.Millisecond {
			t.Fatalf("ran at %v, want once at 50ms (30ms after the last event)", at)
		}
	})
}

func TestDebouncerChangeDuringRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int32
		release := make(chan struct{})
		d := NewDebouncer(30*time.Millisecond, func() {
			if runs.Add(1) == 1 {
				<-release // a long build
			}
		})
		defer d.Stop()

		d.Trigger()
		time.Sleep(40 * time.Millisecond)
		synctest.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("%d runs started, want 1", n)
		}
		// Many events during the run queue exactly one more run...
		for range 5 {
			d.Trigger()
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("a run started while one was running (%d runs)", n)
		}
		close(release)
		// ...after a quiet delay.
		time.Sleep(29 * time.Millisecond)
		synctest.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("ran again %d times within the delay", n-1)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := runs.Load(); n != 2 {
			t.Fatalf("%d runs, want 2 (exactly one more)", n)
		}
	})
}

func TestDebouncerStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int32
		d := NewDebouncer(30*time.Millisecond, func() { runs.Add(1) })
		d.Trigger()
		time.Sleep(10 * time.Millisecond)
		d.Stop() // cancels the pending run
		d.Trigger()
		time.Sleep(time.Second)
		synctest.Wait()
		if n := runs.Load(); n != 0 {
			t.Fatalf("ran %d times after Stop", n)
		}
	})
}

func TestDebouncerStopWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var done atomic.Bool
		d := NewDebouncer(30*time.Millisecond, func() {
			time.Sleep(100 * time.Millisecond)
			done.Store(true)
		})
		d.Trigger()
		time.Sleep(40 * time.Millisecond) // running now
		d.Stop()
		if !done.Load() {
			t.Fatal("Stop returned while the function was running")
		}
	})
}
