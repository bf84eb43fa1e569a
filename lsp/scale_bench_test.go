package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/dsl"
)

// The language server on a 10,000-step document (bench.Pipeline, about
// 0.4 MB): hover and completion right after an edit, semantic tokens.
// Figures are in docs/performance.md.

func scaleClient(b *testing.B, steps int) (*client, string) {
	src := bench.Pipeline("big", steps)
	dir := b.TempDir()
	archive := filepath.Join(dir, "big.txtar")
	if err := os.WriteFile(archive, []byte("-- big.pipe --\n"+src), 0o644); err != nil {
		b.Fatal(err)
	}
	c := newClient(b, archive, false, Options{Debounce: -1})
	c.open("big.pipe")
	c.waitDiags("big.pipe", 1)
	return c, src
}

// BenchmarkScaleHoverAfterEdit10k: a change, then hover on a step name near
// the end.
func BenchmarkScaleHoverAfterEdit10k(b *testing.B) { benchHoverAfterEdit(b, 10000) }

// BenchmarkScaleHoverAfterEdit1k is the same on 1,000 steps.
func BenchmarkScaleHoverAfterEdit1k(b *testing.B) { benchHoverAfterEdit(b, 1000) }

func benchHoverAfterEdit(b *testing.B, steps int) {
	c, src := scaleClient(b, steps)
	i := strings.LastIndex(src, fmt.Sprintf("step s%d", steps-10))
	pos := c.posAt(src, i+len("step s9"))
	var warm map[string]any
	c.mustCall("textDocument/hover", c.textDoc("big.pipe", pos), &warm) // the first index
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c.change("big.pipe", n+2, src+strings.Repeat(" ", n%2))
		b.StartTimer()
		var h map[string]any
		c.mustCall("textDocument/hover", c.textDoc("big.pipe", pos), &h)
		if h == nil {
			b.Fatal("no hover")
		}
	}
}

// BenchmarkScaleSemanticTokens10k: full semantic tokens of the document.
func BenchmarkScaleSemanticTokens10k(b *testing.B) {
	c, _ := scaleClient(b, 10000)
	doc := map[string]any{"textDocument": map[string]any{"uri": c.uri("big.pipe")}}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		var res struct{ Data []uint32 }
		c.mustCall("textDocument/semanticTokens/full", doc, &res)
		if len(res.Data) == 0 {
			b.Fatal("no tokens")
		}
	}
}

// BenchmarkScaleShutdown10k: shutdown right after a change, while the
// document is being compiled and validated.
func BenchmarkScaleShutdown10k(b *testing.B) {
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c, src := scaleClient(b, 10000)
		c.change("big.pipe", 2, src+" ")
		b.StartTimer()
		c.mustCall("shutdown", nil, nil)
		b.StopTimer()
		c.notify("exit", nil)
		<-c.done
		b.StartTimer()
	}
}

// BenchmarkSemanticTokensOf10k: the tokens of a parsed 10,000-step source,
// without the server.
func BenchmarkSemanticTokensOf10k(b *testing.B) {
	src := []byte(bench.Pipeline("big", 10000))
	f, _ := dsl.Parse("big.pipe", src)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if len(semanticTokensOf(f, "big.pipe", src)) == 0 {
			b.Fatal("no tokens")
		}
	}
}
