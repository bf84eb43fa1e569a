package dsl

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// FastLexer is the lexer the parser uses: a hand-written equivalent of
// regexLexer, the language's token rules as participle regexps (in
// parser.go). participle's regexp lexer tries every rule's regexp at every
// token and runs at about 1 MB/s, slower on large files; this one reads each
// byte once. It produces the same tokens, with the same types, values and
// positions; TestFastLexerMatchesRules and FuzzFastLexer check that on every
// test file, example and fuzz input, so a change to the rules must be made
// in both places.
type FastLexer struct {
	symbols map[string]lexer.TokenType
	types   [numRules]lexer.TokenType
}

// The rules, in the order of regexLexer: the first rule that matches wins.
const (
	ruleComment = iota
	ruleWhitespace
	ruleTripleString
	ruleUnterminatedTriple
	ruleString
	ruleUnterminated
	ruleRawString
	ruleUnterminatedRaw
	ruleDuration
	ruleFloat
	ruleInt
	ruleIdent
	rulePunct
	ruleInvalid
	numRules
)

var ruleNames = [numRules]string{"Comment", "Whitespace", "TripleString", "UnterminatedTriple", "String", "Unterminated",
	"RawString", "UnterminatedRaw", "Duration", "Float", "Int", "Ident", "Punct", "Invalid"}

// newFastLexer takes its token types from the rules' definition, so both
// lexers agree on them.
func newFastLexer(rules lexer.Definition) *FastLexer {
	d := &FastLexer{symbols: rules.Symbols()}
	for i, name := range ruleNames {
		t, ok := d.symbols[name]
		if !ok {
			panic("dsl: no lexer rule " + name)
		}
		d.types[i] = t
	}
	if len(d.symbols) != numRules+1 { // the rules and EOF
		panic("dsl: the lexer rules and FastLexer differ")
	}
	return d
}

// Symbols implements lexer.Definition.
func (d *FastLexer) Symbols() map[string]lexer.TokenType { return d.symbols }

// Lex implements lexer.Definition.
func (d *FastLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return nil, err
	}
	return d.LexString(filename, b.String())
}

// LexString implements lexer.StringDefinition.
func (d *FastLexer) LexString(filename, s string) (lexer.Lexer, error) {
	return &fastLexer{def: d, data: s, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}, nil
}

// LexBytes implements lexer.BytesDefinition.
func (d *FastLexer) LexBytes(filename string, b []byte) (lexer.Lexer, error) {
	return d.LexString(filename, string(b))
}

type fastLexer struct {
	def  *FastLexer
	data string // what is left to read
	pos  lexer.Position
}

// Next implements lexer.Lexer. It never fails: every character starts some
// token (Invalid matches any but a newline, which is Whitespace).
func (l *fastLexer) Next() (lexer.Token, error) {
	if l.data == "" {
		return lexer.EOFToken(l.pos), nil
	}
	rule, n := matchRule(l.data)
	span := l.data[:n]
	l.data = l.data[n:]
	pos := l.pos
	l.pos.Advance(span)
	return lexer.Token{Type: l.def.types[rule], Value: span, Pos: pos}, nil
}

