package dsl

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The fast parsers (fastparse.go, fastparse_steps.go) against participle,
// statement by statement: at every token of every corpus source (and of
// mutations of them) where a fast parser applies, it either declines,
// leaving the lexer where it was, or returns what participle's production
// of that statement in the reference grammar (refOptions) returns, spans
// included, and leaves the lexer at the same token.

// refMember parses the production T of the reference grammar from lex.
func refMember[T any, G any](g *participle.Parser[G]) func(*lexer.PeekingLexer) (any, error) {
	p, err := participle.ParserForProduction[T](g)
	if err != nil {
		panic(err)
	}
	return func(lex *lexer.PeekingLexer) (any, error) {
		v, err := p.ParseFromLexer(lex, allowTrailing...)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}

// refFastMembers is, for each keyword a fast parser starts at, the
// reference parser of its statement.
var refFastMembers = map[string]func(*lexer.PeekingLexer) (any, error){
	"run":        refMember[RunStmt](refStrictStepParser),
	"args":       refMember[RunStmt](refStrictStepParser),
	"env":        refMember[EnvStmt](refStrictStepParser),
	"cpu":        refMember[ResourceStmt](refStrictStepParser),
	"memory":     refMember[ResourceStmt](refStrictStepParser),
	"gpu":        refMember[ResourceStmt](refStrictStepParser),
	"output":     refMember[OutputStmt](refStrictStepParser),
	"image":      refMember[ImageStmt](refStrictStepParser),
	"timeout":    refMember[TimeoutStmt](refStrictStepParser),
	"retry":      refMember[RetryStmt](refStrictStepParser),
	"script":     refMember[ScriptStmt](refStrictStepParser),
	"memoize":    refMember[MemoizeStmt](refStrictStepParser),
	"label":      refMember[LabelStmt](refStrictStepParser),
	"annotation": refMember[LabelStmt](refStrictStepParser),
	"step":       refMember[StepDecl](refStrictPipelineParser),
	"on":         refMember[StepDecl](refStrictPipelineParser),
}

// fastAt runs the fast parser of keyword kw from lex.
func fastAt(kw string, lex *lexer.PeekingLexer) (any, bool) {
	if kw == "step" || kw == "on" {
		c := &fastCursor{lex: lex, ok: true}
		cp := lex.MakeCheckpoint()
		s := fastStepDecl(c)
		if !c.ok {
			lex.LoadCheckpoint(cp)
			return nil, false
		}
		return s, true
	}
	return parseFastStep(lex)
}

// fastVsParticiple compares the fast parsers with participle at every token
// of src; it returns a description of the first difference and the number
// of statements the fast parsers accepted.
func fastVsParticiple(src []byte) (string, int) {
	toks, _, _ := lex("t.pipe", src)
	accepted := 0
	for i := range toks {
		t := toks[i]
		ref, ok := refFastMembers[t.Value]
		if !ok || t.Type == wsType || t.Type == commentType {
			continue
		}
		fl, rl := newPeekingLexer(toks[i:]), newPeekingLexer(toks[i:])
		start := fl.MakeCheckpoint()
		got, ok := fastAt(t.Value, fl)
		if !ok {
			if fl.MakeCheckpoint() != start {
				return fmt.Sprintf("%s: the fast parser declined and moved the lexer", t.Pos), accepted
			}
			continue
		}
		accepted++
		want, err := ref(rl)
		if err != nil {
			return fmt.Sprintf("%s: the fast parser accepted what participle rejects: %v", t.Pos, err), accepted
		}
		if d := firstDiff(reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem(), t.Value); d != "" {
			return fmt.Sprintf("%s: %s", t.Pos, d), accepted
		}
		if fl.MakeCheckpoint().RawCursor() != rl.MakeCheckpoint().RawCursor() {
			return fmt.Sprintf("%s: the fast parser stopped at %v, participle at %v", t.Pos, fl.RawPeek().Pos, rl.RawPeek().Pos), accepted
		}
	}
	return "", accepted
}

func TestFastParsersSameAsParticiple(t *testing.T) {
	files := referenceCorpus(t)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	r := rand.New(rand.NewSource(2))
	accepted, failures := 0, 0
	for _, name := range names {
		src := files[name]
		m := src
		for i := 0; i <= 12 && failures < 10; i++ {
			if i%4 == 0 {
				m = src
			}
			d, n := fastVsParticiple(m)
			accepted += n
			if d != "" {
				t.Errorf("%s (mutation %d):\n%s\n%s", name, i, m, d)
				failures++
			}
			m = mutate(r, m)
		}
	}
	// The comparison must have something to compare.
	if accepted < 1000 {
		t.Errorf("the fast parsers accepted only %d statements of the corpus", accepted)
	}
}

// FuzzFastParsersSameAsParticiple: the fast parsers agree with participle
// on any input.
func FuzzFastParsersSameAsParticiple(f *testing.F) {
	for _, src := range append(parseSeeds(f), hostileSeeds()...) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		src, _, ok := decodeSource("fuzz.pipe", src)
		if !ok {
			return
		}
		if d, _ := fastVsParticiple(src); d != "" {
			t.Fatal(d)
		}
	})
}

