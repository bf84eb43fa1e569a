package lsp

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/pipec/pipec/dsl"
)

func TestDiagnosticsExactRanges(t *testing.T) {
	for _, utf8 := range []bool{false, true} {
		t.Run(fmt.Sprintf("utf8=%v", utf8), func(t *testing.T) {
			c := newClient(t, "testdata/broken.txtar", utf8, Options{})
			c.open("broken.pipe")
			p := c.waitDiags("broken.pipe", 1)
			got := map[string]lspRange{}
			for _, d := range p.Diagnostics {
				got[strings.SplitN(d.Message, "\n", 2)[0]] = d.Range
			}
			want := map[string]lspRange{
				`unknown statement "runn" in a step`:                                          c.rangeOf("broken.pipe", "runn"),
				`unknown reference ${greting}: no parameter, step or loop variable "greting"`: c.rangeOf("broken.pipe", "${greting}"),
			}
			for msg, r := range want {
				if g, ok := got[msg]; !ok {
					t.Errorf("missing diagnostic %q; got %v", msg, got)
				} else if g != r {
					t.Errorf("%q at %v, want %v", msg, g, r)
				}
			}
			// Fix it: the diagnostics go away.
			c.change("broken.pipe", 2, strings.NewReplacer("runn", "run", "greting", "greeting").Replace(c.files["broken.pipe"]))
			if p := c.waitDiags("broken.pipe", 2); len(p.Diagnostics) != 0 {
				t.Errorf("diagnostics after the fix: %+v", p.Diagnostics)
			}
		})
	}
}

func TestArgoValidatorDiagnostics(t *testing.T) {
	c := newClient(t, "testdata/broken.txtar", false, Options{})
	// A valid file: no diagnostics at all, the validator included.
	c.files["ok.pipe"] = "pipeline ok {\n  image \"alpine\"\n  step a { run [\"true\"] }\n}\n"
	c.open("ok.pipe")
	for n := 1; n <= 2; n++ { // after checking, then after Argo's validator
		if p := c.waitDiagsN("ok.pipe", 1, n); len(p.Diagnostics) != 0 {
			t.Errorf("diagnostics for a valid file: %+v", p.Diagnostics)
		}
	}
}

func TestVersionsNeverGoBack(t *testing.T) {
	c := newClient(t, "testdata/broken.txtar", false, Options{Debounce: 20 * time.Millisecond})
	c.open("broken.pipe")
	base := c.files["broken.pipe"]
	// A burst of changes: only the newest is compiled and published.
	for v := 2; v <= 10; v++ {
		c.change("broken.pipe", v, strings.Replace(base, "greting", fmt.Sprintf("g%d", v), 1))
	}
	p := c.waitDiags("broken.pipe", 10)
	if !strings.Contains(fmt.Sprint(p.Diagnostics), "${g10}") {
		t.Errorf("version 10 diagnostics are not about version 10: %+v", p.Diagnostics)
	}
	// An older version arriving late is dropped.
	c.change("broken.pipe", 5, base)
	c.change("broken.pipe", 11, strings.Replace(base, "greting", "g11", 1))
	c.waitDiags("broken.pipe", 11)
	var hover struct {
		Contents struct{ Value string } `json:"contents"`
	}
	c.mustCall("textDocument/hover", c.textDoc("broken.pipe", c.pos("broken.pipe", "${g11}", 3)), &hover)
	c.mu.Lock()
	defer c.mu.Unlock()
	last := int32(0)
	for _, p := range c.diags["broken.pipe"] {
		if *p.Version < last {
			t.Errorf("diagnostics of version %d published after version %d", *p.Version, last)
		}
		if *p.Version == 5 {
			t.Errorf("the stale version 5 was compiled")
		}
		last = *p.Version
	}
}

