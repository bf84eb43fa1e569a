package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const semSrc = `// Nightly.
pipeline etl {
  param date = "2024-01-01"
  retry 3 backoff 10s
  pod_gc on_pod_success
  step extract for region in ["eu", "us"] {
    run ["python", "x.py", "--date=${date}", "${ region }"]
    output rows = file("/tmp/rows")
  }
  step load after extract {
    script python """
print("${extract.rows}")
"""
    memory "1Gi"
  }
}
`

// describeToks renders tokens as "text type[+mods]" for comparison.
func describeToks(src string, toks []semTok) []string {
	var out []string
	for _, t := range toks {
		d := src[t.start:t.end] + " " + semTypes[t.typ]
		for i, m := range semModifiers {
			if t.mods&(1<<i) != 0 {
				d += "+" + m
			}
		}
		out = append(out, d)
	}
	return out
}

func TestSemanticTokens(t *testing.T) {
	got := describeToks(semSrc, semanticTokens("x.pipe", []byte(semSrc)))
	for _, want := range []string{
		"// Nightly. comment",
		"pipeline keyword", "etl namespace+declaration",
		"param keyword", "date parameter+declaration", `"2024-01-01" string`,
		"3 number", "backoff keyword", "10s number",
		"on_pod_success enumMember",
		"extract function+declaration", "for keyword", "region variable+declaration", "in keyword",
		`"--date= string`, "${ operator", "date parameter", "} operator", "region variable",
		"rows property+declaration", "file function+defaultLibrary", `"/tmp/rows" string`,
		"after keyword", "extract function",
		"script keyword", "python type", `""" string`, "extract function", "rows property",
		"memory keyword", `"1Gi" string`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no token %q in\n%s", want, strings.Join(got, "\n"))
		}
	}
	// An embedded script's body is left to the editor's grammar.
	for _, g := range got {
		if strings.Contains(g, "print") {
			t.Errorf("script body as a token: %q", g)
		}
	}
	// Tokens are in order, do not overlap and stay on one line.
	toks := semanticTokens("x.pipe", []byte(semSrc))
	for i, tk := range toks {
		if tk.end <= tk.start || strings.Contains(semSrc[tk.start:tk.end], "\n") || i > 0 && tk.start < toks[i-1].end {
			t.Errorf("bad token %d: %q", i, semSrc[tk.start:tk.end])
		}
	}
}

// TestSemanticTokensExamples: every example gets tokens that are ordered and
// do not overlap, and half-typed text never fails.
func TestSemanticTokensExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.pipe")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{len(src), len(src) / 2, len(src) / 3} {
			toks := semanticTokens(f, src[:cut])
			for i := 1; i < len(toks); i++ {
				if toks[i].start < toks[i-1].end {
					t.Fatalf("%s[:%d]: overlapping tokens %d", f, cut, i)
				}
			}
			if cut == len(src) && len(toks) == 0 {
				t.Errorf("%s: no tokens", f)
			}
		}
	}
}

func TestEncodeTokensAndDelta(t *testing.T) {
	src := "pipeline a {\n  // é🎉 x\n  image \"🎉\"\n}\n"
	toks := semanticTokens("a.pipe", []byte(src))
	data := encodeTokens(toks, newMapper([]byte(src), false))
	// pipeline(0,0,8) a(0,9,1) comment(1,2,..) image(2,2,5) string(2,8,4 utf-16 units)
	want := []uint32{0, 0, 8, tokKeyword, 0, 0, 9, 1, tokNamespace, modDeclaration,
		1, 2, 8, tokComment, 0, 1, 2, 5, tokKeyword, 0, 0, 6, 4, tokString, 0}
	if fmt.Sprint(data) != fmt.Sprint(want) {
		t.Errorf("data\n%v\nwant\n%v", data, want)
	}
	for _, tc := range [][2][]uint32{
		{{1, 2, 3}, {1, 2, 3}}, {{1, 2, 3}, {1, 9, 3}}, {{1, 2, 3}, {1, 2, 3, 4, 5}}, {{}, {1}}, {{1, 2}, {}},
		{{5, 5, 5}, {5, 5}},
	} {
		old, nw := tc[0], tc[1]
		got := slices.Clone(old)
		for _, e := range tokenEdits(old, nw) {
			got = slices.Concat(got[:e.Start], e.Data, got[e.Start+e.DeleteCount:])
		}
		if !slices.Equal(got, nw) {
			t.Errorf("edits of %v to %v give %v", old, nw, got)
		}
	}
}

// TestSemanticTokensOverLSP: full, then delta after an edit, over the wire.
func TestSemanticTokensOverLSP(t *testing.T) {
	c := newClient(t, "testdata/broken.txtar", false, Options{})
	c.open("broken.pipe")
	var full struct {
		ResultID string   `json:"resultId"`
		Data     []uint32 `json:"data"`
	}
	doc := map[string]any{"textDocument": map[string]any{"uri": c.uri("broken.pipe")}}
	if err := c.call("textDocument/semanticTokens/full", doc, &full); err != nil {
		t.Fatal(err)
	}
	if len(full.Data) == 0 || len(full.Data)%5 != 0 || full.ResultID == "" {
		t.Fatalf("full: %+v", full)
	}
	c.change("broken.pipe", 2, "// new first line\n"+c.files["broken.pipe"])
	var delta struct {
		ResultID string `json:"resultId"`
		Edits    []struct {
			Start, DeleteCount uint32
			Data               []uint32
		} `json:"edits"`
	}
	doc["previousResultId"] = full.ResultID
	if err := c.call("textDocument/semanticTokens/full/delta", doc, &delta); err != nil {
		t.Fatal(err)
	}
	if len(delta.Edits) != 1 || delta.ResultID == full.ResultID {
		t.Fatalf("delta: %+v", delta)
	}
	got := slices.Clone(full.Data)
	e := delta.Edits[0]
	got = slices.Concat(got[:e.Start], e.Data, got[e.Start+e.DeleteCount:])
	var again struct{ Data []uint32 }
	if err := c.call("textDocument/semanticTokens/full", doc, &again); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, again.Data) {
		t.Errorf("full after delta differs:\n%v\n%v", got, again.Data)
	}
}
