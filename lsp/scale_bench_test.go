package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/dsl"
)

// The language server on large documents (bench.Pipeline: 10,000 steps are
// about 2 MB, 50,000 about 10 MB): hover and completion right after an
// edit, the first diagnostics after a change, semantic tokens, the memory
// kept after closing, shutdown. Figures are in docs/editors.md.
//
//	go test ./lsp -run '^$' -bench Scale -benchmem
//
// PIPEC_LSP_SCALE=10000 (a comma-separated list) selects the sizes.

func scaleSizes() []int {
	v := os.Getenv("PIPEC_LSP_SCALE")
	if v == "" {
		return []int{10000, 50000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		var n int
		if _, err := fmt.Sscan(f, &n); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// eachScale runs f as one sub-benchmark per size.
func eachScale(b *testing.B, f func(b *testing.B, steps int)) {
	for _, n := range scaleSizes() {
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) { f(b, n) })
	}
}

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
	b.SetBytes(int64(len(src)))
	return c, src
}

// cpuPerOp reports, when the function it returns is called at the end of
// a benchmark, the CPU time the whole process used per operation since
// (the server's background work included: on a loaded machine it says
// more than the wall time).
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op") }
}

// keystrokes prepares iteration n of a request after an edit: a keystroke
// at the end of big.pipe (an incremental change), its diagnostics awaited
// (so that the server has a new checked state, which it then indexes in
// the background), then another keystroke (which starts a compile).
func (c *client) keystrokes(n int, end lspPos) {
	v := 2*n + 2
	c.typeAt("big.pipe", v, end, false)
	c.waitDiags("big.pipe", int32(v))
	c.typeAt("big.pipe", v+1, end, true)
}

// BenchmarkScaleHoverAfterEdit: right after a keystroke (see keystrokes),
// a hover on a step name near the end.
func BenchmarkScaleHoverAfterEdit(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		c, src := scaleClient(b, steps)
		i := strings.LastIndex(src, fmt.Sprintf("step s%d ", steps-10))
		pos := c.posAt(src, i+len("step s9"))
		c.mustCall("textDocument/hover", c.textDoc("big.pipe", pos), nil) // the first index
		end := c.posAt(src, len(src))
		b.ResetTimer()
		defer cpuPerOp(b)()
		for n := 0; n < b.N; n++ {
			b.StopTimer()
			c.keystrokes(n, end)
			b.StartTimer()
			var h map[string]any
			c.mustCall("textDocument/hover", c.textDoc("big.pipe", pos), &h)
			if h == nil {
				b.Fatal("no hover")
			}
		}
	})
}

// BenchmarkScaleCompletionAfterEdit: right after a keystroke (see
// keystrokes), a completion of a ${...} reference near the end.
func BenchmarkScaleCompletionAfterEdit(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		c, src := scaleClient(b, steps)
		marker := `"${date}"`
		i := strings.LastIndex(src, marker) + len(`"${`)
		pos := c.posAt(src, i)
		c.mustCall("textDocument/completion", c.textDoc("big.pipe", pos), nil) // the first index
		end := c.posAt(src, len(src))
		b.ResetTimer()
		defer cpuPerOp(b)()
		for n := 0; n < b.N; n++ {
			b.StopTimer()
			c.keystrokes(n, end)
			b.StartTimer()
			var l completionList
			c.mustCall("textDocument/completion", c.textDoc("big.pipe", pos), &l)
			if len(l.Items) < 3 {
				b.Fatalf("%d completion items", len(l.Items))
			}
		}
	})
}

// BenchmarkScaleFirstDiagnostics: from a change to its first published
// diagnostics (the first pass: syntax errors, as soon as the text is
// parsed, or at once when the edited statements re-parse clean on their
// own; see early.go). The change is what an editor sends: the range edit
// of two characters (the day of the first parameter's date).
func BenchmarkScaleFirstDiagnostics(b *testing.B) { benchScaleDiagnostics(b, 1, false) }

