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
	start := r.Start.Offset - (r.Start.Column - 1)
	if start < 0 || start > len(src) {
		return
	}
	line := src[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	text := strings.ReplaceAll(string(line), "\t", " ")
	width := r.End.Offset - r.Start.Offset
	if r.End.Line != r.Start.Line || width < 1 {
		width = 1
	}
	if col := r.Start.Column - 1; col+width > len(text) {
		width = max(1, len(text)-col)
	}
	fmt.Fprintf(w, "\t%s\n\t%s%s\n", text, strings.Repeat(" ", r.Start.Column-1), strings.Repeat("^", width))
}
