package gcbudget

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The policy's decisions, as a function of the live heap: the budget for
// a one-shot command while the live heap is at most half the limit, Go's
// defaults otherwise and for every other command, and no further look once
// it has fallen back.
func TestNext(t *testing.T) {
	half := uint64(OneShotLimit) / 2
	for _, c := range []struct {
		name    string
		oneShot bool
		live    uint64
		want    Settings
		again   bool
	}{
		{"long-lived, small heap", false, 4 << 20, defaults, false},
		{"long-lived, large heap", false, 1 << 30, defaults, false},
		{"one-shot, start-up heap", true, 5 << 20, budget, true},
		{"one-shot, nothing live", true, 0, budget, true},
		{"one-shot, just under half the limit", true, half - 1, budget, true},
		{"one-shot, at half the limit", true, half, budget, true},
		{"one-shot, past half the limit", true, half + 1, defaults, false},
		{"one-shot, live heap above the limit", true, 2 * uint64(OneShotLimit), defaults, false},
	} {
		got, again := Next(c.oneShot, c.live)
		if got != c.want || again != c.again {
			t.Errorf("%s: Next(%v, %d) = %+v, %v; want %+v, %v", c.name, c.oneShot, c.live, got, again, c.want, c.again)
		}
	}
}

// The budget's numbers keep their meaning: a higher GOGC than the default,
// a limit above the start phase's, and a fallback point (half the limit)
// at which GOGC=100's goal (twice the live heap) is the limit itself.
func TestBudgetNumbers(t *testing.T) {
	if budget.Percent <= defaults.Percent {
		t.Errorf("budget GOGC %d is not above the default %d", budget.Percent, defaults.Percent)
	}
	if defaults.Limit != math.MaxInt64 {
		t.Errorf("the defaults have a memory limit: %d", defaults.Limit)
	}
	if budget.Limit <= FirstGoal {
		t.Errorf("budget limit %d is not above the first goal %d", budget.Limit, FirstGoal)
	}
	if s, _ := Next(true, uint64(OneShotLimit)/2+1); s != defaults {
		t.Errorf("past half the limit: %+v, want the defaults", s)
	}
}

// GOGC or GOMEMLIMIT in the environment, even alone, leave the collector
// to the user.
func TestUserSet(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"GOGC": "200"}, true},
		{map[string]string{"GOGC": "off"}, true},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, true},
		{map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, true},
		{map[string]string{"GODEBUG": "gctrace=1"}, false},
	} {
		if got := userSet(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("userSet(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}

// The process's life, in order (the package's state is the process's, so
// this is one test): the start phase until the first collection (here a
// forced one), Go's defaults after it while no command is one-shot, then
// OneShot applies the budget at once and keeps it while the live heap is
// small, and falls back to the defaults for good once it is not. The live
// heap is the test's (readLive), not the runtime's.
func TestLifecycle(t *testing.T) {
	if userSet(os.Getenv) {
		t.Skip("GOGC or GOMEMLIMIT is set: the package does nothing")
	}
	seen := make(chan Settings, 16)
	afterCollection = func(s Settings) { seen <- s }
	live := uint64(10 << 20)
	readLive = func() uint64 { return live }
	defer func() { afterCollection, readLive = nil, liveHeap }()
	collect := func(what string) Settings {
		t.Helper()
		runtime.GC()
		select {
		case s := <-seen:
			return s
		case <-time.After(time.Minute): // a bound on a hang, not a timing assertion
			t.Fatalf("%s: the policy did not run after a collection", what)
			return Settings{}
		}
	}

	if limit := debug.SetMemoryLimit(-1); limit != FirstGoal {
		t.Fatalf("memory limit at start: %d, want %d (the test binary's start-up should stay under FirstGoal)", limit, FirstGoal)
	}
	if s := collect("first collection"); s != defaults {
		t.Fatalf("after the first collection: %+v, want the defaults", s)
	}
	checkRuntime(t, "after the first collection", defaults)

	OneShot()
	checkRuntime(t, "after OneShot", budget)
	if s := collect("one-shot, small heap"); s != budget {
		t.Fatalf("one-shot, small heap: %+v, want the budget", s)
	}
	checkRuntime(t, "one-shot, small heap", budget)

	live = uint64(OneShotLimit)/2 + 1
	if s := collect("one-shot, large heap"); s != defaults {
		t.Fatalf("one-shot, large heap: %+v, want the defaults", s)
	}
	checkRuntime(t, "one-shot, large heap", defaults)

	// For good: no sentinel armed, and OneShot again changes nothing.
	live = 0
	OneShot()
	state.Lock()
	watching := state.watching
	state.Unlock()
	if watching {
		t.Error("the policy still looks at collections after falling back")
	}
	checkRuntime(t, "after falling back", defaults)
}

// checkRuntime fails unless the runtime's GOGC and memory limit are want.
func checkRuntime(t *testing.T, when string, want Settings) {
	t.Helper()
	p := debug.SetGCPercent(want.Percent)
	if p != want.Percent {
		t.Errorf("%s: GOGC %d, want %d", when, p, want.Percent)
	}
	if limit := debug.SetMemoryLimit(-1); limit != want.Limit {
		t.Errorf("%s: memory limit %d, want %d", when, limit, want.Limit)
	}
}

// TestOneShotDuringStart: OneShot before the first collection keeps the
// start phase's first goal but as a GOGC (Go's first goal is 4 MB times
// GOGC/100), with no limit, so the end of the first collection does not
// find the runtime's memory above a limit and start a second one at once.
func TestOneShotDuringStart(t *testing.T) {
	if got := uint64(oneShotStart.Percent) * (4 << 20) / 100; got != FirstGoal || oneShotStart.Limit != math.MaxInt64 {
		t.Fatalf("oneShotStart %+v: first goal %d, want %d with no limit", oneShotStart, got, FirstGoal)
	}
	state.Lock()
	enabled, oneShot, started, watching, current := state.enabled, state.oneShot, state.started, state.watching, state.current
	state.enabled, state.oneShot, state.started = true, false, false
	state.Unlock()
	defer func() {
		state.Lock()
		apply(current)
		state.enabled, state.oneShot, state.started, state.watching = enabled, oneShot, started, watching
		state.Unlock()
	}()
	OneShot()
	state.Lock()
	cur := state.current
	state.Unlock()
	if cur != oneShotStart {
		t.Fatalf("OneShot during the start phase applied %+v, want %+v", cur, oneShotStart)
	}
	checkRuntime(t, "OneShot during the start phase", oneShotStart)
}