func TestIncrementalChanges(t *testing.T) {
	for _, utf8 := range []bool{false, true} {
		c := newClient(t, "testdata/broken.txtar", utf8, Options{})
		c.open("broken.pipe")
		text := c.files["broken.pipe"]
		// Replace "greting" (after non-ASCII text) with "greeting", then "runn" with "run".
		edit := func(version int, needle, repl string) {
			r := c.rangeOf("broken.pipe", needle)
			c.notify("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": c.uri("broken.pipe"), "version": version},
				"contentChanges": []any{map[string]any{"range": r, "text": repl}}})
			text = strings.Replace(text, needle, repl, 1)
			c.files["broken.pipe"] = text
		}
		edit(2, "greting", "greeting")
		edit(3, "runn", "run")
		if p := c.waitDiags("broken.pipe", 3); len(p.Diagnostics) != 0 {
			t.Errorf("utf8=%v: diagnostics after incremental fixes: %+v", utf8, p.Diagnostics)
		}
	}
}

type hoverResult struct {
	Contents struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"contents"`
	Range *lspRange `json:"range"`
}

func TestHover(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{})
	c.open("etl.pipe")
	cases := []struct {
		file, needle string
		delta        int
		want         []string
	}{
		{"etl.pipe", "step extract", 6, []string{"**step** `extract`", "Pulls the rows.", "image: `ghcr.io/acme/etl:1.4`", "command: `python extract.py --date ${date}`", "retry: up to 3 times, backoff 10s, factor 2, max 5m", "memoized: yes"}},
		{"etl.pipe", "step load", 6, []string{"after: `transform`, `shard`", "memoized: no"}},
		{"etl.pipe", "${date}", 3, []string{"**parameter** `date`: string = `\"2024-01-01\"`", "The day to process."}},
		{"etl.pipe", "${extract.rows}", 11, []string{"**output** `rows` of step `extract`", "/tmp/rows.txt", "Row file."}},
		{"etl.pipe", "${region}", 3, []string{"**loop variable** `region` of step `shard`"}},
		{"etl.pipe", "${extract.result}", 11, []string{"**result** of step `extract`"}},
		{"etl.pipe", "uses fit", 6, []string{"**template** `fit(model: string)`", "Fits a model."}},
		{"etl.pipe", "retry 3", 1, []string{"**retry**:"}},
		{"etl.pipe", "after transform", 1, []string{"**after**:"}},
		{"etl.pipe", "step train", 1, []string{"**step**:"}},
		{"lib.pipe", "${model}", 3, []string{"parameter** `model: string` of template `fit`", "value in step `train`: `${date}`"}},
	}
	c.open("lib.pipe")
	for _, tc := range cases {
		var h hoverResult
		c.mustCall("textDocument/hover", c.textDoc(tc.file, c.pos(tc.file, tc.needle, tc.delta)), &h)
		for _, w := range tc.want {
			if !strings.Contains(h.Contents.Value, w) {
				t.Errorf("hover at %q+%d: %q lacks %q", tc.needle, tc.delta, h.Contents.Value, w)
			}
		}
	}
	// Non-ASCII text before a reference: the hover range is exact.
	var h hoverResult
	c.mustCall("textDocument/hover", c.textDoc("etl.pipe", c.pos("etl.pipe", "${region}", 4)), &h)
	if want := c.rangeOf("etl.pipe", "region}"); h.Range == nil || h.Range.Start != want.Start || h.Range.End.Character != want.Start.Character+6 {
		t.Errorf("hover range %+v, want %+v", h.Range, want)
	}
}

type completionList struct {
	Items []struct {
		Label  string `json:"label"`
		Kind   int    `json:"kind"`
		Detail string `json:"detail"`
	} `json:"items"`
}

func (l completionList) labels() map[string]string {
	m := map[string]string{}
	for _, it := range l.Items {
		m[it.Label] = it.Detail
	}
	return m
}

