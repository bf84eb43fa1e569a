// Package yamlenc writes JSON documents as block-style YAML, fast and
// without building a generic tree of Go values: it is how pipec renders the
// Argo objects it compiles (encoding/json marshals them, FromJSON turns the
// JSON into the YAML pipec writes).
//
// The output is deterministic and looks like kubectl's and
// sigs.k8s.io/yaml's: keys sorted in byte order, two-space indentation,
// sequences in a mapping not indented relative to their key ("args:\n- a"),
// a mapping in a sequence started on the dash's line ("- name: x"), empty
// objects and arrays as {} and [], numbers, true, false and null exactly as
// the JSON has them. Unlike sigs.k8s.io/yaml it never folds long strings
// over several lines.
//
// Strings are written plain only when the plain text reads back as the same
// string both in YAML 1.1 (go-yaml v2, used by sigs.k8s.io/yaml, kubectl and
// the argo CLI) and in YAML 1.2 (gopkg.in/yaml.v3), with a conservative
// margin: anything that one of them could read as a boolean, null, number or
// timestamp (yes, off, y, ~, 0x1F, 1e3, 1_000, 1:20, 2024-01-01, .inf...)
// is double-quoted, as sigs.k8s.io/yaml does. Other strings that cannot be
// plain (a leading indicator or space, ": " or " #" inside, a trailing
// space or colon...) are single-quoted, as sigs.k8s.io/yaml does, unless
// they contain characters that need escapes (control characters, tabs,
// Unicode line separators, byte-order marks...): those are double-quoted,
// with \" \\ \n \t \r and \uXXXX escapes; other non-ASCII text is written as
// it is. Multi-line strings are literal block scalars (|, |- or |+, with an
// indentation indicator when the text starts with a space or a newline),
// unless a line ends with a space or the text has characters that need
// escapes: then they are double-quoted on one line.
//
// With Options.Prune, FromJSON also drops what Go structs carry that a
// Kubernetes object file should not show; see Options.
package yamlenc

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
)

// Options controls pruning.
type Options struct {
	// Prune drops, as pipec's output always has:
	//   - the document's "status" member, and the "creationTimestamp"
	//     member of the document's "metadata";
	//   - null members, and members whose value is an empty object or an
	//     empty array unless KeepEmpty names them, recursively: an object
	//     whose members are all dropped is dropped in turn (elements of
	//     arrays are never dropped, though their own members are pruned);
	//   - a "name" member equal to "" in an object that has a non-null
	//     "image" member (a template's container has no name).
	Prune bool
	// KeepEmpty names members that Prune keeps when their value is {} or
	// [] (a null member is always dropped). pipec names every member that
	// is a pointer, map or slice somewhere in Argo's types, whose empty
	// value means something: "suspend: {}" makes a suspend template,
	// "emptyDir: {}" is a volume's source (see compiler/emit.go).
	KeepEmpty map[string]bool
}

// FromJSON appends to dst the YAML of the JSON document src, which must be
// a JSON object, and returns the extended buffer. The output ends with a
// newline; an object with no members (left) is written "{}\n".
//
// Invalid JSON, or JSON that is not an object, is reported as a
// *SyntaxError. An object with duplicate keys (left after pruning) is an
// error, as is a key whose YAML form is longer than 1,000 bytes (YAML
// parsers reject longer implicit keys) and an input larger than 512 MiB:
// encoding/json never marshals such things from Kubernetes objects. On
// error dst is returned unchanged (though its spare capacity may have been
// written to).
//
// Strings with escapes or invalid UTF-8 are decoded as encoding/json
// decodes them (invalid bytes and lone surrogates become U+FFFD).
func FromJSON(dst []byte, src []byte, opts Options) ([]byte, error) {
	return convert(dst, src, opts, false, 0)
}

