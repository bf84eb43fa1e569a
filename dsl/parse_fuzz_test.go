package dsl

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// FuzzParse: for any input, Parse must not panic or hang, every diagnostic
// must have a valid range inside the file, and every node of the (possibly
// partial) AST must have a span inside the source, nested in its parent's.
// Seeded from examples/*.pipe and the .pipe files of dsl/testdata; crashers
// are kept in testdata/fuzz/FuzzParse.
//
//	go test ./dsl -run '^$' -fuzz FuzzParse -fuzztime 3m
func FuzzParse(f *testing.F) {
	for _, src := range append(parseSeeds(f), hostileSeeds()...) {
		f.Add(src)
	}
	for _, s := range []string{
		"",
		"pipeline p {\n  step a { run [\"x\"] }\n}\n",
		"pipeline p {\n  step a {\n    rnu [\"x\"]\n  }\n  step b { run [\"${a.result}\"] }\n}\n",
		"pipeline p { step a { run [\"unterminated] }\n}\n",
		"pipeline p {\n  step a { script python \"\"\"\nprint(1)\n",
		"pipeline p { step a { run [`x] } }",
		"pipeline p { @ # step a { run [\"é ${x}\"] } }",
		"// doc\ntemplate t(a: string = \"x\", b: int) { run [\"${a}\"] }\n",
		"import \"x.pipe\"\npipeline p { on exit step e for i in range(3) after a failed when \"x\" uses t(a = 1) }",
		"}}}{{{",
		"pipeline p {\n  param x: json = {a: [1, 2.5, true, {b: \"c\"}], \"k\": 10s}\n}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("HANG parsing %q", src)) })
		defer tm.Stop()
		file, diags := Parse("fuzz.pipe", src)
		if file == nil {
			t.Fatal("Parse returned a nil file")
		}
		// Positions are in the decoded source (no byte order mark).
		src = file.Source
		// Never a flood: the caps hold.
		if len(diags) > diag.MaxPerFile+1 {
			t.Errorf("%d diagnostics, more than the cap", len(diags))
		}
		for _, d := range diags {
			if err := checkRange(src, "fuzz.pipe", d.Range); err != nil {
				t.Errorf("diagnostic %q: %v", d.Message, err)
			}
		}
		if err := checkSpans(src, file); err != nil {
			t.Errorf("%v\n(diagnostics: %v)", err, diags)
		}
		if !diags.HasErrors() {
			// Interpolation ranges of every string lie within the string.
			walkNodes(reflect.ValueOf(file), func(n Node) {
				s, ok := n.(*StringLit)
				if !ok {
					return
				}
				refs, unclosed := Interpolations(s)
				for _, r := range refs {
					if err := checkRange(src, "fuzz.pipe", r.Range); err != nil {
						t.Errorf("interpolation %q: %v", r.Path, err)
					}
					if r.Range.Start.Offset < s.Pos.Offset || r.Range.End.Offset > s.EndPos.Offset {
						t.Errorf("interpolation %q at %v is outside its string %v", r.Path, r.Range, s.Range())
					}
				}
				for _, r := range unclosed {
					if err := checkRange(src, "fuzz.pipe", r); err != nil {
						t.Errorf("unclosed interpolation: %v", err)
					}
				}
			})
		}
	})
}

// parseSeeds is every example and every .pipe file of the parser and
// formatter test data, in a fixed order.
func parseSeeds(t testing.TB) [][]byte {
	files := pipeSources(t, "../examples/*.pipe", "../examples/*/*.pipe", "testdata/parse/*.pipe", "testdata/*/*.txtar")
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, name := range names {
		out = append(out, files[name])
	}
	return out
}

// checkRange checks that a range is valid in src: set, ordered, inside the
// file, and with lines and columns that agree with the offsets.
func checkRange(src []byte, filename string, r diag.Range) error {
	if r.Filename != filename {
		return fmt.Errorf("range %v: file name %q, want %q", r, r.Filename, filename)
	}
	if !r.Start.IsValid() || !r.End.IsValid() {
		return fmt.Errorf("range %v has no position (start %+v, end %+v)", r, r.Start, r.End)
	}
	if r.Start.Offset < 0 || r.Start.Offset > r.End.Offset || r.End.Offset > len(src) {
		return fmt.Errorf("range %v: offsets %d..%d not within 0..%d", r, r.Start.Offset, r.End.Offset, len(src))
	}
	for _, p := range []diag.Pos{r.Start, r.End} {
		if want := PosAt(filename, src, p.Offset); want != p {
			return fmt.Errorf("range %v: position %+v does not match its offset (want %+v)", r, p, want)
		}
	}
	return nil
}

// checkSpans checks the span of every node reachable from the file: inside
// the source, consistent, and nested within the span of its parent.
func checkSpans(src []byte, file *File) error {
	var first error
	var visit func(v reflect.Value, parent *Span, path string)
	visit = func(v reflect.Value, parent *Span, path string) {
		if first != nil {
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				visit(v.Elem(), parent, path)
			}
		case reflect.Slice:
			if v.Type().Elem() == reflect.TypeOf(lexer.Token{}) {
				return
			}
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i), parent, fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(CommentGroup{}) {
				return // comments are checked from File.Comments
			}
			var sp interface{ Range() diag.Range }
			ok := false
			if v.CanAddr() {
				sp, ok = v.Addr().Interface().(interface{ Range() diag.Range })
			}
			var span *Span
			if ok {
				if f := v.FieldByName("Span"); f.IsValid() {
					span = f.Addr().Interface().(*Span)
				}
			}
			if span != nil && v.Type() != reflect.TypeOf(File{}) {
				if err := checkRange(src, "fuzz.pipe", sp.Range()); err != nil {
					first = fmt.Errorf("%s (%s): %v", path, v.Type().Name(), err)
					return
				}
				if parent != nil && (span.Pos.Offset < parent.Pos.Offset || span.EndPos.Offset > parent.EndPos.Offset) {
					first = fmt.Errorf("%s (%s): span %d..%d is outside its parent's %d..%d", path, v.Type().Name(),
						span.Pos.Offset, span.EndPos.Offset, parent.Pos.Offset, parent.EndPos.Offset)
					return
				}
				parent = span
			}
			for i := 0; i < v.NumField(); i++ {
				ft := v.Type().Field(i)
				if ft.Name == "Span" || ft.Name == "Source" || ft.Name == "Comments" || !ft.IsExported() {
					continue
				}
				visit(v.Field(i), parent, path+"."+ft.Name)
			}
		}
	}
	visit(reflect.ValueOf(file), nil, "File")
	if first != nil {
		return first
	}
	for i, g := range file.Comments {
		if err := checkRange(src, "fuzz.pipe", g.Range()); err != nil {
			return fmt.Errorf("comment group %d: %v", i, err)
		}
	}
	return nil
}

// walkNodes calls fn on every AST node reachable from v.
func walkNodes(v reflect.Value, fn func(Node)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if n, ok := v.Interface().(Node); ok && v.Kind() == reflect.Pointer {
			fn(n)
		}
		walkNodes(v.Elem(), fn)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkNodes(v.Index(i), fn)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(lexer.Token{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && v.Type().Field(i).Name != "Span" {
				walkNodes(v.Field(i), fn)
			}
		}
	}
}
