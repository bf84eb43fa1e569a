package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
)

func lowerGenerated(t testing.TB, n int, edit func(string) string) *Object {
	t.Helper()
	name := fmt.Sprintf("gen-%d", n)
	src := edit(bench.Pipeline(name, n))
	res := Compile(Overlay{Files: map[string][]byte{name + ".pipe": []byte(src)}}, []string{name + ".pipe"}, Options{SkipValidate: true, SkipEmit: true})
	if res.Diags.HasErrors() || len(res.Outputs) != 1 {
		t.Fatalf("%v", res.Diags)
	}
	return res.Outputs[0].Object
}

// TestValidateChunks checks that a large valid pipeline is validated in
// chunks, each accepted by Argo, and that Argo accepts it whole too.
func TestValidateChunks(t *testing.T) {
	for _, n := range []int{validateChunkSize + 1, 3*validateChunkSize + 17} {
		obj := lowerGenerated(t, n, func(s string) string { return s })
		chunks := 0
		ok := validChunks(obj, func(o *Object) error {
			chunks++
			return argoValidate(o)
		})
		if !ok {
			t.Fatalf("n=%d: chunked validation failed", n)
		}
		if want := (n + validateChunkSize - 1) / validateChunkSize; chunks != want {
			t.Errorf("n=%d: %d chunks, want %d", n, chunks, want)
		}
		if err := argoValidate(obj); err != nil {
			t.Fatalf("n=%d: whole: %v", n, err)
		}
	}
}

// TestValidateChunksErrors checks that an error Argo finds in a large
// pipeline is reported exactly as for the whole workflow.
func TestValidateChunksErrors(t *testing.T) {
	n := 2*validateChunkSize + 10
	obj := lowerGenerated(t, n, func(s string) string {
		// A raw fragment Argo rejects, in a step of the last chunk.
		return strings.Replace(s, "  step s205 {\n", "  step s205 {\n    raw \"\"\"\nactiveDeadlineSeconds: \"{{workflow.nosuch}}\"\n\"\"\"\n", 1)
	})
	if validChunks(obj, argoValidate) {
		t.Fatal("chunked validation accepted an invalid workflow")
	}
	whole := argoValidate(obj)
	if whole == nil {
		t.Fatal("Argo accepts the edited workflow: the test needs another error")
	}
	d := Validate(obj)
	if len(d) != 1 || !strings.Contains(d[0].Message, whole.Error()) {
		t.Fatalf("got %v, want the whole workflow's error %v", d, whole)
	}
}

// TestValidateChunksNotApplicable checks the cases validated whole.
func TestValidateChunksNotApplicable(t *testing.T) {
	small := lowerGenerated(t, validateChunkSize, func(s string) string { return s })
	if validChunks(small, func(*Object) error { t.Fatal("validated a small DAG in chunks"); return nil }) {
		t.Fatal("small DAG")
	}
	dup := lowerGenerated(t, 2*validateChunkSize, func(s string) string { return s })
	dup.Spec().Templates = append(dup.Spec().Templates, dup.Spec().Templates[len(dup.Spec().Templates)-1])
	if validChunks(dup, argoValidate) {
		t.Fatal("duplicate template names")
	}
	cyc := lowerGenerated(t, 2*validateChunkSize, func(s string) string { return s })
	tasks := cyc.Spec().Templates[0].DAG.Tasks
	tasks[0].Depends = tasks[1].Name // s1 depends on s0
	if validChunks(cyc, argoValidate) {
		t.Fatal("dependency cycle")
	}
}
