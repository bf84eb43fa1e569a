// Pipeline settings: the checker reads a pipeline's statements into the
// Pipeline model, and the lowerer turns the model into the WorkflowSpec.

package compiler

import (
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/dsl"
)

func (c *checker) pipeline(f *dsl.File, decl *dsl.Pipeline, templates map[string]*dsl.TemplateDecl, doc *dsl.CommentGroup) *Pipeline {
	p := &Pipeline{Decl: decl, File: f, Name: decl.Name.Name, Kind: KindWorkflow, Memoize: true, MaxAge: DefaultMaxAge, EntryName: EntryTemplate, ExitName: ExitTemplate, stepsByName: map[string]*Step{}}
	c.checkPipelineName(p)
	if doc != nil {
		p.Description = doc.Text()
	}
	var kindStmt *dsl.KindStmt
	var memo *dsl.MemoizeStmt
	var steps []*dsl.StepDecl
	var outputs []*dsl.PipelineItem
	var scopeIns []*dsl.InputStmt
	var scopeOuts []*dsl.ArtifactStmt
	var stageDecls []*dsl.StageDecl
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
				if !isDNSLabel(p.Namespace) {
					c.errorf(s.Namespace, "invalid namespace %q: it must be lower case letters, digits and '-'", p.Namespace)
				}
			}
		case *dsl.ServiceAccountStmt:
			if single("service_account", s) {
				p.ServiceAccount = s.Name.Value()
			}
		case *dsl.LabelStmt:
			kv := KV{s.Key.Value(), c.literalOnly(s.Value, "a "+s.Kind)}
			c.labelKV(s, kv.Value)
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
				c.podGCOptions(p, s)
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
			c.nodeSelector(s, nil)
			p.NodeSelector = append(p.NodeSelector, KV{s.Key.Value(), c.literalOnly(s.Value, "a pipeline's node_selector (set it in a step to use references)")})
		case *dsl.TolerationStmt:
			p.Tolerations = append(p.Tolerations, c.toleration(s))
		case *dsl.PullSecretStmt:
			p.PullSecrets = append(p.PullSecrets, s.Name.Value())
		case *dsl.ParamStmt:
			c.param(p, s, item.Doc)
		case *dsl.RetryStmt:
			if single("retry", s) {
				p.Retry = c.retry(nil, s)
			}
		case *dsl.MemoizeStmt:
			if single("memoize", s) {
				memo = s
			}
		case *dsl.ScheduleStmt:
			p.Schedules = append(p.Schedules, s.Cron.Value())
			c.schedule(s.Cron)
			if s.Timezone != nil {
				c.timezone(s.Timezone)
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
		case *dsl.SyncStmt:
			c.sync(&p.Sync, s)
		case *dsl.ArtifactRepositoryStmt:
			if single("artifact_repository", s) {
				c.artifactRepository(p, s)
			}
		case *dsl.ArtifactGCStmt:
			if single("artifact_gc", s) {
				p.ArtifactGC = c.artifactGC(s.Strategy)
			}
		case *dsl.SettingStmt:
			if single(s.Name, s) {
				c.setting(p, s)
			}
		case *dsl.StepDecl:
			steps = append(steps, s)
		case *dsl.OutputStmt:
			outputs = append(outputs, item)
		case *dsl.InputStmt, *dsl.ArtifactStmt:
			in, out := c.scopeStmts(s)
			if in != nil {
				scopeIns = append(scopeIns, in)
			}
			if out != nil {
				scopeOuts = append(scopeOuts, out)
			}
		case *dsl.StageDecl:
			stageDecls = append(stageDecls, s)
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
		case "cluster_workflow_template":
			p.Kind = KindClusterWorkflowTemplate
			if len(p.Schedules) > 0 {
				c.errorf(kindStmt, "a pipeline with a schedule is a CronWorkflow; it cannot also be a cluster_workflow_template")
			}
			if p.Namespace != "" {
				c.errorf(kindStmt, "a cluster_workflow_template belongs to the whole cluster; it cannot have a namespace").
					WithHint("remove the namespace statement, or use kind workflow_template")
			}
		default:
			c.unknownWord(kindStmt.Kind, "kind", []string{"workflow", "workflow_template", "cluster_workflow_template"})
		}
	}
	if len(p.Schedules) > 0 && p.Kind == KindWorkflow {
		p.Kind = KindCronWorkflow
		if len(p.Name) > 52 {
			c.errorf(decl.Name, "pipeline name %q is %d characters; a scheduled pipeline (CronWorkflow) name may have at most 52", p.Name, len(p.Name))
		}
		for _, prm := range p.Params {
			if prm.Default == nil && prm.FromConfigMap == nil {
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
	c.scopeInputs(p, scopeIns)
	steps, stageOf := c.stageSteps(p, stageDecls, steps)
	// Declare every step before resolving any, so references may point forward.
	// Every step declared so far, by Argo name: the first, and the others
	// of the same name in dupArgoNames.
	byArgoName := make(map[string]*Step, len(steps))
	var dupArgoNames map[string][]*Step
	if len(p.stepsByName) == 0 {
		p.stepsByName = make(map[string]*Step, len(steps))
	}
	for _, s := range steps {
		st := p.newStep(len(steps), Step{Name: s.Name.Name, ArgoName: taskName(s.Name.Name), Decl: s, Handler: s.Handler(), Pipeline: p})
		if !isArgoName(st.ArgoName) || len(st.ArgoName) > 128 {
			c.errorf(s.Name, "step name %q cannot be an Argo task name", st.Name).WithHint("use letters, digits, '-' and '_', at most 128 characters, starting with a letter or digit")
		}
		if prev := p.stepsByName[st.Name]; prev != nil {
			c.errorf(s.Name, "step %q is defined twice (first at %s)", st.Name, prev.Decl.Name.Range())
			continue
		}
		if first := byArgoName[st.TemplateName()]; first == nil {
			byArgoName[st.TemplateName()] = st
		} else {
			// Main steps first, then handlers, each in source order.
			same := append([]*Step{first}, dupArgoNames[st.TemplateName()]...)
			for _, handlers := range []bool{false, true} {
				for _, other := range same {
					if (other.Handler != "") == handlers {
						c.errorf(s.Name, "steps %q and %q both become the Argo name %q", other.Name, st.Name, st.TemplateName()).WithHint("rename one of them: '_' becomes '-' and letters become lower case in Argo template names")
					}
				}
			}
			if dupArgoNames == nil {
				dupArgoNames = map[string][]*Step{}
			}
			dupArgoNames[st.TemplateName()] = append(dupArgoNames[st.TemplateName()], st)
		}
		p.stepsByName[st.Name] = st
		switch {
		case st.IsHook():
			p.Hooks = append(p.Hooks, st)
		case st.Handler != "":
			p.ExitSteps = append(p.ExitSteps, st)
		default:
			p.Steps = append(p.Steps, st)
		}
		setStage(st, stageOf)
	}
	finishStages(p)
	for _, st := range p.AllSteps() {
		c.declareHooks(p, st, "", byArgoName)
	}
	// A broken statement may be the step.
	if len(p.Steps) == 0 && !pipelineHasBad(decl) && p.setting("workflow_template_ref", "cluster_workflow_template_ref") == nil && once["library"] == nil {
		c.errorf(decl.Name, "pipeline %q has no steps", p.Name).WithHint(`add one: step hello { run ["echo", "hello"] }`)
	}
	for _, st := range p.AllSteps() {
		c.step(p, st, templates)
	}
	c.libraryTemplates(p, templates) // library.go
	c.finishSteps(p)
	c.pipelineRaw(p)
	c.pipelineOutputs(p, outputs)
	c.scopeOutputs(p, scopeOuts)
	c.checkGeneratedNames(p)
	c.checkSettings(p)
	c.checkCycles(p)
	c.pipecTemplateNames(p) // library.go
	c.checkTemplateNames(p)
	c.checkCacheSize(p)
	c.checkArtifacts(p)
	c.checkUnusedClaims(p)
	return p
}

// checkUnusedClaims warns about a new_pvc volume no step mounts: Argo
// still creates (and, with volume_claim_gc, deletes) the claim for every
// run. A raw fragment that names it may mount it.
func (c *checker) checkUnusedClaims(p *Pipeline) {
	var raws []string
	for _, r := range p.Raw {
		raws = append(raws, r.YAML.Value())
	}
	for _, st := range p.AllSteps() {
		if st.Body != nil {
			for _, r := range st.Body.Raw {
				raws = append(raws, r.YAML.Value())
			}
		}
	}
	all := strings.Join(raws, "\n")
	for _, v := range p.Volumes {
		if v.ClaimSize != "" && !v.Mounted && !strings.Contains(all, v.Name) {
			c.diags.Warnf(v.Decl.Name.Range(), "volume %q is a claim made for every run (spec.volumeClaimTemplates), but no step mounts it", v.Name).
				WithHint(`mount it in the steps that share it: mount %s at "/work"; or remove it`, v.Name)
		}
	}
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
		case st.Loop.Seq != nil && st.Loop.Seq.Len() > 0:
			instances += st.Loop.Seq.Len()
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
	case !isDNSLabel(p.Name):
		c.errorf(n, "pipeline name %q is not a valid Kubernetes object name", p.Name).WithHint("use lower case letters, digits and '-', starting and ending with a letter or digit")
	case len(p.Name) > 63:
		// The name is a label value and an object name (63 at most); a
		// Workflow's generateName may be longer than 58, which the API
		// server cuts before it adds its 5-character suffix.
		c.errorf(n, "pipeline name %q is %d characters; at most 63 are allowed (it becomes a Kubernetes object name and label value)", p.Name, len(p.Name))
	}
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

func (l *lowerer) spec() wfv1.WorkflowSpec {
	p := l.p
	spec := wfv1.WorkflowSpec{
		Entrypoint:            p.EntryName,
		ServiceAccountName:    p.ServiceAccount,
		Synchronization:       p.Sync,
		Parallelism:           p.Parallelism,
		Priority:              p.Priority,
		ActiveDeadlineSeconds: p.TimeoutSeconds,
		NodeSelector:          kvMap(p.NodeSelector),
		Tolerations:           p.Tolerations,
	}
	l.lowerArtifactSettings(&spec)
	if p.PodGC != "" {
		spec.PodGC = &wfv1.PodGC{Strategy: wfv1.PodGCStrategy(p.PodGC), DeleteDelayDuration: p.PodGCDelay}
		if p.PodGCSelector != nil {
			spec.PodGC.LabelSelector = &metav1.LabelSelector{MatchLabels: p.PodGCSelector}
		}
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
				Spec:       claimSpec(v),
			})
			continue
		}
		spec.Volumes = append(spec.Volumes, apiv1.Volume{Name: v.Name, VolumeSource: v.Source})
	}
	// Parameters: the user's, then the three retry parameters.
	for _, prm := range p.Params {
		wp := wfv1.Parameter{Name: prm.Name}
		if v, ok := l.params[prm.Name]; ok {
			wp.Value = anyString(v)
		} else if prm.Default != nil {
			wp.Value = anyString(*prm.Default)
		} else if prm.FromConfigMap != nil {
			wp.ValueFrom = &wfv1.ValueFrom{ConfigMapKeyRef: prm.FromConfigMap}
		}
		if prm.Description != "" {
			wp.Description = anyString(prm.Description)
		}
		for _, e := range prm.Enum {
			wp.Enum = append(wp.Enum, wfv1.AnyString(e))
		}
		spec.Arguments.Parameters = append(spec.Arguments.Parameters, wp)
	}
	spec.Arguments.Parameters = append(spec.Arguments.Parameters, retryParameters(l.params)...)
	if p.setting("workflow_template_ref", "cluster_workflow_template_ref") != nil {
		// The referenced template has the entry point and the templates.
		spec.Entrypoint = ""
		return spec
	}

	if p.isLibrary() {
		// Only a library: its templates, and the entry point an
		// entrypoint setting names (library.go).
		spec.Entrypoint = ""
		l.libraryTemplates(p, &spec)
		spec.Templates = append(spec.Templates, l.compositeTemplates(p)...)
		return spec
	}
	l.dagTemplates(p, &spec)
	l.libraryTemplates(p, &spec)
	spec.Templates = append(spec.Templates, l.compositeTemplates(p)...)
	return spec
}

