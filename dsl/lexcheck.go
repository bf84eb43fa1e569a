package dsl

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// checkTokens is the lexical checking of a file's tokens (ending with
// EOF), after they are made: it reports the invalid escapes of every
// double-quoted string (checkEscapes) and every run of adjacent unexpected
// characters, once a run, and caps the nesting of brackets (capNesting),
// which may replace tokens. It returns the tokens to parse.
func checkTokens(src string, toks []lexer.Token, diags *diag.Diagnostics) []lexer.Token {
	invalid := Lexer.types[ruleInvalid]
	str := Lexer.types[ruleString]
	for i := 0; i < len(toks); i++ {
		switch toks[i].Type {
		case str:
			checkEscapes(toks[i], diags)
		case invalid:
			j := i + 1
			for j < len(toks) && toks[j].Type == invalid && toks[j].Pos.Offset == toks[j-1].Pos.Offset+len(toks[j-1].Value) {
				j++
			}
			reportInvalid(toks[i:j], diags)
			i = j - 1
		}
	}
	return capNesting(src, toks, diags)
}

// maxQuoted is the most characters of a run of unexpected characters
// quoted in its message.
const maxQuoted = 16

// reportInvalid reports a run of adjacent unexpected characters as one
// error, with a hint for the characters that come from word processors and
// keyboards (curly quotes, non-breaking spaces) and for other non-ASCII.
func reportInvalid(run []lexer.Token, diags *diag.Diagnostics) {
	var text strings.Builder
	for _, t := range run {
		text.WriteString(t.Value)
	}
	s := text.String()
	first, last := run[0], run[len(run)-1]
	end := last.Pos
	end.Advance(last.Value)
	r := Span{Pos: first.Pos, EndPos: end}.Range()
	var d *diag.Diagnostic
	if len(run) == 1 {
		d = diags.Errorf(r, "unexpected character %q", s)
	} else {
		quoted := s
		if utf8.RuneCountInString(s) > maxQuoted {
			quoted = string([]rune(s)[:maxQuoted]) + "..."
		}
		d = diags.Errorf(r, "unexpected characters %q", quoted)
	}
	d.Hint = invalidHint(s)
}

// invalidHint says what to do about unexpected characters, or "".
func invalidHint(s string) string {
	for _, c := range s {
		switch c {
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb':
			return `replace the curly quote with " (strings take straight double quotes)`
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032':
			return "replace the curly quote with \" (strings take straight double quotes, or back quotes: `...`)"
		case '\u00a0', '\u2007', '\u202f', '\u2060', '\ufeff', '\u3000', '\u200b':
			return fmt.Sprintf("replace the invisible %s (U+%04X) with an ordinary space", spaceName(c), c)
		}
		if '\u2000' <= c && c <= '\u200a' {
			return fmt.Sprintf("replace the %s (U+%04X) with an ordinary space", spaceName(c), c)
		}
	}
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return `names are ASCII letters, digits, '_' and '-': put other text in a quoted string`
		}
	}
	return ""
}

func spaceName(c rune) string {
	switch c {
	case '\u00a0', '\u2007', '\u202f':
		return "non-breaking space"
	case '\u200b', '\u2060', '\ufeff':
		return "zero-width character"
	}
	return "wide space"
}
