package compiler

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

const libSrc = `pipeline lib {
  kind workflow_template
  library [say, flaky, group]
  entrypoint "say"
}

template say(msg: string, prefix: string = ">", unused: string = "u") {
  image "busybox"
  run ["echo", "${prefix}", "${msg}"]
}

template flaky() {
  image "busybox"
  retry 3
  run ["false"]
}

template group(n: string) {
  step one uses say(msg = "${n}")
  step two after one uses ref("lib", "say")(msg = "again")
}
`

// A library WorkflowTemplate offers its templates by name: inputs with
// defaults, no memoize, retries on the template, no main.
func TestLibraryTemplates(t *testing.T) {
	res, lines := ckCompile(map[string]string{"p.pipe": libSrc}, "p.pipe")
	if len(lines) > 0 {
		t.Fatal(lines)
	}
	var wt wfv1.WorkflowTemplate
	if err := yaml.Unmarshal(res.Outputs[0].YAML, &wt); err != nil {
		t.Fatal(err)
	}
	if wt.Spec.Entrypoint != "say" {
		t.Errorf("entrypoint %q, want say", wt.Spec.Entrypoint)
	}
	byName := map[string]wfv1.Template{}
	for _, tm := range wt.Spec.Templates {
		byName[tm.Name] = tm
		if tm.Memoize != nil {
			t.Errorf("library template %s is memoized", tm.Name)
		}
	}
	if _, ok := byName[EntryTemplate]; ok {
		t.Errorf("a library without steps has a %s template", EntryTemplate)
	}
	say := byName["say"]
	var ins []string
	for _, in := range say.Inputs.Parameters {
		d := ""
		if in.Default != nil {
			d = "=" + in.Default.String()
		}
		ins = append(ins, in.Name+d)
	}
	if got := strings.Join(ins, " "); got != "msg prefix=> unused=u" {
		t.Errorf("say's inputs: %s", got)
	}
	if r := byName["flaky"].RetryStrategy; r == nil || r.Limit.String() != "3" {
		t.Errorf("flaky's retryStrategy: %+v", r)
	}
	if _, ok := byName["flaky"+wrapperSuffix]; ok {
		t.Errorf("a library template has a retry wrapper")
	}
	g := byName["group"]
	if g.DAG == nil || len(g.DAG.Tasks) != 2 {
		t.Fatalf("group is not a DAG of two tasks: %+v", g)
	}
	if last := g.Inputs.Parameters[len(g.Inputs.Parameters)-1]; last.Name != InstanceParam || last.Default == nil {
		t.Errorf("group's %s input has no default: %+v", InstanceParam, g.Inputs.Parameters)
	}
}

func TestLibraryErrors(t *testing.T) {
	tmpl := "\ntemplate say(msg: string) {\n  image \"x\"\n  run [\"echo\", \"${msg}\"]\n}\n"
	cases := []struct{ name, src, want string }{
		{"not a workflow template", "pipeline p {\n  library [say]\n}\n" + tmpl, `2:3: library applies to a WorkflowTemplate`},
		{"unknown", "pipeline p {\n  kind workflow_template\n  library [sya]\n}\n" + tmpl, `3:12: library: unknown template "sya" | hint: did you mean "say"?`},
		{"twice", "pipeline p {\n  kind workflow_template\n  library [say, say]\n}\n" + tmpl, `3:17: template "say" is in the library twice`},
		{"not a list", "pipeline p {\n  kind workflow_template\n  library \"say\"\n}\n" + tmpl, `3:11: library takes a list of template names, got string`},
		{"a step's name", "pipeline p {\n  kind workflow_template\n  library [say]\n  step say { image \"x\" run [\"y\"] }\n}\n" + tmpl,
			`3:12: library template "say" becomes the Argo template "say", which is the template of step "say"`},
		{"entrypoint", "pipeline p {\n  kind workflow_template\n  library [say]\n  entrypoint \"sy\"\n}\n" + tmpl,
			`4:14: entrypoint "sy" is not a template of the library of pipeline "p" | hint: did you mean "say"?`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, lines := ckCompile(map[string]string{"p.pipe": tc.src}, "p.pipe")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("got %q\nwant %s", lines, tc.want)
			}
		})
	}
}

