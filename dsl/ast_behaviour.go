package dsl

// Step behaviour: statements that say how a step's task behaves in the DAG.

// ContinueOnStmt: `continue_on failed`, `continue_on errored` or
// `continue_on failed errored`: the pipeline goes on, and may succeed, when
// the step fails or errors.
type ContinueOnStmt struct {
	Span
	Outcomes []string `parser:"'continue_on' @('failed' | 'errored')+"`
}

func (*ContinueOnStmt) stepStmt() {}

// behaviourStmts are the members of the StepStmt union for step behaviour.
var behaviourStmts = []StepStmt{&ContinueOnStmt{}}

func init() {
	stepStmtByKeyword["continue_on"] = stepMember[ContinueOnStmt]()
}

// behaviourStmt prints a statement of this file; it reports whether n was
// one.
func (p *printer) behaviourStmt(n Node) bool {
	switch s := n.(type) {
	case *ContinueOnStmt:
		p.tok("continue_on", s.Pos, s.Pos)
		for _, o := range s.Outcomes {
			p.word(o)
		}
	default:
		return false
	}
	return true
}