// dagTemplates adds the entry point's DAG, the exit handler's and every
// template they run to spec, with its exit handler and hooks. The steps'
// templates are built in place in spec.Templates, after the entry point's
// and the exit handler's.
func (l *lowerer) dagTemplates(p *Pipeline, spec *wfv1.WorkflowSpec) {
	main := wfv1.Template{Name: p.EntryName, DAG: &wfv1.DAGTemplate{}}
	// spec.Templates: what it had, the entry point's and the exit
	// handler's (head), the steps' (built in place in all), then the
	// others (leaves).
	head := len(spec.Templates) + 1
	if len(p.ExitSteps) > 0 {
		head++
	}
	var all []wfv1.Template
	var leaves []wfv1.Template
	if p.Stages != nil {
		main, leaves = l.stagesTemplate(p.EntryName, p.Stages)
	} else {
		counts, n := templateCounts(p.Steps)
		all = make([]wfv1.Template, head+n, head+n+len(p.ExitSteps)+len(p.Hooks))
		copy(all, spec.Templates)
		main.DAG.Tasks = l.stepsInto(p.Steps, counts, all[head:])
		spec.Templates = all[:len(spec.Templates)]
	}
	main.Outputs.Parameters = l.dagOutputs(p.Outputs)
	l.scopeArtifactsLowered(p, &main)
	spec.Arguments.Artifacts = workflowArtifacts(p)
	spec.Templates = append(spec.Templates, main)
	if len(p.ExitSteps) > 0 {
		exit := wfv1.Template{Name: p.ExitName, DAG: &wfv1.DAGTemplate{}}
		if p.ExitStages != nil {
			var tmpls []wfv1.Template
			exit, tmpls = l.stagesTemplate(p.ExitName, p.ExitStages)
			leaves = append(leaves, tmpls...)
		}
		for _, st := range p.ExitSteps {
			if st.Stage != nil {
				continue // lowered with its stage
			}
			task, tmpls := l.step(st)
			if st.Handler == "failure" {
				task.When = failureWhen(task.When)
			}
			exit.DAG.Tasks = append(exit.DAG.Tasks, task)
			leaves = append(leaves, tmpls...)
		}
		spec.Templates = append(spec.Templates, exit)
		spec.OnExit = p.ExitName
	}
	if all != nil {
		// The head was appended in place in all: the steps' templates
		// follow it.
		spec.Templates = all
	}
	hooks, hookTmpls := l.hooks(p.Hooks)
	spec.Hooks = hooks
	leaves = append(leaves, hookTmpls...)
	spec.Templates = append(spec.Templates, leaves...)
}

// podGCOptions reads the options of a pod_gc statement.
func (c *checker) podGCOptions(p *Pipeline, s *dsl.PodGCStmt) {
	seen := map[string]bool{}
	for _, o := range s.Options {
		if seen[o.Name] {
			c.errorf(o, "pod_gc sets %s twice", o.Name)
			continue
		}
		seen[o.Name] = true
		switch o.Name {
		case "delete_delay":
			if d, ok := c.duration(o.Value); ok {
				p.PodGCDelay = argoDuration(d)
			}
		case "selector":
			if m, ok := decodeStruct[map[string]string](c, o.Value, "pod_gc selector"); ok {
				p.PodGCSelector = *m
			}
		}
	}
}
