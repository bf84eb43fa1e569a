package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCompile: whatever the source, checking, lowering and emitting never
// panic or hang, and a source that compiles without errors yields YAML
// that reads back as the objects lowered.
// Argo's validator is left out: under the fuzzer's coverage instrumentation
// it runs at about one input a second (the examples test covers it).
func FuzzCompile(f *testing.F) {
	paths, _ := filepath.Glob("../examples/*.pipe")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`pipeline p { image "a" step s for x in [{a: "1"}] after t { run ["${x.a}"] } step t { run ["x"] } }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		// A hang fails the input instead of stalling the fuzzer silently.
		watchdog := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("Compile hangs on %q", src)) })
		defer watchdog.Stop()
		res := Compile(Overlay{Files: map[string][]byte{"f.pipe": src}}, []string{"f.pipe"}, Options{SkipValidate: true})
		if !res.Diags.HasErrors() {
			for _, out := range res.Outputs {
				if len(out.YAML) == 0 {
					t.Fatalf("pipeline %s compiled to empty YAML", out.Pipeline.Name)
				}
				checkEmitRoundTrip(t, out.Object, out.YAML)
			}
		}
	})
}
