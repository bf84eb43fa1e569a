package importer

import (
	"strings"
	"testing"

	"github.com/pipec/pipec/diag"
)

func importString(t *testing.T, src string, opts Options) *Result {
	t.Helper()
	return Import("in.yaml", []byte(src), opts)
}

const diamond = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: diamond-
  annotations:
    workflows.argoproj.io/description: |
      A diamond.
spec:
  entrypoint: d
  arguments:
    parameters:
    - name: who
      value: world
      description: Whom to greet.
  templates:
  - name: d
    dag:
      tasks:
      - name: gen
        template: gen
      - name: a
        dependencies: [gen]
        template: echo
        arguments: {parameters: [{name: msg, value: "{{tasks.gen.outputs.result}}"}]}
      - name: b
        depends: gen.Succeeded
        template: echo
        arguments: {parameters: [{name: msg, value: "hello {{workflow.parameters.who}}"}]}
      - name: c
        depends: a && b
        when: "{{tasks.gen.outputs.result}} != ''"
        template: loop
        withItems: [1, 2]
  - name: gen
    script: {image: python:3, command: [python], source: "print(1)\n"}
  - name: echo
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine, command: [echo], args: ["{{inputs.parameters.msg}}"]}
  - name: loop
    retryStrategy: {limit: 2}
    container: {image: alpine, command: [echo, "{{item}}", "${HOME}"]}
`

func TestImportNative(t *testing.T) {
	res := importString(t, diamond, Options{})
	if len(res.Diags) > 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"// A diamond.\npipeline diamond {",
		"// Whom to greet.\n  param who = \"world\"",
		"step gen {\n    image \"python:3\"\n    script python \"\"\"print(1)\n\"\"\"",
		"step a uses echo(msg = \"${gen.result}\")", // the dependency is implied
		"step b after gen succeeded uses echo(msg = \"hello ${who}\")",
		"step c for item in [1, 2] after a, b when \"${gen.result} != ''\" {",
		"run [\"echo\", \"${item}\", \"$${HOME}\"]",
		"retry 2",
		"template echo(msg: string) {",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if o := res.Objects[0]; !o.Native() || o.Verbatim {
		t.Errorf("not native: raw %v, inexpressible %v", o.Raw, o.Inexpressible)
	}
}

func TestImportRawWarnsAtTheField(t *testing.T) {
	src := strings.Replace(diamond, "  - name: gen\n    script:", "  - name: gen\n    archiveLocation: {s3: {key: logs}}\n    script:", 1)
	res := importString(t, src, Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	if len(res.Diags) != 1 || res.Diags[0].Severity != diag.Warning {
		t.Fatalf("want one warning, got %v", res.Diags)
	}
	d := res.Diags[0]
	if d.Range.Start.Line != 35 || d.Range.Start.Column != 5 || !strings.Contains(d.Message, "template.archiveLocation") {
		t.Errorf("warning %s, want in.yaml:35:5 about template.archiveLocation", d)
	}
	if !strings.Contains(string(res.Pipe), "raw \"\"\"\narchiveLocation:\n  s3:\n    key: logs\n\"\"\"") {
		t.Errorf("no raw block:\n%s", res.Pipe)
	}
	strict := importString(t, src, Options{Strict: true})
	if !strict.Diags.HasErrors() || strict.Pipe != nil {
		t.Errorf("--strict did not fail: %v", strict.Diags)
	}
}

func TestImportVerbatimFallback(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: s
  templates:
  - name: s
    synchronization: {mutexes: [{name: m}]}
    steps: [[{name: a, template: x}], [{name: b, template: x}]]
  - {name: x, container: {image: alpine, command: ["true"]}}
`
	res := importString(t, src, Options{})
	if res.Diags.HasErrors() || len(res.Diags) != 1 {
		t.Fatalf("want one warning, got %v", res.Diags)
	}
	if !strings.Contains(res.Diags[0].Message, "synchronization") || res.Diags[0].Range.Start.Line != 8 {
		t.Errorf("warning %s", res.Diags[0])
	}
	if !res.Objects[0].Verbatim || !strings.Contains(string(res.Pipe), "entrypoint: s\n") {
		t.Errorf("not verbatim:\n%s", res.Pipe)
	}
}

