package diag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Print writes diagnostics the way the CLI shows them: the
// file:line:col: message line, then the source line with the range
// underlined, then the hint. source returns a file's text (nil if unknown).
func Print(w io.Writer, ds Diagnostics, source func(filename string) []byte) {
	for _, d := range ds {
		fmt.Fprintf(w, "%s: ", d.Range)
		if d.Severity != Error {
			fmt.Fprintf(w, "%s: ", d.Severity)
		}
		fmt.Fprintln(w, d.Message)
		if src := source(d.Range.Filename); src != nil && d.Range.Start.IsValid() {
			printExcerpt(w, src, d.Range)
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "\thint: %s\n", d.Hint)
		}
	}
}

// excerptWidth is the most characters of a source line an excerpt shows:
// a window around the column, so that an error on a 1 MB line does not
// print the line.
const excerptWidth = 100

// excerptBefore is how much of the window comes before the column.
const excerptBefore = 40

func printExcerpt(w io.Writer, src []byte, r Range) {
	if r.Start.Offset > len(src) {
		return
	}
	start := bytes.LastIndexByte(src[:r.Start.Offset], '\n') + 1
	line := src[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if bytes.IndexByte(line, 0) >= 0 { // binary (UTF-16, say): not worth showing
		return
	}
	text, col, n := window(line, r.Start.Column-1)
	// Columns count characters: underline in characters too.
	width := r.End.Column - r.Start.Column
	if r.End.Line != r.Start.Line || width < 1 {
		width = 1
	}
	if col+width > n {
		width = max(1, n-col)
	}
	fmt.Fprintf(w, "\t%s\n\t%s%s\n", text, strings.Repeat(" ", col), strings.Repeat("^", width))
}

// window returns the part of line to show around the character at col
// (from 0), with tabs as spaces and "..." where it was cut, the column of
// that character in it, and where its text from the line ends (in
// characters, before a final "...").
func window(line []byte, col int) (text string, at, end int) {
	if len(line) <= excerptWidth && utf8.Valid(line) && !hasControl(line) { // the common case
		text = strings.ReplaceAll(string(line), "\t", " ")
		return text, col, utf8.RuneCountInString(text)
	}
	from := max(0, col-excerptBefore)
	// Walk the line by characters, keeping only the window's.
	var b strings.Builder
	i, n := 0, 0
	for n < from && i < len(line) {
		_, size := utf8.DecodeRune(line[i:])
		i += size
		n++
	}
	if from > 0 {
		b.WriteString("...")
		col = col - from + 3
		end = 3
	}
	for shown := 0; i < len(line); shown++ {
		if shown == excerptWidth {
			b.WriteString("...")
			break
		}
		end++
		r, size := utf8.DecodeRune(line[i:])
		switch {
		case r == '\t':
			r = ' '
		case r < ' ' || r == 0x7f: // a control character would act on the terminal
			r = utf8.RuneError
		}
		b.WriteRune(r)
		i += size
	}
	return b.String(), col, end
}

// hasControl reports whether line has a control character other than tab.
func hasControl(line []byte) bool {
	for _, c := range line {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}
