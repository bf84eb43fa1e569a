package dsl

import (
	"fmt"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// MaxNesting is the deepest nesting of brackets ([ ], { } and ( ), blocks
// included) the parser accepts. participle parses nested values by
// recursion, and without a cap a file of 150,000 '[' overflows the stack
// and kills the process (pipec watch and pipec lsp with it).
const MaxNesting = 100

// capNesting reports each bracket that opens a level beyond MaxNesting, and
// replaces it and everything up to its matching closing bracket (or the end
// of the file) with one Invalid token covering that text, so the parser
// never descends into it. The statement around it is then a bad statement
// that the diagnostic already covers. toks ends with EOF; the result does too.
func capNesting(src string, toks []lexer.Token, diags *diag.Diagnostics) []lexer.Token {
	depth := 0
	for i := range toks {
		if toks[i].Type == punctType && isOpener(toks[i].Value) {
			depth++
			if depth > MaxNesting {
				return cutNested(src, toks, i, diags)
			}
		} else if toks[i].Type == punctType && isCloser(toks[i].Value) && depth > 0 {
			depth--
		}
	}
	return toks
}

// cutNested does capNesting's work from toks[i], the first opener too deep,
// on: it copies the tokens, cutting each too deep region.
func cutNested(src string, toks []lexer.Token, i int, diags *diag.Diagnostics) []lexer.Token {
	out := append(make([]lexer.Token, 0, len(toks)), toks[:i]...)
	depth := MaxNesting
	for i < len(toks) {
		t := toks[i]
		switch {
		case t.Type == punctType && isOpener(t.Value) && depth == MaxNesting:
			j, inner := i+1, 1 // find the closer that matches t
			for ; j < len(toks)-1 && inner > 0; j++ {
				if toks[j].Type == punctType && isOpener(toks[j].Value) {
					inner++
				} else if toks[j].Type == punctType && isCloser(toks[j].Value) {
					inner--
				}
			}
			end := len(src)
			if j < len(toks)-1 || !toks[j].EOF() {
				end = toks[j].Pos.Offset
			}
			cut := lexer.Token{Type: Lexer.types[ruleInvalid], Value: src[t.Pos.Offset:end], Pos: t.Pos}
			d := diags.Errorf(tokenRange(lexer.Token{Value: t.Value, Pos: t.Pos}),
				"too deeply nested: more than %d levels of brackets", MaxNesting)
			d.Hint = fmt.Sprintf("pipec accepts at most %d nested [ ], { } and ( ); flatten the value", MaxNesting)
			out = append(out, cut)
			i = j
			continue
		case t.Type == punctType && isOpener(t.Value):
			depth++
		case t.Type == punctType && isCloser(t.Value) && depth > 0:
			depth--
		}
		out = append(out, t)
		i++
	}
	return out
}

func isOpener(v string) bool { return v == "[" || v == "{" || v == "(" }
func isCloser(v string) bool { return v == "]" || v == "}" || v == ")" }
