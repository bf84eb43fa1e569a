package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pipec/pipec/internal/yamlenc"
)

// sequenceViaFromJSON is what FromJSON writes for the array arr as the
// value of a member at indentation ind, without the member's lines.
func sequenceViaFromJSON(arr []byte, ind int, opts yamlenc.Options) ([]byte, error) {
	// {"a":{"a":...{"k":arr}}}: "k" is at indentation ind.
	doc := `{"k":` + string(arr) + `}`
	for range ind / 2 {
		doc = `{"a":` + doc + `}`
	}
	y, err := yamlenc.FromJSON(nil, []byte(doc), opts)
	if err != nil {
		return nil, err
	}
	// The member lines are the first ind/2+1 lines.
	for range ind/2 + 1 {
		i := bytes.IndexByte(y, '\n')
		if i < 0 {
			return nil, nil
		}
		y = y[i+1:]
	}
	return y, nil
}

func checkSequence(t *testing.T, arr []byte, opts yamlenc.Options) {
	t.Helper()
	for _, ind := range []int{0, 2, 6} {
		got, err := yamlenc.SequenceFromJSON([]byte("prefix\n"), arr, ind, opts)
		if err != nil {
			t.Fatalf("SequenceFromJSON(%s): %v", arr, err)
		}
		got = bytes.TrimPrefix(got, []byte("prefix\n"))
		want, err := sequenceViaFromJSON(arr, ind, opts)
		if err != nil {
			t.Fatalf("FromJSON of %s: %v", arr, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("SequenceFromJSON(%s, %d):\n%s\nwant (as FromJSON writes it):\n%s", arr, ind, got, want)
		}
	}
}

// TestSequenceFromJSON: a sequence written on its own is what FromJSON
// writes for it inside a document, on random arrays and on the templates
// of every example.
func TestSequenceFromJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		arr := make([]any, 1+rng.IntN(4))
		for i := range arr {
			arr[i] = randomValue(rng, 1)
		}
		src, err := json.Marshal(arr)
		if err != nil {
			t.Fatal(err)
		}
		checkSequence(t, src, yamlenc.Options{})
		checkSequence(t, src, pipecOpts)
	}
	for _, l := range loweredExamples(t) {
		var doc struct {
			Spec struct {
				Templates json.RawMessage `json:"templates"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(l.json, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Spec.Templates) > 2 {
			checkSequence(t, doc.Spec.Templates, pipecOpts)
		}
	}
}

func TestSequenceFromJSONErrors(t *testing.T) {
	for _, src := range []string{``, `{}`, `"x"`, `[1,`, `[1] 2`, `[1}`} {
		out, err := yamlenc.SequenceFromJSON([]byte("keep"), []byte(src), 2, pipecOpts)
		var se *yamlenc.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("SequenceFromJSON(%q): error %v, want a *SyntaxError", src, err)
		}
		if string(out) != "keep" {
			t.Errorf("SequenceFromJSON(%q) changed dst to %q", src, out)
		}
	}
	out, err := yamlenc.SequenceFromJSON([]byte("keep"), []byte(" [ ] "), 2, pipecOpts)
	if err != nil || string(out) != "keep" {
		t.Errorf("empty array: %q, %v; want dst unchanged", out, err)
	}
}

// FuzzSequenceFromJSON checks that SequenceFromJSON never panics, accepts
// only valid JSON arrays, and writes what FromJSON writes for the array
// inside a document, or fails where FromJSON fails.
func FuzzSequenceFromJSON(f *testing.F) {
	f.Add([]byte(`[1, "a", {"b": [true, null]}, [], {}]`))
	f.Add([]byte(`[{"name": "", "image": "x"}, {"status": 1, "metadata": {"creationTimestamp": null}}]`))
	for _, l := range loweredExamples(f) {
		var doc struct {
			Spec struct {
				Templates json.RawMessage `json:"templates"`
			} `json:"spec"`
		}
		if json.Unmarshal(l.json, &doc) == nil && len(doc.Spec.Templates) > 0 {
			f.Add([]byte(doc.Spec.Templates))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var arr []json.RawMessage
		isArray := json.Unmarshal(src, &arr) == nil
		for _, opts := range []yamlenc.Options{{}, pipecOpts} {
			got, err := yamlenc.SequenceFromJSON(nil, src, 4, opts)
			if !json.Valid(src) || !isArray {
				var se *yamlenc.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("%q is not a JSON array: got %q, %v; want a *SyntaxError", src, got, err)
				}
				continue
			}
			if len(arr) == 0 {
				if err != nil || len(got) != 0 {
					t.Fatalf("empty array %q: got %q, %v", src, got, err)
				}
				continue
			}
			want, wantErr := sequenceViaFromJSON(src, 4, opts)
			if wantErr != nil && strings.Contains(wantErr.Error(), "max depth") {
				continue // the document around the array is deeper
			}
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("SequenceFromJSON(%q): error %v; FromJSON: %v", src, err, wantErr)
			}
			if err == nil && !bytes.Equal(got, want) {
				t.Fatalf("SequenceFromJSON(%q):\n%s\nwant (as FromJSON writes it):\n%s", src, got, want)
			}
		}
	})
}
