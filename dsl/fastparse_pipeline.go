package dsl

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// The file's frame and the common pipeline-level statements, by hand: with
// fastStepDecl (fastparse_steps.go) and the fast step parsers, a typical
// well-formed file (imports, pipelines of settings and steps) parses
// without building any participle parser (a noticeable part of the
// start-up of a one-step build, docs/performance.md). parseFastFile
// follows the grammar of File, TopItem, Import, Pipeline and PipelineItem
// and declines the whole file wherever participle would make a BadStmt or
// a StrayBrace, or at a template declaration: the file is then parsed by
// fileParser, with participle's errors and recovery. See fastparse.go for
// what a fast parser must do.

// fastPipelineParsers are the fast parsers of pipeline statements other
// than step declarations, by keyword. Each keyword starts one member of
// the union of pipelineStmts only, so participle's union, which tries the
// members in order, parses it with that member.
var fastPipelineParsers = map[string]func(*fastCursor) PipelineStmt{
	"image":       asPipelineStmt(fastImage),
	"env":         asPipelineStmt(fastEnv),
	"retry":       asPipelineStmt(fastRetry),
	"label":       asPipelineStmt(fastLabel),
	"annotation":  asPipelineStmt(fastLabel),
	"timeout":     asPipelineStmt(fastTimeout),
	"memoize":     asPipelineStmt(fastMemoize),
	"output":      asPipelineStmt(fastOutput),
	"param":       fastParam,
	"ttl":         fastTTL,
	"parallelism": fastInt,
	"priority":    fastInt,
	"description": fastDescription,
	"namespace":   fastNamespace,
}

// asPipelineStmt makes the fast parser of a statement that is both a step
// and a pipeline statement (one type, one grammar) a pipeline one.
func asPipelineStmt(parse func(*fastCursor) StepStmt) func(*fastCursor) PipelineStmt {
	return func(c *fastCursor) PipelineStmt {
		s, _ := parse(c).(PipelineStmt)
		if s == nil {
			c.decline()
		}
		return s
	}
}

// parseFastPipelineStmt runs the fast parser of the pipeline statement at
// the lexer's token, if it has one. It reports false, with the lexer where
// it was, if there is none or it declines.
func parseFastPipelineStmt(lex *lexer.PeekingLexer) (PipelineStmt, bool) {
	t := lex.Peek()
	var parse func(*fastCursor) PipelineStmt
	if t.Value == "step" || t.Value == "on" {
		parse = func(c *fastCursor) PipelineStmt {
			if s := fastStepDecl(c); s != nil {
				return s
			}
			return nil
		}
	} else if parse = fastPipelineParsers[t.Value]; parse == nil {
		return nil, false
	}
	cp := lex.MakeCheckpoint()
	c := &fastCursor{lex: lex, ok: true}
	s := parse(c)
	if !c.ok || s == nil {
		lex.LoadCheckpoint(cp)
		return nil, false
	}
	return s, true
}

// fastParam: `'param' @@Ident ( ':' @@Ident )? ( '=' @@Value )? (
// 'one_of' @@ListLit )?`.
func fastParam(c *fastCursor) PipelineStmt {
	t := c.next()
	s := &ParamStmt{Name: c.ident()}
	if c.is(":") {
		c.next()
		s.Type = c.ident()
	}
	if c.is("=") {
		c.next()
		s.Default = c.value()
	}
	if c.is("one_of") {
		c.next()
		s.Enum = c.list()
	}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastTTL: `'ttl' @('success' | 'failure')? @@Value`. After `success` or
// `failure`, a value that does not parse declines (participle might try
// the word as the value).
func fastTTL(c *fastCursor) PipelineStmt {
	t := c.next()
	s := &TTLStmt{}
	if c.is("success") || c.is("failure") {
		s.When = c.next().Value
	}
	s.Value = c.value()
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastInt: `@('parallelism' | 'priority') @@Value`.
func fastInt(c *fastCursor) PipelineStmt {
	t := c.next()
	s := &IntStmt{Kind: t.Value, Value: c.value()}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastDescription: `'description' @@StringLit`.
func fastDescription(c *fastCursor) PipelineStmt {
	t := c.next()
	s := &DescriptionStmt{Text: c.stringLit()}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// fastNamespace: `'namespace' @@StringLit`.
func fastNamespace(c *fastCursor) PipelineStmt {
	t := c.next()
	s := &NamespaceStmt{Namespace: c.stringLit()}
	s.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return s
}

// parseFastFile parses a file of tokens toks (ending with EOF): `@@*` of
// TopItem, each an Import (`'import' @@StringLit`) or a Pipeline
// (`'pipeline' @@Ident '{' @@PipelineItem* '}'`), a PipelineItem's
// statement parsed with parsePipelineStmt, fileParser's production. It
// reports false wherever fileParser would parse anything else (a template,
// a bad statement, a stray brace) or fail; the file must then be parsed by
// fileParser.
func parseFastFile(toks []lexer.Token) (*File, bool) {
	lex := newPeekingLexer(toks)
	c := &fastCursor{lex: lex, ok: true}
	first := c.peek()
	if first.EOF() {
		return nil, false
	}
	f := &File{}
	for c.ok && !c.peek().EOF() {
		t := c.peek()
		it := &TopItem{}
		switch t.Value {
		case "import":
			c.next()
			it.Import = &Import{Path: c.stringLit()}
			it.Import.Span = Span{Pos: t.Pos, EndPos: c.end()}
		case "pipeline":
			it.Pipeline = c.pipeline()
		default:
			c.decline()
		}
		if !c.ok {
			return nil, false
		}
		it.Span = Span{Pos: t.Pos, EndPos: c.end()}
		f.Items = append(f.Items, it)
	}
	f.Span = Span{Pos: first.Pos, EndPos: c.end()}
	return f, true
}

// pipeline: `'pipeline' @@Ident '{' @@PipelineItem* '}'`.
func (c *fastCursor) pipeline() *Pipeline {
	t := c.next()
	p := &Pipeline{Name: c.ident()}
	c.expect("{")
	for c.ok && !c.is("}") && !c.peek().EOF() {
		start := c.peek().Pos
		stmt, err := parsePipelineStmt(c.lex)
		if err != nil || stmt == nil {
			c.decline()
			return nil
		}
		p.Items = append(p.Items, &PipelineItem{Span: Span{Pos: start, EndPos: c.end()}, Stmt: stmt})
	}
	c.expect("}")
	if !c.ok {
		return nil
	}
	p.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return p
}
