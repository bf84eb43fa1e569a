package e2e

// Stages (a pipeline written as sequential groups of parallel steps, an
// Argo steps template) on the real controller: an output passed between
// stages, a loop over an earlier stage's output, a retried step inside the
// steps template, continue_on, and a resume in which the stages that
// succeeded are cache hits.

import (
	"fmt"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

func TestStages(t *testing.T) {
	needPipec(t)
	file := compile(t, "testdata/stages.pipe")
	id := uniq("stg")
	first := uniq("stages-r1")
	// flaky fails its first attempt (its retry wrapper runs it again); use
	// fails every attempt of the first run.
	addRules(t, fmt.Sprintf(`
- workflow: %s
  step: flaky
  attempts: [0]
  exitCode: 1
  message: "flaky's first attempt"
- workflow: %s
  step: use
  exitCode: 1
  message: "use is broken in the first run"
`, first, first))
	submit(t, file, "--name", first, "-p", "run_id="+id)
	wf1 := mustPhase(t, first, wfv1.WorkflowFailed)

	// The entry template is a steps template: its groups are StepGroup
	// nodes, one per stage.
	groups := 0
	for _, n := range wf1.Status.Nodes {
		if n.Type == wfv1.NodeTypeStepGroup && n.BoundaryID == wf1.Name {
			groups++
		}
	}
	if groups != 3 {
		t.Errorf("first run: %d step groups of the entry template, want 3 (produce, work, finish)", groups)
	}
	// The loop got the items of the earlier stage, and each iteration the
	// earlier stage's output.
	var outs []string
	for _, n := range leafNodes(wf1, "each") {
		outs = append(outs, outParam(n, "o"))
	}
	if fmt.Sprint(outs) != "[a-hello b-hello]" {
		t.Errorf("each: outputs %v, want [a-hello b-hello]", outs)
	}
	if leaves := leafNodes(wf1, "flaky"); len(leaves) != 2 || leaves[0].Phase != wfv1.NodeFailed || leaves[1].Phase != wfv1.NodeSucceeded {
		t.Errorf("flaky: %d attempts, want a failed one then a succeeded one", len(leaves))
	}
	if p := taskNode(t, wf1, "lint").Phase; p != wfv1.NodeFailed {
		t.Errorf("lint: %s, want Failed (and the next stage run anyway: continue_on)", p)
	}
	if n := len(leafNodes(wf1, "use")); n != 3 {
		t.Errorf("use ran %d attempts, want 3 (retry 2)", n)
	}

	// Resume: a new workflow with the same run id; the steps that
	// succeeded are cache hits without pods, use runs (and now succeeds).
	second := argo(t, "resubmit", first, "-o", "name", "-p", "retry_run_id="+id, "-p", "retry_indicator=2")
	watch(t, second)
	wf2 := mustPhase(t, second, wfv1.WorkflowSucceeded)
	pods := podsByStep(t, second)
	for _, step := range []string{"gen", "each", "flaky"} {
		if h, m, _ := memoCounts(wf2, step); h == 0 || m != 0 || len(pods[step]) != 0 {
			t.Errorf("%s on resume: %d cache hits, %d misses, %d pods; want hits only and no pod", step, h, m, len(pods[step]))
		}
	}
	if len(pods["use"]) != 1 || len(pods["lint"]) != 1 {
		t.Errorf("resume: %d pods of use and %d of lint, want 1 each", len(pods["use"]), len(pods["lint"]))
	}
	if got := outParam(taskNode(t, wf2, "use"), "u"); got != "ok-hello-Failed" {
		t.Errorf("use on resume: %q, want ok-hello-Failed (the cached outputs of earlier stages and lint's status)", got)
	}
	t.Logf("resumed %s as %s; nodes:", first, second)
	for _, n := range sortedNodes(wf2) {
		t.Logf("  %-50s %-9s %-9s memo=%s", n.Name, n.Type, n.Phase, memo(n))
	}
}
