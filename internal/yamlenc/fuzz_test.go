package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/pipec/pipec/internal/yamlenc"
)

// FuzzFromJSON checks that FromJSON never panics, accepts only valid JSON,
// and that for valid JSON its output means the (pruned) input for every
// decoder, with and without pruning.
func FuzzFromJSON(f *testing.F) {
	for _, j := range exampleYAMLDocs(f) {
		f.Add(j)
	}
	for _, l := range loweredExamples(f) {
		f.Add(l.json)
	}
	// One document per tricky string, with it in every position.
	for i, d := range trickyDocs() {
		if i%4 == 3 {
			f.Add(d)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		valid := json.Valid(src)
		checkable := valid && roundTrippable(src)
		for _, opts := range []yamlenc.Options{{}, pipecOpts} {
			y, err := yamlenc.FromJSON(nil, src, opts)
			if !valid {
				var se *yamlenc.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("invalid JSON %q: got %q, %v; want a *SyntaxError", src, y, err)
				}
				continue
			}
			if !checkable {
				continue
			}
			if err != nil {
				if strings.Contains(err.Error(), "key longer than") {
					continue
				}
				t.Fatalf("FromJSON(%q): %v", src, err)
			}
			want, err := reference(src, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameForAll(y, want); err != nil {
				t.Fatalf("FromJSON(%q, %+v):\n%s\n%v", src, opts, y, err)
			}
		}
	})
}

// roundTrippable reports whether the valid JSON document src is an object
// without duplicate keys, nested at most 100 deep (the YAML decoders have
// their own limits), whose numbers fit a float64: a document whose meaning
// FromJSON must preserve.
func roundTrippable(src []byte) bool {
	var v any
	if err := json.Unmarshal(src, &v); err != nil {
		return false // a number out of range
	}
	if _, ok := v.(map[string]any); !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token of an object is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.key
		if top != nil && top.object {
			top.key = !top.key
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{', '[':
				if len(stack) >= 100 {
					return false
				}
				stack = append(stack, frame{keys: map[string]bool{}, object: tok == '{', key: true})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					// The closed value was a member's: a key comes next.
					stack[len(stack)-1].key = true
				}
			}
		case string:
			if isKey {
				if top.keys[tok] {
					return false
				}
				top.keys[tok] = true
			}
		}
	}
}
