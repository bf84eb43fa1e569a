package compiler

import (
	"strings"
	"testing"

	"github.com/pipec/pipec/diag"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// compileOne compiles one in-memory file and fails the test on any error.
func compileOne(t *testing.T, src string, params ...KV) *Object {
	t.Helper()
	res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{Params: params})
	if res.Diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%v", res.Diags)
	}
	if len(res.Outputs) != 1 {
		t.Fatalf("want 1 output, got %d", len(res.Outputs))
	}
	return res.Outputs[0].Object
}

func template(t *testing.T, spec *wfv1.WorkflowSpec, name string) *wfv1.Template {
	t.Helper()
	for i := range spec.Templates {
		if spec.Templates[i].Name == name {
			return &spec.Templates[i]
		}
	}
	t.Fatalf("no template %q", name)
	return nil
}

func task(t *testing.T, spec *wfv1.WorkflowSpec, name string) *wfv1.DAGTask {
	t.Helper()
	for _, tmpl := range spec.Templates {
		if tmpl.DAG == nil {
			continue
		}
		for i := range tmpl.DAG.Tasks {
			if tmpl.DAG.Tasks[i].Name == name {
				return &tmpl.DAG.Tasks[i]
			}
		}
	}
	t.Fatalf("no task %q", name)
	return nil
}

func TestLowerDependsAndOutputs(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  step a { run ["sh"] output rows = file("/tmp/rows") }
  step b after a failed { run ["echo"] }
  step c after a completed, b { run ["echo", "${a.rows}", "${a.result}"] }
  step l for x in ["1", "2"] { run ["echo"] }
  step d_e after l any_succeeded { run ["echo"] }
}`)
	spec := obj.Spec()
	if got := task(t, spec, "b").Depends; got != "a.Failed" {
		t.Errorf("b depends = %q", got)
	}
	if got := task(t, spec, "c").Depends; got != "(a.Succeeded || a.Failed || a.Errored) && b" {
		t.Errorf("c depends = %q", got)
	}
	if got := task(t, spec, "d-e").Depends; got != "l.AnySucceeded" {
		t.Errorf("d-e depends = %q", got)
	}
	c := task(t, spec, "c")
	args := map[string]string{}
	for _, p := range c.Arguments.Parameters {
		args[p.Name] = p.Value.String()
	}
	if args["a-rows"] != "{{tasks.a.outputs.parameters.rows}}" || args["a-result"] != "{{tasks.a.outputs.result}}" {
		t.Errorf("c arguments = %v", args)
	}
	cmd := template(t, spec, "c").Container.Command
	if strings.Join(cmd, " ") != "echo {{inputs.parameters.a-rows}} {{inputs.parameters.a-result}}" {
		t.Errorf("c command = %q", cmd)
	}
}

func TestLowerLoops(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  param targets = "[\"x\"]"
  step items for r in ["eu", "us"] { run ["echo", "${r}"] }
  step maps for m in [{name: "a", size: 1}, {name: "b", size: 2}] { run ["echo", "${m.name}"] }
  step seq for i in range(2, 5) { run ["echo"] }
  step json for t in targets { run ["echo", "${t}"] }
}`)
	spec := obj.Spec()
	if n := len(task(t, spec, "items").WithItems); n != 2 {
		t.Errorf("items: %d items", n)
	}
	if got := task(t, spec, "maps").Arguments.Parameters[0].Value.String(); got != "{{item.name}}" {
		t.Errorf("maps argument = %q", got)
	}
	seq := task(t, spec, "seq").WithSequence
	if seq.Start.String() != "2" || seq.End.String() != "4" {
		t.Errorf("range(2, 5) = %s..%s", seq.Start.String(), seq.End.String())
	}
	// The body does not use ${i}: the item is passed anyway so iterations get distinct memo keys.
	if in := template(t, spec, "seq").Inputs.Parameters; len(in) != 1 || in[0].Name != "pipec-item" {
		t.Errorf("seq inputs = %v", in)
	}
	if got := task(t, spec, "json").WithParam; got != "{{workflow.parameters.targets}}" {
		t.Errorf("json withParam = %q", got)
	}
}

