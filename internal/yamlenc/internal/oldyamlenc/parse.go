package oldyamlenc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Node kinds.
const (
	kNull uint8 = iota
	kFalse
	kTrue
	kNum
	kStr
	kObj
	kArr
)

// A node is one JSON value or object key. The nodes of a document are
// stored in one slice in document order (pre-order): an object is followed
// by its members, each a key node and then the value's nodes; an array by
// its elements. Pruned members are never stored: a member is dropped by
// truncating the slice back to its key right after its value is parsed, so
// pruning costs nothing more than parsing.
type node struct {
	kind uint8
	// esc: a string whose text is in parser.arena (it had escapes or
	// invalid UTF-8) rather than in the source.
	esc bool
	// del: a key dropped after the fact (the empty "name" of a container,
	// which is only known to be dropped once the object's "image" is seen).
	del bool
	// Strings and numbers: the text is src[a:b] (arena[a:b] if esc).
	// Objects and arrays: a is the number of members or elements kept, b
	// the index of the first node after the value's last node.
	a, b int32
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

type parser struct {
	src   []byte
	pos   int
	nodes []node
	arena []byte // decoded text of strings with escapes
	opts  *Options
	depth int
}

// SyntaxError is returned for input that is not a JSON object.
type SyntaxError struct {
	Offset int // byte offset in the input
	msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("yamlenc: invalid JSON at offset %d: %s", e.Offset, e.msg)
}

func (p *parser) fail(msg string) error {
	return &SyntaxError{Offset: p.pos, msg: msg}
}

func (p *parser) failf(format string, args ...any) error {
	return p.fail(fmt.Sprintf(format, args...))
}

func (p *parser) text(n *node) []byte {
	if n.esc {
		return p.arena[n.a:n.b]
	}
	return p.src[n.a:n.b]
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// parseDocument parses the whole input, which must be one JSON object.
func (p *parser) parseDocument() error {
	return p.parseTop('{', ctxTop, "the document is not an object")
}

// parseArrayDocument parses the whole input, which must be one JSON array.
func (p *parser) parseArrayDocument() error {
	return p.parseTop('[', ctxNone, "the document is not an array")
}

// parseTop parses the whole input, one JSON value that must start with
// open, in context ctx; notIt is the error if it does not.
func (p *parser) parseTop(open byte, ctx int, notIt string) error {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return p.fail("unexpected end of input")
	}
	if p.src[p.pos] != open {
		// Still report syntax errors first, as encoding/json does.
		if err := p.value(ctxNone); err != nil {
			return err
		}
		if err := p.end(); err != nil {
			return err
		}
		return &SyntaxError{Offset: 0, msg: notIt}
	}
	if err := p.value(ctx); err != nil {
		return err
	}
	return p.end()
}

func (p *parser) end() error {
	p.skipSpace()
	if p.pos != len(p.src) {
		return p.failf("invalid character %q after top-level value", p.src[p.pos])
	}
	return nil
}

// Pruning contexts of an object: the document itself, whose "status" is
// dropped, and the document's "metadata", whose "creationTimestamp" is.
const (
	ctxNone = iota
	ctxTop
	ctxMeta
)

// value parses one value and appends its nodes.
func (p *parser) value(ctx int) error {
	if p.pos >= len(p.src) {
		return p.fail("unexpected end of input")
	}
	switch c := p.src[p.pos]; c {
	case '{':
		return p.object(ctx)
	case '[':
		return p.array()
	case '"':
		return p.str()
	case 't':
		return p.literal("true", kTrue)
	case 'f':
		return p.literal("false", kFalse)
	case 'n':
		return p.literal("null", kNull)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number()
		}
		return p.failf("invalid character %q looking for beginning of value", c)
	}
}

