package yamlenc

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// Scalar styles.
const (
	plain = iota
	singleQuoted
	doubleQuoted
	literal
)

// ordinary[c] is true for the bytes that style need not look at: all but
// the space, the colon, control characters (newline and tab included), DEL
// and the lead bytes of the non-ASCII characters needsEscape lists (the
// strings are valid UTF-8, so other bytes of those characters cannot be
// mistaken for ASCII).
var ordinary [256]bool

func init() {
	for c := range ordinary {
		ordinary[c] = c > ' ' && c != ':' && c != 0x7f && c != 0xc2 && c != 0xe2 && c != 0xef
	}
}

// needsEscape reports whether the non-ASCII rune r must be escaped: C1
// control characters (NEL, U+0085, is a line break in YAML 1.1), the line
// and paragraph separators (line breaks in YAML 1.1), the byte-order mark
// and the non-characters U+FFFE and U+FFFF (not printable). The strings
// written are valid UTF-8 (the parser decodes the others).
func needsEscape(r rune) bool {
	return r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff
}

// style chooses how to write the string s, a key or a value.
func style(s []byte, key bool) int {
	if len(s) == 0 {
		return doubleQuoted
	}
	var (
		special    bool // characters that need escapes
		newline    bool
		spaceBreak bool // a space at the end of a line
		indicator  bool // ": " or " #"
	)
	for i := 0; i < len(s); i++ {
		// Eight bytes at a time up to one that is not ordinary or not
		// ASCII (the lowest flagged byte is exact, as in parser.str).
		for i+8 <= len(s) {
			x := binary.LittleEndian.Uint64(s[i:])
			m := (hasLess(x, 0x21) | hasZero(x^(lsb*':')) | hasZero(x^(lsb*0x7f)) | x) & msb
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if ordinary[c] {
			continue
		}
		switch c {
		case ' ':
			if i+1 < len(s) {
				switch s[i+1] {
				case '#':
					indicator = true
				case '\n':
					spaceBreak = true
				}
			}
		case ':':
			if i+1 < len(s) && s[i+1] == ' ' {
				indicator = true
			}
		case '\n':
			newline = true
		case 0xc2, 0xe2, 0xef:
			r, size := utf8.DecodeRune(s[i:])
			if needsEscape(r) {
				special = true
			}
			i += size - 1
		default:
			special = true
		}
	}
	last := s[len(s)-1]
	switch {
	case special:
		return doubleQuoted
	case newline:
		if key || spaceBreak || last == ' ' {
			return doubleQuoted
		}
		return literal
	case nonString(s):
		return doubleQuoted
	case indicator || last == ' ' || last == ':' || !plainStart(s):
		return singleQuoted
	}
	return plain
}

// plainStart reports whether s may start a plain scalar: not with a space,
// an indicator character, a document marker, or a dash followed by a
// space or nothing ("-x" and "--date" are fine).
func plainStart(s []byte) bool {
	switch s[0] {
	case ' ', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-':
		return len(s) > 1 && s[1] != ' ' && !bytes.HasPrefix(s, []byte("---"))
	case '.':
		return !bytes.HasPrefix(s, []byte("..."))
	}
	return true
}

// simpleStyle is style for a string that is not empty and has only ASCII
// bytes that are ordinary: a string that needs no escapes, has no space,
// colon or line break, and so can be plain unless it reads as other than
// a string or starts with an indicator.
func simpleStyle(s []byte) int {
	switch {
	case nonString(s):
		return doubleQuoted
	case !plainStart(s):
		return singleQuoted
	}
	return plain
}

// scalar appends the string of node n, a key or a value; a multi-line
// value whose lines are at indentation ind is written as a literal block
// scalar (its last line not ended).
func (e *encoder) scalar(out []byte, n *node, key bool, ind int) []byte {
	s := e.p.text(n)
	st := 0
	if n.simple {
		st = simpleStyle(s)
	} else {
		st = style(s, key)
	}
	return appendStyled(out, s, st, ind)
}

// appendStyled appends s in style st (plain, singleQuoted, doubleQuoted
// or a literal block scalar at indentation ind).
func appendStyled(out, s []byte, st, ind int) []byte {
	switch st {
	case plain:
		return append(out, s...)
	case singleQuoted:
		return appendSingle(out, s)
	case doubleQuoted:
		return appendDouble(out, s)
	default:
		return appendLiteral(out, s, ind)
	}
}

// appendSingle appends s single-quoted.
func appendSingle(out, s []byte) []byte {
	out = append(out, '\'')
	for {
		i := bytes.IndexByte(s, '\'')
		if i < 0 {
			break
		}
		out = append(out, s[:i+1]...)
		out = append(out, '\'')
		s = s[i+1:]
	}
	out = append(out, s...)
	return append(out, '\'')
}

const hexDigits = "0123456789ABCDEF"

// appendDouble appends s double-quoted, with escapes.
func appendDouble(out, s []byte) []byte {
	out = append(out, '"')
	start := 0 // of the bytes not yet copied
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if needsEscape(r) {
				out = append(out, s[start:i]...)
				out = append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
				start = i + size
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			i++
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		case '\t':
			out = append(out, '\\', 't')
		case '\r':
			out = append(out, '\\', 'r')
		default:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	out = append(out, s[start:]...)
	return append(out, '"')
}

// appendLiteral appends s, which has a newline, as a literal block scalar
// whose lines are at indentation ind: header, then each line on its own (empty
// lines without indentation), the last one not ended.
func appendLiteral(out, s []byte, ind int) []byte {
	out = append(out, '|')
	if s[0] == ' ' || s[0] == '\n' {
		out = append(out, '2')
	}
	n := len(s)
	switch {
	case s[n-1] != '\n':
		out = append(out, '-') // strip
	case n >= 2 && s[n-2] != '\n':
		s = s[:n-1] // clip: the one final newline is implied
	default:
		out = append(out, '+') // keep: the final newlines are empty lines
		s = s[:n-1]
	}
	for {
		out = append(out, '\n')
		i := bytes.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line = s[:i]
		}
		if len(line) > 0 {
			out = appendIndent(out, ind)
			out = append(out, line...)
		}
		if i < 0 {
			return out
		}
		s = s[i+1:]
	}
}
