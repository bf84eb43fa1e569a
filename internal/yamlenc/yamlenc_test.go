package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/internal/yamlenc"
)

// Every tricky string, as a value, a key, a sequence element and deep in
// mappings and sequences, reads back the same with every decoder.
func TestTrickyStrings(t *testing.T) {
	for _, doc := range trickyDocs() {
		checkRoundTrip(t, doc, yamlenc.Options{})
		checkRoundTrip(t, doc, pipecOpts)
	}
}

// All the tricky strings in one document: keys sorted, literal blocks
// followed by other members at every level.
func TestTrickyStringsTogether(t *testing.T) {
	m := map[string]any{}
	var list []any
	for i, s := range jsonStrings {
		m[s] = s
		m[fmt.Sprintf("k%03d", i)] = []any{s, map[string]any{"x": s, "y": []any{s}}, s}
		list = append(list, s, []any{s})
	}
	m["list"] = list
	src, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, src, yamlenc.Options{})
}

// A string's YAML form, as a value and as a key, is pinned for the cases
// where the choice matters.
func TestStringStyles(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"a", "a"},
		{"hello world", "hello world"},
		{"python:3.12-alpine", "python:3.12-alpine"},
		{"512Mi", "512Mi"},
		{"500m", "500m"},
		{"-c", "-c"},
		{"--date", "--date"},
		{"a,b[c]{d}", "a,b[c]{d}"},
		{"x#y", "x#y"},
		{"a:b", "a:b"},
		{"é日本", "é日本"},
		{"emoji 😀", "emoji 😀"},
		{"deadbeef", "deadbeef"},
		{"-abc", "-abc"},
		// Could be something else than a string: double-quoted, as sigs.k8s.io/yaml does.
		{"", `""`},
		{"true", `"true"`},
		{"yes", `"yes"`},
		{"Off", `"Off"`},
		{"y", `"y"`},
		{"N", `"N"`},
		{"null", `"null"`},
		{"~", `"~"`},
		{"1", `"1"`},
		{"1.4", `"1.4"`},
		{"1e3", `"1e3"`},
		{"0x1F", `"0x1F"`},
		{"1_000", `"1_000"`},
		{"1:20", `"1:20"`},
		{"2024-01-01", `"2024-01-01"`},
		{"2001-12-14t21:59:43.10-05:00", `"2001-12-14t21:59:43.10-05:00"`},
		{".inf", `".inf"`},
		{"-.Inf", `"-.Inf"`},
		{"<<", `"<<"`},
		{"0o17", `"0o17"`},
		{"08", `"08"`},
		{"0b101", `"0b101"`},
		// Strings go.yaml.in/yaml/v2 reads as strings: plain, as sigs.k8s.io/yaml writes them.
		{"NaN", "NaN"},
		{"=", "="},
		{"inf", "inf"},
		{"1.4.0", "1.4.0"},
		{"127.0.0.1", "127.0.0.1"},
		{"2024-13-45", "2024-13-45"},
		// Not plain for other reasons: single-quoted, as sigs.k8s.io/yaml does.
		{"{{item}}", `'{{item}}'`},
		{"it's", "it's"},
		{"'q'", `'''q'''`},
		{"a: b", `'a: b'`},
		{"a #b", `'a #b'`},
		{"a:", `'a:'`},
		{" a", `' a'`},
		{"a ", `'a '`},
		{"-", `'-'`},
		{"- x", `'- x'`},
		{"---", `'---'`},
		{"...", `'...'`},
		{"?x", `'?x'`},
		{":x", `':x'`},
		{"*a", `'*a'`},
		{"&a", `'&a'`},
		{"!a", `'!a'`},
		{"%a", `'%a'`},
		{"@a", `'@a'`},
		{"`a", "'`a'"},
		{"#a", `'#a'`},
		{"|", `'|'`},
		{">", `'>'`},
		{`"a"`, `'"a"'`},
		{"[a]", `'[a]'`},
		// Characters that need escapes: double-quoted.
		{"a\tb", `"a\tb"`},
		{"a\"\\\x01\x7f\r", `"a\"\\\u0001\u007F\r"`},
		{"a\u0085b\u2028c\u2029\ufeff\ufffe\uffff\u0080", `"a\u0085b\u2028c\u2029\uFEFF\uFFFE\uFFFF\u0080"`},
		{"é\t", "\"é\\t\""},
		// Multi-line strings that cannot be literal blocks.
		{"a \nb", `"a \nb"`},
		{"a\n ", `"a\n "`},
		{"a\tb\nc", `"a\tb\nc"`},
		{"a\r\nb", `"a\r\nb"`},
	} {
		src, _ := json.Marshal(map[string]string{"k": c.in})
		got, err := yamlenc.FromJSON(nil, src, yamlenc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := "k: " + c.out + "\n"; string(got) != want {
			t.Errorf("value %q: got %q, want %q", c.in, got, want)
		}
		src, _ = json.Marshal(map[string]string{c.in: "v"})
		got, err = yamlenc.FromJSON(nil, src, yamlenc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := c.out + ": v\n"; string(got) != want {
			t.Errorf("key %q: got %q, want %q", c.in, got, want)
		}
	}
}

// The exact output of small documents: the style is pinned.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		opts yamlenc.Options
		out  string
	}{
		{"empty", `{}`, yamlenc.Options{}, "{}\n"},
		{"all pruned", `{"a":null,"b":{},"c":[],"d":{"e":{"f":null}},"status":{"x":1}}`, pipecOpts, "{}\n"},
		{"sorted keys", ` { "b" : 1 , "a" : 2, "B": 3, "a1": 4, "é": 5, "_": 6 } `, yamlenc.Options{},
			"B: 3\n_: 6\na: 2\na1: 4\nb: 1\né: 5\n"},
		{"scalars", `{"i":-12,"f":1.5e-7,"F":1E+300,"big":123456789012345678901234567890,"t":true,"fa":false,"nu":null,"z":0,"nz":-0}`,
			yamlenc.Options{}, "F: 1E+300\nbig: 123456789012345678901234567890\nf: 1.5e-7\nfa: false\ni: -12\nnu: null\nnz: -0\nt: true\nz: 0\n"},
		{"nesting", `{"spec":{"args":["a","b"],"templates":[{"name":"x","container":{"image":"i","args":["--a","-c"]}},{"name":"y","steps":[[{"name":"s1"},{"name":"s2"}],[]]}],"m":{},"l":[],"n":[{},[],[[1,2]],null]}}`,
			yamlenc.Options{}, `spec:
  args:
  - a
  - b
  l: []
  m: {}
  "n":
  - {}
  - []
  - - - 1
      - 2
  - null
  templates:
  - container:
      args:
      - --a
      - -c
      image: i
    name: x
  - name: "y"
    steps:
    - - name: s1
      - name: s2
    - []
`},
		{"literal blocks", `{"a":"x\ny","b":"x\ny\n","c":"x\n\n","d":"\nx","e":" x\n y","f":[{"s":"l1\n\n  l3\n"}],"g":["\n"],"h":{"i":"a\n\n\nb"}}`,
			yamlenc.Options{}, "a: |-\n  x\n  y\nb: |\n  x\n  y\nc: |+\n  x\n\nd: |2-\n\n  x\ne: |2-\n   x\n   y\nf:\n- s: |\n    l1\n\n      l3\ng:\n- |2+\n\nh:\n  i: |-\n    a\n\n\n    b\n"},
		{"long strings are not folded", `{"d":"` + strings.Repeat("word ", 30) + `end"}`, yamlenc.Options{},
			"d: " + strings.Repeat("word ", 30) + "end\n"},
		{"pruning", `{"apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null,"labels":{}},"status":{},"spec":{"a":null,"b":{"c":{}},"volumes":[{"name":"v","emptyDir":{}}],"containers":[{"name":"","image":"busybox","resources":{}},{"name":"","args":[]}],"list":[null,{},{"a":null},[]],"x":{"name":"","image":{}},"y":{"name":"","image":null},"z":{"image":"i","name":"n"}}}`,
			yamlenc.Options{Prune: true, KeepEmpty: map[string]bool{"emptyDir": true}}, `apiVersion: v1
metadata:
  name: x
spec:
  containers:
  - image: busybox
  - name: ""
  list:
  - null
  - {}
  - {}
  - []
  volumes:
  - emptyDir: {}
    name: v
  "y":
    name: ""
  z:
    image: i
    name: "n"
`},
		{"keep empty keeps {} and [], not null", `{"emptyDir":null,"a":{"emptyDir":[]},"b":{"emptyDir":{"x":null}},"c":{"suspend":{},"metadata":{}}}`, pipecOpts,
			"a:\n  emptyDir: []\nb:\n  emptyDir: {}\nc:\n  suspend: {}\n"},
		{"status and creationTimestamp only at the top", `{"a":{"status":1,"creationTimestamp":2},"metadata":{"creationTimestamp":"2024-01-01T00:00:00Z"},"status":{"phase":"x"}}`, pipecOpts,
			"a:\n  creationTimestamp: 2\n  status: 1\n"},
		{"no pruning", `{"a":null,"b":{},"c":[],"status":{},"metadata":{"creationTimestamp":null},"d":{"name":"","image":"i"}}`, yamlenc.Options{},
			"a: null\nb: {}\nc: []\nd:\n  image: i\n  name: \"\"\nmetadata:\n  creationTimestamp: null\nstatus: {}\n"},
		{"escaped keys", `{"\u0061":1,"b\n":2,"\"":3}`, yamlenc.Options{}, "'\"': 3\na: 1\n\"b\\n\": 2\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := yamlenc.FromJSON(nil, []byte(c.in), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.out {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.out)
			}
			checkRoundTrip(t, []byte(c.in), c.opts)
		})
	}
}

