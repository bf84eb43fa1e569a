// Step bodies, lowered: a Body becomes the leaf template that makes the pod.

package compiler

import (
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
)

// leaf builds a step's own template in tmpl (a zero Template). Every
// reference becomes an input parameter, so that the memo key covers every
// value the step depends on.
func (l *lowerer) leaf(st *Step, tmpl *wfv1.Template) []*input {
	b := st.Body
	ins := &inputSet{}
	if st.Pipeline.composite != nil {
		ins.add(inputKey{kind: "instance"}, InstanceParam, "{{inputs.parameters."+InstanceParam+"}}")
	}
	supplied := suppliedInputs(st)
	for _, p := range supplied {
		ins.taken = append(ins.taken, p.Name)
	}
	inner := func(t *Text) string {
		if t == nil {
			return ""
		}
		return substitute(t, func(r *Ref) string {
			var key inputKey
			switch r.Kind {
			case RefArgo:
				return "{{" + r.Argo + "}}"
			case RefParam:
				key = inputKey{kind: "param", a: r.Param.Name}
			case RefOutput:
				key = inputKey{kind: "out", a: r.Step.Name, b: r.Output}
			case RefResult:
				key = inputKey{kind: "result", a: r.Step.Name}
			case RefStepField:
				key = inputKey{kind: "field", a: r.Step.Name, b: r.Field}
			case RefLoopVar:
				key = inputKey{kind: "loop", a: r.Path}
			case RefTemplateParam:
				key = inputKey{kind: "tparam", a: r.TemplateParam}
			}
			name, ok := ins.lookup(key)
			if !ok {
				name = ins.add(key, inputBase(r), l.refTask(r))
			}
			return l.inputText(name, r.Kind == RefParam)
		})
	}
	c := l.containerOf(st.Pipeline, b, inner)
	tmpl.Name, tmpl.Tolerations = st.TemplateName(), b.Tolerations
	for _, kv := range b.NodeSelector {
		if tmpl.NodeSelector == nil {
			tmpl.NodeSelector = map[string]string{}
		}
		tmpl.NodeSelector[kv.Key] = inner(kv.Value)
	}
	if len(b.Labels) > 0 || len(b.Annotations) > 0 {
		tmpl.Metadata = wfv1.Metadata{Labels: kvMap(b.Labels), Annotations: kvMap(b.Annotations)}
	}
	if b.Timeout != nil {
		tmpl.ActiveDeadlineSeconds = intOrStr(int(*b.Timeout))
	}
	if b.TimeoutText != nil {
		tmpl.Timeout = inner(b.TimeoutText)
	}
	if kindTemplate(st, tmpl, &c, inner) {
		// not a container
	} else if b.Script != nil {
		c.Command = b.Script.Command
		tmpl.Script = &wfv1.ScriptTemplate{Container: c, Source: inner(b.Script.Source)}
	} else if len(b.Containers) == 0 {
		tmpl.Container = &c
	}
	l.lowerContainers(st.Pipeline, b, tmpl, &c, inner)
	applyStepSettings(b, tmpl, inner)
	leafOutputs(st, tmpl, inner)
	// A loop iteration must be told apart from the others even when the body
	// does not use the loop variable: pass the item itself.
	if st.Loop != nil {
		if _, ok := ins.lookup(inputKey{kind: "loop", a: st.Loop.Var}); !ok {
			ins.add(inputKey{kind: "loop-item"}, "pipec-item", "{{item}}")
		}
	}
	l.leafArtifacts(st, tmpl, inner, ins)
	var retryExpr string // a step's retry expression reads its references as inputs too
	if r := st.Retry; r != nil && r.ExprText != nil && !st.RetryWrapped() {
		retryExpr = inner(r.ExprText)
	}
	rawPatches := l.stepRawPatches(st, inner) // before the inputs: ${...} in raw adds some
	if n := len(ins.list) + len(supplied); n > 0 {
		tmpl.Inputs.Parameters = make([]wfv1.Parameter, 0, n)
	}
	for _, in := range ins.list {
		tmpl.Inputs.Parameters = append(tmpl.Inputs.Parameters, wfv1.Parameter{Name: in.name})
	}
	tmpl.Inputs.Parameters = append(tmpl.Inputs.Parameters, supplied...)
	if r := st.Retry; r != nil && !st.RetryWrapped() {
		tmpl.RetryStrategy = l.retryStrategyOf(st, r)
		if r.ExprText != nil {
			tmpl.RetryStrategy.Expression = retryExpr
		}
	}
	l.applyStepRaw(st, tmpl, rawPatches)
	addRetryWiring(tmpl, st, l.cacheName(st.Pipeline))
	addMemoKeyOutput(tmpl, st)
	return ins.list
}

