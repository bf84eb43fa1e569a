package e2e

// Lifecycle hooks and per-step exit handlers on the real controller (brief
// "hooks"): a workflow hook (spec.hooks), task hooks on a step's outcomes,
// and the step's own exit handler (hooks.exit).

import (
	"fmt"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// nodeNamed returns the node of a workflow with a full name, or nil.
func nodeNamed(wf *wfv1.Workflow, name string) *wfv1.NodeStatus {
	for _, n := range wf.Status.Nodes {
		if n.Name == name {
			return &n
		}
	}
	return nil
}

// TestHooks runs testdata/hooks.pipe once with build succeeding and once
// with it failing; build's pod is held Running for a few seconds so that
// the running hooks are seen. Each hook runs exactly when its event
// happened, and the exit handler on both outcomes; an exit hook reads its
// step's output parameter and artifact.
func TestHooks(t *testing.T) {
	needPipec(t)
	file := pipeline(t, "hooks")
	for _, tc := range []struct {
		name     string
		exitCode int
		phase    wfv1.WorkflowPhase
		ran      []string // hook nodes (after the workflow name) that ran and succeeded
		notRun   []string
	}{
		{"succeeds", 0, wfv1.WorkflowSucceeded,
			[]string{".hooks.running", ".build.hooks.running", ".build.hooks.succeeded", ".build.onExit"},
			[]string{".build.hooks.failed"}},
		{"fails", 1, wfv1.WorkflowFailed,
			[]string{".hooks.running", ".build.hooks.running", ".build.hooks.failed", ".build.onExit"},
			[]string{".build.hooks.succeeded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := uniq("hooks-" + tc.name)
			addRules(t, fmt.Sprintf(`
- workflow: %s
  step: build
  template: build
  exitCode: %d
  delaySeconds: 4
`, name, tc.exitCode))
			submit(t, file, "--name", name)
			wf := mustPhase(t, name, tc.phase)
			for _, suffix := range tc.ran {
				n := nodeNamed(wf, name+suffix)
				if n == nil {
					t.Errorf("no node %s%s: the hook did not run", name, suffix)
					continue
				}
				if n.Phase != wfv1.NodeSucceeded {
					t.Errorf("node %s: %s, want Succeeded", n.Name, n.Phase)
				}
			}
			for _, suffix := range tc.notRun {
				if n := nodeNamed(wf, name+suffix); n != nil {
					t.Errorf("node %s ran (%s): its event did not happen", n.Name, n.Phase)
				}
			}
			ship := byDisplay(wf, "ship")
			if tc.exitCode == 0 && (len(ship) != 1 || ship[0].Phase != wfv1.NodeSucceeded) {
				t.Errorf("ship: %v, want one Succeeded node", ship)
			}
			// report's exit hook got report's output parameter and
			// artifact, whatever build did.
			if n := nodeNamed(wf, name+".report.onExit"); n == nil {
				t.Errorf("no node %s.report.onExit: report's exit hook did not run", name)
			} else if got := outParam(*n, "seen"); n.Phase != wfv1.NodeSucceeded || got != "v1.2 log-line" {
				t.Errorf("report's exit hook: %s, saw %q, want Succeeded and %q", n.Phase, got, "v1.2 log-line")
			}
			// Hooks are never memoized: no hook node is a cache hit, and
			// their pods see the retry environment.
			for _, p := range podsOf(t, name) {
				env := envOf(p)
				if _, ok := env["RETRY_RUN_ID"]; !ok {
					t.Errorf("pod %s has no RETRY_RUN_ID", p.Name)
				}
			}
			for _, n := range wf.Status.Nodes {
				if n.MemoizationStatus != nil && n.TemplateName != "build" && n.TemplateName != "ship" && n.TemplateName != "report" {
					t.Errorf("hook node %s is memoized", n.Name)
				}
			}
		})
	}
}
