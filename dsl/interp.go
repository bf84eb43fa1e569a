package dsl

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// Interp is one ${...} reference inside a string literal.
type Interp struct {
	Path  string     // the dotted text between ${ and }, trimmed
	Range diag.Range // the whole ${...}
}

// Interpolations lists the ${...} references of a string literal with their
// exact source ranges. $${ is an escaped, literal ${. An unclosed ${ is
// returned with an empty path and Unclosed set.
func Interpolations(s *StringLit) (refs []Interp, unclosed []diag.Range) {
	if s == nil {
		return nil, nil
	}
	raw := s.Raw
	base := s.Pos
	// Walk the raw text keeping a position in step with it.
	pos := base
	advanceTo := func(from, to int) { pos.Advance(raw[from:to]) }
	last := 0
	if n := strings.Count(raw, "${"); n > 0 {
		refs = make([]Interp, 0, n) // one each, but for $${ and unclosed ones
	} else {
		return nil, nil
	}
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] != '$' {
			continue
		}
		if raw[i+1] == '$' && i+2 < len(raw) && raw[i+2] == '{' { // $${ escape
			i += 2
			continue
		}
		if raw[i+1] != '{' {
			continue
		}
		advanceTo(last, i)
		last = i
		start := pos
		end := strings.IndexByte(raw[i:], '}')
		if end < 0 || strings.ContainsAny(raw[i:i+end], "\n\"") || strings.Contains(raw[i+2:i+end], "${") {
			e := start
			e.Advance("${")
			unclosed = append(unclosed, Span{Pos: start, EndPos: e}.Range())
			continue
		}
		endPos := start
		endPos.Advance(raw[i : i+end+1])
		refs = append(refs, Interp{Path: strings.TrimSpace(raw[i+2 : i+end]), Range: Span{Pos: start, EndPos: endPos}.Range()})
		i += end
	}
	if len(refs) == 0 {
		refs = nil
	}
	return refs, unclosed
}

// Substitute replaces each ${path} in a string's value by repl(path), and
// each $${ by a literal ${.
func Substitute(value string, repl func(path string) string) string {
	if !strings.Contains(value, "${") {
		return value
	}
	if wholeReference(value) {
		return repl(strings.TrimSpace(value[2 : len(value)-1])) // not a copy of it
	}
	return substituteAll(value, repl)
}

// wholeReference reports whether a value is one ${path} and nothing else,
// which Substitute replaces by repl(path) itself.
func wholeReference(value string) bool {
	return len(value) >= 3 && value[0] == '$' && value[1] == '{' &&
		strings.IndexByte(value, '}') == len(value)-1 && !strings.Contains(value[2:], "${")
}

// substituteRoom is how much longer than its ${path} a replacement is
// taken to be: pipec's {{inputs.parameters.NAME}} for ${NAME} is 19 bytes
// longer, {{tasks.STEP.outputs.parameters.NAME}} for ${STEP.NAME} 26.
const substituteRoom = 24

// substituteAll is Substitute of a value that has ${ in it, built in one
// buffer with room for a replacement of each ${ about as long as pipec's.
func substituteAll(value string, repl func(path string) string) string {
	var b strings.Builder
	b.Grow(len(value) + substituteRoom*strings.Count(value, "${"))
	for i := 0; i < len(value); i++ {
		if value[i] == '$' && i+2 < len(value) && value[i+1] == '$' && value[i+2] == '{' {
			b.WriteString("${")
			i += 2
			continue
		}
		if value[i] == '$' && i+1 < len(value) && value[i+1] == '{' {
			if end := strings.IndexByte(value[i:], '}'); end > 0 && !strings.Contains(value[i+2:i+end], "${") {
				b.WriteString(repl(strings.TrimSpace(value[i+2 : i+end])))
				i += end
				continue
			}
		}
		b.WriteByte(value[i])
	}
	return b.String()
}

// PosAt converts a byte offset of src to a position.
func PosAt(filename string, src []byte, offset int) diag.Pos {
	p := lexer.Position{Filename: filename, Line: 1, Column: 1}
	if offset > len(src) {
		offset = len(src)
	}
	p.Advance(string(src[:offset]))
	return diag.Pos{Offset: p.Offset, Line: p.Line, Column: p.Column}
}

// ValueRange returns the source range of the bytes from..to of the
// string's value (to > from), and false when the value is not the literal
// text of the source (a double-quoted string with escapes), whose bytes
// then have no exact position.
func (s *StringLit) ValueRange(from, to int) (diag.Range, bool) {
	if s == nil {
		return diag.Range{}, false
	}
	content := s.Raw[s.ContentOffset() : len(s.Raw)-s.ContentOffset()]
	if content != s.Value() || from < 0 || to < from || to > len(content) {
		return diag.Range{}, false
	}
	start := s.Pos
	start.Advance(s.Raw[:s.ContentOffset()+from])
	end := start
	end.Advance(content[from:to])
	return Span{Pos: start, EndPos: end}.Range(), true
}
