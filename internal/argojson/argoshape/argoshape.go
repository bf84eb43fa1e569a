// Package argoshape holds the types pipec marshals besides Argo's own: the
// Argo v4 shapes of Argo v3.7's objects (see compiler/target.go), the
// head of a workflow rendered in parts (compiler/emit.go) and what a
// step's memo key covers beyond its template (compiler/memo_context.go). They live here,
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

// MemoContext is compiler/memo_context.go's memoContext: what a step's
// memo key covers beyond its own template (see there).
type MemoContext struct {
	// ServiceAccount is the pods' service account (their permissions and
	// token).
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// NodeSelector and Tolerations of the pipeline choose the nodes (and
	// so the architecture, GPUs, ...) of every pod.
	NodeSelector map[string]string  `json:"nodeSelector,omitempty"`
	Tolerations  []apiv1.Toleration `json:"tolerations,omitempty"`
	// Volumes are the sources (ConfigMap, Secret, PVC, ... and their items)
	// of the volumes the step mounts, by name: what the step reads there.
	Volumes []MemoVolume `json:"volumes,omitempty"`
	// Raw holds the pipeline's raw fragments, merged into the workflow
	// spec (podSpecPatch, securityContext, hostAliases, volumes, ...).
	Raw []string `json:"raw,omitempty"`
}

// MemoVolume is the source of a volume a step mounts, by name.
type MemoVolume struct {
	Name         string             `json:"name"`
	Source       apiv1.VolumeSource `json:"source"`
	ClaimSize    string             `json:"claimSize,omitempty"`
	AccessModes  []string           `json:"accessModes,omitempty"`
	StorageClass string             `json:"storageClass,omitempty"`
}

// Empty reports whether mc marshals as {} (every field is omitempty).
func (mc *MemoContext) Empty() bool {
	return mc.ServiceAccount == "" && len(mc.NodeSelector) == 0 && len(mc.Tolerations) == 0 && len(mc.Volumes) == 0 && len(mc.Raw) == 0
}
