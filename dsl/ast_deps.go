package dsl

// Dependencies: the `after` clause of a step header, a boolean expression
// over the outcomes of other steps.

// AfterClause: `after a, b failed, c completed`, or a boolean expression
// `after (a || b) && c failed`. The comma is a loose "and": each condition
// it separates must hold.
type AfterClause struct {
	Span
	Conds []*Dependency `parser:"'after' @@ ( ',' @@ )*"`
}

// Dependency is `x || y || ...`.
type Dependency struct {
	Span
	Alts []*DepAnd `parser:"@@ ( '||' @@ )*"`
}

// DepAnd is `x && y && ...`.
type DepAnd struct {
	Span
	Terms []*DepTerm `parser:"@@ ( '&&' @@ )*"`
}

// DepTerm is one dependency or a parenthesised expression.
type DepTerm struct {
	Span
	Group *Dependency `parser:"  '(' @@ ')'"`
	Dep   *Dep        `parser:"| @@"`
}

// Dep is one dependency, with an optional outcome.
type Dep struct {
	Span
	Step    *Ident `parser:"@@"`
	Outcome string `parser:"@('succeeded' | 'failed' | 'errored' | 'skipped' | 'omitted' | 'daemoned' | 'completed' | 'any_succeeded' | 'all_failed')?"`
}

// DepOutcomes are the outcomes a dependency may name.
var DepOutcomes = []string{"succeeded", "failed", "errored", "skipped", "omitted", "daemoned", "completed", "any_succeeded", "all_failed"}

// Deps returns every dependency of the clause, in source order.
func (a *AfterClause) Deps() []*Dep {
	var out []*Dep
	var or func(o *Dependency)
	or = func(o *Dependency) {
		for _, and := range o.Alts {
			for _, t := range and.Terms {
				if t.Group != nil {
					or(t.Group)
				} else if t.Dep != nil {
					out = append(out, t.Dep)
				}
			}
		}
	}
	for _, c := range a.Conds {
		or(c)
	}
	return out
}

// depOr prints a dependency expression: operators with a space on each
// side, groups in parentheses as written.
func (p *printer) depOr(o *Dependency) {
	for i, and := range o.Alts {
		if i > 0 {
			p.word("||")
			p.sp()
		}
		for j, t := range and.Terms {
			if j > 0 {
				p.word("&&")
				p.sp()
			}
			switch {
			case t.Group != nil:
				p.tok("(", t.Pos, t.Pos)
				p.depOr(t.Group)
				p.kw(")")
			case t.Dep != nil:
				p.ident(t.Dep.Step)
				if t.Dep.Outcome != "" {
					p.word(t.Dep.Outcome)
				}
			}
		}
	}
}
