package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/workpool"
)

// Object is one lowered pipeline: exactly one of the pointers is set.
type Object struct {
	Pipeline         *Pipeline
	Workflow         *wfv1.Workflow
	WorkflowTemplate *wfv1.WorkflowTemplate
	CronWorkflow     *wfv1.CronWorkflow
}

// Spec returns the workflow spec of whichever object is set.
func (o *Object) Spec() *wfv1.WorkflowSpec {
	switch {
	case o.Workflow != nil:
		return &o.Workflow.Spec
	case o.WorkflowTemplate != nil:
		return &o.WorkflowTemplate.Spec
	default:
		return &o.CronWorkflow.Spec.WorkflowSpec
	}
}

// Value returns the object as an interface for marshalling.
func (o *Object) Value() any {
	switch {
	case o.Workflow != nil:
		return o.Workflow
	case o.WorkflowTemplate != nil:
		return o.WorkflowTemplate
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
	case KindCronWorkflow:
		meta.Name = p.Name
		obj.CronWorkflow = &wfv1.CronWorkflow{TypeMeta: typeMeta(KindCronWorkflow), ObjectMeta: meta,
			Spec: wfv1.CronWorkflowSpec{Schedules: p.Schedules, Timezone: p.Timezone, WorkflowSpec: spec}}
	default:
		meta.GenerateName = p.Name + "-"
		obj.Workflow = &wfv1.Workflow{TypeMeta: typeMeta(KindWorkflow), ObjectMeta: meta, Spec: spec}
	}
	l.applyRaw(obj)
	return obj, l.diags
}

type lowerer struct {
	p      *Pipeline
	params map[string]string
	diags  diag.Diagnostics
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

func (l *lowerer) spec() wfv1.WorkflowSpec {
	p := l.p
	spec := wfv1.WorkflowSpec{
		Entrypoint:            EntryTemplate,
		ServiceAccountName:    p.ServiceAccount,
		Parallelism:           p.Parallelism,
		Priority:              p.Priority,
		ActiveDeadlineSeconds: p.TimeoutSeconds,
		NodeSelector:          kvMap(p.NodeSelector),
		Tolerations:           p.Tolerations,
	}
	if p.PodGC != "" {
		spec.PodGC = &wfv1.PodGC{Strategy: wfv1.PodGCStrategy(p.PodGC)}
	}
	if p.TTL != (TTL{}) {
		spec.TTLStrategy = &wfv1.TTLStrategy{SecondsAfterCompletion: p.TTL.Completion, SecondsAfterSuccess: p.TTL.Success, SecondsAfterFailure: p.TTL.Failure}
	}
	for _, s := range p.PullSecrets {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, apiv1.LocalObjectReference{Name: s})
	}
	for _, v := range p.Volumes {
		if v.ClaimSize != "" {
			spec.VolumeClaimTemplates = append(spec.VolumeClaimTemplates, apiv1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Name: v.Name},
				Spec: apiv1.PersistentVolumeClaimSpec{
					AccessModes: []apiv1.PersistentVolumeAccessMode{apiv1.ReadWriteOnce},
					Resources:   apiv1.VolumeResourceRequirements{Requests: apiv1.ResourceList{apiv1.ResourceStorage: resource.MustParse(v.ClaimSize)}},
				},
			})
			continue
		}
		spec.Volumes = append(spec.Volumes, apiv1.Volume{Name: v.Name, VolumeSource: v.Source})
	}
	// Parameters: the user's, then the three retry parameters.
	for _, prm := range p.Params {
		wp := wfv1.Parameter{Name: prm.Name}
		if v, ok := l.params[prm.Name]; ok {
			wp.Value = wfv1.AnyStringPtr(v)
		} else if prm.Default != nil {
			wp.Value = wfv1.AnyStringPtr(*prm.Default)
		}
		if prm.Description != "" {
			wp.Description = wfv1.AnyStringPtr(prm.Description)
		}
		for _, e := range prm.Enum {
			wp.Enum = append(wp.Enum, wfv1.AnyString(e))
		}
		spec.Arguments.Parameters = append(spec.Arguments.Parameters, wp)
	}
	spec.Arguments.Parameters = append(spec.Arguments.Parameters, retryParameters(l.params)...)

	main := wfv1.Template{Name: EntryTemplate, DAG: &wfv1.DAGTemplate{}}
	var leaves []wfv1.Template
	for _, low := range l.steps(p.Steps) {
		main.DAG.Tasks = append(main.DAG.Tasks, low.task)
		leaves = append(leaves, low.templates...)
	}
	spec.Templates = append(spec.Templates, main)
	if len(p.ExitSteps) > 0 {
		exit := wfv1.Template{Name: ExitTemplate, DAG: &wfv1.DAGTemplate{}}
		for _, st := range p.ExitSteps {
			task, tmpls := l.step(st)
			if st.Handler == "failure" {
				cond := "{{workflow.status}} != Succeeded"
				if task.When != "" {
					cond = "(" + cond + ") && (" + task.When + ")"
				}
				task.When = cond
			}
			exit.DAG.Tasks = append(exit.DAG.Tasks, task)
			leaves = append(leaves, tmpls...)
		}
		spec.Templates = append(spec.Templates, exit)
		spec.OnExit = ExitTemplate
	}
	spec.Templates = append(spec.Templates, leaves...)
	return spec
}

