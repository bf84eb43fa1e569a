package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sort"
	"strconv"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/argojson"
)

// Object is one lowered pipeline: exactly one of the pointers is set.
type Object struct {
	Pipeline         *Pipeline
	Workflow         *wfv1.Workflow
	WorkflowTemplate *wfv1.WorkflowTemplate
	// ClusterWorkflowTemplate is set for kind cluster_workflow_template.
	ClusterWorkflowTemplate *wfv1.ClusterWorkflowTemplate
	CronWorkflow            *wfv1.CronWorkflow
	// Target is the Argo version the object is emitted for (the zero
	// Target is DefaultTarget).
	Target Target
}

// Spec returns the workflow spec of whichever object is set.
func (o *Object) Spec() *wfv1.WorkflowSpec {
	switch {
	case o.Workflow != nil:
		return &o.Workflow.Spec
	case o.WorkflowTemplate != nil:
		return &o.WorkflowTemplate.Spec
	case o.ClusterWorkflowTemplate != nil:
		return &o.ClusterWorkflowTemplate.Spec
	default:
		return &o.CronWorkflow.Spec.WorkflowSpec
	}
}

// EmitValue returns what Emit marshals to JSON for the object: Value in
// the shape of the object's Target.
func (o *Object) EmitValue() any { return o.Target.value(o) }

// Value returns the object as an interface for marshalling (Argo 3.7's
// shape; see EmitValue).
func (o *Object) Value() any {
	switch {
	case o.Workflow != nil:
		return o.Workflow
	case o.WorkflowTemplate != nil:
		return o.WorkflowTemplate
	case o.ClusterWorkflowTemplate != nil:
		return o.ClusterWorkflowTemplate
	default:
		return o.CronWorkflow
	}
}

// Lower builds the Argo object of each pipeline of a checked program.
// paramValues override parameter defaults (pipec build -p).
func Lower(p *Pipeline, paramValues map[string]string) (*Object, diag.Diagnostics) {
	l := &lowerer{p: p, params: paramValues}
	spec := l.spec()
	meta := metav1.ObjectMeta{Namespace: p.Namespace, Labels: markerLabels(kvMap(p.Labels), p.Name), Annotations: kvMap(p.Annotations)}
	if p.Description != "" {
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations["workflows.argoproj.io/description"] = p.Description
	}
	obj := &Object{Pipeline: p}
	typeMeta := func(kind string) metav1.TypeMeta {
		return metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: kind}
	}
	switch p.Kind {
	case KindWorkflowTemplate:
		meta.Name = p.Name
		obj.WorkflowTemplate = &wfv1.WorkflowTemplate{TypeMeta: typeMeta(KindWorkflowTemplate), ObjectMeta: meta, Spec: spec}
	case KindClusterWorkflowTemplate:
		meta.Name = p.Name
		obj.ClusterWorkflowTemplate = &wfv1.ClusterWorkflowTemplate{TypeMeta: typeMeta(KindClusterWorkflowTemplate), ObjectMeta: meta, Spec: spec}
	case KindCronWorkflow:
		meta.Name = p.Name
		obj.CronWorkflow = &wfv1.CronWorkflow{TypeMeta: typeMeta(KindCronWorkflow), ObjectMeta: meta,
			Spec: wfv1.CronWorkflowSpec{Schedules: p.Schedules, Timezone: p.Timezone, WorkflowSpec: spec}}
	default:
		meta.GenerateName = p.Name + "-"
		obj.Workflow = &wfv1.Workflow{TypeMeta: typeMeta(KindWorkflow), ObjectMeta: meta, Spec: spec}
	}
	applySettings(p, obj)
	l.applyRaw(obj)
	return obj, l.diags
}

type lowerer struct {
	p      *Pipeline
	params map[string]string
	diags  diag.Diagnostics
	// cache is CacheConfigMapTemplate(cacheOf), made once for all the
	// memoized steps of a pipeline.
	cache, cacheOf string
	// shared are the values made once for many templates
	// (shared_lower.go).
	shared sharedValues
}

// cacheName is CacheConfigMapTemplate(p.Name).
func (l *lowerer) cacheName(p *Pipeline) string {
	if l.cache == "" || l.cacheOf != p.Name {
		l.cache, l.cacheOf = CacheConfigMapTemplate(p.Name), p.Name
	}
	return l.cache
}

func kvMap(kvs []KV) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

// lowerParallelSteps is the number of steps from which they are lowered
// in parts.
var lowerParallelSteps = 200

// lowerPartSteps is the number of steps in one part.
var lowerPartSteps = 64

// ResultOutput is the output parameter through which a retry wrapper passes
// on its leaf's standard output (a steps template has no result of its own).
const ResultOutput = "pipec-result"

// intOrStr renders an IntOrString field as a string: Argo's JSON schema
// (api/jsonschema/schema.json) types IntOrString as a string only, and Argo
// parses the string form everywhere (retryStrategy.limit, backoff.factor,
// activeDeadlineSeconds, withSequence).
func intOrStr(n int) *intstr.IntOrString {
	v := intstr.FromString(strconv.Itoa(n))
	return &v
}

// definitionHash is a short content hash of a template: an edited step
// (image, command, env, inputs, outputs...) gets new memo keys.
func definitionHash(t *wfv1.Template) string {
	var out [definitionHashLen]byte
	definitionHashHex(&out, t, nil)
	return string(out[:])
}

// definitionHashLen is the length of a definition hash: the first 10 hex
// digits of a SHA-256 sum.
const definitionHashLen = 10

// definitionHashHex writes to out the first 10 hex digits of the SHA-256
// of t's JSON and, if mc is not nil, of a zero byte and mc's JSON: the
// bytes of definitionHash and memoDefinitionHash, without allocating.
func definitionHashHex(out *[definitionHashLen]byte, t *wfv1.Template, mc *memoContext) {
	mh := memoHashers.Get().(*memoHasher)
	mh.h.Reset()
	mh.write(t)
	if mc != nil {
		mh.h.Write(zeroByte)
		mh.write(mc)
	}
	hex.Encode(out[:], mh.h.Sum(mh.sum[:0])[:definitionHashLen/2])
	memoHashers.Put(mh)
}

// zeroByte separates a template's JSON from its memoContext's in a
// definition hash.
var zeroByte = []byte{0}

// A memoHasher hashes JSON for definition hashes: its buffer and its hash
// are kept for reuse (memoHashers), so a hash allocates nothing.
type memoHasher struct {
	buf []byte
	h   hash.Hash
	sum [sha256.Size]byte
}

var memoHashers = sync.Pool{New: func() any { return &memoHasher{h: sha256.New()} }}

// write hashes json.Marshal(v) (nothing if v does not marshal), encoded
// with internal/argojson.
func (mh *memoHasher) write(v any) {
	var err error
	if mh.buf, err = argojson.Append(mh.buf[:0], v); err == nil {
		mh.h.Write(mh.buf)
	}
}

// A jsonBuffer is a buffer for JSON, kept for reuse (jsonBuffers) by the
// validator's keys and shapes and by emit.
type jsonBuffer struct {
	buf []byte
}

var jsonBuffers = sync.Pool{New: func() any { return &jsonBuffer{} }}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// anyString is wfv1.AnyStringPtr of a string without its fmt.Sprintf("%v")
// (which for a string is the string): one allocation instead of three.
func anyString(s string) *wfv1.AnyString {
	v := wfv1.AnyString(s)
	return &v
}
