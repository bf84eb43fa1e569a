package compiler

import (
	"reflect"
	"sort"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
)

// shapeUnits and shapeGraph's stubs are computed by template index
// (slices, not maps of names); the references below are the definitions
// by name they replaced. The tests check both on every object of the
// tests and on workflows whose exit handler and template references are
// changed in the ways the two treat apart.

// unitObjects is keyObjects and, for a generated pipeline, its exit
// handler missing, the entry point as exit handler, and tasks and steps
// that run a template no workflow has or the entry point.
func unitObjects(t *testing.T) map[string]*Object {
	out := keyObjects(t)
	base := lowerGenerated(t, 10, func(s string) string { return s })
	edit := func(name string, change func(spec *wfv1.WorkflowSpec)) {
		spec := *base.Spec()
		spec.Templates = append([]wfv1.Template(nil), spec.Templates...)
		change(&spec)
		out[name] = withSpec(base, spec)
	}
	edit("no such exit handler", func(spec *wfv1.WorkflowSpec) { spec.OnExit = "nosuch" })
	edit("entry point as exit handler", func(spec *wfv1.WorkflowSpec) { spec.OnExit = spec.Entrypoint })
	edit("no exit handler", func(spec *wfv1.WorkflowSpec) { spec.OnExit = "" })
	for i := range base.Spec().Templates {
		tm := base.Spec().Templates[i]
		switch {
		case tm.DAG != nil && len(tm.DAG.Tasks) > 1:
			for _, target := range []string{"nosuch", base.Spec().Entrypoint, base.Spec().OnExit, tm.DAG.Tasks[0].Template} {
				edit("task 1 of "+tm.Name+" runs "+target, func(spec *wfv1.WorkflowSpec) {
					dag := *tm.DAG
					dag.Tasks = append([]wfv1.DAGTask(nil), dag.Tasks...)
					dag.Tasks[1].Template = target
					spec.Templates[i].DAG = &dag
				})
			}
		case len(tm.Steps) == 1 && len(tm.Steps[0].Steps) == 1 && i%4 == 0:
			for _, target := range []string{"nosuch", tm.Name, base.Spec().Entrypoint, base.Spec().Templates[(i+3)%len(base.Spec().Templates)].Name} {
				edit("the step of "+tm.Name+" runs "+target, func(spec *wfv1.WorkflowSpec) {
					step := tm.Steps[0].Steps[0]
					step.Template = target
					spec.Templates[i].Steps = []wfv1.ParallelSteps{{Steps: []wfv1.WorkflowStep{step}}}
				})
			}
		}
	}
	return out
}

func TestShapeUnitsSameAsReference(t *testing.T) {
	compared := 0
	for name, obj := range unitObjects(t) {
		got, ok := shapeUnits(obj)
		want, wantOK := referenceShapeUnits(obj)
		if ok != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: shapeUnits = %v %v, reference %v %v", name, got, ok, want, wantOK)
		}
		compared += len(want)
	}
	if compared < 1000 {
		t.Errorf("only %d units compared", compared)
	}
}

func TestStubKeySameAsUnitStub(t *testing.T) {
	var s stubKeyScratch
	compared := 0
	for name, obj := range unitObjects(t) {
		for i := range obj.Spec().Templates {
			tm := &obj.Spec().Templates[i]
			want := unitStub(*tm)
			want.Name = ""
			if got := s.of(tm); !reflect.DeepEqual(*got, want) {
				t.Errorf("%s: template %s: stub for the key\n%+v\nunitStub\n%+v", name, tm.Name, *got, want)
			}
			compared++
		}
	}
	s.clear()
	if s.t.Inputs.Parameters != nil || s.t.Container != nil || s.t.Suspend != nil {
		t.Error("clear left a template in the scratch space")
	}
	fresh := unitStub(wfv1.Template{Container: &apiv1.Container{}})
	script := unitStub(wfv1.Template{Script: &wfv1.ScriptTemplate{}})
	if !reflect.DeepEqual(stubKeyContainer, fresh.Container) || !reflect.DeepEqual(stubKeyScript, script.Script) || !reflect.DeepEqual(stubKeySuspend, &wfv1.SuspendTemplate{}) {
		t.Error("the stubs' shared parts were changed")
	}
	if compared < 1000 {
		t.Errorf("only %d templates compared", compared)
	}
}

