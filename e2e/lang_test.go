package e2e

// The language's constructs on the real controller: dependency expressions,
// step fields, template kinds and composite templates (brief "lang").

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// notRunUnattended are the examples TestExamplesRun cannot run to
// Succeeded on the e2e stack, and why.
var notRunUnattended = map[string]string{
	"suspend-template-outputs": "waits for a person to resume it (TestLangSuspend resumes lang-suspend.pipe)",
	"http-hello-world":         "its URLs are on the internet, which the suite cannot reach (the fake kubelet runs the agent's HTTP tasks: TestHTTPStep)",
	"dag-daemon-task":          "the fake kubelet completes every pod, and a daemon whose pod exits is Failed: it cannot keep a ready pod with an IP",
}

func needPipec(t *testing.T) {
	t.Helper()
	needCluster(t)
	if pipecBin() == "" {
		t.Skip("cmd/pipec does not exist yet")
	}
}

func example(name string) string {
	return filepath.Join(os.Getenv("PIPEC_E2E_ROOT"), "examples", name+".pipe")
}

// byDisplay returns the nodes of a workflow with a display name.
func byDisplay(wf *wfv1.Workflow, name string) []wfv1.NodeStatus {
	var out []wfv1.NodeStatus
	for _, n := range sortedNodes(wf) {
		if n.DisplayName == name {
			out = append(out, n)
		}
	}
	return out
}

func oneByDisplay(t *testing.T, wf *wfv1.Workflow, name string) wfv1.NodeStatus {
	t.Helper()
	ns := byDisplay(wf, name)
	if len(ns) != 1 {
		t.Fatalf("workflow %s: %d nodes named %q, want 1", wf.Name, len(ns), name)
	}
	return ns[0]
}

// Boolean after expressions: Argo runs exactly the steps whose depends hold.
// The task names keep the case of the step names (A, B, C).
func TestLangDepends(t *testing.T) {
	needPipec(t)
	name := submit(t, compile(t, example("dag-enhanced-depends")))
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	for step, want := range map[string]wfv1.NodePhase{
		"A": wfv1.NodeSucceeded, "B": wfv1.NodeSucceeded, "C": wfv1.NodeFailed,
		"should-execute-1": wfv1.NodeSucceeded, "should-execute-2": wfv1.NodeSucceeded,
		"should-not-execute": wfv1.NodeOmitted, "should-execute-3": wfv1.NodeSucceeded,
	} {
		if got := oneByDisplay(t, wf, step).Phase; got != want {
			t.Errorf("%s: %s, want %s", step, got, want)
		}
	}
}

// ${step.status} and ${step.exit_code}: the step that reads them waits for
// the flakey one whatever its outcome and sees its exit code.
func TestLangStatusReference(t *testing.T) {
	needPipec(t)
	name := submit(t, compile(t, example("status-reference")))
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	if p := oneByDisplay(t, wf, "flakey").Phase; p != wfv1.NodeFailed {
		t.Errorf("flakey: %s, want Failed", p)
	}
	failed := oneByDisplay(t, wf, "failed")
	if failed.Phase != wfv1.NodeSucceeded || inParam(failed, "flakey-exit_code") != "1" {
		t.Errorf("failed: %s, exit code input %q, want Succeeded and 1", failed.Phase, inParam(failed, "flakey-exit_code"))
	}
	if p := oneByDisplay(t, wf, "succeeded").Phase; p != wfv1.NodeSkipped {
		t.Errorf("succeeded: %s, want Skipped", p)
	}
	if p := oneByDisplay(t, wf, "done").Phase; p != wfv1.NodeSucceeded {
		t.Errorf("done: %s, want Succeeded", p)
	}
}

