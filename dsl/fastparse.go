package dsl

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// participle builds every node by reflection, trying each alternative of a
// disjunction in a branch of its own: about 750 allocations and 57 KB for
// one step of a typical pipeline, most of them for values (`"x"`, `[...]`,
// `file("/p")`). The step statements that make up most of a file's text
// (run, env, cpu, memory, output, image, timeout, retry, script, memoize,
// label) and the values in them are therefore parsed here, by hand, when
// they are well-formed: fileParser's StepStmt production (dispatch.go)
// tries the fast parser of the statement's keyword first, and participle's
// production of that statement only if the fast parser declines.
//
// A fast parser follows its statement's grammar (the participle tags, which
// stay the definition) exactly as participle does: alternatives in their
// order, repetitions greedy, the first alternative that matches taken. It
// builds the same nodes with the same spans: Pos is the position of the
// node's first token, EndPos that of the token (elided or not) right after
// its last one. Wherever participle would backtrack (an alternative or an
// iteration that fails after its first token matched) it declines instead,
// so that participle parses that statement and says what is wrong: a fast
// parser never reports an error, and what it accepts, participle parses
// into the same statement. TestFastParsersSameAsParticiple and
// FuzzFastParsersSameAsParticiple check that statement by statement,
// TestParseSameAsReference whole files; TestFastParsersKnowTheirGrammar
// fails when a statement's tags change, so that its fast parser is changed
// with them.

var (
	stringType = tokenTypes["String"]
	tripleType = tokenTypes["TripleString"]
	rawType    = tokenTypes["RawString"]
)

// fastStepParsers are the fast parsers of step statements, by keyword.
var fastStepParsers = map[string]func(*fastCursor) StepStmt{
	"run":        fastRun,
	"args":       fastRun,
	"env":        fastEnv,
	"cpu":        fastResource,
	"memory":     fastResource,
	"gpu":        fastResource,
	"output":     fastOutput,
	"image":      fastImage,
	"timeout":    fastTimeout,
	"retry":      fastRetry,
	"script":     fastScript,
	"memoize":    fastMemoize,
	"label":      fastLabel,
	"annotation": fastLabel,
}

// fastCursor reads tokens from participle's lexer for a fast parser. ok
// turns false when the parser declines; from then on every read fails, so
// a parser checks it once, at the end.
type fastCursor struct {
	lex *lexer.PeekingLexer
	ok  bool
}

// parseFastStep runs the fast parser of the statement at the lexer's token,
// if it has one. It reports false, with the lexer where it was, if there is
// none or it declines.
func parseFastStep(lex *lexer.PeekingLexer) (StepStmt, bool) {
	parse, ok := fastStepParsers[lex.Peek().Value]
	if !ok {
		return nil, false
	}
	cp := lex.MakeCheckpoint()
	c := &fastCursor{lex: lex, ok: true}
	s := parse(c)
	if !c.ok {
		lex.LoadCheckpoint(cp)
		return nil, false
	}
	return s, true
}

func (c *fastCursor) peek() *lexer.Token { return c.lex.Peek() }

// is reports whether the next token has text s (a keyword or punctuation
// literal of the grammar matches a token of any type with its text).
func (c *fastCursor) is(s string) bool { return c.ok && c.lex.Peek().Value == s }

// next consumes the next token.
func (c *fastCursor) next() *lexer.Token { return c.lex.Next() }

// end is the EndPos of a node whose last token was just consumed.
func (c *fastCursor) end() lexer.Position { return c.lex.RawPeek().Pos }

// decline makes the parse fail.
func (c *fastCursor) decline() { c.ok = false }

// expect consumes the literal s, or declines.
func (c *fastCursor) expect(s string) {
	if !c.is(s) {
		c.decline()
		return
	}
	c.next()
}

func isStringToken(t *lexer.Token) bool {
	return t.Type == stringType || t.Type == tripleType || t.Type == rawType
}

// ---- values ----

