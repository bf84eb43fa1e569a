package compiler_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pipec/pipec/compiler"
)

// TestFindPipeFilesOnce checks that a file named twice, directly and
// through its directory or under two spellings, is listed once (it was
// compiled twice and reported as "defined twice" against itself).
func TestFindPipeFilesOnce(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, f := range []string{"ex/a.pipe", "ex/b.pipe"} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("pipeline p { }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs := filepath.Join(dir, "ex", "b.pipe")
	got, err := compiler.FindPipeFiles([]string{"ex/b.pipe", "ex", "./ex/a.pipe", "ex//b.pipe", abs})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ex/b.pipe", filepath.Join("ex", "a.pipe")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FindPipeFiles = %q, want %q", got, want)
	}
}
