package compiler

import (
	"runtime"

	"github.com/pipec/pipec/dsl"
)

// The build path of `pipec build` (Options.Release): a one-shot build
// needs the AST and the checked program only until a pipeline is lowered,
// and the Argo objects only until they are rendered and validated, but
// Compile's Result keeps all of them for the language server and watch
// mode, and every phase's data stays reachable until the build ends. With
// Release, Compile keeps of them only what the rest of a build reads: the
// sources (for the excerpts of diagnostics), the imports, and of each
// lowered pipeline what Validate and the CLI read (releasedPipeline).

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
			s.Body = &Body{Raw: st.Body.Raw} // blame points into a step's raw fragments
		}
		if d := st.Decl; d != nil {
			s.Decl = &dsl.StepDecl{Span: d.Span, Name: d.Name}
			for _, it := range d.Items {
				if it.Stmt != nil {
					s.Decl.Items = []*dsl.StepItem{{Span: it.Span, Stmt: it.Stmt}}
					break
				}
			}
		}
		r.Steps = append(r.Steps, s)
	}
	return r
}

// releaseGCTemplates is the size of a lowered object (in templates) from
// which releaseGC collects.
const releaseGCTemplates = 1000

// releaseGC runs the garbage collector once a large pipeline's AST and
// model are released: the collector's next goal (twice the live heap) is
// then set from the objects alone, not from the objects, the AST and the
// model, which the last collection, during lowering, saw live. At 10,000
// steps the live heap drops from about 156 to 76 MB and the build's peak
// RSS from about 440 to 350 MB, for one collection.
func releaseGC(obj *Object) {
	if len(obj.Spec().Templates) >= releaseGCTemplates {
		runtime.GC()
	}
}
