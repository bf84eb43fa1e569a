package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
)

// TestSameBytesAsPipec holds the floor to its definition: its output is
// byte for byte what pipec compiles from bench.Pipeline's source, at
// sizes that take every kind of step once, several times, and at the
// edges of the five-step pattern.
func TestSameBytesAsPipec(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 6, 23, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			name := fmt.Sprintf("gen-%d", n)
			path := name + ".pipe"
			res := compiler.Compile(compiler.Overlay{Files: map[string][]byte{path: []byte(bench.Pipeline(name, n))}},
				[]string{path}, compiler.Options{})
			if res.Diags.HasErrors() || len(res.Outputs) != 1 {
				t.Fatalf("pipec: %d outputs, %v", len(res.Outputs), res.Diags)
			}
			for enc, marshal := range encoders {
				got, err := render(n, marshal)
				if err != nil {
					t.Fatal(err)
				}
				if want := res.Outputs[0].YAML; !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Errorf("floor's YAML (-json %s) differs from pipec's at byte %d of %d:\nfloor: %q\npipec: %q",
						enc, i, len(want), excerpt(got, i), excerpt(want, i))
				}
			}
		})
	}
}

func excerpt(b []byte, i int) []byte {
	return b[max(0, i-80):min(len(b), i+80)]
}

func TestRejectsBadFlags(t *testing.T) {
	if err := run(0, "encoding/json", ""); err == nil {
		t.Error("run with -n 0 succeeded")
	}
	if err := run(1, "gob", ""); err == nil {
		t.Error("run with -json gob succeeded")
	}
}
