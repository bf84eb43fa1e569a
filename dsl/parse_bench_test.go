package dsl

import (
	"testing"

	"github.com/pipec/pipec/bench"
)

// BenchmarkParseSteps is Parse of a generated 1,000-step pipeline
// (bench.Pipeline), on one core (no parallel parse), per step and per MB:
//
//	go test ./dsl -run '^$' -bench ParseSteps -benchmem
func BenchmarkParseSteps(b *testing.B) {
	const steps = 1000
	src := []byte(bench.Pipeline("big", steps))
	saved := parallelMinTokens
	parallelMinTokens = 1 << 62
	defer func() { parallelMinTokens = saved }()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, diags := Parse("big.pipe", src); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/step")
}
