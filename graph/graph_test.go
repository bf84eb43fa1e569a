package graph

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/compiler"
)

var update = flag.Bool("update", false, "rewrite golden files")

// compileExample lowers an example pipeline.
func compileExample(t *testing.T, name string) *Graph {
	t.Helper()
	path := filepath.Join("..", "examples", name+".pipe")
	res := compiler.Compile(compiler.DiskSources{}, []string{path}, compiler.Options{SkipValidate: true, SkipEmit: true})
	if res.Diags.HasErrors() || len(res.Outputs) != 1 {
		t.Fatalf("%s: %v", name, res.Diags)
	}
	out := res.Outputs[0]
	g, err := FromWorkflow(out.Pipeline.Name, out.Object.Spec())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./graph -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./graph -update rewrites it):\n%s", path, got)
	}
}

var examples = []string{"dag-diamond", "etl", "exit-handlers", "conditionals", "loops-param-result", "loops-sequence", "loops-maps", "lifecycle-hooks", "stages"}

func TestGolden(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			g := compileExample(t, name)
			var dot, mmd bytes.Buffer
			if err := g.DOT(&dot); err != nil {
				t.Fatal(err)
			}
			if err := g.Mermaid(&mmd); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".dot", dot.Bytes())
			golden(t, name+".mmd", mmd.Bytes())
		})
	}
}

func TestColoured(t *testing.T) {
	g := compileExample(t, "etl")
	g.Colour(map[string]*State{
		"extract":   {Phase: "Succeeded", Instances: 3, Succeeded: 3, CacheHits: 3},
		"merge":     {Phase: "Succeeded", Instances: 1, Succeeded: 1},
		"load":      {Phase: "Failed", Instances: 1},
		"report":    {Phase: "Succeeded", Instances: 1, Succeeded: 1},
		"alert":     {Phase: "Running", Instances: 1},
		"not-there": {Phase: "Failed"},
	})
	var dot, mmd bytes.Buffer
	_ = g.DOT(&dot)
	_ = g.Mermaid(&mmd)
	golden(t, "etl-run.dot", dot.Bytes())
	golden(t, "etl-run.mmd", mmd.Bytes())
}

func TestEdges(t *testing.T) {
	g := compileExample(t, "exit-handlers")
	var handlers []string
	for _, n := range g.Nodes {
		handlers = append(handlers, n.Name+":"+n.Handler)
	}
	if got := strings.Join(handlers, " "); got != "work: notify:exit celebrate:exit cry:failure" {
		t.Errorf("handlers: %s", got)
	}
	for _, tc := range []struct{ depends, want string }{
		{"a && b.Failed", "a: b:failed"},
		{"(a.Succeeded || a.Failed || a.Errored) && c.AnySucceeded", "a:completed c:any succeeded"},
		{"", ""},
	} {
		var got []string
		for _, d := range dependsTerms(tc.depends) {
			got = append(got, d.task+":"+d.outcome)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("dependsTerms(%q) = %v, want %s", tc.depends, got, tc.want)
		}
	}
	if got := pretty("{{tasks.a.outputs.parameters.rows}} > {{workflow.parameters.min}} && {{tasks.b.outputs.result}} == {{item.x}}"); got != "${a.rows} > ${min} && ${b.result} == ${item.x}" {
		t.Errorf("pretty: %s", got)
	}
}

// FuzzReaders: the readers of Argo's expressions never panic, and pretty
// leaves text without references alone.
func FuzzReaders(f *testing.F) {
	f.Add("a && (b.Succeeded || b.Failed || b.Errored) && c.AnySucceeded", "{{tasks.a.outputs.result}} == {{item.x}}")
	f.Fuzz(func(t *testing.T, depends, when string) {
		_ = dependsTerms(depends)
		if got := pretty(when); !strings.Contains(when, "{{") && got != when {
			t.Errorf("pretty(%q) = %q", when, got)
		}
		_, _ = failureCondition(when)
	})
}

// A loop's label writes Argo's references in its bounds as pipec's
// ${...}, as conditions do.
func TestLoopLabelReferences(t *testing.T) {
	end := intstr.FromString("{{workflow.parameters.count}}")
	count := intstr.FromString("{{tasks.gen.outputs.parameters.n}}")
	one := intstr.FromString("1")
	for _, tc := range []struct {
		seq  wfv1.Sequence
		want string
	}{
		{wfv1.Sequence{Start: &one, End: &end}, "for each number 1..${count}"},
		{wfv1.Sequence{Count: &count}, "for each of ${gen.n} numbers from 0"},
	} {
		if got := loop(wfv1.DAGTask{WithSequence: &tc.seq}); got != tc.want {
			t.Errorf("loop(%+v) = %q, want %q", tc.seq, got, tc.want)
		}
	}
}