func TestLowerRetryWiring(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  retry 3 backoff 10s factor 2 max 2d policy on_error
  step a { run ["echo"] }
  step b { run ["echo"] retry off memoize off }
  step c { run ["echo"] retry 1 when "lastRetry.exitCode == 1" memoize off }
  on failure step alert { run ["echo", "${workflow.status}"] }
}`)
	spec := obj.Spec()
	a := template(t, spec, "a")
	if a.RetryStrategy != nil {
		t.Errorf("a memoized leaf must not have a retryStrategy (Argo v3.7 hangs on a cache hit)")
	}
	wrapper := template(t, spec, "a-with-retry")
	if task(t, spec, "a").Template != "a-with-retry" || len(wrapper.Steps) != 1 || wrapper.Steps[0].Steps[0].Template != "a" {
		t.Errorf("a is not run through its retry wrapper: %+v", wrapper)
	}
	rs := wrapper.RetryStrategy
	if rs == nil || rs.Limit.String() != "3" || rs.RetryPolicy != "OnError" || rs.Backoff.Duration != "10s" || rs.Backoff.MaxDuration != "48h" || rs.Backoff.Factor.String() != "2" {
		t.Errorf("a retryStrategy = %+v", rs)
	}
	if a.Memoize == nil || a.Memoize.Cache == nil || a.Memoize.Cache.ConfigMap.Name == "" || a.Memoize.MaxAge != DefaultMaxAge || !strings.HasPrefix(a.Memoize.Key, "a-") {
		t.Errorf("a memoize = %+v", a.Memoize)
	}
	b := template(t, spec, "b")
	if b.RetryStrategy != nil || b.Memoize != nil {
		t.Errorf("b should have neither retry nor memoize")
	}
	if c := template(t, spec, "c"); c.RetryStrategy.Expression != "lastRetry.exitCode == 1" || c.Memoize != nil {
		t.Errorf("c expression lost")
	}
	alert := template(t, spec, "alert")
	if alert.Memoize != nil || alert.RetryStrategy == nil {
		t.Errorf("failure handlers are not memoized, so they keep their retryStrategy unwrapped")
	}
	if got := task(t, spec, "alert").When; got != "{{workflow.status}} != Succeeded" {
		t.Errorf("alert when = %q", got)
	}
	for _, tmpl := range spec.Templates {
		if tmpl.Container == nil {
			continue
		}
		env := map[string]string{}
		for _, e := range tmpl.Container.Env {
			env[e.Name] = e.Value
		}
		if env[EnvRetryRunID] != RunIDTemplate || env[EnvRetryIndicator] != "{{workflow.parameters.retry_indicator}}" {
			t.Errorf("%s: retry env = %v", tmpl.Name, env)
		}
	}
	var names []string
	for _, p := range spec.Arguments.Parameters {
		names = append(names, p.Name+"="+p.Value.String())
	}
	if strings.Join(names, " ") != "run_id= retry_run_id= retry_indicator=" {
		t.Errorf("parameters = %v", names)
	}
}

func TestMemoKeysDifferPerStepAndDefinition(t *testing.T) {
	src := `
pipeline p {
  image "alpine"
  step a { run ["echo", "same"] }
  step b { run ["echo", "same"] }
}`
	spec := compileOne(t, src).Spec()
	ka, kb := template(t, spec, "a").Memoize.Key, template(t, spec, "b").Memoize.Key
	if ka == kb {
		t.Fatalf("two steps share a memo key: %s", ka)
	}
	again := compileOne(t, src).Spec()
	if template(t, again, "a").Memoize.Key != ka {
		t.Errorf("memo keys are not deterministic")
	}
	edited := compileOne(t, strings.Replace(src, `run ["echo", "same"] }
  step b`, `run ["echo", "changed"] }
  step b`, 1)).Spec()
	if template(t, edited, "a").Memoize.Key == ka {
		t.Errorf("an edited step kept its memo key")
	}
	if template(t, edited, "b").Memoize.Key != kb {
		t.Errorf("an untouched step changed its memo key")
	}
}

func TestLowerTemplatesAndParams(t *testing.T) {
	obj := compileOne(t, `