// valueString is a string Value with its StringLit, allocated together.
type valueString struct {
	v Value
	s StringLit
}

func (c *fastCursor) stringLit() *StringLit {
	t := c.peek()
	if !c.ok || !isStringToken(t) {
		c.decline()
		return nil
	}
	c.next()
	return &StringLit{Span: Span{Pos: t.Pos, EndPos: c.end()}, Raw: t.Value}
}

func (c *fastCursor) ident() *Ident {
	t := c.peek()
	if !c.ok || t.Type != identType {
		c.decline()
		return nil
	}
	c.next()
	return &Ident{Span: Span{Pos: t.Pos, EndPos: c.end()}, Name: t.Value}
}

// key: `@Ident | @@StringLit`.
func (c *fastCursor) key() *Key {
	t := c.peek()
	switch {
	case !c.ok:
		return nil
	case t.Type == identType:
		c.next()
		return &Key{Span: Span{Pos: t.Pos, EndPos: c.end()}, Ident: t.Value}
	case isStringToken(t):
		s := c.stringLit()
		return &Key{Span: s.Span, Str: s}
	}
	c.decline()
	return nil
}

// value: Str | Quantity | Duration | Float | Int | Bool | List | Map | Call
// | Path, the first that matches, chosen by the first token (and, for a
// number, whether a name touches it; for a name, whether '(' follows).
func (c *fastCursor) value() *Value {
	if !c.ok {
		return nil
	}
	t := c.peek()
	if isStringToken(t) {
		// The value and its string in one allocation: most values are
		// strings.
		c.next()
		vs := &valueString{s: StringLit{Span: Span{Pos: t.Pos, EndPos: c.end()}, Raw: t.Value}}
		vs.v.Str, vs.v.Span = &vs.s, vs.s.Span
		return &vs.v
	}
	v := &Value{}
	switch {
	case t.Type == intType || t.Type == floatType || t.Type == durationType:
		num := *t
		c.next()
		if s := c.peek(); s.Type == identType && s.Pos.Offset == num.Pos.Offset+len(num.Value) {
			c.next()
			v.Quantity = &Quantity{Span: Span{Pos: num.Pos, EndPos: c.end()}, Text: num.Value + s.Value}
			v.Span = v.Quantity.Span
			return v
		}
		text := num.Value
		switch num.Type {
		case durationType:
			v.Duration = &text
		case floatType:
			v.Float = &text
		default:
			v.Int = &text
		}
		v.Span = Span{Pos: num.Pos, EndPos: c.end()}
		return v
	case t.Value == "true" || t.Value == "false":
		text := t.Value
		c.next()
		v.Bool = &text
		v.Span = Span{Pos: t.Pos, EndPos: c.end()}
		return v
	case t.Value == "[":
		v.List = c.list()
	case t.Value == "{":
		v.Map = c.mapLit()
	case t.Type == identType:
		cp := c.lex.MakeCheckpoint()
		c.next()
		call := c.peek().Value == "("
		c.lex.LoadCheckpoint(cp)
		if call {
			v.Call = c.call()
		} else {
			v.Path = c.path()
		}
	default:
		c.decline()
		return nil
	}
	if !c.ok {
		return nil
	}
	v.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return v
}

// values parses `( @@ ( ',' @@ )* ','? )? close`, the elements of a list or
// the arguments of a call, after the opening token.
func (c *fastCursor) values(close string) []*Value {
	var buf [8]*Value
	out := buf[:0]
	for c.ok && !c.is(close) {
		out = append(out, c.value())
		if !c.is(",") {
			break
		}
		c.next()
	}
	c.expect(close)
	return exact(out)
}

// exact returns a copy of s of its length (nil for none): a list gathered
// in a buffer on the stack, then allocated once.
func exact[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	out := make([]T, len(s))
	copy(out, s)
	return out
}

