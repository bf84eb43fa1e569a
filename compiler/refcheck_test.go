package compiler

import (
	"fmt"
	"strings"
	"testing"
)

const refLib = `pipeline shared {
  kind workflow_template
  image "alpine"
  step greet uses say(msg = "x")
  step bye uses say(msg = "y")
}

template say(msg: string) { run ["echo", "${msg}"] }
`

func TestLibraryRefs(t *testing.T) {
	cases := []struct {
		name, use string
		roots     []string
		want      []string
	}{
		{"good", `step s uses ref("shared", "greet")(msg = "hi")`, nil, nil},
		{"unknown template", `step s uses ref("shared", "gret")(msg = "hi")`, nil,
			[]string{`use.pipe:3:29: WorkflowTemplate "shared" (pipeline lib.pipe:1:10) has no template "gret" | hint: did you mean "greet"?`}},
		{"unknown argument", `step s uses ref("shared", "greet")(mgs = "hi")`, nil,
			[]string{`template "greet" of WorkflowTemplate "shared" needs the argument "msg"`, `use.pipe:3:38: template "greet" of WorkflowTemplate "shared" has no input "mgs" | hint: did you mean msg?`}},
		{"not in the build", `step s uses ref("elsewhere", "x")(a = "b")`, nil, nil},
		{"cluster is another object", `step s uses ref("shared", "gret", cluster)`, nil, nil},
		{"entrypoint", "workflow_template_ref \"shared\"\n  entrypoint \"greet\"\n  param msg = \"hi\"", nil, nil},
		{"unknown entrypoint", "workflow_template_ref \"shared\"\n  entrypoint \"gret\"", nil,
			[]string{`use.pipe:4:14: entrypoint: WorkflowTemplate "shared" (pipeline lib.pipe:1:10) has no template "gret" | hint: did you mean "greet"?`}},
		{"entrypoint input without a parameter", "workflow_template_ref \"shared\"\n  entrypoint \"bye\"", nil,
			[]string{`use.pipe:4:3: entrypoint: template "bye" of WorkflowTemplate "shared" needs the input "msg", which no parameter gives | hint: declare it: param msg = "..."`}},
		{"entrypoint of a cluster template not in the build", "cluster_workflow_template_ref \"shared\"\n  entrypoint \"gret\"", nil, nil},
		{"a root of the build", `step s uses ref("shared", "nope")`, []string{"use.pipe", "lib.pipe"},
			[]string{`has no template "nope"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			use := "import \"lib.pipe\"\npipeline user {\n  " + tc.use + "\n}\n"
			roots := tc.roots
			if roots == nil {
				roots = []string{"use.pipe"}
			}
			res := Compile(Overlay{Files: map[string][]byte{"lib.pipe": []byte(refLib), "use.pipe": []byte(use)}}, roots, Options{SkipValidate: true})
			var got []string
			for _, d := range res.Diags {
				s := fmt.Sprintf("%s:%d:%d: %s", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, d.Message)
				if d.Hint != "" {
					s += " | hint: " + d.Hint
				}
				got = append(got, s)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s", i, got[i], w)
				}
			}
		})
	}
}
