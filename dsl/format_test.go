package dsl

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files of the formatter tests")

// Golden files: dsl/testdata/format/*.txtar, each with an "in.pipe" section
// and the expected "out.pipe". Run `go test ./dsl -run TestFormatGolden
// -update` to rewrite the expected outputs.
func TestFormatGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/format/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var in, want []byte
			outIdx := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "in.pipe":
					in = f.Data
				case "out.pipe":
					want, outIdx = f.Data, i
				}
			}
			got, diags := FormatSource("in.pipe", in)
			if diags.HasErrors() {
				t.Fatalf("format: %v", diags)
			}
			if *update {
				if outIdx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "out.pipe"})
					outIdx = len(ar.Files) - 1
				}
				ar.Files[outIdx].Data = got
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("formatted output differs from out.pipe (-want +got):\n%s", diff.Diff("want", want, "got", got))
			}
			checkFormat(t, "in.pipe", in)
		})
	}
}

// TestFormatRoundTrip checks every example and every golden input: the
// formatted file parses to the same AST and formatting is idempotent.
func TestFormatRoundTrip(t *testing.T) {
	for name, src := range corpus(t) {
		t.Run(name, func(t *testing.T) { checkFormat(t, name, src) })
	}
}

func TestFormatRefusesSyntaxErrors(t *testing.T) {
	out, diags := FormatSource("bad.pipe", []byte("pipeline p {\n  step a {\n    rnu [\"x\"]\n  }\n}\n"))
	if out != nil || !diags.HasErrors() {
		t.Fatalf("got %q, %v; want no output and an error", out, diags)
	}
	f, _ := ParseString("bad.pipe", "pipelin p {}\n")
	if _, err := Format(f); err == nil {
		t.Fatal("Format of a file with a BadStmt: no error")
	}
}

// corpus is the examples and the golden inputs, by name.
func corpus(t testing.TB) map[string][]byte {
	return pipeSources(t, "../examples/*.pipe", "../examples/*/*.pipe", "testdata/format/*.txtar")
}

// pipeSources reads the .pipe files matching the patterns, and the .pipe
// sections of the .txtar archives matching them, by name.
func pipeSources(t testing.TB, patterns ...string) map[string][]byte {
	files := map[string][]byte{}
	for _, pattern := range patterns {
		paths, _ := filepath.Glob(pattern)
		for _, path := range paths {
			if !strings.HasSuffix(path, ".txtar") {
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files[path] = src
				continue
			}
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ar.Files {
				if strings.HasSuffix(f.Name, ".pipe") {
					files[path+"/"+f.Name] = f.Data
				}
			}
		}
	}
	return files
}

// checkFormat checks, for a source that parses without errors, that its
// formatted text parses without errors to the same AST (positions ignored)
// with the same comments, and that formatting it again changes nothing.
// Sources with syntax errors are skipped.
func checkFormat(t testing.TB, name string, src []byte) {
	t.Helper()
	f, diags := Parse(name, src)
	if diags.HasErrors() {
		return
	}
	out, err := Format(f)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	f2, diags := Parse(name, out)
	if diags.HasErrors() {
		t.Fatalf("formatted output does not parse: %v\n--- input:\n%s\n--- output:\n%s", diags, src, out)
	}
	if !sameAST(f, f2) {
		a, b := dumpAST(name, src), dumpAST(name, out)
		t.Fatalf("formatting changed the AST:\n%s\n--- input:\n%s\n--- output:\n%s", diff.Diff("before", []byte(a), "after", []byte(b)), src, out)
	}
	f3, _ := Parse(name, out) // f2 was normalized
	out2, err := Format(f3)
	if err != nil {
		t.Fatalf("Format (second time): %v", err)
	}
	if !bytes.Equal(out, out2) {
		t.Fatalf("formatting is not idempotent:\n%s\n--- input:\n%s", diff.Diff("once", out, "twice", out2), src)
	}
}

// commentTexts is every comment line of f, in order.
func commentTexts(f *File) []string {
	var lines []string
	for _, g := range f.Comments {
		lines = append(lines, g.Lines...)
	}
	return lines
}

// normalize clears every Span (via reflection), the file's name, source and
// comment groups (their texts are kept aside), and puts step clauses in
// canonical order, so that two parses of equivalent text compare equal.
func normalize(f *File) (*File, []string) {
	texts := commentTexts(f)
	f.Name, f.Source, f.Comments = "", nil, nil
	clearSpans(reflect.ValueOf(f))
	for _, it := range f.Items {
		if it.Template != nil {
			for _, s := range SubSteps(it.Template.Items) {
				s.Clauses = SortClauses(s.Clauses)
			}
		}
		if it.Pipeline == nil {
			continue
		}
		for _, pi := range it.Pipeline.Items {
			if s, ok := pi.Stmt.(*StepDecl); ok {
				s.Clauses = SortClauses(s.Clauses)
			}
		}
	}
	return f, texts
}

var spanType = reflect.TypeOf(Span{})