// A suspend step waits; resumed with values for its supplied outputs, the
// run goes on, through a timed pause, and a later step gets the values.
func TestLangSuspend(t *testing.T) {
	needPipec(t)
	name := submit(t, compile(t, filepath.Join("testdata", "lang-suspend.pipe")))
	deadline := time.Now().Add(time.Minute)
	for {
		wf, err := cl.WF.ArgoprojV1alpha1().Workflows(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ns := byDisplay(wf, "approve"); len(ns) == 1 && ns[0].Phase == wfv1.NodeRunning {
			if ns[0].Type != wfv1.NodeTypeSuspend {
				t.Fatalf("approve is a %s node, want Suspend", ns[0].Type)
			}
			break
		}
		if wf.Status.Phase.Completed() || time.Now().After(deadline) {
			t.Fatalf("approve never suspended (workflow %s)", wf.Status.Phase)
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // still waiting: a suspend without a duration does not resume by itself
	if wf := waitNotDone(t, name); wf.Status.Phase != wfv1.WorkflowRunning {
		t.Fatalf("workflow %s while suspended", wf.Status.Phase)
	}
	argo(t, "node", "set", name, "--output-parameter", "message=shipped by the e2e test", "--output-parameter", "approve=YES", "--node-field-selector", "displayName=approve")
	argo(t, "resume", name)
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	approve := oneByDisplay(t, wf, "approve")
	if outParam(approve, "approve") != "YES" || approve.MemoizationStatus != nil {
		t.Errorf("approve: output %q, memo %s", outParam(approve, "approve"), memo(approve))
	}
	pause := oneByDisplay(t, wf, "pause")
	if pause.Phase != wfv1.NodeSucceeded || pause.Type != wfv1.NodeTypeSuspend {
		t.Errorf("pause: %s %s, want a Succeeded Suspend node", pause.Type, pause.Phase)
	}
	if d := pause.FinishedAt.Sub(pause.StartedAt.Time); d < time.Second {
		t.Errorf("pause took %s, want about 2s", d)
	}
	release := oneByDisplay(t, wf, "release")
	if v := inParam(release, "approve-message"); v != "shipped by the e2e test" {
		t.Errorf("release got %q", v)
	}
}

// waitNotDone reads a workflow without waiting.
func waitNotDone(t *testing.T, name string) *wfv1.Workflow {
	t.Helper()
	wf, err := cl.WF.ArgoprojV1alpha1().Workflows(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return wf
}

// A recursive composite template: flips until heads; every flip is its own
// memoized instance (distinct keys), so a tails never replays.
func TestLangCoinflipRecursive(t *testing.T) {
	needPipec(t)
	// The first flip lands tails (the others are random): the template
	// calls itself at least once.
	addRules(t, `
- step: 'start\.coinflip-flip-coin'
  result: tails
  simulate: true
`)
	name := submit(t, compile(t, example("coinflip-recursive")))
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	flips := byDisplay(wf, "coinflip-flip-coin")
	heads := byDisplay(wf, "coinflip-heads")
	if len(flips) == 0 {
		t.Fatal("no flip")
	}
	keys := map[string]bool{}
	tails := 0
	for _, f := range flips {
		if f.MemoizationStatus == nil || f.MemoizationStatus.Hit {
			t.Errorf("flip %s: memo %s, want a miss", f.Name, memo(f))
		} else if keys[f.MemoizationStatus.Key] {
			t.Errorf("flip %s: key %s used twice", f.Name, f.MemoizationStatus.Key)
		} else {
			keys[f.MemoizationStatus.Key] = true
		}
		if f.Outputs != nil && f.Outputs.Result != nil && *f.Outputs.Result == "tails" {
			tails++
		}
	}
	ranHeads := 0
	for _, h := range heads {
		if h.Phase == wfv1.NodeSucceeded {
			ranHeads++
		}
	}
	if ranHeads != 1 || tails != len(flips)-1 || len(flips) < 2 {
		t.Errorf("%d flips, %d tails, heads ran %d times; want one heads, after every tails a flip", len(flips), tails, ranHeads)
	}
	report := oneByDisplay(t, wf, "report")
	if v := inParam(report, "start-side"); v != "heads" {
		t.Errorf("report got side %q, want heads", v)
	}
	if v := outParam(oneByDisplay(t, wf, "start"), "first"); v != "tails" {
		t.Errorf("the first flip was %q, want tails", v)
	}
	t.Logf("%d flips", len(flips))
}

// A composite with inputs, an expression output and two recursive calls
// under conditions computes fib(6) = 8.
func TestLangFibonacci(t *testing.T) {
	needPipec(t)
	name := submit(t, compile(t, example("fibonacci")), "-p", "num=6")
	wf := mustPhaseWithin(t, name, wfv1.WorkflowSucceeded, 4*time.Minute)
	fib := oneByDisplay(t, wf, "fib")
	if v := outParam(fib, "value"); strings.TrimSpace(v) != "8" {
		t.Errorf("fib(6) = %q, want 8", v)
	}
	keys := map[string]string{}
	for _, n := range wf.Status.Nodes {
		if n.MemoizationStatus == nil {
			continue
		}
		if prev, dup := keys[n.MemoizationStatus.Key]; dup {
			t.Errorf("nodes %s and %s share the memo key %s", prev, n.Name, n.MemoizationStatus.Key)
		}
		keys[n.MemoizationStatus.Key] = n.Name
	}
}
