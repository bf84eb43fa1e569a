package compiler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/pipec/pipec/bench"
)

// TestEmitTo checks that EmitTo writes exactly the bytes Emit returns, on
// every example and on generated pipelines, in parts of a few templates
// (many more parts than the window) on one to three cores, and at once.
func TestEmitTo(t *testing.T) {
	restoreAfter(t, &emitParallelTemplates, &emitPartTemplates)
	var objs []*Object
	for _, res := range compiledExamples() {
		for _, out := range res.Outputs {
			objs = append(objs, out.Object)
		}
	}
	for _, n := range []int{1, 7, 250} {
		objs = append(objs, lowerGenerated(t, n, func(s string) string { return s }))
	}
	for _, obj := range objs {
		for _, target := range Targets {
			obj := *obj
			obj.Target = target
			emitParallelTemplates = 1 << 30
			want, err := Emit(&obj)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ parallel, size, procs int }{{1 << 30, 64, 2}, {1, 1, 3}, {1, 2, 1}, {1, 3, 2}, {1, 64, 2}} {
				emitParallelTemplates, emitPartTemplates = c.parallel, c.size
				runtime.GOMAXPROCS(c.procs)
				var got bytes.Buffer
				if err := EmitTo(&got, &obj); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s for %s: EmitTo's YAML differs from Emit's, in parts of %d on %d cores:\n%s\nwant:\n%s", obj.Pipeline.Name, target, c.size, c.procs, got.Bytes(), want)
				}
			}
		}
	}
}

// failingWriter fails once it has been given more than n bytes.
type failingWriter struct {
	n       int
	written bytes.Buffer
}

var errFull = errors.New("disk full")

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.written.Len()+len(b) > w.n {
		return 0, errFull
	}
	return w.written.Write(b)
}

// TestEmitToWriteError checks that EmitTo returns the writer's error,
// wherever it fails, and stops (does not hang) with parts still to render.
func TestEmitToWriteError(t *testing.T) {
	restoreAfter(t, &emitParallelTemplates, &emitPartTemplates)
	obj := lowerGenerated(t, 250, func(s string) string { return s })
	want, err := Emit(obj)
	if err != nil {
		t.Fatal(err)
	}
	emitParallelTemplates, emitPartTemplates = 1, 2
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 10, len(want) / 3, len(want) - 1} {
			w := &failingWriter{n: n}
			if err := EmitTo(w, obj); !errors.Is(err, errFull) {
				t.Errorf("%d cores, failing after %d bytes: got %v, want %v", procs, n, err, errFull)
			}
			if !bytes.HasPrefix(want, w.written.Bytes()) {
				t.Errorf("%d cores, failing after %d bytes: what was written is not the YAML's start", procs, n)
			}
		}
		w := &failingWriter{n: len(want)}
		if err := EmitTo(w, obj); err != nil || !bytes.Equal(w.written.Bytes(), want) {
			t.Errorf("%d cores, room for all of it: %v", procs, err)
		}
	}
}

// TestCompileEmitTo checks Options.EmitTo: Compile writes to it exactly
// the YAML it would put in Output.YAML, leaves Output.YAML nil, and the
// validation cache's key of the YAML hashed as it is written is the key of
// the whole YAML (a build with EmitTo hits the cache a build without it
// filled), on every example and a pipeline rendered in parts.
func TestCompileEmitTo(t *testing.T) {
	restoreAfter(t, &emitParallelTemplates, &emitPartTemplates)
	emitParallelTemplates, emitPartTemplates = 4, 3
	paths, _ := filepath.Glob("../examples/*.pipe")
	gen := "gen-40.pipe"
	src := Overlay{Files: map[string][]byte{gen: []byte(bench.Pipeline("gen-40", 40))}, Base: DiskSources{}}
	compiled := 0
	for _, p := range append(paths, gen) {
		cache := &memoryCache{}
		want := Compile(src, []string{p}, Options{ValidationCache: cache, Release: true})
		accepted := cache.accepted
		written := map[string]*bytes.Buffer{}
		got := Compile(src, []string{p}, Options{ValidationCache: cache, Release: true, EmitTo: func(pl *Pipeline) (io.Writer, error) {
			written[pl.Name] = &bytes.Buffer{}
			return written[pl.Name], nil
		}})
		if len(got.Outputs) != len(want.Outputs) || fmt.Sprint(got.Diags) != fmt.Sprint(want.Diags) {
			t.Fatalf("%s: %d outputs, %v; want %d, %v", p, len(got.Outputs), got.Diags, len(want.Outputs), want.Diags)
		}
		for i, out := range got.Outputs {
			w := written[out.Pipeline.Name]
			if out.YAML != nil || w == nil || !bytes.Equal(w.Bytes(), want.Outputs[i].YAML) {
				t.Errorf("%s: pipeline %s: what EmitTo got differs from Output.YAML without it", p, out.Pipeline.Name)
			}
			compiled++
		}
		if len(want.Outputs) > 0 && (cache.accepted != accepted || cache.hits == 0) {
			t.Errorf("%s: the build with EmitTo validated again (accepted %d more, %d hits)", p, cache.accepted-accepted, cache.hits)
		}
	}
	if compiled < 20 {
		t.Errorf("only %d pipelines compiled", compiled)
	}
}
