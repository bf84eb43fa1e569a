package lsp

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// What a name in the source can stand for.
type targetKind int

const (
	tStep targetKind = iota
	tParam
	tOutput
	tResult
	tTemplate
	tTParam
	tLoopVar
	tImport
	tArgo
)

var kindNames = map[targetKind]string{tStep: "step", tParam: "parameter", tOutput: "output", tResult: "result",
	tTemplate: "template", tTParam: "template parameter", tLoopVar: "loop variable", tImport: "import", tArgo: "Argo variable"}

// target is something declared: a step, a parameter, an output, a template
// and its parameters, a loop variable or an imported file. Its identity is
// the position of its declaration.
type target struct {
	kind targetKind
	name string
	decl diag.Range // the declaring name; for an import, Filename is the imported file

	step   *compiler.Step
	param  *compiler.Param
	output *compiler.StepOutput
	tmpl   *dsl.TemplateDecl
	tparam *dsl.TParam
	loop   *compiler.Loop
	doc    string // for a template (a step's and an output's are found when described)
}

func (t *target) key() string {
	return fmt.Sprintf("%d|%s|%d", t.kind, t.decl.Filename, t.decl.Start.Offset)
}

// occurrence is a name in the source that stands for a target.
type occurrence struct {
	rng  diag.Range // the name itself
	tgt  *target
	decl bool
	use  *compiler.Use // for a ${...} reference
}

// index lists every occurrence the compiler resolved in a unit.
type index struct {
	occs []occurrence
	uses []*compiler.Use
}

// buildIndex collects occurrences from the checked model; it resolves
// nothing itself.
func buildIndex(unit *compiler.Unit, prog *compiler.Program) *index {
	ix := &index{}
	type occKey struct {
		file       string
		start, end int
		kind       targetKind
		declFile   string
		declOff    int
	}
	seen := map[occKey]bool{}
	add := func(r diag.Range, t *target, decl bool, use *compiler.Use) {
		if r.Filename == "" || t == nil {
			return
		}
		k := occKey{r.Filename, r.Start.Offset, r.End.Offset, t.kind, t.decl.Filename, t.decl.Start.Offset}
		if seen[k] {
			return
		}
		seen[k] = true
		ix.occs = append(ix.occs, occurrence{rng: r, tgt: t, decl: decl, use: use})
	}
	targets := map[any]*target{}
	stepT := func(st *compiler.Step) *target {
		if t := targets[st]; t != nil {
			return t
		}
		t := &target{kind: tStep, name: st.Name, decl: st.Decl.Name.Range(), step: st}
		targets[st] = t
		return t
	}
	paramT := func(p *compiler.Param) *target {
		if t := targets[p]; t != nil {
			return t
		}
		if p.Decl == nil {
			return nil // an input of a composite template: it has no param statement
		}
		t := &target{kind: tParam, name: p.Name, decl: p.Decl.Name.Range(), param: p, doc: p.Description}
		targets[p] = t
		return t
	}
	outputT := func(st *compiler.Step, name string) *target {
		for _, o := range st.Outputs {
			if o.Name != name || o.Decl == nil {
				continue
			}
			if t := targets[o.Decl]; t != nil {
				return t
			}
			t := &target{kind: tOutput, name: name, decl: o.Decl.Name.Range(), step: st, output: o}
			targets[o.Decl] = t
			return t
		}
		return nil
	}
	tmplT := func(td *dsl.TemplateDecl) *target {
		if t := targets[td]; t != nil {
			return t
		}
		t := &target{kind: tTemplate, name: td.Name.Name, decl: td.Name.Range(), tmpl: td, doc: td.Doc.Text()}
		targets[td] = t
		return t
	}
	tparamT := func(td *dsl.TemplateDecl, name string) *target {
		for _, tp := range td.Params {
			if tp.Name == nil || tp.Name.Name != name {
				continue
			}
			if t := targets[tp]; t != nil {
				return t
			}
			t := &target{kind: tTParam, name: name, decl: tp.Name.Range(), tmpl: td, tparam: tp}
			targets[tp] = t
			return t
		}
		return nil
	}
	loopT := func(st *compiler.Step) *target {
		if st.Loop == nil || st.Loop.Decl == nil {
			return nil
		}
		if t := targets[st.Loop]; t != nil {
			return t
		}
		t := &target{kind: tLoopVar, name: st.Loop.Var, decl: st.Loop.Decl.Var.Range(), step: st, loop: st.Loop}
		targets[st.Loop] = t
		return t
	}

	// Files: imports and templates (declared whether or not they are used).
	paths := make([]string, 0, len(unit.Files))
	for p := range unit.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		f := unit.Files[path]
		if f == nil {
			continue
		}
		for _, it := range f.Items {
			if it.Import != nil && it.Import.Path != nil {
				if tp := importTarget(unit, path, it.Import.Path.Value()); tp != "" {
					t := &target{kind: tImport, name: it.Import.Path.Value(), decl: diag.Range{Filename: tp}}
					add(it.Import.Path.Range(), t, false, nil)
				}
			}
			if td := it.Template; td != nil && td.Name != nil {
				add(td.Name.Range(), tmplT(td), true, nil)
				for _, tp := range td.Params {
					if tp.Name != nil {
						add(tp.Name.Range(), tparamT(td, tp.Name.Name), true, nil)
					}
				}
			}
		}
	}
	// Pipelines: declarations, after lists, template calls.
	for _, p := range prog.Pipelines {
		for _, prm := range p.Params {
			add(prm.Decl.Name.Range(), paramT(prm), true, nil)
		}
		for _, st := range p.AllSteps() { // hooks included
			add(st.Decl.Name.Range(), stepT(st), true, nil)
			if lt := loopT(st); lt != nil {
				add(lt.decl, lt, true, nil)
			}
			for _, o := range st.Outputs {
				if o.Decl != nil {
					add(o.Decl.Name.Range(), outputT(st, o.Name), true, nil)
				}
			}
			for _, cl := range st.Decl.Clauses {
				if cl.After != nil {
					for _, dep := range cl.After.Deps() {
						for _, d := range st.Deps {
							if !d.Implicit && d.Range.Start.Offset == dep.Pos.Offset && d.Range.Filename == dep.Pos.Filename {
								add(dep.Step.Range(), stepT(d.Step), false, nil)
							}
						}
					}
				}
				if cl.Uses != nil && cl.Uses.Template != nil && st.Template != nil {
					add(cl.Uses.Template.Range(), tmplT(st.Template), false, nil)
					for _, a := range cl.Uses.Args {
						add(a.Name.Range(), tparamT(st.Template, a.Name.Name), false, nil)
					}
				}
			}
		}
	}
	// ${...} references.
	for _, u := range prog.Uses {
		ix.uses = append(ix.uses, u)
		f := unit.Files[u.Range.Filename]
		if f == nil {
			continue
		}
		parts := pathParts(f.Source, u.Range)
		if len(parts) == 0 {
			continue
		}
		r := u.Ref
		switch r.Kind {
		case compiler.RefParam:
			add(parts[0], paramT(r.Param), false, u)
		case compiler.RefOutput:
			add(parts[0], stepT(r.Step), false, u)
			if len(parts) > 1 {
				add(parts[1], outputT(r.Step, r.Output), false, u)
			}
		case compiler.RefResult:
			add(parts[0], stepT(r.Step), false, u)
			if len(parts) > 1 {
				add(parts[1], &target{kind: tResult, name: "result", decl: r.Step.Decl.Name.Range(), step: r.Step}, false, u)
			}
		case compiler.RefStepField:
			add(parts[0], stepT(r.Step), false, u)
		case compiler.RefAllOutputs:
			if r.Step != nil {
				add(parts[0], stepT(r.Step), false, u)
			}
		case compiler.RefLoopVar:
			if u.Step != nil {
				add(parts[0], loopT(u.Step), false, u)
			}
		case compiler.RefTemplateParam:
			if u.Template != nil {
				add(parts[0], tparamT(u.Template, r.TemplateParam), false, u)
			}
		case compiler.RefArgo:
			add(diag.Range{Filename: u.Range.Filename, Start: parts[0].Start, End: parts[len(parts)-1].End},
				&target{kind: tArgo, name: r.Argo}, false, u)
		}
	}
	return ix
}

