package dsl

import (
	"bufio"
	"bytes"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// lexWith returns every token of src, EOF included.
func lexWith(t testing.TB, def lexer.StringDefinition, src string) []lexer.Token {
	t.Helper()
	lx, err := def.LexString("f.pipe", src)
	if err != nil {
		t.Fatal(err)
	}
	var toks []lexer.Token
	for {
		tok, err := lx.Next()
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		toks = append(toks, tok)
		if tok.EOF() {
			return toks
		}
	}
}

// sameTokens fails unless both lexers give the same tokens for src.
func sameTokens(t testing.TB, name, src string) {
	t.Helper()
	sameAdvance(t, name, src)
	want := lexWith(t, regexLexer, src)
	got := lexWith(t, Lexer, src)
	if reflect.DeepEqual(got, want) {
		return
	}
	names := lexer.SymbolsByRune(regexLexer)
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("%s: token %d: FastLexer gives %s %q at %v, the rules give %s %q at %v",
				name, i, names[got[i].Type], got[i].Value, got[i].Pos, names[want[i].Type], want[i].Value, want[i].Pos)
		}
	}
	t.Fatalf("%s: FastLexer gives %d tokens, the rules %d", name, len(got), len(want))
}

// sameAdvance fails unless advance, lex's shortcut for the position after
// each token, gives Position.Advance's position after every token of src
// (through sameTokens, on every input of the lexer tests).
func sameAdvance(t testing.TB, name, src string) {
	t.Helper()
	want := lexer.Position{Filename: "f.pipe", Line: 1, Column: 1}
	got := want
	for s := src; s != ""; {
		rule, k := matchRule(s)
		span := s[:k]
		s = s[k:]
		want.Advance(span)
		advance(&got, rule, span)
		if got != want {
			t.Fatalf("%s: after %s %q: advance gives %v, Position.Advance %v", name, ruleNames[rule], span, got, want)
		}
	}
}

// lexerCorpus is every source text the repository has: .pipe files, test
// archives, the formatter's and the fuzzers' inputs, and hand-picked edge
// cases of each rule.
func lexerCorpus(t testing.TB) map[string]string {
	corpus := map[string]string{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != ".." && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		inFuzz := strings.Contains(filepath.ToSlash(p), "/testdata/fuzz/")
		switch {
		case strings.HasSuffix(p, ".pipe"), strings.HasSuffix(p, ".txtar"), inFuzz:
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		corpus[p] = string(b)
		if inFuzz { // the values of a "go test fuzz v1" file
			sc := bufio.NewScanner(bytes.NewReader(b))
			for i := 0; sc.Scan(); i++ {
				line := sc.Text()
				for _, prefix := range []string{"string(", "[]byte("} {
					if v, ok := strings.CutPrefix(line, prefix); ok {
						if s, err := strconv.Unquote(strings.TrimSuffix(v, ")")); err == nil {
							corpus[p+":"+strconv.Itoa(i)] = s
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range lexerEdgeCases {
		corpus["edge case "+strconv.Itoa(i)] = s
	}
	return corpus
}

var lexerEdgeCases = []string{
	"", " ", "\n", "\t\r\n  x", "/", "//", "// c", "// c\nx", "/x", "a/b",
	`"`, `""`, `"a"`, `"a`, "\"a\n\"", `"\"`, `"\""`, `"\\"`, "\"\\\n\"", `"a\`, `"\é"`, "\"\\\xff\"", "\"\xff\"",
	`"""`, `""""`, `"""""`, `""""""`, `"""""""`, `"""a"""`, `"""a""""`, "\"\"\"\na\n\"\"\"", `"""a`, `"""a""`,
	"`", "``", "`a`", "`a", "`a\nb`", "``x`",
	"0", "10", "-", "-1", "--1", "1-", "1.", "1.5", "-1.5", "1.5.5", ".5", "1..5", "-.5",
	"1s", "1ms", "1m", "1msx", "1m5", "1m5s", "1h30m", "2d", "1mss", "1s1", "1sm", "1x", "5min", "1.5s", "-1s", "10s20", "1h2m3s4ms",
	"a", "_", "a-b", "a_b", "a1", "1a", "-a", "é", "aé", "\xff", "\x00", "{}[](),=:.", ";", "@#$%^&*", "a=b.c", "\u00a0",
	"step x for r in [{a: 1}] after y, z completed { run [\"a\", \"${b.c}\"] }",
}

// TestFastLexerMatchesRules checks that the parser's lexer gives exactly the
// tokens of the language's rules on every source text of the repository.
func TestFastLexerMatchesRules(t *testing.T) {
	var names []string
	for _, r := range regexLexer.Rules()["Root"] {
		names = append(names, r.Name)
	}
	if !reflect.DeepEqual(names, ruleNames[:]) {
		t.Fatalf("the lexer rules are %v; FastLexer has %v: update lexer_fast.go", names, ruleNames)
	}
	corpus := lexerCorpus(t)
	if len(corpus) < len(lexerEdgeCases)+10 {
		t.Fatalf("only %d inputs", len(corpus))
	}
	for name, src := range corpus {
		sameTokens(t, name, src)
	}
}

// TestFastLexerRandom compares the lexers on random strings made of the
// characters that matter to the rules.
func TestFastLexerRandom(t *testing.T) {
	pieces := []string{`"`, `"""`, `\`, "\n", " ", "`", "/", "//", "0", "1", "9", ".", "-", "_", "m", "s", "ms", "h", "d", "x",
		"{", "}", "é", "\xff", "$", "${", "a", "Z"}
	rng := rand.New(rand.NewSource(1))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := rng.Intn(12); k >= 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		sameTokens(t, strconv.Quote(b.String()), b.String())
	}
}

// FuzzFastLexer compares the lexers on any input.
func FuzzFastLexer(f *testing.F) {
	for _, src := range lexerCorpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sameTokens(t, "input", src)
	})
}
