package dsl

// Lifecycle hooks: steps that Argo runs when a step (a task's `hooks`) or
// the workflow (`spec.hooks`) reaches a state, or when an expression holds.

// HookStmt is a lifecycle hook of a step, in the step's body:
//
//	on EVENT [when "EXPR"] step NAME [uses TARGET] [{ ... }]
//
// EVENT is exit (the step's exit handler), running, succeeded, failed,
// errored, or a name of the user's whose `when` expression says when it
// runs. It has the clauses and body of a pipeline's step (StepDecl).
type HookStmt struct {
	Span
	Event   *Ident        `parser:"'on' @@"`
	When    *StringLit    `parser:"( 'when' @@ )?"`
	Name    *Ident        `parser:"'step' @@"`
	Clauses []*StepClause `parser:"@@*"`
	Items   []*StepItem   `parser:"( '{' @@* '}' )?"`
}

// Decl returns the hook as a new StepDecl whose Handler is the event.
func (s *HookStmt) Decl() *StepDecl {
	return &StepDecl{Span: s.Span, On: s.Event, HookWhen: s.When, Name: s.Name, Clauses: s.Clauses, Items: s.Items}
}

func (*HookStmt) stepStmt() {}

// Hooks returns the lifecycle hooks among a step body's statements.
func Hooks(items []*StepItem) []*HookStmt {
	var out []*HookStmt
	for _, it := range items {
		if s, ok := it.Stmt.(*HookStmt); ok {
			out = append(out, s)
		}
	}
	return out
}

func init() {
	stepStmtByKeyword["on"] = stepMember[HookStmt]()
}