// referenceShapeUnits is shapeUnits as written before 2 December,
// afternoon: the templates used, the uses and the owned leaves in maps.
func referenceShapeUnits(obj *Object) ([]shapeUnit, bool) {
	if obj.Pipeline == nil || len(obj.Pipeline.Raw) > 0 {
		return nil, false
	}
	spec := obj.Spec()
	if spec.WorkflowTemplateRef != nil || len(spec.Hooks) > 0 || spec.Entrypoint == "" {
		return nil, false
	}
	index := map[string]int{}
	for i, t := range spec.Templates {
		if _, dup := index[t.Name]; dup || len(t.Name) > 128 || !isTemplateName(t.Name) {
			return nil, false
		}
		index[t.Name] = i
		for _, p := range t.Outputs.Parameters {
			if p.GlobalName != "" {
				return nil, false
			}
		}
		for _, a := range t.Outputs.Artifacts {
			if a.GlobalName != "" {
				return nil, false
			}
		}
	}
	if _, ok := index[spec.Entrypoint]; !ok {
		return nil, false
	}
	fromMain, ok := referenceUsedTemplates(spec, index, spec.Entrypoint)
	if !ok {
		return nil, false
	}
	fromExit := map[string]bool{}
	if spec.OnExit != "" {
		if fromExit, ok = referenceUsedTemplates(spec, index, spec.OnExit); !ok {
			return nil, false
		}
	}
	uses := map[string]int{}
	uses[spec.Entrypoint], uses[spec.OnExit] = 1, 1
	for _, t := range spec.Templates {
		if t.DAG != nil {
			for _, task := range t.DAG.Tasks {
				uses[task.Template]++
			}
		}
		for _, group := range t.Steps {
			for _, step := range group.Steps {
				uses[step.Template]++
			}
		}
	}
	candidate := func(i int) bool {
		name := spec.Templates[i].Name
		return fromMain[name] && !fromExit[name] && name != spec.Entrypoint
	}
	isLeaf := func(t *wfv1.Template) bool { return t.Container != nil || t.Script != nil }
	var units []shapeUnit
	owned := map[int]bool{}
	for i := range spec.Templates {
		t := &spec.Templates[i]
		if t.Steps == nil || !candidate(i) || len(t.Steps) != 1 || len(t.Steps[0].Steps) != 1 {
			continue
		}
		li, ok := index[t.Steps[0].Steps[0].Template]
		if ok && li != i && uses[spec.Templates[li].Name] == 1 && isLeaf(&spec.Templates[li]) && candidate(li) {
			units = append(units, shapeUnit{top: i, leaf: li})
			owned[li] = true
		}
	}
	for i := range spec.Templates {
		if isLeaf(&spec.Templates[i]) && !owned[i] && candidate(i) {
			units = append(units, shapeUnit{top: i, leaf: -1})
		}
	}
	sort.Slice(units, func(a, b int) bool { return units[a].top < units[b].top })
	return units, true
}

// referenceUsedTemplates is usedTemplates as written before, by name.
func referenceUsedTemplates(spec *wfv1.WorkflowSpec, index map[string]int, root string) (map[string]bool, bool) {
	used := map[string]bool{}
	var walk func(name string) bool
	walk = func(name string) bool {
		if used[name] {
			return true
		}
		used[name] = true
		i, ok := index[name]
		if !ok {
			return true
		}
		t := &spec.Templates[i]
		if t.DAG != nil {
			for _, task := range t.DAG.Tasks {
				if task.Hooks != nil || task.OnExit != "" || task.Inline != nil || task.TemplateRef != nil || task.Template == "" || !walk(task.Template) {
					return false
				}
			}
		}
		for _, group := range t.Steps {
			for _, step := range group.Steps {
				if step.Hooks != nil || step.OnExit != "" || step.Inline != nil || step.TemplateRef != nil || step.Template == "" || !walk(step.Template) {
					return false
				}
			}
		}
		return true
	}
	if !walk(root) {
		return nil, false
	}
	return used, true
}
