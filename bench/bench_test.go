package bench_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/dsl"
	"github.com/pipec/pipec/internal/yamlenc"
)

// An input is one source file the benchmarks compile: a generated pipeline
// or an example.
type input struct {
	name string // sub-benchmark name: steps=N or example=NAME
	path string
	src  []byte
}

// inputs returns the generated pipelines (bench.SizesToRun) and
// examples/*.pipe (if there are any).
func inputs(tb testing.TB) []input {
	var out []input
	for _, n := range bench.SizesToRun() {
		name := fmt.Sprintf("gen-%d", n)
		out = append(out, input{name: fmt.Sprintf("steps=%d", n), path: name + ".pipe", src: []byte(bench.Pipeline(name, n))})
	}
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, p := range examples {
		src, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, input{name: "example=" + strings.TrimSuffix(filepath.Base(p), ".pipe"), path: p, src: src})
	}
	return out
}

// run runs one sub-benchmark per input: setup prepares the input and
// returns the operation measured (bench.Measure: wall and CPU time), with
// source bytes/s.
func run(b *testing.B, setup func(b *testing.B, in input) func()) {
	for _, in := range inputs(b) {
		b.Run(in.name, func(b *testing.B) {
			op := setup(b, in)
			b.SetBytes(int64(len(in.src)))
			bench.Measure(b, op)
		})
	}
}

// examples may import each other: load every example with its directory so
// that imports resolve; a generated input is served from memory.
func sources(in input) compiler.Sources {
	if strings.HasPrefix(in.name, "example=") {
		return compiler.DiskSources{}
	}
	return compiler.Overlay{Files: map[string][]byte{in.path: in.src}}
}

// compiled is an input taken through every phase once, for the benchmarks
// of the later phases.
type compiled struct {
	unit *compiler.Unit
	prog *compiler.Program
	objs []*compiler.Object
}

func compile(b *testing.B, in input) compiled {
	b.Helper()
	unit, diags := compiler.Load(sources(in), []string{in.path})
	prog, cd := compiler.Check(unit)
	diags = append(diags, cd...)
	if diags.HasErrors() {
		b.Skipf("%s does not compile: %v", in.name, diags)
	}
	c := compiled{unit: unit, prog: prog}
	for _, p := range prog.Pipelines {
		obj, ld := compiler.Lower(p, nil)
		if ld.HasErrors() {
			b.Skipf("%s does not lower: %v", in.name, ld)
		}
		c.objs = append(c.objs, obj)
	}
	return c
}

// BenchmarkLex is the lexer alone: every token of the file.
func BenchmarkLex(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		return func() {
			lx, err := dsl.Lexer.LexString(in.path, string(in.src))
			if err != nil {
				b.Fatal(err)
			}
			for {
				t, err := lx.Next()
				if err != nil {
					b.Fatal(err)
				}
				if t.EOF() {
					break
				}
			}
		}
	})
}

// BenchmarkParse is the grammar alone (participle), on the already lexed
// tokens.
func BenchmarkParse(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		toks := lexAll(b, in)
		ws, comment := dsl.Lexer.Symbols()["Whitespace"], dsl.Lexer.Symbols()["Comment"]
		return func() {
			plex, err := lexer.Upgrade(dsl.TokenLexer(toks), ws, comment)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := dsl.Parser().ParseFromLexer(plex); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func lexAll(b *testing.B, in input) []lexer.Token {
	lx, err := dsl.Lexer.LexString(in.path, string(in.src))
	if err != nil {
		b.Fatal(err)
	}
	var toks []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil {
			b.Fatal(err)
		}
		toks = append(toks, t)
		if t.EOF() {
			return toks
		}
	}
}

// BenchmarkLoad is the compiler's load phase: dsl.Parse (lex, parse, doc
// comments, error recovery checks) of the file and of its imports.
func BenchmarkLoad(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		src := sources(in)
		return func() {
			if _, diags := compiler.Load(src, []string{in.path}); diags.HasErrors() {
				b.Fatal(diags)
			}
		}
	})
}

// BenchmarkCheck is name resolution and every static check.
func BenchmarkCheck(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		return func() { compiler.Check(c.unit) }
	})
}

// BenchmarkLower builds the Argo objects from the checked program.
func BenchmarkLower(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		return func() {
			for _, p := range c.prog.Pipelines {
				compiler.Lower(p, nil)
			}
		}
	})
}

// BenchmarkValidate is Argo's validator on the lowered objects, as pipec
// build runs it without a cache (shape-based, see compiler/validate_shapes.go).
func BenchmarkValidate(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		return func() {
			for _, obj := range c.objs {
				if d := compiler.Validate(obj); d.HasErrors() {
					b.Fatal(d)
				}
			}
		}
	})
}

// BenchmarkValidateFull is Argo's validator on each whole object as
// lowered (compiler.ValidateFull, --validate=full): what Validate's
// shortcuts (shapes, chunks, stand-ins) are measured against.
func BenchmarkValidateFull(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		return func() {
			for _, obj := range c.objs {
				if d := compiler.ValidateFull(obj); d.HasErrors() {
					b.Fatal(d)
				}
			}
		}
	})
}

