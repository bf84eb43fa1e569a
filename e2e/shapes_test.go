package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/e2e/fakekubelet"
)

// Template shapes for a memoized step with retries:
//
//	base: memoize and retryStrategy on the same leaf template (pipec's
//	      first contract). A cache hit is a childless Retry node, whose
//	      dependents Argo v3.7.18 never reaches: the DAG hangs Running.
//	v1:   steps wrapper with retryStrategy -> leaf with memoize.
//	v2:   steps wrapper with memoize -> leaf with retryStrategy.
//	steps: the base leaves under a steps entry template instead of a DAG.
//
// PIPEC_E2E_SHAPES (comma-separated) selects them; default: all.
func shapes() []string {
	if s := os.Getenv("PIPEC_E2E_SHAPES"); s != "" {
		return strings.Split(s, ",")
	}
	return nil
}

// shapeFile returns the hand-written fixture of a shape (never pipec's
// output: these pin down what Argo does with each shape).
// shapeWait bounds the wait for a workflow that may hang Running.
const shapeWait = 45 * time.Second

func shapeFile(t *testing.T, base, shape string) string {
	name := base + "-" + shape
	if shape == "base" {
		name = base
	}
	return filepath.Join("testdata", name+".yaml")
}

// memoByTask counts, per entry-DAG task, the nodes that are memoization
// hits and misses (any node type: the memoized template may be nested).
func memoByTask(wf *wfv1.Workflow) (hits, misses map[string]int) {
	hits, misses = map[string]int{}, map[string]int{}
	for _, n := range wf.Status.Nodes {
		if n.MemoizationStatus == nil {
			continue
		}
		// The attempts of a memoized Retry node repeat its status.
		if n.Type == wfv1.NodeTypePod && retryChild.MatchString(n.Name) {
			continue
		}
		task := fakekubelet.Identify(wf.Name, n.Name, "").Task
		if n.MemoizationStatus.Hit {
			hits[task]++
		} else {
			misses[task]++
		}
	}
	return
}

// outOfTask returns the output parameter of the task's top node.
func outOfTask(t *testing.T, wf *wfv1.Workflow, task, param string) string {
	return outParam(taskNode(t, wf, task), param)
}

// TestShapes pins down what Argo v3.7.18 does with each template shape
// (docs/retries.md explains the choice pipec made from it). Several shapes
// hang by design of the experiment, each costing a bounded wait, so it runs
// only on request: PIPEC_E2E_SHAPES=base,v1,v2,steps bash e2e/run.sh -run TestShapes.
func TestShapes(t *testing.T) {
	needCluster(t)
	if len(shapes()) == 0 {
		t.Skip("set PIPEC_E2E_SHAPES=base,v1,v2,steps to compare template shapes")
	}
	for _, shape := range shapes() {
		shape := shape
		t.Run(shape, func(t *testing.T) {
			t.Run("second-submit", func(t *testing.T) { shapeSecondSubmit(t, shape) })
			t.Run("resubmit-memoized", func(t *testing.T) { shapeResubmit(t, shape, true) })
			t.Run("resubmit-plain", func(t *testing.T) { shapeResubmit(t, shape, false) })
			t.Run("loop", func(t *testing.T) { shapeLoop(t, shape) })
		})
	}
}

