package dsl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipec/pipec/diag"
)

// span renders a node's range as "line:col-line:col" (end exclusive).
func span(r diag.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
}

// text is the source text a range covers.
func text(src string, r diag.Range) string { return src[r.Start.Offset:r.End.Offset] }

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, diags := ParseString("t.pipe", src)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%v", diags)
	}
	return f
}

const spanSrc = `// The pipeline.
pipeline p {
  image "alpine"
  param date: string = "2024-01-01" one_of ["2024-01-01"]
  step a after b failed, c for x in ["é", "y"] when "${x} != ''" {
    run ["echo", "${x}"]
    output n = file("/tmp/n") default "0"
  }
  step b uses t(k = [1, {z: 2.5}])
  step c
  on exit step e { script python """
print("${workflow.status}")
""" }
}
`

func TestSpans(t *testing.T) {
	f := mustParse(t, spanSrc)
	p := f.Items[0].Pipeline
	param := p.Items[1].Stmt.(*ParamStmt)
	a := p.Items[2].Stmt.(*StepDecl)
	b := p.Items[3].Stmt.(*StepDecl)
	e := p.Items[5].Stmt.(*StepDecl)
	out := a.Items[1].Stmt.(*OutputStmt)
	tests := []struct {
		name string
		node Node
		span string
		text string
	}{
		{"top item", f.Items[0], "2:1-14:2", ""},
		{"pipeline", p, "2:1-14:2", ""},
		{"pipeline name", p.Name, "2:10-2:11", "p"},
		{"image stmt", p.Items[0].Stmt, "3:3-3:17", `image "alpine"`},
		{"image string", p.Items[0].Stmt.(*ImageStmt).Image, "3:9-3:17", `"alpine"`},
		{"param", param, "4:3-4:58", `param date: string = "2024-01-01" one_of ["2024-01-01"]`},
		{"param type", param.Type, "4:15-4:21", "string"},
		{"param default", param.Default, "4:24-4:36", `"2024-01-01"`},
		{"param enum", param.Enum, "4:44-4:58", `["2024-01-01"]`},
		{"step", a, "5:3-8:4", ""},
		{"after clause", a.Clauses[0], "5:10-5:27", "after b failed, c"},
		{"dep with outcome", a.Clauses[0].After.Deps()[0], "5:16-5:24", "b failed"},
		{"dep", a.Clauses[0].After.Deps()[1], "5:26-5:27", "c"},
		{"loop clause", a.Clauses[1], "5:28-5:47", `for x in ["é", "y"]`},
		{"loop source", a.Clauses[1].Loop.Source, "5:37-5:47", `["é", "y"]`},
		{"loop item after é", a.Clauses[1].Loop.Source.List.Elems[1], "5:43-5:46", `"y"`},
		{"when", a.Clauses[2].When, "5:53-5:65", `"${x} != ''"`},
		{"run", a.Items[0], "6:5-6:25", `run ["echo", "${x}"]`},
		{"output", out, "7:5-7:42", `output n = file("/tmp/n") default "0"`},
		{"output call", out.Source, "7:16-7:30", `file("/tmp/n")`},
		{"call arg", out.Source.Args[0], "7:21-7:29", `"/tmp/n"`},
		{"uses", b.Clauses[0], "9:10-9:35", "uses t(k = [1, {z: 2.5}])"},
		{"uses arg", b.Clauses[0].Uses.Args[0], "9:17-9:34", "k = [1, {z: 2.5}]"},
		{"map entry", b.Clauses[0].Uses.Args[0].Value.List.Elems[1].Map.Entries[0], "9:26-9:32", "z: 2.5"},
		{"header-only step", p.Items[4].Stmt, "10:3-10:9", "step c"},
		{"handler step", e, "11:3-13:6", ""},
		{"triple-quoted string", e.Items[0].Stmt.(*ScriptStmt).Source, "11:34-13:4", "\"\"\"\nprint(\"${workflow.status}\")\n\"\"\""},
	}
	for _, tt := range tests {
		r := tt.node.Range()
		if got := span(r); got != tt.span {
			t.Errorf("%s: span %s, want %s (text %q)", tt.name, got, tt.span, text(spanSrc, r))
		}
		if r.Filename != "t.pipe" {
			t.Errorf("%s: file name %q", tt.name, r.Filename)
		}
		if tt.text != "" && text(spanSrc, r) != tt.text {
			t.Errorf("%s: covers %q, want %q", tt.name, text(spanSrc, r), tt.text)
		}
	}
}

