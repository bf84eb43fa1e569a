package yamlenc_test

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/internal/yamlenc"
)

// benchSizes are the step counts of the generated pipelines benchmarked,
// capped by PIPEC_BENCH_MAX_STEPS as in ./bench.
func benchSizes() []int {
	max := 0
	if s := os.Getenv("PIPEC_BENCH_MAX_STEPS"); s != "" {
		fmt.Sscan(s, &max)
	}
	var out []int
	for _, n := range []int{100, 1000, 10000} {
		if max == 0 || n <= max {
			out = append(out, n)
		}
	}
	return out
}

var benchObjects = map[int]*compiler.Object{}

// benchObject is the lowered object of bench.Pipeline with n steps.
func benchObject(b *testing.B, n int) *compiler.Object {
	if obj, ok := benchObjects[n]; ok {
		return obj
	}
	name := fmt.Sprintf("gen-%d", n)
	obj := generated(b, bench.Pipeline(name, n))
	benchObjects[n] = obj
	return obj
}

// runBench runs op for each size, reporting CPU time per operation
// (cpu-ns/op, every thread: the garbage collector's included) besides wall
// time, as ./bench does.
func runBench(b *testing.B, setup func(b *testing.B, obj *compiler.Object) func() error) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) {
			op := setup(b, benchObject(b, n))
			b.ReportAllocs()
			runtime.GC()
			start := cpuTime()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFromJSON is FromJSON alone, on the JSON of a generated
// pipeline's object.
func BenchmarkFromJSON(b *testing.B) {
	runBench(b, func(b *testing.B, obj *compiler.Object) func() error {
		j, err := json.Marshal(obj.Value())
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(j)))
		return func() error {
			_, err := yamlenc.FromJSON(nil, j, pipecOpts)
			return err
		}
	})
}

// BenchmarkMarshalFromJSON is an object rendered as pipec is to render
// it: encoding/json, then FromJSON.
func BenchmarkMarshalFromJSON(b *testing.B) {
	runBench(b, func(b *testing.B, obj *compiler.Object) func() error {
		return func() error {
			j, err := json.Marshal(obj.Value())
			if err != nil {
				return err
			}
			_, err = yamlenc.FromJSON(nil, j, pipecOpts)
			return err
		}
	})
}

// BenchmarkGenericTree is an object rendered as compiler.Emit rendered it
// before this package: encoding/json, decoded into a map, pruned, and
// sigs.k8s.io/yaml.Marshal (JSON again, a YAML tree, YAML).
func BenchmarkGenericTree(b *testing.B) {
	runBench(b, func(b *testing.B, obj *compiler.Object) func() error {
		return func() error {
			j, err := json.Marshal(obj.Value())
			if err != nil {
				return err
			}
			m, err := reference(j, pipecOpts)
			if err != nil {
				return err
			}
			_, err = yaml.Marshal(m)
			return err
		}
	})
}
