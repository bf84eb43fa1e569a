package importer

import (
	"strings"
	"testing"
)

// scopeArtifacts has the artifacts of a workflow and of a dag template:
// a workflow artifact argument, a dag template with an artifact input and
// output called by a task, the entry template's output artifacts (from and
// fromExpression), a global artifact, archiveLogs and a key-only
// repository.
const scopeArtifacts = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: scope-
spec:
  entrypoint: main
  artifactRepositoryRef: {key: team}
  arguments:
    artifacts:
    - {name: seed, raw: {data: "x"}}
  templates:
  - name: main
    inputs: {artifacts: [{name: seed}]}
    dag:
      tasks:
      - {name: make, template: make, arguments: {artifacts: [{name: s, from: "{{inputs.artifacts.seed}}"}]}}
      - {name: r, template: relay, depends: make, arguments: {artifacts: [{name: src, from: "{{tasks.make.outputs.artifacts.m}}"}]}}
      - {name: u, template: use, depends: r, arguments: {artifacts: [{name: a, from: "{{tasks.r.outputs.artifacts.out}}"}, {name: g, from: "{{workflow.outputs.artifacts.made}}"}]}}
    outputs:
      artifacts:
      - {name: final, from: "{{tasks.r.outputs.artifacts.out}}"}
      - {name: chosen, fromExpression: "tasks.u.outputs.result == 'x' ? tasks.make.outputs.artifacts.m : tasks.r.outputs.artifacts.out"}
  - name: relay
    inputs: {artifacts: [{name: src}]}
    dag:
      tasks:
      - {name: c, template: copy, arguments: {artifacts: [{name: i, from: "{{inputs.artifacts.src}}"}]}}
    outputs: {artifacts: [{name: out, from: "{{tasks.c.outputs.artifacts.o}}"}]}
  - name: make
    archiveLocation: {archiveLogs: true}
    inputs: {artifacts: [{name: s, path: /s}]}
    outputs: {artifacts: [{name: m, path: /m, globalName: made}]}
    container: {image: alpine, command: [make]}
  - name: copy
    inputs: {artifacts: [{name: i, path: /i}]}
    outputs: {artifacts: [{name: o, path: /o}]}
    container: {image: alpine, command: [cp]}
  - name: use
    inputs: {artifacts: [{name: a, path: /a}, {name: g, path: /g}]}
    container: {image: alpine, command: [use]}
`

func TestImportScopeArtifacts(t *testing.T) {
	res := importString(t, scopeArtifacts, Options{Strict: true})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	if o := res.Objects[0]; !o.Native() {
		t.Fatalf("not native: raw %v, inexpressible %v\n%s", o.Raw, o.Inexpressible, res.Pipe)
	}
	got := string(res.Pipe)
	for _, want := range []string{
		`artifact_repository key "team"`,
		`input seed from raw`,
		`input s at "/s" from seed`,
		`archive_logs true`,
		"memoize off", // make's global artifact is taken by u
		`artifact m at "/m" global "made"`,
		`uses relay(src = make.m)`,
		"template relay() {\n  input src\n",
		`input i at "/i" from src`,
		`artifact out from c.o`,
		`input a at "/a" from r.out`,
		`input g at "/g" from workflow.outputs.artifacts.made`,
		`artifact final from r.out`,
		`artifact chosen = expression(`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the import lacks %q:\n%s", want, got)
		}
	}
}
