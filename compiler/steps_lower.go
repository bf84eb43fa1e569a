// Steps, lowered: each Step becomes a DAG task and its templates.

package compiler

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/internal/workpool"
)

// lowered is a step lowered: its DAG task and its templates.
type lowered struct {
	task      wfv1.DAGTask
	templates []wfv1.Template
}

// steps lowers steps, in order, each with its templates (a slice of one
// array for all of them).
func (l *lowerer) steps(steps []*Step) []lowered {
	counts, n := templateCounts(steps)
	flat := make([]wfv1.Template, n)
	tasks := l.stepsInto(steps, counts, flat)
	out := make([]lowered, len(steps))
	off := 0
	for i, task := range tasks {
		out[i] = lowered{task: task, templates: flat[off : off+counts[i] : off+counts[i]]}
		off += counts[i]
	}
	return out
}

// templateCounts is templateCount of each step, and their sum.
func templateCounts(steps []*Step) ([]int, int) {
	counts := make([]int, len(steps))
	n := 0
	for i, st := range steps {
		counts[i] = templateCount(st)
		n += counts[i]
	}
	return counts, n
}

// stepsInto lowers steps, in order, to their DAG tasks, with the templates
// of step i built in place in dst, after those of the steps before it
// (counts[i] of them, templateCounts). Steps are lowered independently of
// each other, so many are lowered in parts by a worker per core, each part
// with a lowerer of its own whose diagnostics are then added to l's in
// order.
func (l *lowerer) stepsInto(steps []*Step, counts []int, dst []wfv1.Template) []wfv1.DAGTask {
	tasks := make([]wfv1.DAGTask, len(steps))
	offsets := make([]int, len(steps)+1)
	for i, c := range counts {
		offsets[i+1] = offsets[i] + c
	}
	lowerOne := func(part *lowerer, i int) {
		tasks[i] = part.stepInto(steps[i], dst[offsets[i]:offsets[i+1]:offsets[i+1]])
	}
	if len(steps) < lowerParallelSteps {
		for i := range steps {
			lowerOne(l, i)
		}
		return tasks
	}
	parts := make([]*lowerer, (len(steps)+lowerPartSteps-1)/lowerPartSteps)
	workpool.Run(len(parts), nil, func(p int) bool {
		part := &lowerer{p: l.p, params: l.params}
		for i := p * lowerPartSteps; i < min((p+1)*lowerPartSteps, len(steps)); i++ {
			lowerOne(part, i)
		}
		parts[p] = part
		return true
	})
	for _, part := range parts {
		l.diags = append(l.diags, part.diags...)
	}
	return tasks
}

// templateCount is the number of templates a step is lowered to: its own
// (none for a composite's call or a templateRef, else its leaf and, if
// any, its retry wrapper: stepTask) and its hooks'.
func templateCount(st *Step) int {
	n := ownTemplates(st)
	for _, h := range st.Hooks {
		n += templateCount(h)
	}
	return n
}

// ownTemplates is the number of templates stepTask builds for a step.
func ownTemplates(st *Step) int {
	switch {
	case st.Composite != nil, st.TemplateRef != nil:
		return 0
	case st.RetryWrapped():
		return 2
	}
	return 1
}

// step lowers a step to its DAG task, with its hooks, and, unless it uses a
// templateRef, its own leaf template (then its hooks' templates).
func (l *lowerer) step(st *Step) (wfv1.DAGTask, []wfv1.Template) {
	tmpls := make([]wfv1.Template, templateCount(st))
	return l.stepInto(st, tmpls), tmpls
}

// stepInto is step with the templates built in dst, which has
// templateCount(st) of them.
func (l *lowerer) stepInto(st *Step, dst []wfv1.Template) wfv1.DAGTask {
	own := ownTemplates(st)
	task := l.stepTask(st, dst[:own:own])
	task.Hooks = l.hooksInto(st.Hooks, dst[own:])
	return task
}

// stepTask lowers a step to its DAG task, with its own templates built in
// tmpls (ownTemplates of them): the retry wrapper, if any, then the leaf.
func (l *lowerer) stepTask(st *Step, tmpls []wfv1.Template) wfv1.DAGTask {
	task := wfv1.DAGTask{Name: st.ArgoName, Depends: dependsExpr(st)}
	if st.When != nil {
		task.When = l.taskText(st.When)
	}
	if lp := st.Loop; lp != nil {
		switch {
		case lp.Items != nil:
			task.WithItems = loopItems(lp.Items)
		case lp.Param != nil:
			task.WithParam = l.taskText(lp.Param)
		case lp.Seq != nil:
			task.WithSequence = l.lowerSequence(lp.Seq)
		}
	}
	if st.Composite != nil {
		return l.compositeTask(st, task)
	}
	if ref := st.TemplateRef; ref != nil {
		task.TemplateRef = &wfv1.TemplateRef{Name: ref.WorkflowTemplate, Template: ref.Template, ClusterScope: ref.Cluster}
		for _, a := range ref.Args {
			task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: a.Name, Value: anyString(l.taskText(a.Value))})
		}
		return task
	}
	tmpl := &tmpls[len(tmpls)-1]
	inputs := l.leaf(st, tmpl)
	if len(inputs) > 0 {
		task.Arguments.Parameters = make([]wfv1.Parameter, len(inputs))
		values := make([]wfv1.AnyString, len(inputs))
		for i, in := range inputs {
			values[i] = wfv1.AnyString(in.value)
			task.Arguments.Parameters[i] = wfv1.Parameter{Name: in.name, Value: &values[i]}
		}
	}
	task.Arguments.Artifacts = taskArtifacts(st)
	if st.RetryWrapped() {
		tmpls[0] = retryWrapper(st, tmpl, l.retryStrategyOf(st, st.Retry))
	}
	task.Template = tmpls[0].Name
	return task
}
