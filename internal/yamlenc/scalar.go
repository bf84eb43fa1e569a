package yamlenc

import (
	"bytes"
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

// nonString reports whether the plain scalar s could be read as something
// other than a string by YAML 1.1 or 1.2 resolvers: a boolean (any case of
// y, n, yes, no, on, off, true, false), a null (null, ~), a merge key or
// value indicator (<<, =), an infinity or not-a-number, anything made of
// digits, hex digits, signs, dots, colons and underscores that has a digit
// (integers of any base, floats, base-60 numbers, dates), or a timestamp
// (four digits and a dash).
func nonString(s []byte) bool {
	if !mayNotBeString[s[0]] {
		return false
	}
	if len(s) <= 9 {
		var low [9]byte
		for i, c := range s {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		w := low[:len(s)]
		if w[0] == '+' || w[0] == '-' {
			w = w[1:]
		}
		if len(w) > 0 && w[0] == '.' {
			w = w[1:]
		}
		switch string(w) {
		case "inf", "infinity", "nan":
			return true
		}
		switch string(low[:len(s)]) {
		case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "<<", "=":
			return true
		}
	}
	c := s[0]
	if !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
		return false
	}
	if len(s) >= 5 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-' {
		return true
	}
	digit := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == 'x', c == 'X', c == 'o', c == 'O',
			c == '_', c == '.', c == ':', c == '+', c == '-':
		default:
			return false
		}
	}
	return digit
}

// mayNotBeString[c] is true for the first bytes of the strings nonString
// may report.
var mayNotBeString [256]bool

func init() {
	for _, c := range []byte("0123456789+-.~<=yYnNoOtTfFiI") {
		mayNotBeString[c] = true
	}
}

// scalar writes the string s, a key or a value; a multi-line value whose
// lines are at indentation ind is written as a literal block scalar (its
// last line not ended).
func (e *encoder) scalar(s []byte, key bool, ind int) {
	switch style(s, key) {
	case plain:
		e.out = append(e.out, s...)
	case singleQuoted:
		e.out = append(e.out, '\'')
		for {
			i := bytes.IndexByte(s, '\'')
			if i < 0 {
				break
			}
			e.out = append(e.out, s[:i+1]...)
			e.out = append(e.out, '\'')
			s = s[i+1:]
		}
		e.out = append(e.out, s...)
		e.out = append(e.out, '\'')
	case doubleQuoted:
		e.double(s)
	case literal:
		e.literal(s, ind)
	}
}

const hexDigits = "0123456789ABCDEF"

func (e *encoder) double(s []byte) {
	out := append(e.out, '"')
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
	e.out = append(out, '"')
}

// literal writes s, which has a newline, as a literal block scalar whose
// lines are at indentation ind: header, then each line on its own (empty
// lines without indentation), the last one not ended.
func (e *encoder) literal(s []byte, ind int) {
	e.out = append(e.out, '|')
	if s[0] == ' ' || s[0] == '\n' {
		e.out = append(e.out, '2')
	}
	n := len(s)
	switch {
	case s[n-1] != '\n':
		e.out = append(e.out, '-') // strip
	case n >= 2 && s[n-2] != '\n':
		s = s[:n-1] // clip: the one final newline is implied
	default:
		e.out = append(e.out, '+') // keep: the final newlines are empty lines
		s = s[:n-1]
	}
	for {
		e.out = append(e.out, '\n')
		i := bytes.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line = s[:i]
		}
		if len(line) > 0 {
			e.indent(ind)
			e.out = append(e.out, line...)
		}
		if i < 0 {
			return
		}
		s = s[i+1:]
	}
}
