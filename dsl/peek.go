package dsl

import (
	"reflect"
	"unsafe"

	"github.com/alecthomas/participle/v2/lexer"
)

// participle parses from a lexer.PeekingLexer, which lexer.Upgrade builds
// by appending every token, one at a time, to a new slice: for a large file
// that is a second copy of the tokens, grown step by step (about five times
// its final size allocated and copied, a quarter of all the memory parsing
// used). Parse already has every token in a slice of the right size, so it
// builds the PeekingLexer around that slice instead.
//
// PeekingLexer's fields are unexported; peekingLexer has the same layout,
// which is checked, field by field, when the package is initialised:
// peekingLexerOK is false if participle's type differs from it (another
// version of participle), or if a PeekingLexer built this way differs from
// lexer.Upgrade's on a sample, and newPeekingLexer then uses lexer.Upgrade.
type peekingLexer struct {
	rawCursor  lexer.RawCursor
	nextCursor lexer.RawCursor
	cursor     int
	tokens     []lexer.Token
	elide      map[lexer.TokenType]bool
}

// elided is the token types participle skips (participle.Elide in options);
// participle only reads the map.
var elided = map[lexer.TokenType]bool{wsType: true, commentType: true}

var peekingLexerOK = peekingLexerLayoutMatches() && peekingLexerSampleMatches()

// newPeekingLexer returns a PeekingLexer over toks (which must end with an
// EOF token), as lexer.Upgrade(TokenLexer(toks), wsType, commentType) would,
// without copying toks. The caller must not modify toks while the lexer is
// in use.
func newPeekingLexer(toks []lexer.Token) *lexer.PeekingLexer {
	if !peekingLexerOK {
		return upgrade(toks)
	}
	return fastPeekingLexer(toks)
}

func upgrade(toks []lexer.Token) *lexer.PeekingLexer {
	plex, err := lexer.Upgrade(&sliceLexer{toks: toks}, wsType, commentType)
	if err != nil { // cannot happen: the slice lexer never fails
		panic(err)
	}
	return plex
}

func fastPeekingLexer(toks []lexer.Token) *lexer.PeekingLexer {
	p := &peekingLexer{tokens: toks, elide: elided}
	// As Upgrade does: the next token is the first one not elided.
	for t := &toks[p.nextCursor]; !t.EOF() && elided[t.Type]; t = &toks[p.nextCursor] {
		p.nextCursor++
	}
	return (*lexer.PeekingLexer)(unsafe.Pointer(p))
}

// peekingLexerLayoutMatches reports whether lexer.PeekingLexer has exactly
// the fields of peekingLexer, with the same names, types and offsets.
func peekingLexerLayoutMatches() bool {
	type field struct {
		name   string
		typ    reflect.Type
		offset uintptr
	}
	flatten := func(t reflect.Type) []field {
		var out []field
		var walk func(t reflect.Type, base uintptr)
		walk = func(t reflect.Type, base uintptr) {
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if f.Anonymous && f.Type.Kind() == reflect.Struct {
					walk(f.Type, base+f.Offset)
					continue
				}
				out = append(out, field{f.Name, f.Type, base + f.Offset})
			}
		}
		walk(t, 0)
		return out
	}
	theirs, ours := reflect.TypeFor[lexer.PeekingLexer](), reflect.TypeFor[peekingLexer]()
	if theirs.Size() != ours.Size() || theirs.Align() != ours.Align() {
		return false
	}
	a, b := flatten(theirs), flatten(ours)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// peekingLexerSampleMatches compares the two ways of building a
// PeekingLexer on a source with elided tokens first, and after moving both
// through it.
func peekingLexerSampleMatches() bool {
	toks, _, _ := lex("sample.pipe", []byte("  // c\n\tpipeline p { // d\n step a { run [\"x\"] } }\n"))
	a, b := upgrade(toks), fastPeekingLexer(toks)
	for {
		if !reflect.DeepEqual(a, b) {
			return false
		}
		ta, tb := a.Next(), b.Next()
		if *ta != *tb {
			return false
		}
		if ta.EOF() {
			return reflect.DeepEqual(a, b)
		}
	}
}
