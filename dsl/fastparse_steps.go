package dsl

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Step declarations are most of a pipeline: fileParser's PipelineStmt
// production parses `[on EVENT [when "EXPR"]] step NAME CLAUSES { ... }`
// with fastStepDecl (the statements of its body with parseStepStmt, fast or
// not), and every other pipeline statement, or a step declaration
// fastStepDecl declines, with participle's union of pipeline statements
// (pipelineUnionParser). See fastparse.go for what a fast parser must do.

// pipelineUnionParser parses one pipeline statement with the union of
// pipelineStmts, as fileParser did before its PipelineStmt production was
// parsePipelineStmt.
var pipelineUnionParser = lazyParser[strictPipeline](func() []participle.Option {
	return []participle.Option{
		participle.Lexer(Lexer),
		participle.Elide("Whitespace", "Comment"),
		participle.Union[PipelineStmt](pipelineStmts...),
		participle.ParseTypeWith(parseStepStmt),
		participle.UseLookahead(participle.MaxLookahead),
	}
})

// parsePipelineStmt is the PipelineStmt production of fileParser: the
// statement's fast parser if it has one and it accepts
// (fastparse_pipeline.go), else participle's union.
func parsePipelineStmt(lex *lexer.PeekingLexer) (PipelineStmt, error) {
	if s, ok := parseFastPipelineStmt(lex); ok {
		return s, nil
	}
	v, err := pipelineUnionParser().ParseFromLexer(lex, allowTrailing...)
	if err != nil {
		return nil, err
	}
	if v.Stmt == nil {
		return nil, participle.NextMatch
	}
	return v.Stmt, nil
}

// fastStepDecl: `( 'on' @@Ident ( 'when' @@StringLit )? )? 'step' @@Ident
// @@StepClause* ( '{' @@StepItem* '}' )?`.
func fastStepDecl(c *fastCursor) *StepDecl {
	start := c.peek().Pos
	s := &StepDecl{}
	if c.is("on") {
		c.next()
		s.On = c.ident()
		if c.is("when") {
			c.next()
			s.HookWhen = c.stringLit()
		}
	}
	c.expect("step")
	s.Name = c.ident()
	var clauses [4]*StepClause
	cls := clauses[:0]
	for c.ok {
		cl := c.stepClause()
		if cl == nil {
			break
		}
		cls = append(cls, cl)
	}
	s.Clauses = exact(cls)
	if c.is("{") {
		c.next()
		var buf [16]*StepItem
		items := buf[:0]
		for c.ok && !c.is("}") {
			items = append(items, c.stepItem())
		}
		s.Items = exact(items)
		c.expect("}")
	}
	if !c.ok {
		return nil
	}
	s.Span = Span{Pos: start, EndPos: c.end()}
	return s
}

// stepItem is a statement of a step body, with participle's member of its
// keyword if it has no fast parser; it declines where participle would
// make it a BadStmt.
func (c *fastCursor) stepItem() *StepItem {
	t := c.peek()
	stmt, err := parseStepStmt(c.lex)
	if err != nil || stmt == nil {
		c.decline()
		return nil
	}
	return &StepItem{Span: Span{Pos: t.Pos, EndPos: c.end()}, Stmt: stmt}
}

// stepClause: `@@LoopClause | @@AfterClause | 'when' @@StringLit |
// @@UsesClause`, or nil (and no token consumed) if the next token starts
// none of them.
func (c *fastCursor) stepClause() *StepClause {
	t := c.peek()
	cl := &StepClause{}
	switch t.Value {
	case "for":
		c.next()
		l := &LoopClause{Var: c.ident()}
		c.expect("in")
		l.Source = c.value()
		l.Span = Span{Pos: t.Pos, EndPos: c.end()}
		cl.Loop = l
	case "after":
		c.next()
		a := &AfterClause{Conds: []*Dependency{c.dependency()}}
		for c.is(",") {
			c.next()
			a.Conds = append(a.Conds, c.dependency())
		}
		a.Span = Span{Pos: t.Pos, EndPos: c.end()}
		cl.After = a
	case "when":
		c.next()
		cl.When = c.stringLit()
	case "uses":
		cl.Uses = c.usesClause()
	default:
		return nil
	}
	if !c.ok {
		return nil
	}
	cl.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return cl
}

// dependency: `@@DepAnd ( '||' @@DepAnd )*`, a DepAnd being `@@DepTerm (
// '&&' @@DepTerm )*`.
func (c *fastCursor) dependency() *Dependency {
	t := c.peek()
	d := &Dependency{}
	for {
		at := c.peek()
		and := &DepAnd{Terms: []*DepTerm{c.depTerm()}}
		for c.is("&&") {
			c.next()
			and.Terms = append(and.Terms, c.depTerm())
		}
		if !c.ok {
			return nil
		}
		and.Span = Span{Pos: at.Pos, EndPos: c.end()}
		d.Alts = append(d.Alts, and)
		if !c.is("||") {
			break
		}
		c.next()
	}
	d.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return d
}

// depOutcomes is DepOutcomes as a set.
var depOutcomes = func() map[string]bool {
	m := map[string]bool{}
	for _, o := range DepOutcomes {
		m[o] = true
	}
	return m
}()

// depTerm: `'(' @@Dependency ')' | @@Dep`, a Dep being `@@Ident
// @(outcomes)?`.
func (c *fastCursor) depTerm() *DepTerm {
	t := c.peek()
	term := &DepTerm{}
	if c.is("(") {
		c.next()
		term.Group = c.dependency()
		c.expect(")")
	} else {
		d := &Dep{Step: c.ident()}
		if c.ok && depOutcomes[c.peek().Value] {
			d.Outcome = c.next().Value
		}
		d.Span = Span{Pos: t.Pos, EndPos: c.end()}
		term.Dep = d
	}
	if !c.ok {
		return nil
	}
	term.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return term
}

// usesClause: `'uses' ( @@RefTarget | @@Ident ) ( '(' ( @@Arg ( ',' @@Arg
// )* ','? )? ')' )?`, a RefTarget being `'ref' '(' @@StringLit ','
// @@StringLit ( ',' @'cluster' )? ')'` and an Arg `@@Ident '=' @@Value`.
func (c *fastCursor) usesClause() *UsesClause {
	t := c.next()
	u := &UsesClause{}
	if c.is("ref") {
		rt := c.next()
		r := &RefTarget{}
		c.expect("(")
		r.WorkflowTemplate = c.stringLit()
		c.expect(",")
		r.Template = c.stringLit()
		if c.is(",") {
			c.next()
			c.expect("cluster")
			r.Cluster = true
		}
		c.expect(")")
		r.Span = Span{Pos: rt.Pos, EndPos: c.end()}
		u.Ref = r
	} else {
		u.Template = c.ident()
	}
	if c.is("(") {
		c.next()
		for c.ok && !c.is(")") {
			u.Args = append(u.Args, c.arg())
			if !c.is(",") {
				break
			}
			c.next()
		}
		c.expect(")")
	}
	if !c.ok {
		return nil
	}
	u.Span = Span{Pos: t.Pos, EndPos: c.end()}
	return u
}