// fastParsedGrammar is the grammar the fast parsers implement: each struct
// they build, with its fields' participle tags. If a tag changes (another
// engineer extends a statement), this fails: change the fast parser of that
// statement with it, then this table.
var fastParsedGrammar = map[string]string{
	"Ident":        `Name:@Ident`,
	"StringLit":    `Raw:@(String | TripleString | RawString)`,
	"Key":          `Ident:  @Ident|Str:| @@`,
	"Value":        `Str:  @@|Quantity:| @@|Duration:| @Duration|Float:| @Float|Int:| @Int|Bool:| @('true' | 'false')|List:| @@|Map:| @@|Call:| @@|Path:| @@`,
	"Quantity":     `Text:`,
	"ListLit":      `Elems:'[' ( @@ ( ',' @@ )* ','? )? ']'`,
	"MapLit":       `Entries:'{' ( @@ ( ',' @@ )* ','? )? '}'`,
	"MapEntry":     `Key:@@ ':'|Value:@@`,
	"Call":         `Name:@@ '('|Args:( (?! Ident '=') @@ ( ',' (?! Ident '=') @@ )* )?|Named:( ','? @@ ( ',' @@ )* )? ','? ')'`,
	"Path":         `Parts:@@ ( '.' @@ )*`,
	"RunStmt":      `Kind:@('run' | 'args')|List:@@`,
	"EnvStmt":      `Name:'env' @@ '='|Value:@@`,
	"ResourceStmt": `Kind:@('cpu' | 'memory' | 'gpu')|LimitOnly:( 'limit' @@|Request:| @@|Limit:  ( 'limit' @@ )? )`,
	"OutputStmt":   `Name:'output' @@ '='|Source:@@|Default:( 'default' @@ )?|Enum:( 'one_of' @@ )?|Global:( 'global' @@ )?`,
	"ImageStmt":    `Image:'image' @@`,
	"TimeoutStmt":  `Value:'timeout' @@`,
	"RetryStmt":    `Off:'retry' ( @'off'|Limit:| @@|Options:  @@* )`,
	"RetryOption":  `Name:@('backoff' | 'factor' | 'max' | 'cap' | 'policy' | 'when')|Value:@@`,
	"ScriptStmt":   `Lang:'script' ( @@|Command:| @@ )|Source:@@`,
	"MemoizeStmt":  `Mode:'memoize' ( @('off' | 'on')|MaxAge:  ( 'max_age' @@ )? | 'max_age' @@ )`,
	"LabelStmt":    `Kind:@('label' | 'annotation')|Key:@@ '='|Value:@@`,
	"StepDecl":     `On:( 'on' @@|HookWhen:  ( 'when' @@ )? )?|Name:'step' @@|Clauses:@@*|Items:( '{' @@* '}' )?`,
	"StepItem":     `Doc:|Stmt:  @@|Bad:| @@`,
	"StepClause":   `Loop:  @@|After:| @@|When:| 'when' @@|Uses:| @@`,
	"LoopClause":   `Var:'for' @@ 'in'|Source:@@`,
	"AfterClause":  `Conds:'after' @@ ( ',' @@ )*`,
	"Dependency":   `Alts:@@ ( '||' @@ )*`,
	"DepAnd":       `Terms:@@ ( '&&' @@ )*`,
	"DepTerm":      `Group:  '(' @@ ')'|Dep:| @@`,
	"Dep":          `Step:@@|Outcome:@('succeeded' | 'failed' | 'errored' | 'skipped' | 'omitted' | 'daemoned' | 'completed' | 'any_succeeded' | 'all_failed')?`,
	"UsesClause":   `Ref:'uses' ( @@|Template:| @@ )|Args:( '(' ( @@ ( ',' @@ )* ','? )? ')' )?`,
	"RefTarget":    `WorkflowTemplate:'ref' '(' @@|Template:',' @@|Cluster:( ',' @'cluster' )? ')'`,
	"Arg":          `Name:@@ '='|Value:@@`,
}

