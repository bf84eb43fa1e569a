package compiler

import (
	"bytes"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
)

// restoreAfter restores the variables vars and GOMAXPROCS when the test
// ends.
func restoreAfter(t *testing.T, vars ...*int) {
	saved := make([]int, len(vars))
	for i, v := range vars {
		saved[i] = *v
	}
	procs := runtime.GOMAXPROCS(0)
	t.Cleanup(func() {
		for i, v := range vars {
			*v = saved[i]
		}
		runtime.GOMAXPROCS(procs)
	})
}

// compiledExamples compiles every example, without validating or
// rendering it.
func compiledExamples() []*Result {
	var out []*Result
	paths, _ := filepath.Glob("../examples/*.pipe")
	for _, p := range paths {
		out = append(out, Compile(DiskSources{}, []string{p}, Options{SkipValidate: true, SkipEmit: true}))
	}
	return out
}

// TestEmitInParts checks that rendering the templates in parts gives
// exactly the YAML of rendering the object at once, on every example and
// on generated pipelines, with parts of a few templates.
func TestEmitInParts(t *testing.T) {
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
	inParts := 0
	for _, obj := range objs {
		for _, target := range Targets {
			obj := *obj
			obj.Target = target
			emitParallelTemplates = 1 << 30
			want, err := Emit(&obj)
			if err != nil {
				t.Fatal(err)
			}
			emitParallelTemplates = 1
			for _, c := range []struct{ size, procs int }{{1, 3}, {2, 1}, {64, 2}} {
				emitPartTemplates = c.size
				runtime.GOMAXPROCS(c.procs)
				got, err := Emit(&obj)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s for %s: YAML differs when rendered in parts of %d on %d cores:\n%s\nwant:\n%s", obj.Pipeline.Name, target, c.size, c.procs, got, want)
				}
			}
			if _, ok := emitInParts(&obj); ok {
				inParts++
			} else if obj.CronWorkflow == nil {
				t.Errorf("%s: not rendered in parts", obj.Pipeline.Name)
			}
		}
	}
	if inParts < 2*20 {
		t.Errorf("only %d objects rendered in parts", inParts)
	}
}

// TestLowerInParts checks that lowering steps in parts gives the same
// objects and diagnostics as lowering them in turn.
func TestLowerInParts(t *testing.T) {
	restoreAfter(t, &lowerParallelSteps, &lowerPartSteps)
	runtime.GOMAXPROCS(3)
	var progs []*Program
	for _, res := range compiledExamples() {
		progs = append(progs, res.Program)
	}
	// Raw fragments Argo's Template does not have, in several steps: the
	// diagnostics come from several parts.
	bad := strings.NewReplacer("  step s1 {\n", "  step s1 {\n    raw \"\"\"\nnosuch: 1\n\"\"\"\n",
		"  step s6 {\n", "  step s6 {\n    raw \"\"\"\nalso: 2\n\"\"\"\n")
	for _, src := range []string{bench.Pipeline("gen", 9), bad.Replace(bench.Pipeline("gen", 9))} {
		unit, _ := Load(Overlay{Files: map[string][]byte{"gen.pipe": []byte(src)}}, []string{"gen.pipe"})
		prog, _ := Check(unit)
		progs = append(progs, prog)
	}
	sawDiags := false
	for _, prog := range progs {
		for _, p := range prog.Pipelines {
			lowerParallelSteps = 1 << 30
			want, wantDiags := Lower(p, nil)
			lowerParallelSteps = 1
			for _, size := range []int{1, 2, 64} {
				lowerPartSteps = size
				got, gotDiags := Lower(p, nil)
				if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDiags, wantDiags) {
					t.Errorf("%s: lowering in parts of %d differs", p.Name, size)
				}
				sawDiags = sawDiags || len(gotDiags) >= 2
			}
		}
	}
	if !sawDiags {
		t.Error("no pipeline with diagnostics from several steps")
	}
}
