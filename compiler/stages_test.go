package compiler

import (
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

func TestCheckStages(t *testing.T) {
	runCkCases(t, []ckCase{
		{"after in a stage", `pipeline p { image "a"
  stage { step a { run ["x"] } }
  stage { step b after a { run ["x"] } }
}`, []string{`3:18: a step in a stage cannot have after: it runs after the stages before its own | hint: remove after: step b already runs after the steps of the stages before its own`}},
		{"after a step of the same stage", `pipeline p { image "a"
  stage { step a { run ["x"] } step b after a { run ["x"] } }
}`, []string{`2:39: a step in a stage cannot have after: it runs after the stages before its own | hint: the stages run in order: move step a to a stage before stage 1 and remove after`}},
		{"same stage", `pipeline p { image "a"
  stage build { step a { run ["x"] } step b { run ["echo", "${a.result}"] } }
}`, []string{`2:61: ${a.result}: step "a" is in the same stage as "b", and the steps of a stage run in parallel | hint: move step a to a stage before stage "build"`}},
		{"later stage", `pipeline p { image "a"
  stage { step a { run ["echo", "${b.out}"] } }
  stage { step b { run ["x"] output out = file("/tmp/o") } }
}`, []string{`2:34: ${b.out}: step "b" runs in stage 2, after "a" (in stage 1)`}},
		{"later stage artifact and loop", `pipeline p { image "a"
  stage {
    step a for x in b { run ["x"] input m at "/m" from b.model }
  }
  stage { step b for i in [1, 2] { run ["x"] output o = file("/o") artifact model at "/model" } }
}`, []string{`3:21: ${b}: step "b" runs in stage 2, after "a" (in stage 1)`, `3:56: ${b.model}: step "b" runs in stage 2, after "a" (in stage 1)`}},
		{"mixed", `pipeline p { image "a"
  step loose { run ["x"] }
  stage { step a { run ["x"] } }
  on exit step h { run ["x"] }
}`, []string{`2:8: step "loose" is outside a stage, but pipeline "p" is written in stages`}},
		{"mixed handlers", `pipeline p { image "a"
  step a { run ["x"] }
  on exit step h { run ["x"] }
  on failure stage { step f { run ["x"] } }
}`, []string{`3:16: step "h" is outside a stage, but the exit handlers of pipeline "p" are written in stages`}},
		{"mixed in a template", `pipeline p { image "a" step s uses g() }
template g() {
  step x { run ["x"] }
  stage { step y { run ["x"] } }
}`, []string{`3:8: step "x" is outside a stage, but template "g" is written in stages`}},
		{"what a stage holds", `pipeline p { image "a"
  stage one { image "x" step a { run ["x"] } }
  stage one { step b { run ["x"] } stage { step c { run ["x"] } } }
  stage empty { }
}`, []string{`2:15: a stage holds only steps`, `3:9: stage "one" is defined twice`, `3:36: a stage cannot hold a stage`, `4:9: stage "empty" has no steps`}},
		{"a stage in a step", `pipeline p { image "a"
  step a { run ["x"] stage { step b { run ["x"] } } }
}`, []string{`2:22: a stage cannot be inside step "a"`}},
		{"continue_on only in stages", `pipeline p { image "a"
  step a { run ["x"] continue_on failed }
}`, []string{`2:22: continue_on cannot be compiled`}},
		{"a bare failure handler beside handler stages", `pipeline p { image "a"
  step a { run ["x"] }
  on exit stage { step h { run ["echo"] } }
  on failure step f { run ["echo"] }
}`, []string{`4:19: step "f" is outside a stage, but the exit handlers of pipeline "p" are written in stages | hint: move it into a stage (on failure stage { step f ... })`}},
		{"handlers and main steps", `pipeline p { image "a"
  stage { step a { run ["x"] output o = file("/o") } }
  on exit stage { step h { run ["echo", "${a.o}"] } }
}`, []string{`3:42: ${a.o}: exit and failure handlers run after the main steps`}},
		{"a later stage sees earlier outputs", `pipeline p { image "a"
  stage { step a { run ["x"] output o = file("/o") } step l for i in [1, 2] { run ["x"] output v = file("/v") } }
  stage { step b for x in l when "${a.o} == 1" { run ["echo", "${a.result}", "${a.status}", "${x.v}"] continue_on failed errored } }
  stage { step c uses g(v = "${b.exit_code}") }
}
template g(v: string) {
  stage { step inner { run ["echo", "${v}"] } }
}`, nil},
	})
}

// steps finds a steps template and returns its groups as names.
func stageNames(t *testing.T, spec *wfv1.WorkflowSpec, name string) [][]string {
	t.Helper()
	tmpl := template(t, spec, name)
	if tmpl.Steps == nil || tmpl.DAG != nil {
		t.Fatalf("%s is not a steps template: %+v", name, tmpl)
	}
	var out [][]string
	for _, g := range tmpl.Steps {
		var names []string
		for _, s := range g.Steps {
			names = append(names, s.Name)
		}
		out = append(out, names)
	}
	return out
}

func workflowStepOf(t *testing.T, spec *wfv1.WorkflowSpec, tmpl, name string) *wfv1.WorkflowStep {
	t.Helper()
	for _, g := range template(t, spec, tmpl).Steps {
		for i := range g.Steps {
			if g.Steps[i].Name == name {
				return &g.Steps[i]
			}
		}
	}
	t.Fatalf("no step %q in %s", name, tmpl)
	return nil
}

func args(s *wfv1.WorkflowStep) map[string]string {
	m := map[string]string{}
	for _, p := range s.Arguments.Parameters {
		m[p.Name] = p.Value.String()
	}
	return m
}

func TestLowerStages(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  retry 2
  stage prepare {
    step gen { run ["gen"] output items = file("/items") artifact data at "/data" }
    step side { run ["x"] memoize off }
  }
  stage {
    step each for i in gen.items when "${gen.items} != ''" { run ["echo", "${i}"] input d at "/d" from gen.data }
    step flaky { run ["x"] continue_on failed }
    step group uses g(x = "${gen.result}")
  }
  stage { step report { run ["echo", "${gen.items}", "${flaky.status}", "${group.out}"] } }
  on failure stage { step page when "${workflow.failures} != ''" { run ["page"] } }
  on exit stage { step done { run ["echo"] } }
}
template g(x: string) {
  stage { step a { run ["echo", "${x}"] } }
  stage { step b { run ["echo", "${a.result}"] } }
  output out = value("${b.result}")
}`)
	spec := obj.Spec()
	if got := stageNames(t, spec, EntryTemplate); strings.Join(flat(got), "|") != "gen,side|each,flaky,group|report" {
		t.Errorf("main groups: %v", got)
	}
	if got := stageNames(t, spec, ExitTemplate); strings.Join(flat(got), "|") != "page|done" {
		t.Errorf("exit groups: %v", got)
	}
	each := workflowStepOf(t, spec, EntryTemplate, "each")
	if each.WithParam != "{{steps.gen.outputs.parameters.items}}" || each.When != "{{steps.gen.outputs.parameters.items}} != ''" || each.Template != "each-with-retry" {
		t.Errorf("each: %+v", each)
	}
	if a := each.Arguments.Artifacts; len(a) != 1 || a[0].From != "{{steps.gen.outputs.artifacts.data}}" {
		t.Errorf("each artifacts: %+v", a)
	}
	if a := args(each); a["gen-memo-key"] != "" && !strings.HasPrefix(a["gen-memo-key"], "{{steps.gen.") {
		t.Errorf("each memo identity of the artifact: %v", a)
	}
	if f := workflowStepOf(t, spec, EntryTemplate, "flaky"); f.ContinueOn == nil || !f.ContinueOn.Failed || f.ContinueOn.Error {
		t.Errorf("flaky continueOn: %+v", f.ContinueOn)
	}
	report := args(workflowStepOf(t, spec, EntryTemplate, "report"))
	want := map[string]string{"gen-items": "{{steps.gen.outputs.parameters.items}}", "flaky-status": "{{steps.flaky.status}}", "group-out": "{{steps.group.outputs.parameters.out}}"}
	for k, v := range want {
		if report[k] != v {
			t.Errorf("report argument %s = %q, want %q (all: %v)", k, report[k], v, report)
		}
	}
	if page := workflowStepOf(t, spec, ExitTemplate, "page"); page.When != "({{workflow.status}} != Succeeded) && ({{workflow.failures}} != '')" {
		t.Errorf("page when: %q", page.When)
	}
	// The composite is a steps template too, and its steps are memoized
	// per instance.
	if got := stageNames(t, spec, "g"); strings.Join(flat(got), "|") != "g-a|g-b" {
		t.Errorf("g groups: %v", got)
	}
	g := template(t, spec, "g")
	if o := g.Outputs.Parameters; len(o) != 1 || o[0].ValueFrom.Parameter != "{{steps.g-b.outputs.parameters.pipec-result}}" {
		t.Errorf("g outputs: %+v", o)
	}
	call := args(workflowStepOf(t, spec, EntryTemplate, "group"))
	if call[InstanceParam] != "group" || call["x"] != "{{steps.gen.outputs.parameters.pipec-result}}" {
		t.Errorf("group call: %v", call)
	}
	// Retries: the wrapper holds the retryStrategy, the leaf the memo key
	// and the RETRY_* environment.
	for _, name := range []string{"gen", "each", "g-a"} {
		w, leaf := template(t, spec, name+wrapperSuffix), template(t, spec, name)
		if w.RetryStrategy == nil || leaf.RetryStrategy != nil || leaf.Memoize == nil || !strings.HasPrefix(leaf.Memoize.Key, name+"-") {
			t.Errorf("%s: wrapper %+v, leaf retry %+v memoize %+v", name, w.RetryStrategy, leaf.RetryStrategy, leaf.Memoize)
		}
		if !leafHasEnv(leaf, EnvRetryRunID) || !leafHasEnv(leaf, EnvRetryIndicator) {
			t.Errorf("%s has no RETRY_* env: %+v", name, leaf.Container.Env)
		}
	}
	if !strings.Contains(template(t, spec, "g-a").Memoize.Key, "inputs.parameters['"+InstanceParam+"']") {
		t.Errorf("g-a memo key does not take the instance: %s", template(t, spec, "g-a").Memoize.Key)
	}
	if !strings.Contains(template(t, spec, "each").Memoize.Key, "inputs.parameters['i']") {
		t.Errorf("each memo key does not take the loop item: %s", template(t, spec, "each").Memoize.Key)
	}
	if side := template(t, spec, "side"); side.Memoize != nil || side.RetryStrategy == nil {
		t.Errorf("side: memoize %+v retry %+v", side.Memoize, side.RetryStrategy)
	}
}

// A DAG composite called from a stage, and a staged composite called from
// a DAG.
func TestStagesAndDAGsCallEachOther(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  step a uses staged()
  step b { run ["echo", "${a.o}"] }
}
template staged() {
  stage { step s uses dag() }
  output o = value("${s.o}")
}
template dag() {
  step d { run ["x"] }
  output o = value("${d.result}")
}`)
	spec := obj.Spec()
	if tk := task(t, spec, "b"); tk.Depends != "a" {
		t.Errorf("b depends %q", tk.Depends)
	}
	if got := stageNames(t, spec, "staged"); len(got) != 1 || got[0][0] != "staged-s" {
		t.Errorf("staged: %v", got)
	}
	if o := template(t, spec, "staged").Outputs.Parameters[0].ValueFrom.Parameter; o != "{{steps.staged-s.outputs.parameters.o}}" {
		t.Errorf("staged output: %s", o)
	}
	if o := template(t, spec, "dag").Outputs.Parameters[0].ValueFrom.Parameter; o != "{{tasks.dag-d.outputs.result}}" {
		t.Errorf("dag output: %s", o)
	}
	if s := workflowStepOf(t, spec, "staged", "staged-s"); args(s)[InstanceParam] != "{{inputs.parameters.pipec-instance}}/s" {
		t.Errorf("instance: %v", args(s))
	}
}

func flat(groups [][]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, strings.Join(g, ","))
	}
	return out
}

func leafHasEnv(t *wfv1.Template, name string) bool {
	if t.Container == nil {
		return false
	}
	for _, e := range t.Container.Env {
		if e.Name == name {
			return true
		}
	}
	return false
}