func TestDocComments(t *testing.T) {
	src := `// File comment: a blank line separates it from the pipeline.

// The pipeline,
// on two lines.
pipeline p {
  // The date to process.
  param date = "x" // a trailing comment is no doc
  param region

  // Separated by a blank line: not a doc.

  param zone
    // Indented differently: not a doc.
  param mode
  step a {
    // Doc of a statement in a step.
    run ["x"]
  }
}

// A template.
template t() { run ["y"] }
`
	f := mustParse(t, src)
	p := f.Items[0]
	if got, want := p.Doc.Text(), "The pipeline,\non two lines."; got != want {
		t.Errorf("pipeline doc %q, want %q", got, want)
	}
	items := p.Pipeline.Items
	docs := map[string]string{}
	for _, it := range items {
		if prm, ok := it.Stmt.(*ParamStmt); ok {
			docs[prm.Name.Name] = it.Doc.Text()
		}
	}
	want := map[string]string{"date": "The date to process.", "region": "", "zone": "", "mode": ""}
	for name, w := range want {
		if docs[name] != w {
			t.Errorf("doc of param %s: %q, want %q", name, docs[name], w)
		}
	}
	step := items[len(items)-1].Stmt.(*StepDecl)
	if got := step.Items[0].Doc.Text(); got != "Doc of a statement in a step." {
		t.Errorf("step statement doc %q", got)
	}
	tmpl := f.Items[1]
	if tmpl.Template.Doc.Text() != "A template." || tmpl.Doc != tmpl.Template.Doc {
		t.Errorf("template doc %q (item doc %q)", tmpl.Template.Doc.Text(), tmpl.Doc.Text())
	}
	if len(f.Comments) != 8 {
		t.Errorf("%d comment groups, want 8", len(f.Comments))
	}
	if g := f.Comments[1]; span(g.Range()) != "3:1-4:17" || len(g.Lines) != 2 || g.Lines[0] != " The pipeline," {
		t.Errorf("comment group %s %q", span(g.Range()), g.Lines)
	}
}

func TestInterpolationRanges(t *testing.T) {
	tests := []struct {
		name     string
		str      string   // a string literal as written, on line 3 at column 14
		refs     []string // "path@line:col-line:col"
		unclosed []string
	}{
		{"ascii", `"a ${x} b ${ y.z }"`, []string{"x@3:14-3:18", "y.z@3:21-3:29"}, nil},
		{"after non-ASCII", `"été ${x}"`, []string{"x@3:16-3:20"}, nil},
		{"after an emoji", `"🚀${step.result}"`, []string{"step.result@3:13-3:27"}, nil},
		{"after escapes", `"\"\t${x}"`, []string{"x@3:16-3:20"}, nil},
		{"escaped", `"$${x} ${y}"`, []string{"y@3:18-3:22"}, nil},
		{"dollar without brace", `"$x $ {y} ${z}"`, []string{"z@3:21-3:25"}, nil},
		{"unclosed", `"a ${x"`, nil, []string{"3:14-3:16"}},
		{"unclosed then closed", `"${x ${y}"`, []string{"y@3:16-3:20"}, []string{"3:12-3:14"}},
		{"empty", `"${}"`, []string{"@3:12-3:15"}, nil},
		{"triple-quoted", "\"\"\"\nline ${a}\n  é ${b.c}\n\"\"\"", []string{"a@4:6-4:10", "b.c@5:5-5:11"}, nil},
		{"triple-quoted unclosed at line end", "\"\"\"\n${a\n}\n\"\"\"", nil, []string{"4:1-4:3"}},
		{"raw string", "`${a} é ${b}`", []string{"a@3:12-3:16", "b@3:19-3:23"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "pipeline p {\n  step s {\n    image " + tt.str + "\n  }\n}\n"
			f := mustParse(t, src)
			lit := f.Items[0].Pipeline.Items[0].Stmt.(*StepDecl).Items[0].Stmt.(*ImageStmt).Image
			if span(lit.Range())[:4] != "3:11" {
				t.Fatalf("string at %s, want 3:11", span(lit.Range()))
			}
			refs, unclosed := Interpolations(lit)
			var got, gotUnclosed []string
			for _, r := range refs {
				got = append(got, r.Path+"@"+span(r.Range))
				if r.Range.Filename != "t.pipe" {
					t.Errorf("file name %q", r.Range.Filename)
				}
				want := "${" + r.Path + "}"
				if s := text(src, r.Range); strings.ReplaceAll(s, " ", "") != want {
					t.Errorf("range covers %q, want %q", s, want)
				}
			}
			for _, r := range unclosed {
				gotUnclosed = append(gotUnclosed, span(r))
				if text(src, r) != "${" {
					t.Errorf("unclosed range covers %q", text(src, r))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.refs) {
				t.Errorf("refs %v, want %v", got, tt.refs)
			}
			if fmt.Sprint(gotUnclosed) != fmt.Sprint(tt.unclosed) {
				t.Errorf("unclosed %v, want %v", gotUnclosed, tt.unclosed)
			}
		})
	}
}

func TestSubstitute(t *testing.T) {
	got := Substitute("a ${x} $${y} ${ z.w } ${unclosed", func(p string) string { return "<" + p + ">" })
	if want := "a <x> ${y} <z.w> ${unclosed"; got != want {
		t.Errorf("Substitute: %q, want %q", got, want)
	}
}

// diags renders diagnostics as "line:col: message" lines.
func diagLines(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%d:%d: %s\n", d.Range.Start.Line, d.Range.Start.Column, d.Message)
	}
	return b.String()
}

