package compiler

import (
	"regexp"

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

var dependsNameRE = regexp.MustCompile(`[a-zA-Z0-9][-a-zA-Z0-9]*`)

// validChunks reports whether obj is large enough to validate in chunks,
// validating them if so: true means Argo accepts the whole workflow.
func validChunks(obj *Object, validate func(*Object) error) bool {
	return validChunksOf(obj, validateChunkSize, validate)
}

// validChunksOf is validChunks with chunks of size tasks.
func validChunksOf(obj *Object, size int, validate func(*Object) error) bool {
	if obj.Pipeline == nil || len(obj.Pipeline.Raw) > 0 {
		return false
	}
	spec := obj.Spec()
	tmpls := map[string]int{}
	for i, t := range spec.Templates {
		if _, dup := tmpls[t.Name]; dup || t.Name == "" {
			return false
		}
		tmpls[t.Name] = i
	}
	mi, ok := tmpls[spec.Entrypoint]
	if !ok || spec.Templates[mi].DAG == nil || len(spec.Templates[mi].DAG.Tasks) <= size {
		return false
	}
	main := spec.Templates[mi]
	var exit *wfv1.Template
	if spec.OnExit != "" {
		ei, ok := tmpls[spec.OnExit]
		if !ok || ei == mi || spec.Templates[ei].DAG == nil || len(spec.Templates[ei].DAG.Tasks) > validateChunkSize {
			return false
		}
		exit = &spec.Templates[ei]
	}
	// Every template is the main DAG, the exit DAG or used by one of their
	// tasks, and each DAG's task names are unique and its dependencies
	// acyclic.
	used := map[string]bool{main.Name: true}
	if exit != nil {
		used[exit.Name] = true
	}
	for _, dag := range []*wfv1.Template{&main, exit} {
		if dag == nil {
			continue
		}
		if !checkDAG(dag.DAG.Tasks) {
			return false
		}
		for _, task := range dag.DAG.Tasks {
			for _, name := range closure(spec, tmpls, task.Template) {
				used[name] = true
			}
		}
	}
	if len(used) != len(spec.Templates) {
		return false
	}
	for _, t := range spec.Templates {
		if !used[t.Name] {
			return false
		}
	}

	tasks := main.DAG.Tasks
	index := make(map[string]int, len(tasks))
	for i, task := range tasks {
		index[task.Name] = i
	}
	for start := 0; start < len(tasks); start += size {
		end := min(start+size, len(tasks))
		var chunk []wfv1.DAGTask
		stubbed := map[int]bool{}
		for _, task := range tasks[start:end] {
			for _, dep := range dependsNames(task.Depends) {
				if i, ok := index[dep]; ok && (i < start || i >= end) && !stubbed[i] {
					stubbed[i] = true
					chunk = append(chunk, stubTask(tasks[i]))
				}
			}
		}
		chunk = append(chunk, tasks[start:end]...)

		cs := *spec
		m := main
		m.DAG = &wfv1.DAGTemplate{}
		*m.DAG = *main.DAG
		m.DAG.Tasks = chunk
		cs.Templates = []wfv1.Template{m}
		if exit != nil && start == 0 {
			cs.Templates = append(cs.Templates, *exit)
		} else {
			cs.OnExit = ""
		}
		seen := map[string]bool{}
		for _, dag := range cs.Templates[:len(cs.Templates):len(cs.Templates)] {
			for _, task := range dag.DAG.Tasks {
				for _, name := range closure(spec, tmpls, task.Template) {
					if !seen[name] {
						seen[name] = true
						cs.Templates = append(cs.Templates, spec.Templates[tmpls[name]])
					}
				}
			}
		}
		if validate(withSpec(obj, cs)) != nil {
			return false
		}
	}
	return true
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

// checkDAG reports whether task names are unique and the dependencies
// acyclic. Dependencies are read from depends expressions generously: any
// word that is a task name (an extra edge can only make this say no).
func checkDAG(tasks []wfv1.DAGTask) bool {
	index := make(map[string]int, len(tasks))
	for i, t := range tasks {
		// Argo rejects some of these only when another task of the DAG
		// uses depends: a chunk might not have it.
		if _, dup := index[t.Name]; dup || t.Name == "" || ('0' <= t.Name[0] && t.Name[0] <= '9') ||
			len(t.Dependencies) > 0 || t.ContinueOn != nil || t.Inline != nil || t.Hooks != nil || t.OnExit != "" {
			return false
		}
		index[t.Name] = i
	}
	// Kahn's algorithm.
	indegree := make([]int, len(tasks))
	users := make([][]int, len(tasks))
	for i, t := range tasks {
		for _, dep := range dependsNames(t.Depends) {
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
	return done == len(tasks)
}

// dependsNames returns the words of a depends expression before any '.':
// the task names, and possibly words that are not.
func dependsNames(depends string) []string {
	var names []string
	for _, loc := range dependsNameRE.FindAllStringIndex(depends, -1) {
		if loc[0] > 0 && depends[loc[0]-1] == '.' {
			continue // an outcome: x.Succeeded
		}
		names = append(names, depends[loc[0]:loc[1]])
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
