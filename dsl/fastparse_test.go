package dsl

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
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
	// Pipeline statements of their own (fastparse_pipeline.go); those
	// that are step statements too are the same types, checked above.
	"param":       refMember[ParamStmt](refStrictPipelineParser),
	"ttl":         refMember[TTLStmt](refStrictPipelineParser),
	"parallelism": refMember[IntStmt](refStrictPipelineParser),
	"priority":    refMember[IntStmt](refStrictPipelineParser),
	"description": refMember[DescriptionStmt](refStrictPipelineParser),
	"namespace":   refMember[NamespaceStmt](refStrictPipelineParser),
}

// fastAt runs the fast parser of keyword kw from lex.
func fastAt(kw string, lex *lexer.PeekingLexer) (any, bool) {
	if _, ok := fastStepParsers[kw]; ok {
		return parseFastStep(lex)
	}
	return parseFastPipelineStmt(lex)
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
	// fastparse_pipeline.go
	"ParamStmt":       `Name:'param' @@|Type:( ':' @@ )?|Default:( '=' @@ )?|Enum:( 'one_of' @@ )?`,
	"TTLStmt":         `When:'ttl' @('success' | 'failure')?|Value:@@`,
	"IntStmt":         `Kind:@('parallelism' | 'priority')|Value:@@`,
	"DescriptionStmt": `Text:'description' @@`,
	"NamespaceStmt":   `Namespace:'namespace' @@`,
	"File":            `Items:@@*|Name:|Source:|Comments:`,
	"TopItem":         `Doc:|Import:  @@|Template:| @@|Pipeline:| @@|Bad:| @@|Stray:| @@`,
	"Import":          `Path:'import' @@`,
	"Pipeline":        `Name:'pipeline' @@|Items:'{' @@* '}'`,
	"PipelineItem":    `Doc:|Stmt:  @@|Bad:| @@`,
}

