package e2e

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/pipec/pipec/e2e/cluster"
)

// cl is the cluster shared by every scenario; nil when the suite is not run
// through run.sh (then every scenario skips).
var cl *cluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (code int) {
	opts, ok := cluster.OptionsFromEnv()
	if !ok {
		fmt.Fprintln(os.Stderr, "e2e: PIPEC_E2E_* not set, scenarios skip (run e2e/run.sh)")
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := cluster.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cluster start failed: %v\n", err)
		if c != nil {
			c.DumpLogs(os.Stderr, 80)
			c.Stop()
		}
		return 1
	}
	cl = c
	fmt.Fprintf(os.Stderr, "e2e: cluster up in %.1fs (%v), logs in %s\n", time.Since(t0).Seconds(), c.Timings, c.Dir)

	// Tear down on ^C / SIGTERM too: the children die with us anyway
	// (Pdeathsig) but this stops them in order and keeps their logs.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "e2e: %v, stopping the cluster\n", s)
		c.DumpLogs(os.Stderr, 40)
		c.Stop()
		os.Exit(130)
	}()

	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "e2e: panic: %v\n", r)
			code = 2
		}
		if code != 0 {
			c.DumpLogs(os.Stderr, 60)
			fmt.Fprintf(os.Stderr, "e2e: FAILED; full logs kept in %s\n", c.Dir)
		}
		t1 := time.Now()
		c.Stop()
		fmt.Fprintf(os.Stderr, "e2e: cluster stopped in %.1fs\n", time.Since(t1).Seconds())
		if code == 0 && os.Getenv("PIPEC_E2E_KEEP") == "" {
			_ = os.RemoveAll(c.Dir)
		}
	}()
	return m.Run()
}
