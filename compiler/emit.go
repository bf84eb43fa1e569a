package compiler

import (
	"encoding/json"
	"runtime"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/internal/yamlenc"
)

// emitOptions are the pruning rules of pipec's YAML: no
// creationTimestamp: null, status: {}, nulls, empty maps or lists, except
// a volume's "emptyDir: {}", which is its source.
var emitOptions = yamlenc.Options{Prune: true, KeepEmpty: []string{"emptyDir"}}

// emitParallelTemplates is the number of templates from which Emit
// marshals them in parts, on several cores.
var emitParallelTemplates = 200

// Emit renders an object as YAML: deterministic (keys sorted, same input
// gives the same bytes), without the empty noise Go structs carry
// (creationTimestamp: null, status: {}, empty maps). encoding/json
// marshals the object; internal/yamlenc turns the JSON into YAML.
func Emit(obj *Object) ([]byte, error) {
	b, err := marshalObject(obj)
	if err != nil {
		return nil, err
	}
	return yamlenc.FromJSON(make([]byte, 0, len(b)), b, emitOptions)
}

// marshalObject is json.Marshal(obj.Value()), with the templates of a large
// Workflow or WorkflowTemplate marshalled in parts concurrently: they are
// nearly all of it. The JSON differs from json.Marshal's only in the order
// of keys, which the YAML sorts.
func marshalObject(obj *Object) ([]byte, error) {
	workers := runtime.GOMAXPROCS(0)
	spec := obj.Spec()
	var meta *metav1.ObjectMeta
	var kind, apiVersion string
	switch {
	case obj.Workflow != nil:
		meta, kind, apiVersion = &obj.Workflow.ObjectMeta, obj.Workflow.Kind, obj.Workflow.APIVersion
	case obj.WorkflowTemplate != nil:
		meta, kind, apiVersion = &obj.WorkflowTemplate.ObjectMeta, obj.WorkflowTemplate.Kind, obj.WorkflowTemplate.APIVersion
	}
	if meta == nil || workers < 2 || len(spec.Templates) < emitParallelTemplates {
		return json.Marshal(obj.Value())
	}
	tmpls := spec.Templates
	parts := make([][]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		lo, hi := i*len(tmpls)/workers, (i+1)*len(tmpls)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], errs[i] = json.Marshal(tmpls[lo:hi])
		}()
	}
	rest := *spec
	rest.Templates = nil
	restJSON, err := json.Marshal(&rest)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	head, err := json.Marshal(struct {
		Kind       string             `json:"kind,omitempty"`
		APIVersion string             `json:"apiVersion,omitempty"`
		Metadata   *metav1.ObjectMeta `json:"metadata"`
	}{kind, apiVersion, meta})
	if err != nil {
		return nil, err
	}
	// {<head>,"spec":{"templates":[part,part,...],<the rest of the spec>}}
	size := len(head) + len(restJSON) + 32
	for _, p := range parts {
		size += len(p)
	}
	out := make([]byte, 0, size)
	out = append(out, head[:len(head)-1]...)
	out = append(out, `,"spec":{"templates":[`...)
	first := true
	for _, p := range parts {
		p = p[1 : len(p)-1] // without [ ]
		if len(p) == 0 {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		out = append(out, p...)
		first = false
	}
	out = append(out, ']')
	if len(restJSON) > 2 {
		out = append(out, ',')
		out = append(out, restJSON[1:]...)
	} else {
		out = append(out, '}')
	}
	return append(out, '}'), nil
}
