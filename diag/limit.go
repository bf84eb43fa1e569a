package diag

import "fmt"

// MaxPerFile is the most diagnostics kept for one file; the rest are
// replaced by one "too many errors" diagnostic, as Go and CUE do. A
// file of 30,000 stray characters would otherwise print gigabytes.
const MaxPerFile = 10

// tooManyMessage is the message of the diagnostic that stands for those cut.
const tooManyMessage = "too many errors"

// IsTooMany reports whether d stands for the diagnostics cut from a file
// after MaxPerFile (it counts as an error, but not as one of them).
func (d Diagnostic) IsTooMany() bool { return d.Severity == Error && d.Message == tooManyMessage }

// Truncated reports whether diagnostics were cut from ds by Sort.
func (ds Diagnostics) Truncated() bool {
	for _, d := range ds {
		if d.IsTooMany() {
			return true
		}
	}
	return false
}

// limit collapses and caps a sorted list, in place: a run of diagnostics
// with the same severity, message and hint on one line becomes the first
// of them, with the count of the others; each file keeps its first
// MaxPerFile diagnostics, then one "too many errors" at the first one cut.
// A "too many errors" already in the list (from an earlier Sort) ends its
// file's list where it is, so sorting a capped list again with more
// diagnostics keeps it capped.
func limit(ds Diagnostics) Diagnostics {
	out := ds[:0]
	file, kept, closed := "", 0, false
	for i := 0; i < len(ds); i++ {
		d := ds[i]
		if d.Range.Filename != file || i == 0 {
			file, kept, closed = d.Range.Filename, 0, false
		}
		if closed {
			continue
		}
		if d.IsTooMany() || kept == MaxPerFile {
			out = append(out, Diagnostic{Severity: Error, Range: Range{Filename: d.Range.Filename, Start: d.Range.Start, End: d.Range.Start}, Message: tooManyMessage,
				Hint: fmt.Sprintf("only the first %d problems of a file are shown: fix them and build again", MaxPerFile)})
			closed = true
			continue
		}
		j := i + 1
		for j < len(ds) && sameRun(d, ds[j]) {
			j++
		}
		if n := j - i - 1; n > 0 {
			d.Message = fmt.Sprintf("%s (and %d more like it on this line)", d.Message, n)
			if last := ds[j-1]; last.Range.End.Offset > d.Range.End.Offset {
				d.Range.End = last.Range.End
			}
			i = j - 1
		}
		out = append(out, d)
		kept++
	}
	return out
}

// sameRun reports whether b repeats a on the same line.
func sameRun(a, b Diagnostic) bool {
	return a.Range.Filename == b.Range.Filename && a.Range.Start.IsValid() && a.Range.Start.Line == b.Range.Start.Line &&
		a.Severity == b.Severity && a.Message == b.Message && a.Hint == b.Hint && !a.IsTooMany()
}
