package diag

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// testDiags are diagnostics of each kind: positioned on one line, spanning
// lines, about a whole file, on standard input, with characters the
// formats must escape.
func testDiags() Diagnostics {
	pos := func(line, col int) Pos { return Pos{Line: line, Column: col, Offset: 1} }
	return Diagnostics{
		{Severity: Error, Range: Range{Filename: "dir/a.pipe", Start: pos(3, 5), End: pos(3, 9)}, Message: `unknown statement "runn" in a step`, Hint: `did you mean "run"?`},
		{Severity: Warning, Range: Range{Filename: "dir/a.pipe", Start: pos(7, 2), End: pos(9, 1)}, Message: "100% sure: a, b\r\nc"},
		{Severity: Info, Range: Range{Filename: "b:c,d.pipe", Start: pos(1, 1)}, Message: "note"},
		{Severity: Error, Range: Range{Filename: "out/x.yaml"}, Message: "out of date with x.pipe", Hint: "run pipec build -o out"},
		{Severity: Error, Range: Range{Filename: "<stdin>", Start: pos(2, 12), End: pos(2, 16)}, Message: "é ünïcode"},
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	_, err := ParseFormat("sarf")
	if err == nil || !strings.Contains(err.Error(), `did you mean "sarif"?`) || !strings.Contains(err.Error(), "text, json, sarif, github") {
		t.Errorf("ParseFormat(sarf): %v", err)
	}
}

// TestWriteSARIFSchema validates WriteSARIF's log against the SARIF 2.1.0
// JSON schema (testdata/sarif), with formats (uri, uri-reference) asserted.
func TestWriteSARIFSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, testDiags(), Tool{Name: "pipec", Version: "v1.2.3", InformationURI: "https://example.com/pipec"}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, buf.Bytes())
	// The check can fail: a level SARIF does not have, a column from 0.
	for from, bad := range map[string]string{`"level": "error"`: `"level": "fatal"`, `"startColumn": 5`: `"startColumn": 0`} {
		broken := strings.Replace(buf.String(), from, bad, 1)
		if broken == buf.String() {
			t.Fatalf("no %s in the log", from)
		}
		if err := sarifSchemaError(t, []byte(broken)); err == nil {
			t.Errorf("a log with %s passed the schema", bad)
		}
	}
	// An empty log is valid too.
	buf.Reset()
	if err := WriteSARIF(&buf, nil, Tool{Name: "pipec"}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, buf.Bytes())
	if !strings.Contains(buf.String(), `"results": []`) {
		t.Errorf("an empty log has no results array:\n%s", buf.String())
	}
}

func validateSARIF(t *testing.T, log []byte) {
	t.Helper()
	if err := sarifSchemaError(t, log); err != nil {
		t.Errorf("not valid SARIF 2.1.0: %v\n%s", err, log)
	}
}

// sarifSchemaError validates a log against the SARIF 2.1.0 schema.
func sarifSchemaError(t *testing.T, log []byte) error {
	t.Helper()
	f, err := os.Open("testdata/sarif/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, log)
	}
	return sch.Validate(inst)
}

// TestWriteSARIFContent checks what the log says of each diagnostic.
func TestWriteSARIFContent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, testDiags(), Tool{Name: "pipec", Version: "v1"}); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "pipec" {
		t.Fatalf("log: %+v", log)
	}
	rs := log.Runs[0].Results
	if len(rs) != 5 {
		t.Fatalf("%d results, want 5", len(rs))
	}
	want := []struct {
		level, uri string
		region     *sarifRegion
		text       string
	}{
		{"error", "dir/a.pipe", &sarifRegion{3, 5, 3, 9}, "unknown statement \"runn\" in a step\nhint: did you mean \"run\"?"},
		{"warning", "dir/a.pipe", &sarifRegion{7, 2, 9, 1}, "100% sure: a, b\r\nc"},
		{"note", "./b:c,d.pipe", &sarifRegion{1, 1, 0, 0}, "note"},
		{"error", "out/x.yaml", nil, "out of date with x.pipe\nhint: run pipec build -o out"},
		{"error", "%3Cstdin%3E", &sarifRegion{2, 12, 2, 16}, "é ünïcode"},
	}
	for i, w := range want {
		r := rs[i]
		loc := r.Locations[0].PhysicalLocation
		if r.Level != w.level || loc.ArtifactLocation.URI != w.uri || r.Message.Text != w.text || log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: %+v", i, r)
		}
		if (loc.Region == nil) != (w.region == nil) || loc.Region != nil && *loc.Region != *w.region {
			t.Errorf("result %d: region %+v, want %+v", i, loc.Region, w.region)
		}
	}
}