// matchRule returns the rule that matches at the start of s (not empty) and
// the length of its match, as the regexps of regexLexer would: each is
// anchored, leftmost-first, and the first rule that matches wins.
func matchRule(s string) (rule, n int) {
	c := s[0]
	switch {
	case c == '/' && len(s) > 1 && s[1] == '/': // Comment: //[^\n]*
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			return ruleComment, i
		}
		return ruleComment, len(s)
	case lxSpace(c): // Whitespace: [ \t\r\n]+
		i := 1
		for i < len(s) && lxSpace(s[i]) {
			i++
		}
		return ruleWhitespace, i
	case c == '"':
		if strings.HasPrefix(s, `"""`) {
			// TripleString: """(?s:.*?)""" (the shortest), else
			// UnterminatedTriple: """(?s:.*), the rest of the input.
			if i := strings.Index(s[3:], `"""`); i >= 0 {
				return ruleTripleString, 3 + i + 3
			}
			return ruleUnterminatedTriple, len(s)
		}
		// String: "(\\.|[^"\\\n])*", else Unterminated: "(\\.|[^"\\\n])*.
		// A backslash only ever starts an escape and '.' is any character
		// but a newline, so the loop is deterministic: there is nothing for
		// the regexp to backtrack to.
		i := 1
		for i < len(s) {
			switch s[i] {
			case '"':
				return ruleString, i + 1
			case '\n':
				return ruleUnterminated, i
			case '\\':
				if i+1 < len(s) && s[i+1] != '\n' {
					i += 2 // the rest of a multi-byte rune is [^"\\\n]
					continue
				}
				return ruleUnterminated, i
			default:
				i++
			}
		}
		return ruleUnterminated, i
	case c == '`': // RawString: `[^`]*`, else UnterminatedRaw: `[^`]*
		if i := strings.IndexByte(s[1:], '`'); i >= 0 {
			return ruleRawString, 1 + i + 1
		}
		return ruleUnterminatedRaw, len(s)
	case lxDigit(c):
		if n := lxDurationLen(s); n > 0 {
			return ruleDuration, n
		}
		return lxNumber(s, 0)
	case c == '-' && len(s) > 1 && lxDigit(s[1]):
		return lxNumber(s, 1)
	case lxLetter(c) || c == '_': // Ident: [a-zA-Z_][a-zA-Z0-9_-]*
		i := 1
		for i < len(s) && (lxLetter(s[i]) || lxDigit(s[i]) || s[i] == '_' || s[i] == '-') {
			i++
		}
		return ruleIdent, i
	case (c == '|' || c == '&') && len(s) > 1 && s[1] == c: // Punct: \|\||&&
		return rulePunct, 2
	case strings.IndexByte("{}[](),=:.", c) >= 0: // Punct: [{}\[\](),=:.]
		return rulePunct, 1
	}
	// Invalid: one character (an invalid UTF-8 byte is one character, as
	// for regexp).
	_, w := utf8.DecodeRuneInString(s)
	return ruleInvalid, w
}

// lxDurationLen is the length of the Duration match at the start of s, or 0:
// [0-9]+(ms|s|m|h|d)([0-9]+(ms|s|m|h|d))*. Digits are greedy and "ms" is
// tried before "m"; an iteration that fails ends the match where it was.
func lxDurationLen(s string) int {
	n := 0
	for {
		i := n
		for i < len(s) && lxDigit(s[i]) {
			i++
		}
		if i == n || i == len(s) {
			return n
		}
		switch {
		case strings.HasPrefix(s[i:], "ms"):
			n = i + 2
		case s[i] == 's' || s[i] == 'm' || s[i] == 'h' || s[i] == 'd':
			n = i + 1
		default:
			return n
		}
	}
}

// lxNumber matches Float (-?[0-9]+\.[0-9]+), else Int (-?[0-9]+), at the
// start of s, whose digits start at from (after a '-', if any).
func lxNumber(s string, from int) (rule, n int) {
	i := from
	for i < len(s) && lxDigit(s[i]) {
		i++
	}
	if i+1 < len(s) && s[i] == '.' && lxDigit(s[i+1]) {
		j := i + 1
		for j < len(s) && lxDigit(s[j]) {
			j++
		}
		return ruleFloat, j
	}
	return ruleInt, i
}

func lxSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
func lxDigit(c byte) bool  { return '0' <= c && c <= '9' }
func lxLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// advance moves pos past span, a token of rule, as pos.Advance(span)
// does: names, numbers and punctuation are ASCII on one line, so only
// their length counts; blanks, strings and the rest go through Advance
// (sameAdvance, in every lexer test).
func advance(pos *lexer.Position, rule int, span string) {
	switch rule {
	case ruleIdent, rulePunct, ruleInt, ruleFloat, ruleDuration:
		pos.Offset += len(span)
		pos.Column += len(span)
	case ruleWhitespace:
		i := strings.LastIndexByte(span, '\n')
		if i < 0 {
			pos.Offset += len(span)
			pos.Column += len(span)
			return
		}
		pos.Offset += len(span)
		pos.Line += strings.Count(span, "\n")
		pos.Column = len(span) - i // the blanks are ASCII
	default:
		pos.Advance(span)
	}
}
