package compiler

import (
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

func TestCheckScopeArtifacts(t *testing.T) {
	runCkCases(t, []ckCase{
		{"ok", `template relay() { input src step c { run ["x"] input s at "/s" from src artifact o at "/o" } artifact out from c.o }
pipeline p { image "a" input seed from raw "x"
  step make { run ["x"] input s at "/s" from seed artifact m at "/m" global "m" output m = file("/v") memoize off }
  step r uses relay(src = make.m)
  step u { run ["${make.m}"] input a at "/a" from r.out input g at "/g" from workflow.outputs.artifacts.m }
  artifact final from r.out
  artifact chosen = expression("${u.result} == 'x' ? ${make.m} : ${r.out}")
}`, nil},
		{"pipeline input without a location", `pipeline p { image "a" input seed step s { run ["x"] input s at "/s" from seed } }`,
			[]string{`1:24: input artifact "seed" of the pipeline has no location | hint: add one: input seed from http "https://..."`}},
		{"pipeline input with a path", `pipeline p { image "a" input seed at "/s" from raw "x" step s { run ["x"] } }`,
			[]string{`1:38: input "seed" has a path, but only a step's input is put at a path`}},
		{"pipeline input from a step", `pipeline p { image "a" input seed from s.a step s { run ["x"] artifact a at "/a" } }`,
			[]string{`an input artifact of a pipeline comes from a location`}},
		{"pipeline input options", `pipeline p { image "a" input seed from raw "x" mode 0644 step s { run ["x"] input s at "/s" from seed } }`,
			[]string{`1:48: mode applies to a step's input artifact, which is put at a path`}},
		{"unknown scope input", `pipeline p { image "a" input seed from raw "x" step s { run ["x"] input s at "/s" from sed } }`,
			[]string{`1:88: unknown artifact "sed": no input artifact of the pipeline and no step.artifact | hint: did you mean from seed?`}},
		{"step input without a path", `pipeline p { image "a" input seed from raw "x" step s { run ["x"] input s from seed } }`,
			[]string{`1:73: input "s" of step "s" has no path`}},
		{"step artifact without a path", `pipeline p { image "a" step s { run ["x"] artifact a from t.b } step t { run ["x"] artifact b at "/b" } }`,
			[]string{`1:52: artifact "a" of step "s" has no path`}},
		{"pipeline input in a handler", `pipeline p { image "a" input seed from raw "x" step s { run ["x"] } on exit step e { run ["x"] input s at "/s" from seed } }`,
			[]string{`seed: an input artifact of the pipeline reaches its main steps only, not handlers or hooks`}},
		{"composite input not given", `template relay() { input src step c { run ["x"] input s at "/s" from src } }
pipeline p { image "a" step r uses relay() }`,
			[]string{`2:29: template "relay" needs input artifact "src"`}},
		{"composite input with a default", `template relay() { input src from raw "d" step c { run ["x"] input s at "/s" from src } }
pipeline p { image "a" step r uses relay() }`, nil},
		{"composite input from a loop", `template relay() { input src step c { run ["x"] input s at "/s" from src } }
pipeline p { image "a" step l for i in ["a"] { run ["x"] artifact a at "/a" } step r uses relay(src = l.a) }`,
			[]string{`step "l" loops: a template's input artifact takes one artifact, not one per iteration`}},
		{"pipeline output from a missing artifact", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" } artifact o from s.b }`,
			[]string{`step "s" has no artifact "b" | hint: declare it in step s`}},
		{"pipeline output from a loop", `pipeline p { image "a" step s for i in ["a"] { run ["x"] artifact a at "/a" } artifact o from s.a }`,
			[]string{`step "s" loops: s.a is one artifact per iteration`}},
		{"pipeline output with neither", `pipeline p { image "a" step s { run ["x"] } artifact o }`,
			[]string{`artifact "o" says neither where it comes from nor how it is chosen`}},
		{"pipeline output with options", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" } artifact o from s.a archive none }`,
			[]string{`archive applies to a step's artifact; an artifact of the pipeline is its step's`}},
		{"pipeline output with a path", `pipeline p { image "a" step s { run ["x"] } artifact o at "/o" }`,
			[]string{`artifact "o" has a path, but only a step's artifact is taken from a path`}},
		{"unknown global", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" global "made" } step t { run ["x"] input g at "/g" from workflow.outputs.artifacts.mad } }`,
			[]string{`no artifact of the pipeline has the global name "mad" | hint: did you mean workflow.outputs.artifacts.made?`}},
		{"global of a memoized step", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" global "made" } step t { run ["x"] input g at "/g" from workflow.outputs.artifacts.made } }`,
			[]string{`workflow.outputs.artifacts.made comes from step "s", which is memoized: on a cache hit Argo does not set the workflow's global outputs, and this step would fail (Unable to resolve) | hint: take it from the step itself (from s.ARTIFACT), or add memoize off to step s`}},
		{"bad workflow path", `pipeline p { image "a" step t { run ["x"] input g at "/g" from workflow.outputs.parameters.x } }`,
			[]string{`workflow.outputs.parameters.x is not an artifact`}},
		{"parameter and artifact of one name", `pipeline p { image "a" step s { run ["x"] artifact v at "/v" output v = file("/w") } step t { run ["${s.v}"] input v at "/v" from s.v } }`, nil},
		{"key-only repository", `pipeline p { image "a" artifact_repository key "k" step s { run ["x"] } }`, nil},
		{"empty repository", `pipeline p { image "a" artifact_repository step s { run ["x"] } }`,
			[]string{`artifact_repository names a ConfigMap, a key of the namespace's artifact-repositories ConfigMap, or both`}},
		{"archive_logs", `pipeline p { image "a" step s { run ["x"] archive_logs "yes" } }`,
			[]string{`archive_logs takes true or false, got string`}},
	})
}

// TestLowerScopeArtifacts checks the Argo objects of a pipeline's and a
// composite's artifacts.
func TestLowerScopeArtifacts(t *testing.T) {
	res, diags := ckCompile(map[string]string{"p.pipe": `template relay() { input src step c { run ["x"] input s at "/s" from src artifact o at "/o" } artifact out from c.o }
pipeline p { image "a" input seed from raw "x" artifact_repository key "k"
  step make { run ["x"] input s at "/s" from seed artifact m at "/m" global "m" archive_logs true memoize off }
  step r uses relay(src = make.m)
  step u { run ["y"] input a at "/a" from r.out input g at "/g" from workflow.outputs.artifacts.m }
  artifact final from r.out
  artifact chosen = expression("${u.result} == 'x' ? ${make.m} : ${r.out}")
}`}, "p.pipe")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	spec := res.Outputs[0].Object.Spec()
	if ref := spec.ArtifactRepositoryRef; ref == nil || ref.ConfigMap != "" || ref.Key != "k" {
		t.Errorf("artifactRepositoryRef %+v", ref)
	}
	if a := spec.Arguments.Artifacts; len(a) != 1 || a[0].Name != "seed" || a[0].Raw == nil || a[0].Raw.Data != "x" {
		t.Errorf("workflow artifacts %+v", a)
	}
	tmpls := map[string]*wfv1.Template{}
	for i := range spec.Templates {
		tmpls[spec.Templates[i].Name] = &spec.Templates[i]
	}
	main := tmpls["main"]
	if len(main.Inputs.Artifacts) != 1 || main.Inputs.Artifacts[0].Name != "seed" || main.Inputs.Artifacts[0].HasLocation() {
		t.Errorf("main's input artifacts %+v", main.Inputs.Artifacts)
	}
	outs := main.Outputs.Artifacts
	if len(outs) != 2 || outs[0].From != "{{tasks.r.outputs.artifacts.out}}" ||
		outs[1].FromExpression != "tasks['u'].outputs.result == 'x' ? tasks['make'].outputs.artifacts['m'] : tasks['r'].outputs.artifacts['out']" {
		t.Errorf("main's output artifacts %+v", outs)
	}
	tasks := map[string]wfv1.DAGTask{}
	for _, tk := range main.DAG.Tasks {
		tasks[tk.Name] = tk
	}
	mk := tasks["make"]
	if a := mk.Arguments.Artifacts; len(a) != 1 || a[0].From != "{{inputs.artifacts.seed}}" {
		t.Errorf("make's artifact arguments %+v", a)
	}
	if u := tasks["u"]; len(u.Arguments.Parameters) == 0 {
		t.Errorf("u has no identity parameters")
	}
	for _, p := range tasks["u"].Arguments.Parameters {
		if p.Name == "pipec-art-g" && p.Value.String() != "{{workflow.uid}}" {
			t.Errorf("u's identity of the global artifact is %q, want the workflow's UID", p.Value)
		}
	}
	if a := tasks["r"].Arguments.Artifacts; len(a) != 1 || a[0].Name != "src" || a[0].From != "{{tasks.make.outputs.artifacts.m}}" {
		t.Errorf("the composite call's artifacts %+v", a)
	}
	if a := tasks["u"].Arguments.Artifacts; len(a) != 2 || a[0].From != "{{tasks.r.outputs.artifacts.out}}" || a[1].From != "{{workflow.outputs.artifacts.m}}" {
		t.Errorf("u's artifacts %+v", a)
	}
	relay := tmpls["relay"]
	if len(relay.Inputs.Artifacts) != 1 || relay.Inputs.Artifacts[0].Name != "src" ||
		len(relay.Outputs.Artifacts) != 1 || relay.Outputs.Artifacts[0].From != "{{tasks.relay-c.outputs.artifacts.o}}" {
		t.Errorf("relay's artifacts: inputs %+v, outputs %+v", relay.Inputs.Artifacts, relay.Outputs.Artifacts)
	}
	if a := relay.DAG.Tasks[0].Arguments.Artifacts; len(a) != 1 || a[0].From != "{{inputs.artifacts.src}}" {
		t.Errorf("relay's step's artifacts %+v", a)
	}
	if al := tmpls["make"].ArchiveLocation; al == nil || al.ArchiveLogs == nil || !*al.ArchiveLogs {
		t.Errorf("make's archiveLocation %+v", al)
	}
}

// TestScopeInputIdentity: a memoized step's key takes a pipeline input
// artifact by the hash of its location, which changes with it.
func TestScopeInputIdentity(t *testing.T) {
	ident := func(loc string) string {
		res, diags := ckCompile(map[string]string{"p.pipe": `pipeline p { image "a" input seed from ` + loc + `
  step make { run ["x"] input s at "/s" from seed } }`}, "p.pipe")
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		spec := res.Outputs[0].Object.Spec()
		for _, p := range spec.Templates[0].DAG.Tasks[0].Arguments.Parameters {
			if p.Name == "pipec-art-s" {
				return p.Value.String()
			}
		}
		t.Fatalf("no pipec-art-s argument: %+v", spec.Templates[0].DAG.Tasks[0].Arguments)
		return ""
	}
	a, b := ident(`raw "x"`), ident(`raw "y"`)
	if len(a) != 20 || strings.Contains(a, "{{") || a == b || a != ident(`raw "x"`) {
		t.Errorf("identities %q and %q: want a 20-character hash of each location, stable and distinct", a, b)
	}
}