func TestWriteGitHub(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, testDiags(), "pipec"); err != nil {
		t.Fatal(err)
	}
	want := `::error file=dir/a.pipe,line=3,col=5,endColumn=8,title=pipec::unknown statement "runn" in a step%0Ahint: did you mean "run"?
::warning file=dir/a.pipe,line=7,col=2,title=pipec::100%25 sure: a, b%0D%0Ac
::notice file=b%3Ac%2Cd.pipe,line=1,col=1,title=pipec::note
::error file=out/x.yaml,title=pipec::out of date with x.pipe%0Ahint: run pipec build -o out
::error file=<stdin>,line=2,col=12,endColumn=15,title=pipec::é ünïcode
`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, testDiags()[:4]); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Diagnostics []map[string]any
		Errors      int
		Warnings    int
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Errors != 2 || got.Warnings != 1 || len(got.Diagnostics) != 4 {
		t.Fatalf("got %+v", got)
	}
	first := got.Diagnostics[0]
	for k, v := range map[string]any{"file": "dir/a.pipe", "line": 3.0, "column": 5.0, "endLine": 3.0, "endColumn": 9.0, "severity": "error", "hint": `did you mean "run"?`} {
		if first[k] != v {
			t.Errorf("%s = %v, want %v", k, first[k], v)
		}
	}
	if _, ok := got.Diagnostics[3]["line"]; ok {
		t.Errorf("a diagnostic about a whole file has a line: %v", got.Diagnostics[3])
	}
	buf.Reset()
	WriteJSON(&buf, nil)
	if !strings.Contains(buf.String(), `"diagnostics": []`) {
		t.Errorf("no diagnostics: %s", buf.String())
	}
}

func TestColorize(t *testing.T) {
	var buf bytes.Buffer
	src := []byte("pipeline p {\n  step a { runn [\"a\"] }\n}\n")
	ds := Diagnostics{
		{Severity: Error, Range: Range{Filename: "a.pipe", Start: Pos{Offset: 24, Line: 2, Column: 12}, End: Pos{Offset: 28, Line: 2, Column: 16}}, Message: "unknown statement", Hint: "did you mean run?"},
		{Severity: Warning, Range: Range{Filename: "a.pipe", Start: Pos{Offset: 0, Line: 1, Column: 1}, End: Pos{Offset: 8, Line: 1, Column: 9}}, Message: "careful"},
	}
	Print(&buf, ds, func(string) []byte { return src })
	buf.WriteString("2 errors\n")
	got := Colorize(buf.String())
	for _, want := range []string{
		"\x1b[1ma.pipe:2:12:\x1b[0m \x1b[1;31munknown statement\x1b[0m\n",
		"\t  step a { runn [\"a\"] }\n", // the excerpt unchanged
		"\t           \x1b[1;32m^^^^\x1b[0m\n",
		"\t\x1b[1;36mhint:\x1b[0m did you mean run?\n",
		"\x1b[1ma.pipe:1:1:\x1b[0m \x1b[1;33mwarning:\x1b[0m careful\n",
		"\x1b[1;31m2 errors\x1b[0m\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%q", want, got)
		}
	}
	if plain := strings.NewReplacer("\x1b[0m", "", "\x1b[1m", "", "\x1b[1;31m", "", "\x1b[1;32m", "", "\x1b[1;33m", "", "\x1b[1;36m", "").Replace(got); plain != buf.String() {
		t.Errorf("without its escapes, the coloured text differs:\n%q\n%q", plain, buf.String())
	}
}