// BenchmarkScaleFirstDiagnosticsFullSync: the same with the whole text in
// each change (a client that does not use incremental sync).
func BenchmarkScaleFirstDiagnosticsFullSync(b *testing.B) { benchScaleDiagnostics(b, 1, true) }

// BenchmarkScaleFirstDiagnosticsSyntaxError: the same for changes that
// make a syntax error (a stray quote in the date) and then mend it, in
// turn: the first pass of a broken text waits for the whole parse.
func BenchmarkScaleFirstDiagnosticsSyntaxError(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		c, src := scaleClient(b, steps)
		day := strings.Index(src, "2024-01-01") + len("2024-01-")
		from, to := c.posAt(src, day), c.posAt(src, day+2)
		b.ResetTimer()
		defer cpuPerOp(b)()
		for n := 0; n < b.N; n++ {
			v := n + 2
			dd := fmt.Sprintf("%02d", (n+1)%28+1) // never the original day: each change changes the text
			if n%2 == 0 {
				dd = `0"`
			}
			c.replace("big.pipe", v, from, to, dd)
			p := c.waitDiagsN("big.pipe", int32(v), 1)
			if n%2 == 0 && len(p.Diagnostics) == 0 {
				b.Fatal("no syntax error")
			}
		}
	})
}

// BenchmarkScaleCheckedDiagnostics: from a change to its second published
// diagnostics (parse, check, lower; Argo's validator comes later).
func BenchmarkScaleCheckedDiagnostics(b *testing.B) { benchScaleDiagnostics(b, 2, false) }

func benchScaleDiagnostics(b *testing.B, nth int, full bool) {
	eachScale(b, func(b *testing.B, steps int) {
		c, src := scaleClient(b, steps)
		day := strings.Index(src, "2024-01-01") + len("2024-01-")
		from, to := c.posAt(src, day), c.posAt(src, day+2)
		b.ResetTimer()
		defer cpuPerOp(b)()
		for n := 0; n < b.N; n++ {
			v := n + 2
			dd := fmt.Sprintf("%02d", (n+1)%28+1) // never the original day: each change changes the text
			if full {
				c.change("big.pipe", v, src[:day]+dd+src[day+2:])
			} else {
				c.replace("big.pipe", v, from, to, dd)
			}
			c.waitDiagsN("big.pipe", int32(v), nth)
		}
	})
}

// BenchmarkScaleSemanticTokens: full semantic tokens of the document.
func BenchmarkScaleSemanticTokens(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		c, _ := scaleClient(b, steps)
		doc := map[string]any{"textDocument": map[string]any{"uri": c.uri("big.pipe")}}
		b.ResetTimer()
		defer cpuPerOp(b)()
		for n := 0; n < b.N; n++ {
			var res struct{ Data []uint32 }
			c.mustCall("textDocument/semanticTokens/full", doc, &res)
			if len(res.Data) == 0 {
				b.Fatal("no tokens")
			}
		}
	})
}

// BenchmarkScaleSemanticTokensRange: the tokens of a screenful (60 lines)
// near the end of the document, right after a keystroke (see keystrokes),
// as an editor asks for what it shows.
func BenchmarkScaleSemanticTokensRange(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		c, src := scaleClient(b, steps)
		lines := strings.Count(src, "\n")
		doc := map[string]any{"uri": c.uri("big.pipe")}
		rng := lspRange{lspPos{lines - 100, 0}, lspPos{lines - 40, 0}}
		var res struct{ Data []uint32 }
		c.mustCall("textDocument/semanticTokens/full", map[string]any{"textDocument": doc}, &res) // the state's facts
		end := c.posAt(src, len(src))
		b.ResetTimer()
		defer cpuPerOp(b)()
		for n := 0; n < b.N; n++ {
			b.StopTimer()
			c.keystrokes(n, end)
			b.StartTimer()
			c.mustCall("textDocument/semanticTokens/range", map[string]any{"textDocument": doc, "range": rng}, &res)
			if len(res.Data) == 0 {
				b.Fatal("no tokens")
			}
		}
	})
}

