package e2e

// WorkflowTemplates and names on the real controller (brief "spec"): a
// library WorkflowTemplate without steps called by a Workflow through
// templateRef, and submitted from its entrypoint.

import (
	"context"
	"path/filepath"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// TestLibraryTemplateRef creates the library WorkflowTemplate of
// testdata/library/lib.pipe, runs the Workflow of use.pipe that calls its
// leaf and its composite template by name, and submits the library from
// its entrypoint with the input given as a parameter.
func TestLibraryTemplateRef(t *testing.T) {
	needPipec(t)
	lib := compile(t, filepath.Join("testdata", "library", "lib.pipe"))
	use := compile(t, filepath.Join("testdata", "library", "use.pipe"))
	readManifests(t, "library", []string{lib, use})
	cl.Argo(context.Background(), "template", "delete", "spec-e2e-lib")
	argo(t, "template", "create", lib)
	t.Cleanup(func() { cl.Argo(context.Background(), "template", "delete", "spec-e2e-lib") })

	name := submit(t, use)
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	var says []wfv1.NodeStatus
	for _, n := range wf.Status.Nodes {
		if n.Type == wfv1.NodeTypePod {
			says = append(says, n)
		}
	}
	// hello, and the composite's two steps.
	if len(says) != 3 {
		t.Fatalf("%d pods ran, want 3: %v", len(says), says)
	}
	msgs := map[string]bool{}
	for _, n := range says {
		msgs[inParam(n, "msg")] = true
		if p := inParam(n, "prefix"); p != ">" {
			t.Errorf("node %s: prefix %q, want the default >", n.Name, p)
		}
		if n.MemoizationStatus != nil {
			t.Errorf("node %s is memoized: library templates are not", n.Name)
		}
	}
	for _, m := range []string{"hello", "first", "second"} {
		if !msgs[m] {
			t.Errorf("no pod got msg %q: %v", m, msgs)
		}
	}

	// argo submit --from starts from the library's entrypoint, its input
	// given as a parameter.
	sub := argo(t, "submit", "--from", "workflowtemplate/spec-e2e-lib", "-p", "msg=direct", "-o", "name")
	watch(t, sub)
	wf = mustPhase(t, sub, wfv1.WorkflowSucceeded)
	root := wf.Status.Nodes[wf.Name]
	if root.Type != wfv1.NodeTypePod || inParam(root, "msg") != "direct" {
		t.Errorf("the entry node: %s %s with msg %q, want a Pod with msg direct", root.Name, root.Type, inParam(root, "msg"))
	}
}

// TestStepNamedMain runs a pipeline whose steps are called main and
// exit-handler: pipec's entry and exit templates are pipec-main and
// pipec-exit-handler, and every step runs once, memoized as usual.
func TestStepNamedMain(t *testing.T) {
	needPipec(t)
	name := submit(t, pipeline(t, "named-main"))
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	if wf.Spec.Entrypoint != "pipec-main" {
		t.Errorf("entrypoint %q, want pipec-main", wf.Spec.Entrypoint)
	}
	for _, step := range []string{"main", "exit-handler", "bye"} {
		n := byDisplay(wf, step)
		if len(n) != 1 || n[0].Phase != wfv1.NodeSucceeded {
			t.Errorf("step %s: %v, want one Succeeded node", step, n)
		}
	}
	for _, step := range []string{"main", "exit-handler"} {
		if ms := memoNodes(wf, step); len(ms) != 1 || ms[0].MemoizationStatus.Hit {
			t.Errorf("step %s: memo nodes %v, want one miss", step, ms)
		}
	}
}

// TestSharedClaim runs a pipeline whose new_pvc volume two steps mount:
// Argo creates one claim for the run (<workflow>-work; it deletes it, and
// its status entry, when the run completes) and both pods mount it.
func TestSharedClaim(t *testing.T) {
	needPipec(t)
	name := submit(t, pipeline(t, "shared-claim"))
	mustPhase(t, name, wfv1.WorkflowSucceeded)
	claims := map[string]bool{name + "-work": true}
	pods := podsByStep(t, name)
	for _, step := range []string{"write", "read"} {
		if len(pods[step]) != 1 {
			t.Errorf("step %s: %d pods, want 1", step, len(pods[step]))
			continue
		}
		found := false
		for _, v := range pods[step][0].Spec.Volumes {
			if v.PersistentVolumeClaim != nil && claims[v.PersistentVolumeClaim.ClaimName] {
				found = true
			}
		}
		if !found {
			t.Errorf("step %s's pod does not mount the run's claim %v", step, claims)
		}
	}
}
