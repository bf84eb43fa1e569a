package importer

import (
	"strings"
	"testing"
)

// TestImportMetrics: a template's metrics become the step's metrics, its
// {{inputs.parameters.x}} a ${...}; the entrypoint's become entry_metrics.
func TestImportMetrics(t *testing.T) {
	src := `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: s
  arguments: {parameters: [{name: tag, value: x}]}
  templates:
  - name: s
    metrics: {prometheus: [{name: runs, help: runs, counter: {value: "1"}}]}
    steps: [[{name: a, template: x, arguments: {parameters: [{name: tag, value: "{{workflow.parameters.tag}}"}]}}]]
  - name: x
    inputs: {parameters: [{name: tag}]}
    metrics: {prometheus: [{name: t, help: h, labels: [{key: tag, value: "{{inputs.parameters.tag}}"}, {key: s, value: "{{status}}"}], gauge: {value: "{{duration}}"}}]}
    container: {image: alpine, command: ["true"]}
`
	res := importString(t, src, Options{})
	if len(res.Diags) != 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	pipe := string(res.Pipe)
	for _, want := range []string{`entry_metrics {`, `name: "runs"`, `{key: "tag", value: "${tag}"}`, `{key: "s", value: "{{status}}"}`, `value: "{{duration}}"`} {
		if !strings.Contains(pipe, want) {
			t.Errorf("the import lacks %q:\n%s", want, pipe)
		}
	}
	if res.Objects[0].Verbatim {
		t.Errorf("verbatim:\n%s", pipe)
	}
}
