package compiler

import (
	"bytes"
	"encoding/json"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/internal/workpool"
	"github.com/pipec/pipec/internal/yamlenc"
)

// EmitOptions are the pruning rules of pipec's YAML: no
// creationTimestamp: null, status: {}, nulls, or empty objects and lists
// that are the zero value of a Go struct field, but every empty object or
// list a construct set (see keepEmpty).
func EmitOptions() yamlenc.Options {
	return yamlenc.Options{Prune: true, KeepEmpty: keepEmpty()}
}

// emitParallelTemplates is the number of templates from which Emit
// renders them in parts.
var emitParallelTemplates = 200

// emitPartTemplates is the number of templates in one part.
var emitPartTemplates = 64

// Emit renders an object as YAML for its Target: deterministic (keys sorted, same input
// gives the same bytes), without the empty noise Go structs carry
// (creationTimestamp: null, status: {}, empty maps). encoding/json
// marshals the object; internal/yamlenc turns the JSON into YAML.
func Emit(obj *Object) ([]byte, error) {
	if y, ok := emitInParts(obj); ok {
		return y, nil
	}
	b, err := json.Marshal(obj.EmitValue())
	if err != nil {
		return nil, err
	}
	return yamlenc.FromJSON(make([]byte, 0, len(b)), b, EmitOptions())
}

// emitInParts renders a large Workflow or WorkflowTemplate in parts: its
// templates, nearly all of it, are cut into parts of emitPartTemplates,
// and a worker per core marshals each part to JSON and writes it as YAML
// on its own, so that only the parts' JSON and yamlenc's nodes for them
// are in memory at a time, not the whole document's. The object with one
// stand-in template in place of them is rendered as usual, and the
// templates' YAML replaces the stand-in's: the result is byte for byte the
// YAML of the whole object (TestEmitInParts). ok is false for other
// objects, or if anything fails; Emit then renders the object at once,
// which reports any error.
func emitInParts(obj *Object) (y []byte, ok bool) {
	spec := obj.Spec()
	var meta *metav1.ObjectMeta
	var kind, apiVersion string
	switch {
	case obj.Workflow != nil:
		meta, kind, apiVersion = &obj.Workflow.ObjectMeta, obj.Workflow.Kind, obj.Workflow.APIVersion
	case obj.WorkflowTemplate != nil:
		meta, kind, apiVersion = &obj.WorkflowTemplate.ObjectMeta, obj.WorkflowTemplate.Kind, obj.WorkflowTemplate.APIVersion
	case obj.ClusterWorkflowTemplate != nil:
		meta, kind, apiVersion = &obj.ClusterWorkflowTemplate.ObjectMeta, obj.ClusterWorkflowTemplate.Kind, obj.ClusterWorkflowTemplate.APIVersion
	}
	if meta == nil || len(spec.Templates) < emitParallelTemplates {
		return nil, false
	}
	tmpls := spec.Templates
	parts := make([][]byte, (len(tmpls)+emitPartTemplates-1)/emitPartTemplates)
	renderPart := func(i int) bool {
		j, err := json.Marshal(obj.Target.templates(tmpls[i*emitPartTemplates : min((i+1)*emitPartTemplates, len(tmpls))]))
		if err != nil {
			return false
		}
		// The templates are the items of spec's "templates", at the
		// indentation of spec's members.
		parts[i], err = yamlenc.SequenceFromJSON(nil, j, 2, EmitOptions())
		return err == nil
	}
	// The object with one stand-in template, whose YAML says where the
	// templates go.
	var headYAML []byte
	renderHead := func() bool {
		rest := *spec
		rest.Templates = []wfv1.Template{{Name: emitStandIn}}
		head, err := json.Marshal(struct {
			Kind       string             `json:"kind,omitempty"`
			APIVersion string             `json:"apiVersion,omitempty"`
			Metadata   *metav1.ObjectMeta `json:"metadata"`
			Spec       *wfv1.WorkflowSpec `json:"spec"`
		}{kind, apiVersion, meta, &rest})
		if err != nil {
			return false
		}
		headYAML, err = yamlenc.FromJSON(nil, head, EmitOptions())
		return err == nil
	}
	if !workpool.Run(len(parts), renderHead, renderPart) {
		return nil, false
	}
	// Spec's members are at indentation 2 (as are metadata's, none of
	// which is "templates"); the stand-in must be found exactly once.
	standIn := []byte("\n  templates:\n  - name: " + emitStandIn + "\n")
	at := bytes.Index(headYAML, standIn)
	if at < 0 || bytes.Count(headYAML, standIn) != 1 {
		return nil, false
	}
	at++ // after the newline
	size := len(headYAML) - (len(standIn) - 1) + len("  templates:\n")
	for _, p := range parts {
		size += len(p)
	}
	y = make([]byte, 0, size)
	y = append(y, headYAML[:at]...)
	y = append(y, "  templates:\n"...)
	for _, p := range parts {
		y = append(y, p...)
	}
	return append(y, headYAML[at+len(standIn)-1:]...), true
}

// emitStandIn names the template that stands in for the templates in the
// YAML of a workflow rendered in parts.
const emitStandIn = "pipec-emit-stand-in"
