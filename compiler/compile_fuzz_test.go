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
	for _, s := range fuzzCompileSeeds {
		f.Add([]byte(s))
	}
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

// fuzzCompileSeeds are inputs with values Kubernetes and Argo reject, and
// the names and quantities that border on them (FuzzCompile, and the
// differential test of validation).
var fuzzCompileSeeds = []string{
	`pipeline p { image "a" step s for x in [{a: "1"}] after t { run ["${x.a}"] } step t { run ["x"] } }`,
	`pipeline p { image "a" label "bad key!" = "v" node_selector k = "a b" volume d = pvc("") timeout 300000d step a { run [""] cpu "-1" memory "2Gi" limit "1Gi" } }`,
	`pipeline p { image "a" step a for x in ["a", {k: "v"}] { run ["x"] gpu 1.5 memory 500m } ttl -1d }`,
	`pipeline p { image "a" schedule "@dayly" schedule "61 25 * * *" timezone "Europe/Pariss" step a { run ["x"] } }`,
	`pipeline p { image "a" retry 2 step a { run ["x"] } step a_with_retry { run ["x"] } }`,
	`pipeline p { image "a" param run-date = "x" step a-b { run ["${run-date}"] output my-out = file("/o") } step c { run ["${a-b.my-out}"] cpu 500m limit 1.5 memory 1Gi limit 2Gi timeout 10y } }`,
	"\uFEFFpipeline p { image \"a\"\r step a { run [\"grep -E '\\d+'\"] } }",
}
