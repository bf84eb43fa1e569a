// Package diag is the one diagnostics type of pipec: every problem found by
// the parser, the checker, Argo's validator, the CLI, watch mode and the
// language server is a Diagnostic with a severity, a message, a source range
// and an optional hint.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says how bad a diagnostic is.
type Severity int

const (
	Error Severity = iota
	Warning
	Info
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Info:
		return "info"
	default:
		return "error"
	}
}

// Pos is a position in a source file. Offset is a byte offset from 0; Line
// and Column count from 1, Column in characters (runes), as editors show it.
type Pos struct {
	Offset int
	Line   int
	Column int
}

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Range is a span of source text: Start is inclusive, End exclusive.
type Range struct {
	Filename string
	Start    Pos
	End      Pos
}

// Contains reports whether the byte offset lies in the range (End inclusive,
// so a cursor just after a name is still on it).
func (r Range) Contains(offset int) bool {
	return r.Start.Offset <= offset && offset <= r.End.Offset
}

func (r Range) String() string {
	if !r.Start.IsValid() {
		return r.Filename
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// Diagnostic is one problem in the sources.
type Diagnostic struct {
	Severity Severity
	Range    Range
	Message  string
	// Hint, when set, says how to fix the problem.
	Hint string
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Range.String())
	b.WriteString(": ")
	if d.Severity != Error {
		b.WriteString(d.Severity.String())
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString("\n\thint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics is a list of problems. It implements error so a list with
// errors can be returned as one.
type Diagnostics []Diagnostic

// Errorf appends an error at r.
func (ds *Diagnostics) Errorf(r Range, format string, args ...any) *Diagnostic {
	*ds = append(*ds, Diagnostic{Severity: Error, Range: r, Message: fmt.Sprintf(format, args...)})
	return &(*ds)[len(*ds)-1]
}

// Warnf appends a warning at r.
func (ds *Diagnostics) Warnf(r Range, format string, args ...any) *Diagnostic {
	*ds = append(*ds, Diagnostic{Severity: Warning, Range: r, Message: fmt.Sprintf(format, args...)})
	return &(*ds)[len(*ds)-1]
}

// WithHint sets the hint of a diagnostic; it is meant to be chained after
// Errorf or Warnf.
func (d *Diagnostic) WithHint(format string, args ...any) *Diagnostic {
	d.Hint = fmt.Sprintf(format, args...)
	return d
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// ErrorCount counts the errors shown (not the "too many errors" that
// stands for those cut).
func (ds Diagnostics) ErrorCount() int {
	n := 0
	for _, d := range ds {
		if d.Severity == Error && !d.IsTooMany() {
			n++
		}
	}
	return n
}

// Sort orders the diagnostics by file, then position, then message, drops
// exact duplicates, collapses runs of one error on one line and keeps at
// most MaxPerFile diagnostics a file (see limit). Every list that is shown
// goes through it, so every output format gets the caps.
func (ds Diagnostics) Sort() Diagnostics {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Range.Filename != b.Range.Filename {
			return a.Range.Filename < b.Range.Filename
		}
		if a.Range.Start.Offset != b.Range.Start.Offset {
			return a.Range.Start.Offset < b.Range.Start.Offset
		}
		return a.Message < b.Message
	})
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return limit(out)
}

// Error joins the diagnostics one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Suggest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a likely typo: one edit for names of up to 3
// characters, two up to 6, three beyond.
func Suggest(name string, candidates []string) string {
	limit := 3
	switch n := len([]rune(name)); {
	case n <= 3:
		limit = 1
	case n <= 6:
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := levenshtein(strings.ToLower(name), strings.ToLower(c))
		if d >= len([]rune(c)) { // nothing in common
			continue
		}
		// On a tie, a candidate that starts as name does wins ("rn" is
		// "run", not "on"), then the first in alphabetical order.
		if d < bestDist || (d == bestDist && best != "" && (sameStart(name, c) && !sameStart(name, best) || sameStart(name, c) == sameStart(name, best) && c < best)) {
			best, bestDist = c, d
		}
	}
	return best
}

// sameStart reports whether a and b start with the same letter, in any case.
func sameStart(a, b string) bool {
	return a != "" && b != "" && strings.EqualFold(a[:1], b[:1])
}

// levenshtein is the optimal-string-alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours each cost one.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
