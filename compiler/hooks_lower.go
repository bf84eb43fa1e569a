// Lifecycle hooks, lowered: a step's hooks become its task's `hooks`, the
// workflow's `spec.hooks`; each hook runs the template of its own step.

package compiler

import wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

// hook lowers a hook step: the lifecycle hook that calls its template (or
// the WorkflowTemplate's, or the composite's), and the templates it needs.
func (l *lowerer) hook(h *Step) (wfv1.LifecycleHook, []wfv1.Template) {
	task, tmpls := l.step(h)
	return wfv1.LifecycleHook{Template: task.Template, TemplateRef: task.TemplateRef, Arguments: task.Arguments, Expression: h.HookExpr}, tmpls
}

// hooks lowers the hooks of a step or of the workflow.
func (l *lowerer) hooks(hooks []*Step) (wfv1.LifecycleHooks, []wfv1.Template) {
	if len(hooks) == 0 {
		return nil, nil
	}
	out := wfv1.LifecycleHooks{}
	var tmpls []wfv1.Template
	for _, h := range hooks {
		lh, ts := l.hook(h)
		out[wfv1.LifecycleEvent(h.Handler)] = lh
		tmpls = append(tmpls, ts...)
	}
	return out, tmpls
}
