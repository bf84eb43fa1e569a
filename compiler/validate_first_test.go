package compiler

import (
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// oneAnswer runs Validate and ValidateFull on obj runs times each and
// fails unless every run gives the same diagnostics; it returns them.
func oneAnswer(t *testing.T, obj *Object, runs int) string {
	t.Helper()
	seen := map[string]int{}
	for range runs {
		seen[messages(Validate(obj))]++
		seen[messages(ValidateFull(obj))]++
	}
	if len(seen) != 1 {
		t.Fatalf("%d different answers in %d runs: %v", len(seen), 2*runs, seen)
	}
	for m := range seen {
		return m
	}
	return ""
}

// TestFirstFailureReproducer is the input that blamed either step at
// random: both have an empty image; the first in source order is blamed.
func TestFirstFailureReproducer(t *testing.T) {
	src := `pipeline y9{ image "" retry 0 step BA{ run ["0"]}step r00{ run ["1"] } }`
	outs := compileSources(map[string][]byte{"f.pipe": []byte(src)})
	if len(outs) != 1 {
		t.Fatal("the reproducer does not compile")
	}
	got := oneAnswer(t, outs[0].Object, 40)
	if !strings.HasPrefix(got, "f.pipe:1:36 ") || !strings.Contains(got, "templates.main.tasks.BA ") {
		t.Errorf("got %s, want the error of step BA at 1:36", got)
	}
}

// TestFirstFailureManyRoots has many failing steps, roots and dependents
// of several kinds: the first one in source order is blamed, whatever
// the order Argo checks them in.
func TestFirstFailureManyRoots(t *testing.T) {
	src := `pipeline many {
  image "alpine"
  step a { run ["a"] }
  step b after a { run ["b"] }
  step c { image "" run ["c"] }
  step d { image "" run ["d"] }
  step e after a { image "" run ["e"] }
  step f for x in ["1", "2"] { image "" run ["${x}"] }
  step g { image "" run ["g"] }
}`
	outs := compileSources(map[string][]byte{"f.pipe": []byte(src)})
	if len(outs) != 1 {
		t.Fatal("the input does not compile")
	}
	got := oneAnswer(t, outs[0].Object, 30)
	if !strings.Contains(got, "templates.main.tasks.c ") {
		t.Errorf("got %s, want the error of step c", got)
	}
}

// firstWorkflow is a workflow whose entry DAG runs the given tasks, with
// templates leaf ok (valid), bad1 and bad2 (invalid alone), and needs
// (a container that needs an input parameter p).
func firstWorkflow(tasks ...wfv1.DAGTask) *Object {
	leaf := func(name, image string) wfv1.Template {
		return wfv1.Template{Name: name, Container: &apiv1.Container{Image: image}}
	}
	needs := leaf("needs", "x")
	needs.Inputs.Parameters = []wfv1.Parameter{{Name: "p"}}
	out := leaf("out", "x")
	out.Outputs.Parameters = []wfv1.Parameter{{Name: "o", ValueFrom: &wfv1.ValueFrom{Path: "/o"}}}
	wf := &wfv1.Workflow{
		TypeMeta:   metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow"},
		ObjectMeta: metav1.ObjectMeta{Name: "first"},
		Spec: wfv1.WorkflowSpec{
			Entrypoint: "main",
			Templates: []wfv1.Template{
				{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: tasks}},
				leaf("ok", "x"), leaf("bad1", ""), leaf("bad2", ""), needs, out,
			},
		},
	}
	return &Object{Workflow: wf}
}

// fullOnce is the error of firstFailure on obj, run runs times: it fails
// unless it is always the same.
func fullOnce(t *testing.T, obj *Object, runs int) string {
	t.Helper()
	seen := map[string]bool{}
	var last string
	for range runs {
		err := firstFailure(obj, argoValidate(obj), argoValidate)
		last = "(accepted)"
		if err != nil {
			last = err.Error()
		}
		seen[last] = true
	}
	if len(seen) != 1 {
		t.Fatalf("%d different errors: %v", len(seen), seen)
	}
	return last
}

