// Package argoshape holds the types pipec marshals besides Argo's own: the
// Argo v4 shapes of Argo v3.7's objects (see compiler/target.go) and the
// head of a workflow rendered in parts (compiler/emit.go). They live here,
// not in the compiler, so that internal/argojson's generator can write
// their encoders.
package argoshape

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The Argo v4 shapes: each wraps the v3 type and shadows the field that
// leads to memoize.cache.configMap (encoding/json prefers the shallower of
// two fields with one name), so everything else is marshalled as it is.
type (
	WorkflowV4 struct {
		*wfv1.Workflow
		Spec SpecV4 `json:"spec"`
	}
	WorkflowTemplateV4 struct {
		*wfv1.WorkflowTemplate
		Spec SpecV4 `json:"spec"`
	}
	ClusterWorkflowTemplateV4 struct {
		*wfv1.ClusterWorkflowTemplate
		Spec SpecV4 `json:"spec"`
	}
	CronWorkflowV4 struct {
		*wfv1.CronWorkflow
		Spec CronSpecV4 `json:"spec"`
	}
	CronSpecV4 struct {
		*wfv1.CronWorkflowSpec
		WorkflowSpec SpecV4 `json:"workflowSpec"`
	}
	SpecV4 struct {
		*wfv1.WorkflowSpec
		Templates []TemplateV4 `json:"templates,omitempty"`
	}
	TemplateV4 struct {
		*wfv1.Template
		Memoize *MemoizeV4 `json:"memoize,omitempty"`
	}
	// MemoizeV4 is v4's Memoize: its cache's configMap has a name only.
	MemoizeV4 struct {
		Key   string `json:"key"`
		Cache *struct {
			ConfigMap *apiv1.LocalObjectReference `json:"configMap"`
		} `json:"cache"`
		MaxAge string `json:"maxAge"`
	}
)

// Head is a Workflow, WorkflowTemplate or ClusterWorkflowTemplate as
// encoding/json marshals it, from its parts (status left out).
type Head struct {
	Kind       string             `json:"kind,omitempty"`
	APIVersion string             `json:"apiVersion,omitempty"`
	Metadata   *metav1.ObjectMeta `json:"metadata"`
	Spec       *wfv1.WorkflowSpec `json:"spec"`
}
