package compiler

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// A fileSet is source files a test compiles together.
type fileSet struct {
	name  string
	files map[string][]byte
}

// testscriptFileSets is the files of every testscript archive: each
// archive's together, then each of its .pipe files alone (an archive often
// holds files that are meant not to compile together), in a fixed order.
func testscriptFileSets(t *testing.T) []fileSet {
	t.Helper()
	scripts, _ := filepath.Glob("../testscripts/*.txtar")
	if len(scripts) == 0 {
		t.Fatal("no testscript archive found")
	}
	var out []fileSet
	for _, path := range scripts {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			files[f.Name] = f.Data
		}
		out = append(out, fileSet{path, files})
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".pipe") {
				out = append(out, fileSet{path + ": " + f.Name, map[string][]byte{f.Name: f.Data}})
			}
		}
	}
	return out
}

// pipeRoots is the .pipe files of files, sorted: what a build of them
// takes as roots.
func pipeRoots(files map[string][]byte) []string {
	var roots []string
	for name := range files {
		if strings.HasSuffix(name, ".pipe") {
			roots = append(roots, name)
		}
	}
	sort.Strings(roots)
	return roots
}