// lowered is a step lowered: its DAG task and its templates.
type lowered struct {
	task      wfv1.DAGTask
	templates []wfv1.Template
}

// lowerParallelSteps is the number of steps from which they are lowered
// in parts.
var lowerParallelSteps = 200

// lowerPartSteps is the number of steps in one part.
var lowerPartSteps = 64

// steps lowers steps, in order. Steps are lowered independently of each
// other, so many are lowered in parts by a worker per core, each part with
// a lowerer of its own whose diagnostics are then added to l's in order.
func (l *lowerer) steps(steps []*Step) []lowered {
	out := make([]lowered, len(steps))
	if len(steps) < lowerParallelSteps {
		for i, st := range steps {
			out[i].task, out[i].templates = l.step(st)
		}
		return out
	}
	parts := make([]*lowerer, (len(steps)+lowerPartSteps-1)/lowerPartSteps)
	workpool.Run(len(parts), nil, func(p int) bool {
		part := &lowerer{p: l.p, params: l.params}
		for i := p * lowerPartSteps; i < min((p+1)*lowerPartSteps, len(steps)); i++ {
			out[i].task, out[i].templates = part.step(steps[i])
		}
		parts[p] = part
		return true
	})
	for _, part := range parts {
		l.diags = append(l.diags, part.diags...)
	}
	return out
}

// step lowers a step to its DAG task and, unless it uses a templateRef, its
// own leaf template.
func (l *lowerer) step(st *Step) (wfv1.DAGTask, []wfv1.Template) {
	task := wfv1.DAGTask{Name: st.ArgoName, Depends: dependsExpr(st)}
	if st.When != nil {
		task.When = l.taskText(st.When)
	}
	if lp := st.Loop; lp != nil {
		switch {
		case lp.Items != nil:
			for _, it := range lp.Items {
				b, _ := json.Marshal(it)
				var item wfv1.Item
				_ = json.Unmarshal(b, &item)
				task.WithItems = append(task.WithItems, item)
			}
		case lp.Param != nil:
			task.WithParam = l.taskText(lp.Param)
		case lp.Start != nil:
			end := *lp.End - 1
			task.WithSequence = &wfv1.Sequence{Start: intOrStr(*lp.Start), End: intOrStr(end)}
		}
	}
	if ref := st.TemplateRef; ref != nil {
		task.TemplateRef = &wfv1.TemplateRef{Name: ref.WorkflowTemplate, Template: ref.Template, ClusterScope: ref.Cluster}
		for _, a := range ref.Args {
			task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: a.Name, Value: wfv1.AnyStringPtr(l.taskText(a.Value))})
		}
		return task, nil
	}
	tmpl, inputs := l.leaf(st)
	for _, in := range inputs {
		task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: in.name, Value: wfv1.AnyStringPtr(in.value)})
	}
	if st.RetryWrapped() {
		wrapper := retryWrapper(st, tmpl)
		task.Template = wrapper.Name
		return task, []wfv1.Template{wrapper, *tmpl}
	}
	task.Template = tmpl.Name
	return task, []wfv1.Template{*tmpl}
}

// RetryWrapped reports whether a step's retries live on a wrapper template
// around its memoized template. Argo v3.7 mishandles a cache hit on a
// template that also has a retryStrategy: the hit becomes a Retry node with
// no children, the DAG never links the steps after it, and the workflow
// stays Running forever (found by the e2e suite; see docs/retries.md). So a
// step that is both retried and memoized is two templates: the DAG task
// runs "<step>-with-retry", a steps template with the retryStrategy whose one
// step runs "<step>", the memoized leaf.
func (st *Step) RetryWrapped() bool {
	return st.Body != nil && st.Retry != nil && st.Memoize
}

// ResultOutput is the output parameter through which a retry wrapper passes
// on its leaf's standard output (a steps template has no result of its own).
const ResultOutput = "pipec-result"

