package e2e

// Loop sources on the real controller (testdata/loops.pipe): a range from
// a parameter with a format, a range whose count is a step's output, a
// range counting down, a composite looping over its own input one item
// at a time (step_parallelism), a literal JSON list and a fan-in over its
// outputs. Each iteration gets its item;
// a resume with the same run id finds every iteration in the cache, each
// with its own outputs (the memo keys differ per item).

import (
	"fmt"
	"sort"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// loopOutputs are the output o of every pod of a task, sorted.
func loopOutputs(wf *wfv1.Workflow, task string) []string {
	var outs []string
	for _, n := range leafNodes(wf, task) {
		outs = append(outs, outParam(n, "o"))
	}
	sort.Strings(outs)
	return outs
}

func TestLoopSources(t *testing.T) {
	needPipec(t)
	file := compile(t, "testdata/loops.pipe")
	id := uniq("lps")
	first := uniq("loops-r1")
	submit(t, file, "--name", first, "-p", "run_id="+id, "-p", "last=5")
	wf1 := mustPhase(t, first, wfv1.WorkflowSucceeded)

	want := map[string]string{
		// range(2, through = last, format = "d%02d") with last=5
		"day": "[day-d02 day-d03 day-d04 day-d05]",
		// range(count = count.c), count.c = 3
		"shard": "[shard-0 shard-1 shard-2]",
		// range(3, 0): counting down, the end excluded
		"down": "[down-1 down-2 down-3]",
		// the composite's loop over its input xs = ["p", "q"]
		"fan": "[work-p work-q]",
		"lit": "[lit-1 lit-2]",
		// one iteration per iteration of lit, with its outputs
		"join": "[joined-lit-1 joined-lit-2]",
	}
	for task, w := range want {
		if got := fmt.Sprint(loopOutputs(wf1, task)); got != w {
			t.Errorf("first run: %s: outputs %s, want %s", task, got, w)
		}
	}
	// down ran 3, 2, 1 in that order: Argo names the iterations by index.
	var downItems []string
	for _, n := range leafNodes(wf1, "down") {
		downItems = append(downItems, inParam(n, "i"))
	}
	if fmt.Sprint(downItems) != "[3 2 1]" {
		t.Errorf("down: items %v by iteration, want [3 2 1]", downItems)
	}

	// step_parallelism 1 in the composite: its iterations ran one after
	// the other (one of the pods started after the other finished).
	if w := leafNodes(wf1, "fan"); len(w) == 2 && w[1].StartedAt.Before(&w[0].FinishedAt) && w[0].StartedAt.Before(&w[1].FinishedAt) {
		t.Errorf("fan: iterations overlap, %s %s..%s and %s %s..%s (step_parallelism 1)",
			w[0].Name, w[0].StartedAt, w[0].FinishedAt, w[1].Name, w[1].StartedAt, w[1].FinishedAt)
	}

	// Resume under the same run id: every iteration is a cache hit with
	// its own outputs, and no pod runs.
	second := argo(t, "resubmit", first, "-o", "name", "-p", "retry_run_id="+id, "-p", "retry_indicator=2")
	watch(t, second)
	wf2 := mustPhase(t, second, wfv1.WorkflowSucceeded)
	pods := podsByStep(t, second)
	for task, w := range want {
		h, m, _ := memoCounts(wf2, task)
		if m != 0 || h == 0 || len(pods[task]) != 0 {
			t.Errorf("resume: %s: %d hits, %d misses, %d pods; want hits only", task, h, m, len(pods[task]))
		}
		var outs []string
		for _, n := range memoNodes(wf2, task) {
			outs = append(outs, outParam(n, "o"))
		}
		sort.Strings(outs)
		if fmt.Sprint(outs) != w {
			t.Errorf("resume: %s: cached outputs %v, want %s", task, outs, w)
		}
	}
	t.Logf("resumed %s as %s; nodes:", first, second)
	for _, n := range sortedNodes(wf2) {
		t.Logf("  %-50s %-9s %-9s memo=%s", n.Name, n.Type, n.Phase, memo(n))
	}
}
