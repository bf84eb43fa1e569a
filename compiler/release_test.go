package compiler

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
)

// TestReleaseSameResult checks that Compile with Release (pipec build's
// path, which drops the AST and the model once used) gives the same
// diagnostics and the same YAML as without, on every example and on
// pipelines Argo rejects (where blame reads the released pipeline).
func TestReleaseSameResult(t *testing.T) {
	type input struct {
		name  string
		src   Sources
		roots []string
	}
	var inputs []input
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		inputs = append(inputs, input{path, DiskSources{}, []string{path}})
	}
	gen := func(name string, edit func(string) string) input {
		src := edit(bench.Pipeline(name, 12))
		return input{name, Overlay{Files: map[string][]byte{name + ".pipe": []byte(src)}}, []string{name + ".pipe"}}
	}
	inputs = append(inputs,
		gen("plain", func(s string) string { return s }),
		gen("raw-rejected", func(s string) string {
			return strings.Replace(s, "  step s5 {\n", "  step s5 {\n    raw \"\"\"\nactiveDeadlineSeconds: \"{{workflow.nosuch}}\"\n\"\"\"\n", 1)
		}),
		gen("check-error", func(s string) string {
			return strings.Replace(s, "  step s5 {\n", "  step s5 {\n    after nosuch\n", 1)
		}))
	for _, in := range inputs {
		want := Compile(in.src, in.roots, Options{})
		got := Compile(in.src, in.roots, Options{Release: true})
		if m := messages(want.Diags); in.name == "raw-rejected" && !strings.Contains(m, "Argo rejects") || in.name == "check-error" && !want.Diags.HasErrors() {
			t.Errorf("%s: the input needs another error, got %s", in.name, m)
		}
		if a, b := messages(got.Diags), messages(want.Diags); a != b {
			t.Errorf("%s: diagnostics differ\nRelease: %s\nwithout: %s", in.name, a, b)
		}
		if len(got.Outputs) != len(want.Outputs) || len(got.Program.Pipelines) != len(want.Program.Pipelines) {
			t.Errorf("%s: %d outputs of %d pipelines, want %d of %d", in.name, len(got.Outputs), len(got.Program.Pipelines), len(want.Outputs), len(want.Program.Pipelines))
			continue
		}
		for i, o := range got.Outputs {
			w := want.Outputs[i]
			if string(o.YAML) != string(w.YAML) || o.FileName() != w.FileName() || o.Pipeline.File.Name != w.Pipeline.File.Name {
				t.Errorf("%s: output %d differs", in.name, i)
			}
		}
		for name, f := range want.Unit.Files {
			if g := got.Unit.Files[name]; g == nil || string(g.Source) != string(f.Source) {
				t.Errorf("%s: source of %s not kept", in.name, name)
			}
		}
	}
}
