package lsp

import (
	"strings"
	"testing"
	"time"
)

func TestDiffTexts(t *testing.T) {
	for _, tc := range []struct{ old, new string }{
		{"abcdef", "abXYcdef"}, {"abcdef", "abef"}, {"abc", "abc"}, {"", "x"}, {"aaaa", "aaaaa"}, {"abc", "xbc"},
	} {
		e := diffTexts([]byte(tc.old), []byte(tc.new))
		if tc.old[:e.start]+tc.old[e.start:e.oldEnd]+tc.old[e.oldEnd:] != tc.old ||
			tc.old[:e.start]+tc.new[e.start:e.newEnd]+tc.old[e.oldEnd:] != tc.new {
			t.Errorf("%q -> %q: %+v", tc.old, tc.new, e)
		}
		for off := 0; off <= len(tc.new); off++ {
			if off == e.start {
				continue // at a pure insertion, both sides of it are the same old offset
			}
			if o, ok := e.toOld(off); ok && e.toNew(o) != off {
				t.Errorf("%q -> %q: %d -> %d -> %d", tc.old, tc.new, off, o, e.toNew(o))
			}
		}
	}
}

// TestHoverAndCompletionBeforeRecheck: right after an edit, before the
// document is checked again (a long debounce here), hover and completion
// answer from the last checked text, with ranges in the current text.
func TestHoverAndCompletionBeforeRecheck(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{Debounce: time.Hour, fastFrom: -1})
	c.open("etl.pipe")
	base := c.files["etl.pipe"]
	var h struct {
		Contents struct{ Value string }
		Range    lspRange
	}
	needle := "${extract.rows}"
	c.mustCall("textDocument/hover", c.textDoc("etl.pipe", c.posAt(base, strings.Index(base, needle)+3)), &h) // checks it
	if !strings.Contains(h.Contents.Value, "extract") {
		t.Fatalf("hover: %+v", h)
	}
	// Two lines inserted at the top: the index is of the old text.
	text := "// one\n// two\n" + base
	c.change("etl.pipe", 2, text)
	i := strings.Index(text, needle) + 3
	h.Contents.Value = ""
	c.mustCall("textDocument/hover", c.textDoc("etl.pipe", c.posAt(text, i)), &h)
	if !strings.Contains(h.Contents.Value, "extract") {
		t.Fatalf("hover after the edit: %+v", h)
	}
	if want := c.posAt(text, i).Line; h.Range.Start.Line != want {
		t.Errorf("hover range on line %d, want %d (the current text)", h.Range.Start.Line, want)
	}
	// Completion where the user is typing, in the edited region's wake.
	typed := strings.Replace(text, `"load.py", "${date}"]`, `"load.py", "${ext`, 1)
	c.change("etl.pipe", 3, typed)
	var l completionList
	j := strings.Index(typed, "${ext") + len("${ext")
	c.mustCall("textDocument/completion", c.textDoc("etl.pipe", c.posAt(typed, j)), &l)
	got := l.labels()
	if _, ok := got["extract.rows"]; !ok {
		t.Errorf("completion after the edit lacks extract.rows: %v", got)
	}
}
