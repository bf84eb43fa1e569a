package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEarlySyntaxDiagnostics: a large document's first diagnostics after a
// change are its syntax errors, with the last check's diagnostics moved to
// where their text now is (and those the edit touched dropped); the second
// publication, after the check, is the whole set, at the same places.
func TestEarlySyntaxDiagnostics(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  step a {
    run ["echo"]
  }
  step b after nosuch {
    run ["echo"]
  }
  step c after nothere {
    run ["echo"]
  }
}
`
	dir := t.TempDir()
	archive := filepath.Join(dir, "w.txtar")
	if err := os.WriteFile(archive, []byte("-- p.pipe --\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, archive, false, Options{Debounce: -1, fastFrom: 1}) // every document is large
	c.open("p.pipe")
	first := c.waitDiagsN("p.pipe", 1, 2)
	if got := diagLines(first); got != "5:nosuch 8:nothere" {
		t.Fatalf("diagnostics of the first text: %s\n%+v", got, first.Diagnostics)
	}
	// A syntax error on a new line 2: the diagnostics after it move down a
	// line.
	edited := strings.Replace(src, "  step a {", "  @\n  step a {", 1)
	c.change("p.pipe", 2, edited)
	if got := diagLines(c.waitDiagsN("p.pipe", 2, 1)); got != "2:@ 6:nosuch 9:nothere" {
		t.Errorf("first pass after the insertion: %s", got)
	}
	if got := diagLines(c.waitDiagsN("p.pipe", 2, 2)); got != "2:@ 6:nosuch 9:nothere" {
		t.Errorf("second pass after the insertion: %s", got)
	}
	// Step c's dependency renamed: its diagnostic is dropped from the first
	// pass (the edit touched it), and the check reports the new name.
	edited = strings.Replace(edited, "nothere", "notyet", 1)
	c.change("p.pipe", 3, edited)
	early := c.waitDiagsN("p.pipe", 3, 1)
	if got := diagLines(early); got != "2:@ 6:nosuch" {
		t.Errorf("first pass after the rename: %s", got)
	}
	full := c.waitDiagsN("p.pipe", 3, 2)
	if got := diagLines(full); got != "2:@ 6:nosuch 9:notyet" {
		t.Errorf("second pass after the rename: %s", got)
	}
	// The carried diagnostic is where the check puts it.
	for _, e := range early.Diagnostics {
		if strings.Contains(e.Message, "nosuch") {
			for _, f := range full.Diagnostics {
				if strings.Contains(f.Message, "nosuch") && f.Range != e.Range {
					t.Errorf("carried range %v, checked %v", e.Range, f.Range)
				}
			}
		}
	}
}

// diagLines is "LINE:WORD ..." for each diagnostic: its 0-based line and
// the first of @, nosuch, nothere, notyet its message names.
func diagLines(p published) string {
	var out []string
	for _, d := range p.Diagnostics {
		w := "?"
		for _, k := range []string{"@", "nosuch", "nothere", "notyet"} {
			if strings.Contains(d.Message, k) {
				w = k
				break
			}
		}
		out = append(out, fmt.Sprintf("%d:%s", d.Range.Start.Line, w))
	}
	return strings.Join(out, " ")
}