func TestFastParsersKnowTheirGrammar(t *testing.T) {
	types := []any{Ident{}, StringLit{}, Key{}, Value{}, Quantity{}, ListLit{}, MapLit{}, MapEntry{}, Call{}, Path{},
		RunStmt{}, EnvStmt{}, ResourceStmt{}, OutputStmt{}, ImageStmt{}, TimeoutStmt{}, RetryStmt{}, RetryOption{},
		ScriptStmt{}, MemoizeStmt{}, LabelStmt{}, StepDecl{}, StepItem{}, StepClause{}, LoopClause{}, AfterClause{},
		Dependency{}, DepAnd{}, DepTerm{}, Dep{}, UsesClause{}, RefTarget{}, Arg{}}
	if len(types) != len(fastParsedGrammar) {
		t.Fatalf("%d types, %d in fastParsedGrammar", len(types), len(fastParsedGrammar))
	}
	for _, v := range types {
		typ := reflect.TypeOf(v)
		var fields []string
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Name == "Span" {
				continue
			}
			fields = append(fields, f.Name+":"+f.Tag.Get("parser"))
		}
		got := strings.Join(fields, "|")
		if want := fastParsedGrammar[typ.Name()]; got != want {
			t.Errorf("the grammar of %s changed: the fast parser (fastparse*.go) must change with it, then fastParsedGrammar:\n got %s\nwant %s",
				typ.Name(), got, want)
		}
	}
	// Each fast step parser builds the member of the union that
	// dispatch.go maps its keyword to.
	samples := map[string]string{"run": `run ["a"]`, "args": `args ["a"]`, "env": `env A = "b"`, "cpu": `cpu "1"`,
		"memory": `memory "1Gi"`, "gpu": `gpu 1`, "output": `output o = file("/p")`, "image": `image "i"`,
		"timeout": `timeout 1m`, "retry": `retry 3`, "script": `script sh "echo"`, "memoize": `memoize on`,
		"label": `label a = "b"`, "annotation": `annotation a = "b"`}
	for kw := range fastStepParsers {
		p, ok := stepStmtByKeyword[kw]
		if !ok {
			t.Errorf("%q has a fast parser but no member in stepStmtByKeyword", kw)
			continue
		}
		toks, _, _ := lex("t.pipe", []byte(samples[kw]))
		s, ok := parseFastStep(newPeekingLexer(toks))
		if !ok {
			t.Errorf("%q: no sample statement, or the fast parser declines %q", kw, samples[kw])
			continue
		}
		if got := reflect.TypeOf(s); got != p.typ {
			t.Errorf("%q: the fast parser builds %v, the union's member is %v", kw, got, p.typ)
		}
	}
}