template greet(who: string, times: int = 2) {
  run ["echo", "${who}", "${times}"]
}
pipeline p {
  image "alpine"
  param name = "world"
  step a uses greet(who = "${name}")
  step b uses greet(who = "x", times = 5) { image "busybox" }
  step r uses ref("shared", "publish", cluster)(target = "${name}")
}`, KV{"name", "pipec"})
	spec := obj.Spec()
	if got := spec.Arguments.Parameters[0].Value.String(); got != "pipec" {
		t.Errorf("-p did not set the default: %q", got)
	}
	args := map[string]string{}
	for _, p := range task(t, spec, "a").Arguments.Parameters {
		args[p.Name] = p.Value.String()
	}
	if args["who"] != "{{workflow.parameters.name}}" || args["times"] != "2" {
		t.Errorf("a arguments = %v", args)
	}
	if template(t, spec, "b").Container.Image != "busybox" {
		t.Errorf("the step's own image must override")
	}
	r := task(t, spec, "r")
	if r.TemplateRef == nil || r.TemplateRef.Name != "shared" || !r.TemplateRef.ClusterScope || r.Arguments.Parameters[0].Value.String() != "{{workflow.parameters.name}}" {
		t.Errorf("r = %+v", r)
	}
}

func TestLowerKindsAndRaw(t *testing.T) {
	cron := compileOne(t, `
pipeline nightly {
  image "alpine"
  schedule "0 2 * * *" timezone "Europe/Paris"
  raw """
podMetadata:
  labels:
    team: data
"""
  step a { run ["echo"] raw "activeDeadlineSeconds: 30" }
}`)
	if cron.CronWorkflow == nil || cron.CronWorkflow.Spec.Schedules[0] != "0 2 * * *" || cron.CronWorkflow.Spec.Timezone != "Europe/Paris" {
		t.Fatalf("not a CronWorkflow: %+v", cron)
	}
	if cron.Spec().PodMetadata == nil || cron.Spec().PodMetadata.Labels["team"] != "data" {
		t.Errorf("pipeline raw not merged")
	}
	if ad := template(t, cron.Spec(), "a").ActiveDeadlineSeconds; ad == nil || ad.IntValue() != 30 {
		t.Errorf("step raw not merged: %v", ad)
	}
	wt := compileOne(t, `pipeline lib { kind workflow_template image "alpine" step a { run ["echo"] } }`)
	if wt.WorkflowTemplate == nil || wt.WorkflowTemplate.Name != "lib" {
		t.Errorf("not a WorkflowTemplate")
	}
	cwt := compileOne(t, `pipeline lib { kind cluster_workflow_template image "alpine" step a { run ["echo"] } }`)
	if cwt.ClusterWorkflowTemplate == nil || cwt.ClusterWorkflowTemplate.Name != "lib" || cwt.ClusterWorkflowTemplate.Kind != KindClusterWorkflowTemplate {
		t.Errorf("not a ClusterWorkflowTemplate: %+v", cwt)
	}
	if y, err := Emit(cwt); err != nil || !strings.Contains(string(y), "kind: ClusterWorkflowTemplate\n") || strings.Contains(string(y), "  namespace:") {
		t.Errorf("ClusterWorkflowTemplate emitted as:\n%s (%v)", y, err)
	}
}

func TestEmitIsCleanAndDeterministic(t *testing.T) {
	src := `pipeline p { image "alpine" step a { run ["echo"] } step b { run ["echo"] } }`
	o1, o2 := compileOne(t, src), compileOne(t, src)
	y1, err := Emit(o1)
	if err != nil {
		t.Fatal(err)
	}
	y2, _ := Emit(o2)
	if string(y1) != string(y2) {
		t.Errorf("output is not deterministic")
	}
	for _, noise := range []string{"creationTimestamp", "status:", "name: \"\"", "{}"} {
		if strings.Contains(string(y1), noise) {
			t.Errorf("output contains %q:\n%s", noise, y1)
		}
	}
}

func TestLowerArgoNamesAndStepNodeSelector(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  param arch = "amd64"
  step A { run ["echo"] node_selector "kubernetes.io/arch" = "${arch}" }
  step B after A { run ["echo"] }
}`)
	spec := obj.Spec()
	// Task names keep their case (a target or depends names them as
	// written); template names, which name pods, are lower case.
	if got := task(t, spec, "B"); got.Depends != "A" || got.Template != "b" {
		t.Errorf("task B: depends %q, template %q; want A, b", got.Depends, got.Template)
	}
	if got := template(t, spec, "a").NodeSelector["kubernetes.io/arch"]; got != "{{inputs.parameters.arch}}" {
		t.Errorf("node selector = %q", got)
	}
}

