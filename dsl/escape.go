package dsl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// checkEscapes reports every escape of a "double quoted" string token that
// strconv.Unquote would reject (`\d`, `\w`, `\'`, `\x4`, ...), each at the
// escape itself. Without it such a string would lex as a String, fail to
// unquote, and silently become "".
func checkEscapes(t lexer.Token, diags *diag.Diagnostics) {
	s := t.Value
	if len(s) < 2 || !strings.Contains(s, `\`) {
		return
	}
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); {
		if body[i] != '\\' {
			i++
			continue
		}
		_, _, tail, err := strconv.UnquoteChar(body[i:], '"')
		if err == nil {
			i = len(body) - len(tail)
			continue
		}
		n := escapeLen(body[i:])
		start := t.Pos
		start.Advance(s[:1+i])
		end := start
		end.Advance(body[i : i+n])
		d := diags.Errorf(Span{Pos: start, EndPos: end}.Range(), "invalid escape %s in a string", body[i:i+n])
		d.Hint = escapeHint(body[i : i+n])
		i += n
	}
}

// escapeLen is the length of the escape at the start of s (which starts
// with a backslash) as a reader sees it: the backslash and the character
// after it, and for \x, \u, \U and octal escapes the hex or octal digits
// that follow, up to the escape's full length.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	digits, isDigit := 0, func(byte) bool { return false }
	switch c := s[1]; {
	case c == 'x':
		digits, isDigit = 2, isHex
	case c == 'u':
		digits, isDigit = 4, isHex
	case c == 'U':
		digits, isDigit = 8, isHex
	case '0' <= c && c <= '7':
		return 2 + countWhile(s[2:], 2, func(b byte) bool { return '0' <= b && b <= '7' })
	case c >= 0x80: // a whole multi-byte character
		_, w := utf8.DecodeRuneInString(s[1:])
		return 1 + w
	}
	return 2 + countWhile(s[2:], digits, isDigit)
}

func countWhile(s string, max int, ok func(byte) bool) int {
	n := 0
	for n < len(s) && n < max && ok(s[n]) {
		n++
	}
	return n
}

func isHex(b byte) bool {
	return ('0' <= b && b <= '9') || ('a' <= b && b <= 'f') || ('A' <= b && b <= 'F')
}

var hexDigits = map[byte]int{'x': 2, 'u': 4, 'U': 8}

// escapeHint says how to write what the user most likely meant.
func escapeHint(esc string) string {
	switch {
	case esc == `\'`:
		return `a ' needs no backslash in a "..." string: write ' alone`
	case len(esc) >= 2 && strings.ContainsRune("xuU", rune(esc[1])):
		if n := hexDigits[esc[1]]; len(esc) == 2+n {
			return fmt.Sprintf("%s is not a Unicode character (a surrogate, or beyond U+10FFFF)", esc)
		}
		return fmt.Sprintf(`%s needs %d hex digits; for a backslash write \\, or use a raw string: `+"`...`", esc[:2], hexDigits[esc[1]])
	case len(esc) >= 2 && '0' <= esc[1] && esc[1] <= '7':
		return `an octal escape needs 3 digits (\101); for a backslash write \\, or use a raw string: ` + "`...`"
	}
	return fmt.Sprintf(`write \%s for a backslash, or use a raw string: `+"`...`"+` (regular expressions, Windows paths)`, esc)
}