func TestNumbers(t *testing.T) {
	for _, n := range []string{"0", "-0", "1", "-1", "1.5", "-1.5", "0.1", "1e3", "1E3", "1e+3", "1e-3", "-1.25E-10",
		"1E+300", "1e-400", "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616", "123456789012345678901234567890.5"} {
		src := []byte(`{"x":` + n + `,"l":[` + n + `]}`)
		y := checkRoundTrip(t, src, yamlenc.Options{})
		if want := "l:\n- " + n + "\nx: " + n + "\n"; string(y) != want {
			t.Errorf("%s: got %q, want %q", n, y, want)
		}
	}
}

// FromJSON appends, and leaves dst as it was on error.
func TestAppendAndErrors(t *testing.T) {
	dst := []byte("# head\n")
	got, err := yamlenc.FromJSON(dst, []byte(`{"a":1}`), yamlenc.Options{})
	if err != nil || string(got) != "# head\na: 1\n" {
		t.Fatalf("got %q, %v", got, err)
	}
	long := strings.Repeat("k", 1001)
	for _, c := range []struct{ in, err string }{
		{``, "invalid JSON at offset 0"},
		{`[]`, "not an object"},
		{`"x"`, "not an object"},
		{`null`, "not an object"},
		{`[1,]`, "invalid JSON"},
		{`{"a":1,"a":2}`, `duplicate key "a"`},
		{`{"a":1,"\u0061":2}`, `duplicate key "a"`},
		{`{"b":{"a":1,"a":null,"a":[]}}`, `duplicate key "a"`},
		{`{"` + long + `":1}`, "key longer than 1000 bytes"},
		{`{"a":1} x`, "after top-level value"},
		{`{"a":1`, "unexpected end of input"},
		{`{"a":tru}`, "invalid literal"},
		{`{"a":01}`, "invalid character '1' after object key:value pair"},
		{`{"a":"\x}`, "invalid escape"},
		{"{\"a\":\"\x01\"}", "invalid character"},
		{`{"a":1.}`, "no digits after decimal point"},
		{`{"a":1e}`, "no digits in exponent"},
		{`{"a":-}`, "no digits"},
		{`{"a":"\u12"}`, `invalid \u escape`},
		{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), "exceeded max depth"},
		{`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, "exceeded max depth"},
	} {
		got, err := yamlenc.FromJSON(dst, []byte(c.in), yamlenc.Options{})
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%.50q: error %v, want %q", c.in, err, c.err)
		}
		if string(got) != "# head\n" {
			t.Errorf("%.50q: dst changed to %q", c.in, got)
		}
		if strings.Contains(c.err, "JSON") || strings.Contains(c.err, "invalid") || strings.Contains(c.err, "unexpected") || strings.Contains(c.err, "depth") || strings.Contains(c.err, "digits") || strings.Contains(c.err, "top-level") {
			var se *yamlenc.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%.50q: %T is not a *SyntaxError", c.in, err)
			}
			if json.Valid([]byte(c.in)) {
				t.Errorf("%.50q: valid for encoding/json", c.in)
			}
		}
	}
	// A depth of 10,000 is fine, as for encoding/json.
	deep := `{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`
	if _, err := yamlenc.FromJSON(nil, []byte(deep), yamlenc.Options{}); err != nil {
		t.Errorf("depth 10000: %v", err)
	}
}

// Strings are decoded as encoding/json decodes them: escapes, surrogate
// pairs, lone surrogates and invalid UTF-8.
func TestStringDecoding(t *testing.T) {
	for _, in := range []string{
		`"\"\\\/\b\f\n\r\t"`, `"\u00e9\u00E9"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`,
		`"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, "\"\xff\"", "\"a\xc3\"", "\"\xed\xa0\x80\"", "\"é\xe9\"",
		`"\u0000"`, `"\u2028"`, "\"\xef\xbb\xbf\"",
	} {
		for _, doc := range []string{`{"v":` + in + `}`, `{` + in + `:1}`} {
			checkRoundTrip(t, []byte(doc), yamlenc.Options{})
		}
	}
}

// The committed examples (already pruned YAML, read back as JSON) round
// trip, and pruning them again changes nothing.
func TestExampleYAML(t *testing.T) {
	for name, j := range exampleYAMLDocs(t) {
		t.Run(name, func(t *testing.T) {
			plain := checkRoundTrip(t, j, yamlenc.Options{})
			pruned := checkRoundTrip(t, j, pipecOpts)
			if !bytes.Equal(plain, pruned) {
				t.Errorf("pruning a pruned document changed it")
			}
		})
	}
}

// pipec's real objects, as encoding/json marshals them: the output means
// what compiler.Emit's does.
func TestLoweredExamples(t *testing.T) {
	for _, l := range loweredExamples(t) {
		t.Run(l.name, func(t *testing.T) {
			checkRoundTrip(t, l.json, yamlenc.Options{})
			y := checkRoundTrip(t, l.json, pipecOpts)
			sameAsEmit(t, l.obj, y)
		})
	}
	t.Run("generated", func(t *testing.T) {
		obj := generated(t, bench.Pipeline("gen", 60))
		j, err := json.Marshal(obj.EmitValue())
		if err != nil {
			t.Fatal(err)
		}
		y := checkRoundTrip(t, j, pipecOpts)
		sameAsEmit(t, obj, y)
	})
}

// sameAsEmit checks that y means what compiler.Emit writes for obj.
func sameAsEmit(t *testing.T, obj *compiler.Object, y []byte) {
	t.Helper()
	old, err := compiler.Emit(obj)
	if err != nil {
		t.Fatal(err)
	}
	oj, err := yaml.YAMLToJSON(old)
	if err != nil {
		t.Fatal(err)
	}
	nj, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(oj, nj) {
		t.Errorf("different from compiler.Emit:\n%s\nEmit:\n%s", y, old)
	}
}

// Apart from folding long lines, the output is sigs.k8s.io/yaml's, byte
// for byte, on pipec's objects: made sure of by taking the spaces out of
// the one-line strings (sigs.k8s.io/yaml folds only at spaces).
func TestMatchesSigsYAML(t *testing.T) {
	docs := map[string][]byte{}
	for _, l := range loweredExamples(t) {
		docs[l.name] = l.json
	}
	j, err := json.Marshal(generated(t, bench.Pipeline("gen", 30)).EmitValue())
	if err != nil {
		t.Fatal(err)
	}
	docs["generated"] = j
	for name, j := range docs {
		t.Run(name, func(t *testing.T) {
			m, err := reference(j, pipecOpts)
			if err != nil {
				t.Fatal(err)
			}
			unspace(m)
			src, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			want, err := yaml.JSONToYAML(src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := yamlenc.FromJSON(nil, src, yamlenc.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if gl[i] != wl[i] {
						t.Fatalf("line %d differs:\n got: %q\nwant: %q", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("different lengths: %d and %d lines", len(gl), len(wl))
			}
		})
	}
}

// unspace replaces the spaces of one-line strings (keys and values) with
// underscores.
func unspace(v any) any {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "\n") {
			return strings.ReplaceAll(x, " ", "_")
		}
	case []any:
		for i, e := range x {
			x[i] = unspace(e)
		}
	case map[string]any:
		for k, e := range x {
			delete(x, k)
			x[unspace(k).(string)] = unspace(e)
		}
	}
	return v
}

// Random documents built from the pieces that matter to YAML (indicators,
// spaces, newlines, digits, words YAML resolves, escapes) and to pruning
// (nulls, empty objects and arrays, "name", "image", "emptyDir", "status",
// "metadata", "creationTimestamp") read back as they should.
func TestRandomDocuments(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		m := randomObject(rng, 0)
		src, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			src = shuffleMembers(rng, src)
		}
		checkRoundTrip(t, src, yamlenc.Options{})
		checkRoundTrip(t, src, pipecOpts)
	}
}

