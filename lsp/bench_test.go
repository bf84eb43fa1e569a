package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigPipe generates a pipeline of about n lines: parameters and steps that
// use each other's outputs.
func bigPipe(lines int) string {
	var b strings.Builder
	b.WriteString("// A generated pipeline.\npipeline big {\n  image \"alpine:3.20\"\n  param date = \"2024-01-01\"\n  retry 2 backoff 5s\n\n")
	for i := 0; b.Len() == 0 || strings.Count(b.String(), "\n") < lines-8; i++ {
		fmt.Fprintf(&b, "  // Step %d.\n  step s%d", i, i)
		if i > 0 {
			fmt.Fprintf(&b, " after s%d", i-1)
		}
		fmt.Fprintf(&b, " {\n    run [\"sh\", \"-c\", \"echo ${date} > /tmp/out\"]\n")
		if i > 0 {
			fmt.Fprintf(&b, "    env PREV = \"${s%d.out}\"\n", i-1)
		}
		fmt.Fprintf(&b, "    output out = file(\"/tmp/out\")\n  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func writeBigWorkspace(b *testing.B) string {
	src := bigPipe(5000)
	dir := b.TempDir()
	archive := filepath.Join(dir, "big.txtar")
	if err := os.WriteFile(archive, []byte("-- big.pipe --\n"+src), 0o644); err != nil {
		b.Fatal(err)
	}
	return archive
}

// BenchmarkChangeToDiagnostics measures the time from a didChange of a
// 5,000-line file to its first published diagnostics (parse, check, lower),
// without the debounce wait.
func BenchmarkChangeToDiagnostics(b *testing.B) { benchDiagnostics(b, 1) }

// BenchmarkChangeToValidatedDiagnostics is the time to the second
// publication, after Argo's validator.
func BenchmarkChangeToValidatedDiagnostics(b *testing.B) { benchDiagnostics(b, 2) }

func benchDiagnostics(b *testing.B, nth int) {
	c := newClient(b, writeBigWorkspace(b), false, Options{Debounce: -1})
	c.open("big.pipe")
	c.waitDiagsN("big.pipe", 1, 2)
	base := c.files["big.pipe"]
	b.ReportMetric(float64(strings.Count(base, "\n")), "lines")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := int32(i + 2)
		c.change("big.pipe", int(v), strings.Replace(base, "2024-01-01", fmt.Sprintf("2024-01-%02d", i%28+1), 1))
		p := c.waitDiagsN("big.pipe", v, nth)
		if len(p.Diagnostics) != 0 {
			b.Fatalf("diagnostics: %+v", p.Diagnostics[0])
		}
	}
}

// BenchmarkCompletion measures a ${...} completion at the end of a
// 5,000-line file right after a change (so the document is checked again).
func BenchmarkCompletion(b *testing.B) {
	benchCompletion(b, true)
}

// BenchmarkCompletionCached is a completion with no change before it.
func BenchmarkCompletionCached(b *testing.B) {
	benchCompletion(b, false)
}

func benchCompletion(b *testing.B, edit bool) {
	c := newClient(b, writeBigWorkspace(b), false, Options{Debounce: -1})
	c.open("big.pipe")
	c.waitDiags("big.pipe", 1)
	base := c.files["big.pipe"]
	marker := `env PREV = "${s`
	i := strings.LastIndex(base, marker) + len(marker) - 1
	half := base[:i] + base[i:i+2] // leave `${` half-typed: drop the rest of the line
	half = half + base[strings.Index(base[i:], "\n")+i:]
	c.change("big.pipe", 2, half)
	pos := c.posAt(half, i+2)
	var l completionList
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if edit {
			b.StopTimer()
			c.change("big.pipe", n+3, half+strings.Repeat(" ", n%2))
			b.StartTimer()
		}
		l.Items = nil
		c.mustCall("textDocument/completion", c.textDoc("big.pipe", pos), &l)
		if len(l.Items) < 1000 {
			b.Fatalf("%d completion items", len(l.Items))
		}
	}
}
