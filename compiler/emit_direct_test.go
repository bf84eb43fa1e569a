package compiler

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/internal/argojson"
	"github.com/pipec/pipec/internal/yamlenc"
)

// templatesViaJSON is what templatesYAML replaces: the JSON of tmpls
// written by yamlenc with EmitOptions.
func templatesViaJSON(t *testing.T, tmpls any, ind int) []byte {
	t.Helper()
	js, err := argojson.Append(nil, tmpls)
	if err != nil {
		t.Fatal(err)
	}
	y, err := yamlenc.SequenceFromJSON(nil, js, ind, EmitOptions())
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// checkTemplatesYAML fails t unless templatesYAML writes every template of
// obj, in parts of every size and at several indentations, exactly as the
// JSON path does.
func checkTemplatesYAML(t *testing.T, name string, obj *Object) {
	t.Helper()
	all := obj.Spec().Templates
	for _, size := range []int{1, 7, emitPartTemplates, len(all)} {
		for from := 0; from < len(all); from += max(size, 1) {
			for _, ind := range []int{0, 2, 6} {
				tmpls := obj.Target.templates(all[from:min(from+size, len(all))])
				got, ok := templatesYAML([]byte("prefix"), tmpls, ind)
				if !ok {
					t.Fatalf("%s: templates %d.. (%d): the direct YAML failed", name, from, size)
				}
				want := append([]byte("prefix"), templatesViaJSON(t, tmpls, ind)...)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: templates %d.. (%d) at %d: direct YAML differs\n got: %s\nwant: %s", name, from, size, ind, got, want)
				}
			}
		}
		if size >= len(all) {
			break
		}
	}
}

// TestTemplatesYAML: the templates of every example and of generated
// pipelines of several sizes are written directly exactly as through
// their JSON, and Emit (which renders the large ones in parts, directly)
// writes what the JSON path writes for the whole object.
func TestTemplatesYAML(t *testing.T) {
	paths, _ := filepath.Glob("../examples/*.pipe")
	if len(paths) == 0 {
		t.Fatal("no examples")
	}
	files := map[string][]byte{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = src
	}
	sizes := []int{3, 40, 250, 1000}
	if testing.Short() {
		sizes = sizes[:3]
	}
	for _, n := range sizes {
		files["gen.pipe/"+strings.Repeat("x", n)] = []byte(bench.Pipeline("gen", n))
	}
	checked := 0
	for name, src := range files {
		var res *Result
		if strings.HasPrefix(name, "gen.pipe/") {
			res = Compile(Overlay{Files: map[string][]byte{"gen.pipe": src}}, []string{"gen.pipe"}, Options{SkipValidate: true})
		} else {
			res = Compile(DiskSources{}, []string{name}, Options{SkipValidate: true})
		}
		if res.Diags.HasErrors() {
			t.Fatalf("%s: %v", name, res.Diags)
		}
		for _, out := range res.Outputs {
			checkTemplatesYAML(t, name, out.Object)
			js, err := argojson.Marshal(out.Object.EmitValue())
			if err != nil {
				t.Fatal(err)
			}
			want, err := yamlenc.FromJSON(nil, js, EmitOptions())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.YAML, want) {
				t.Fatalf("%s: pipeline %s: Emit differs from the JSON path", name, out.Pipeline.Name)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d pipelines checked", checked)
	}
}

// TestEmitOptionsAreArgojsons: the direct writers prune with EmitOptions.
func TestEmitOptionsAreArgojsons(t *testing.T) {
	got, want := argojson.YAMLOptions(), EmitOptions()
	if got.Prune != want.Prune || len(got.KeepEmpty) != len(want.KeepEmpty) {
		t.Fatalf("argojson.YAMLOptions() = %v, EmitOptions() = %v", got, want)
	}
	for k := range want.KeepEmpty {
		if !got.KeepEmpty[k] {
			t.Errorf("argojson.YAMLOptions() does not keep %q", k)
		}
	}
}

// BenchmarkTemplatesYAML compares, on the templates of a generated
// pipeline in Emit's parts, the direct YAML (direct) with the path it
// replaces (json): argojson's JSON, then yamlenc.
func BenchmarkTemplatesYAML(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		res := Compile(Overlay{Files: map[string][]byte{"gen.pipe": []byte(bench.Pipeline("gen", n))}}, []string{"gen.pipe"}, Options{SkipValidate: true})
		if res.Diags.HasErrors() || len(res.Outputs) != 1 {
			b.Fatal(res.Diags)
		}
		obj := res.Outputs[0].Object
		var parts []any
		all := obj.Spec().Templates
		for i := 0; i < len(all); i += emitPartTemplates {
			parts = append(parts, obj.Target.templates(all[i:min(i+emitPartTemplates, len(all))]))
		}
		var buf []byte
		b.Run(fmt.Sprintf("steps=%d/direct", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, tmpls := range parts {
					var ok bool
					if buf, ok = templatesYAML(buf[:0], tmpls, 2); !ok {
						b.Fatal("failed")
					}
				}
			}
		})
		b.Run(fmt.Sprintf("steps=%d/json", n), func(b *testing.B) {
			b.ReportAllocs()
			var js []byte
			for b.Loop() {
				for _, tmpls := range parts {
					var err error
					if js, err = argojson.Append(js[:0], tmpls); err != nil {
						b.Fatal(err)
					}
					if buf, err = yamlenc.SequenceFromJSON(buf[:0], js, 2, EmitOptions()); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