func TestImportBadInput(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", `2:7: unknown kind "Deployment"`},
		{"broken yaml", "kind: Workflow\nspec: [\n", "2:1: invalid YAML"},
		{"no kind", "apiVersion: argoproj.io/v1alpha1\nmetadata: {name: x}\n", "1:1: not an Argo object: no kind"},
		{"not a mapping", "- a\n- b\n", "1:1: not an Argo object"},
		{"unknown field", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\nspec:\n  entrypoint: a\n  templatez: []\n", `6:3: not a valid Workflow: unknown field "templatez"`},
		{"cycle", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: c-}\nspec:\n  entrypoint: a\n  templates:\n  - name: a\n    dag: {tasks: [{name: x, template: b}]}\n  - name: b\n    steps: [[{name: y, template: a}]]\n", "10:34: template cycle: a -> b -> a"},
		{"empty", "# nothing\n", "no Argo object"},
		{"second document bad", diamond + "---\nkind: Service\napiVersion: v1\n", `unknown kind "Service"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := importString(t, tc.src, Options{})
			if res.Pipe != nil {
				t.Errorf("output for bad input:\n%s", res.Pipe)
			}
			if !strings.Contains(res.Diags.Error(), tc.want) {
				t.Errorf("got %q, want %q", res.Diags.Error(), tc.want)
			}
		})
	}
}

func TestImportMultiDocumentAndKinds(t *testing.T) {
	src := diamond + `---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  entrypoint: hello
  templates:
  - {name: hello, container: {image: alpine, command: [echo, hi]}}
---
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: nightly}
spec:
  schedules: ["0 2 * * *"]
  timezone: Europe/Paris
  workflowSpec:
    entrypoint: hello
    templates:
    - {name: hello, container: {image: alpine, command: [echo, hi]}}
`
	res := importString(t, src, Options{})
	if len(res.Diags) > 0 {
		t.Fatal(res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{"pipeline diamond {", "pipeline lib {\n  kind workflow_template", "pipeline nightly {\n  schedule \"0 2 * * *\" timezone \"Europe/Paris\""} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if len(res.Objects) != 3 {
		t.Errorf("%d objects", len(res.Objects))
	}
}

func TestImportJSON(t *testing.T) {
	src := `{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "j-"},
 "spec": {"entrypoint": "a", "templates": [{"name": "a", "container": {"image": "alpine", "command": ["echo", "hi"]}}]}}`
	res := importString(t, src, Options{})
	if len(res.Diags) > 0 || !strings.Contains(string(res.Pipe), "pipeline j {") {
		t.Fatalf("%v\n%s", res.Diags, res.Pipe)
	}
}

func TestImportDeterministic(t *testing.T) {
	a := importString(t, diamond, Options{})
	for range 5 {
		if b := importString(t, diamond, Options{}); string(b.Pipe) != string(a.Pipe) {
			t.Fatal("two imports differ")
		}
	}
}

// FuzzImport: any input gives diagnostics or a .pipe that parses, never a
// panic.
func FuzzImport(f *testing.F) {
	f.Add([]byte(diamond))
	f.Add([]byte("kind: Workflow\n"))
	f.Add([]byte("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nspec: {workflowSpec: {entrypoint: a}}\n"))
	f.Add([]byte(commented))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := Import("f.yaml", data, Options{NoVerify: true})
		if res.Pipe == nil && !res.Diags.HasErrors() {
			t.Fatal("no output and no error")
		}
	})
}

func TestImportTemplatesOfTwoObjects(t *testing.T) {
	one := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: NAME-}
spec:
  entrypoint: d
  templates:
  - name: d
    dag:
      tasks:
      - {name: a, template: echo, arguments: {parameters: [{name: m, value: a}]}}
      - {name: b, template: echo, arguments: {parameters: [{name: m, value: b}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: IMAGE, command: [echo, "{{inputs.parameters.m}}"]}
`
	src := strings.NewReplacer("NAME", "one", "IMAGE", "alpine").Replace(one) + "---\n" +
		strings.NewReplacer("NAME", "two", "IMAGE", "busybox").Replace(one)
	res := importString(t, src, Options{})
	if len(res.Diags) > 0 {
		t.Fatal(res.Diags)
	}
	got := string(res.Pipe)
	if !strings.Contains(got, "template echo(") || !strings.Contains(got, "template echo-2(") || !strings.Contains(got, "uses echo-2(m = \"a\")") {
		t.Errorf("templates not told apart:\n%s", got)
	}
	if y, errs := Build("x.pipe", res.Pipe, false); errs != "" || len(y) == 0 {
		t.Errorf("the file does not build: %s", errs)
	}
}