func (p *parser) literal(word string, kind uint8) error {
	if !bytes.HasPrefix(p.src[p.pos:], []byte(word)) {
		return p.failf("invalid literal (expected %s)", word)
	}
	p.pos += len(word)
	p.nodes = append(p.nodes, node{kind: kind})
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) number() error {
	s, i := p.src, p.pos
	start := i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		p.pos = i
		return p.fail("invalid number: no digits")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			p.pos = i
			return p.fail("invalid number: no digits after decimal point")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			p.pos = i
			return p.fail("invalid number: no digits in exponent")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	p.pos = i
	p.nodes = append(p.nodes, node{kind: kNum, a: int32(start), b: int32(i)})
	return nil
}

// str parses a string. Its text is left in the source unless it has
// escapes or invalid UTF-8, which are decoded into the arena exactly as
// encoding/json decodes them (bad surrogates and invalid bytes become
// U+FFFD).
func (p *parser) str() error {
	s := p.src
	i := p.pos + 1
	start := i
	ascii := true
	// Eight bytes at a time while none is special: a quote, a backslash, a
	// control character or a non-ASCII byte.
	for i+8 <= len(s) {
		x := binary.LittleEndian.Uint64(s[i:])
		if (hasZero(x^(lsb*'"'))|hasZero(x^(lsb*'\\'))|hasLess(x, 0x20)|x)&msb != 0 {
			break
		}
		i += 8
	}
	for ; i < len(s); i++ {
		c := s[i]
		if !strPlain[c] {
			if c >= utf8.RuneSelf {
				ascii = false
				continue
			}
			break
		}
	}
	if i < len(s) && s[i] == '"' && (ascii || utf8.Valid(s[start:i])) {
		p.nodes = append(p.nodes, node{kind: kStr, a: int32(start), b: int32(i)})
		p.pos = i + 1
		return nil
	}
	if !ascii {
		i = start // decode from the start, where the invalid UTF-8 may be
	}
	// Slow path: decode into the arena.
	astart := len(p.arena)
	p.arena = append(p.arena, s[start:i]...)
	for {
		if i >= len(s) {
			p.pos = i
			return p.fail("unexpected end of input in string")
		}
		c := s[i]
		switch {
		case c == '"':
			p.nodes = append(p.nodes, node{kind: kStr, esc: true, a: int32(astart), b: int32(len(p.arena))})
			p.pos = i + 1
			return nil
		case c < 0x20:
			p.pos = i
			return p.failf("invalid character %q in string literal", c)
		case c == '\\':
			if i+1 >= len(s) {
				p.pos = i + 1
				return p.fail("unexpected end of input in string escape")
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				p.arena = append(p.arena, e)
				i += 2
			case 'b':
				p.arena = append(p.arena, '\b')
				i += 2
			case 'f':
				p.arena = append(p.arena, '\f')
				i += 2
			case 'n':
				p.arena = append(p.arena, '\n')
				i += 2
			case 'r':
				p.arena = append(p.arena, '\r')
				i += 2
			case 't':
				p.arena = append(p.arena, '\t')
				i += 2
			case 'u':
				r := hex4(s[i+2:])
				if r < 0 {
					p.pos = i + 2
					return p.fail("invalid \\u escape in string")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s[i+2:])
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				p.arena = utf8.AppendRune(p.arena, r)
			default:
				p.pos = i + 1
				return p.failf("invalid escape character %q in string", e)
			}
		case c < utf8.RuneSelf:
			p.arena = append(p.arena, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				p.arena = utf8.AppendRune(p.arena, utf8.RuneError)
			} else {
				p.arena = append(p.arena, s[i:i+size]...)
			}
			i += size
		}
	}
}

// strPlain[c] is true for the ASCII bytes that can be in a string as they
// are: not '"', '\\' or a control character.
var strPlain [256]bool

func init() {
	for c := range utf8.RuneSelf {
		strPlain[c] = c >= 0x20 && c != '"' && c != '\\'
	}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasZero has the high bit of each zero byte of x set (and maybe of others
// above one: only whether it is zero is meaningful).
func hasZero(x uint64) uint64 { return (x - lsb) &^ x & msb }

// hasLess is non-zero if a byte of x is less than n (n <= 128).
func hasLess(x uint64, n uint64) uint64 { return (x - lsb*n) &^ x & msb }

// hex4 decodes the four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.fail("exceeded max depth")
	}
	return nil
}

