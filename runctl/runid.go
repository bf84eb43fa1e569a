package runctl

import (
	"fmt"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/compiler"
)

// param returns a workflow argument's value ("" when absent).
func param(wf *wfv1.Workflow, name string) string {
	for _, p := range wf.Spec.Arguments.Parameters {
		if p.Name == name && p.Value != nil {
			return p.Value.String()
		}
	}
	return ""
}

// EffectiveRunID is the run id a workflow's steps memoize on
// (docs/retries.md): retry_run_id if set, else run_id if set, else the
// workflow's UID.
//
// The Argo variables compiler.ExpandedRunIDTexts a run id may contain are
// expanded as pipec's expressions expand them in the controller, so that a
// resume of a run submitted with run_id={{workflow.uid}} carries the old
// workflow's UID, not the new one's.
func EffectiveRunID(wf *wfv1.Workflow) string {
	v := param(wf, compiler.ParamRetryRunID)
	if v == "" {
		v = param(wf, compiler.ParamRunID)
	}
	if v == "" {
		return string(wf.UID)
	}
	return strings.NewReplacer("{{workflow.uid}}", string(wf.UID), "{{workflow.name}}", wf.Name).Replace(v)
}

// IsPipec reports whether pipec compiled the workflow (it carries
// compiler.LabelPipeline; Argo copies it onto resubmitted workflows).
func IsPipec(wf *wfv1.Workflow) bool {
	_, ok := wf.Labels[compiler.LabelPipeline]
	return ok
}

// CheckRunID rejects run ids that would split a run's cache: Argo expands
// {{...}} in a submitted parameter, but the first step's cache name is
// computed from the literal text, so the first step and later ones would use
// different caches without any message.
// {{workflow.uid}} and {{workflow.name}} are allowed: pipec's expressions
// expand them themselves (compiler.ExpandedRunIDTexts).
func CheckRunID(id string) error {
	rest := id
	for _, s := range compiler.ExpandedRunIDTexts {
		rest = strings.ReplaceAll(rest, s, "")
	}
	if strings.Contains(rest, "{{") {
		return fmt.Errorf("run id %q has Argo template text pipec cannot expand: Argo would expand it for some steps and not others, splitting the run's cache\n\thint: give a literal id, {{workflow.uid}} or {{workflow.name}}, or none: the workflow's UID is then the run id", id)
	}
	return nil
}

// NextIndicator is the retry_indicator of the attempt after one whose
// indicator was prev: an empty one was the first attempt (1), so the next is 2.
func NextIndicator(prev string) (string, error) {
	if prev == "" {
		return "2", nil
	}
	n, err := strconv.Atoi(prev)
	if err != nil || n < 0 {
		return "", fmt.Errorf("its retry_indicator %q is not a number, so pipec cannot count on from it\n\thint: give the next one with --retry-indicator", prev)
	}
	return strconv.Itoa(n + 1), nil
}