// TestFirstFailureOrder checks which task is blamed among several failing
// ones: the first in source order, also when its error is one Argo finds
// only in its second pass over the tasks (the arguments), after the first
// pass has checked every task's template.
func TestFirstFailureOrder(t *testing.T) {
	p := func(v string) wfv1.Arguments {
		return wfv1.Arguments{Parameters: []wfv1.Parameter{{Name: "p", Value: wfv1.AnyStringPtr(v)}}}
	}
	for name, c := range map[string]struct {
		tasks []wfv1.DAGTask
		want  string
	}{
		"roots": {[]wfv1.DAGTask{
			{Name: "a", Template: "ok"}, {Name: "b", Template: "bad2"}, {Name: "c", Template: "bad1"}, {Name: "d", Template: "bad1"},
		}, "templates.main.tasks.b templates.bad2.container.image may not be empty"},
		"shared template": {[]wfv1.DAGTask{
			{Name: "x", Template: "ok"}, {Name: "y", Template: "bad1"}, {Name: "z", Template: "bad1"}, {Name: "w", Template: "bad1", Depends: "x"},
		}, "templates.main.tasks.y templates.bad1.container.image may not be empty"},
		"second pass": {[]wfv1.DAGTask{
			{Name: "a", Template: "out"}, {Name: "b", Template: "needs", Arguments: p("{{tasks.nope.outputs.result}}")}, {Name: "c", Template: "bad1"},
		}, "templates.main.tasks.b failed to resolve {{tasks.nope.outputs.result}}"},
		"dependent first": {[]wfv1.DAGTask{
			{Name: "a", Template: "out"}, {Name: "b", Template: "bad2", Depends: "a"}, {Name: "c", Template: "bad1"}, {Name: "d", Template: "bad1"},
		}, "templates.main.tasks.b templates.bad2.container.image may not be empty"},
		"loops and hooks": {[]wfv1.DAGTask{
			{Name: "a", Template: "out", WithItems: []wfv1.Item{{Value: []byte(`"1"`)}}},
			{Name: "h", Template: "ok", Hooks: wfv1.LifecycleHooks{"exit": {Template: "ok"}}},
			{Name: "b", Template: "needs", Depends: "a", Arguments: p("{{tasks.a.outputs.parameters.o}}{{tasks.h.status}}")},
			{Name: "c", Template: "bad1"},
		}, "templates.main.tasks.c templates.bad1.container.image may not be empty"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := fullOnce(t, firstWorkflow(c.tasks...), 30); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestInertTemplates checks that the stubs of firstFailure are valid for
// every kind of template and task they stand in for.
func TestInertTemplates(t *testing.T) {
	daemon := true
	tmpls := []wfv1.Template{
		{Name: "c", Container: &apiv1.Container{Image: "x"}, Outputs: wfv1.Outputs{
			Parameters: []wfv1.Parameter{{Name: "o", GlobalName: "g", ValueFrom: &wfv1.ValueFrom{Path: "/o"}}},
			Artifacts:  []wfv1.Artifact{{Name: "a", Path: "/a", GlobalName: "ga"}, {Name: "b", Path: "/b"}},
		}},
		{Name: "s", Script: &wfv1.ScriptTemplate{Container: apiv1.Container{Image: "x"}, Source: "x"}},
		{Name: "d", Daemon: &daemon, Container: &apiv1.Container{Image: "x"}},
		{Name: "st", Steps: []wfv1.ParallelSteps{{Steps: []wfv1.WorkflowStep{{Name: "a", Template: "c"}}}}, Outputs: wfv1.Outputs{
			Parameters: []wfv1.Parameter{{Name: "o", ValueFrom: &wfv1.ValueFrom{Parameter: "{{steps.a.outputs.parameters.o}}"}}},
			Artifacts:  []wfv1.Artifact{{Name: "a", From: "{{steps.a.outputs.artifacts.a}}"}},
		}},
		{Name: "r", Resource: &wfv1.ResourceTemplate{Action: "create", Manifest: "x"}},
	}
	for _, tm := range tmpls {
		stub, ok := inertTemplate(&tm)
		if !ok {
			t.Errorf("%s: no stub", tm.Name)
			continue
		}
		stub.Name = "stub"
		orig := wfv1.DAGTask{Name: "t", Template: tm.Name, WithParam: "{{workflow.parameters.nope}}", When: "{{nope}}",
			Hooks: wfv1.LifecycleHooks{"exit": {Template: "nope"}}, Arguments: wfv1.Arguments{Parameters: []wfv1.Parameter{{Name: "nope"}}}}
		task := inertTask(&orig, "stub")
		obj := firstWorkflow(task, wfv1.DAGTask{Name: "u", Template: "ok", Depends: "t"})
		obj.Workflow.Spec.Templates = append(obj.Workflow.Spec.Templates[:2:2], stub)
		if err := argoValidate(obj); err != nil {
			t.Errorf("%s: Argo rejects the stub: %v", tm.Name, err)
		}
	}
}

// TestDeterministicMessage checks the choices Argo makes in map order
// within one task or list of hooks: the first in sorted order is named.
func TestDeterministicMessage(t *testing.T) {
	noExpr := wfv1.LifecycleHooks{"zz": {Template: "ok"}, "mm": {Template: "ok"}, "exit": {Template: "ok"}, "qq": {Template: "ok"}}
	for name, c := range map[string]struct {
		obj  *Object
		want string
	}{
		"workflow hooks": {func() *Object {
			o := firstWorkflow(wfv1.DAGTask{Name: "a", Template: "ok"})
			o.Workflow.Spec.Hooks = noExpr
			return o
		}(), "hooks.mm Expression required"},
		"step hooks": {func() *Object {
			o := firstWorkflow(wfv1.DAGTask{Name: "a", Template: "ok"}, wfv1.DAGTask{Name: "b", Template: "st"})
			o.Workflow.Spec.Templates = append(o.Workflow.Spec.Templates, wfv1.Template{Name: "st", Steps: []wfv1.ParallelSteps{
				{Steps: []wfv1.WorkflowStep{{Name: "s0", Template: "ok"}}},
				{Steps: []wfv1.WorkflowStep{{Name: "s1", Template: "ok"}, {Name: "s2", Template: "ok", Hooks: noExpr}}},
			}})
			return o
		}(), "templates.main.tasks.b templates.st.steps[1].s2.mm Expression required"},
		"unknown dependency": {firstWorkflow(
			wfv1.DAGTask{Name: "a", Template: "ok"}, wfv1.DAGTask{Name: "b", Template: "ok", Depends: "zz && a && qq.Succeeded && mm"},
			wfv1.DAGTask{Name: "c", Template: "ok", Depends: "aa"},
		), "templates.main sorting failed: invalid dependency mm"},
		"unknown dependencies list": {firstWorkflow(
			wfv1.DAGTask{Name: "a", Template: "ok"}, wfv1.DAGTask{Name: "b", Template: "ok", Dependencies: []string{"zz", "a", "mm", "qq"}},
		), "templates.main sorting failed: invalid dependency mm"},
		"items dependency": {firstWorkflow(
			wfv1.DAGTask{Name: "zz", Template: "ok"}, wfv1.DAGTask{Name: "mm", Template: "ok"}, wfv1.DAGTask{Name: "qq", Template: "ok"},
			wfv1.DAGTask{Name: "b", Template: "ok", Depends: "zz.AnySucceeded && qq.AllFailed && mm.AnySucceeded"},
			wfv1.DAGTask{Name: "c", Template: "ok", Depends: "zz.AnySucceeded"},
		), "templates.main.tasks.mm dependency 'mm' uses an items-based condition such as .AnySucceeded or .AllFailed but does not contain any items"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := fullOnce(t, c.obj, 30); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
