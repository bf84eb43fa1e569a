package compiler

import (
	"regexp"
	"strconv"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Argo's validator checks the tasks of a DAG in a topological order that
// starts from the DAG's root tasks taken in Go map order (sortDAGTasks and
// util/sorting.TopologicalSorting, v3.7.18). When several tasks fail,
// which one it reports varies from run to run. firstFailure makes the
// error deterministic: the error of the first task in source order that
// fails, found by validating the workflow again with the DAG's later tasks
// replaced by inert stubs.
//
// An inert stub keeps what the rest of the DAG sees of a task (its name,
// dependencies, continueOn, kind of loop, hooks present or not, and its
// template's type and outputs) and nothing that can fail: no arguments, no
// when, a stub template. With the tasks after position m stubbed, the
// tasks up to m are checked in the same scope as in the whole workflow; the
// first m for which the workflow fails, naming a task up to m, is the first
// failing task, and it is the only failing one there, so Argo's message is
// the same on every run. When anything else fails (a stub, a task of
// another DAG), the original error is kept.

// maxFirstDepth bounds how many DAGs nested in one another firstFailure
// looks into.
const maxFirstDepth = 8

// dagTaskRE finds the DAG tasks an Argo error message names: the
// template and the task.
var dagTaskRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`templates\.([a-zA-Z0-9-]+)\.tasks\.([a-zA-Z0-9-]+)`)
})

// firstFailure is err, an error of validate on obj, made deterministic:
// for each DAG the message names, outermost first, the error of its first
// failing task in source order (see above); then the choices Argo makes in
// map order within one task or hook list (deterministicMessage).
func firstFailure(obj *Object, err error, validate func(*Object) error) error {
	if err == nil {
		return nil
	}
	if itemsDepRE().MatchString(err.Error()) {
		// A task's dependencies, not a task, fail: the message names
		// a dependency as the task (see deterministicMessage).
		return deterministicMessage(obj, err)
	}
	done := map[string]bool{}
	for range maxFirstDepth {
		di, x, ok := failedDAGTask(obj, err.Error(), done)
		if !ok {
			break
		}
		done[obj.Spec().Templates[di].Name] = true
		if x == 0 {
			continue // the first task: none comes before it
		}
		o, e, ok := firstFailedTask(obj, di, x, validate)
		if !ok {
			break
		}
		obj, err = o, e
	}
	return deterministicMessage(obj, err)
}

// failedDAGTask finds the first DAG task msg names whose DAG is not done:
// the indexes of its template and of the task in the template's tasks.
func failedDAGTask(obj *Object, msg string, done map[string]bool) (int, int, bool) {
	spec := obj.Spec()
	for _, m := range dagTaskRE().FindAllStringSubmatch(msg, -1) {
		if done[m[1]] {
			continue
		}
		for i := range spec.Templates {
			t := &spec.Templates[i]
			if t.Name != m[1] || t.DAG == nil {
				continue
			}
			for j, task := range t.DAG.Tasks {
				if task.Name == m[2] {
					return i, j, true
				}
			}
		}
	}
	return 0, 0, false
}

// firstFailedTask validates obj with the tasks of the DAG template di
// after position m stubbed, for the least m at most x at which it fails
// naming one of the DAG's tasks up to m (a binary search: failing is
// monotone in m). It returns that workflow and its error; ok is false if
// even m = x does not fail so.
func firstFailedTask(obj *Object, di, x int, validate func(*Object) error) (*Object, error, bool) {
	s := newTaskStubs(obj, di)
	fails := func(m int) (*Object, error) {
		o := s.with(m)
		if err := validate(o); err != nil && s.namesTaskUpTo(err.Error(), m) {
			return o, err
		}
		return nil, nil
	}
	o, err := fails(x)
	if err == nil {
		return nil, nil, false
	}
	lo, hi := 0, x
	for lo < hi {
		mid := (lo + hi) / 2
		if mo, merr := fails(mid); merr != nil {
			hi, o, err = mid, mo, merr
		} else {
			lo = mid + 1
		}
	}
	return o, err, true
}

// taskStubs makes the workflows of firstFailedTask for one DAG.
type taskStubs struct {
	obj   *Object
	di    int             // the DAG template's index
	tasks []wfv1.DAGTask  // the DAG's, in source order
	index map[string]int  // task index by name
	stubs []wfv1.DAGTask  // the inert stub of each task (the task itself if it has none)
	extra []wfv1.Template // the stubs' templates
}