// BenchmarkEmit renders the lowered objects as YAML, as pipec does.
func BenchmarkEmit(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		return func() {
			for _, obj := range c.objs {
				if _, err := compiler.Emit(obj); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkEmitTo renders the lowered objects as YAML into a file, part by
// part as they are rendered, as pipec build -o does.
func BenchmarkEmitTo(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		f, err := os.Create(filepath.Join(b.TempDir(), "out.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return func() {
			if _, err := f.Seek(0, 0); err != nil {
				b.Fatal(err)
			}
			for _, obj := range c.objs {
				if err := compiler.EmitTo(f, obj); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkFloor is the least any tool producing these objects must do:
// marshal the already lowered Argo objects to YAML and write them to a
// file, with the fastest encoder at hand (encoding/json, then
// internal/yamlenc without pruning). Every phase is reported as a ratio of
// it.
func BenchmarkFloor(b *testing.B) {
	floor(b, func(v any) ([]byte, error) {
		j, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return yamlenc.FromJSON(make([]byte, 0, len(j)), j, yamlenc.Options{})
	})
}

// BenchmarkFloorSigsYAML is the floor with sigs.k8s.io/yaml, the encoder
// Kubernetes tools use and pipec used until internal/yamlenc: it marshals
// to JSON, decodes that into a generic tree and encodes the tree.
func BenchmarkFloorSigsYAML(b *testing.B) {
	floor(b, yaml.Marshal)
}

func floor(b *testing.B, marshal func(any) ([]byte, error)) {
	run(b, func(b *testing.B, in input) func() {
		c := compile(b, in)
		f, err := os.Create(filepath.Join(b.TempDir(), "out.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return func() {
			if _, err := f.Seek(0, 0); err != nil {
				b.Fatal(err)
			}
			for _, obj := range c.objs {
				y, err := marshal(obj.Value())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.Write(y); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkCompile is compiler.Compile end to end (load, check, lower,
// validate, emit) from source in memory to YAML in memory, as pipec build
// runs it, without process start-up (see scripts/bench-process.sh).
func BenchmarkCompile(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		src := sources(in)
		return func() {
			res := compiler.Compile(src, []string{in.path}, compiler.Options{})
			if res.Diags.HasErrors() {
				b.Fatal(res.Diags)
			}
		}
	})
}

// memoryCache is a compiler.ValidationCache in memory.
type memoryCache map[string]bool

func (c memoryCache) Accepted(key string) bool { return c[key] }
func (c memoryCache) Accept(key string)        { c[key] = true }

// BenchmarkCompileWarm is Compile with a validation cache that an earlier
// compilation of the same source filled: what pipec watch and a build with
// a kept cache directory do. Argo's validator does not run; the cache is
// consulted with a hash of the YAML.
func BenchmarkCompileWarm(b *testing.B) {
	run(b, func(b *testing.B, in input) func() {
		src := sources(in)
		opts := compiler.Options{ValidationCache: memoryCache{}}
		if res := compiler.Compile(src, []string{in.path}, opts); res.Diags.HasErrors() {
			b.Skipf("%s does not compile: %v", in.name, res.Diags)
		}
		return func() {
			res := compiler.Compile(src, []string{in.path}, opts)
			if res.Diags.HasErrors() {
				b.Fatal(res.Diags)
			}
		}
	})
}

// BenchmarkFanOut is the load phase and a warm Compile of one step that
// fans out over a literal list of items=N maps (bench.FanOut): the cost of
// one statement as large as a pipeline.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		name := fmt.Sprintf("fanout-%d", n)
		path := name + ".pipe"
		src := compiler.Overlay{Files: map[string][]byte{path: []byte(bench.FanOut(name, n))}}
		b.Run(fmt.Sprintf("load/items=%d", n), func(b *testing.B) {
			bench.Measure(b, func() {
				if _, diags := compiler.Load(src, []string{path}); diags.HasErrors() {
					b.Fatal(diags)
				}
			})
		})
		b.Run(fmt.Sprintf("warm/items=%d", n), func(b *testing.B) {
			opts := compiler.Options{ValidationCache: memoryCache{}}
			if res := compiler.Compile(src, []string{path}, opts); res.Diags.HasErrors() {
				b.Fatal(res.Diags)
			}
			bench.Measure(b, func() {
				if res := compiler.Compile(src, []string{path}, opts); res.Diags.HasErrors() {
					b.Fatal(res.Diags)
				}
			})
		})
	}
}

// TestGenerated checks that the generated pipelines compile without a
// diagnostic and that the generator is deterministic.
func TestGenerated(t *testing.T) {
	for _, n := range []int{1, 2, 5, 10, 100} {
		name := fmt.Sprintf("gen-%d", n)
		src := bench.Pipeline(name, n)
		if src != bench.Pipeline(name, n) {
			t.Fatalf("n=%d: the generator is not deterministic", n)
		}
		res := compiler.Compile(compiler.Overlay{Files: map[string][]byte{name + ".pipe": []byte(src)}}, []string{name + ".pipe"}, compiler.Options{})
		if len(res.Diags) > 0 {
			t.Fatalf("n=%d: %v", n, res.Diags)
		}
		if len(res.Outputs) != 1 || len(res.Outputs[0].YAML) == 0 {
			t.Fatalf("n=%d: no output", n)
		}
	}
	// The fan-out: one task whose withItems has every item.
	src := bench.FanOut("fanout", 3)
	res := compiler.Compile(compiler.Overlay{Files: map[string][]byte{"fanout.pipe": []byte(src)}}, []string{"fanout.pipe"}, compiler.Options{})
	if len(res.Diags) > 0 || len(res.Outputs) != 1 {
		t.Fatalf("fan-out: %v", res.Diags)
	}
	if tasks := res.Outputs[0].Object.Spec().Templates[0].DAG.Tasks; len(tasks) != 1 || len(tasks[0].WithItems) != 3 {
		t.Fatalf("fan-out: the entry point's tasks are %+v, want one with 3 items", tasks)
	}
}