func TestCompletion(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{})
	c.open("etl.pipe")
	base := c.files["etl.pipe"]
	complete := func(version int, text string, marker string) map[string]string {
		t.Helper()
		i := strings.Index(text, marker)
		text = strings.Replace(text, marker, "", 1)
		c.change("etl.pipe", version, text)
		var l completionList
		c.mustCall("textDocument/completion", c.textDoc("etl.pipe", c.posAt(text, i)), &l)
		return l.labels()
	}
	expect := func(got map[string]string, want, not []string) {
		t.Helper()
		for _, w := range want {
			if _, ok := got[w]; !ok {
				t.Errorf("completion lacks %q; got %v", w, got)
			}
		}
		for _, w := range not {
			if _, ok := got[w]; ok {
				t.Errorf("completion offers %q", w)
			}
		}
	}
	// Half-typed reference in a step, after non-ASCII text.
	got := complete(2, strings.Replace(base, `"load.py", "${date}"]`, `"load.py", "é🎉 ${ext‸`, 1), "‸")
	expect(got, []string{"date", "extract.rows", "extract.result", "transform.result", "workflow.name", "retries"}, []string{"load.result", "workflow.status", "run"})
	if got["extract.rows"] != "output of step extract" || got["date"] != "parameter: string = 2024-01-01" {
		t.Errorf("details: %q, %q", got["extract.rows"], got["date"])
	}
	// The loop variable, in its own step.
	got = complete(3, strings.Replace(base, `${region}", "${extract.result}"`, `${‸}", "${extract.result}"`, 1), "‸")
	expect(got, []string{"region", "date", "extract.rows"}, nil)
	// Keywords by context.
	got = complete(4, strings.Replace(base, "    memoize off\n", "    mem‸\n", 1), "‸")
	expect(got, []string{"memoize", "run", "output", "mount"}, []string{"step", "param", "pipeline"})
	got = complete(5, strings.Replace(base, "  retry 3 backoff", "  ‸\n  retry 3 backoff", 1), "‸")
	expect(got, []string{"step", "param", "schedule"}, []string{"run", "pipeline"})
	got = complete(6, "‸\n"+base, "‸")
	expect(got, []string{"pipeline", "import", "template"}, []string{"step"})
	// Step names after `after`, half-typed.
	got = complete(7, strings.Replace(base, "after transform, shard {", "after transform, ‸", 1), "‸")
	expect(got, []string{"extract", "shard", "transform"}, []string{"load", "run"})
	// Clause keywords after a step name.
	got = complete(8, strings.Replace(base, "step load after", "step load ‸ after", 1), "‸")
	expect(got, []string{"after", "for", "when", "uses"}, nil)
	// Artifacts: after from, the other steps' artifacts and the locations;
	// after archive, its kinds.
	withArt := strings.Replace(base, "    output rows = file(", "    artifact model at \"/tmp/m\"\n    output rows = file(", 1)
	got = complete(20, strings.Replace(withArt, "    memoize off\n", "    input m at \"/m\" from ‸\n", 1), "‸")
	expect(got, []string{"extract.model", "s3", "git", "raw", "http"}, []string{"extract.rows", "run"})
	got = complete(21, strings.Replace(withArt, "    memoize off\n", "    artifact out at \"/o\" archive ‸\n", 1), "‸")
	expect(got, []string{"none", "tar", "zip"}, []string{"run"})
	got = complete(22, strings.Replace(withArt, "    memoize off\n", "    artifact out at \"/o\" to ‸\n", 1), "‸")
	expect(got, []string{"s3", "gcs"}, []string{"git", "raw"})
	// After from, the pipeline's input artifacts too.
	withIn := strings.Replace(withArt, "  param date = \"2024-01-01\"\n", "  param date = \"2024-01-01\"\n  input seed from raw \"x\"\n", 1)
	got = complete(23, strings.Replace(withIn, "    memoize off\n", "    input m at \"/m\" from ‸\n", 1), "‸")
	expect(got, []string{"seed", "extract.model"}, nil)
	// Inside ${ of a step, no output of a step downstream of it: using one
	// would form a cycle (transform and shard use extract's outputs, load
	// comes after transform).
	got = complete(24, strings.Replace(base, `"--date", "${date}"]`, `"--date", "${‸"]`, 1), "‸")
	expect(got, []string{"date", "train.result"}, []string{"transform.result", "shard.result", "load.result", "extract.rows"})
	// After `after` in a step that has no body yet (the statement does not
	// parse): step names, from the partial statement.
	for i, partial := range []string{"  step new after ‸\n", "  step new after extract, ‸\n", "  step new after ‸"} {
		got = complete(25+i, strings.Replace(base, "  step train uses fit(model = \"${date}\")\n}\n", partial, 1), "‸")
		expect(got, []string{"extract", "transform", "shard", "load"}, []string{"new", "run", "date"})
	}
	// Nothing in a plain string.
	got = complete(28, strings.Replace(base, `"ghcr.io/acme/etl:1.4"`, `"ghcr.io/ac‸me"`, 1), "‸")
	expect(got, nil, []string{"run", "date"})
}

