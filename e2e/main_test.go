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
// through run.sh (then every scenario skips). The suite runs once per Argo
// controller (cluster.ControllersFromEnv: v3.7.18, then v4.0.5), each on a
// cluster of its own with its own version's CRDs; cl.Opts.ArgoVersion and
// cl.Opts.Target say which one a scenario is running on.
var cl *cluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	controllers, ok := cluster.ControllersFromEnv()
	if !ok {
		fmt.Fprintln(os.Stderr, "e2e: PIPEC_E2E_* not set, scenarios skip (run e2e/run.sh)")
		return m.Run()
	}
	code := 0
	var summary []string
	for _, opts := range controllers {
		t0 := time.Now()
		fmt.Fprintf(os.Stderr, "\ne2e: ===== Argo %s controller (pipec build --argo %s) =====\n", opts.ArgoVersion, opts.Target)
		c := runOn(m, opts)
		result := "ok"
		if c != 0 {
			result = fmt.Sprintf("FAILED (exit %d)", c)
			code = c
		}
		summary = append(summary, fmt.Sprintf("e2e: Argo %s: %s in %.0fs", opts.ArgoVersion, result, time.Since(t0).Seconds()))
	}
	fmt.Fprintln(os.Stderr, "")
	for _, s := range summary {
		fmt.Fprintln(os.Stderr, s)
	}
	return code
}

// runOn starts a cluster with one controller, runs every scenario on it
// and stops it.
func runOn(m *testing.M, opts cluster.Options) (code int) {
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
	defer func() { cl = nil }()
	fmt.Fprintf(os.Stderr, "e2e: cluster up in %.1fs (%v), logs in %s\n", time.Since(t0).Seconds(), c.Timings, c.Dir)

	// Tear down on ^C / SIGTERM too: the children die with us anyway
	// (Pdeathsig) but this stops them in order and keeps their logs.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sig:
			fmt.Fprintf(os.Stderr, "e2e: %v, stopping the cluster\n", s)
			c.DumpLogs(os.Stderr, 40)
			c.Stop()
			os.Exit(130)
		case <-done:
		}
	}()

	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "e2e: panic: %v\n", r)
			code = 2
		}
		if code != 0 {
			c.DumpLogs(os.Stderr, 60)
			fmt.Fprintf(os.Stderr, "e2e: FAILED on Argo %s; full logs kept in %s\n", opts.ArgoVersion, c.Dir)
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