func shapeSecondSubmit(t *testing.T, shape string) {
	file := shapeFile(t, "three-steps", shape)
	id := uniq("run")
	first := uniq("s-" + shape + "-first")
	addRules(t, fmt.Sprintf("- {workflow: %s, step: c, exitCode: 1}\n", first))
	submit(t, file, "--name", first, "-p", "run_id="+id)
	mustPhase(t, first, wfv1.WorkflowFailed)
	second := submit(t, file, "-p", "run_id="+id)
	wf := mustPhaseWithin(t, second, wfv1.WorkflowSucceeded, shapeWait)
	checkMemo(t, wf, "three-steps", id)
	hits, misses := memoByTask(wf)
	pods := podsByStep(t, second)
	if hits["a"] != 1 || hits["b"] != 1 || len(pods["a"]) != 0 || len(pods["b"]) != 0 {
		t.Errorf("a, b: hits %v pods a=%d b=%d, want 1 hit and 0 pods each", hits, len(pods["a"]), len(pods["b"]))
	}
	if hits["c"] != 0 || misses["c"] == 0 || len(pods["c"]) != 1 {
		t.Errorf("c: hits %d misses %d pods %d", hits["c"], misses["c"], len(pods["c"]))
	}
	wantB := fmt.Sprintf("b-got-hello-from-a-run-%s-ind-", id)
	if got := outOfTask(t, wf, "b", "out"); got != wantB {
		t.Errorf("b's cached output %q, want %q", got, wantB)
	}
	if got := outOfTask(t, wf, "c", "out"); got != "c-got-"+wantB {
		t.Errorf("c output %q, want %q", got, "c-got-"+wantB)
	}
}

// shapeResubmit: b fails, then `argo resubmit NAME [--memoized] -p
// retry_run_id=ID -p retry_indicator=2` must succeed without running a.
func shapeResubmit(t *testing.T, shape string, memoized bool) {
	file := shapeFile(t, "three-steps", shape)
	id := uniq("run")
	name := uniq("s-" + shape + "-resub")
	addRules(t, fmt.Sprintf("- {workflow: %s, step: b, exitCode: 1}\n", name))
	submit(t, file, "--name", name, "-p", "run_id="+id)
	mustPhase(t, name, wfv1.WorkflowFailed)
	args := []string{"resubmit", name, "-o", "name", "-p", "retry_run_id=" + id, "-p", "retry_indicator=2"}
	if memoized {
		args = append(args, "--memoized")
	}
	n2 := argo(t, args...)
	watch(t, n2)
	wf := mustPhaseWithin(t, n2, wfv1.WorkflowSucceeded, shapeWait)
	checkMemo(t, wf, "three-steps", id)
	pods := podsByStep(t, n2)
	if len(pods["a"]) != 0 || len(pods["b"]) != 1 || len(pods["c"]) != 1 {
		t.Errorf("pods a=%d b=%d c=%d, want 0 1 1", len(pods["a"]), len(pods["b"]), len(pods["c"]))
	}
	for _, s := range []string{"b", "c"} {
		for _, p := range pods[s] {
			if env := envOf(p); env["RETRY_RUN_ID"] != id || env["RETRY_INDICATOR"] != "2" {
				t.Errorf("pod %s env %v", p.Name, env)
			}
		}
	}
	wantB := fmt.Sprintf("b-got-hello-from-a-run-%s-ind-2", id)
	if got := outOfTask(t, wf, "c", "out"); got != "c-got-"+wantB {
		t.Errorf("c output %q, want %q", got, "c-got-"+wantB)
	}
}

func shapeLoop(t *testing.T, shape string) {
	file := shapeFile(t, "loop", shape)
	id := uniq("run")
	first := submit(t, file, "-p", "run_id="+id)
	wf1 := mustPhase(t, first, wfv1.WorkflowSucceeded)
	hits, misses := memoByTask(wf1)
	if hits["fan"] != 0 || misses["fan"] != 3 {
		t.Errorf("first run: fan hits %d misses %d, want 0 and 3", hits["fan"], misses["fan"])
	}
	second := submit(t, file, "-p", "run_id="+id)
	wf2 := mustPhaseWithin(t, second, wfv1.WorkflowSucceeded, shapeWait)
	hits, _ = memoByTask(wf2)
	if hits["fan"] != 3 || hits["gather"] != 1 || len(podsOf(t, second)) != 0 {
		t.Errorf("second run: hits %v pods %d, want fan 3, gather 1, no pods", hits, len(podsOf(t, second)))
	}
	if a, b := outOfTask(t, wf1, "gather", "out"), outOfTask(t, wf2, "gather", "out"); a != b || a == "" {
		t.Errorf("gather output %q then %q", a, b)
	}
}