func retryWrapper(st *Step, leaf *wfv1.Template) wfv1.Template {
	w := wfv1.Template{Name: st.ArgoName + "-with-retry", RetryStrategy: retryStrategy(st.Retry)}
	call := wfv1.WorkflowStep{Name: "run", Template: leaf.Name}
	for _, in := range leaf.Inputs.Parameters {
		w.Inputs.Parameters = append(w.Inputs.Parameters, wfv1.Parameter{Name: in.Name})
		call.Arguments.Parameters = append(call.Arguments.Parameters, wfv1.Parameter{Name: in.Name, Value: wfv1.AnyStringPtr("{{inputs.parameters." + in.Name + "}}")})
	}
	for _, out := range leaf.Outputs.Parameters {
		w.Outputs.Parameters = append(w.Outputs.Parameters, wfv1.Parameter{Name: out.Name, ValueFrom: &wfv1.ValueFrom{Parameter: "{{steps.run.outputs.parameters." + out.Name + "}}"}})
	}
	if st.ResultUsed {
		w.Outputs.Parameters = append(w.Outputs.Parameters, wfv1.Parameter{Name: ResultOutput, ValueFrom: &wfv1.ValueFrom{Parameter: "{{steps.run.outputs.result}}"}})
	}
	w.Steps = []wfv1.ParallelSteps{{Steps: []wfv1.WorkflowStep{call}}}
	return w
}

// intOrStr renders an IntOrString field as a string: Argo's JSON schema
// (api/jsonschema/schema.json) types IntOrString as a string only, and Argo
// parses the string form everywhere (retryStrategy.limit, backoff.factor,
// activeDeadlineSeconds, withSequence).
func intOrStr(n int) *intstr.IntOrString {
	v := intstr.FromString(strconv.Itoa(n))
	return &v
}

// dependsExpr builds Argo's enhanced depends expression.
func dependsExpr(st *Step) string {
	var parts []string
	for _, d := range st.Deps {
		name := d.Step.ArgoName
		switch d.Outcome {
		case "":
			parts = append(parts, name)
		case "succeeded":
			parts = append(parts, name+".Succeeded")
		case "failed":
			parts = append(parts, name+".Failed")
		case "errored":
			parts = append(parts, name+".Errored")
		case "skipped":
			parts = append(parts, name+".Skipped")
		case "completed":
			parts = append(parts, fmt.Sprintf("(%s.Succeeded || %s.Failed || %s.Errored)", name, name, name))
		case "any_succeeded":
			parts = append(parts, name+".AnySucceeded")
		case "all_failed":
			parts = append(parts, name+".AllFailed")
		}
	}
	return strings.Join(parts, " && ")
}

// input is one input parameter of a leaf template and the task argument
// that feeds it.
type input struct {
	key   string // identity of what it carries
	name  string
	value string // the task argument
}

type inputSet struct {
	list   []*input
	byKey  map[string]*input
	byName map[string]bool
}

func (s *inputSet) add(key, base, value string) string {
	if in := s.byKey[key]; in != nil {
		return in.name
	}
	name := sanitizeParamName(base)
	for i := 2; s.byName[name]; i++ {
		name = fmt.Sprintf("%s-%d", sanitizeParamName(base), i)
	}
	in := &input{key: key, name: name, value: value}
	s.list = append(s.list, in)
	s.byKey[key] = in
	s.byName[name] = true
	return name
}

func sanitizeParamName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, s)
}

// taskExpr is what a reference becomes in a DAG task field.
func (l *lowerer) taskExpr(r *Ref) string {
	switch r.Kind {
	case RefParam:
		return "{{workflow.parameters." + r.Param.Name + "}}"
	case RefOutput:
		return "{{tasks." + r.Step.ArgoName + ".outputs.parameters." + r.Output + "}}"
	case RefResult:
		if r.Step.RetryWrapped() {
			return "{{tasks." + r.Step.ArgoName + ".outputs.parameters." + ResultOutput + "}}"
		}
		return "{{tasks." + r.Step.ArgoName + ".outputs.result}}"
	case RefLoopVar:
		if r.Field != "" {
			return "{{item." + r.Field + "}}"
		}
		return "{{item}}"
	case RefAllOutputs:
		return "{{tasks." + r.Step.ArgoName + ".outputs.parameters}}"
	case RefTemplateParam:
		if r.Arg == nil {
			return ""
		}
		return l.taskText(r.Arg)
	default:
		return "{{" + r.Argo + "}}"
	}
}

func (l *lowerer) taskText(t *Text) string {
	return substitute(t, func(r *Ref) string { return l.taskExpr(r) })
}

func substitute(t *Text, repl func(*Ref) string) string {
	if len(t.Refs) == 0 && !strings.Contains(t.Value, "$${") {
		return t.Value
	}
	return dslSubstitute(t.Value, func(path string) string {
		if r := t.Refs[path]; r != nil {
			return repl(r)
		}
		return "${" + path + "}"
	})
}

