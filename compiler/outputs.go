// Outputs of a pipeline: `output NAME = value("${step.out}")` or
// `expression("...")` in a pipeline are outputs of its entry template
// (template.outputs of `main`), computed from its steps as a composite
// template's are (composite.go).

package compiler

import "github.com/pipec/pipec/dsl"

// pipelineOutputs checks the pipeline's output statements, once its steps
// are checked.
func (c *checker) pipelineOutputs(p *Pipeline, items []*dsl.PipelineItem) {
	sc := &scope{p: p}
	for _, it := range items {
		s := it.Stmt.(*dsl.OutputStmt)
		if s.Global != nil {
			c.errorf(s.Global, "global applies to a step's outputs; an output of the pipeline is already the workflow's").WithHint("remove global")
		}
		out := c.dagOutput(sc, p.Outputs, "pipeline "+quote(p.Name), "a pipeline", s, it.Doc)
		if out == nil {
			continue
		}
		// Only the main steps are tasks of the entry template.
		for _, t := range []*Text{out.Value, out.Expr} {
			if t == nil {
				continue
			}
			for _, tr := range t.Refs {
				if r := tr.Ref; r.Step != nil && (r.Step.Handler != "" || r.Step.HookOf != nil) {
					c.diags.Errorf(r.Range, "${%s}: an output of the pipeline is computed from its main steps; %q is a handler or a hook", r.Path, r.Step.Name)
				}
			}
		}
		p.Outputs = append(p.Outputs, out)
	}
}
