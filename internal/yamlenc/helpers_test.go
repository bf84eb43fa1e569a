package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	v3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"
	v2 "sigs.k8s.io/yaml/goyaml.v2"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/internal/yamlenc"
)

// pipecOpts are the options pipec renders its objects with.
var pipecOpts = compiler.EmitOptions()

// reference is what FromJSON's output must mean: src decoded by
// encoding/json, pruned as compiler/emit.go prunes (with opts.Prune).
func reference(src []byte, opts yamlenc.Options) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(src, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not an object")
	}
	if !opts.Prune {
		return m, nil
	}
	delete(m, "status")
	if meta, ok := m["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	prune(m, opts.KeepEmpty)
	return m, nil
}

// prune is compiler/emit.go's prune.
func prune(v any, keep map[string]bool) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		if x["name"] == "" && x["image"] != nil {
			delete(x, "name")
		}
		for k, e := range x {
			if prune(e, keep) && (e == nil || !keep[k]) {
				delete(x, k)
			}
		}
		return len(x) == 0
	case []any:
		for _, e := range x {
			prune(e, keep)
		}
		return len(x) == 0
	}
	return false
}

// A decoder reads YAML back into JSON-like values (map[string]any, []any,
// string, float64, bool, nil).
type decoder struct {
	name   string
	decode func([]byte) (any, error)
}

var decoders = []decoder{
	// What kubectl and the argo CLI do: YAML 1.1 (go-yaml v2) to JSON.
	{"sigs.k8s.io/yaml.YAMLToJSON", func(y []byte) (any, error) {
		j, err := yaml.YAMLToJSON(y)
		if err != nil {
			return nil, err
		}
		var v any
		if err := json.Unmarshal(j, &v); err != nil {
			return nil, err
		}
		return v, nil
	}},
	// go-yaml v2 itself, whose keys are not turned into strings.
	{"yaml.v2", func(y []byte) (any, error) {
		var v any
		if err := v2.Unmarshal(y, &v); err != nil {
			return nil, err
		}
		return normalize(v)
	}},
	// YAML 1.2.
	{"yaml.v3", func(y []byte) (any, error) {
		dec := v3.NewDecoder(bytes.NewReader(y))
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		var extra any
		if err := dec.Decode(&extra); err != io.EOF {
			return nil, fmt.Errorf("more than one document (%v)", err)
		}
		return normalize(v)
	}},
}

// normalize turns what a YAML decoder returns into JSON-like values, and
// rejects what JSON cannot hold (keys that are not strings, timestamps...).
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("key %#v (%T) is not a string", k, k)
			}
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[ks] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("value %#v of type %T is not JSON", v, v)
}

// checkRoundTrip converts src and checks that every decoder reads the
// output back as the reference value. It returns the output.
func checkRoundTrip(t testing.TB, src []byte, opts yamlenc.Options) []byte {
	t.Helper()
	want, err := reference(src, opts)
	if err != nil {
		t.Fatalf("bad test input %q: %v", src, err)
	}
	y, err := yamlenc.FromJSON(nil, src, opts)
	if err != nil {
		t.Fatalf("FromJSON(%q): %v", src, err)
	}
	if err := sameForAll(y, want); err != nil {
		t.Fatalf("FromJSON(%q, %+v):\n%s\n%v", src, opts, y, err)
	}
	return y
}

// sameForAll checks that every decoder reads y as want.
func sameForAll(y []byte, want any) error {
	var wantNorm any = want
	if m, ok := want.(map[string]any); ok && m == nil {
		wantNorm = map[string]any{}
	}
	for _, d := range decoders {
		got, err := d.decode(y)
		if err != nil {
			return fmt.Errorf("%s cannot read the output: %v", d.name, err)
		}
		if !reflect.DeepEqual(got, wantNorm) {
			return fmt.Errorf("%s reads\n%s\nwant\n%s", d.name, dump(got), dump(wantNorm))
		}
	}
	return nil
}

func dump(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

const examplesDir = "../../examples"

// exampleYAMLDocs returns the committed example YAML files as JSON (already
// pruned, keys sorted), by file name.
func exampleYAMLDocs(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		y, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		j, err := yaml.YAMLToJSON(y)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = j
	}
	return out
}

// A lowered is an Argo object compiled by pipec, as JSON (what
// encoding/json marshals: struct fields in declaration order, nulls,
// status and creationTimestamp), with the object itself.
type lowered struct {
	name string
	obj  *compiler.Object
	json []byte
}

var (
	loweredOnce sync.Once
	loweredAll  []lowered
	loweredErr  error
)

// loweredExamples compiles examples/*.pipe (without Argo's validator) and
// marshals every object.
func loweredExamples(t testing.TB) []lowered {
	t.Helper()
	loweredOnce.Do(func() {
		paths, err := filepath.Glob(filepath.Join(examplesDir, "*.pipe"))
		if err != nil || len(paths) == 0 {
			loweredErr = fmt.Errorf("no examples: %v", err)
			return
		}
		sort.Strings(paths)
		for _, p := range paths {
			res := compiler.Compile(compiler.DiskSources{}, []string{p}, compiler.Options{SkipValidate: true, SkipEmit: true})
			if res.Diags.HasErrors() {
				loweredErr = fmt.Errorf("%s: %v", p, res.Diags)
				return
			}
			for _, o := range res.Outputs {
				j, err := json.Marshal(o.Object.EmitValue())
				if err != nil {
					loweredErr = err
					return
				}
				loweredAll = append(loweredAll, lowered{name: strings.TrimSuffix(filepath.Base(p), ".pipe") + "/" + o.Pipeline.Name, obj: o.Object, json: j})
			}
		}
	})
	if loweredErr != nil {
		t.Fatal(loweredErr)
	}
	return loweredAll
}

