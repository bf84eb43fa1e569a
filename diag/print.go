package diag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
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

func printExcerpt(w io.Writer, src []byte, r Range) {
	if r.Start.Offset > len(src) {
		return
	}
	start := bytes.LastIndexByte(src[:r.Start.Offset], '\n') + 1
	line := src[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	text := strings.ReplaceAll(string(line), "\t", " ")
	// Columns count characters: underline in characters too.
	width := r.End.Column - r.Start.Column
	if r.End.Line != r.Start.Line || width < 1 {
		width = 1
	}
	if col := r.Start.Column - 1; col+width > len([]rune(text)) {
		width = max(1, len([]rune(text))-col)
	}
	fmt.Fprintf(w, "\t%s\n\t%s%s\n", text, strings.Repeat(" ", r.Start.Column-1), strings.Repeat("^", width))
}
