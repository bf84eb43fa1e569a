package dsl

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// Parser errors come from participle in the grammar's terms: "unexpected
// token "{" (expected Dep ("," Dep)*)". explain rewrites them in the
// language's: what was expected, in words, and a did-you-mean when the
// unexpected token is a name close to a keyword.

// productionWords names the grammar's productions for users.
var productionWords = map[string]string{
	"Dep": "a step name", "Dependency": "a step name", "DepAnd": "a step name", "DepTerm": "a step name", "SubStep": "step", "Ident": "a name", "Key": "a name or a quoted string",
	"Value": "a value", "StringLit": "a quoted string", "ListLit": "a list [...]",
	"MapLit": "a map {...}", "MapEntry": "an entry key: value", "Call": `a call such as file("/path") or pvc("claim")`,
	"Path": "a reference", "Arg": "an argument name = value", "TParam": "a parameter name: type",
	"StepClause": "a step clause (for, after, when, uses)", "StepItem": "a step statement",
	"PipelineItem": "a pipeline statement", "RetryOption": "a retry option (backoff, factor, max, cap, policy, when)",
	"Quantity": "a quantity", "RefTarget": `ref("...", "...")`, "LoopClause": `for`, "AfterClause": `after`,
	"UsesClause": "uses", "Import": `import`, "Pipeline": `pipeline`, "TemplateDecl": `template`,
}

var expectedRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*) \(expected (.*)\)$`) })

// explain improves d, a parser error in the bad statement b.
func explain(d *diag.Diagnostic, b *BadStmt, keywords []string, where string) {
	var expected []string
	if m := expectedRE().FindStringSubmatch(d.Message); m != nil {
		expected = firstAtoms(m[2])
		d.Message = m[1]
		if words := describe(expected); words != "" {
			d.Message += " (expected " + words + ")"
		}
	}
	i := tokenAt(b.Tokens, d.Range.Start.Offset)
	if i < 0 {
		return
	}
	t := b.Tokens[i]
	// A number touching a name where a name is expected: 1BAD.
	if (t.Type == intType || t.Type == floatType || t.Type == durationType) && i+1 < len(b.Tokens) &&
		b.Tokens[i+1].Type == identType && b.Tokens[i+1].Pos.Offset == t.Pos.Offset+len(t.Value) && expectsName(expected) {
		name := t.Value + b.Tokens[i+1].Value
		d.Message = fmt.Sprintf("invalid name %q: a name starts with a letter or '_'", name)
		d.Range = tokenRange(lexer.Token{Value: name, Pos: t.Pos})
		d.Hint = "names are letters, digits, '_' and '-', starting with a letter or '_'"
		return
	}
	if t.Type != identType || d.Hint != "" {
		return
	}
	// participle reports an optional clause that broke inside at the
	// clause's start: in `on exitt step e`, at "on". The misspelt word is
	// the next one.
	if contains(grammarKeywords(), t.Value) && i+1 < len(b.Tokens) {
		next := b.Tokens[i+1]
		if s := diag.Suggest(next.Value, grammarKeywords()); next.Type == identType && s != "" && !contains(grammarKeywords(), next.Value) {
			d.Range = tokenRange(next)
			d.Message = fmt.Sprintf("unexpected token %q after %q", next.Value, t.Value)
			d.Hint = fmt.Sprintf("did you mean %q?", s)
			return
		}
	}
	var literals []string
	for _, e := range expected {
		if strings.HasPrefix(e, `"`) {
			literals = append(literals, strings.Trim(e, `"`))
		}
	}
	if s := diag.Suggest(t.Value, literals); s != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", s)
		return
	}
	if contains(grammarKeywords(), t.Value) {
		return // a keyword out of place: the message says what was expected
	}
	stmt, option := diag.Suggest(t.Value, keywords), diag.Suggest(t.Value, grammarKeywords())
	if stmt != "" && option != "" && option != stmt && diag.Suggest(t.Value, []string{stmt, option}) == option {
		stmt = "" // closer to an option than to a statement: timezon
	}
	if s := stmt; s != "" && i > 0 {
		// A statement keyword, misspelt, after another statement on the line.
		d.Message = fmt.Sprintf("unknown statement %q %s", t.Value, where)
		d.Hint = fmt.Sprintf("did you mean %q?", s)
		return
	}
	if option != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", option)
	}
}

func tokenAt(toks []lexer.Token, offset int) int {
	for i, t := range toks {
		if t.Pos.Offset == offset {
			return i
		}
	}
	return -1
}

func expectsName(expected []string) bool {
	for _, e := range expected {
		if e == "Ident" || e == "Key" || e == "Dep" || e == "Dependency" || e == "TParam" || e == "Arg" {
			return true
		}
	}
	return false
}

// describe says the expected atoms in words: "a step name", `"in"`,
// `"}" or a step statement`; "" if one of them has no words.
func describe(atoms []string) string {
	var words []string
	seen := map[string]bool{}
	for _, a := range atoms {
		w := a
		if !strings.HasPrefix(a, `"`) {
			if w = productionWords[a]; w == "" {
				return ""
			}
		}
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// firstAtoms returns the atoms (quoted literals and production names) that
// can come first in participle's text of an expected grammar expression,
// such as `Dep ("," Dep)*` (Dep) or `(("off" | "on") ("max_age" Value)?) |
// ("max_age" Value)` ("off", "on", "max_age").
func firstAtoms(expr string) []string {
	toks := grammarTokenRE().FindAllString(expr, -1)
	p := &exprParser{toks: toks}
	first, _ := p.alt()
	return first
}

var grammarTokenRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"(?:\\.|[^"\\])*"|<\w+>|\w+|[()|?*+]`) })

type exprParser struct {
	toks []string
	i    int
}

func (p *exprParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

// alt parses seq ("|" seq)*: its first atoms, and whether it may be empty.
func (p *exprParser) alt() ([]string, bool) {
	first, empty := p.seq()
	for p.peek() == "|" {
		p.i++
		f, e := p.seq()
		first, empty = append(first, f...), empty || e
	}
	return first, empty
}

// seq parses a sequence of terms up to "|" or ")".
func (p *exprParser) seq() ([]string, bool) {
	var first []string
	empty := true
	for t := p.peek(); t != "" && t != "|" && t != ")"; t = p.peek() {
		var f []string
		var e bool
		if t == "(" {
			p.i++
			f, e = p.alt()
			if p.peek() == ")" {
				p.i++
			}
		} else {
			p.i++
			f = []string{t}
		}
		if q := p.peek(); q == "?" || q == "*" || q == "+" {
			p.i++
			e = e || q != "+"
		}
		if empty {
			first = append(first, f...)
			empty = e
		}
	}
	return first, empty
}

// grammarKeywords are the keywords of the whole grammar (statement, clause
// and option keywords alike), read from the grammar itself.
var grammarKeywords = sync.OnceValue(func() []string {
	set := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([a-z_]+)"`).FindAllStringSubmatch(Parser().String(), -1) {
		set[m[1]] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
})