func TestRecovery(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  step a {
    runn ["x"]
    env X = "1"
  }
  paramm x = "1"
  step b { run ["y"] }
  step c {
    run ["z"]
    cpu
  }
  timeout = 5m
  step d { run ["a" "b"] }
  schedule
  step e { run ["é"] }
}
pipelin q {}
template t(a: int) { run ["x" }
pipeline r { step f { run ["f"] } }
`
	f, ds := ParseString("t.pipe", src)
	want := `4:5: unknown statement "runn" in a step
7:3: unknown statement "paramm" in a pipeline
11:5: incomplete statement after "cpu" (expected "limit" or a value)
13:11: unexpected token "=" (expected a value)
14:21: unexpected token "\"b\"" (expected "]")
15:3: incomplete statement after "schedule" (expected a quoted string)
18:1: unknown statement "pipelin" at the top level of a file
19:27: incomplete statement after "\"x\"" (expected "]")
`
	if got := diagLines(ds); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
	hints := map[string]string{}
	for _, d := range ds {
		hints[fmt.Sprintf("%d:%d", d.Range.Start.Line, d.Range.Start.Column)] = d.Hint
	}
	if hints["4:5"] != `did you mean "run"?` || hints["7:3"] != `did you mean "param"?` || hints["18:1"] != `did you mean "pipeline"?` {
		t.Errorf("hints: %q", hints)
	}
	// Everything else still parsed.
	var steps []string
	for _, it := range f.Items {
		if it.Pipeline == nil {
			continue
		}
		for _, pi := range it.Pipeline.Items {
			if s, ok := pi.Stmt.(*StepDecl); ok {
				steps = append(steps, s.Name.Name)
			}
		}
	}
	if got := strings.Join(steps, " "); got != "a b c d e f" {
		t.Errorf("steps parsed: %q, want a b c d e f", got)
	}
	a := f.Items[0].Pipeline.Items[1].Stmt.(*StepDecl)
	if a.Items[0].Bad == nil || a.Items[1].Stmt == nil {
		t.Errorf("step a: want a bad statement then env, got %+v", a.Items)
	}
	if got := span(a.Items[0].Bad.Range()); got != "4:5-4:15" {
		t.Errorf("bad statement span %s, want 4:5-4:15", got)
	}
}

// A statement in the wrong context names the context.
func TestMisplacedStatement(t *testing.T) {
	_, ds := ParseString("t.pipe", "pipeline p {\n  run [\"x\"]\n  step a { param x = \"1\" }\n}\nstep b {}\n")
	want := `2:3: "run" is not allowed in a pipeline
3:12: "param" is not allowed in a step
5:1: "step" is not allowed at the top level of a file
`
	if got := diagLines(ds); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
}

// A broken statement after non-ASCII text on the same line is reported at
// the right column (the re-parse blanks the other bytes).
func TestRecoveryColumnAfterNonASCII(t *testing.T) {
	src := "pipeline p {\n  description \"été\" step a { run 1 }\n}\n"
	_, ds := ParseString("t.pipe", src)
	if len(ds) != 1 {
		t.Fatalf("want one diagnostic, got:\n%s", diagLines(ds))
	}
	d := ds[0]
	if got := fmt.Sprintf("%d:%d", d.Range.Start.Line, d.Range.Start.Column); got != "2:34" || text(src, d.Range) != "1" {
		t.Errorf("diagnostic at %s covering %q, want 2:34 covering \"1\": %s", got, text(src, d.Range), d.Message)
	}
	if want := PosAt("t.pipe", []byte(src), d.Range.Start.Offset); want != d.Range.Start {
		t.Errorf("position %+v does not match its offset (%+v)", d.Range.Start, want)
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
		span            string
	}{
		{"unterminated string", "pipeline p {\n  image \"alpine\n}\n",
			`2:9: unterminated string: a "..." string must end on the same line`, "2:9-2:16"},
		{"unterminated triple string", "pipeline p {\n  step a { script sh \"\"\"\necho\n}\n",
			`2:22: unterminated string: a """ string needs a closing """`, "2:22-5:1"},
		{"unterminated raw string", "pipeline p {\n  raw `x: 1\n}\n",
			"2:7: unterminated string: a `...` string needs a closing back quote", "2:7-4:1"},
		{"bad character", "pipeline p {\n  image \"a\" # comment\n}\n",
			`2:13: unexpected character "#"`, "2:13-2:14"},
		{"bad character after non-ASCII", "pipeline p {\n  image \"é\" ; \n}\n",
			`2:13: unexpected character ";"`, "2:13-2:14"},
		{"non-ASCII identifier", "pipeline p {\n  step é { run [\"x\"] }\n}\n",
			`2:8: unexpected character "é"`, "2:8-2:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := ParseString("t.pipe", tt.src)
			if len(ds) == 0 {
				t.Fatal("no diagnostic")
			}
			if got := strings.TrimSpace(diagLines(ds[:1])); got != tt.want {
				t.Errorf("first diagnostic %q, want %q (all:\n%s)", got, tt.want, diagLines(ds))
			}
			if got := span(ds[0].Range); got != tt.span {
				t.Errorf("span %s, want %s", got, tt.span)
			}
			// The lexer's message stands alone: the broken statement it is in
			// is not reported a second time.
			for _, d := range ds[1:] {
				if d.Range.Start.Line == ds[0].Range.Start.Line {
					t.Errorf("second diagnostic on the same line: %v", d)
				}
			}
		})
	}
}

