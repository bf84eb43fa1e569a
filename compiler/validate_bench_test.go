package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
)

// loopPipeline is a pipeline of one step that fans out over a list of n
// maps, and one step after it that reads its aggregated output.
func loopPipeline(n int) string {
	var items []string
	for i := range n {
		items = append(items, fmt.Sprintf(`{region: "r%d", size: %d}`, i, i))
	}
	return `pipeline loop {
  image "alpine"
  step fan for r in [` + strings.Join(items, ", ") + `] {
    run ["echo", "${r.region}", "${r.size}"]
    output out = file("/tmp/out")
  }
  step after after fan {
    run ["echo", "done"]
  }
}
`
}

// BenchmarkValidateLoopItems is Validate of a fan-out over n items: its
// cost should grow linearly in the items (issue 14).
func BenchmarkValidateLoopItems(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			res := Compile(Overlay{Files: map[string][]byte{"loop.pipe": []byte(loopPipeline(n))}}, []string{"loop.pipe"}, Options{SkipValidate: true, SkipEmit: true})
			if res.Diags.HasErrors() || len(res.Outputs) != 1 {
				b.Fatalf("%v", res.Diags)
			}
			obj := res.Outputs[0].Object
			b.ReportAllocs()
			bench.Measure(b, func() {
				if d := Validate(obj); d.HasErrors() {
					b.Fatal(d)
				}
			})
		})
	}
}