// generated compiles bench.Pipeline(name, n) and returns its object.
func generated(tb testing.TB, src string) *compiler.Object {
	tb.Helper()
	res := compiler.Compile(compiler.Overlay{Files: map[string][]byte{"gen.pipe": []byte(src)}}, []string{"gen.pipe"},
		compiler.Options{SkipValidate: true, SkipEmit: true})
	if res.Diags.HasErrors() || len(res.Outputs) != 1 {
		tb.Fatalf("generated pipeline does not compile: %v", res.Diags)
	}
	return res.Outputs[0].Object
}

// jsonStrings lists the tricky strings the tests put in values and keys.
var jsonStrings = []string{
	"", " ", "  ", "a", "a b", "a  b",
	// Booleans and nulls of YAML 1.1 and 1.2.
	"true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
	"on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "null", "Null", "NULL", "nULL", "~",
	// Numbers of every base and form.
	"0", "1", "-1", "+1", "-0", "00", "017", "0755", "1.5", "-1.5", "+1.5", "1.", ".5", "-.5", "1e3", "1E3",
	"1e+3", "1.5e-3", "6.8523015e+5", "685.230_15e+03", "0x1F", "0X1f", "-0x1F", "0x_1F", "0o17", "-0o17",
	"0b101", "-0b101", "1_000", "+685_230", "1__0", "_1", "1_", "12345678901234567890", "123456789012345678901234567890",
	"1e400", "0x1p-2", "1d", "1f", "deadbeef", "1e3x", "1 000",
	".inf", ".Inf", ".INF", "-.inf", "+.inf", "+.INF", ".nan", ".NaN", ".NAN", "inf", "-inf", "Infinity",
	"-Infinity", "nan", "NaN", ".", "..", "...", "....", ".x", "-.", "+", "+x", "-abc",
	// Base 60, dates and times.
	"1:20", "190:20:30", "190:20:30.15", "-1:20", "12:30:45", "2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00",
	"2001-12-14T21:59:43Z", "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43", "20240101", "2024-01-01x", "999-01-01",
	// Indicators.
	"-", "--", "---", "--- x", "---x", "- x", "-x", "--date", "-c", "-1x", "?", "? x", "?x", "x?", ":", ": x", ":x",
	"a:", "a: b", "a:b", "a::b", "::", "http://example.com/a?b=c#d", "a #b", "a#b", "#x", "# x", "&a", "*a", "!tag",
	"!!str", "|", "|-", ">", ">-", "'", "''", "'a'", "\"", "\"a\"", "%x", "%YAML 1.2", "@x", "`x", ",x", "a,b",
	"[x", "]x", "{x", "}x", "[]", "{}", "a[b]", "a{b}", "{{item}}", "{{workflow.parameters.date}}", "'{{item}}'",
	"it's", "don't stop", "<<", "<", "<<x", "=", "==", "x=y",
	// Escapes and special characters.
	"back\\slash", "\\n", "\\", "tab\there", "\t", "\tx", "x\t", "cr\rx", "\r", "nul\x00x", "\x01", "\x1f", "del\x7fx",
	"bell\a", "\b\f\v", "é", "café", "日本語", "emoji 😀", "😀", "\u0085", "a\u0085b", "a\u2028b", "\u2029", "\ufeff",
	"\ufeffx", "x\ufeff", "\ufffe", "\uffff", "\u00a0", "a\u00a0", "\u00a0a", "\ufffd", "\u0080", "\u009f", "\u00a1",
	"\U0010ffff", "<script>&amp;</script>",
	// Spaces.
	"trailing ", " leading", " both ", "a \t b",
	// Multi-line strings.
	"a\nb", "a\n", "a\n\n", "a\n\n\n", "\n", "\n\n", "\n\n\n", "\na", "\na\n", "\n\na", " a\nb", "  a\n  b\n", "a\n b",
	"a\n  b\n", "a \nb", "a\n \nb", "a\n\nb", "a\n\n\nb\n", "a\n\tb", "\ta\nb", "a\tb\nc", "a\r\nb", "a\rb\nc", "a\n ",
	"a\n\n ", " \n", "#!/bin/sh\necho hi\n", "- a\n- b", "key: value\nother: 1", "---\n...", "a\n---\nb\n...\nc",
	"a'b\nc", "\"\n\"", "a\\\nb", "é\nü", "a\u0085\nb", "a\u2028\nb", "# comment\nx", "|\n>", "a\n#b", "x: |\n  y\n",
	"true\nfalse", "1\n2", "{\n}", "[\n]", "'\n'", " \n ", "\n ", "a\n\n  b\n\n", "\n\n  x\n  y\n\n\n",
	// Long lines that sigs.k8s.io/yaml folds.
	strings.Repeat("word ", 40), strings.Repeat("x", 300), strings.Repeat("a b ", 30) + "\n" + strings.Repeat("c d ", 30),
	"Identity of this run for memoization; empty means the workflow's UID. Submit again with the same run_id to reuse the steps that succeeded.",
}

// A fixed order of the tricky strings' documents, for seeds.
func trickyDocs() [][]byte {
	var docs [][]byte
	for _, s := range jsonStrings {
		j, _ := json.Marshal(s)
		js := string(j)
		docs = append(docs,
			[]byte(`{"v":`+js+`}`),
			[]byte(`{`+js+`:"x"}`),
			[]byte(`{"l":[`+js+`,`+js+`]}`),
			[]byte(`{"m":{"k":[{"a":`+js+`,"b":[[`+js+`]]}],`+js+`:{"z":`+js+`}}}`),
		)
	}
	return docs
}