// BenchmarkScaleMemoryAfterClose: open a document, edit it, wait for its
// diagnostics, hover (so that it is compiled, indexed and being
// validated), close it. The heap in use after a collection, compared with
// before the open, is reported right after the close (MB-kept, while the
// validator may still be at work on it) and once the server's background
// work has ended (MB-kept-idle). Run it alone: other benchmarks' leftover
// work skews it.
func BenchmarkScaleMemoryAfterClose(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		src := bench.Pipeline("big", steps)
		dir := b.TempDir()
		archive := filepath.Join(dir, "big.txtar")
		if err := os.WriteFile(archive, []byte("-- big.pipe --\n"+src), 0o644); err != nil {
			b.Fatal(err)
		}
		c := newClient(b, archive, false, Options{Debounce: -1})
		i := strings.LastIndex(src, fmt.Sprintf("step s%d ", steps-10))
		pos := c.posAt(src, i+len("step s9"))
		kept, idle := 0.0, 0.0
		for n := 0; n < b.N; n++ {
			before := heapInUse()
			c.files["big.pipe"] = src
			c.open("big.pipe")
			c.waitDiags("big.pipe", 1)
			c.change("big.pipe", 2, strings.Replace(src, "2024-01-01", "2024-01-02", 1))
			c.waitDiags("big.pipe", 2)
			var h map[string]any
			c.mustCall("textDocument/hover", c.textDoc("big.pipe", pos), &h)
			c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": c.uri("big.pipe")}})
			_ = c.call("textDocument/hover", c.textDoc("big.pipe", pos), nil) // "not open": a round trip after the close
			kept += float64(heapInUse()-before) / (1 << 20)
			c.srv.bgLarge.Wait()
			c.srv.vbg.Wait()
			idle += float64(heapInUse()-before) / (1 << 20)
		}
		b.ReportMetric(kept/float64(b.N), "MB-kept")
		b.ReportMetric(idle/float64(b.N), "MB-kept-idle")
	})
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// BenchmarkScaleShutdown: shutdown right after a change, while the document
// is being compiled and validated.
func BenchmarkScaleShutdown(b *testing.B) {
	eachScale(b, func(b *testing.B, steps int) {
		for n := 0; n < b.N; n++ {
			b.StopTimer()
			c, src := scaleClient(b, steps)
			c.change("big.pipe", 2, src+" ")
			b.StartTimer()
			c.mustCall("shutdown", nil, nil)
			b.StopTimer()
			c.notify("exit", nil)
			<-c.done
			c.exited = true
			b.StartTimer()
		}
	})
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

// BenchmarkIndexOf10k: the index of a checked 10,000-step document.
func BenchmarkIndexOf10k(b *testing.B) {
	path := "big.pipe"
	src := []byte(bench.Pipeline("big", 10000))
	unit, _ := compiler.Load(compiler.Overlay{Files: map[string][]byte{path: src}}, []string{path})
	prog, _ := compiler.Check(unit)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if len(buildIndex(unit, prog).occs) == 0 {
			b.Fatal("empty index")
		}
	}
}

// BenchmarkSemanticTokensFromState10k: the tokens of a 10,000-step
// source from a checked state's facts (computed once, as the server does
// per state): the cost of each request after the state's first.
func BenchmarkSemanticTokensFromState10k(b *testing.B) {
	src := []byte(bench.Pipeline("big", 10000))
	f, _ := dsl.Parse("big.pipe", src)
	facts := collectFacts(f)
	same := func(off int) (int, bool) { return off, true }
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		toks := semanticTokensWith(facts, same, "big.pipe", src)
		if len(encodeTokens(toks, newMapper(src, false))) == 0 {
			b.Fatal("no tokens")
		}
	}
}
