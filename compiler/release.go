package compiler

import (
	"runtime"

	"github.com/pipec/pipec/dsl"
)

// The build path of `pipec build` (Options.Release): a one-shot build
// needs the AST only until it is checked, the checked program only until
// a pipeline is lowered, and the Argo objects only until they are rendered
// and validated, but Compile's Result keeps all of them for the language
// server and watch mode, and every phase's data stays reachable until the
// build ends. With Release, Compile keeps of them only what the rest of a
// build reads: the sources (for the excerpts of diagnostics), the imports,
// of the AST what lowering reads (releaseAST, releaseLits), and of each
// lowered pipeline what Validate and the CLI read (releasedPipeline).

// releaseAST drops, before p is lowered, the model's references into the
// AST that lowering does not read: the file's and the pipeline's syntax
// trees, each step's declaration (but for what lowering and blame read of
// it: releasedDecl), its loop's and retry's
// statements and its outputs' declarations, and the stages' declarations.
// The AST is then garbage once every pipeline of its file is released
// (Compile releases them all before lowering the first): a step's
// statements are most of it, and lowering keeps the model and makes the
// Argo objects, so the three were live together (docs/performance.md, "2
// December: peak memory"). Templates (composite and library) keep their
// declarations, which lowering reads; so do the steps of a composite,
// whose declarations are the template's statements.
func releaseAST(p *Pipeline) {
	p.File = &dsl.File{Name: p.File.Name}
	if p.Decl != nil {
		p.Decl = &dsl.Pipeline{Span: p.Decl.Span, Name: p.Decl.Name}
	}
	for _, st := range p.AllSteps() {
		st.Decl = releasedDecl(st.Decl)
		if st.Loop != nil {
			st.Loop.Decl = nil
		}
		if st.Retry != nil {
			st.Retry.Stmt = nil // perhaps the pipeline's or a template's, released too
		}
		for _, o := range st.Outputs {
			o.Decl = nil
		}
	}
	for _, stg := range append(p.Stages[:len(p.Stages):len(p.Stages)], p.ExitStages...) {
		stg.Decl = nil
	}
}

// releaseLits drops the string literals of prog's texts (Text.Lit), which
// only checking reads (for the range of a message about a text's value):
// the literals are the most numerous of the AST's nodes that the checked
// model refers to.
func releaseLits(prog *Program) {
	for _, a := range prog.texts {
		for i := range a {
			a[i].Lit = nil
		}
	}
	prog.texts = nil
}

// releasedDecl is what lowering and blame read of a step's declaration:
// its span, its name, whether it loops (its loop clause without its
// source: loops in artifacts_lower.go) and the span of its first statement
// (firstStatement): copies of the AST's nodes, not the AST.
func releasedDecl(d *dsl.StepDecl) *dsl.StepDecl {
	if d == nil {
		return nil
	}
	r := &dsl.StepDecl{Span: d.Span, Name: d.Name}
	for _, cl := range d.Clauses {
		if cl.Loop != nil {
			r.Clauses = []*dsl.StepClause{{Span: cl.Span, Loop: &dsl.LoopClause{Span: cl.Loop.Span, Var: cl.Loop.Var}}}
			break
		}
	}
	if it := firstStatement(d); it != nil {
		r.Items = []*dsl.StepItem{{Span: it.Span}} // its span only: the statement holds values, strings, lists
	}
	return r
}

// releasedUnit is u with only each file's name and source.
func releasedUnit(u *Unit) *Unit {
	r := &Unit{Roots: u.Roots, Imports: u.Imports, Files: make(map[string]*dsl.File, len(u.Files))}
	for name, f := range u.Files {
		if f != nil {
			f = &dsl.File{Name: f.Name, Source: f.Source}
		}
		r.Files[name] = f // nil for a file that could not be read
	}
	return r
}

// releasedPipeline is what a lowered pipeline's Object and Output need of
// it once the pipeline is lowered: its name, kind, file name and raw
// fragments, and for blame each step's Argo name, raw fragments, the range
// of its name and its first statement (a copy of the AST's nodes, not the AST).
func releasedPipeline(p *Pipeline) *Pipeline {
	r := &Pipeline{Name: p.Name, Kind: p.Kind, Raw: p.Raw, File: &dsl.File{Name: p.File.Name}}
	if p.Decl != nil {
		r.Decl = &dsl.Pipeline{Span: p.Decl.Span, Name: p.Decl.Name}
	}
	for _, st := range p.AllSteps() {
		s := &Step{Name: st.Name, ArgoName: st.ArgoName, Pipeline: r}
		if st.Body != nil && len(st.Body.Raw) > 0 {
			s.Body = &Body{BodyExtra: &BodyExtra{Raw: st.Body.Raw}} // blame points into a step's raw fragments
		}
		s.Decl = releasedDecl(st.Decl)
		r.Steps = append(r.Steps, s)
	}
	return r
}

// releaseGCSize is the number of steps (or templates) of the pipelines
// from which releaseGC collects.
const releaseGCSize = 1000

// releaseGC runs the garbage collector, for a build of size steps or
// templates (releaseGCSize), once the AST is released before lowering and
// once a lowered pipeline's model is released: the collector's next goal
// (twice the live heap) is then set from what is left, not from what the
// last collection saw live. Without the first, that last collection is
// one while the file was parsed (the AST and its 37 MB of tokens at 10,000
// steps), and the heap grows to twice that during checking and lowering;
// with it, it starts lowering from the model alone (39 MB live instead of
// 88). At 10,000 steps the peak RSS goes from about 225 to about 205 MB,
// and CPU time does not grow (docs/performance.md, "2 December: peak
// memory"); the second collection takes the live heap from the objects,
// the AST and the model to the objects alone. A collection while the AST is
// live (after loading) only adds one (measured there too).
func releaseGC(size int) {
	if size >= releaseGCSize {
		runtime.GC()
	}
}