func TestDefinitionReferencesRename(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{})
	c.open("etl.pipe")
	def := func(file, needle string, delta int) lspLocation {
		t.Helper()
		var loc lspLocation
		c.mustCall("textDocument/definition", c.textDoc(file, c.pos(file, needle, delta)), &loc)
		return loc
	}
	check := func(loc lspLocation, file, needle string) {
		t.Helper()
		n := 0
		for n < len(needle) && isIdentByte(needle[n]) {
			n++
		}
		want := lspRange{c.pos(file, needle, 0), c.pos(file, needle, n)}
		if loc.URI != c.uri(file) || loc.Range != want {
			t.Errorf("location %+v, want %s %+v", loc, file, want)
		}
	}
	check(def("etl.pipe", "${extract.rows}", 11), "etl.pipe", "rows =")
	c.files["etl.pipe2"] = c.files["etl.pipe"]
	loc := def("etl.pipe", "${extract.rows}", 3)
	check(loc, "etl.pipe", "extract {")
	if loc.Range.End.Character-loc.Range.Start.Character != len("extract") {
		t.Errorf("step definition range %+v", loc.Range)
	}
	check(def("etl.pipe", "${date}", 3), "etl.pipe", "date =")
	check(def("etl.pipe", "after transform", 7), "etl.pipe", "transform {")
	check(def("etl.pipe", "${region}", 3), "etl.pipe", "region in")
	check(def("etl.pipe", "uses fit", 6), "lib.pipe", "fit(")
	loc = def("etl.pipe", `import "lib.pipe"`, 9)
	if loc.URI != c.uri("lib.pipe") {
		t.Errorf("import definition %+v", loc)
	}

	// References to a template across files: its declaration in lib.pipe and
	// uses in etl.pipe and other.pipe (not open: found in the workspace).
	var refs []lspLocation
	c.mustCall("textDocument/references", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "uses fit", 6), "context": map[string]any{"includeDeclaration": true}}, &refs)
	var got []string
	for _, r := range refs {
		got = append(got, fmt.Sprintf("%s:%d", r.URI[strings.LastIndex(r.URI, "/")+1:], r.Range.Start.Line))
	}
	if want := "etl.pipe:21 lib.pipe:1 other.pipe:3"; strings.Join(got, " ") != want {
		t.Errorf("template references %q, want %q", strings.Join(got, " "), want)
	}
	// References to a step, without its declaration.
	refs = nil
	c.mustCall("textDocument/references", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "step extract", 6), "context": map[string]any{"includeDeclaration": false}}, &refs)
	if len(refs) != 2 {
		t.Errorf("references to extract: %+v", refs)
	}

	// Rename a step: declaration, ${extract.rows} and ${extract.result}.
	var edit struct {
		Changes map[string][]struct {
			Range   lspRange `json:"range"`
			NewText string   `json:"newText"`
		} `json:"changes"`
	}
	c.mustCall("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "${extract.result}", 4), "newName": "pull"}, &edit)
	renamed := applyEdits(t, c, "etl.pipe", edit.Changes[c.uri("etl.pipe")])
	for _, w := range []string{"step pull {", "${pull.rows}", "${pull.result}"} {
		if !strings.Contains(renamed, w) {
			t.Errorf("rename: %q lacks %q", renamed, w)
		}
	}
	// Rename a step used in an after list, and a parameter.
	edit.Changes = nil
	c.mustCall("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "step transform", 6), "newName": "clean"}, &edit)
	renamed = applyEdits(t, c, "etl.pipe", edit.Changes[c.uri("etl.pipe")])
	if !strings.Contains(renamed, "step clean {") || !strings.Contains(renamed, "after clean, shard") {
		t.Errorf("rename transform:\n%s", renamed)
	}
	edit.Changes = nil
	c.mustCall("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "param date", 7), "newName": "day"}, &edit)
	renamed = applyEdits(t, c, "etl.pipe", edit.Changes[c.uri("etl.pipe")])
	if strings.Count(renamed, "${day}") != 3 || !strings.Contains(renamed, "param day =") || strings.Contains(renamed, "date}") {
		t.Errorf("rename date:\n%s", renamed)
	}
	// Renaming a keyword, or to an invalid name, is refused.
	if err := c.call("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "retry 3", 1), "newName": "x"}, nil); err == nil {
		t.Errorf("renaming a keyword succeeded")
	}
	if err := c.call("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")},
		"position": c.pos("etl.pipe", "step load", 6), "newName": "a b"}, nil); err == nil {
		t.Errorf("renaming to %q succeeded", "a b")
	}
}