func TestFastParsersKnowTheirGrammar(t *testing.T) {
	types := []any{Ident{}, StringLit{}, Key{}, Value{}, Quantity{}, ListLit{}, MapLit{}, MapEntry{}, Call{}, Path{},
		RunStmt{}, EnvStmt{}, ResourceStmt{}, OutputStmt{}, ImageStmt{}, TimeoutStmt{}, RetryStmt{}, RetryOption{},
		ScriptStmt{}, MemoizeStmt{}, LabelStmt{}, StepDecl{}, StepItem{}, StepClause{}, LoopClause{}, AfterClause{},
		Dependency{}, DepAnd{}, DepTerm{}, Dep{}, UsesClause{}, RefTarget{}, Arg{},
		ParamStmt{}, TTLStmt{}, IntStmt{}, DescriptionStmt{}, NamespaceStmt{}, File{}, TopItem{}, Import{}, Pipeline{}, PipelineItem{}}
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

// Each fast pipeline parser builds a member of the union of pipeline
// statements, the only one that starts with its keyword.
func TestFastPipelineParsersBuildTheirMember(t *testing.T) {
	samples := map[string]string{"image": `image "i"`, "env": `env A = "b"`, "retry": `retry 3`, "label": `label a = "b"`,
		"annotation": `annotation a = "b"`, "timeout": `timeout 1m`, "memoize": `memoize on`, "output": `output o = file("/p")`,
		"param": `param p: string = "x" one_of ["x"]`, "ttl": `ttl success 1d`, "parallelism": `parallelism 2`,
		"priority": `priority 1`, "description": `description "d"`, "namespace": `namespace "n"`}
	for kw := range fastPipelineParsers {
		toks, _, _ := lex("t.pipe", []byte(samples[kw]))
		s, ok := parseFastPipelineStmt(newPeekingLexer(toks))
		if !ok {
			t.Errorf("%q: no sample statement, or the fast parser declines %q", kw, samples[kw])
			continue
		}
		var starts []string
		for _, m := range pipelineStmts {
			toks, _, _ := lex("t.pipe", []byte(samples[kw]))
			if _, err := refMemberOf(m)(newPeekingLexer(toks)); err == nil {
				starts = append(starts, reflect.TypeOf(m).String())
			}
		}
		if want := reflect.TypeOf(s).String(); len(starts) != 1 || starts[0] != want {
			t.Errorf("%q: the fast parser builds %s, the members of the union that parse %q are %v", kw, want, samples[kw], starts)
		}
	}
}

// refMemberOf is the reference parser of the pipeline statement type of m.
func refMemberOf(m PipelineStmt) func(*lexer.PeekingLexer) (any, error) {
	switch m.(type) {
	case *ImageStmt:
		return refMember[ImageStmt](refStrictPipelineParser)
	case *EnvStmt:
		return refMember[EnvStmt](refStrictPipelineParser)
	case *RetryStmt:
		return refMember[RetryStmt](refStrictPipelineParser)
	case *LabelStmt:
		return refMember[LabelStmt](refStrictPipelineParser)
	case *TimeoutStmt:
		return refMember[TimeoutStmt](refStrictPipelineParser)
	case *MemoizeStmt:
		return refMember[MemoizeStmt](refStrictPipelineParser)
	case *OutputStmt:
		return refMember[OutputStmt](refStrictPipelineParser)
	case *ParamStmt:
		return refMember[ParamStmt](refStrictPipelineParser)
	case *TTLStmt:
		return refMember[TTLStmt](refStrictPipelineParser)
	case *IntStmt:
		return refMember[IntStmt](refStrictPipelineParser)
	case *DescriptionStmt:
		return refMember[DescriptionStmt](refStrictPipelineParser)
	case *NamespaceStmt:
		return refMember[NamespaceStmt](refStrictPipelineParser)
	}
	// Any other member: the whole union, which must not parse the sample
	// either, but as that member; parse with the strict union and keep
	// only results of this member's type.
	typ := reflect.TypeOf(m)
	return func(lex *lexer.PeekingLexer) (any, error) {
		v, err := refMember[strictPipeline](refStrictPipelineParser)(lex)
		if err != nil {
			return nil, err
		}
		if reflect.TypeOf(v.(*strictPipeline).Stmt) != typ {
			return nil, fmt.Errorf("another member")
		}
		return v, nil
	}
}

// TestFastFileSameAsParticiple: parseFastFile, on the corpus and mutations
// of it, either declines or returns what fileParser does.
func TestFastFileSameAsParticiple(t *testing.T) {
	files := referenceCorpus(t)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	r := rand.New(rand.NewSource(3))
	accepted, failures := 0, 0
	for _, name := range names {
		m := files[name]
		for i := 0; i <= 6 && failures < 10; i++ {
			if i%3 == 0 {
				m = files[name]
			}
			if d, ok := fastFileVsParticiple(m); d != "" {
				t.Errorf("%s (mutation %d):\n%s\n%s", name, i, m, d)
				failures++
			} else if ok {
				accepted++
			}
			m = mutate(r, m)
		}
	}
	if accepted < 200 {
		t.Errorf("parseFastFile accepted only %d files of the corpus", accepted)
	}
}

// fastFileVsParticiple describes the first difference between parseFastFile
// and fileParser on src, and reports whether parseFastFile accepted it.
func fastFileVsParticiple(src []byte) (string, bool) {
	toks, _, _ := lex("t.pipe", src)
	got, ok := parseFastFile(toks)
	if !ok {
		return "", false
	}
	want, err := fileParser().ParseFromLexer(newPeekingLexer(toks))
	if err != nil {
		return fmt.Sprintf("parseFastFile accepted what fileParser rejects: %v", err), true
	}
	return firstDiff(reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem(), "File"), true
}

// FuzzFastFileSameAsParticiple: parseFastFile agrees with fileParser on any
// input.
func FuzzFastFileSameAsParticiple(f *testing.F) {
	for _, src := range append(parseSeeds(f), hostileSeeds()...) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		src, _, ok := decodeSource("fuzz.pipe", src)
		if !ok {
			return
		}
		if d, _ := fastFileVsParticiple(src); d != "" {
			t.Fatal(d)
		}
	})
}

// A one-step build's file, and a file of the common pipeline statements,
// parse without building any participle parser (the start-up target of
// docs/performance.md). The parse runs in a process of its own, since the
// parsers of this one may have been built by other tests.
func TestCommonFileBuildsNoParser(t *testing.T) {
	if os.Getenv("PIPEC_TEST_PARSERS_BUILT") == "1" {
		for _, src := range commonFiles {
			if _, diags := ParseString("t.pipe", src); len(diags) > 0 {
				fmt.Println("error:", diags)
			}
		}
		fmt.Println("built:", parsersBuilt.Load())
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommonFileBuildsNoParser$")
	cmd.Env = append(os.Environ(), "PIPEC_TEST_PARSERS_BUILT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "built: 0\n") || strings.Contains(string(out), "error:") {
		t.Errorf("parsing the common files built participle parsers, or failed:\n%s", out)
	}
}

var commonFiles = []string{
	"pipeline one {\n  image \"alpine:3.20\"\n  step greet { run [\"echo\", \"hello\"] }\n}\n",
	`import "lib.pipe"

// A doc comment.
pipeline p {
  description "d"
  namespace "ns"
  image "alpine"
  env A = "b"
  param day: string = "mon" one_of ["mon", "tue"]
  param n = 3
  retry 2 backoff 10s
  label team = "x"
  annotation note = "y"
  timeout 1h
  ttl success 1d
  ttl 7d
  memoize on max_age 1h
  parallelism 4
  priority 1
  output o = file("/p")
  step a { run ["a"] cpu "1" memory "1Gi" }
  step b after a { script sh "echo" }
  on exit step c { run ["c"] }
}
`,
}
