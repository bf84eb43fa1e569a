package lsp

import (
	"strings"
	"testing"
)

// Steps in stages: hover, definition, completion and symbols.
func TestStages(t *testing.T) {
	c := newClient(t, "testdata/stages.txtar", false, Options{})
	c.open("stages.pipe")
	for _, tc := range []struct {
		needle string
		delta  int
		want   []string
	}{
		{"step gen", 6, []string{"**step** `gen`", "Generates the items.", "memoized: yes"}},
		{"${gen.items}", 7, []string{"**output** `items` of step `gen`", "The items."}},
		{"stage work", 1, []string{"stage [NAME]"}},
	} {
		var h hoverResult
		c.mustCall("textDocument/hover", c.textDoc("stages.pipe", c.pos("stages.pipe", tc.needle, tc.delta)), &h)
		for _, w := range tc.want {
			if !strings.Contains(h.Contents.Value, w) {
				t.Errorf("hover at %q+%d: %q lacks %q", tc.needle, tc.delta, h.Contents.Value, w)
			}
		}
	}
	var loc lspLocation
	c.mustCall("textDocument/definition", c.textDoc("stages.pipe", c.pos("stages.pipe", "${gen.items}", 7)), &loc)
	if want := c.pos("stages.pipe", "items = file", 0); loc.Range.Start != want {
		t.Errorf("definition of ${gen.items}: %+v, want %+v", loc.Range, want)
	}
	c.mustCall("textDocument/definition", c.textDoc("stages.pipe", c.pos("stages.pipe", "${gen.result}", 3)), &loc)
	if want := c.pos("stages.pipe", "gen {", 0); loc.Range.Start != want {
		t.Errorf("definition of ${gen.result}: %+v, want %+v", loc.Range, want)
	}

	// Completion: in a stage, the keyword step; in a later stage's string,
	// the outputs of the steps of earlier stages.
	base := c.files["stages.pipe"]
	complete := func(version int, marker, text string) map[string]string {
		t.Helper()
		i := strings.Index(text, marker)
		text = strings.Replace(text, marker, "", 1)
		c.change("stages.pipe", version, text)
		var l completionList
		c.mustCall("textDocument/completion", c.textDoc("stages.pipe", c.posAt(text, i)), &l)
		return l.labels()
	}
	got := complete(2, "‸", strings.Replace(base, "    step sub uses", "    ‸\n    step sub uses", 1))
	if _, ok := got["step"]; !ok || len(got) != 1 {
		t.Errorf("completion in a stage: %v", got)
	}
	got = complete(3, "‸", strings.Replace(base, `"${item}", "${gen.items}"`, `"${item}", "${‸`, 1))
	for _, w := range []string{"gen.items", "gen.result", "item"} {
		if _, ok := got[w]; !ok {
			t.Errorf("completion lacks %q: %v", w, got)
		}
	}

	// Symbols: stages with their steps.
	c.change("stages.pipe", 4, base)
	type symbol struct {
		Name     string   `json:"name"`
		Children []symbol `json:"children"`
	}
	var syms []symbol
	c.mustCall("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": c.uri("stages.pipe")}}, &syms)
	var flat []string
	var walk func(prefix string, ss []symbol)
	walk = func(prefix string, ss []symbol) {
		for _, s := range ss {
			flat = append(flat, prefix+s.Name)
			walk(prefix+s.Name+"/", s.Children)
		}
	}
	walk("", syms)
	want := "staged staged/prepare staged/prepare/gen staged/prepare/gen/items staged/work staged/work/each staged/work/sub staged/on exit stage (1 steps) staged/on exit stage (1 steps)/done group group/x group/stage (1 steps) group/stage (1 steps)/a"
	if got := strings.Join(flat, " "); got != want {
		t.Errorf("symbols:\n%s\nwant:\n%s", got, want)
	}
}
