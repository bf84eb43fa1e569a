package lsp

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/pipec/pipec/bench"
)

// TestMapperEdited: the mapper of an incrementally changed text has the
// line starts of a mapper made from the new text, for random edits that
// add, remove and keep newlines at the edit's edges.
func TestMapperEdited(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pieces := []string{"", "a", "\n", "\n\n", "ab\ncd", "\r\n", "é\n"}
	text := []byte("pipeline p {\n  step a {\n    run [\"x\"]\n  }\n}\n")
	m := newMapper(text, false)
	for i := 0; i < 2000; i++ {
		start := r.Intn(len(text) + 1)
		end := min(len(text), start+r.Intn(6))
		ins := pieces[r.Intn(len(pieces))]
		next := append(append(append([]byte{}, text[:start]...), ins...), text[end:]...)
		got := m.edited(next, start, end, ins)
		want := newMapper(next, false)
		if !slices.Equal(got.lines, want.lines) {
			t.Fatalf("edit %q at %d-%d of %q: lines %v, want %v", ins, start, end, text, got.lines, want.lines)
		}
		if len(next) > 400 {
			next = next[:100]
			got = newMapper(next, false)
		}
		text, m = next, got
	}
}

// BenchmarkMapper10k: the line index of a 10,000-step document, made
// from its text and after an incremental change.
func BenchmarkMapper10k(b *testing.B) {
	src := []byte(bench.Pipeline("big", 10000))
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for n := 0; n < b.N; n++ {
			newMapper(src, false)
		}
	})
	b.Run("edited", func(b *testing.B) {
		m := newMapper(src, false)
		b.ReportAllocs()
		for n := 0; n < b.N; n++ {
			m.edited(src, 1000, 1001, " ")
		}
	})
}