// SequenceFromJSON appends to dst the YAML of the JSON array src as the
// items of a block sequence at indentation ind: exactly what FromJSON
// writes for the array when it is the value of a member at indentation
// ind (the member's line, "key:", is not written), so that a large
// document can be written in parts. The elements are pruned as FromJSON
// prunes the elements of an array (the rules for the document's own
// members do not apply). An empty array appends nothing. Invalid JSON, or
// JSON that is not an array, is a *SyntaxError; the other errors are
// FromJSON's.
func SequenceFromJSON(dst []byte, src []byte, ind int, opts Options) ([]byte, error) {
	return convert(dst, src, opts, true, ind)
}

// convert is FromJSON (seq false) and SequenceFromJSON (seq true, at
// indentation ind). The parser and the encoder stay on its stack (no
// function values: those would move them to the heap, and every append
// to their buffers would pay a write barrier while the collector runs).
func convert(dst, src []byte, opts Options, seq bool, ind int) ([]byte, error) {
	if len(src) > maxInput {
		return dst, fmt.Errorf("yamlenc: input of %d bytes is larger than %d", len(src), maxInput)
	}
	var e encoder
	p := &e.p
	*p = parser{src: src, opts: opts}
	// Argo objects marshal to about one node (kept or pruned) per 13
	// bytes of JSON.
	pooled := getNodes(len(src)/10 + 8)
	p.nodes = (*pooled)[:cap(*pooled)]
	defer func() { putNodes(pooled, p.nodes) }()
	var err error
	if seq {
		err = p.parseArrayDocument()
	} else {
		err = p.parseDocument()
	}
	if err != nil {
		return dst, err
	}
	p.nodes = p.nodes[:p.n]
	if p.nodes[0].a == 0 {
		if seq {
			return dst, nil
		}
		return append(dst, "{}\n"...), nil
	}
	e.keys = make([]int32, 0, 64)
	out := slices.Grow(dst, len(src)+len(src)/4)
	if seq {
		out, err = e.sequence(out, 0, ind, false)
	} else {
		out, err = e.mapping(out, 0, 0, false)
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

// nodePool recycles the node slices of small inputs (up to poolNodes
// nodes, about 650 KB of JSON): pipec renders a large workflow in many
// parts of that size, one after the other on each core, and a slice of
// nodes is only needed while one input is converted. Larger ones are
// allocated each time and not kept.
var nodePool sync.Pool // of *[]node

const poolNodes = 1 << 16

// getNodes returns a pointer to an empty slice of nodes of capacity at
// least n, to give back with putNodes.
func getNodes(n int) *[]node {
	if n <= poolNodes {
		// One too small is dropped: put back, it would come first again.
		if sp, ok := nodePool.Get().(*[]node); ok && cap(*sp) >= n {
			*sp = (*sp)[:0]
			return sp
		}
	}
	ns := make([]node, 0, n)
	return &ns
}

// putNodes gives back the slice sp points to, as used (ns: its nodes,
// perhaps grown), once the nodes are no longer read.
func putNodes(sp *[]node, ns []node) {
	if cap(ns) <= poolNodes {
		*sp = ns
		nodePool.Put(sp)
	}
}

// maxInput is the largest input: offsets are int32s, and decoding a string
// can make it up to three times longer (invalid bytes become U+FFFD).
const maxInput = 512 << 20

// maxKey is the longest key written (in bytes of its YAML form). go-yaml
// v2 and v3 reject simple keys longer than 1,024 characters.
const maxKey = 1000

// An encoder writes the nodes its parser parsed. The YAML is appended to
// a slice each method is given and returns, never to a field: a slice in
// a register needs no reload and no write barrier at each append.
type encoder struct {
	p    parser
	keys []int32 // a stack of the sorted keys of the objects being written
}

const spaces = "                                                                                                                                "

// appendIndent appends n spaces.
func appendIndent(out []byte, n int) []byte {
	for n > len(spaces) {
		out = append(out, spaces...)
		n -= len(spaces)
	}
	return append(out, spaces[:n]...)
}

// mapping writes the members of the non-empty object at node obj, at
// indentation ind; if inline, the first member goes on the current line
// (after a sequence's "- ").
func (e *encoder) mapping(out []byte, obj int, ind int, inline bool) ([]byte, error) {
	nodes := e.p.nodes
	end := int(nodes[obj].b)
	base := len(e.keys)
	for k := obj + 1; k < end; k = next(nodes, k+1) {
		if !nodes[k].del {
			e.keys = append(e.keys, int32(k))
		}
	}
	m := len(e.keys) - base
	if err := e.sortKeys(e.keys[base:]); err != nil {
		return out, err
	}
	for i := range m {
		k := int(e.keys[base+i])
		if i > 0 || !inline {
			out = appendIndent(out, ind)
		}
		before := len(out)
		out = e.scalar(out, &nodes[k], true, 0)
		if len(out)-before > maxKey {
			return out, fmt.Errorf("yamlenc: key longer than %d bytes: %.40q...", maxKey, e.p.text(&nodes[k]))
		}
		out = append(out, ':')
		var err error
		if out, err = e.value(out, k+1, ind, false); err != nil {
			return out, err
		}
	}
	e.keys = e.keys[:base]
	return out, nil
}

// sequence writes the elements of the non-empty array at node arr, at
// indentation ind, the first on the current line if inline.
func (e *encoder) sequence(out []byte, arr int, ind int, inline bool) ([]byte, error) {
	nodes := e.p.nodes
	end := int(nodes[arr].b)
	first := true
	for k := arr + 1; k < end; k = next(nodes, k) {
		if !first || !inline {
			out = appendIndent(out, ind)
		}
		first = false
		out = append(out, '-')
		var err error
		if out, err = e.value(out, k, ind, true); err != nil {
			return out, err
		}
	}
	return out, nil
}

// value writes the value at node v after a key's colon or a sequence's
// dash (inSeq), the key or dash being at indentation ind, and ends the
// line.
func (e *encoder) value(out []byte, v int, ind int, inSeq bool) ([]byte, error) {
	n := &e.p.nodes[v]
	switch n.kind {
	case kObj:
		if n.a == 0 {
			return append(out, " {}\n"...), nil
		}
		if inSeq {
			return e.mapping(append(out, ' '), v, ind+2, true)
		}
		return e.mapping(append(out, '\n'), v, ind+2, false)
	case kArr:
		if n.a == 0 {
			return append(out, " []\n"...), nil
		}
		if inSeq {
			return e.sequence(append(out, ' '), v, ind+2, true)
		}
		return e.sequence(append(out, '\n'), v, ind, false)
	case kStr:
		out = e.scalar(append(out, ' '), n, false, ind+2)
	case kNum:
		out = append(out, ' ')
		out = append(out, e.p.src[n.a:n.b]...)
	case kTrue:
		out = append(out, " true"...)
	case kFalse:
		out = append(out, " false"...)
	default:
		out = append(out, " null"...)
	}
	return append(out, '\n'), nil
}

// sortKeys sorts the key nodes ks by their text and rejects duplicates.
func (e *encoder) sortKeys(ks []int32) error {
	p := &e.p
	nodes := p.nodes
	if len(ks) <= 12 {
		for i := 1; i < len(ks); i++ {
			k := ks[i]
			t := p.text(&nodes[k])
			j := i
			for ; j > 0 && bytes.Compare(p.text(&nodes[ks[j-1]]), t) > 0; j-- {
				ks[j] = ks[j-1]
			}
			ks[j] = k
		}
	} else {
		slices.SortFunc(ks, func(a, b int32) int {
			return bytes.Compare(p.text(&nodes[a]), p.text(&nodes[b]))
		})
	}
	for i := 1; i < len(ks); i++ {
		if t := p.text(&nodes[ks[i]]); bytes.Equal(p.text(&nodes[ks[i-1]]), t) {
			return fmt.Errorf("yamlenc: duplicate key %q", t)
		}
	}
	return nil
}