func TestReferencesWhereValuesAreFixed(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  param x = "1"
  label team = "${x}"
  retry 2 when "${x} == 1"
  step a { run ["echo"] memoize off }
}`
	res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{})
	var got []string
	for _, d := range res.Diags {
		got = append(got, d.Range.String()+": "+d.Message)
	}
	want := "p.pipe:4:17: ${x} cannot be used in a label\np.pipe:5:17: ${x} cannot be used in a pipeline's retry expression (it is evaluated by Argo with retries and lastRetry.exitCode, .status, .duration, .message)"
	if strings.Join(got, "\n") != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestRetryWrapperPassesOutputsAndResult(t *testing.T) {
	spec := compileOne(t, `
pipeline p {
  image "alpine"
  retry 2
  step a { run ["sh"] output rows = file("/tmp/rows") }
  step b { run ["echo", "${a.rows}", "${a.result}"] }
}`).Spec()
	args := map[string]string{}
	for _, p := range task(t, spec, "b").Arguments.Parameters {
		args[p.Name] = p.Value.String()
	}
	if args["a-rows"] != "{{tasks.a.outputs.parameters.rows}}" || args["a-result"] != "{{tasks.a.outputs.parameters.pipec-result}}" {
		t.Errorf("b arguments = %v", args)
	}
	outs := map[string]string{}
	for _, o := range template(t, spec, "a-with-retry").Outputs.Parameters {
		outs[o.Name] = o.ValueFrom.Parameter
	}
	if outs["rows"] != "{{steps.run.outputs.parameters.rows}}" || outs["pipec-result"] != "{{steps.run.outputs.result}}" {
		t.Errorf("wrapper outputs = %v", outs)
	}
}

func TestRetryExpressionsKeepRetryOnTheLeaf(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  step a { run ["echo", "${retries}"] retry 3 }
}`
	res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{})
	if len(res.Diags) != 1 || res.Diags[0].Severity != diag.Warning || !strings.Contains(res.Diags[0].Message, `step "a" is not memoized: it uses ${retries}`) {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	a := template(t, res.Outputs[0].Object.Spec(), "a")
	if a.RetryStrategy == nil || a.Memoize != nil {
		t.Errorf("a: want its own retryStrategy and no memoize")
	}
}

// A step's retry expression reads its references as inputs of the step's
// own template, which carries the retryStrategy.
func TestStepRetryExpressionReadsReferences(t *testing.T) {
	spec := compileOne(t, `
pipeline p {
  image "alpine"
  step check { run ["echo", "true"] }
  step work {
    run ["false"]
    retry 3 when "${check.result} == true && asInt(lastRetry.exitCode) > 1"
    memoize off
  }
}`).Spec()
	w := template(t, spec, "work")
	if w.RetryStrategy == nil || w.RetryStrategy.Expression != "{{inputs.parameters.check-result}} == true && asInt(lastRetry.exitCode) > 1" {
		t.Fatalf("retryStrategy = %+v", w.RetryStrategy)
	}
	if len(w.Inputs.Parameters) == 0 || w.Inputs.Parameters[0].Name != "check-result" {
		t.Errorf("inputs = %+v", w.Inputs.Parameters)
	}
	if got := task(t, spec, "work").Depends; got != "check" {
		t.Errorf("work depends = %q", got)
	}
}

// retry forever is a retryStrategy without a limit; the emitted YAML keeps
// it when it is empty.
func TestRetryForever(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  step a { run ["x"] retry forever }
  step b { run ["x"] retry forever policy on_error memoize off }
}`)
	spec := obj.Spec()
	w := template(t, spec, "a-with-retry")
	if w.RetryStrategy == nil || w.RetryStrategy.Limit != nil {
		t.Errorf("a: retryStrategy %+v", w.RetryStrategy)
	}
	b := template(t, spec, "b")
	if b.RetryStrategy == nil || b.RetryStrategy.Limit != nil || b.RetryStrategy.RetryPolicy != "OnError" {
		t.Errorf("b: retryStrategy %+v", b.RetryStrategy)
	}
}
