package diag

import (
	"fmt"
	"io"
	"strings"
)

// WriteGitHub writes the diagnostics as GitHub Actions workflow commands,
// which the runner shows as annotations on the files of a pull request:
//
//	::error file=a.pipe,line=3,col=5,endColumn=8,title=pipec::message%0Ahint: ...
//
// Errors are ::error, warnings ::warning, the rest ::notice. Values are
// escaped as the runner requires (%, CR and LF everywhere; also : and , in
// properties). endColumn is inclusive and given only for a range on one
// line.
func WriteGitHub(w io.Writer, ds Diagnostics, title string) error {
	for _, d := range ds {
		cmd := "notice"
		switch d.Severity {
		case Error:
			cmd = "error"
		case Warning:
			cmd = "warning"
		}
		props := []string{"file=" + escapeProperty(d.Range.Filename)}
		if s := d.Range.Start; s.IsValid() {
			props = append(props, fmt.Sprintf("line=%d", s.Line), fmt.Sprintf("col=%d", s.Column))
			if e := d.Range.End; e.IsValid() && e.Line == s.Line && e.Column-1 > s.Column {
				props = append(props, fmt.Sprintf("endColumn=%d", e.Column-1))
			}
		}
		if title != "" {
			props = append(props, "title="+escapeProperty(title))
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(messageWithHint(d))); err != nil {
			return err
		}
	}
	return nil
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
