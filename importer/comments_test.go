package importer

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pipec/pipec/dsl"
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

// commented is a workflow with comments inside what is kept in raw, above
// list items and map entries, inside a literal, and where nothing is
// written (above kind).
const commented = `apiVersion: argoproj.io/v1alpha1
# the kind
kind: Workflow
metadata:
  generateName: c-
  labels:
    # the team
    team: data
spec:
  entrypoint: main
  # keep pods on fast nodes
  affinity:
    nodeAffinity:
      # required, not preferred
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: disk, operator: In, values: [ssd]} # only ssd
  volumes:
  # scratch space
  - name: work
    emptyDir: {}
  arguments:
    parameters:
    # who to greet
    - name: who
      value: world
      description: the name
  templates:
  - name: main # the only template
    container:
      image: alpine
      command: [sh, -c]
      args:
      # the greeting
      - echo hello
      env:
      # the log level
      - name: LEVEL
        value: debug
      volumeMounts:
      # where the work goes
      - name: work
        mountPath: /work
      lifecycle:
        # say goodbye
        preStop:
          exec:
            command:
            # an echo, with $HOME and ${HOME}
            - echo
            - bye # the word
`

func TestImportKeepsCommentsInRawAndLists(t *testing.T) {
	res := importString(t, commented, Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"// Comments of the YAML that have no place in the .pipe (by the line they belong to):\n// line 3: the kind\n\npipeline c {\n",
		"  // the team\n  label team = \"data\"\n",
		"  // keep pods on fast nodes\n  // required, not preferred\n  // only ssd\n  affinity {\n",
		"  // scratch space\n  volume work = empty_dir()\n",
		// Apart from the description, the parameter's doc comment.
		"  // who to greet\n\n  // the name\n  param who = \"world\"\n",
		"  // the only template\n  step run {\n",
		"    run [\n      \"sh\",\n      \"-c\",\n      // the greeting\n      \"echo hello\",\n    ]\n",
		"    // the log level\n    env LEVEL = \"debug\"\n",
		"    // where the work goes\n    mount work at \"/work\"\n",
		"container:\n  lifecycle:\n    # say goodbye\n    preStop:\n      exec:\n        command:\n          # an echo, with $HOME and $${HOME}\n          - echo\n          - bye # the word\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the import lacks %q:\n%s", want, got)
		}
	}
	// Each comment once.
	for _, c := range []string{"the kind", "the team", "only ssd", "who to greet", "the greeting", "say goodbye", "the word", "the only template"} {
		if n := strings.Count(got, c); n != 1 {
			t.Errorf("%q written %d times:\n%s", c, n, got)
		}
	}
	if len(res.Objects) != 1 || res.Objects[0].Verbatim || strings.Join(res.Objects[0].Raw, " ") != "container.lifecycle" {
		t.Errorf("not the most native form: %+v", *res.Objects[0])
	}
	if e := roundTripFile("in.yaml", []byte(commented)); !e.equal {
		t.Errorf("round trip: %s", e.failure)
	}
	assertFormatted(t, res.Pipe)
}

// assertFormatted fails when pipec fmt would change the import.
func assertFormatted(t *testing.T, pipe []byte) {
	t.Helper()
	out, d := dsl.FormatSource("in.pipe", pipe)
	if d.HasErrors() {
		t.Fatalf("fmt: %s\n%s", d.Error(), pipe)
	}
	if string(out) != string(pipe) {
		t.Errorf("pipec fmt changes the import:\n%s\nto\n%s", pipe, out)
	}
}

// A raw fragment whose comment holds """ is written between back quotes;
// one whose comments hold both quotes is written without them, and its
// comments go above the step.
func TestImportRawCommentQuotes(t *testing.T) {
	for _, tc := range []struct{ comment, want string }{
		{`say """`, "raw `\ncontainer:\n  lifecycle:\n    # say \"\"\"\n"},
		{"say \"\"\" and `", "  // say \"\"\" and `\n  step run {\n"},
	} {
		src := strings.Replace(`apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: q-}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: alpine
      command: [echo]
      lifecycle:
        # COMMENT
        preStop: {exec: {command: [echo, bye]}}
`, "COMMENT", tc.comment, 1)
		res := importString(t, src, Options{})
		if res.Diags.HasErrors() {
			t.Fatal(res.Diags.Error())
		}
		if got := string(res.Pipe); !strings.Contains(got, tc.want) || strings.Count(got, tc.comment) != 1 {
			t.Errorf("%q: the import lacks %q (or has the comment twice):\n%s", tc.comment, tc.want, got)
		}
		assertFormatted(t, res.Pipe)
	}
}

// TestCatalogueKeepsComments: every comment of Argo's examples is in their
// import (above a statement, inside raw, or listed above the pipeline),
// and the import is formatted.
func TestCatalogueKeepsComments(t *testing.T) {
	files, names, err := catalogueFiles()
	if err != nil {
		t.Skip(err)
	}
	for _, rel := range names {
		src := files[rel]
		if !bytes.Contains(src, []byte("#")) {
			continue
		}
		res := Import(rel, src, Options{})
		if res.Diags.HasErrors() {
			t.Errorf("%s: %s", rel, res.Diags.Error())
			continue
		}
		pipe := string(res.Pipe)
		for _, line := range yamlCommentLines(t, src) {
			if !strings.Contains(pipe, line) && !strings.Contains(pipe, strings.ReplaceAll(line, "${", "$${")) {
				t.Errorf("%s: the comment %q is not in the import:\n%s", rel, line, pipe)
			}
		}
		assertFormatted(t, res.Pipe)
	}
}

// yamlCommentLines are the texts of the comment lines of YAML documents
// (without their # and spaces).
func yamlCommentLines(t *testing.T, src []byte) []string {
	var out []string
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			return out
		}
		for _, s := range treeSlots(nil, &doc) {
			for _, l := range strings.Split(s.text(), "\n") {
				if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#")); l != "" {
					out = append(out, l)
				}
			}
		}
	}
}

// The comments of a file's documents go with each document's pipeline:
// the head above it, one after the document in its list.
func TestImportDocumentComments(t *testing.T) {
	one := "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: NAME-}\nspec:\n  entrypoint: main\n  templates:\n  - {name: main, container: {image: alpine, command: [date]}}\n"
	src := strings.Replace(one, "NAME", "k", 1) + "# the end\n---\n# second doc\n" + strings.Replace(one, "NAME", "j", 1) + "  # trailing\n"
	res := importString(t, src, Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"// Comments of the YAML that have no place in the .pipe (by the line they belong to):\n// end of the document: the end\n\npipeline k {\n",
		"// second doc\n\npipeline j {\n",
		"  // trailing\n  step run {\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the import lacks %q:\n%s", want, got)
		}
	}
	assertFormatted(t, res.Pipe)
}
