package importer

import (
	"strings"
	"testing"
)

const hooksYAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hooks-
spec:
  entrypoint: main
  hooks:
    exit:
      template: echo
    running:
      expression: workflow.status == "Running"
      template: echo
    late:
      expression: workflow.status == "Failed" || workflow.status == "Error"
      template: echo
  templates:
  - name: main
    dag:
      tasks:
      - name: a
        template: work
        hooks:
          running:
            expression: tasks.a.status == "Running"
            template: echo
          success:
            expression: tasks.a.status == "Succeeded"
            template: echo
      - name: b-c
        depends: a
        template: work
        onExit: echo
        hooks:
          failed:
            expression: tasks["b-c"].status == "Failed"
            template: echo
  - name: work
    container: {image: alpine, command: [sh, -c, "echo work"]}
  - name: echo
    container: {image: alpine, command: [echo, hook]}
`

// Task hooks, a task's onExit and the workflow's hooks (spec.hooks.exit
// as the exit handler) import natively and round-trip.
func TestImportHooks(t *testing.T) {
	res := importString(t, hooksYAML, Options{})
	if len(res.Diags) > 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"on running step a-running uses echo",
		`on success when "tasks.a.status == \"Succeeded\"" step a-success uses echo`,
		"on failed step b-c-failed uses echo",
		"on exit step b-c-exit uses echo",
		"on exit step echo uses echo",
		"on running step wf-running uses echo",
		`on late when "workflow.status == \"Failed\" || workflow.status == \"Error\"" step wf-late uses echo`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if o := res.Objects[0]; !o.Native() || o.Verbatim {
		t.Errorf("not native: raw %v, inexpressible %v", o.Raw, o.Inexpressible)
	}
}

// A hook field pipec has no form for keeps the templates verbatim, and
// still round-trips.
func TestImportHooksNotNative(t *testing.T) {
	src := strings.Replace(hooksYAML, "          running:\n            expression: tasks.a.status", "          running:\n            expression: tasks.a.status == \"{{workflow.name}}\" || tasks.a.status", 1)
	res := importString(t, src, Options{})
	o := res.Objects[0]
	if !o.Verbatim {
		t.Fatalf("want a verbatim import, got:\n%s", res.Pipe)
	}
}

// The entrypoint DAG's parallelism, failFast and target are pipeline
// settings.
func TestImportEntrySettings(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: entry-
spec:
  entrypoint: main
  arguments:
    parameters: [{name: tgt, value: c}]
  templates:
  - name: main
    parallelism: 2
    dag:
      failFast: false
      target: "b {{workflow.parameters.tgt}}"
      tasks:
      - {name: a, template: work}
      - {name: b, depends: a, template: work}
      - {name: c, depends: a, template: work}
  - name: work
    container: {image: alpine, command: [echo, work]}
`
	res := importString(t, src, Options{})
	if len(res.Diags) > 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{"step_parallelism 2", "fail_fast false", `target "b ${tgt}"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if o := res.Objects[0]; !o.Native() || o.Verbatim {
		t.Errorf("not native: raw %v, inexpressible %v", o.Raw, o.Inexpressible)
	}
}

// The entrypoint DAG's parameter outputs are the pipeline's outputs.
func TestImportEntryOutputs(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: outs-
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: work}
    outputs:
      parameters:
      - name: v
        valueFrom: {parameter: "{{tasks.a.outputs.result}}"}
      - name: e
        description: Computed.
        valueFrom: {expression: "tasks.a.outputs.result ?? 'none'"}
  - name: work
    container: {image: alpine, command: [echo, work]}
`
	res := importString(t, src, Options{})
	if len(res.Diags) > 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{`output v = value("${a.result}")`, "// Computed.\n  output e = expression(\"tasks.a.outputs.result ?? 'none'\")"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if o := res.Objects[0]; !o.Native() || o.Verbatim {
		t.Errorf("not native: raw %v, inexpressible %v", o.Raw, o.Inexpressible)
	}
}

// The entrypoint steps template's parallelism and failFast are settings of
// the pipeline in stages.
func TestImportEntryStepsSettings(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: entry-steps-
spec:
  entrypoint: main
  templates:
  - name: main
    parallelism: 1
    failFast: true
    steps:
    - - {name: a, template: work}
    - - {name: b, template: work}
  - name: work
    container: {image: alpine, command: [echo, work]}
`
	res := importString(t, src, Options{})
	if len(res.Diags) > 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{"step_parallelism 1", "fail_fast true", "stage {"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if o := res.Objects[0]; !o.Native() || o.Verbatim {
		t.Errorf("not native: raw %v, inexpressible %v", o.Raw, o.Inexpressible)
	}
}
