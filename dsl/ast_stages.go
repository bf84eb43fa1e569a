package dsl

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Stages: sequential groups of parallel steps. A pipeline, a composite
// template or the exit handlers written as stages compile to an Argo
// `steps` template (a list of lists): the stages run one after another,
// the steps of one stage in parallel.

// StageDecl is one stage:
//
//	[on exit | on failure] stage [NAME] { step ... step ... }
//
// Its body holds steps (SubStep); the checker reports anything else. The
// name is optional and only documents the stage (Argo's step groups have
// no names).
type StageDecl struct {
	Span
	Handler string      `parser:"( 'on' @('exit' | 'failure') )?"`
	Name    *Ident      `parser:"'stage' @@?"`
	Items   []*StepItem `parser:"'{' @@* '}'"`
}

func (*StageDecl) pipelineStmt() {}

// SubStage is a stage in the body of a composite template: a StageDecl
// without the handler prefix.
type SubStage struct {
	Span
	Name  *Ident      `parser:"'stage' @@?"`
	Items []*StepItem `parser:"'{' @@* '}'"`
}

func (*SubStage) stepStmt() {}

// Decl returns the stage as a new StageDecl.
func (s *SubStage) Decl() *StageDecl {
	return &StageDecl{Span: s.Span, Name: s.Name, Items: s.Items}
}

// Steps returns the steps of the stage, in source order.
func (s *StageDecl) Steps() []*SubStep { return SubSteps(s.Items) }

// SubStages returns the stages among a template body's statements.
func SubStages(items []*StepItem) []*SubStage {
	var out []*SubStage
	for _, it := range items {
		if s, ok := it.Stmt.(*SubStage); ok {
			out = append(out, s)
		}
	}
	return out
}

func init() {
	stepStmtByKeyword["stage"] = stepMember[SubStage]()
}

// stage prints a stage: its header and its steps.
func (p *printer) stage(s *StageDecl) {
	if s.Handler != "" {
		p.tok("on", s.Pos, s.Pos)
		p.word(s.Handler)
		p.word("stage")
	} else {
		p.tok("stage", s.Pos, s.Pos)
	}
	from := p.afterWord(s.Pos, "stage")
	if s.Name != nil {
		p.sp()
		p.ident(s.Name)
		from = s.Name.EndPos
	}
	open := p.findPunct(from, '{', "", s.EndPos.Offset)
	p.block(open, s.EndPos, stepItems(p, s.Items))
}

// afterWord is the position just after the keyword word, the first one
// at or after from in the source (zero if the source is unknown).
func (p *printer) afterWord(from lexer.Position, word string) lexer.Position {
	if p.src == nil || from.Line == 0 || from.Offset > len(p.src) {
		return lexer.Position{}
	}
	i := strings.Index(string(p.src[from.Offset:]), word)
	if i < 0 {
		return lexer.Position{}
	}
	pos := from
	pos.Advance(string(p.src[from.Offset : from.Offset+i+len(word)]))
	return pos
}