// leaf builds a step's own template. Every reference becomes an input
// parameter, so that the memo key covers every value the step depends on.
func (l *lowerer) leaf(st *Step) (*wfv1.Template, []*input) {
	b := st.Body
	ins := &inputSet{byKey: map[string]*input{}, byName: map[string]bool{}}
	inner := func(t *Text) string {
		if t == nil {
			return ""
		}
		return substitute(t, func(r *Ref) string {
			var key, base string
			switch r.Kind {
			case RefArgo:
				return "{{" + r.Argo + "}}"
			case RefParam:
				key, base = "param:"+r.Param.Name, r.Param.Name
			case RefOutput:
				key, base = "out:"+r.Step.Name+"."+r.Output, r.Step.ArgoName+"-"+r.Output
			case RefResult:
				key, base = "result:"+r.Step.Name, r.Step.ArgoName+"-result"
			case RefLoopVar:
				key, base = "loop:"+r.Path, strings.ReplaceAll(r.Path, ".", "-")
			case RefTemplateParam:
				key, base = "tparam:"+r.TemplateParam, r.TemplateParam
			}
			return "{{inputs.parameters." + ins.add(key, base, l.taskExpr(r)) + "}}"
		})
	}
	c := apiv1.Container{}
	if b.Image != nil {
		c.Image = inner(b.Image)
	}
	for _, t := range b.Command {
		c.Command = append(c.Command, inner(t))
	}
	for _, t := range b.Args {
		c.Args = append(c.Args, inner(t))
	}
	if b.Workdir != nil {
		c.WorkingDir = inner(b.Workdir)
	}
	for _, e := range b.Env {
		ev := apiv1.EnvVar{Name: e.Name}
		switch {
		case e.SecretRef != nil:
			ev.ValueFrom = &apiv1.EnvVarSource{SecretKeyRef: e.SecretRef}
		case e.ConfigRef != nil:
			ev.ValueFrom = &apiv1.EnvVarSource{ConfigMapKeyRef: e.ConfigRef}
		default:
			ev.Value = inner(e.Value)
		}
		c.Env = append(c.Env, ev)
	}
	if len(b.Requests) > 0 {
		c.Resources.Requests = apiv1.ResourceList{}
		for _, kv := range b.Requests {
			c.Resources.Requests[apiv1.ResourceName(kv.Key)] = resource.MustParse(kv.Value)
		}
	}
	if len(b.Limits) > 0 {
		c.Resources.Limits = apiv1.ResourceList{}
		for _, kv := range b.Limits {
			c.Resources.Limits[apiv1.ResourceName(kv.Key)] = resource.MustParse(kv.Value)
		}
	}
	for _, m := range b.Mounts {
		c.VolumeMounts = append(c.VolumeMounts, apiv1.VolumeMount{Name: m.Volume, MountPath: m.Path, ReadOnly: m.ReadOnly, SubPath: m.SubPath})
	}
	tmpl := &wfv1.Template{Name: st.ArgoName, Tolerations: b.Tolerations}
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
	if b.Script != nil {
		c.Command = b.Script.Command
		tmpl.Script = &wfv1.ScriptTemplate{Container: c, Source: inner(b.Script.Source)}
	} else {
		tmpl.Container = &c
	}
	for _, o := range st.Outputs {
		op := wfv1.Parameter{Name: o.Name, ValueFrom: &wfv1.ValueFrom{Path: inner(o.Path)}}
		if o.Default != nil {
			op.ValueFrom.Default = wfv1.AnyStringPtr(*o.Default)
		}
		tmpl.Outputs.Parameters = append(tmpl.Outputs.Parameters, op)
	}
	// A loop iteration must be told apart from the others even when the body
	// does not use the loop variable: pass the item itself.
	if st.Loop != nil && ins.byKey["loop:"+st.Loop.Var] == nil {
		ins.add("loop-item", "pipec-item", "{{item}}")
	}
	for _, in := range ins.list {
		tmpl.Inputs.Parameters = append(tmpl.Inputs.Parameters, wfv1.Parameter{Name: in.name})
	}
	if r := st.Retry; r != nil && !st.RetryWrapped() {
		tmpl.RetryStrategy = retryStrategy(r)
	}
	l.applyStepRaw(st, tmpl)
	addRetryWiring(tmpl, st)
	return tmpl, ins.list
}

func retryStrategy(r *Retry) *wfv1.RetryStrategy {
	rs := &wfv1.RetryStrategy{Limit: intOrStr(r.Limit), RetryPolicy: wfv1.RetryPolicy(r.Policy), Expression: r.Expression}
	if r.Backoff != "" {
		rs.Backoff = &wfv1.Backoff{Duration: r.Backoff, MaxDuration: r.Max, Cap: r.Cap}
		if r.Factor != nil {
			rs.Backoff.Factor = intOrStr(*r.Factor)
		}
	}
	return rs
}

// definitionHash is a short content hash of a template: an edited step
// (image, command, env, inputs, outputs...) gets new memo keys.
func definitionHash(t *wfv1.Template) string {
	b, _ := json.Marshal(t)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:10]
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