func TestEmptyAndCommentOnlyFiles(t *testing.T) {
	for _, src := range []string{"", "\n\n", "// only a comment\n", "   \t"} {
		f, ds := ParseString("t.pipe", src)
		if len(ds) != 0 || f == nil || len(f.Items) != 0 {
			t.Errorf("%q: items %v, diagnostics %v", src, f.Items, ds)
		}
	}
}

// Keywords are not reserved: they can be names.
func TestKeywordsAsNames(t *testing.T) {
	f := mustParse(t, "pipeline step {\n  param image = \"x\"\n  step run { run [\"${image}\"] }\n  step after after run { run [\"y\"] }\n}\n")
	p := f.Items[0].Pipeline
	if p.Name.Name != "step" {
		t.Errorf("pipeline name %q", p.Name.Name)
	}
	s := p.Items[2].Stmt.(*StepDecl)
	if s.Name.Name != "after" || s.Clauses[0].After.Deps()[0].Step.Name != "run" {
		t.Errorf("step %q after %q", s.Name.Name, s.Clauses[0].After.Deps()[0].Step.Name)
	}
}

// substituteTexts are values for the tests of Substitute's shortcut for a
// value that is one reference.
var substituteTexts = []string{"${x}", "${ x.y }", "${}", "${x}}", "${x} ", " ${x}", "${${x}", "${x${y}", "$${x}", "${x}${y}", "${x", "$", "${", "a ${x} b", "${x.y}/in"}

// TestSubstituteWholeReference checks Substitute's shortcut for a value
// that is one ${path} against the loop it skips.
func TestSubstituteWholeReference(t *testing.T) {
	for _, v := range substituteTexts {
		checkSubstitute(t, v)
	}
}

func FuzzSubstitute(f *testing.F) {
	for _, v := range substituteTexts {
		f.Add(v)
	}
	f.Fuzz(checkSubstitute)
}

// checkSubstitute compares Substitute with substituteAll on v.
func checkSubstitute(t *testing.T, v string) {
	repl := func(p string) string { return "<" + p + ">" }
	if !strings.Contains(v, "${") {
		return
	}
	if got, want := Substitute(v, repl), substituteAll(v, repl); got != want {
		t.Errorf("Substitute(%q) = %q, want %q", v, got, want)
	}
}
