package compiler

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/internal/argojson/argoshape"
)

// What a step's memo key covers beyond its own template (docs/retries.md,
// "The memo key"). The step's template is hashed whole (definitionHash):
// image, command, args, script, env (the pipeline's image and env are
// folded into every step's template by the checker), resources, mounts,
// the step's own node selector, tolerations, metadata, timeout and raw
// fragment, inputs and outputs. The fields below live elsewhere in the
// workflow but can change what the step's pod does, so they are part of
// the key too; an edit of any of them makes the step run again under the
// same run id.
//
// Left out on purpose, because they cannot change a step's result: step
// and pipeline retry settings (on the step's retry wrapper, not on the
// memoized template), memoize max_age, parallelism, priority, the workflow
// timeout, pod GC, TTL, image pull secrets, the workflow's labels,
// annotations and description, parameter descriptions, and the exit and
// failure handlers. A parameter's value is an input of the steps that use
// it, hashed at run time.
//
// The type is argoshape.MemoContext, whose encoder internal/argojson
// generates.
type memoContext = argoshape.MemoContext

type memoVolume = argoshape.MemoVolume

// memoContextOf collects the memoContext of a step's template.
func memoContextOf(p *Pipeline, t *wfv1.Template) memoContext {
	if p.ServiceAccount == "" && len(p.NodeSelector) == 0 && len(p.Tolerations) == 0 && len(p.Volumes) == 0 && len(p.Raw) == 0 {
		return memoContext{} // what the code below makes of such a pipeline, without its allocations
	}
	mc := memoContext{ServiceAccount: p.ServiceAccount, NodeSelector: kvMap(p.NodeSelector), Tolerations: p.Tolerations}
	var mounts []apiv1.VolumeMount
	for c := range podContainers(t) {
		mounts = append(mounts, c.VolumeMounts...)
	}
	if t.ContainerSet != nil {
		mounts = append(mounts, t.ContainerSet.VolumeMounts...)
	}
	for _, m := range mounts {
		for _, v := range p.Volumes {
			if v.Name == m.Name {
				mc.Volumes = append(mc.Volumes, memoVolume{Name: v.Name, Source: v.Source, ClaimSize: v.ClaimSize, AccessModes: v.AccessModes, StorageClass: v.StorageClass})
				break
			}
		}
	}
	for _, r := range p.Raw {
		mc.Raw = append(mc.Raw, r.YAML.Value())
	}
	return mc
}

// memoDefinitionHash is the compile-time part of a step's memo key: a
// short hash of its template and of its memoContext. A step with an empty
// context keeps the hash of its template alone, so keys computed before
// the context was added still hit.
func memoDefinitionHash(p *Pipeline, t *wfv1.Template) string {
	var out [definitionHashLen]byte
	memoDefinitionHashHex(&out, p, t)
	return string(out[:])
}

// memoDefinitionHashHex writes memoDefinitionHash(p, t) to out.
func memoDefinitionHashHex(out *[definitionHashLen]byte, p *Pipeline, t *wfv1.Template) {
	mc := memoContextOf(p, t)
	if mc.Empty() {
		definitionHashHex(out, t, nil)
		return
	}
	heap := new(memoContext) // only here: a non-empty context is rare
	*heap = mc
	definitionHashHex(out, t, heap)
}
