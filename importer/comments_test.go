package importer

import (
	"strings"
	"testing"
)

func TestImportKeepsFieldComments(t *testing.T) {
	res := importString(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: c-}
spec:
  entrypoint: d
  # one at a time
  parallelism: 1
  templates:
  - name: d
    dag:
      tasks:
      - name: a
        template: a
      - name: b
        depends: a
        # only on Mondays
        when: "{{tasks.a.outputs.result}} == mon"
        template: a
  - name: a
    container:
      image: alpine
      # print the day
      command: [date, "+%a"] # short name
    outputs:
      parameters:
      # the day, from a file
      - name: day
        valueFrom: {path: /tmp/day}
`, Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"  // one at a time\n  parallelism 1\n",
		"  // only on Mondays\n  step b when",
		"  // print the day\n  // short name\n  run [\"date\", \"+%a\"]\n",
		"  // the day, from a file\n  output day = file(\"/tmp/day\")\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the import lacks %q:\n%s", want, got)
		}
	}
	if len(res.Objects) != 1 || !res.Objects[0].Native() {
		t.Errorf("not a native import: %+v", res.Objects)
	}
}

func TestImportCompositeTemplate(t *testing.T) {
	res := importString(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: nested-}
spec:
  entrypoint: outer
  templates:
  - name: outer
    dag:
      tasks:
      - {name: a, template: pair, arguments: {parameters: [{name: m, value: x}]}}
      - {name: b, depends: a, template: pair, arguments: {parameters: [{name: m, value: y}]}}
  - name: pair
    inputs: {parameters: [{name: m}]}
    dag:
      tasks:
      - {name: first, template: echo, arguments: {parameters: [{name: s, value: "{{inputs.parameters.m}}1"}]}}
      - {name: second, depends: first, template: echo, arguments: {parameters: [{name: s, value: "{{tasks.first.outputs.result}}"}]}}
  - name: echo
    inputs: {parameters: [{name: s}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.s}}"]}
`, Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"step b after a uses pair(m = \"y\")",
		"template pair(m: string) {\n  step first uses echo(s = \"${m}1\")\n  step second uses echo(s = \"${first.result}\")\n}",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the import lacks %q:\n%s", want, got)
		}
	}
	if len(res.Objects) != 1 || !res.Objects[0].Native() {
		t.Errorf("not a native import (it did not round-trip): %+v\n%s", res.Objects[0].Raw, got)
	}
}
