package compiler

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// releaseInput is one build of TestReleaseSameResult.
type releaseInput struct {
	name  string
	src   Sources
	roots []string
}

// TestReleaseSameResult checks that Compile with Release (pipec build's
// path, which drops the AST before lowering and the model once a pipeline
// is lowered) gives the same diagnostics (ranges and hints included) and
// the same YAML as without, on every example, every testscript input (each
// archive whole and each of its files alone), the fuzz corpus, and
// pipelines Argo rejects (where blame reads the released pipeline): what
// Release drops must be what nothing reads later.
func TestReleaseSameResult(t *testing.T) {
	var inputs []releaseInput
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		inputs = append(inputs, releaseInput{path, DiskSources{}, []string{path}})
	}
	gen := func(name string, edit func(string) string) releaseInput {
		src := edit(bench.Pipeline(name, 12))
		return overlayInput(name, map[string][]byte{name + ".pipe": []byte(src)})
	}
	inputs = append(inputs,
		gen("plain", func(s string) string { return s }),
		gen("raw-rejected", func(s string) string {
			return strings.Replace(s, "  step s5 {\n", "  step s5 {\n    raw \"\"\"\nactiveDeadlineSeconds: \"{{workflow.nosuch}}\"\n\"\"\"\n", 1)
		}),
		gen("check-error", func(s string) string {
			return strings.Replace(s, "  step s5 {\n", "  step s5 {\n    after nosuch\n", 1)
		}))
	inputs = append(inputs, testscriptInputs(t)...)
	for i, src := range fuzzCorpus(t) {
		inputs = append(inputs, overlayInput(fmt.Sprintf("fuzz input %d", i), map[string][]byte{"f.pipe": src}))
	}
	outputs := 0
	for _, in := range inputs {
		want := Compile(in.src, in.roots, Options{})
		got := Compile(in.src, in.roots, Options{Release: true})
		if m := messages(want.Diags); in.name == "raw-rejected" && !strings.Contains(m, "Argo rejects") || in.name == "check-error" && !want.Diags.HasErrors() {
			t.Errorf("%s: the input needs another error, got %s", in.name, m)
		}
		if a, b := fullMessages(got.Diags), fullMessages(want.Diags); a != b {
			t.Errorf("%s: diagnostics differ\nRelease: %s\nwithout: %s", in.name, a, b)
		}
		if len(got.Outputs) != len(want.Outputs) || len(got.Program.Pipelines) != len(want.Program.Pipelines) {
			t.Errorf("%s: %d outputs of %d pipelines, want %d of %d", in.name, len(got.Outputs), len(got.Program.Pipelines), len(want.Outputs), len(want.Program.Pipelines))
			continue
		}
		for i, o := range got.Outputs {
			outputs++
			w := want.Outputs[i]
			if string(o.YAML) != string(w.YAML) || o.FileName() != w.FileName() || o.Pipeline.File.Name != w.Pipeline.File.Name {
				t.Errorf("%s: output %d differs", in.name, i)
			}
		}
		for name, f := range want.Unit.Files {
			if g := got.Unit.Files[name]; g == nil && f != nil || g != nil && f != nil && string(g.Source) != string(f.Source) {
				t.Errorf("%s: source of %s not kept", in.name, name)
			}
		}
	}
	if outputs < 100 {
		t.Errorf("only %d outputs compared", outputs)
	}
}

// testscriptInputs are the .pipe files of every testscript archive
// (testscriptFileSets), each built with every .pipe file of its set as a root.
func testscriptInputs(t *testing.T) []releaseInput {
	var out []releaseInput
	for _, set := range testscriptFileSets(t) {
		out = append(out, overlayInput(set.name, set.files))
	}
	return out
}

// overlayInput builds every .pipe file of files as a root.
func overlayInput(name string, files map[string][]byte) releaseInput {
	return releaseInput{name, Overlay{Files: files}, pipeRoots(files)}
}

// fullMessages is every field of every diagnostic.
func fullMessages(d diag.Diagnostics) string {
	var out []string
	for _, x := range d {
		out = append(out, fmt.Sprintf("%v", reflect.ValueOf(x).Interface()))
	}
	return strings.Join(out, "\n")
}

// TestReleaseDropsAST checks that with Release the AST is garbage before
// lowering (Options.Cancelled is asked just before each pipeline is
// lowered): no step's declaration, statement or string literal is
// reachable from the checked model that lowering reads; without Release
// the Result keeps them (the language server reads them).
func TestReleaseDropsAST(t *testing.T) {
	src := Overlay{Files: map[string][]byte{"gen.pipe": []byte(bench.Pipeline("gen", 20))}}
	for _, release := range []bool{true, false} {
		var decl weak.Pointer[dsl.StepDecl]
		var stmt weak.Pointer[dsl.StepItem]
		var lit weak.Pointer[dsl.StringLit]
		calls, checked := 0, false
		opts := Options{Release: release, SkipValidate: true}
		opts.Loaded = func(u *Unit, _ diag.Diagnostics) {
			for _, it := range u.Files["gen.pipe"].Items[0].Pipeline.Items {
				if d, ok := it.Stmt.(*dsl.StepDecl); ok && len(d.Items) > 0 {
					run, ok := d.Items[0].Stmt.(*dsl.RunStmt)
					if !ok {
						t.Fatalf("step %s does not start with run", d.Name.Name)
					}
					decl, stmt = weak.Make(d), weak.Make(d.Items[0])
					lit = weak.Make(run.List.Elems[0].Str)
					return
				}
			}
		}
		opts.Cancelled = func() bool {
			if calls++; calls == 1 {
				return false // after loading
			}
			runtime.GC()
			dropped := decl.Value() == nil && stmt.Value() == nil && lit.Value() == nil
			if dropped != release {
				t.Errorf("Release %v: AST dropped before lowering: %v (declaration %v, statement %v, literal %v)", release, dropped, decl.Value() == nil, stmt.Value() == nil, lit.Value() == nil)
			}
			checked = true
			return false
		}
		res := Compile(src, []string{"gen.pipe"}, opts)
		if res.Diags.HasErrors() || len(res.Outputs) != 1 || !checked {
			t.Fatalf("Release %v: %d outputs, checked %v: %v", release, len(res.Outputs), checked, res.Diags)
		}
		runtime.KeepAlive(res)
	}
}
