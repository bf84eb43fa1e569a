package diag

import (
	"encoding/json"
	"io"
)

// jsonReport is the document WriteJSON writes.
type jsonReport struct {
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
}

// jsonDiagnostic is one diagnostic in JSON. Lines and columns count from 1
// (columns in characters); the end is exclusive; a diagnostic about a whole
// file has no position.
type jsonDiagnostic struct {
	File      string `json:"file"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"endLine,omitempty"`
	EndColumn int    `json:"endColumn,omitempty"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	Hint      string `json:"hint,omitempty"`
}

// WriteJSON writes the diagnostics as one JSON object:
//
//	{"diagnostics": [{"file": "a.pipe", "line": 3, "column": 5, "endLine": 3,
//	  "endColumn": 9, "severity": "error", "message": "...", "hint": "..."}],
//	 "errors": 1, "warnings": 0}
func WriteJSON(w io.Writer, ds Diagnostics) error {
	r := jsonReport{Diagnostics: make([]jsonDiagnostic, 0, len(ds))}
	for _, d := range ds {
		jd := jsonDiagnostic{File: d.Range.Filename, Severity: d.Severity.String(), Message: d.Message, Hint: d.Hint}
		if d.Range.Start.IsValid() {
			jd.Line, jd.Column = d.Range.Start.Line, d.Range.Start.Column
			if d.Range.End.IsValid() {
				jd.EndLine, jd.EndColumn = d.Range.End.Line, d.Range.End.Column
			}
		}
		switch d.Severity {
		case Error:
			r.Errors++
		case Warning:
			r.Warnings++
		}
		r.Diagnostics = append(r.Diagnostics, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
