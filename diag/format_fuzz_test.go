package diag

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzDiag is a diagnostic made of fuzzed text (messages quote source text,
// file names are the user's).
func fuzzDiag(file, msg, hint string, line, col int) Diagnostic {
	d := Diagnostic{Severity: Severity(uint(line) % 3), Range: Range{Filename: file}, Message: msg, Hint: hint}
	if line > 0 && col > 0 {
		d.Range.Start = Pos{Line: line, Column: col}
		d.Range.End = Pos{Line: line, Column: col + len(msg)%7}
	}
	return d
}

// FuzzWriteGitHub checks that each diagnostic is one workflow command,
// whatever its text, and that unescaping gives the text back.
func FuzzWriteGitHub(f *testing.F) {
	f.Add("a.pipe", "unknown statement \"runn\"", "did you mean \"run\"?", 3, 5)
	f.Add("b:c,d%.pipe", "100% sure\r\nreally::not", "", 1, 1)
	f.Add("", "", "", 0, 0)
	f.Fuzz(func(t *testing.T, file, msg, hint string, line, col int) {
		d := fuzzDiag(file, msg, hint, line, col)
		var buf bytes.Buffer
		if err := WriteGitHub(&buf, Diagnostics{d}, "pipec"); err != nil {
			t.Fatal(err)
		}
		out := strings.TrimSuffix(buf.String(), "\n")
		if strings.ContainsAny(out, "\r\n") {
			t.Fatalf("not one line: %q", buf.String())
		}
		rest, ok := strings.CutPrefix(out, "::")
		if !ok {
			t.Fatalf("not a workflow command: %q", out)
		}
		head, data, ok := strings.Cut(rest, "::")
		if !ok {
			t.Fatalf("no :: before the message: %q", out)
		}
		unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
		if got := unescape.Replace(data); got != messageWithHint(d) {
			t.Errorf("message %q, want %q", got, messageWithHint(d))
		}
		_, props, _ := strings.Cut(head, " ")
		for _, p := range strings.Split(props, ",") {
			if k, v, _ := strings.Cut(p, "="); k == "file" && unescape.Replace(v) != file {
				t.Errorf("file %q, want %q", unescape.Replace(v), file)
			}
		}
	})
}

// FuzzWriteSARIF checks that any diagnostic gives a JSON log whose message
// and file come back as they were.
func FuzzWriteSARIF(f *testing.F) {
	f.Add("dir/a.pipe", "msg", "hint", 3, 5)
	f.Add("<stdin>", "é\x00\"", "", 1, 1)
	f.Add("a:b c?#%.pipe", "", "", 0, 0)
	f.Fuzz(func(t *testing.T, file, msg, hint string, line, col int) {
		d := fuzzDiag(file, msg, hint, line, col)
		var buf bytes.Buffer
		if err := WriteSARIF(&buf, Diagnostics{d}, Tool{Name: "pipec"}); err != nil {
			t.Fatal(err)
		}
		var log sarifLog
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
		}
		r := log.Runs[0].Results[0]
		if want := string([]rune(messageWithHint(d))); r.Message.Text != want { // JSON makes each invalid byte U+FFFD
			t.Errorf("message %q, want %q", r.Message.Text, want)
		}
		u, err := url.Parse(r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
		if err != nil {
			t.Fatalf("uri %q: %v", r.Locations[0].PhysicalLocation.ArtifactLocation.URI, err)
		}
		if !strings.ContainsRune(file, '\uFFFD') && strings.ToValidUTF8(file, "") == file && !filepath.IsAbs(file) {
			if got := strings.TrimPrefix(u.Path, "./"); got != filepath.ToSlash(file) && u.Path != filepath.ToSlash(file) {
				t.Errorf("uri %q names %q, want %q", r.Locations[0].PhysicalLocation.ArtifactLocation.URI, u.Path, file)
			}
		}
	})
}
