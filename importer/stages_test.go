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
