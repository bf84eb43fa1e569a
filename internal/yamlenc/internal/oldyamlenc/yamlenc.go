// Package oldyamlenc is internal/yamlenc as it was before its conversion
// was made faster (main at 14f2ccd, 1 December 2026), kept unchanged as the
// reference of yamlenc's differential tests (differential_test.go): the
// new code must write the same bytes, and fail with the same errors, for
// every input. Only tests import it; pipec's binary never links it.
//
// What follows is the original package comment.
//
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
package oldyamlenc

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
	return convert(dst, src, opts, (*parser).parseDocument, "{}\n", func(e *encoder) error {
		return e.mapping(0, 0, false)
	})
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
	return convert(dst, src, opts, (*parser).parseArrayDocument, "", func(e *encoder) error {
		return e.sequence(0, ind, false)
	})
}

// convert is FromJSON and SequenceFromJSON: it parses src with parse,
// then appends to dst empty if the top value has no members or elements
// left, or else what write writes.
func convert(dst, src []byte, opts Options, parse func(*parser) error, empty string, write func(*encoder) error) ([]byte, error) {
	if len(src) > maxInput {
		return dst, fmt.Errorf("yamlenc: input of %d bytes is larger than %d", len(src), maxInput)
	}
	p := parser{src: src, opts: &opts}
	// Argo objects marshal to about one node (kept or pruned) per 13
	// bytes of JSON.
	p.nodes = getNodes(len(src)/10 + 8)
	defer func() { putNodes(p.nodes) }()
	if err := parse(&p); err != nil {
		return dst, err
	}
	if p.nodes[0].a == 0 {
		return append(dst, empty...), nil
	}
	e := encoder{p: &p, out: slices.Grow(dst, len(src)+len(src)/4), keys: make([]int32, 0, 64)}
	if err := write(&e); err != nil {
		return dst, err
	}
	return e.out, nil
}

// nodePool recycles the node slices of small inputs (up to poolNodes
// nodes, about 650 KB of JSON): pipec renders a large workflow in many
// parts of that size, one after the other on each core, and a slice of
// nodes is only needed while one input is converted. Larger ones are
// allocated each time and not kept.
var nodePool sync.Pool // of *[]node

const poolNodes = 1 << 16

// getNodes returns an empty slice of nodes of capacity at least n.
func getNodes(n int) []node {
	if n <= poolNodes {
		if sp, ok := nodePool.Get().(*[]node); ok && cap(*sp) >= n {
			return (*sp)[:0]
		}
	}
	return make([]node, 0, n)
}

// putNodes gives back a slice of nodes once they are no longer read.
func putNodes(ns []node) {
	if cap(ns) <= poolNodes {
		nodePool.Put(&ns)
	}
}

// maxInput is the largest input: offsets are int32s, and decoding a string
// can make it up to three times longer (invalid bytes become U+FFFD).
const maxInput = 512 << 20

// maxKey is the longest key written (in bytes of its YAML form). go-yaml
// v2 and v3 reject simple keys longer than 1,024 characters.
const maxKey = 1000

type encoder struct {
	p    *parser
	out  []byte
	keys []int32 // a stack of the sorted keys of the objects being written
}

const spaces = "                                                                                                                                "

func (e *encoder) indent(n int) {
	for n > len(spaces) {
		e.out = append(e.out, spaces...)
		n -= len(spaces)
	}
	e.out = append(e.out, spaces[:n]...)
}

// mapping writes the members of the non-empty object at node obj, at
// indentation ind; if inline, the first member goes on the current line
// (after a sequence's "- ").
func (e *encoder) mapping(obj int, ind int, inline bool) error {
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
		return err
	}
	for i := range m {
		k := int(e.keys[base+i])
		if i > 0 || !inline {
			e.indent(ind)
		}
		before := len(e.out)
		e.scalar(e.p.text(&nodes[k]), true, 0)
		if len(e.out)-before > maxKey {
			return fmt.Errorf("yamlenc: key longer than %d bytes: %.40q...", maxKey, e.p.text(&nodes[k]))
		}
		e.out = append(e.out, ':')
		if err := e.value(k+1, ind, false); err != nil {
			return err
		}
	}
	e.keys = e.keys[:base]
	return nil
}

// sequence writes the elements of the non-empty array at node arr, at
// indentation ind, the first on the current line if inline.
func (e *encoder) sequence(arr int, ind int, inline bool) error {
	nodes := e.p.nodes
	end := int(nodes[arr].b)
	first := true
	for k := arr + 1; k < end; k = next(nodes, k) {
		if !first || !inline {
			e.indent(ind)
		}
		first = false
		e.out = append(e.out, '-')
		if err := e.value(k, ind, true); err != nil {
			return err
		}
	}
	return nil
}

// value writes the value at node v after a key's colon or a sequence's
// dash (inSeq), the key or dash being at indentation ind, and ends the
// line.
func (e *encoder) value(v int, ind int, inSeq bool) error {
	n := &e.p.nodes[v]
	switch n.kind {
	case kObj:
		if n.a == 0 {
			e.out = append(e.out, " {}\n"...)
			return nil
		}
		if inSeq {
			e.out = append(e.out, ' ')
			return e.mapping(v, ind+2, true)
		}
		e.out = append(e.out, '\n')
		return e.mapping(v, ind+2, false)
	case kArr:
		if n.a == 0 {
			e.out = append(e.out, " []\n"...)
			return nil
		}
		if inSeq {
			e.out = append(e.out, ' ')
			return e.sequence(v, ind+2, true)
		}
		e.out = append(e.out, '\n')
		return e.sequence(v, ind, false)
	case kStr:
		e.out = append(e.out, ' ')
		e.scalar(e.p.text(n), false, ind+2)
	case kNum:
		e.out = append(e.out, ' ')
		e.out = append(e.out, e.p.src[n.a:n.b]...)
	case kTrue:
		e.out = append(e.out, " true"...)
	case kFalse:
		e.out = append(e.out, " false"...)
	default:
		e.out = append(e.out, " null"...)
	}
	e.out = append(e.out, '\n')
	return nil
}

// sortKeys sorts the key nodes ks by their text and rejects duplicates.
func (e *encoder) sortKeys(ks []int32) error {
	p := e.p
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