func clearSpans(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearSpans(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearSpans(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == spanType {
			if v.CanSet() {
				v.Set(reflect.Zero(spanType))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				clearSpans(v.Field(i))
			}
		}
	}
}

func sameAST(a, b *File) bool {
	na, ta := normalize(a)
	nb, tb := normalize(b)
	return reflect.DeepEqual(na, nb) && reflect.DeepEqual(ta, tb)
}

// dumpAST renders the normalized AST of src for error messages.
func dumpAST(name string, src []byte) string {
	g, _ := Parse(name, src)
	n, texts := normalize(g)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	_ = enc.Encode(struct {
		AST      *File
		Comments []string
	}{n, texts})
	return b.String()
}

// TestFormatPrint is a convenience: PIPEC_FMT=file go test ./dsl -run
// TestFormatPrint -v prints the formatted file.
func TestFormatPrint(t *testing.T) {
	name := os.Getenv("PIPEC_FMT")
	if name == "" {
		t.Skip("PIPEC_FMT not set")
	}
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	out, diags := FormatSource(name, src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	os.Stdout.Write(out)
	checkFormat(t, name, src)
}

// TestFormatCRLF: a file with CRLF line endings is formatted with LF
// ones, comments included, and its doc comments hold no \r.
func TestFormatCRLF(t *testing.T) {
	src := "// file\r\npipeline p {\r\n  // doc of x\r\n  param x = \"y\" // trailing\r\n}\r\n"
	out, diags := FormatSource("crlf.pipe", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := "// file\npipeline p {\n  // doc of x\n  param x = \"y\" // trailing\n}\n"
	if string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	f, _ := ParseString("crlf.pipe", src)
	for _, g := range f.Comments {
		for _, l := range g.Lines {
			if strings.Contains(l, "\r") {
				t.Errorf("comment line %q holds a \\r", l)
			}
		}
		if g.EndPos.Column != g.Pos.Column+len("//")+len(g.Lines[0]) {
			t.Errorf("comment %q ends at column %d, want %d", g.Lines[0], g.EndPos.Column, g.Pos.Column+2+len(g.Lines[0]))
		}
	}
}

// TestFormatTricky: comments and layouts in odd places must survive
// formatting with the same AST and doc comments, idempotently.
func TestFormatTricky(t *testing.T) {
	for i, src := range []string{
		"",
		"// only a comment",
		"// a\n\n\n// b\n",
		"pipeline p {\n  param // c\n  x = 1\n}\n",
		"pipeline p {\n  param x = 1 // c\n                // d\n  param y\n}\n",
		"pipeline p {\n  param x = 1 // c\n              // d\n              param y\n}\n",
		"pipeline p // c\n{\n  param x\n}\n",
		"pipeline p { param x } // c",
		"template t( // c\n  a: string, // d\n  // e\n) { run [] }\n",
		"template t(a: string) // c\n{\n  // d\n}\n",
		"pipeline p {\n  step a after // c\n  b, // d\n  c failed when \"x\" // e\n  for v in [1] // f\n  { run [\"x\"] }\n}\n",
		"pipeline p {\n  step a uses t( // c\n    x = 1, // d\n  ) when \"x\"\n  step b uses t(x = {a: [1, // e\n  2]})\n}\n",
		"pipeline p {\n  env X = {\n    // a\n    k: \"v\", // b\n    \"q\": x.y // c\n    // d\n  }\n}\n",
		"pipeline p {\r\n  // doc\r\n  param x = \"y\" // t\r\n}\r\n",
		"pipeline p {\n  step a {\n  }\n  step b {} step c { run [\"x\"] } step d\n  step e\n}\n",
		"pipeline p {\n  // a\n    // b\n  param x\n}\n",
		"pipeline p {\n    // a\n  // b\n  param x\n}\n",
		"pipeline p {\n  step s\n    // doc of run\n  { run [\"x\"]\n  }\n}\n",
		"// x\nimport \"a.pipe\" // y\n// z\nimport \"b.pipe\"\n\n\n\nimport \"c.pipe\"\npipeline p {}\n",
		"pipeline p {\n  param list_of_lists_param_name_long = [[1, 2], [3]] // x\n}\n",
		"pipeline p {\n  param x = [[\"aaaaaaaaaaaaaaaaaaaa\", \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"], [\"cccccccccccccccccccccccc\"], []]\n}\n",
		"pipeline p {\n  raw \"\"\"\n  a:\n    b\n\"\"\" // after raw\n  step s { script [\"sh\", \"-c\"] `x\ny` // s\n} }\n",
		"pipeline p { step a { run [\"sh\", \"-c\", \"\"\"\nx\n\"\"\", \"y\"] } }\n",
		"pipeline p {\n  retry 3 // a\n  backoff 10s // b\n  toleration \"k\" // c\n  exists // d\n}\n",
		"pipeline p {\n  step a {\n    // only comments\n\n    // here\n  }\n}\n",
		"pipeline p {\n  step a for v in {k: 1} uses t\n  step b when \"c\" for v in x {}\n}\n",
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if _, diags := ParseString("tricky.pipe", src); diags.HasErrors() {
				t.Fatalf("test input does not parse: %v", diags)
			}
			checkFormat(t, "tricky.pipe", []byte(src))
			if testing.Verbose() {
				out, _ := FormatSource("tricky.pipe", []byte(src))
				t.Logf("\n%s", out)
			}
		})
	}
}