// importTarget is the file an import names, if the loader loaded it.
func importTarget(unit *compiler.Unit, from, rel string) string {
	for _, q := range unit.Imports[from] {
		if filepath.Base(q) == filepath.Base(rel) && (filepath.IsAbs(rel) && q == filepath.Clean(rel) || q == filepath.Join(filepath.Dir(from), rel)) {
			return q
		}
	}
	return ""
}

// pathParts gives the range of each dotted name of a reference: the source
// text at r is ${ a.b } or a bare a.b.
func pathParts(src []byte, r diag.Range) []diag.Range {
	start, end := r.Start.Offset, r.End.Offset
	if start < 0 || end > len(src) || start > end {
		return nil
	}
	i := start
	if i+1 < end && src[i] == '$' && src[i+1] == '{' {
		i += 2
	}
	var parts []diag.Range
	for i < end && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	for i < end {
		j := i
		for j < end && isIdentByte(src[j]) {
			j++
		}
		parts = append(parts, diag.Range{Filename: r.Filename, Start: diag.Pos{Offset: i, Line: 1}, End: diag.Pos{Offset: j, Line: 1}})
		if j >= end || src[j] != '.' {
			break
		}
		i = j + 1
	}
	return parts
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '-' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// at returns the occurrence at a byte offset of a file, preferring the
// narrowest.
func (ix *index) at(path string, off int) *occurrence {
	var best *occurrence
	for i := range ix.occs {
		o := &ix.occs[i]
		if o.rng.Filename == path && o.rng.Contains(off) {
			if best == nil || o.rng.End.Offset-o.rng.Start.Offset < best.rng.End.Offset-best.rng.Start.Offset {
				best = o
			}
		}
	}
	return best
}

// useAt returns the ${...} reference at an offset.
func (ix *index) useAt(path string, off int) *compiler.Use {
	for _, u := range ix.uses {
		if u.Range.Filename == path && u.Range.Contains(off) {
			return u
		}
	}
	return nil
}

// stepDoc is the doc comment above a step.
func stepDoc(st *compiler.Step) string {
	if st.Pipeline == nil || st.Pipeline.Decl == nil {
		return ""
	}
	for _, it := range st.Pipeline.Decl.Items {
		if it.Stmt == dsl.PipelineStmt(st.Decl) {
			return it.Doc.Text()
		}
		if sd, ok := it.Stmt.(*dsl.StageDecl); ok {
			if doc := subStepDoc(sd.Items, st); doc != "" {
				return doc
			}
		}
	}
	return ""
}

// stepItemDoc is the doc comment above a statement in a step or template.
func stepItemDoc(unit *compiler.Unit, stmt dsl.StepStmt) string {
	f := unit.Files[stmt.Range().Filename]
	if f == nil {
		return ""
	}
	var found string
	visit := func(items []*dsl.StepItem) {
		for _, it := range items {
			if it.Stmt == stmt {
				found = it.Doc.Text()
			}
		}
	}
	f.EachStepBody(visit)
	return found
}
