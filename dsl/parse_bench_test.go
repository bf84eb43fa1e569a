package dsl

import (
	"fmt"
	"testing"

	"github.com/pipec/pipec/bench"
)

// BenchmarkParseSteps is Parse of generated pipelines (bench.Pipeline) of
// 1,000 and 10,000 steps, on one core (no parallel parse), with the
// process's CPU time per parse (cpu-ns/op, which other load disturbs less
// than wall time) and per step:
//
//	go test ./dsl -run '^$' -bench ParseSteps -benchmem
func BenchmarkParseSteps(b *testing.B) {
	for _, steps := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("steps=%d", steps), func(b *testing.B) {
			src := []byte(bench.Pipeline("big", steps))
			saved := parallelMinTokens
			parallelMinTokens = 1 << 62
			defer func() { parallelMinTokens = saved }()
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			bench.Measure(b, func() {
				if _, diags := Parse("big.pipe", src); diags.HasErrors() {
					b.Fatal(diags)
				}
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/step")
		})
	}
}
