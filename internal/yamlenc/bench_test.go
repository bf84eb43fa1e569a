package yamlenc_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/internal/yamlenc"
	"github.com/pipec/pipec/internal/yamlenc/internal/oldyamlenc"
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

// BenchmarkSequenceFromJSON is what pipec's emit does with most of a
// large workflow: its templates marshalled in parts of 64, each part's
// JSON converted by SequenceFromJSON into a buffer used again, with
// pipec's pruning. impl=old is the implementation this one replaced
// (internal/oldyamlenc), measured in the same binary.
func BenchmarkSequenceFromJSON(b *testing.B) {
	for _, impl := range []string{"new", "old"} {
		b.Run("impl="+impl, func(b *testing.B) {
			runBench(b, func(b *testing.B, obj *compiler.Object) func() error {
				tmpls := obj.Spec().Templates
				var parts [][]byte
				size := 0
				for i := 0; i < len(tmpls); i += 64 {
					j, err := json.Marshal(tmpls[i:min(i+64, len(tmpls))])
					if err != nil {
						b.Fatal(err)
					}
					parts = append(parts, j)
					size += len(j)
				}
				b.SetBytes(int64(size))
				oldOpts := oldyamlenc.Options{Prune: pipecOpts.Prune, KeepEmpty: pipecOpts.KeepEmpty}
				var buf []byte
				return func() error {
					for _, j := range parts {
						var err error
						if impl == "new" {
							buf, err = yamlenc.SequenceFromJSON(buf[:0], j, 2, pipecOpts)
						} else {
							buf, err = oldyamlenc.SequenceFromJSON(buf[:0], j, 2, oldOpts)
						}
						if err != nil {
							return err
						}
					}
					return nil
				}
			})
		})
	}
}
