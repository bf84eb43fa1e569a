package yamlenc

import (
	"fmt"
	"sync"
	"unsafe"
)

// This file exports, for encoders that write YAML straight from Go values
// (internal/argojson's AppendYAML functions), the pieces of FromJSON's
// output they need: its indentation, its scalars and, for the values such
// an encoder does not write itself, FromJSON's rendering of a fragment of
// JSON at a given place in a document. Each is exactly what FromJSON
// writes at that place.

// AppendIndent appends n spaces: the indentation of a line at depth n.
func AppendIndent(dst []byte, n int) []byte { return appendIndent(dst, n) }

// bytesOf is s's bytes, not copied (they are only read).
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// AppendString appends the string s, valid UTF-8, as FromJSON writes a
// string value whose member (or sequence item) is at indentation ind - 2:
// plain, quoted, or as a literal block scalar whose lines are at
// indentation ind (its last line not ended).
func AppendString(dst []byte, s string, ind int) []byte {
	return appendScalar(dst, bytesOf(s), false, ind)
}

// AppendKey appends the string s, valid UTF-8, as FromJSON writes a key
// (without its colon). A key whose YAML is longer than FromJSON accepts is
// an error, as it is for FromJSON; dst is then returned unchanged.
func AppendKey(dst []byte, s string) ([]byte, error) {
	n := len(dst)
	out := appendScalar(dst, bytesOf(s), true, 0)
	if len(out)-n > maxKey {
		return dst[:n], fmt.Errorf("yamlenc: key longer than %d bytes: %.40q...", maxKey, s)
	}
	return out, nil
}

// appendScalar is encoder.scalar for a string not in a node.
func appendScalar(out, s []byte, key bool, ind int) []byte {
	return appendStyled(out, s, style(s, key), ind)
}

// MappingFromJSON appends the members of the JSON object src, pruned as
// FromJSON prunes the members of an object inside a document, as the
// lines of a block mapping at indentation ind (the first member on the
// current line if inline, after a sequence's "- "): exactly what FromJSON
// writes for the object's members at that place. An object with no
// members left appends nothing. Invalid JSON, or JSON that is not an
// object, is a *SyntaxError; the other errors are FromJSON's.
func MappingFromJSON(dst []byte, src []byte, ind int, inline bool, opts Options) ([]byte, error) {
	return fragment(dst, src, '{', ind, inline, opts)
}

// ItemsFromJSON appends the elements of the JSON array src as the items of
// a block sequence at indentation ind, as SequenceFromJSON does, the first
// item on the current line if inline (after a sequence's "- ").
func ItemsFromJSON(dst []byte, src []byte, ind int, inline bool, opts Options) ([]byte, error) {
	return fragment(dst, src, '[', ind, inline, opts)
}

// fragment is MappingFromJSON (open '{') and ItemsFromJSON (open '[').
func fragment(dst, src []byte, open byte, ind int, inline bool, opts Options) ([]byte, error) {
	if len(src) > maxInput {
		return dst, fmt.Errorf("yamlenc: input of %d bytes is larger than %d", len(src), maxInput)
	}
	var e encoder
	p := &e.p
	*p = parser{src: src, opts: opts}
	pooled := getNodes(len(src)/10 + 8)
	p.nodes = (*pooled)[:cap(*pooled)]
	defer func() { putNodes(pooled, p.nodes) }()
	notIt := "the document is not an object"
	if open == '[' {
		notIt = "the document is not an array"
	}
	if err := p.parseTop(open, ctxNone, notIt); err != nil {
		return dst, err
	}
	p.nodes = p.nodes[:p.n]
	if p.nodes[0].a == 0 {
		return dst, nil
	}
	kp := keysPool.Get().(*[]int32)
	e.keys = (*kp)[:0]
	defer func() {
		*kp = e.keys[:0]
		keysPool.Put(kp)
	}()
	var out []byte
	var err error
	if open == '[' {
		out, err = e.sequence(dst, 0, ind, inline)
	} else {
		out, err = e.mapping(dst, 0, ind, inline)
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

// keysPool recycles the key stacks of fragments: a writer hands yamlenc
// many small fragments, one after the other.
var keysPool = sync.Pool{New: func() any { s := make([]int32, 0, 64); return &s }}
