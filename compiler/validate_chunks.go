package compiler

import (
	"slices"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// Argo's validator is quadratic in the size of a DAG: for every task it
// copies the scope of every task's outputs and walks the task's ancestry.
// A large pipeline is therefore validated in chunks: workflows that keep
// everything of the compiled one but a slice of the main DAG's tasks (with
// the tasks they depend on directly, as stubs). Chunks only ever see less
// than the whole workflow, so they can fail where it would not but not the
// reverse, provided what only the whole workflow shows is checked here:
// unique names, acyclic dependencies, every template used. When a chunk
// fails, or the workflow is not one these checks cover, Validate runs
// Argo's validator on the whole workflow, so errors are exactly the same.

// validateChunkSize is the number of main DAG tasks per chunk.
const validateChunkSize = 100

// validChunks reports whether obj is large enough to validate in chunks,
// validating them if so: true means Argo accepts the whole workflow.
func validChunks(obj *Object, validate func(*Object) error) bool {
	return validChunksOf(obj, validateChunkSize, validate)
}

// validChunksOf is validChunks with chunks of size tasks.
func validChunksOf(obj *Object, size int, validate func(*Object) error) bool {
	c, ok := newChunker(obj)
	if !ok || len(c.tasks) <= size {
		return false
	}
	for start := 0; start < len(c.tasks); start += size {
		if validate(c.chunk(start, min(start+size, len(c.tasks)))) != nil {
			return false
		}
	}
	return true
}

// chunker cuts the main DAG of a workflow into chunks (see above).
type chunker struct {
	obj   *Object
	spec  *wfv1.WorkflowSpec
	tmpls map[string]int // template index by name
	main  wfv1.Template
	exit  *wfv1.Template
	tasks []wfv1.DAGTask // the main DAG's
	index map[string]int // task index by name
	deps  [][]string     // dependsNames of each task
}

// newChunker is a chunker of obj; ok is false if obj is not of the form
// chunks cover: a main DAG and an exit DAG of at most validateChunkSize
// tasks, every template the main DAG, the exit DAG or used by one of their
// tasks, each DAG's task names unique and its dependencies acyclic.
func newChunker(obj *Object) (*chunker, bool) {
	if obj.Pipeline == nil || len(obj.Pipeline.Raw) > 0 {
		return nil, false
	}
	spec := obj.Spec()
	tmpls := map[string]int{}
	for i, t := range spec.Templates {
		if _, dup := tmpls[t.Name]; dup || t.Name == "" {
			return nil, false
		}
		tmpls[t.Name] = i
	}
	mi, ok := tmpls[spec.Entrypoint]
	if !ok || spec.Templates[mi].DAG == nil {
		return nil, false
	}
	main := spec.Templates[mi]
	var exit *wfv1.Template
	if spec.OnExit != "" {
		ei, ok := tmpls[spec.OnExit]
		if !ok || ei == mi || spec.Templates[ei].DAG == nil || len(spec.Templates[ei].DAG.Tasks) > validateChunkSize {
			return nil, false
		}
		exit = &spec.Templates[ei]
	}
	used := make(map[string]bool, len(spec.Templates))
	used[main.Name] = true
	if exit != nil {
		used[exit.Name] = true
	}
	var index map[string]int
	var deps [][]string
	for _, dag := range []*wfv1.Template{&main, exit} {
		if dag == nil {
			continue
		}
		ix, ds, ok := checkedDAG(dag.DAG.Tasks)
		if !ok {
			return nil, false
		}
		if dag == &main {
			index, deps = ix, ds
		}
		for _, task := range dag.DAG.Tasks {
			if i, ok := tmpls[task.Template]; ok && len(spec.Templates[i].Steps) == 0 {
				used[task.Template] = true // its closure: itself alone
				continue
			}
			for _, name := range closure(spec, tmpls, task.Template) {
				used[name] = true
			}
		}
	}
	if len(used) != len(spec.Templates) {
		return nil, false
	}
	for _, t := range spec.Templates {
		if !used[t.Name] {
			return nil, false
		}
	}
	tasks := main.DAG.Tasks
	return &chunker{obj: obj, spec: spec, tmpls: tmpls, main: main, exit: exit, tasks: tasks, index: index, deps: deps}, true
}

// stubbed is the indexes of the tasks outside the chunk of tasks start to
// end that tasks of the chunk depend on directly, in the order chunkTasks
// puts their stubs.
func (c *chunker) stubbed(start, end int) []int {
	var out []int
	for i := start; i < end; i++ {
		for _, dep := range c.deps[i] {
			if j, ok := c.index[dep]; ok && (j < start || j >= end) && !slices.Contains(out, j) {
				out = append(out, j)
			}
		}
	}
	return out
}

// chunkTasks is the tasks of the chunk of the main DAG's tasks start to
// end: stubs of the tasks outside it they depend on directly, then them.
func (c *chunker) chunkTasks(start, end int) []wfv1.DAGTask {
	var chunk []wfv1.DAGTask
	for _, i := range c.stubbed(start, end) {
		chunk = append(chunk, stubTask(c.tasks[i]))
	}
	return append(chunk, c.tasks[start:end]...)
}

// chunk is the workflow of the chunk of the main DAG's tasks start to end:
// the workflow with only those tasks (and chunkTasks' stubs) and the
// templates they use; the exit handler in the first chunk only.
func (c *chunker) chunk(start, end int) *Object {
	cs := *c.spec
	m := c.main
	m.DAG = &wfv1.DAGTemplate{}
	*m.DAG = *c.main.DAG
	m.DAG.Tasks = c.chunkTasks(start, end)
	cs.Templates = []wfv1.Template{m}
	if c.exit != nil && start == 0 {
		cs.Templates = append(cs.Templates, *c.exit)
	} else {
		cs.OnExit = ""
	}
	seen := map[string]bool{}
	for _, dag := range cs.Templates[:len(cs.Templates):len(cs.Templates)] {
		for _, task := range dag.DAG.Tasks {
			for _, name := range closure(c.spec, c.tmpls, task.Template) {
				if !seen[name] {
					seen[name] = true
					cs.Templates = append(cs.Templates, c.spec.Templates[c.tmpls[name]])
				}
			}
		}
	}
	return withSpec(c.obj, cs)
}

// closure is a template and the templates its steps run (a retry wrapper
// and its leaf), transitively.
func closure(spec *wfv1.WorkflowSpec, index map[string]int, name string) []string {
	if name == "" {
		return nil
	}
	out := []string{name}
	i, ok := index[name]
	if !ok {
		return out
	}
	for _, group := range spec.Templates[i].Steps {
		for _, step := range group.Steps {
			if step.Template != name {
				out = append(out, closure(spec, index, step.Template)...)
			}
		}
	}
	return out
}

// checkedDAG reports whether task names are unique and the dependencies
// acyclic, with the index of the tasks by name and the dependsNames of
// each task. Dependencies are read from depends expressions generously:
// any word that is a task name (an extra edge can only make this say no).
func checkedDAG(tasks []wfv1.DAGTask) (index map[string]int, deps [][]string, ok bool) {
	index = make(map[string]int, len(tasks))
	for i, t := range tasks {
		// Argo rejects some of these only when another task of the DAG
		// uses depends: a chunk might not have it.
		if _, dup := index[t.Name]; dup || t.Name == "" || ('0' <= t.Name[0] && t.Name[0] <= '9') ||
			len(t.Dependencies) > 0 || t.ContinueOn != nil || t.Inline != nil || t.Hooks != nil || t.OnExit != "" {
			return nil, nil, false
		}
		index[t.Name] = i
	}
	// Kahn's algorithm.
	deps = make([][]string, len(tasks))
	indegree := make([]int, len(tasks))
	users := make([][]int, len(tasks))
	for i, t := range tasks {
		deps[i] = dependsNames(t.Depends)
		for _, dep := range deps[i] {
			if j, ok := index[dep]; ok {
				indegree[i]++
				users[j] = append(users[j], i)
			}
		}
	}
	var ready []int
	for i, d := range indegree {
		if d == 0 {
			ready = append(ready, i)
		}
	}
	done := 0
	for len(ready) > 0 {
		i := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		done++
		for _, u := range users[i] {
			if indegree[u]--; indegree[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return index, deps, done == len(tasks)
}

// dependsNames returns the words of a depends expression before any '.':
// the task names, and possibly words that are not. A word is what
// [a-zA-Z0-9][-a-zA-Z0-9]* matches, leftmost first.
func dependsNames(depends string) []string {
	var names []string
	for i := 0; i < len(depends); {
		if !isAlnum(depends[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(depends) && (depends[j] == '-' || isAlnum(depends[j])) {
			j++
		}
		if i == 0 || depends[i-1] != '.' { // not an outcome: x.Succeeded
			names = append(names, depends[i:j])
		}
		i = j
	}
	return names
}

// stubTask is a task another task of a chunk depends on: the same name,
// template, outputs and kind of loop, without its own dependencies and
// with literal arguments (it is validated for real in its own chunk).
func stubTask(t wfv1.DAGTask) wfv1.DAGTask {
	stub := wfv1.DAGTask{Name: t.Name, Template: t.Template, TemplateRef: t.TemplateRef, WithItems: t.WithItems, WithSequence: t.WithSequence}
	if t.WithParam != "" {
		stub.WithParam = `["stub"]`
	}
	for _, p := range t.Arguments.Parameters {
		stub.Arguments.Parameters = append(stub.Arguments.Parameters, wfv1.Parameter{Name: p.Name, Value: wfv1.AnyStringPtr("stub")})
	}
	return stub
}

// withSpec is a copy of obj with another workflow spec.
func withSpec(obj *Object, spec wfv1.WorkflowSpec) *Object {
	out := &Object{Pipeline: obj.Pipeline}
	switch {
	case obj.Workflow != nil:
		wf := *obj.Workflow
		wf.Spec = spec
		out.Workflow = &wf
	case obj.WorkflowTemplate != nil:
		wt := *obj.WorkflowTemplate
		wt.Spec = spec
		out.WorkflowTemplate = &wt
	case obj.ClusterWorkflowTemplate != nil:
		ct := *obj.ClusterWorkflowTemplate
		ct.Spec = spec
		out.ClusterWorkflowTemplate = &ct
	default:
		cw := *obj.CronWorkflow
		cw.Spec.WorkflowSpec = spec
		out.CronWorkflow = &cw
	}
	return out
}