// A ref(...) to a library template of the build is checked against it.
func TestLibraryRefChecked(t *testing.T) {
	use := "import \"lib.pipe\"\npipeline user {\n  step a uses ref(\"lib\", \"say\")(mgs = \"x\")\n}\n"
	_, lines := ckCompile(map[string]string{"lib.pipe": libSrc, "p.pipe": use}, "p.pipe")
	want := []string{`needs the argument "msg"`, `has no input "mgs" | hint: did you mean msg?`}
	if len(lines) != len(want) {
		t.Fatalf("got %q", lines)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("diagnostic %d: got %s, want %s", i, lines[i], w)
		}
	}
}

// main and exit-handler are names a step may have: pipec's own templates
// then take pipec-main and pipec-exit-handler, and the entry settings
// still reach the entry template.
func TestStepNamedMain(t *testing.T) {
	src := "pipeline p {\n  image \"a\"\n  fail_fast false\n  step main { run [\"x\"] }\n  step exit_handler after main { run [\"y\"] }\n  on exit step bye { run [\"z\"] }\n}\n"
	res, lines := ckCompile(map[string]string{"p.pipe": src}, "p.pipe")
	if len(lines) > 0 {
		t.Fatal(lines)
	}
	var wf wfv1.Workflow
	if err := yaml.Unmarshal(res.Outputs[0].YAML, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Spec.Entrypoint != "pipec-main" || wf.Spec.OnExit != "pipec-exit-handler" {
		t.Errorf("entrypoint %q, onExit %q: want pipec-main, pipec-exit-handler", wf.Spec.Entrypoint, wf.Spec.OnExit)
	}
	names := map[string]*wfv1.Template{}
	for i, tm := range wf.Spec.Templates {
		names[tm.Name] = &wf.Spec.Templates[i]
	}
	if m := names["pipec-main"]; m == nil || m.DAG == nil || m.DAG.FailFast == nil || *m.DAG.FailFast {
		t.Errorf("the entry template lacks failFast false: %+v", m)
	}
	if st := names["main"]; st == nil || st.Container == nil {
		t.Errorf("step main has no container template: %+v", st)
	}
	// Without such a step, the names stay main and exit-handler.
	res, _ = ckCompile(map[string]string{"p.pipe": "pipeline p {\n  image \"a\"\n  step a { run [\"x\"] }\n}\n"}, "p.pipe")
	if !strings.Contains(string(res.Outputs[0].YAML), "\n  entrypoint: main\n") {
		t.Errorf("entrypoint is not main:\n%s", res.Outputs[0].YAML)
	}
}

// A new_pvc claim no step mounts is made for every run for nothing: a
// warning at the volume; mounted (or named in raw), none.
func TestUnusedClaimWarned(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"unused", `step a { run ["x"] }`, `3:10: volume "work" is a claim made for every run (spec.volumeClaimTemplates), but no step mounts it`},
		{"mounted", `step a { mount work at "/w" run ["x"] }`, ""},
		{"in raw", "step a {\n    run [\"x\"]\n    raw \"\"\"\ncontainer: {volumeMounts: [{name: work, mountPath: /w}]}\n\"\"\"\n  }", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "pipeline p {\n  image \"a\"\n  volume work = new_pvc(\"1Gi\")\n  " + tc.body + "\n}\n"
			res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{SkipValidate: true})
			var got []string
			for _, d := range res.Diags {
				got = append(got, ckLine(d))
			}
			joined := strings.Join(got, "\n")
			if tc.want == "" && joined != "" || tc.want != "" && !strings.Contains(joined, tc.want) {
				t.Errorf("diagnostics %q, want %q", joined, tc.want)
			}
		})
	}
}
