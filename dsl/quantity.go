package dsl

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Quantity is a number with a suffix written without quotes, touching it:
// a Kubernetes quantity (`memory 1Gi`, `cpu 1.5`... the suffix is what
// makes it one: `512Mi`, `2G`, `1e3`), or a duration with a unit pipec does
// not know (`10y`). The lexer makes such text two tokens, a number and a
// name; Quantity joins them, so the checker can accept it or say at the
// whole value what is wrong. A number with a duration unit alone (`500m`)
// stays a Duration.
type Quantity struct {
	Span
	Text string `parser:""`
}

var (
	intType      = tokenTypes["Int"]
	floatType    = tokenTypes["Float"]
	durationType = tokenTypes["Duration"]
)

// Parse implements participle.Parseable: a number token then, with nothing
// between them, a name token.
func (q *Quantity) Parse(lex *lexer.PeekingLexer) error {
	cp := lex.MakeCheckpoint()
	num := *lex.Peek()
	if num.Type != intType && num.Type != floatType && num.Type != durationType {
		return participle.NextMatch
	}
	lex.Next()
	suffix := lex.Peek()
	if suffix.Type != identType || suffix.Pos.Offset != num.Pos.Offset+len(num.Value) {
		lex.LoadCheckpoint(cp)
		return participle.NextMatch
	}
	lex.Next()
	q.Text = num.Value + suffix.Value
	q.Pos = num.Pos
	q.EndPos = suffix.Pos
	q.EndPos.Advance(suffix.Value)
	return nil
}