// list: `'[' ( @@ ( ',' @@ )* ','? )? ']'`.
func (c *fastCursor) list() *ListLit {
	t := c.peek()
	c.expect("[")
	elems := c.values("]")
	if !c.ok {
		return nil
	}
	return &ListLit{Span: Span{Pos: t.Pos, EndPos: c.end()}, Elems: elems}
}

// mapLit: `'{' ( @@ ( ',' @@ )* ','? )? '}'` of `@@Key ':' @@Value`.
func (c *fastCursor) mapLit() *MapLit {
	t := c.peek()
	c.expect("{")
	var buf [8]*MapEntry
	entries := buf[:0]
	for c.ok && !c.is("}") {
		kt := c.peek()
		k := c.key()
		c.expect(":")
		val := c.value()
		if !c.ok {
			return nil
		}
		entries = append(entries, &MapEntry{Span: Span{Pos: kt.Pos, EndPos: c.end()}, Key: k, Value: val})
		if !c.is(",") {
			break
		}
		c.next()
	}
	c.expect("}")
	if !c.ok {
		return nil
	}
	return &MapLit{Span: Span{Pos: t.Pos, EndPos: c.end()}, Entries: exact(entries)}
}

// call: `@@Ident '(' ( (?! Ident '=') @@Value ( ',' (?! Ident '=')
// @@Value )* )? ( ','? @@Arg ( ',' @@Arg )* )? ','? ')'`: positional
// arguments, then named ones.
func (c *fastCursor) call() *Call {
	t := c.peek()
	call := &Call{Name: c.ident()}
	c.expect("(")
	if c.ok && !c.is(")") && !c.namedNext(false) {
		call.Args = append(call.Args, c.value())
		for c.is(",") && !c.namedNext(true) && !c.peekAfterComma(")") {
			c.next()
			call.Args = append(call.Args, c.value())
		}
	}
	if c.ok && (c.namedNext(false) || c.is(",") && c.namedNext(true)) {
		if c.is(",") {
			c.next()
		}
		call.Named = append(call.Named, c.arg())
		for c.is(",") && c.namedNext(true) {
			c.next()
			call.Named = append(call.Named, c.arg())
		}
	}
	if c.is(",") {
		c.next()
	}
	c.expect(")")
	if !c.ok {
		return nil
	}
	call.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return call
}

// namedNext reports whether a name and '=' come next (after a ',', if
// comma): a named argument.
func (c *fastCursor) namedNext(comma bool) bool {
	if !c.ok {
		return false
	}
	cp := c.lex.MakeCheckpoint()
	defer c.lex.LoadCheckpoint(cp)
	if comma {
		c.next()
	}
	if c.peek().Type != identType {
		return false
	}
	c.next()
	return c.peek().Value == "="
}

// peekAfterComma reports whether the token after the next one (a ',') is s.
func (c *fastCursor) peekAfterComma(s string) bool {
	cp := c.lex.MakeCheckpoint()
	defer c.lex.LoadCheckpoint(cp)
	c.next()
	return c.peek().Value == s
}

// arg: `@@Ident '=' @@Value`.
func (c *fastCursor) arg() *Arg {
	t := c.peek()
	a := &Arg{Name: c.ident()}
	c.expect("=")
	a.Value = c.value()
	if !c.ok {
		return nil
	}
	a.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return a
}

// path: `@@Ident ( '.' @@Ident )*`; a '.' not followed by a name declines
// (participle would end the path before it).
func (c *fastCursor) path() *Path {
	t := c.peek()
	parts := []*Ident{c.ident()}
	for c.is(".") {
		c.next()
		parts = append(parts, c.ident())
	}
	if !c.ok {
		return nil
	}
	return &Path{Span: Span{Pos: t.Pos, EndPos: c.end()}, Parts: parts}
}

// ---- step statements ----
// Each starts at its keyword, which parseFastStep has matched.

