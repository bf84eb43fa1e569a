package compiler

import (
	"fmt"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/internal/argojson/argoshape"
)

// A Target is a version of Argo Workflows that pipec compiles for
// (pipec build --argo). Everything that differs between the versions pipec
// supports is a field of Target, and this file is the only place that
// looks at them: the compiler lowers to Argo v3.7's Go types, and the
// target adjusts what is emitted.
//
// Only one difference matters to pipec's output today: the type of
// memoize.cache.configMap. Argo v3.7 has a ConfigMapKeySelector there,
// whose `key` its full CRD schema and JSON schema require (the controller
// ignores it); Argo v4 made it a LocalObjectReference (`name` only), and
// its strict decoding (`argo submit`, `argo lint`) rejects `key` as an
// unknown field. No one document satisfies both.
type Target struct {
	name    string // as --argo takes it: "3.7", "4"
	release string // the release pipec is tested against, e.g. v3.7.18
	// memoCacheKey: memoize.cache.configMap has (and needs) `key`.
	memoCacheKey bool
}

// The targets pipec supports, oldest first.
var (
	Argo37 = Target{name: "3.7", release: "v3.7.18", memoCacheKey: true}
	Argo4  = Target{name: "4", release: "v4.0.5"}
)

// Targets lists every supported target, oldest first.
var Targets = []Target{Argo37, Argo4}

// DefaultTarget is the newest target.
var DefaultTarget = Argo4

// Name is the target as --argo takes it ("3.7", "4").
func (t Target) Name() string { return t.or().name }

// Release is the Argo release the target is tested against ("v4.0.5").
func (t Target) Release() string { return t.or().release }

func (t Target) String() string { return "Argo " + t.Name() }

// or returns t, or DefaultTarget for the zero Target.
func (t Target) or() Target {
	if t.name == "" {
		return DefaultTarget
	}
	return t
}

// ParseTarget reads an Argo version as --argo takes it: a target's name
// ("3.7", "4"), optionally with a leading "v" and further version parts
// of the same release line ("v3.7.18", "4.0", "4.0.5").
func ParseTarget(s string) (Target, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "v")
	for _, t := range Targets {
		if v == t.name || strings.HasPrefix(v, t.name+".") {
			return t, nil
		}
	}
	names := make([]string, len(Targets))
	for i, t := range Targets {
		names[i] = fmt.Sprintf("%s (Argo %s)", t.name, t.release)
	}
	return Target{}, fmt.Errorf("unknown Argo version %q: pipec compiles for %s", s, strings.Join(names, " or "))
}

// TargetNames lists the names --argo takes, for help texts: "3.7|4".
func TargetNames() string {
	names := make([]string, len(Targets))
	for i, t := range Targets {
		names[i] = t.name
	}
	return strings.Join(names, "|")
}

// value returns what encoding/json marshals for an object on this target:
// the object, or its Argo v4 shape (internal/argojson/argoshape), whose
// wrappers shadow the field that leads to memoize.cache.configMap.
func (t Target) value(o *Object) any {
	if t.or().memoCacheKey {
		return o.Value()
	}
	switch {
	case o.Workflow != nil:
		return &argoshape.WorkflowV4{Workflow: o.Workflow, Spec: specV4Of(&o.Workflow.Spec)}
	case o.WorkflowTemplate != nil:
		return &argoshape.WorkflowTemplateV4{WorkflowTemplate: o.WorkflowTemplate, Spec: specV4Of(&o.WorkflowTemplate.Spec)}
	case o.ClusterWorkflowTemplate != nil:
		return &argoshape.ClusterWorkflowTemplateV4{ClusterWorkflowTemplate: o.ClusterWorkflowTemplate, Spec: specV4Of(&o.ClusterWorkflowTemplate.Spec)}
	default:
		return &argoshape.CronWorkflowV4{CronWorkflow: o.CronWorkflow,
			Spec: argoshape.CronSpecV4{CronWorkflowSpec: &o.CronWorkflow.Spec, WorkflowSpec: specV4Of(&o.CronWorkflow.Spec.WorkflowSpec)}}
	}
}

// templates returns what encoding/json marshals for a list of templates on
// this target.
func (t Target) templates(tmpls []wfv1.Template) any {
	if t.or().memoCacheKey {
		return tmpls
	}
	return templatesV4(tmpls)
}

func specV4Of(s *wfv1.WorkflowSpec) argoshape.SpecV4 {
	return argoshape.SpecV4{WorkflowSpec: s, Templates: templatesV4(s.Templates)}
}

func templatesV4(tmpls []wfv1.Template) []argoshape.TemplateV4 {
	if tmpls == nil {
		return nil
	}
	out := make([]argoshape.TemplateV4, len(tmpls))
	for i := range tmpls {
		t := &tmpls[i]
		out[i].Template = t
		if m := t.Memoize; m != nil {
			mv := &argoshape.MemoizeV4{Key: m.Key, MaxAge: m.MaxAge}
			if m.Cache != nil {
				mv.Cache = &struct {
					ConfigMap *apiv1.LocalObjectReference `json:"configMap"`
				}{}
				if m.Cache.ConfigMap != nil {
					mv.Cache.ConfigMap = &m.Cache.ConfigMap.LocalObjectReference
				}
			}
			out[i].Memoize = mv
		}
	}
	return out
}
