package compiler

import (
	"fmt"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/dsl"
)

// The workflow-level tier of pipec's retry design (docs/retries.md).
//
// The effective run id R is retry_run_id if given, else run_id if given,
// else the workflow's own UID. A parameter's value is copied literally by
// Argo, so a "{{workflow.uid}}" default would never resolve: the fallback is
// an expression evaluated by the controller in each template instead.
//
// A run id given at submit time as "{{workflow.uid}}" or
// "{{workflow.name}}" (argo submit -p run_id='{{workflow.uid}}') is
// expanded by Argo in the parameter, but the first step to run still sees
// the literal text: without care the first step and the later ones would
// use different caches. The expression therefore replaces those two texts
// (wherever they occur in the run id) by their values itself, so every
// step agrees. ("{{" and "}}" cannot appear inside an expression, which
// they would end: the literals are built from pieces.)
const runIDRaw = "(workflow.parameters." + ParamRetryRunID + " != '' ? workflow.parameters." + ParamRetryRunID +
	" : (workflow.parameters." + ParamRunID + " != '' ? workflow.parameters." + ParamRunID + " : workflow.uid))"

const runIDExpr = "sprig.replace('{'+'{workflow.name}'+'}', workflow.name, sprig.replace('{'+'{workflow.uid}'+'}', workflow.uid, " + runIDRaw + "))"

// ExpandedRunIDTexts are the Argo variables a run id may contain and that
// pipec's expressions expand themselves.
var ExpandedRunIDTexts = []string{"{{workflow.uid}}", "{{workflow.name}}"}

// RunIDTemplate is the Argo template text that resolves to R.
const RunIDTemplate = "{{=" + runIDExpr + "}}"

// retryParameters are the three parameters every compiled workflow has.
func retryParameters(values map[string]string) []wfv1.Parameter {
	param := func(name, desc string) wfv1.Parameter {
		v := values[name]
		return wfv1.Parameter{Name: name, Value: wfv1.AnyStringPtr(v), Description: wfv1.AnyStringPtr(desc)}
	}
	return []wfv1.Parameter{
		param(ParamRunID, "Identity of this run for memoization; empty means the workflow's UID. Submit again with the same run_id to reuse the steps that succeeded."),
		param(ParamRetryRunID, "When resuming, the run_id of the run to resume; it takes precedence over run_id."),
		param(ParamRetryIndicator, "Free-form retry marker (for example the attempt number), passed to every container as RETRY_INDICATOR."),
	}
}

// addRetryWiring gives a leaf template the RETRY_* environment variables
// and, when the step is memoized, its memoize block. It runs last, so the
// definition hash covers everything else in the template.
func addRetryWiring(t *wfv1.Template, st *Step) {
	if st.Memoize {
		t.Memoize = memoize(t, st)
	}
	env := []apiv1.EnvVar{
		{Name: EnvRetryRunID, Value: RunIDTemplate},
		{Name: EnvRetryIndicator, Value: "{{workflow.parameters." + ParamRetryIndicator + "}}"},
	}
	if t.Script != nil {
		t.Script.Env = append(t.Script.Env, env...)
	} else if t.Container != nil {
		t.Container.Env = append(t.Container.Env, env...)
	}
}

// memoize builds the memo block of a step. The key is unique per step
// instance and valid for Argo's key rules (^[a-zA-Z0-9][-a-zA-Z0-9]*$, at
// most 253 characters):
//
//	<step>-<definition hash>-<first 20 hex of sha256(json([R, inputs...]))>
//
// The definition hash covers the step's template and its memoContext
// (memo_context.go). The cache ConfigMap is per pipeline, namespace and run,
// so one ConfigMap holds at most one run's entries and never grows with the
// number of runs.
func memoize(t *wfv1.Template, st *Step) *wfv1.Memoize {
	parts := []string{runIDExpr}
	for _, in := range t.Inputs.Parameters {
		parts = append(parts, "inputs.parameters['"+in.Name+"']")
	}
	key := fmt.Sprintf("%s-%s%s%s])))}}",
		st.ArgoName, memoDefinitionHash(st.Pipeline, t), memoKeyHashPrefix, strings.Join(parts, ", "))
	return &wfv1.Memoize{
		Key:    key,
		MaxAge: st.MaxAge,
		Cache: &wfv1.Cache{ConfigMap: &apiv1.ConfigMapKeySelector{
			LocalObjectReference: apiv1.LocalObjectReference{Name: CacheConfigMapTemplate(st.Pipeline.Name)},
			Key:                  "memo",
		}},
	}
}

// memoKeyHashPrefix starts the expression part of a memo key.
const memoKeyHashPrefix = "-{{=sprig.substr(0, 20, sprig.sha256sum(toJson(["

// CacheConfigMapTemplate is the name of a pipeline's cache ConfigMap for one
// run, as an Argo template. Argo keeps every cache in the controller's
// namespace and looks entries up by key alone, so the name carries the
// pipeline's name and a hash of the workflow's namespace and the run id:
// pipelines of the same name in two namespaces never share entries, even
// under the same run id.
func CacheConfigMapTemplate(pipeline string) string {
	return "pipec-memo-" + pipeline + "-{{=sprig.substr(0, 12, sprig.sha256sum(workflow.namespace + '/' + " + runIDExpr + "))}}"
}

func dslSubstitute(value string, repl func(string) string) string { return dsl.Substitute(value, repl) }