// fastRun: `@('run' | 'args') @@ListLit`.
func fastRun(c *fastCursor) StepStmt {
	t := c.next()
	s := &RunStmt{Kind: t.Value, List: c.list()}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastEnv: `'env' @@Key '=' @@Value`.
func fastEnv(c *fastCursor) StepStmt {
	t := c.next()
	s := &EnvStmt{Name: c.key()}
	c.expect("=")
	s.Value = c.value()
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastResource: `@('cpu' | 'memory' | 'gpu') ( 'limit' @@ | @@ ( 'limit'
// @@ )? )`. After `limit`, a value that does not parse declines
// (participle would try `limit` as the request).
func fastResource(c *fastCursor) StepStmt {
	t := c.next()
	s := &ResourceStmt{Kind: t.Value}
	if c.is("limit") {
		c.next()
		s.LimitOnly = c.value()
	} else {
		s.Request = c.value()
		if c.is("limit") {
			c.next()
			s.Limit = c.value()
		}
	}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastOutput: `'output' @@Ident '=' @@Call ( 'default' @@StringLit )? (
// 'one_of' @@ListLit )? ( 'global' @@StringLit )?`.
func fastOutput(c *fastCursor) StepStmt {
	t := c.next()
	s := &OutputStmt{Name: c.ident()}
	c.expect("=")
	s.Source = c.call()
	if c.is("default") {
		c.next()
		s.Default = c.stringLit()
	}
	if c.is("one_of") {
		c.next()
		s.Enum = c.list()
	}
	if c.is("global") {
		c.next()
		s.Global = c.stringLit()
	}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastImage: `'image' @@StringLit`.
func fastImage(c *fastCursor) StepStmt {
	t := c.next()
	s := &ImageStmt{Image: c.stringLit()}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastTimeout: `'timeout' @@Value`.
func fastTimeout(c *fastCursor) StepStmt {
	t := c.next()
	s := &TimeoutStmt{Value: c.value()}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// retryOptionNames are the names of `@('backoff' | 'factor' | 'max' |
// 'cap' | 'policy' | 'when')`.
var retryOptionNames = map[string]bool{"backoff": true, "factor": true, "max": true, "cap": true, "policy": true, "when": true}

// fastRetry: `'retry' ( @'off' | @@Value @@RetryOption* )`, a RetryOption
// being `@(backoff | factor | ...) @@Value`.
func fastRetry(c *fastCursor) StepStmt {
	t := c.next()
	s := &RetryStmt{}
	if c.is("off") {
		c.next()
		s.Off = true
	} else {
		s.Limit = c.value()
		for c.ok && retryOptionNames[c.peek().Value] {
			o := c.next()
			opt := &RetryOption{Name: o.Value, Value: c.value()}
			opt.Span = Span{Pos: o.Pos, EndPos: c.end()}
			s.Options = append(s.Options, opt)
		}
	}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastScript: `'script' ( @@Ident | @@ListLit ) @@StringLit`.
func fastScript(c *fastCursor) StepStmt {
	t := c.next()
	s := &ScriptStmt{}
	if c.ok && c.peek().Type == identType {
		s.Lang = c.ident()
	} else {
		s.Command = c.list()
	}
	s.Source = c.stringLit()
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastMemoize: `'memoize' ( @('off' | 'on') ( 'max_age' @@ )? | 'max_age'
// @@ )`.
func fastMemoize(c *fastCursor) StepStmt {
	t := c.next()
	s := &MemoizeStmt{}
	switch {
	case c.is("off") || c.is("on"):
		s.Mode = c.next().Value
		if c.is("max_age") {
			c.next()
			s.MaxAge = c.value()
		}
	case c.is("max_age"):
		c.next()
		s.MaxAge = c.value()
	default:
		c.decline()
	}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastLabel: `@('label' | 'annotation') @@Key '=' @@StringLit`.
func fastLabel(c *fastCursor) StepStmt {
	t := c.next()
	s := &LabelStmt{Kind: t.Value, Key: c.key()}
	c.expect("=")
	s.Value = c.stringLit()
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}