// applyEdits applies non-overlapping edits to a file's text (positions in
// UTF-16).
func applyEdits(t *testing.T, c *client, name string, edits []struct {
	Range   lspRange `json:"range"`
	NewText string   `json:"newText"`
}) string {
	text := c.files[name]
	offset := func(p lspPos) int {
		for off := 0; off <= len(text); off++ {
			if c.posAt(text, off) == p {
				return off
			}
		}
		t.Fatalf("position %+v not in %s", p, name)
		return 0
	}
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{offset(e.Range.Start), offset(e.Range.End), e.NewText})
	}
	for i := range spans { // apply from the end
		for j := i + 1; j < len(spans); j++ {
			if spans[j].start > spans[i].start {
				spans[i], spans[j] = spans[j], spans[i]
			}
		}
	}
	for _, s := range spans {
		text = text[:s.start] + s.text + text[s.end:]
	}
	return text
}

func TestSymbolsAndFormatting(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{})
	c.open("etl.pipe")
	type symbol struct {
		Name     string   `json:"name"`
		Kind     int      `json:"kind"`
		Children []symbol `json:"children"`
	}
	var syms []symbol
	c.mustCall("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")}}, &syms)
	var flat []string
	var walk func(prefix string, ss []symbol)
	walk = func(prefix string, ss []symbol) {
		for _, s := range ss {
			flat = append(flat, prefix+s.Name)
			walk(prefix+s.Name+"/", s.Children)
		}
	}
	walk("", syms)
	want := "lib.pipe nightly-etl nightly-etl/date nightly-etl/extract nightly-etl/extract/rows nightly-etl/transform nightly-etl/shard nightly-etl/load nightly-etl/train"
	if got := strings.Join(flat, " "); got != want {
		t.Errorf("symbols:\n%s\nwant:\n%s", got, want)
	}

	// Formatting: the same as pipec fmt; nothing for a formatted file.
	messy := "pipeline   p {\n image \"a\"\n    step s {   run [\"x\"] }\n}\n"
	c.files["messy.pipe"] = messy
	c.open("messy.pipe")
	var edits []struct {
		Range   lspRange `json:"range"`
		NewText string   `json:"newText"`
	}
	c.mustCall("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": c.uri("messy.pipe")}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}}, &edits)
	formatted, _ := dsl.FormatSource("messy.pipe", []byte(messy))
	if len(edits) != 1 || edits[0].NewText != string(formatted) || edits[0].Range.Start != (lspPos{0, 0}) || edits[0].Range.End != (lspPos{4, 0}) {
		t.Errorf("formatting edits: %+v", edits)
	}
	edits = nil
	c.change("messy.pipe", 2, edits0(messy))
	c.mustCall("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": c.uri("messy.pipe")}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}}, &edits)
	if len(edits) != 0 {
		t.Errorf("a file with syntax errors was formatted: %+v", edits)
	}
}

