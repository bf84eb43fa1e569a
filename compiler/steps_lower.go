// Steps, lowered: each Step becomes a DAG task and its templates.

package compiler

import (
	"encoding/json"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/internal/workpool"
)

// lowered is a step lowered: its DAG task and its templates.
type lowered struct {
	task      wfv1.DAGTask
	templates []wfv1.Template
}

// steps lowers steps, in order. Steps are lowered independently of each
// other, so many are lowered in parts by a worker per core, each part with
// a lowerer of its own whose diagnostics are then added to l's in order.
func (l *lowerer) steps(steps []*Step) []lowered {
	out := make([]lowered, len(steps))
	if len(steps) < lowerParallelSteps {
		for i, st := range steps {
			out[i].task, out[i].templates = l.step(st)
		}
		return out
	}
	parts := make([]*lowerer, (len(steps)+lowerPartSteps-1)/lowerPartSteps)
	workpool.Run(len(parts), nil, func(p int) bool {
		part := &lowerer{p: l.p, params: l.params}
		for i := p * lowerPartSteps; i < min((p+1)*lowerPartSteps, len(steps)); i++ {
			out[i].task, out[i].templates = part.step(steps[i])
		}
		parts[p] = part
		return true
	})
	for _, part := range parts {
		l.diags = append(l.diags, part.diags...)
	}
	return out
}

// step lowers a step to its DAG task, with its hooks, and, unless it uses a
// templateRef, its own leaf template (then its hooks' templates).
func (l *lowerer) step(st *Step) (wfv1.DAGTask, []wfv1.Template) {
	task, tmpls := l.stepTask(st)
	hooks, hookTmpls := l.hooks(st.Hooks)
	task.Hooks = hooks
	return task, append(tmpls, hookTmpls...)
}

// stepTask lowers a step to its DAG task and its own templates.
func (l *lowerer) stepTask(st *Step) (wfv1.DAGTask, []wfv1.Template) {
	task := wfv1.DAGTask{Name: st.ArgoName, Depends: dependsExpr(st)}
	if st.When != nil {
		task.When = l.taskText(st.When)
	}
	if lp := st.Loop; lp != nil {
		switch {
		case lp.Items != nil:
			for _, it := range lp.Items {
				b, _ := json.Marshal(it)
				var item wfv1.Item
				_ = json.Unmarshal(b, &item)
				task.WithItems = append(task.WithItems, item)
			}
		case lp.Param != nil:
			task.WithParam = l.taskText(lp.Param)
		case lp.Seq != nil:
			task.WithSequence = l.lowerSequence(lp.Seq)
		}
	}
	if st.Composite != nil {
		return l.compositeTask(st, task), nil
	}
	if ref := st.TemplateRef; ref != nil {
		task.TemplateRef = &wfv1.TemplateRef{Name: ref.WorkflowTemplate, Template: ref.Template, ClusterScope: ref.Cluster}
		for _, a := range ref.Args {
			task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: a.Name, Value: anyString(l.taskText(a.Value))})
		}
		return task, nil
	}
	// The step's templates: the retry wrapper, if any, then the leaf,
	// built in place.
	tmpls := make([]wfv1.Template, 1, 2)
	if st.RetryWrapped() {
		tmpls = tmpls[:2]
	}
	tmpl := &tmpls[len(tmpls)-1]
	inputs := l.leaf(st, tmpl)
	if len(inputs) > 0 {
		task.Arguments.Parameters = make([]wfv1.Parameter, 0, len(inputs))
	}
	for _, in := range inputs {
		task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: in.name, Value: anyString(in.value)})
	}
	task.Arguments.Artifacts = taskArtifacts(st)
	if st.RetryWrapped() {
		tmpls[0] = retryWrapper(st, tmpl)
	}
	task.Template = tmpls[0].Name
	return task, tmpls
}
