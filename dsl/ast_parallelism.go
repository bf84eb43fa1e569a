package dsl

// StepParallelismStmt: `step_parallelism N` in a template with steps: at
// most N of the template's own steps (loop iterations included) run at
// once, the parallelism of the composite's DAG or steps template. In a
// pipeline, the same keyword is a setting of the entry template
// (SettingStmt).
type StepParallelismStmt struct {
	Span
	N *Value `parser:"'step_parallelism' @@"`
}

func (*StepParallelismStmt) stepStmt() {}

func init() {
	stepStmtByKeyword["step_parallelism"] = stepMember[StepParallelismStmt]()
}

// parallelismStmt prints a statement of this file; it reports whether n
// was one.
func (p *printer) parallelismStmt(n Node) bool {
	s, ok := n.(*StepParallelismStmt)
	if !ok {
		return false
	}
	p.tok("step_parallelism", s.Pos, s.Pos)
	p.sp()
	p.value(s.N)
	return true
}