func edits0(s string) string { return s + "step {\n" }

func TestRobustness(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{})
	// Unknown method, unopened document, bad params: errors, not crashes.
	if err := c.call("pipec/nosuch", map[string]any{}, nil); err == nil || !strings.Contains(err.Error(), "method not found") {
		t.Errorf("unknown method: %v", err)
	}
	if err := c.call("textDocument/hover", c.textDoc("nope.pipe", lspPos{0, 0}), nil); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("unopened document: %v", err)
	}
	if err := c.call("textDocument/hover", map[string]any{"textDocument": 3}, nil); err == nil {
		t.Errorf("bad params: no error")
	}
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": c.uri("nope.pipe"), "version": 2}, "contentChanges": []any{}})
	c.notify("$/unknownNotification", map[string]any{"x": 1})
	// Half-typed code everywhere: every request answers.
	c.open("etl.pipe")
	text := c.files["etl.pipe"]
	for i, cut := range []int{10, 50, 120, 200, 333, 480, len(text) - 3} {
		half := text[:cut]
		c.change("etl.pipe", 2+i, half)
		p := c.posAt(half, len(half))
		for _, m := range []string{"textDocument/hover", "textDocument/completion", "textDocument/definition"} {
			if err := c.call(m, c.textDoc("etl.pipe", p), nil); err != nil {
				t.Errorf("%s on half-typed code: %v", m, err)
			}
		}
		c.call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")}}, nil)
	}
	// Positions past the end of the document are clamped.
	if err := c.call("textDocument/hover", c.textDoc("etl.pipe", lspPos{999, 999}), nil); err != nil {
		t.Errorf("position past the end: %v", err)
	}
}

// TestMalformedJSON sends raw bytes: a frame that is not JSON gets a parse
// error with a null id and the session goes on.
func TestMalformedJSON(t *testing.T) {
	serverSide, clientSide := net.Pipe()
	srv := NewServer(Options{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(t.Context(), serverSide) }()
	frame := func(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
	go func() {
		clientSide.Write([]byte(frame(`{not json`) + frame(`{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"capabilities":{}}}`) +
			frame(`{"jsonrpc":"2.0","id":8,"method":"shutdown"}`) + frame(`{"jsonrpc":"2.0","method":"exit"}`)))
	}()
	var out strings.Builder
	buf := make([]byte, 4096)
	clientSide.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !strings.Contains(out.String(), `"id":8`) {
		n, err := clientSide.Read(buf)
		if err != nil {
			t.Fatalf("read: %v (so far %q)", err, out.String())
		}
		out.WriteString(string(buf[:n]))
	}
	for _, w := range []string{`"id":null,"error":{"code":-32700`, `"id":7,"result":{"capabilities"`, `"id":8,"result":null`} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("reply lacks %s:\n%s", w, out.String())
		}
	}
	go func() {
		buf := make([]byte, 1024)
		for {
			if _, err := clientSide.Read(buf); err != nil {
				return
			}
		}
	}()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	_ = jsonrpc2.ErrParse
}
