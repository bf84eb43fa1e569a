package importer

import (
	"strings"
	"testing"
)

// A steps template as the entrypoint and as the exit handler imports as
// stages: references to earlier steps, loops over their outputs,
// conditions and continueOn are converted, and the round trip is equal
// (importString fails on anything else).
func TestImportStages(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: main-steps
  onExit: bye
  templates:
  - name: main-steps
    steps:
    - - name: gen
        template: gen
    - - name: each
        template: echo
        withParam: '{{steps.gen.outputs.result}}'
        arguments: {parameters: [{name: msg, value: '{{item}}'}]}
      - name: flaky
        template: fail
        continueOn: {failed: true}
    - - name: after
        template: echo
        when: '{{steps.flaky.status}} == Failed'
        arguments: {parameters: [{name: msg, value: '{{steps.gen.outputs.result}}'}]}
  - name: bye
    steps:
    - - name: note
        template: echo
        arguments: {parameters: [{name: msg, value: '{{workflow.status}}'}]}
  - name: gen
    script: {image: python:alpine3.6, command: [python], source: 'print("[1, 2]")'}
  - name: echo
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine:3.7, command: [echo, '{{inputs.parameters.msg}}']}
  - name: fail
    container: {image: alpine:3.7, command: [sh, -c, exit 1]}
`
	res := importString(t, src, Options{})
	if len(res.Diags) != 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	pipe := string(res.Pipe)
	for _, want := range []string{
		"  stage {\n    step gen {",
		"step each for item in gen.result uses echo(msg = \"${item}\")",
		"continue_on failed",
		"step after when \"${flaky.status} == Failed\" uses echo(msg = \"${gen.result}\")",
		"  on exit stage {\n    step note uses echo(msg = \"${workflow.status}\")",
	} {
		if !strings.Contains(pipe, want) {
			t.Errorf("the import lacks %q:\n%s", want, pipe)
		}
	}
	if res.Objects[0].Verbatim || strings.Contains(pipe, "raw") {
		t.Errorf("not native:\n%s", pipe)
	}
}

// A task calling a steps template, and a steps template calling itself
// from the entrypoint, import as composite templates (in stages).
func TestImportCompositeStages(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: c-}
spec:
  entrypoint: main-dag
  templates:
  - name: main-dag
    dag:
      tasks:
      - name: a
        template: group
        arguments: {parameters: [{name: x, value: one}]}
      - name: b
        depends: a
        template: echo
        arguments: {parameters: [{name: msg, value: '{{tasks.a.outputs.parameters.out}}'}]}
  - name: group
    inputs: {parameters: [{name: x}]}
    steps:
    - - name: first
        template: echo
        arguments: {parameters: [{name: msg, value: '{{inputs.parameters.x}}'}]}
    - - name: second
        template: echo
        arguments: {parameters: [{name: msg, value: '{{steps.first.outputs.result}}'}]}
    outputs:
      parameters:
      - name: out
        valueFrom: {parameter: '{{steps.second.outputs.result}}'}
  - name: echo
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine:3.7, command: [echo, '{{inputs.parameters.msg}}']}
`
	res := importString(t, src, Options{})
	if len(res.Diags) != 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	pipe := string(res.Pipe)
	for _, want := range []string{
		"step a uses group(x = \"one\")",
		"step b uses echo(msg = \"${a.out}\")",
		"template group(x: string) {\n  stage {\n    step first uses echo(msg = \"${x}\")",
		"step second uses echo(msg = \"${first.result}\")",
		"output out = value(\"${second.result}\")",
	} {
		if !strings.Contains(pipe, want) {
			t.Errorf("the import lacks %q:\n%s", want, pipe)
		}
	}
	if res.Objects[0].Verbatim {
		t.Errorf("verbatim:\n%s", pipe)
	}
}
