// Stages, lowered: the stages of a pipeline, of a composite or of the exit
// handlers become one Argo steps template, a list of step groups run one
// after another, each group's steps in parallel. Each step is lowered as a
// DAG step is (its templates, memo key, retry wrapper, loop, condition),
// and its DAG task becomes a WorkflowStep.

package compiler

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// stagesTemplate lowers stages to the steps template name and the
// templates of their steps. failure wraps the when of the steps of the
// stages that are failure handlers.
func (l *lowerer) stagesTemplate(name string, stages []*Stage) (wfv1.Template, []wfv1.Template) {
	t := wfv1.Template{Name: name, Steps: []wfv1.ParallelSteps{}}
	var leaves []wfv1.Template
	for _, stg := range stages {
		group := wfv1.ParallelSteps{}
		for i, low := range l.steps(stg.Steps) {
			st := stg.Steps[i]
			if st.Handler == "failure" {
				low.task.When = failureWhen(low.task.When)
			}
			ws := workflowStep(low.task)
			ws.ContinueOn = st.ContinueOn
			group.Steps = append(group.Steps, ws)
			leaves = append(leaves, low.templates...)
		}
		t.Steps = append(t.Steps, group)
	}
	return t, leaves
}

// workflowStep is a DAG task as a step of a steps template: the same
// fields but the dependencies, which the order of the groups replaces.
func workflowStep(task wfv1.DAGTask) wfv1.WorkflowStep {
	return wfv1.WorkflowStep{
		Name:         task.Name,
		Template:     task.Template,
		Inline:       task.Inline,
		Arguments:    task.Arguments,
		TemplateRef:  task.TemplateRef,
		WithItems:    task.WithItems,
		WithParam:    task.WithParam,
		WithSequence: task.WithSequence,
		When:         task.When,
		ContinueOn:   task.ContinueOn,
		OnExit:       task.OnExit,
		Hooks:        task.Hooks,
	}
}

// failureWhen is the condition of a failure handler: the workflow did not
// succeed, and the handler's own when, if any, holds.
func failureWhen(when string) string {
	cond := "{{workflow.status}} != Succeeded"
	if when != "" {
		cond = "(" + cond + ") && (" + when + ")"
	}
	return cond
}
