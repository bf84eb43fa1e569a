package compiler

import (
	"bytes"
	"os"
	"testing"

	"github.com/pipec/pipec/internal/argojson/gen"
)

// TestKeepEmptyIsFresh proves the keep-empty table equal to what
// gen.KeepEmpty derives from Argo's types by reflection (an Argo or k8s
// bump changes it): run `go generate ./compiler`.
func TestKeepEmptyIsFresh(t *testing.T) {
	want, err := gen.GenerateKeepEmpty()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zz_keepempty.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zz_keepempty.go is stale: run go generate ./compiler")
	}
	names := gen.KeepEmpty()
	set := keepEmpty()
	if len(names) != len(set) {
		t.Fatalf("table has %d names, the derivation %d", len(set), len(names))
	}
	for _, n := range names {
		if !set[n] {
			t.Errorf("derived name %q missing from the table", n)
		}
	}
	for _, n := range []string{"suspend", "none", "supplied", "retryStrategy"} {
		if !set[n] {
			t.Errorf("%q (empty means something) is not kept", n)
		}
	}
}
