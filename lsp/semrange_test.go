package lsp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
)

// absTokens decodes LSP's relative token data to absolute
// [line, char, length, type, mods] groups.
func absTokens(data []uint32) [][5]uint32 {
	var out [][5]uint32
	var line, char uint32
	for i := 0; i+5 <= len(data); i += 5 {
		if data[i] > 0 {
			line, char = line+data[i], data[i+1]
		} else {
			char += data[i+1]
		}
		out = append(out, [5]uint32{line, char, data[i+2], data[i+3], data[i+4]})
	}
	return out
}

// TestSemanticTokensRange: the tokens of a range are the full result's
// tokens of the lines it covers, for ranges all over a document, on a
// checked text and right after an edit of a large document (answered from
// the last checked state through the edit).
func TestSemanticTokensRange(t *testing.T) {
	// With an embedded script, whose lines a range may start in.
	src := bench.Pipeline("big", 30)
	script := "  step py {\n    script python \"\"\"\nimport sys\nprint(\"${date}\", sys.argv)\n# end\n\"\"\"\n  }\n"
	at := strings.Index(src, "  on exit step")
	src = src[:at] + script + src[at:]
	inScript := strings.Count(src[:strings.Index(src, "print(")], "\n")
	dir := t.TempDir()
	archive := filepath.Join(dir, "big.txtar")
	if err := os.WriteFile(archive, []byte("-- big.pipe --\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, archive, false, Options{Debounce: -1, fastFrom: 1})
	c.open("big.pipe")
	c.waitDiagsN("big.pipe", 1, 2)
	doc := map[string]any{"textDocument": map[string]any{"uri": c.uri("big.pipe")}}
	lines := strings.Count(src, "\n")
	compare := func(when string) {
		var full struct{ Data []uint32 }
		c.mustCall("textDocument/semanticTokens/full", doc, &full)
		all := absTokens(full.Data)
		if len(all) == 0 {
			t.Fatal("no tokens")
		}
		for _, span := range [][2]int{{0, 1}, {0, lines + 1}, {3, 9}, {40, 41}, {lines / 2, lines/2 + 30}, {lines - 5, lines + 1}, {inScript, inScript + 1}, {inScript, inScript + 3}} {
			var got struct{ Data []uint32 }
			rng := lspRange{lspPos{span[0], 0}, lspPos{span[1], 0}}
			c.mustCall("textDocument/semanticTokens/range", map[string]any{"textDocument": doc["textDocument"], "range": rng}, &got)
			var want [][5]uint32
			for _, tk := range all {
				if int(tk[0]) >= span[0] && int(tk[0]) < span[1] {
					want = append(want, tk)
				}
			}
			if g := absTokens(got.Data); !slices.Equal(g, want) {
				t.Errorf("%s: lines %d-%d: %d tokens, want %d\n%v\n%v", when, span[0], span[1], len(g), len(want), g, want)
			}
		}
	}
	compare("checked")
	// A new step typed in the middle, not checked yet (the next check runs
	// in the background meanwhile; either state gives the same tokens).
	inScript += 3
	mid := strings.Index(src, "  step s15 ")
	edited := src[:mid] + "  step fresh {\n    run [\"x\"]\n  }\n" + src[mid:]
	c.change("big.pipe", 2, edited)
	compare("after an edit")
}
