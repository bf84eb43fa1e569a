// Values shared between templates, lowered once: what is the same in
// every step of a pipeline (its retry strategy, the sources of its env
// variables, the texts of references to its parameters) or in many (the
// resource lists of their containers) is made once per lowerer and put in
// each template that needs it, the same pointer, map or string in all of
// them.
//
// Sharing is safe because nothing changes a lowered template's retry
// strategy, an env variable's source or a container's resource list in
// place: emit and the keys of validation only read them, validation's
// plain copies (plainTemplates.of) copy what they change, and a raw
// fragment is merged into a new template. TestSharedValuesUnchanged
// lowers every example again after it was validated (with and without
// the shortcuts) and emitted, and checks that both emit the same YAML.

package compiler

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// sharedValues are the values a lowerer has made once for many templates.
// Each part of a large pipeline (stepsInto) has a lowerer of its own, so
// they need no lock.
type sharedValues struct {
	// retry is retryStrategy(retryOf), for retryOf a pipeline's retry.
	retryOf *Retry
	retry   *wfv1.RetryStrategy
	// envSources are the sources of a pipeline's env variables that come
	// from a secret or a ConfigMap.
	envSources map[*EnvVar]*apiv1.EnvVarSource
	// paramTasks is taskExpr of a reference to a parameter, by parameter.
	paramTasks map[*Param]string
	// paramInputs is "{{inputs.parameters.NAME}}" of an input that carries
	// a parameter, by NAME.
	paramInputs map[string]string
	// resources are the resource lists of containers, by their quantities
	// as written (up to resourceKeyLen of them).
	resources map[resourceKey]apiv1.ResourceList
}

// resourceKeyLen is the number of quantities up to which a resource list
// is shared: cpu, memory and gpu.
const resourceKeyLen = 3

// A resourceKey is a resource list's quantities, as written.
type resourceKey struct {
	n   int
	kvs [resourceKeyLen]KV
}

// retryStrategyOf is the retry strategy of a step's retry r: the one
// pointer of its lowerer when r is its pipeline's, which has no
// expression of its own (only a step's retry reads references).
func (l *lowerer) retryStrategyOf(st *Step, r *Retry) *wfv1.RetryStrategy {
	if r != st.Pipeline.Retry || r.ExprText != nil {
		return retryStrategy(r)
	}
	if l.shared.retryOf != r {
		l.shared.retryOf, l.shared.retry = r, retryStrategy(r)
	}
	return l.shared.retry
}

// envSource is the source of an env variable that comes from a secret or
// a ConfigMap: one per lowerer for a pipeline's env variable, which every
// step has.
func (l *lowerer) envSource(p *Pipeline, e *EnvVar) *apiv1.EnvVarSource {
	if src := l.shared.envSources[e]; src != nil {
		return src
	}
	src := &apiv1.EnvVarSource{SecretKeyRef: e.SecretRef}
	if e.SecretRef == nil {
		src.ConfigMapKeyRef = e.ConfigRef
	}
	for _, pe := range p.Env {
		if pe == e {
			if l.shared.envSources == nil {
				l.shared.envSources = map[*EnvVar]*apiv1.EnvVarSource{}
			}
			l.shared.envSources[e] = src
			break
		}
	}
	return src
}

// resourceList is the resource list of a container's requests or limits
// kvs (nil for none), one per lowerer for each list of quantities: many
// steps ask for the same.
func (l *lowerer) resourceList(kvs []KV) apiv1.ResourceList {
	if len(kvs) == 0 {
		return nil
	}
	if len(kvs) > resourceKeyLen {
		return newResourceList(kvs)
	}
	key := resourceKey{n: len(kvs)}
	copy(key.kvs[:], kvs)
	if list, ok := l.shared.resources[key]; ok {
		return list
	}
	list := newResourceList(kvs)
	if l.shared.resources == nil {
		l.shared.resources = map[resourceKey]apiv1.ResourceList{}
	}
	l.shared.resources[key] = list
	return list
}

// newResourceList is the resource list of quantities kvs.
func newResourceList(kvs []KV) apiv1.ResourceList {
	list := make(apiv1.ResourceList, len(kvs))
	for _, kv := range kvs {
		list[apiv1.ResourceName(kv.Key)] = resource.MustParse(kv.Value)
	}
	return list
}

// paramTask is taskExpr(r) for a reference to a parameter, made once per
// lowerer and parameter.
func (l *lowerer) paramTask(r *Ref) string {
	if s, ok := l.shared.paramTasks[r.Param]; ok {
		return s
	}
	s := l.taskExpr(r)
	if l.shared.paramTasks == nil {
		l.shared.paramTasks = map[*Param]string{}
	}
	l.shared.paramTasks[r.Param] = s
	return s
}

// inputText is "{{inputs.parameters.NAME}}", the text of a reference in
// the template whose input NAME carries it; made once per lowerer for the
// inputs that carry a parameter (shared), which many templates have.
func (l *lowerer) inputText(name string, shared bool) string {
	if !shared {
		return "{{inputs.parameters." + name + "}}"
	}
	if s, ok := l.shared.paramInputs[name]; ok {
		return s
	}
	s := "{{inputs.parameters." + name + "}}"
	if l.shared.paramInputs == nil {
		l.shared.paramInputs = map[string]string{}
	}
	l.shared.paramInputs[name] = s
	return s
}
