package dsl

// Composite templates: a template whose body holds steps is a reusable
// group of steps (an Argo DAG template), called like any template.

// SubStep is a step in the body of a composite template:
//
//	step NAME [for VAR in SOURCE] [after DEP, ...] [when "cond"] [uses TARGET] [{ ... }]
//
// It has the clauses and body of a pipeline's step (StepDecl), without
// the handler prefix.
type SubStep struct {
	Span
	Name    *Ident        `parser:"'step' @@"`
	Clauses []*StepClause `parser:"@@*"`
	Items   []*StepItem   `parser:"( '{' @@* '}' )?"`
}

// Decl returns the step as a new StepDecl.
func (s *SubStep) Decl() *StepDecl {
	return &StepDecl{Span: s.Span, Name: s.Name, Clauses: s.Clauses, Items: s.Items}
}

func (*SubStep) stepStmt() {}

// SubSteps returns the steps among a template body's statements.
func SubSteps(items []*StepItem) []*SubStep {
	var out []*SubStep
	for _, it := range items {
		if s, ok := it.Stmt.(*SubStep); ok {
			out = append(out, s)
		}
	}
	return out
}

func init() {
	stepStmtByKeyword["step"] = stepMember[SubStep]()
}
