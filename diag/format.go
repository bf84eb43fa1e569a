package diag

import (
	"fmt"
	"strings"
)

// Format is a way of writing diagnostics: text for people (Print), or one
// of the machine-readable formats CI systems read.
type Format string

// The formats of pipec's --format flag.
const (
	FormatText   Format = "text"   // file:line:col: message, with excerpts (Print)
	FormatJSON   Format = "json"   // one JSON object (WriteJSON)
	FormatSARIF  Format = "sarif"  // a SARIF 2.1.0 log (WriteSARIF)
	FormatGitHub Format = "github" // GitHub Actions workflow commands (WriteGitHub)
)

// Formats lists the formats, text first.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatGitHub}

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	msg := fmt.Sprintf("unknown format %q: want %s", s, strings.Join(names, ", "))
	if sug := Suggest(s, names); sug != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sug)
	}
	return "", fmt.Errorf("%s", msg)
}

// Tool describes the program that found the diagnostics, for the formats
// that name it (SARIF).
type Tool struct {
	Name           string
	Version        string
	InformationURI string
}

// messageWithHint is a diagnostic's message, with its hint on a line of its
// own, for formats that have one text field.
func messageWithHint(d Diagnostic) string {
	if d.Hint == "" {
		return d.Message
	}
	return d.Message + "\nhint: " + d.Hint
}