var pieces = []string{
	"a", "b", "x", "name", " ", "  ", ":", ": ", "#", " #", "-", "- ", "--", "---", "?", "'", "\"", "\\", "\n", "\n\n",
	"\t", "\r", "0", "1", "9", ".", "e", "x", "_", "+", "~", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%",
	"@", "`", "<<", "=", "yes", "No", "true", "null", "on", "y", ".inf", "nan", "2024-01-01", "1:2", "0x", "0o", "é",
	"日", "😀", "\u0085", "\u2028", "\ufeff", "\u00a0", "\x00", "\x7f", "{{item}}", "...",
}

var memberNames = []string{"name", "image", "emptyDir", "status", "metadata", "creationTimestamp", "a", "b", "c", "y", "1"}

func randomString(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(5) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func randomValue(rng *rand.Rand, depth int) any {
	k := rng.IntN(12)
	if depth > 4 && k >= 8 {
		k = rng.IntN(8)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return json.Number([]string{"0", "-1", "1.5", "1e3", "-2.5E-3", "123456789012345678901"}[rng.IntN(6)])
	case 3:
		return ""
	case 4, 5, 6, 7:
		return randomString(rng)
	case 8, 9:
		return randomObject(rng, depth+1)
	default:
		var l []any
		for range rng.IntN(4) {
			l = append(l, randomValue(rng, depth+1))
		}
		if l == nil {
			l = []any{}
		}
		return l
	}
}

func randomObject(rng *rand.Rand, depth int) map[string]any {
	m := map[string]any{}
	for range rng.IntN(5) {
		var k string
		if rng.IntN(2) == 0 {
			k = memberNames[rng.IntN(len(memberNames))]
		} else {
			k = randomString(rng)
		}
		m[k] = randomValue(rng, depth)
	}
	return m
}

// shuffleMembers re-encodes the document src with the members of every
// object in a random order (as encoding/json writes struct fields).
func shuffleMembers(rng *rand.Rand, src []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	var write func(v any)
	write = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			buf.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					buf.WriteString(" , ")
				}
				kj, _ := json.Marshal(k)
				buf.Write(kj)
				buf.WriteString(" :\n")
				write(x[k])
			}
			buf.WriteByte('}')
		case []any:
			buf.WriteString("[ ")
			for i, e := range x {
				if i > 0 {
					buf.WriteByte(',')
				}
				write(e)
			}
			buf.WriteString("\t]")
		default:
			j, _ := json.Marshal(x)
			buf.Write(j)
		}
	}
	write(v)
	return buf.Bytes()
}
