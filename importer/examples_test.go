package importer

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite examples/argo/*.pipe (then: pipec build -o examples/argo examples/argo)")

var importedFromRE = regexp.MustCompile(`^// Imported by pipec import from (\S+)\.\n`)

// TestArgoExamples: each examples/argo/*.pipe is what pipec import writes
// today for its Argo original (named in its first line), and it round-trips
// semantically equal (its YAML and the Argo checks are those of every
// example: compiler/examples_test.go, pipec build --check).
func TestArgoExamples(t *testing.T) {
	dir, err := argoExamplesDir()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../examples/argo/*.pipe")
	if len(files) < 5 {
		t.Fatalf("%d files in examples/argo, want at least 5", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			committed, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := importedFromRE.FindSubmatch(committed)
			if m == nil {
				t.Fatal("no // Imported by pipec import from FILE. first line")
			}
			name := string(m[1])
			orig, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			res := Import(name, orig, Options{})
			if res.Diags.HasErrors() {
				t.Fatal(res.Diags)
			}
			if *update {
				if err := os.WriteFile(f, res.Pipe, 0o644); err != nil {
					t.Fatal(err)
				}
				committed = res.Pipe
			}
			if string(res.Pipe) != string(committed) {
				t.Errorf("pipec import %s no longer writes %s (go test ./importer -run TestArgoExamples -update):\n%s", name, f, res.Pipe)
			}
			if e := roundTripFile(name, orig); !e.equal {
				t.Errorf("round trip: %s", e.failure)
			}
		})
	}
}