// inputBase is what the input parameter that carries a reference is
// named after.
func inputBase(r *Ref) string {
	switch r.Kind {
	case RefParam:
		return r.Param.Name
	case RefOutput:
		return r.Step.ArgoName + "-" + r.Output
	case RefResult:
		return r.Step.ArgoName + "-result"
	case RefStepField:
		return r.Step.ArgoName + "-" + r.Path[strings.IndexByte(r.Path, '.')+1:]
	case RefLoopVar:
		return strings.ReplaceAll(r.Path, ".", "-")
	case RefTemplateParam:
		return r.TemplateParam
	}
	return ""
}

// refTask is taskExpr(r): the value a template's input that carries r is
// given by its task.
func (l *lowerer) refTask(r *Ref) string {
	if r.Kind == RefParam {
		return l.paramTask(r)
	}
	return l.taskExpr(r)
}

// leafOutputs writes a step's output parameters into its leaf template,
// with room for the memo key's (addMemoKeyOutput) and their ValueFroms in
// one array.
func leafOutputs(st *Step, tmpl *wfv1.Template, inner func(*Text) string) {
	if len(st.Outputs) == 0 {
		return
	}
	room := len(st.Outputs)
	if st.Memoize && st.Artifacts.Consumed {
		room++
	}
	tmpl.Outputs.Parameters = make([]wfv1.Parameter, len(st.Outputs), room)
	from := make([]wfv1.ValueFrom, len(st.Outputs))
	for i, o := range st.Outputs {
		op := outputParam(o, inner, &from[i])
		op.GlobalName = o.Global
		tmpl.Outputs.Parameters[i] = op
	}
}

// containerOf builds the container a body of pipeline p describes: the
// step's own, or one of its container blocks'.
func (l *lowerer) containerOf(p *Pipeline, b *Body, inner func(*Text) string) apiv1.Container {
	c := apiv1.Container{}
	if b.Image != nil {
		c.Image = inner(b.Image)
	}
	c.Command = innerAll(b.Command, inner)
	c.Args = innerAll(b.Args, inner)
	if b.Workdir != nil {
		c.WorkingDir = inner(b.Workdir)
	}
	if len(b.Env) > 0 {
		// with room for the RETRY_* variables (addRetryWiring)
		c.Env = make([]apiv1.EnvVar, 0, len(b.Env)+2)
	}
	for _, e := range b.Env {
		ev := apiv1.EnvVar{Name: e.Name}
		if e.SecretRef != nil || e.ConfigRef != nil {
			ev.ValueFrom = l.envSource(p, e)
		} else {
			ev.Value = inner(e.Value)
		}
		c.Env = append(c.Env, ev)
	}
	c.Resources.Requests = l.resourceList(b.Requests)
	c.Resources.Limits = l.resourceList(b.Limits)
	for _, m := range b.Mounts {
		c.VolumeMounts = append(c.VolumeMounts, apiv1.VolumeMount{Name: m.Volume, MountPath: m.Path, ReadOnly: m.ReadOnly, SubPath: m.SubPath})
	}
	return c
}

// innerAll is inner of each text, nil for none.
func innerAll(ts []*Text, inner func(*Text) string) []string {
	if len(ts) == 0 {
		return nil
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = inner(t)
	}
	return out
}
