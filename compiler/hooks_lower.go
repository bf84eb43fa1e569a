// Lifecycle hooks, lowered: a step's hooks become its task's `hooks`, the
// workflow's `spec.hooks`; each hook runs the template of its own step.

package compiler

import wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

// hookInto lowers a hook step: the lifecycle hook that calls its template
// (or the WorkflowTemplate's, or the composite's), with the templates it
// needs built in dst (templateCount of them).
func (l *lowerer) hookInto(h *Step, dst []wfv1.Template) wfv1.LifecycleHook {
	task := l.stepInto(h, dst)
	return wfv1.LifecycleHook{Template: task.Template, TemplateRef: task.TemplateRef, Arguments: task.Arguments, Expression: h.HookExpr}
}

// hooks lowers the hooks of a step or of the workflow, with their
// templates.
func (l *lowerer) hooks(hooks []*Step) (wfv1.LifecycleHooks, []wfv1.Template) {
	_, n := templateCounts(hooks)
	tmpls := make([]wfv1.Template, n)
	return l.hooksInto(hooks, tmpls), tmpls
}

// hooksInto lowers hooks with their templates built in dst, one hook's
// after another's (templateCount of each).
func (l *lowerer) hooksInto(hooks []*Step, dst []wfv1.Template) wfv1.LifecycleHooks {
	if len(hooks) == 0 {
		return nil
	}
	out := wfv1.LifecycleHooks{}
	off := 0
	for _, h := range hooks {
		n := templateCount(h)
		out[wfv1.LifecycleEvent(h.Handler)] = l.hookInto(h, dst[off:off+n:off+n])
		off += n
	}
	return out
}
