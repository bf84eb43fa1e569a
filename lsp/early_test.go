package lsp

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// TestRegionFirstPass: a change that dsl.ParseEdit can re-parse on its own
// gets its first pass without waiting for the parse (the log says so), with
// the carried diagnostics moved, and exactly as many publications as a
// change whose first pass waits for the parse; a syntax error in one
// statement gets its first pass the same way, one whose recovery reaches
// past the statement waits for the parse, and the change after them is
// re-parsed from the last clean parse.
func TestRegionFirstPass(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  param day = "2024-01-01"
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
	log := &syncBuffer{}
	c := newClient(t, archive, false, Options{Debounce: -1, fastFrom: 1, Log: log})
	c.open("p.pipe")
	if got := diagLines(c.waitDiagsN("p.pipe", 1, 2)); got != "6:nosuch 9:nothere" {
		t.Fatalf("diagnostics of the first text: %s", got)
	}
	settle := func() int {
		c.srv.bgLarge.Wait()
		c.srv.vbg.Wait()
		return strings.Count(log.String(), "first pass from a re-parse")
	}
	count := func(v int32) int {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, p := range c.diags["p.pipe"] {
			if p.Version != nil && *p.Version == v {
				n++
			}
		}
		return n
	}
	settle()
	opened := count(1)

	// A new line in step a: re-parsed alone; the carried diagnostics move
	// down a line.
	edited := strings.Replace(src, `run ["echo"]`, "run [\"echo\",\n      \"x\"]", 1)
	c.change("p.pipe", 2, edited)
	if got := diagLines(c.waitDiagsN("p.pipe", 2, 1)); got != "7:nosuch 10:nothere" {
		t.Errorf("first pass: %s", got)
	}
	if got := diagLines(c.waitDiagsN("p.pipe", 2, 2)); got != "7:nosuch 10:nothere" {
		t.Errorf("second pass: %s", got)
	}
	if n := settle(); n != 1 {
		t.Errorf("%d first passes from a re-parse, want 1", n)
	}
	if n := count(2); n != opened {
		t.Errorf("%d publications of version 2, %d of version 1", n, opened)
	}

	// The same text again (a change that changes nothing): its first pass
	// is the clean parse's, at once.
	for v := 3; v <= 4; v++ {
		c.change("p.pipe", v, edited)
		if got := diagLines(c.waitDiagsN("p.pipe", int32(v), 1)); got != "7:nosuch 10:nothere" {
			t.Errorf("first pass of the same text: %s", got)
		}
		c.waitDiagsN("p.pipe", int32(v), 2)
		if n := settle(); n != v-1 {
			t.Errorf("%d first passes from a re-parse, want %d", n, v-1)
		}
	}
	base := settle()

	// A syntax error in the parameter: re-parsed alone too, with the
	// error where the whole parse puts it.
	broken := strings.Replace(edited, `"2024-01-01"`, `"2024-01-01`, 1)
	c.change("p.pipe", 5, broken)
	first := c.waitDiagsN("p.pipe", 5, 1)
	if len(first.Diagnostics) == 0 || !strings.Contains(first.Diagnostics[0].Message, "unterminated") {
		t.Errorf("first pass of the broken text: %+v", first.Diagnostics)
	}
	if n := settle() - base; n != 1 {
		t.Errorf("%d more first passes from a re-parse, want 1", n)
	}
	if second := c.waitDiagsN("p.pipe", 5, 2); len(second.Diagnostics) == 0 || second.Diagnostics[0].Range != first.Diagnostics[0].Range {
		t.Errorf("second pass of the broken text: %+v, first %+v", second.Diagnostics, first.Diagnostics)
	}

	// Mended, and step b's dependency renamed: re-parsed from the last
	// clean parse (version 4's); the renamed dependency's carried
	// diagnostic is dropped, and the check reports the new name.
	mended := strings.Replace(edited, "nosuch", "notyet", 1)
	c.change("p.pipe", 6, mended)
	if got := diagLines(c.waitDiagsN("p.pipe", 6, 1)); got != "10:nothere" {
		t.Errorf("first pass of the mended text: %s", got)
	}
	if got := diagLines(c.waitDiagsN("p.pipe", 6, 2)); got != "7:notyet 10:nothere" {
		t.Errorf("second pass of the mended text: %s", got)
	}
	if n := settle() - base; n != 2 {
		t.Errorf("%d more first passes from a re-parse, want 2", n)
	}

	// An unclosed block: its recovery reaches past the step, so the first
	// pass waits for the parse.
	unclosed := strings.Replace(edited, "  step a {\n", "  step a {\n    env X = {\n", 1)
	c.change("p.pipe", 7, unclosed)
	if p := c.waitDiagsN("p.pipe", 7, 1); len(p.Diagnostics) == 0 {
		t.Errorf("first pass of the unclosed block: no diagnostics")
	}
	if n := settle() - base; n != 2 {
		t.Errorf("%d more first passes from a re-parse, want 2", n)
	}
}

// syncBuffer is a bytes.Buffer for several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
