package compiler

import (
	"bytes"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/internal/argojson"
	"github.com/pipec/pipec/internal/argojson/argoshape"
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
// (creationTimestamp: null, status: {}, empty maps). internal/argojson
// marshals the object (encoding/json's bytes); internal/yamlenc turns the
// JSON into YAML.
func Emit(obj *Object) ([]byte, error) {
	if y, ok := emitInParts(obj); ok {
		return y, nil
	}
	b, err := argojson.Marshal(obj.EmitValue())
	if err != nil {
		return nil, err
	}
	return yamlenc.FromJSON(make([]byte, 0, len(b)), b, EmitOptions())
}

// emitInParts renders a large Workflow or WorkflowTemplate in parts (see
// emitParts), the parts at once, then joined into one slice: the result
// is byte for byte the YAML of the whole object (TestEmitInParts). ok is
// false for other objects, or if anything fails; Emit then renders the
// object at once, which reports any error.
func emitInParts(obj *Object) (y []byte, ok bool) {
	ep, ok := newEmitParts(obj)
	if !ok {
		return nil, false
	}
	parts := make([][]byte, ep.n)
	renderPart := func(i int) bool {
		var err error
		parts[i], err = ep.part(i, nil)
		return err == nil
	}
	if !workpool.Run(len(parts), ep.renderHead, renderPart) || ep.prefix == nil {
		return nil, false
	}
	size := len(ep.prefix) + len(ep.suffix)
	for _, p := range parts {
		size += len(p)
	}
	y = make([]byte, 0, size)
	y = append(y, ep.prefix...)
	for _, p := range parts {
		y = append(y, p...)
	}
	return append(y, ep.suffix...), true
}

// emitParts is a large Workflow or WorkflowTemplate cut for rendering in
// parts: its templates, nearly all of it, in parts of emitPartTemplates
// that a worker per core marshals to JSON and writes as YAML on its own,
// so that only the parts' JSON and yamlenc's nodes for them are in memory
// at a time, not the whole document's; and the object with one stand-in
// template in place of them (the head), rendered as usual, whose YAML
// before the stand-in (prefix) and after it (suffix) surround the parts'.
type emitParts struct {
	obj   *Object
	tmpls []wfv1.Template
	n     int // number of parts
	// Set by renderHead; prefix ends with spec's "templates:" line.
	prefix, suffix []byte
	meta           *metav1.ObjectMeta
	kind, version  string
}

// newEmitParts cuts obj for rendering in parts; ok is false for an object
// too small or of another kind.
func newEmitParts(obj *Object) (ep *emitParts, ok bool) {
	spec := obj.Spec()
	ep = &emitParts{obj: obj}
	switch {
	case obj.Workflow != nil:
		ep.meta, ep.kind, ep.version = &obj.Workflow.ObjectMeta, obj.Workflow.Kind, obj.Workflow.APIVersion
	case obj.WorkflowTemplate != nil:
		ep.meta, ep.kind, ep.version = &obj.WorkflowTemplate.ObjectMeta, obj.WorkflowTemplate.Kind, obj.WorkflowTemplate.APIVersion
	case obj.ClusterWorkflowTemplate != nil:
		ep.meta, ep.kind, ep.version = &obj.ClusterWorkflowTemplate.ObjectMeta, obj.ClusterWorkflowTemplate.Kind, obj.ClusterWorkflowTemplate.APIVersion
	}
	if ep.meta == nil || len(spec.Templates) < emitParallelTemplates {
		return nil, false
	}
	ep.tmpls = spec.Templates
	ep.n = (len(ep.tmpls) + emitPartTemplates - 1) / emitPartTemplates
	return ep, true
}

// part renders part i: its templates as the items of spec's "templates",
// at the indentation of spec's members, appended to dst.
func (ep *emitParts) part(i int, dst []byte) ([]byte, error) {
	tmpls := ep.obj.Target.templates(ep.tmpls[i*emitPartTemplates : min((i+1)*emitPartTemplates, len(ep.tmpls))])
	if y, ok := templatesYAML(dst, tmpls, 2); ok {
		return y, nil
	}
	// The JSON, in a buffer used again by the next part: a part's JSON
	// is only read here.
	jb := jsonBuffers.Get().(*jsonBuffer) // lower.go's
	defer jsonBuffers.Put(jb)
	var err error
	jb.buf, err = argojson.Append(jb.buf[:0], tmpls)
	if err != nil {
		return nil, err
	}
	return yamlenc.SequenceFromJSON(dst, jb.buf, 2, EmitOptions())
}

// templatesYAML appends the YAML of tmpls (Target.templates' value) as the
// items of a sequence at indentation ind, written straight from the Go
// values by internal/argojson's YAML writers: exactly what
// yamlenc.SequenceFromJSON writes for their JSON with EmitOptions
// (TestTemplatesYAML). ok is false if the writers could not (a value they
// hand back to the JSON path, which then reports any error).
func templatesYAML(dst []byte, tmpls any, ind int) (y []byte, ok bool) {
	// Written in a buffer used again by the next part, then copied: dst
	// grows once, to the size of the YAML, not by doubling as it is
	// written.
	sb := yamlScratch.Get().(*[]byte)
	defer func() {
		if cap(*sb) <= maxYAMLScratch {
			yamlScratch.Put(sb)
		}
	}()
	var err error
	switch v := tmpls.(type) {
	case []wfv1.Template:
		*sb, err = argojson.AppendYAMLTemplates((*sb)[:0], v, ind)
	case []argoshape.TemplateV4:
		*sb, err = argojson.AppendYAMLTemplatesV4((*sb)[:0], v, ind)
	default:
		return dst, false
	}
	if err != nil {
		return dst, false
	}
	return append(dst, *sb...), true
}

// yamlScratch holds templatesYAML's buffers; one over maxYAMLScratch
// bytes is not kept.
var yamlScratch = sync.Pool{New: func() any { return new([]byte) }}

const maxYAMLScratch = 8 << 20

// renderHead renders the object with one stand-in template, whose YAML
// says where the templates go, and sets prefix and suffix; it reports
// whether it could.
func (ep *emitParts) renderHead() bool {
	rest := *ep.obj.Spec()
	rest.Templates = []wfv1.Template{{Name: emitStandIn}}
	head, err := argojson.AppendHead(nil, &argoshape.Head{Kind: ep.kind, APIVersion: ep.version, Metadata: ep.meta, Spec: &rest})
	if err != nil {
		return false
	}
	headYAML, err := yamlenc.FromJSON(nil, head, EmitOptions())
	if err != nil {
		return false
	}
	// Spec's members are at indentation 2 (as are metadata's, none of
	// which is "templates"); the stand-in must be found exactly once.
	standIn := []byte("\n  templates:\n  - name: " + emitStandIn + "\n")
	at := bytes.Index(headYAML, standIn)
	if at < 0 || bytes.Count(headYAML, standIn) != 1 {
		return false
	}
	at++ // after the newline
	ep.prefix = append(headYAML[:at:at], "  templates:\n"...)
	ep.suffix = headYAML[at+len(standIn)-1:]
	return true
}

// emitStandIn names the template that stands in for the templates in the
// YAML of a workflow rendered in parts.
const emitStandIn = "pipec-emit-stand-in"
