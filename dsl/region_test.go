package dsl

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"

	"github.com/pipec/pipec/bench"
)

// editVocabulary is what random edits insert: the mutation vocabulary
// (tokens, keywords, unterminated strings) and single characters that
// change how text around them lexes.
var editVocabulary = append(append([]string{}, mutationVocabulary...),
	" ", "  ", "\n", "\n  ", `"`, `"""`, "`", "//", "/", "\\", "\r", "x", "1", "-", "step", "step z {\n", "\n  step y {\n    run [\"a\"]\n  }\n",
	"}\n", "{\n", "on exit step e {", "\ufeff", "\x00")

// randomEdit replaces up to 3 bytes of src at a random offset with a random
// piece of editVocabulary (or nothing).
func randomEdit(r *rand.Rand, src []byte) (out []byte, start, oldEnd, newEnd int) {
	start = r.Intn(len(src) + 1)
	oldEnd = min(len(src), start+r.Intn(4))
	ins := ""
	if r.Intn(4) > 0 {
		ins = editVocabulary[r.Intn(len(editVocabulary))]
	}
	out = append(append(append([]byte{}, src[:start]...), ins...), src[oldEnd:]...)
	return out, start, oldEnd, start + len(ins)
}

// checkParseEdit checks ParseEdit of one edit against a parse of the whole
// new text; it reports whether ParseEdit took the edit, and what differs.
func checkParseEdit(old *File, src []byte, start, oldEnd, newEnd int) (bool, string) {
	region, ok := ParseEdit(old, src, start, oldEnd, newEnd)
	if !ok {
		return false, ""
	}
	full, diags := Parse(old.Name, src)
	if region.Items == nil {
		if len(region.Diags) == 0 {
			return true, "ParseEdit reports neither statements nor errors"
		}
		if !reflect.DeepEqual(region.Diags, diags) {
			return true, fmt.Sprintf("ParseEdit reports\n%v\nParse reports\n%v", region.Diags, diags)
		}
		return true, ""
	}
	if len(diags) > 0 {
		return true, fmt.Sprintf("ParseEdit took the edit, Parse reports %v", diags)
	}
	var p *Pipeline
	for _, it := range full.Items {
		if it.Pipeline != nil && it.Pipeline.Pos.Offset == region.Pipeline.Pos.Offset {
			p = it.Pipeline
		}
	}
	if p == nil {
		return true, "the whole parse has no pipeline at the region's"
	}
	var in []*PipelineItem
	before, after := 0, 0
	for _, it := range p.Items {
		switch off := it.Pos.Offset; {
		case off < region.Start:
			before++
		case off >= region.End:
			after++
		default:
			in = append(in, it)
		}
	}
	oldBefore, oldAfter := 0, 0
	shift := newEnd - oldEnd
	for _, it := range region.Pipeline.Items {
		switch off := it.Pos.Offset; {
		case off < region.Start:
			oldBefore++
		case off+shift >= region.End:
			oldAfter++
		}
	}
	if before != oldBefore || after != oldAfter {
		return true, fmt.Sprintf("statements outside the region: %d before and %d after, were %d and %d", before, after, oldBefore, oldAfter)
	}
	// ParseEdit attaches no doc comments (attachDocs' work).
	clearDocs(reflect.ValueOf(in))
	if d := firstDiff(reflect.ValueOf(region.Items), reflect.ValueOf(in), "Items"); d != "" {
		return true, "region: " + d
	}
	return true, ""
}

// clearDocs sets every doc comment under v to nil.
func clearDocs(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearDocs(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			clearDocs(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Type() == reflect.TypeFor[*CommentGroup]() {
				f.Set(reflect.Zero(f.Type()))
				continue
			}
			if v.Type().Field(i).IsExported() {
				clearDocs(f)
			}
		}
	}
}