func newTaskStubs(obj *Object, di int) *taskStubs {
	spec := obj.Spec()
	tasks := spec.Templates[di].DAG.Tasks
	s := &taskStubs{obj: obj, di: di, tasks: tasks, index: make(map[string]int, len(tasks)), stubs: make([]wfv1.DAGTask, len(tasks))}
	tmpls := make(map[string]int, len(spec.Templates))
	for i, t := range spec.Templates {
		if _, dup := tmpls[t.Name]; !dup {
			tmpls[t.Name] = i
		}
	}
	stubOf := map[string]string{} // a template's name: its stub's
	newName := func() string {
		for n := len(s.extra); ; n++ {
			name := "pipec-inert-" + strconv.Itoa(n)
			if _, taken := tmpls[name]; !taken {
				tmpls[name] = -1
				return name
			}
		}
	}
	for i := range tasks {
		t := &tasks[i]
		s.index[t.Name] = i
		s.stubs[i] = *t
		var tmpl *wfv1.Template
		switch {
		case t.Inline != nil:
			tmpl = t.Inline
		case t.TemplateRef != nil:
			continue // kept: pipec's stand-in for the cluster's template
		default:
			j, ok := tmpls[t.Template]
			if !ok || j < 0 {
				continue
			}
			tmpl = &spec.Templates[j]
		}
		stub, ok := inertTemplate(tmpl)
		if !ok {
			continue
		}
		name, seen := stubOf[tmpl.Name]
		if !seen || t.Inline != nil {
			name = newName()
			stub.Name = name
			s.extra = append(s.extra, stub)
			if t.Inline == nil {
				stubOf[tmpl.Name] = name
			}
		}
		s.stubs[i] = inertTask(t, name)
	}
	return s
}

// with is the workflow with the DAG's tasks after position m stubbed.
func (s *taskStubs) with(m int) *Object {
	spec := *s.obj.Spec()
	spec.Templates = append(append(make([]wfv1.Template, 0, len(spec.Templates)+len(s.extra)), spec.Templates...), s.extra...)
	dag := spec.Templates[s.di]
	d := *dag.DAG
	d.Tasks = append(append(make([]wfv1.DAGTask, 0, len(s.tasks)), s.tasks[:m+1]...), s.stubs[m+1:]...)
	dag.DAG = &d
	spec.Templates[s.di] = dag
	return withSpec(s.obj, spec)
}

// namesTaskUpTo reports whether msg names a task of the DAG at a position
// up to m.
func (s *taskStubs) namesTaskUpTo(msg string, m int) bool {
	name := s.obj.Spec().Templates[s.di].Name
	for _, g := range dagTaskRE().FindAllStringSubmatch(msg, -1) {
		if i, ok := s.index[g[2]]; ok && g[1] == name && i <= m {
			return true
		}
	}
	return false
}

// inertTask is the inert stub of a task (see above), running the template
// tmpl.
func inertTask(t *wfv1.DAGTask, tmpl string) wfv1.DAGTask {
	stub := wfv1.DAGTask{Name: t.Name, Template: tmpl, Depends: t.Depends, Dependencies: t.Dependencies, ContinueOn: t.ContinueOn}
	switch {
	case len(t.WithItems) > 0 || t.WithParam != "":
		stub.WithParam = `["stub"]`
	case t.WithSequence != nil:
		one := intstr.FromInt32(1)
		stub.WithSequence = &wfv1.Sequence{Count: &one}
	}
	if t.Hooks != nil {
		stub.Hooks = wfv1.LifecycleHooks{} // Argo adds the task's status to the scope
	}
	return stub
}

// inertTemplate is a template that cannot fail validation and looks like
// t to the DAG that runs it: the same outputs (and global output names)
// and what addOutputsToScope reads of its type (outputs.result, exitCode,
// ip); ok is false for a template it cannot stand in for.
func inertTemplate(t *wfv1.Template) (wfv1.Template, bool) {
	var out wfv1.Template
	leaf := true
	switch {
	case t.ContainerSet != nil:
		return out, false
	case t.Script != nil:
		out.Script = &wfv1.ScriptTemplate{Container: apiv1.Container{Image: "stub"}, Source: "stub"}
	case t.HasOutput():
		out.Container = &apiv1.Container{Image: "stub"}
	case t.IsDaemon():
		return out, false
	default:
		out.Suspend = &wfv1.SuspendTemplate{}
		leaf = false
	}
	out.Daemon = t.Daemon
	for _, p := range t.Outputs.Parameters {
		out.Outputs.Parameters = append(out.Outputs.Parameters, wfv1.Parameter{Name: p.Name, GlobalName: plainGlobalName(p.GlobalName), Value: wfv1.AnyStringPtr("stub")})
	}
	for i, a := range t.Outputs.Artifacts {
		art := wfv1.Artifact{Name: a.Name, GlobalName: plainGlobalName(a.GlobalName)}
		if leaf {
			art.Path = "/stub/" + strconv.Itoa(i)
		}
		out.Outputs.Artifacts = append(out.Outputs.Artifacts, art)
	}
	return out, true
}

// plainGlobalName is a global output name if Argo adds it to the scope as
// it is (a valid name), else "".
func plainGlobalName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != '-' && c != '_' && !isAlnum(c) {
			return ""
		}
	}
	return name
}
