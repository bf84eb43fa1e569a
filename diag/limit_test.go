package diag

import (
	"bytes"
	"strings"
	"testing"
)

func at(file string, line, col int, msg string) Diagnostic {
	off := line*100000 + col
	return Diagnostic{Range: Range{Filename: file, Start: Pos{Offset: off, Line: line, Column: col}, End: Pos{Offset: off + 1, Line: line, Column: col + 1}}, Message: msg}
}

func render(ds Diagnostics) string {
	var lines []string
	for _, d := range ds {
		lines = append(lines, d.Range.String()+": "+d.Message)
	}
	return strings.Join(lines, "\n")
}

// A run of one error on one line is one diagnostic; other lines and other
// messages are not merged.
func TestSortCollapsesRuns(t *testing.T) {
	var ds Diagnostics
	for c := 1; c <= 10000; c++ {
		ds = append(ds, at("a", 2, c, `unexpected character "@"`))
	}
	ds = append(ds, at("a", 3, 1, `unexpected character "@"`), at("a", 2, 5, "other"))
	got := ds.Sort()
	want := "a:2:1: unexpected character \"@\" (and 3 more like it on this line)\na:2:5: other\n" +
		"a:2:5: unexpected character \"@\" (and 9995 more like it on this line)\na:3:1: unexpected character \"@\""
	if render(got) != want {
		t.Errorf("got\n%s\nwant\n%s", render(got), want)
	}
	if got[2].Range.End.Column != 10001 {
		t.Errorf("a collapsed run should span the run, ends at column %d", got[2].Range.End.Column)
	}
}

// Each file keeps MaxPerFile diagnostics then one "too many errors"; sorting
// again with more diagnostics keeps the cap.
func TestSortCapsPerFile(t *testing.T) {
	var ds Diagnostics
	for l := 1; l <= 30; l++ {
		ds = append(ds, at("a", l, 1, "bad"), at("b", l, 1, "bad"))
	}
	got := ds.Sort()
	if len(got) != 2*(MaxPerFile+1) {
		t.Fatalf("got %d diagnostics:\n%s", len(got), render(got))
	}
	if d := got[MaxPerFile]; !d.IsTooMany() || d.Range.String() != "a:11:1" {
		t.Errorf("want too many errors at a:11:1, got %v", d)
	}
	if n := got.ErrorCount(); n != 2*MaxPerFile || !got.Truncated() {
		t.Errorf("ErrorCount = %d, Truncated = %v", n, got.Truncated())
	}
	again := append(got, at("a", 20, 1, "later"), at("a", 5, 2, "earlier")).Sort()
	// "earlier" is kept, and pushes a:10:1 out.
	want := "a:9:1: bad\na:10:1: too many errors"
	if len(again) != 2*(MaxPerFile+1) || render(again[MaxPerFile-1:MaxPerFile+1]) != want {
		t.Errorf("sorted again:\n%s", render(again))
	}
	if strings.Contains(render(again), "later") {
		t.Errorf("a diagnostic after the cut is shown:\n%s", render(again))
	}
}

// An excerpt shows a window of a long line around the column.
func TestPrintWindow(t *testing.T) {
	line := strings.Repeat("x", 1<<20)
	src := []byte("pipeline p {\n" + line[:500000] + "@" + line[500000:] + "\n}\n")
	d := Diagnostic{Range: Range{Filename: "f", Start: Pos{Offset: 13 + 500000, Line: 2, Column: 500001}, End: Pos{Offset: 13 + 500001, Line: 2, Column: 500002}}, Message: "bad"}
	var b bytes.Buffer
	Print(&b, Diagnostics{d}, func(string) []byte { return src })
	lines := strings.Split(b.String(), "\n")
	if len(b.String()) > 300 || len(lines) != 4 {
		t.Fatalf("excerpt of %d bytes:\n%.400s", b.Len(), b.String())
	}
	text, mark := lines[1], lines[2]
	if !strings.HasPrefix(text, "\t...") || !strings.HasSuffix(text, "...") {
		t.Errorf("want a window with ... on both sides: %q", text)
	}
	if i := strings.Index(mark, "^"); i < 0 || text[i] != '@' {
		t.Errorf("the mark is not under the '@':\n%s\n%s", text, mark)
	}
	// A short line is shown whole.
	b.Reset()
	short := Diagnostic{Range: Range{Filename: "f", Start: Pos{Offset: 0, Line: 1, Column: 1}, End: Pos{Offset: 8, Line: 1, Column: 9}}, Message: "bad"}
	Print(&b, Diagnostics{short}, func(string) []byte { return src })
	if want := "f:1:1: bad\n\tpipeline p {\n\t^^^^^^^^\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// Control characters in an excerpt are not sent to the terminal; a CRLF
// line's \r is not shown.
func TestPrintControlCharacters(t *testing.T) {
	src := []byte("a\x1b[31mb\r\nnext\r\n")
	d := Diagnostic{Range: Range{Filename: "f", Start: Pos{Offset: 0, Line: 1, Column: 1}, End: Pos{Offset: 1, Line: 1, Column: 2}}, Message: "bad"}
	var b bytes.Buffer
	Print(&b, Diagnostics{d}, func(string) []byte { return src })
	if want := "f:1:1: bad\n\ta\uFFFD[31mb\n\t^\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