// TestParseEditSameAsParse: on every file of the corpus that parses
// without a diagnostic, and on generated pipelines, random edits (and
// chains of them, each on the parse ParseEdit took or Parse made) give
// exactly what a parse of the whole new text gives, whenever ParseEdit
// takes the edit.
func TestParseEditSameAsParse(t *testing.T) {
	files := referenceCorpus(t)
	for _, n := range []int{3, 40} {
		files[fmt.Sprintf("bench-%d", n)] = []byte(bench.Pipeline("gen", n))
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	r := rand.New(rand.NewSource(13))
	taken, withErrors, tried, failures := 0, 0, 0, 0
	for _, name := range names {
		old, diags := Parse("t.pipe", files[name])
		if len(diags) > 0 {
			continue
		}
		edits := 4
		if len(files[name]) > 2000 {
			edits = 100
		}
		for i := 0; i < edits && failures < 10; i++ {
			src, start, oldEnd, newEnd := randomEdit(r, old.Source)
			tried++
			ok, d := checkParseEdit(old, src, start, oldEnd, newEnd)
			if r, _ := ParseEdit(old, src, start, oldEnd, newEnd); ok && r.Items == nil {
				withErrors++
			}
			if d != "" {
				t.Errorf("%s, edit %q at %d-%d:\n%s", name, src[start:newEnd], start, oldEnd, d)
				failures++
			}
			if ok {
				taken++
			}
			// Go on from the new text when it parses clean, as the language
			// server does.
			if f, ds := Parse("t.pipe", src); len(ds) == 0 {
				old = f
			}
		}
		if failures >= 10 {
			t.Fatal("too many failures")
		}
	}
	if taken < tried/10 {
		t.Errorf("ParseEdit took only %d of %d edits", taken, tried)
	}
	if withErrors < taken/4 {
		t.Errorf("only %d of the %d edits taken had syntax errors", withErrors, taken)
	}
	t.Logf("ParseEdit took %d of %d edits, %d with syntax errors", taken, tried, withErrors)
}

// TestParseEditBenchEdit: the edits the language server's benchmarks make
// (a date in a parameter, a space at the end of a step) are taken.
func TestParseEditBenchEdit(t *testing.T) {
	src := []byte(bench.Pipeline("gen", 50))
	old, diags := Parse("t.pipe", src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	for _, e := range []struct{ find, repl string }{
		{"2024-01-01", "2024-01-02"},
		{"step s20 ", "step s20  "},
		{"step s49 ", "step s49x "},
	} {
		i := indexOf(src, e.find)
		next := append(append(append([]byte{}, src[:i]...), e.repl...), src[i+len(e.find):]...)
		ok, d := checkParseEdit(old, next, i, i+len(e.find), i+len(e.repl))
		if !ok || d != "" {
			t.Errorf("%q → %q: taken %v %s", e.find, e.repl, ok, d)
		}
	}
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	panic(s)
}

// FuzzParseEdit: any edit of any source that parses clean; whenever
// ParseEdit takes it, a parse of the whole new text agrees.
func FuzzParseEdit(f *testing.F) {
	f.Add([]byte(bench.Pipeline("gen", 3)), uint16(300), uint8(2), "x")
	f.Add([]byte("pipeline p {\n  step a {\n    run [\"a\"]\n  }\n  step b {\n    run [\"b\"]\n  }\n}\n"), uint16(25), uint8(0), `"`)
	f.Add([]byte("pipeline p {\n  param x = \"1\"\n  step a { run [\"a\"] }\n}\n"), uint16(20), uint8(1), "\n  step c {\n")
	f.Fuzz(func(t *testing.T, src []byte, at uint16, del uint8, ins string) {
		old, diags := Parse("t.pipe", src)
		if len(diags) > 0 || len(old.Source) == 0 {
			return
		}
		start := int(at) % (len(old.Source) + 1)
		oldEnd := min(len(old.Source), start+int(del%8))
		next := append(append(append([]byte{}, old.Source[:start]...), ins...), old.Source[oldEnd:]...)
		if _, d := checkParseEdit(old, next, start, oldEnd, start+len(ins)); d != "" {
			t.Fatalf("edit %q at %d-%d of\n%s\n%s", ins, start, oldEnd, old.Source, d)
		}
	})
}
