package compiler

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Names pipec reserves in every compiled workflow.
const (
	ParamRunID          = "run_id"
	ParamRetryRunID     = "retry_run_id"
	ParamRetryIndicator = "retry_indicator"
	EnvRetryRunID       = "RETRY_RUN_ID"
	EnvRetryIndicator   = "RETRY_INDICATOR"
	EntryTemplate       = "main"
	ExitTemplate        = "exit-handler"
	DefaultMaxAge       = "168h"
)

var (
	argoNameRE     = regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`)
	dnsLabelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	envNameRE      = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)
	paramTypes     = []string{"string", "int", "float", "bool", "json"}
	retryPolicies  = map[string]string{"always": "Always", "on_failure": "OnFailure", "on_error": "OnError", "on_transient_error": "OnTransientError"}
	podGCStrats    = map[string]string{"on_pod_completion": "OnPodCompletion", "on_pod_success": "OnPodSuccess", "on_workflow_completion": "OnWorkflowCompletion", "on_workflow_success": "OnWorkflowSuccess"}
	effects        = map[string]apiv1.TaintEffect{"no_schedule": apiv1.TaintEffectNoSchedule, "prefer_no_schedule": apiv1.TaintEffectPreferNoSchedule, "no_execute": apiv1.TaintEffectNoExecute}
	scriptCommands = map[string][]string{"python": {"python"}, "python3": {"python3"}, "bash": {"bash"}, "sh": {"sh"}, "node": {"node"}, "ruby": {"ruby"}, "perl": {"perl"}}
	argoVariables  = []string{"workflow.name", "workflow.namespace", "workflow.uid", "workflow.serviceAccountName", "workflow.creationTimestamp", "workflow.priority", "workflow.duration", "workflow.mainEntrypoint", "workflow.status", "workflow.failures", "pod.name", "node.name", "retries"}
)

// Check resolves and checks every pipeline of the unit's root files.
// Pipelines in files that are only imported are not compiled.
func Check(u *Unit) (*Program, diag.Diagnostics) {
	c := &checker{unit: u, prog: &Program{Unit: u}}
	seen := map[string]*dsl.Pipeline{}
	for _, root := range u.Roots {
		f := u.Files[root]
		if f == nil {
			continue
		}
		templates := c.templatesFor(root)
		for _, it := range f.Items {
			if it.Pipeline == nil || it.Pipeline.Name == nil {
				continue
			}
			p := c.pipeline(f, it.Pipeline, templates, it.Doc)
			if prev, dup := seen[p.Name]; dup {
				c.diags.Errorf(it.Pipeline.Name.Range(), "pipeline %q is defined twice (first at %s)", p.Name, prev.Name.Range()).
					WithHint("pipeline names must be unique: each becomes one output file")
				continue
			}
			seen[p.Name] = it.Pipeline
			c.prog.Pipelines = append(c.prog.Pipelines, p)
		}
	}
	return c.prog, c.diags
}

type checker struct {
	unit  *Unit
	prog  *Program
	diags diag.Diagnostics
	// template checks are reported once per declaration
	checkedTemplates map[*dsl.TemplateDecl]bool
	// visible caches templatesFor by file: outputDecls asks for every
	// ${step.output} reference.
	visible map[string]map[string]*dsl.TemplateDecl
}

// templatesFor collects the templates visible from a file: its own and
// those of the files it imports, transitively.
func (c *checker) templatesFor(path string) map[string]*dsl.TemplateDecl {
	if out, ok := c.visible[path]; ok {
		return out
	}
	out := map[string]*dsl.TemplateDecl{}
	if c.visible == nil {
		c.visible = map[string]map[string]*dsl.TemplateDecl{}
	}
	c.visible[path] = out
	visited := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		if visited[p] {
			return
		}
		visited[p] = true
		f := c.unit.Files[p]
		if f == nil {
			return
		}
		for _, it := range f.Items {
			t := it.Template
			if t == nil || t.Name == nil {
				continue
			}
			if prev, dup := out[t.Name.Name]; dup && prev != t {
				if p == path || c.unit.Files[prev.Pos.Filename] == nil {
					c.diags.Errorf(t.Name.Range(), "template %q is defined twice (also at %s)", t.Name.Name, prev.Name.Range())
				}
				continue
			}
			out[t.Name.Name] = t
		}
		for _, q := range c.unit.Imports[p] {
			walk(q)
		}
	}
	walk(path)
	return out
}

func (c *checker) errorf(n dsl.Node, format string, args ...any) *diag.Diagnostic {
	return c.diags.Errorf(n.Range(), format, args...)
}

// ---- pipeline ----

func (c *checker) pipeline(f *dsl.File, decl *dsl.Pipeline, templates map[string]*dsl.TemplateDecl, doc *dsl.CommentGroup) *Pipeline {
	p := &Pipeline{Decl: decl, File: f, Name: decl.Name.Name, Kind: KindWorkflow, Memoize: true, MaxAge: DefaultMaxAge, stepsByName: map[string]*Step{}}
	c.checkPipelineName(p)
	if doc != nil {
		p.Description = doc.Text()
	}
	var kindStmt *dsl.KindStmt
	var memo *dsl.MemoizeStmt
	var steps []*dsl.StepDecl
	once := map[string]dsl.Node{}
	single := func(key string, n dsl.Node) bool {
		if prev, ok := once[key]; ok {
			c.errorf(n, "%s is set twice in pipeline %q (first at %s)", key, p.Name, prev.Range()).WithHint("remove one of them")
			return false
		}
		once[key] = n
		return true
	}
	for _, item := range decl.Items {
		switch s := item.Stmt.(type) {
		case *dsl.DescriptionStmt:
			if single("description", s) {
				p.Description = s.Text.Value()
			}
		case *dsl.ImageStmt:
			if single("image", s) {
				p.Image = c.plainText(s.Image, "an image")
			}
		case *dsl.NamespaceStmt:
			if single("namespace", s) {
				p.Namespace = s.Namespace.Value()
				if !dnsLabelRE.MatchString(p.Namespace) {
					c.errorf(s.Namespace, "invalid namespace %q: it must be lower case letters, digits and '-'", p.Namespace)
				}
			}
		case *dsl.ServiceAccountStmt:
			if single("service_account", s) {
				p.ServiceAccount = s.Name.Value()
			}
		case *dsl.LabelStmt:
			kv := KV{s.Key.Value(), c.literalOnly(s.Value, "a "+s.Kind)}
			if s.Kind == "label" {
				p.Labels = append(p.Labels, kv)
			} else {
				p.Annotations = append(p.Annotations, kv)
			}
		case *dsl.IntStmt:
			if !single(s.Kind, s) {
				continue
			}
			n, ok := c.intValue(s.Value, s.Kind)
			if !ok {
				continue
			}
			if s.Kind == "parallelism" {
				if n < 1 {
					c.errorf(s.Value, "parallelism must be at least 1, got %d", n)
					continue
				}
				v := int64(n)
				p.Parallelism = &v
			} else {
				v := int32(n)
				p.Priority = &v
			}
		case *dsl.TimeoutStmt:
			if single("timeout", s) {
				if d, ok := c.duration(s.Value); ok {
					secs := int64(d.Seconds())
					p.TimeoutSeconds = &secs
				}
			}
		case *dsl.PodGCStmt:
			if single("pod_gc", s) {
				if v, ok := podGCStrats[s.Strategy.Name]; ok {
					p.PodGC = v
				} else {
					c.unknownWord(s.Strategy, "pod_gc strategy", keys(podGCStrats))
				}
			}
		case *dsl.TTLStmt:
			if !single("ttl "+s.When, s) {
				continue
			}
			if d, ok := c.duration(s.Value); ok {
				secs := int32(d.Seconds())
				switch s.When {
				case "success":
					p.TTL.Success = &secs
				case "failure":
					p.TTL.Failure = &secs
				default:
					p.TTL.Completion = &secs
				}
			}
		case *dsl.NodeSelectorStmt:
			p.NodeSelector = append(p.NodeSelector, KV{s.Key.Value(), c.literalOnly(s.Value, "a pipeline's node_selector (set it in a step to use references)")})
		case *dsl.TolerationStmt:
			p.Tolerations = append(p.Tolerations, c.toleration(s))
		case *dsl.PullSecretStmt:
			p.PullSecrets = append(p.PullSecrets, s.Name.Value())
		case *dsl.ParamStmt:
			c.param(p, s, item.Doc)
		case *dsl.RetryStmt:
			if single("retry", s) {
				p.Retry = c.retry(s)
			}
		case *dsl.MemoizeStmt:
			if single("memoize", s) {
				memo = s
			}
		case *dsl.ScheduleStmt:
			p.Schedules = append(p.Schedules, s.Cron.Value())
			if fields := strings.Fields(s.Cron.Value()); len(fields) < 5 || len(fields) > 6 {
				if !strings.HasPrefix(s.Cron.Value(), "@") {
					c.errorf(s.Cron, "invalid schedule %q: a cron schedule has 5 fields (minute hour day-of-month month day-of-week)", s.Cron.Value()).WithHint(`for example "0 2 * * *" runs at 02:00 every day`)
				}
			}
			if s.Timezone != nil {
				if p.Timezone != "" && p.Timezone != s.Timezone.Value() {
					c.errorf(s.Timezone, "all schedules of a pipeline share one timezone")
				}
				p.Timezone = s.Timezone.Value()
			}
		case *dsl.KindStmt:
			if single("kind", s) {
				kindStmt = s
			}
		case *dsl.VolumeStmt:
			c.volume(p, s)
		case *dsl.RawStmt:
			p.Raw = append(p.Raw, s)
		case *dsl.EnvStmt:
			if ev := c.env(s, nil); ev != nil {
				p.Env = append(p.Env, ev)
			}
		case *dsl.StepDecl:
			steps = append(steps, s)
		}
	}
	if kindStmt != nil {
		switch kindStmt.Kind.Name {
		case "workflow":
		case "workflow_template":
			p.Kind = KindWorkflowTemplate
			if len(p.Schedules) > 0 {
				c.errorf(kindStmt, "a pipeline with a schedule is a CronWorkflow; it cannot also be a workflow_template")
			}
		default:
			c.unknownWord(kindStmt.Kind, "kind", []string{"workflow", "workflow_template"})
		}
	}
	if len(p.Schedules) > 0 && p.Kind == KindWorkflow {
		p.Kind = KindCronWorkflow
		if len(p.Name) > 52 {
			c.errorf(decl.Name, "pipeline name %q is %d characters; a scheduled pipeline (CronWorkflow) name may have at most 52", p.Name, len(p.Name))
		}
		for _, prm := range p.Params {
			if prm.Default == nil {
				c.errorf(prm.Decl, "parameter %q has no value, but a scheduled pipeline runs unattended", prm.Name).WithHint(`give it a default: param %s = "..."`, prm.Name)
			}
		}
	}
	if memo != nil {
		on, maxAge := c.memoize(memo)
		p.Memoize = on
		if maxAge != "" {
			p.MaxAge = maxAge
		}
	}
	// Declare every step before resolving any, so references may point forward.
	byArgoName := map[string][]*Step{} // every step declared so far, by Argo name
	for _, s := range steps {
		st := &Step{Name: s.Name.Name, ArgoName: argoName(s.Name.Name), Decl: s, Handler: s.Handler, Pipeline: p}
		if !argoNameRE.MatchString(st.ArgoName) || len(st.ArgoName) > 128 {
			c.errorf(s.Name, "step name %q cannot be an Argo task name", st.Name).WithHint("use letters, digits, '-' and '_', at most 128 characters, starting with a letter or digit")
		}
		if st.ArgoName == EntryTemplate || st.ArgoName == ExitTemplate {
			c.errorf(s.Name, "step name %q is reserved by pipec for the workflow's %s template", st.Name, map[string]string{EntryTemplate: "entry", ExitTemplate: "exit handler"}[st.ArgoName]).WithHint("rename the step")
		}
		if prev := p.stepsByName[st.Name]; prev != nil {
			c.errorf(s.Name, "step %q is defined twice (first at %s)", st.Name, prev.Decl.Name.Range())
			continue
		}
		// Main steps first, then handlers, each in source order.
		for _, handlers := range []bool{false, true} {
			for _, other := range byArgoName[st.ArgoName] {
				if (other.Handler != "") == handlers {
					c.errorf(s.Name, "steps %q and %q both become the Argo name %q", other.Name, st.Name, st.ArgoName).WithHint("rename one of them: '_' becomes '-' and letters become lower case in Argo names")
				}
			}
		}
		byArgoName[st.ArgoName] = append(byArgoName[st.ArgoName], st)
		p.stepsByName[st.Name] = st
		if st.Handler != "" {
			p.ExitSteps = append(p.ExitSteps, st)
		} else {
			p.Steps = append(p.Steps, st)
		}
	}
	if len(p.Steps) == 0 {
		c.errorf(decl.Name, "pipeline %q has no steps", p.Name).WithHint(`add one: step hello { run ["echo", "hello"] }`)
	}
	for _, st := range append(append([]*Step{}, p.Steps...), p.ExitSteps...) {
		c.step(p, st, templates)
	}
	c.checkCycles(p)
	c.checkCacheSize(p)
	return p
}

// cacheEntryBytes is about what one memoized step instance takes in the
// run's cache ConfigMap (key, node id, outputs, timestamps).
const cacheEntryBytes = 400

// checkCacheSize warns when one run could fill its 1 MiB cache ConfigMap.
func (c *checker) checkCacheSize(p *Pipeline) {
	instances := 0
	for _, st := range p.Steps {
		if !st.Memoize {
			continue
		}
		switch {
		case st.Loop == nil:
			instances++
		case st.Loop.Items != nil:
			instances += len(st.Loop.Items)
		case st.Loop.Start != nil && st.Loop.End != nil:
			instances += *st.Loop.End - *st.Loop.Start
		default:
			instances++ // a JSON list: unknown until run time
		}
	}
	if instances*cacheEntryBytes > 1<<20*3/4 {
		c.diags.Warnf(p.Decl.Name.Range(), "one run of %q memoizes about %d step instances: its cache ConfigMap could reach Argo's 1 MiB limit, which turns succeeded steps into errors", p.Name, instances).
			WithHint("use memoize off on the largest loops, or split the pipeline")
	}
}

func (c *checker) checkPipelineName(p *Pipeline) {
	n := p.Decl.Name
	switch {
	case strings.ToLower(p.Name) != p.Name:
		c.errorf(n, "pipeline name %q must be lower case: it becomes a Kubernetes object name", p.Name).WithHint("rename it %q", strings.ReplaceAll(strings.ToLower(p.Name), "_", "-"))
	case strings.Contains(p.Name, "_"):
		c.errorf(n, "pipeline name %q cannot contain '_': it becomes a Kubernetes object name", p.Name).WithHint("rename it %q", strings.ReplaceAll(p.Name, "_", "-"))
	case !dnsLabelRE.MatchString(p.Name):
		c.errorf(n, "pipeline name %q is not a valid Kubernetes object name", p.Name).WithHint("use lower case letters, digits and '-', starting and ending with a letter or digit")
	case len(p.Name) > 57:
		c.errorf(n, "pipeline name %q is %d characters; at most 57 are allowed (Argo adds a 5-character suffix to a 63-character limit)", p.Name, len(p.Name))
	}
}

func (c *checker) param(p *Pipeline, s *dsl.ParamStmt, doc *dsl.CommentGroup) {
	name := s.Name.Name
	switch name {
	case ParamRunID, ParamRetryRunID, ParamRetryIndicator:
		c.errorf(s.Name, "parameter %q is reserved: pipec adds it to every workflow for retries", name).WithHint("see docs/retries.md")
		return
	}
	if strings.Contains(name, "-") {
		c.errorf(s.Name, "parameter name %q cannot contain '-': it would not be usable in Argo expressions", name).WithHint("use %q", strings.ReplaceAll(name, "-", "_"))
	}
	for _, prev := range p.Params {
		if prev.Name == name {
			c.errorf(s.Name, "parameter %q is declared twice (first at %s)", name, prev.Decl.Name.Range())
			return
		}
	}
	prm := &Param{Name: name, Decl: s, Type: "string"}
	if doc != nil {
		prm.Description = doc.Text()
	}
	if s.Type != nil {
		if !contains(paramTypes, s.Type.Name) {
			c.unknownWord(s.Type, "parameter type", paramTypes)
		} else {
			prm.Type = s.Type.Name
		}
	}
	if s.Default != nil {
		if v, ok := c.typedValue(s.Default, prm.Type, "the default of "+name); ok {
			prm.Default = &v
		}
	}
	if s.Enum != nil {
		for _, e := range s.Enum.Elems {
			if v, ok := c.typedValue(e, prm.Type, "a value of "+name); ok {
				prm.Enum = append(prm.Enum, v)
			}
		}
		if prm.Default != nil && len(prm.Enum) > 0 && !contains(prm.Enum, *prm.Default) {
			c.errorf(s.Default, "default %q is not one of the allowed values %s", *prm.Default, strings.Join(prm.Enum, ", "))
		}
	}
	p.Params = append(p.Params, prm)
}

// typedValue converts a literal to the string Argo will see, checking it
// against a declared type.
func (c *checker) typedValue(v *dsl.Value, typ, what string) (string, bool) {
	switch typ {
	case "any": // an unknown type, already reported: accept any literal
		if v.List != nil || v.Map != nil {
			j, err := literalJSON(v)
			return j, err == nil
		}
		return literalString(v), true
	case "int":
		if v.Int != nil {
			return *v.Int, true
		}
	case "float":
		if v.Float != nil {
			return *v.Float, true
		}
		if v.Int != nil {
			return *v.Int, true
		}
	case "bool":
		if v.Bool != nil {
			return *v.Bool, true
		}
	case "json":
		if v.List != nil || v.Map != nil {
			j, err := literalJSON(v)
			if err != nil {
				c.errorf(v, "%s: %v", what, err)
				return "", false
			}
			return j, true
		}
		if v.Str != nil {
			return v.Str.Value(), true
		}
	default:
		if v.Str != nil {
			return v.Str.Value(), true
		}
		if v.Int != nil || v.Float != nil || v.Bool != nil {
			d := c.errorf(v, "%s must be a string, got %s", what, v.Kind()).WithHint(`quote it: "%s"`, literalString(v))
			if strings.HasPrefix(what, "the default of ") {
				d.WithHint(`quote it, or give the parameter a type: param %s: %s = %s`, strings.TrimPrefix(what, "the default of "), v.Kind(), literalString(v))
			}
			return "", false
		}
	}
	c.errorf(v, "%s must be of type %s, got %s", what, typ, v.Kind())
	return "", false
}

func (c *checker) volume(p *Pipeline, s *dsl.VolumeStmt) {
	name := s.Name.Name
	for _, v := range p.Volumes {
		if v.Name == name {
			c.errorf(s.Name, "volume %q is declared twice", name)
			return
		}
	}
	vol := &Volume{Name: argoName(name), Decl: s}
	args := c.stringArgs(s.Source)
	call := s.Source.Name.Name
	need := func(n int) bool {
		if len(args) != n {
			c.errorf(s.Source, "%s() takes %d argument(s), got %d", call, n, len(args))
			return false
		}
		return true
	}
	switch call {
	case "pvc":
		if need(1) {
			vol.Source.PersistentVolumeClaim = &apiv1.PersistentVolumeClaimVolumeSource{ClaimName: args[0]}
		}
	case "new_pvc":
		if need(1) {
			if _, err := resource.ParseQuantity(args[0]); err != nil {
				c.errorf(s.Source.Args[0], "invalid size %q: %v", args[0], err).WithHint(`for example "1Gi"`)
			}
			vol.ClaimSize = args[0]
		}
	case "empty_dir":
		if need(0) {
			vol.Source.EmptyDir = &apiv1.EmptyDirVolumeSource{}
		}
	case "config_map":
		if need(1) {
			vol.Source.ConfigMap = &apiv1.ConfigMapVolumeSource{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}}
		}
	case "secret":
		if need(1) {
			vol.Source.Secret = &apiv1.SecretVolumeSource{SecretName: args[0]}
		}
	default:
		c.unknownWord(s.Source.Name, "volume source", []string{"pvc", "new_pvc", "empty_dir", "config_map", "secret"})
	}
	p.Volumes = append(p.Volumes, vol)
}

func (c *checker) stringArgs(call *dsl.Call) []string {
	out := make([]string, 0, len(call.Args))
	for _, a := range call.Args {
		if a.Str == nil {
			c.errorf(a, "%s(): arguments must be strings, got %s", call.Name.Name, a.Kind())
			out = append(out, "")
			continue
		}
		out = append(out, a.Str.Value())
	}
	return out
}

func (c *checker) toleration(s *dsl.TolerationStmt) apiv1.Toleration {
	t := apiv1.Toleration{Key: s.Key.Value()}
	if s.Exists {
		t.Operator = apiv1.TolerationOpExists
	} else if s.Value != nil {
		t.Operator = apiv1.TolerationOpEqual
		t.Value = s.Value.Value()
	}
	if s.Effect != nil {
		if e, ok := effects[s.Effect.Name]; ok {
			t.Effect = e
		} else {
			c.unknownWord(s.Effect, "toleration effect", keys(effects))
		}
	}
	return t
}

func (c *checker) retry(s *dsl.RetryStmt) *Retry {
	if s.Off {
		return nil
	}
	r := &Retry{Stmt: s}
	if n, ok := c.intValue(s.Limit, "the retry limit"); ok {
		if n < 0 {
			c.errorf(s.Limit, "the retry limit must be 0 or more, got %d", n)
		}
		r.Limit = n
	}
	seen := map[string]bool{}
	var maxOpt, capOpt *dsl.RetryOption
	for _, o := range s.Options {
		if seen[o.Name] {
			c.errorf(o, "retry option %q is given twice", o.Name)
			continue
		}
		seen[o.Name] = true
		switch o.Name {
		case "backoff":
			if d, ok := c.duration(o.Value); ok {
				r.Backoff = argoDuration(d)
			}
		case "max":
			maxOpt = o
			if d, ok := c.duration(o.Value); ok {
				r.Max = argoDuration(d)
			}
		case "cap":
			capOpt = o
			if d, ok := c.duration(o.Value); ok {
				r.Cap = argoDuration(d)
			}
		case "factor":
			if o.Value.Float != nil {
				c.errorf(o.Value, "the backoff factor must be a whole number: Argo rejects %s", *o.Value.Float).WithHint("use 2 or 3")
				continue
			}
			if n, ok := c.intValue(o.Value, "the backoff factor"); ok {
				if n < 1 {
					c.errorf(o.Value, "the backoff factor must be at least 1, got %d", n)
				}
				r.Factor = &n
			}
		case "policy":
			if o.Value.Path == nil || len(o.Value.Path.Parts) != 1 {
				c.errorf(o.Value, "the retry policy must be one of: %s", strings.Join(keys(retryPolicies), ", "))
				continue
			}
			word := o.Value.Path.Parts[0]
			if v, ok := retryPolicies[word.Name]; ok {
				r.Policy = v
			} else {
				c.unknownWord(word, "retry policy", keys(retryPolicies))
			}
		case "when":
			if o.Value.Str == nil {
				c.errorf(o.Value, "retry when takes an Argo expression in quotes, got %s", o.Value.Kind()).WithHint(`for example: retry 3 when "lastRetry.exitCode == 1"`)
				continue
			}
			r.Expression = c.literalOnly(o.Value.Str, "a retry expression (it is evaluated by Argo with retries and lastRetry.exitCode, .status, .duration, .message)")
			if strings.TrimSpace(r.Expression) == "" {
				c.errorf(o.Value, "the retry expression is empty")
			}
		}
	}
	if !seen["backoff"] {
		for _, o := range []*dsl.RetryOption{maxOpt, capOpt} {
			if o != nil {
				c.errorf(o, "retry %s needs a backoff: Argo fails at run time on a backoff without a duration", o.Name).WithHint("add backoff 10s")
			}
		}
		if seen["factor"] {
			c.errorf(s, "retry factor needs a backoff duration").WithHint("add backoff 10s")
		}
	}
	return r
}

func (c *checker) memoize(s *dsl.MemoizeStmt) (bool, string) {
	on := s.Mode != "off"
	maxAge := ""
	if s.MaxAge != nil {
		if s.Mode == "off" {
			c.errorf(s.MaxAge, "max_age has no effect when memoization is off")
		}
		if d, ok := c.duration(s.MaxAge); ok {
			maxAge = argoDuration(d)
		}
	}
	return on, maxAge
}

// ---- steps ----

type scope struct {
	p        *Pipeline
	step     *Step
	loop     *Loop
	tparams  map[string]*Ref // inside a template body
	template *dsl.TemplateDecl
}

func (c *checker) step(p *Pipeline, st *Step, templates map[string]*dsl.TemplateDecl) {
	d := st.Decl
	sc := &scope{p: p, step: st}
	var uses *dsl.UsesClause
	onceClause := map[string]bool{}
	for _, cl := range d.Clauses {
		key := ""
		switch {
		case cl.Loop != nil:
			key = "for"
		case cl.After != nil:
			key = "after"
		case cl.When != nil:
			key = "when"
		case cl.Uses != nil:
			key = "uses"
		}
		if onceClause[key] {
			c.errorf(cl, "step %q has two %q clauses", st.Name, key).WithHint("combine them into one")
			continue
		}
		onceClause[key] = true
		switch {
		case cl.Loop != nil:
			st.Loop = c.loop(sc, cl.Loop)
			sc.loop = st.Loop
		case cl.After != nil:
			for _, dep := range cl.After.Deps {
				target := p.stepsByName[dep.Step.Name]
				if target == nil {
					c.unknownStep(p, dep.Step)
					continue
				}
				if target == st {
					c.errorf(dep.Step, "step %q cannot run after itself", st.Name)
					continue
				}
				if (target.Handler != "") != (st.Handler != "") {
					c.errorf(dep.Step, "step %q cannot depend on %q: exit and failure handlers run after the main steps, separately", st.Name, target.Name)
					continue
				}
				if (dep.Outcome == "any_succeeded" || dep.Outcome == "all_failed") && !hasLoop(target.Decl) {
					c.errorf(dep, "%q applies only to a step that loops, and %q does not", dep.Outcome, target.Name).WithHint("use succeeded or failed")
					continue
				}
				st.Deps = append(st.Deps, &Dep{Step: target, Outcome: dep.Outcome, Range: dep.Range()})
			}
		case cl.Uses != nil:
			uses = cl.Uses
		}
	}
	// when may use the loop variable, so resolve it after the loop.
	for _, cl := range d.Clauses {
		if cl.When != nil {
			st.When = c.text(sc, cl.When)
		}
	}
	st.Memoize = p.Memoize && st.Handler == ""
	st.MaxAge = p.MaxAge
	st.Retry = p.Retry
	var items []*dsl.StepItem
	if uses != nil && uses.Ref != nil {
		ref := &TemplateRef{WorkflowTemplate: uses.Ref.WorkflowTemplate.Value(), Template: uses.Ref.Template.Value(), Cluster: uses.Ref.Cluster}
		for _, a := range uses.Args {
			ref.Args = append(ref.Args, &Arg{Name: a.Name.Name, Value: c.argText(sc, a.Value)})
		}
		st.TemplateRef = ref
		st.Memoize = false
		for _, it := range d.Items {
			if it.Stmt != nil {
				c.errorf(it, "a step that uses ref(...) runs the referenced template as it is; it cannot have a body").WithHint("change the WorkflowTemplate instead, or use a local template")
				break
			}
		}
		return
	}
	st.Body = &Body{}
	if uses != nil {
		t := templates[uses.Template.Name]
		if t == nil {
			names := keys(templates)
			dd := c.errorf(uses.Template, "unknown template %q", uses.Template.Name)
			if s := diag.Suggest(uses.Template.Name, names); s != "" {
				dd.WithHint("did you mean %q?", s)
			} else if len(names) == 0 {
				dd.WithHint(`declare it with template %s(...) { ... }, or import the file that does`, uses.Template.Name)
			}
		} else {
			st.Template = t
			tsc := c.templateScope(sc, t, uses)
			c.body(tsc, st, t.Items)
		}
	} else if len(d.Items) == 0 {
		c.errorf(d.Name, "step %q has nothing to run", st.Name).WithHint(`add run ["cmd", "arg"], a script, or uses template(...)`)
	}
	items = d.Items
	c.body(sc, st, items)
	if hasBad(items) {
		return // the parser reported the broken statement; don't guess what it meant
	}
	if st.Memoize && st.Retry != nil && (st.Retry.Expression != "" || st.UsesRetries) {
		// Retries then need the retryStrategy on the step's own template
		// (lastRetry.* and {{retries}} describe that template's attempts),
		// and Argo v3.7 hangs a DAG on a cache hit of a template that has
		// both retryStrategy and memoize: the step cannot be memoized.
		st.Memoize = false
		if !st.MemoizeExplicit {
			why := "its retry has a when expression"
			if st.UsesRetries {
				why = "it uses ${retries}"
			}
			c.diags.Warnf(d.Name.Range(), "step %q is not memoized: %s, which needs the retryStrategy on the step's own template, and Argo v3.7 cannot memoize such a template", st.Name, why).
				WithHint("add memoize off to the step to say so and silence this warning")
		}
	}
	if st.Body.Image == nil {
		if p.Image != nil {
			st.Body.Image = p.Image
		} else if (st.Template != nil || len(d.Items) > 0) && !pipelineHasBad(p.Decl) {
			c.errorf(d.Name, "step %q has no image", st.Name).WithHint(`set image "..." in the step, or a default image in the pipeline`)
		}
	}
	if st.Template == nil && st.Body.Script == nil && len(st.Body.Command) == 0 && len(st.Body.Args) == 0 && len(d.Items) > 0 {
		c.errorf(d.Name, "step %q has nothing to run", st.Name).WithHint(`add run ["cmd", "arg"] or script python """..."""`)
	}
	for _, ev := range p.Env {
		if !hasEnv(st.Body.Env, ev.Name) {
			st.Body.Env = append([]*EnvVar{ev}, st.Body.Env...)
		}
	}
}

// usesRef reports whether a step runs a WorkflowTemplate's template, whose
// outputs pipec cannot know.
func usesRef(d *dsl.StepDecl) bool {
	for _, cl := range d.Clauses {
		if cl.Uses != nil && cl.Uses.Ref != nil {
			return true
		}
	}
	return false
}

func hasLoop(d *dsl.StepDecl) bool {
	for _, cl := range d.Clauses {
		if cl.Loop != nil {
			return true
		}
	}
	return false
}

func pipelineHasBad(p *dsl.Pipeline) bool {
	for _, it := range p.Items {
		if it.Bad != nil {
			return true
		}
	}
	return false
}

func hasBad(items []*dsl.StepItem) bool {
	for _, it := range items {
		if it.Bad != nil {
			return true
		}
	}
	return false
}

func hasEnv(list []*EnvVar, name string) bool {
	for _, e := range list {
		if e.Name == name {
			return true
		}
	}
	return false
}

// templateScope binds a template's parameters to the call's arguments.
func (c *checker) templateScope(caller *scope, t *dsl.TemplateDecl, uses *dsl.UsesClause) *scope {
	sc := &scope{p: caller.p, step: caller.step, loop: nil, tparams: map[string]*Ref{}, template: t}
	args := map[string]*dsl.Arg{}
	for _, a := range uses.Args {
		if _, dup := args[a.Name.Name]; dup {
			c.errorf(a.Name, "argument %q is given twice", a.Name.Name)
			continue
		}
		args[a.Name.Name] = a
	}
	declared := map[string]bool{}
	var names []string
	for _, tp := range t.Params {
		declared[tp.Name.Name] = true
		names = append(names, tp.Name.Name)
		typ := tp.Type.Name
		if !contains(paramTypes, typ) {
			if c.checkedTemplates == nil || !c.checkedTemplates[t] {
				c.unknownWord(tp.Type, "parameter type", paramTypes)
			}
			typ = "any"
		}
		ref := &Ref{Path: tp.Name.Name, Kind: RefTemplateParam, TemplateParam: tp.Name.Name}
		if a := args[tp.Name.Name]; a != nil {
			if a.Value.Str != nil {
				ref.Arg = c.text(caller, a.Value.Str)
				if typ != "string" && typ != "json" && typ != "any" && len(ref.Arg.Refs) == 0 {
					c.errorf(a.Value, "argument %q of template %q must be of type %s, got string", tp.Name.Name, t.Name.Name, typ)
				}
			} else if v, ok := c.typedValue(a.Value, typ, fmt.Sprintf("argument %q of template %q", tp.Name.Name, t.Name.Name)); ok {
				ref.Arg = &Text{Value: v}
			}
		} else if tp.Default != nil {
			if v, ok := c.typedValue(tp.Default, typ, "the default of "+tp.Name.Name); ok {
				ref.Arg = &Text{Value: v}
			}
		} else {
			c.errorf(uses.Template, "template %q needs argument %q (%s)", t.Name.Name, tp.Name.Name, typ).WithHint("add %s = ... to the call", tp.Name.Name)
		}
		sc.tparams[tp.Name.Name] = ref
	}
	for _, a := range uses.Args {
		if !declared[a.Name.Name] {
			dd := c.errorf(a.Name, "template %q has no parameter %q", t.Name.Name, a.Name.Name)
			if s := diag.Suggest(a.Name.Name, names); s != "" {
				dd.WithHint("did you mean %q?", s)
			}
		}
	}
	if c.checkedTemplates == nil {
		c.checkedTemplates = map[*dsl.TemplateDecl]bool{}
	}
	c.checkedTemplates[t] = true
	return sc
}

func (c *checker) loop(sc *scope, l *dsl.LoopClause) *Loop {
	lp := &Loop{Var: l.Var.Name, Decl: l}
	src := l.Source
	switch {
	case src.List != nil:
		if len(src.List.Elems) == 0 {
			c.errorf(src, "the loop list is empty: the step would never run")
		}
		var keysSeen map[string]int
		for i, e := range src.List.Elems {
			switch {
			case e.Map != nil:
				m := map[string]any{}
				for _, ent := range e.Map.Entries {
					v, err := literal(ent.Value)
					if err != nil {
						c.errorf(ent.Value, "%v", err)
					}
					m[ent.Key.Value()] = v
				}
				if keysSeen == nil {
					keysSeen = map[string]int{}
				}
				for k := range m {
					keysSeen[k]++
				}
				lp.Items = append(lp.Items, m)
			case e.Str != nil || e.Int != nil || e.Float != nil || e.Bool != nil:
				v, _ := literal(e)
				lp.Items = append(lp.Items, v)
				if keysSeen != nil {
					c.errorf(e, "loop item %d is a %s but earlier items are maps: all items must be of one kind", i+1, e.Kind())
				}
			default:
				c.errorf(e, "a loop item must be a string, number, bool or map, got %s", e.Kind())
			}
		}
		for k, n := range keysSeen {
			if n == len(lp.Items) {
				lp.Keys = append(lp.Keys, k)
			}
		}
		sort.Strings(lp.Keys)
	case src.Call != nil && src.Call.Name.Name == "range":
		var nums []int
		for _, a := range src.Call.Args {
			if n, ok := c.intValue(a, "a range bound"); ok {
				nums = append(nums, n)
			}
		}
		switch len(src.Call.Args) {
		case 1:
			if len(nums) == 1 {
				zero := 0
				lp.Start, lp.End = &zero, &nums[0]
			}
		case 2:
			if len(nums) == 2 {
				lp.Start, lp.End = &nums[0], &nums[1]
			}
		default:
			c.errorf(src.Call, "range takes (end) or (start, end), got %d arguments", len(src.Call.Args))
		}
		if lp.Start != nil && *lp.End <= *lp.Start {
			c.errorf(src.Call, "range(%d, %d) is empty: the end is exclusive and must be greater than the start", *lp.Start, *lp.End)
		}
	case src.Call != nil:
		c.unknownWord(src.Call.Name, "loop source", []string{"range"}).WithHint("loop over a list [...], range(start, end), or a step output such as gen.items")
	case src.Path != nil:
		// A JSON list: a parameter or a step output.
		lit := &dsl.StringLit{Span: src.Span, Raw: `"${` + src.Path.String() + `}"`}
		t := &Text{Value: "${" + src.Path.String() + "}", Lit: lit, Refs: map[string]*Ref{}}
		lp.Param = t
		if target := sc.p.stepsByName[src.Path.String()]; target != nil && len(src.Path.Parts) == 1 {
			// for x in step: one item per iteration of a looped step, a map of its outputs.
			if target == sc.step {
				c.errorf(src, "a step cannot loop over its own outputs")
				return lp
			}
			if target.Decl.Clauses == nil || !hasLoop(target.Decl) {
				c.errorf(src, "step %q does not loop; loop over one of its outputs instead, such as %s.result", target.Name, target.Name)
				return lp
			}
			t.Refs[src.Path.String()] = &Ref{Path: src.Path.String(), Kind: RefAllOutputs, Step: target, Range: src.Range()}
			c.use(sc, t.Refs[src.Path.String()], src.Range())
			lp.Keys = c.outputDecls(target)
			if !sc.step.dependsOn(target) {
				sc.step.Deps = append(sc.step.Deps, &Dep{Step: target, Implicit: true, Range: src.Range()})
			}
			return lp
		}
		if ref := c.resolve(sc, src.Path.String(), src.Range()); ref != nil {
			if ref.Kind == RefLoopVar {
				c.errorf(src, "a loop cannot iterate over its own variable")
			}
			t.Refs[src.Path.String()] = ref
			c.use(sc, ref, src.Range())
		}
		lp.Param = t
	case src.Str != nil:
		// "${gen.items}" in quotes is accepted too.
		lp.Param = c.text(sc, src.Str)
	default:
		c.errorf(src, "cannot loop over %s", src.Kind()).WithHint("loop over a list [...], range(start, end), or a step output such as gen.items")
	}
	return lp
}

func (c *checker) body(sc *scope, st *Step, items []*dsl.StepItem) {
	b := st.Body
	once := map[string]dsl.Node{}
	single := func(key string, n dsl.Node) bool {
		if prev, ok := once[key]; ok {
			c.errorf(n, "%s is set twice in step %q (first at %s)", key, st.Name, prev.Range())
			return false
		}
		once[key] = n
		return true
	}
	for _, it := range items {
		switch s := it.Stmt.(type) {
		case *dsl.ImageStmt:
			if single("image", s) {
				b.Image = c.text(sc, s.Image)
			}
		case *dsl.RunStmt:
			if !single(s.Kind, s) {
				continue
			}
			var list []*Text
			for _, e := range s.List.Elems {
				if e.Str == nil {
					if e.Int != nil || e.Float != nil {
						c.errorf(e, "%s takes strings; quote %s", s.Kind, e.Kind()).WithHint(`write "%s"`, literalString(e))
					} else {
						c.errorf(e, "%s takes a list of strings, got %s", s.Kind, e.Kind())
					}
					continue
				}
				list = append(list, c.text(sc, e.Str))
			}
			if len(s.List.Elems) == 0 {
				c.errorf(s.List, "%s needs at least one element", s.Kind)
			}
			if s.Kind == "run" {
				b.Command = list
			} else {
				b.Args = list
			}
		case *dsl.ScriptStmt:
			if !single("script", s) {
				continue
			}
			sc2 := &Script{Source: c.text(sc, s.Source)}
			if s.Lang != nil {
				cmd, ok := scriptCommands[s.Lang.Name]
				if !ok {
					d := c.unknownWord(s.Lang, "script language", keys(scriptCommands))
					d.Hint += `; or give the interpreter: script ["perl"] """..."""`
				}
				sc2.Command = cmd
			} else {
				for _, e := range s.Command.Elems {
					if e.Str == nil {
						c.errorf(e, "the script command must be a list of strings")
						continue
					}
					sc2.Command = append(sc2.Command, e.Str.Value())
				}
			}
			b.Script = sc2
		case *dsl.EnvStmt:
			if ev := c.env(s, sc); ev != nil {
				if hasEnv(b.Env, ev.Name) {
					c.errorf(s.Name, "environment variable %q is set twice", ev.Name)
					continue
				}
				b.Env = append(b.Env, ev)
			}
		case *dsl.ResourceStmt:
			if !single(s.Kind, s) {
				continue
			}
			name := s.Kind
			if name == "gpu" {
				name = "nvidia.com/gpu"
			}
			if q, ok := c.quantity(s.Request, s.Kind); ok {
				if s.Kind == "gpu" {
					b.Limits = append(b.Limits, KV{name, q})
				} else {
					b.Requests = append(b.Requests, KV{name, q})
				}
			}
			if s.Limit != nil {
				if s.Kind == "gpu" {
					c.errorf(s.Limit, "a gpu count is already a limit")
				} else if q, ok := c.quantity(s.Limit, s.Kind+" limit"); ok {
					b.Limits = append(b.Limits, KV{name, q})
				}
			}
		case *dsl.OutputStmt:
			name := s.Name.Name
			for _, o := range st.Outputs {
				if o.Name == name {
					c.errorf(s.Name, "output %q is declared twice in step %q", name, st.Name)
				}
			}
			if name == "result" {
				c.errorf(s.Name, "output name %q is reserved: ${%s.result} is the standard output of the step", name, st.Name)
				continue
			}
			if strings.Contains(name, "-") {
				c.errorf(s.Name, "output name %q cannot contain '-'", name).WithHint("use %q", strings.ReplaceAll(name, "-", "_"))
			}
			out := &StepOutput{Name: name, Decl: s}
			if s.Source.Name.Name != "file" {
				c.unknownWord(s.Source.Name, "output source", []string{"file"}).WithHint(`output %s = file("/tmp/%s.txt")`, name, name)
			} else if len(s.Source.Args) != 1 || s.Source.Args[0].Str == nil {
				c.errorf(s.Source, `file() takes one path in quotes, e.g. file("/tmp/%s.txt")`, name)
			} else {
				out.Path = c.text(sc, s.Source.Args[0].Str)
				if !strings.HasPrefix(out.Path.Value, "/") {
					c.errorf(s.Source.Args[0], "output path %q must be absolute", out.Path.Value)
				}
			}
			if s.Default != nil {
				v := s.Default.Value()
				out.Default = &v
			}
			st.Outputs = append(st.Outputs, out)
		case *dsl.MountStmt:
			vol := argoName(s.Volume.Name)
			found := false
			var names []string
			for _, v := range sc.p.Volumes {
				names = append(names, v.Name)
				if v.Name == vol {
					found = true
				}
			}
			if !found {
				dd := c.errorf(s.Volume, "unknown volume %q", s.Volume.Name)
				if sug := diag.Suggest(vol, names); sug != "" {
					dd.WithHint("did you mean %q?", sug)
				} else {
					dd.WithHint(`declare it in the pipeline: volume %s = pvc("claim-name")`, s.Volume.Name)
				}
			}
			if !strings.HasPrefix(s.Path.Value(), "/") {
				c.errorf(s.Path, "mount path %q must be absolute", s.Path.Value())
			}
			m := &Mount{Volume: vol, Path: s.Path.Value(), ReadOnly: s.ReadOnly}
			if s.SubPath != nil {
				m.SubPath = s.SubPath.Value()
			}
			b.Mounts = append(b.Mounts, m)
		case *dsl.WorkdirStmt:
			if single("workdir", s) {
				b.Workdir = c.text(sc, s.Dir)
			}
		case *dsl.TimeoutStmt:
			if single("timeout", s) {
				if d, ok := c.duration(s.Value); ok {
					secs := int64(d.Seconds())
					if secs < 1 {
						c.errorf(s.Value, "a step timeout must be at least 1s")
					}
					b.Timeout = &secs
				}
			}
		case *dsl.RetryStmt:
			if single("retry", s) {
				st.Retry = c.retry(s)
			}
		case *dsl.MemoizeStmt:
			if !single("memoize", s) {
				continue
			}
			on, maxAge := c.memoize(s)
			if st.Handler != "" && on && s.Mode == "on" {
				c.errorf(s, "exit and failure handlers are never memoized: they must run on every outcome")
				continue
			}
			if s.Mode != "" {
				st.Memoize = on && st.Handler == ""
				st.MemoizeExplicit = true
			}
			if maxAge != "" {
				st.MaxAge = maxAge
			}
		case *dsl.NodeSelectorStmt:
			b.NodeSelector = append(b.NodeSelector, &TextKV{s.Key.Value(), c.text(sc, s.Value)})
		case *dsl.TolerationStmt:
			b.Tolerations = append(b.Tolerations, c.toleration(s))
		case *dsl.LabelStmt:
			kv := KV{s.Key.Value(), c.literalOnly(s.Value, "a "+s.Kind)}
			if s.Kind == "label" {
				b.Labels = append(b.Labels, kv)
			} else {
				b.Annotations = append(b.Annotations, kv)
			}
		case *dsl.RawStmt:
			b.Raw = append(b.Raw, s)
		}
	}
	if b.Script != nil && len(b.Command) > 0 {
		c.errorf(once["script"], "step %q has both run and script; use one", st.Name)
	}
}

func (c *checker) env(s *dsl.EnvStmt, sc *scope) *EnvVar {
	name := s.Name.Value()
	if name == EnvRetryRunID || name == EnvRetryIndicator {
		c.errorf(s.Name, "environment variable %q is set by pipec in every container", name).WithHint("see docs/retries.md")
		return nil
	}
	if !envNameRE.MatchString(name) {
		c.errorf(s.Name, "invalid environment variable name %q", name)
		return nil
	}
	ev := &EnvVar{Name: name, Range: s.Range()}
	v := s.Value
	switch {
	case v.Str != nil:
		if sc == nil {
			ev.Value = c.plainText(v.Str, "a pipeline-wide env value")
		} else {
			ev.Value = c.text(sc, v.Str)
		}
	case v.Int != nil || v.Float != nil || v.Bool != nil:
		s := literalString(v)
		ev.Value = &Text{Value: s}
	case v.Call != nil && (v.Call.Name.Name == "secret" || v.Call.Name.Name == "config_map"):
		args := c.stringArgs(v.Call)
		if len(args) != 2 {
			c.errorf(v.Call, `%s() takes a name and a key: %s("name", "key")`, v.Call.Name.Name, v.Call.Name.Name)
			return nil
		}
		if v.Call.Name.Name == "secret" {
			ev.SecretRef = &apiv1.SecretKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
		} else {
			ev.ConfigRef = &apiv1.ConfigMapKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
		}
	case v.Call != nil:
		c.unknownWord(v.Call.Name, "env source", []string{"secret", "config_map"})
		return nil
	default:
		c.errorf(v, "an env value must be a string, secret(...) or config_map(...), got %s", v.Kind())
		return nil
	}
	return ev
}

// ---- text and references ----

// literalOnly returns a string's value, reporting any ${...} in it: the
// field it goes to is fixed when the workflow is created.
func (c *checker) literalOnly(s *dsl.StringLit, what string) string {
	refs, _ := dsl.Interpolations(s)
	for _, r := range refs {
		c.diags.Errorf(r.Range, "${%s} cannot be used in %s", r.Path, what).WithHint("write the value literally, or $${ for a literal ${")
	}
	return s.Value()
}

// plainText accepts a string that may only use Argo's own variables.
func (c *checker) plainText(s *dsl.StringLit, what string) *Text {
	t := &Text{Value: s.Value(), Lit: s, Refs: map[string]*Ref{}}
	refs, unclosed := dsl.Interpolations(s)
	for _, r := range unclosed {
		c.diags.Errorf(r, "unclosed ${: a reference ends with }").WithHint("write $${ for a literal ${")
	}
	for _, r := range refs {
		if contains(argoVariables, r.Path) {
			t.Refs[r.Path] = &Ref{Path: r.Path, Kind: RefArgo, Argo: r.Path, Range: r.Range}
			c.use(nil, t.Refs[r.Path], r.Range)
			continue
		}
		c.diags.Errorf(r.Range, "%s cannot use ${%s}: only Argo's workflow variables are available here", what, r.Path)
	}
	return t
}

// argText is a template-call or ref argument value in the step's scope.
func (c *checker) argText(sc *scope, v *dsl.Value) *Text {
	if v.Str != nil {
		return c.text(sc, v.Str)
	}
	if v.Int != nil || v.Float != nil || v.Bool != nil {
		return &Text{Value: literalString(v)}
	}
	if v.List != nil || v.Map != nil {
		j, err := literalJSON(v)
		if err != nil {
			c.errorf(v, "%v", err)
		}
		return &Text{Value: j}
	}
	c.errorf(v, "an argument must be a literal value, got %s", v.Kind())
	return &Text{}
}

func (c *checker) text(sc *scope, s *dsl.StringLit) *Text {
	t := &Text{Value: s.Value(), Lit: s, Refs: map[string]*Ref{}}
	refs, unclosed := dsl.Interpolations(s)
	for _, r := range unclosed {
		c.diags.Errorf(r, "unclosed ${: a reference ends with }").WithHint("write $${ for a literal ${")
	}
	for _, r := range refs {
		ref, done := t.Refs[r.Path]
		if !done {
			if ref = c.resolve(sc, r.Path, r.Range); ref == nil {
				continue
			}
			t.Refs[r.Path] = ref
		}
		c.use(sc, ref, r.Range)
	}
	return t
}

// use records one occurrence of a resolved reference in Program.Uses.
func (c *checker) use(sc *scope, ref *Ref, r diag.Range) {
	u := &Use{Ref: ref, Range: r}
	if sc != nil {
		u.Step, u.Template = sc.step, sc.template
	}
	c.prog.Uses = append(c.prog.Uses, u)
}

// resolve finds what ${path} refers to in a scope and records the
// dependency a step output implies.
func (c *checker) resolve(sc *scope, path string, rng diag.Range) *Ref {
	if path == "" {
		c.diags.Errorf(rng, "empty reference ${}")
		return nil
	}
	parts := strings.Split(path, ".")
	head := parts[0]
	ref := &Ref{Path: path, Range: rng}
	// Loop variable.
	if sc.loop != nil && head == sc.loop.Var && sc.template == nil {
		ref.Kind = RefLoopVar
		if len(parts) > 2 {
			c.diags.Errorf(rng, "${%s}: a loop item field is one level deep", path)
			return nil
		}
		if len(parts) == 2 {
			ref.Field = parts[1]
			if sc.loop.Items != nil && len(sc.loop.Keys) == 0 {
				c.diags.Errorf(rng, "${%s}: the items of this loop are not maps", path).WithHint("use ${%s}", head)
				return nil
			}
			if (sc.loop.Items != nil || len(sc.loop.Keys) > 0) && !contains(sc.loop.Keys, ref.Field) {
				dd := c.diags.Errorf(rng, "${%s}: not every loop item has the key %q", path, ref.Field)
				if s := diag.Suggest(ref.Field, sc.loop.Keys); s != "" {
					dd.WithHint("did you mean ${%s.%s}?", head, s)
				} else {
					dd.WithHint("the keys are: %s", strings.Join(sc.loop.Keys, ", "))
				}
				return nil
			}
		} else if len(sc.loop.Keys) > 0 && sc.loop.Items != nil {
			c.diags.Errorf(rng, "${%s} is a map; use one of its keys", path).WithHint("for example ${%s.%s}", head, sc.loop.Keys[0])
			return nil
		}
		return ref
	}
	// Template parameter.
	if sc.template != nil {
		if tp := sc.tparams[head]; tp != nil && len(parts) == 1 {
			return tp
		}
		if contains(argoVariables, path) {
			ref.Kind, ref.Argo = RefArgo, path
			if path == "retries" && sc.step != nil {
				sc.step.UsesRetries = true
			}
			return ref
		}
		var names []string
		for n := range sc.tparams {
			names = append(names, n)
		}
		sort.Strings(names)
		dd := c.diags.Errorf(rng, "unknown reference ${%s} in template %q", path, sc.template.Name.Name)
		if s := diag.Suggest(path, names); s != "" {
			dd.WithHint("did you mean ${%s}?", s)
		} else {
			dd.WithHint("a template sees only its own parameters (%s) and Argo's variables; pass values as arguments", strings.Join(names, ", "))
		}
		return nil
	}
	if head == "workflow" || head == "pod" || head == "node" || path == "retries" {
		if !contains(argoVariables, path) {
			dd := c.diags.Errorf(rng, "unknown Argo variable ${%s}", path)
			if s := diag.Suggest(path, argoVariables); s != "" {
				dd.WithHint("did you mean ${%s}?", s)
			}
			return nil
		}
		if path == "workflow.status" || path == "workflow.failures" {
			if sc.step == nil || sc.step.Handler == "" {
				c.diags.Errorf(rng, "${%s} is only known in exit and failure handlers", path)
				return nil
			}
		}
		ref.Kind, ref.Argo = RefArgo, path
		if path == "retries" && sc.step != nil {
			sc.step.UsesRetries = true
		}
		return ref
	}
	// Pipeline parameter.
	for _, prm := range sc.p.Params {
		if prm.Name == head {
			if len(parts) > 1 {
				c.diags.Errorf(rng, "${%s}: parameter %q has no fields", path, head)
				return nil
			}
			ref.Kind, ref.Param = RefParam, prm
			return ref
		}
	}
	if head == ParamRunID || head == ParamRetryRunID || head == ParamRetryIndicator {
		c.diags.Errorf(rng, "${%s}: the retry parameters are given to every container as the environment variables %s and %s", path, EnvRetryRunID, EnvRetryIndicator).WithHint("read the environment variable instead")
		return nil
	}
	// Step output.
	if target := sc.p.stepsByName[head]; target != nil {
		if len(parts) != 2 {
			c.diags.Errorf(rng, "${%s} refers to step %q; name one of its outputs, such as ${%s.result}", path, head, head)
			return nil
		}
		out := parts[1]
		if sc.step != nil && target == sc.step {
			c.diags.Errorf(rng, "step %q cannot use its own output ${%s}", head, path)
			return nil
		}
		if sc.step != nil && (target.Handler != "" || sc.step.Handler != "") {
			c.diags.Errorf(rng, "${%s}: exit and failure handlers run after the main steps and cannot exchange outputs with them", path)
			return nil
		}
		if out == "result" {
			ref.Kind, ref.Step = RefResult, target
			target.ResultUsed = true
		} else {
			ref.Kind, ref.Step, ref.Output = RefOutput, target, out
			if !usesRef(target.Decl) && !c.declaresOutput(target, out) {
				var names []string
				for _, it := range c.outputDecls(target) {
					names = append(names, it)
				}
				names = append(names, "result")
				dd := c.diags.Errorf(rng, "step %q has no output %q", head, out)
				if s := diag.Suggest(out, names); s != "" {
					dd.WithHint("did you mean ${%s.%s}?", head, s)
				} else {
					dd.WithHint("declare it in step %s: output %s = file(\"/tmp/%s\")", head, out, out)
				}
				return nil
			}
		}
		if sc.step != nil && !sc.step.dependsOn(target) {
			sc.step.Deps = append(sc.step.Deps, &Dep{Step: target, Implicit: true, Range: rng})
		}
		return ref
	}
	// Nothing matched.
	// A dotted reference names a step's output; a plain one a parameter or
	// the loop variable: suggest only what could fit.
	var candidates []string
	if len(parts) > 1 {
		for name := range sc.p.stepsByName {
			candidates = append(candidates, name)
		}
	} else {
		for _, prm := range sc.p.Params {
			candidates = append(candidates, prm.Name)
		}
		if sc.loop != nil {
			candidates = append(candidates, sc.loop.Var)
		}
	}
	sort.Strings(candidates)
	what := "parameter, step or loop variable"
	if len(parts) > 1 {
		what = "step"
	}
	dd := c.diags.Errorf(rng, "unknown reference ${%s}: no %s %q", path, what, head)
	if s := diag.Suggest(head, candidates); s != "" {
		dd.WithHint("did you mean ${%s}?", strings.Replace(path, head, s, 1))
	} else if len(parts) == 1 {
		dd.WithHint(`declare it: param %s = "..."; or write $${%s} for a literal ${`, head, path)
	}
	return nil
}

// declaresOutput looks at the step's declaration, which may not have been
// checked yet (references can point forward).
func (c *checker) declaresOutput(st *Step, name string) bool {
	return contains(c.outputDecls(st), name)
}

func (c *checker) outputDecls(st *Step) []string {
	var names []string
	add := func(items []*dsl.StepItem) {
		for _, it := range items {
			if o, ok := it.Stmt.(*dsl.OutputStmt); ok {
				names = append(names, o.Name.Name)
			}
		}
	}
	add(st.Decl.Items)
	for _, cl := range st.Decl.Clauses {
		if cl.Uses != nil && cl.Uses.Template != nil {
			if t := c.templatesFor(st.Pipeline.File.Name)[cl.Uses.Template.Name]; t != nil {
				add(t.Items)
			}
		}
	}
	return names
}

func (st *Step) dependsOn(t *Step) bool {
	for _, d := range st.Deps {
		if d.Step == t {
			return true
		}
	}
	return false
}

// checkCycles reports each dependency cycle once, naming it.
func (c *checker) checkCycles(p *Pipeline) {
	const (
		unvisited = iota
		active
		done
	)
	state := map[*Step]int{}
	var stack []*Step
	var visit func(s *Step)
	visit = func(s *Step) {
		state[s] = active
		stack = append(stack, s)
		for _, d := range s.Deps {
			switch state[d.Step] {
			case active:
				i := 0
				for stack[i] != d.Step {
					i++
				}
				var names []string
				for _, x := range stack[i:] {
					names = append(names, x.Name)
				}
				names = append(names, d.Step.Name)
				c.diags.Errorf(d.Range, "dependency cycle: %s", strings.Join(names, " -> ")).WithHint("a step cannot (even indirectly) wait for itself; remove one of these dependencies")
			case unvisited:
				visit(d.Step)
			}
		}
		stack = stack[:len(stack)-1]
		state[s] = done
	}
	for _, s := range append(append([]*Step{}, p.Steps...), p.ExitSteps...) {
		if state[s] == unvisited {
			visit(s)
		}
	}
}

// ---- small helpers ----

func (c *checker) unknownStep(p *Pipeline, id *dsl.Ident) {
	var names []string
	for n := range p.stepsByName {
		names = append(names, n)
	}
	sort.Strings(names)
	dd := c.errorf(id, "unknown step %q", id.Name)
	if s := diag.Suggest(id.Name, names); s != "" {
		dd.WithHint("did you mean %q?", s)
	}
}

func (c *checker) unknownWord(id *dsl.Ident, what string, allowed []string) *diag.Diagnostic {
	sort.Strings(allowed)
	dd := c.errorf(id, "unknown %s %q", what, id.Name)
	if s := diag.Suggest(id.Name, allowed); s != "" {
		dd.WithHint("did you mean %q? (one of: %s)", s, strings.Join(allowed, ", "))
	} else {
		dd.WithHint("one of: %s", strings.Join(allowed, ", "))
	}
	return dd
}

func (c *checker) intValue(v *dsl.Value, what string) (int, bool) {
	if v == nil {
		return 0, false
	}
	if v.Int == nil {
		c.errorf(v, "%s must be a whole number, got %s", what, v.Kind())
		return 0, false
	}
	n, err := strconv.Atoi(*v.Int)
	if err != nil {
		c.errorf(v, "%s: %s is out of range", what, *v.Int)
		return 0, false
	}
	return n, true
}

func (c *checker) quantity(v *dsl.Value, what string) (string, bool) {
	var s string
	switch {
	case v.Str != nil:
		s = v.Str.Value()
	case v.Int != nil:
		s = *v.Int
	case v.Float != nil:
		s = *v.Float
	default:
		c.errorf(v, "%s must be a quantity such as \"500m\" or \"1Gi\", got %s", what, v.Kind())
		return "", false
	}
	if _, err := resource.ParseQuantity(s); err != nil {
		c.errorf(v, "invalid %s quantity %q", what, s).WithHint(`for example "500m" or "2" for cpu, "512Mi" or "1Gi" for memory`)
		return "", false
	}
	return s, true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// argoName maps a pipec name to an Argo name deterministically: '_'
// becomes '-', and letters are
// lower case (pod names include template names and must be lower case).
func argoName(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", "-")) }

// ArgoVariables lists the Argo workflow variables that ${...} may use (some
// only in exit and failure handlers).
func ArgoVariables() []string { return append([]string(nil), argoVariables...) }
