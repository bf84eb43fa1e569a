package yamlenc_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/internal/yamlenc"
)

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

// runBench runs op for each size of ./bench's generated pipelines,
// measured as ./bench measures (wall and CPU time).
func runBench(b *testing.B, setup func(b *testing.B, obj *compiler.Object) func() error) {
	for _, n := range bench.SizesToRun() {
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) {
			op := setup(b, benchObject(b, n))
			b.ReportAllocs()
			bench.Measure(b, func() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkFromJSON is FromJSON alone, on the JSON of a generated
// pipeline's object.
func BenchmarkFromJSON(b *testing.B) {
	runBench(b, func(b *testing.B, obj *compiler.Object) func() error {
		j, err := json.Marshal(obj.EmitValue())
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
			j, err := json.Marshal(obj.EmitValue())
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
			j, err := json.Marshal(obj.EmitValue())
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