func (p *parser) array() error {
	if err := p.enter(); err != nil {
		return err
	}
	self := len(p.nodes)
	p.nodes = append(p.nodes, node{kind: kArr})
	p.pos++ // '['
	p.skipSpace()
	n := int32(0)
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			if err := p.value(ctxNone); err != nil {
				return err
			}
			n++
			p.skipSpace()
			if p.pos >= len(p.src) {
				return p.fail("unexpected end of input in array")
			}
			c := p.src[p.pos]
			p.pos++
			if c == ']' {
				break
			}
			if c != ',' {
				p.pos--
				return p.failf("invalid character %q after array element", c)
			}
		}
	}
	p.nodes[self].a = n
	p.nodes[self].b = int32(len(p.nodes))
	p.depth--
	return nil
}

func (p *parser) object(ctx int) error {
	if err := p.enter(); err != nil {
		return err
	}
	self := len(p.nodes)
	p.nodes = append(p.nodes, node{kind: kObj})
	p.pos++ // '{'
	p.skipSpace()
	prune := p.opts.Prune
	n := int32(0)
	emptyName := -1   // key node of a "name": "" member
	hasImage := false // a non-null "image" member
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			if p.pos >= len(p.src) || p.src[p.pos] != '"' {
				if p.pos >= len(p.src) {
					return p.fail("unexpected end of input in object")
				}
				return p.failf("invalid character %q looking for beginning of object key string", p.src[p.pos])
			}
			key := len(p.nodes)
			if err := p.str(); err != nil {
				return err
			}
			p.skipSpace()
			if p.pos >= len(p.src) || p.src[p.pos] != ':' {
				if p.pos >= len(p.src) {
					return p.fail("unexpected end of input in object")
				}
				return p.failf("invalid character %q after object key", p.src[p.pos])
			}
			p.pos++
			p.skipSpace()
			vctx := ctxNone
			if prune && ctx == ctxTop && string(p.text(&p.nodes[key])) == "metadata" {
				vctx = ctxMeta
			}
			if err := p.value(vctx); err != nil {
				return err
			}
			if prune {
				v := &p.nodes[key+1]
				switch string(p.text(&p.nodes[key])) {
				case "name":
					if v.kind == kStr && v.a == v.b {
						emptyName = key
					}
				case "image":
					if v.kind != kNull {
						hasImage = true
					}
				}
				if !p.drop(ctx, key) {
					n++
				}
			} else {
				n++
			}
			p.skipSpace()
			if p.pos >= len(p.src) {
				return p.fail("unexpected end of input in object")
			}
			c := p.src[p.pos]
			p.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				p.pos--
				return p.failf("invalid character %q after object key:value pair", c)
			}
		}
	}
	if emptyName >= 0 && hasImage {
		// A template's container has no name.
		p.nodes[emptyName].del = true
		n--
	}
	p.nodes[self].a = n
	p.nodes[self].b = int32(len(p.nodes))
	p.depth--
	return nil
}

// next returns the index of the node after the value at i.
func next(nodes []node, i int) int {
	if k := nodes[i].kind; k == kObj || k == kArr {
		return int(nodes[i].b)
	}
	return i + 1
}

// drop drops the member whose key is the node at key (and whose value was
// the last parsed) if pruning says so, and reports whether it did.
func (p *parser) drop(ctx int, key int) bool {
	k := p.text(&p.nodes[key])
	v := &p.nodes[key+1]
	drop := false
	switch {
	case ctx == ctxTop && string(k) == "status":
		drop = true
	case ctx == ctxMeta && string(k) == "creationTimestamp":
		drop = true
	case v.kind == kNull:
		drop = true
	case (v.kind == kObj || v.kind == kArr) && v.a == 0:
		drop = !p.opts.KeepEmpty[string(k)]
	}
	if drop {
		p.nodes = p.nodes[:key]
	}
	return drop
}
