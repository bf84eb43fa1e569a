// Library templates: a WorkflowTemplate (or ClusterWorkflowTemplate) is
// also a library of templates that other workflows call by name through
// templateRef (`uses ref("lib", "name")` in pipec). `library [a, b]` names
// the file templates (declared with `template`, or imported) that it offers
// under their own names, with their parameters as inputs: a parameter
// without a default is an input the caller must supply. A library pipeline
// needs no steps; `entrypoint "a"` makes one of its library templates the
// entry point of `argo submit --from`.
//
// pipec cannot see who calls a library template, so none is memoized (two
// callers with the same arguments would share a cache entry), and a
// template's retry is the retryStrategy of the template itself.

package compiler

import (
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// LibraryTemplate is one template a WorkflowTemplate offers by name: a
// leaf (Step, checked like a step that uses the template, its parameters
// left unbound) or a composite.
type LibraryTemplate struct {
	Name      string
	Decl      *dsl.TemplateDecl
	Step      *Step
	Composite *Composite
}

// libraryName is one name of a library setting, where it is written.
type libraryName struct {
	name string
	at   *dsl.Value
}

func init() {
	settingDefs["library"] = settingDef{doc: "the templates a workflow_template offers other workflows' ref(...) by their own names, a list of template names: [print-message, argosay] (spec.templates)",
		check: checkLibraryNames}
}

// checkLibraryNames accepts a non-empty list of template names (bare or
// quoted); libraryTemplates resolves them once the templates are known.
func checkLibraryNames(c *checker, v *dsl.Value, what string) (any, bool) {
	if v.List == nil || len(v.List.Elems) == 0 {
		c.errorf(v, "%s takes a list of template names, got %s", what, v.Kind()).WithHint("for example library [print-message]")
		return nil, false
	}
	var out []libraryName
	seen := map[string]bool{}
	ok := true
	for _, it := range v.List.Elems {
		name := ""
		switch {
		case it.Path != nil && len(it.Path.Parts) == 1:
			name = it.Path.Parts[0].Name
		case it.Str != nil:
			name = it.Str.Value()
		default:
			c.errorf(it, "%s takes template names, got %s", what, it.Kind()).WithHint("for example library [print-message]")
			ok = false
			continue
		}
		if seen[name] {
			c.errorf(it, "template %q is in the library twice", name).WithHint("remove one of them")
			ok = false
			continue
		}
		seen[name] = true
		out = append(out, libraryName{name: name, at: it})
	}
	return out, ok
}

// libraryTemplates checks the library setting of pipeline p: each name is
// a template of the file (or one it imports), and p is a WorkflowTemplate.
func (c *checker) libraryTemplates(p *Pipeline, templates map[string]*dsl.TemplateDecl) {
	s := p.setting("library")
	if s == nil {
		return
	}
	if p.Kind != KindWorkflowTemplate && p.Kind != KindClusterWorkflowTemplate {
		c.errorf(s.Stmt, "library applies to a WorkflowTemplate, which other workflows call by template name").WithHint("add kind workflow_template")
		return
	}
	for _, ln := range s.Value.([]libraryName) {
		t := templates[ln.name]
		if t == nil {
			d := c.errorf(ln.at, "library: unknown template %q", ln.name)
			if sg := diag.Suggest(ln.name, keys(templates)); sg != "" {
				d.WithHint("did you mean %q?", sg)
			} else {
				d.WithHint(`declare it with template %s(...) { ... }, or import the file that does`, ln.name)
			}
			continue
		}
		lt := &LibraryTemplate{Name: argoName(ln.name), Decl: t}
		if isComposite(t) {
			memo := p.Memoize
			p.Memoize = false // its steps are not memoized either
			lt.Composite = c.composite(p, t)
			p.Memoize = memo
			lt.Composite.Library = true
		} else {
			d := &dsl.StepDecl{Span: t.Span, Name: t.Name, Clauses: []*dsl.StepClause{{Span: t.Span, Uses: &dsl.UsesClause{Span: t.Name.Span, Template: t.Name}}}}
			st := &Step{Name: ln.name, ArgoName: lt.Name, Decl: d, Pipeline: p, Library: true}
			c.step(p, st, templates)
			st.Memoize = false
			lt.Step = st
		}
		p.Library = append(p.Library, lt)
	}
	c.checkLibraryNames(p)
}

// checkLibraryNames checks that library templates do not take the Argo
// names of pipec's templates, and the entrypoint of a library.
func (c *checker) checkLibraryNames(p *Pipeline) {
	taken := map[string]string{}
	for _, st := range p.AllSteps() {
		taken[st.TemplateName()] = "the template of step " + quote(st.Name)
		taken[st.TemplateName()+wrapperSuffix] = "the retry template of step " + quote(st.Name)
	}
	for _, comp := range p.Composites {
		if !comp.Library {
			taken[comp.Name] = "the template of composite " + quote(comp.Decl.Name.Name)
		}
		for _, st := range comp.Inner.AllSteps() {
			taken[st.TemplateName()] = "the template of step " + quote(st.Name) + " of template " + quote(comp.Decl.Name.Name)
		}
	}
	s := p.setting("library")
	for i, lt := range p.Library {
		at := s.Value.([]libraryName)[i].at
		if prev, ok := taken[lt.Name]; ok {
			c.errorf(at, "library template %q becomes the Argo template %q, which is %s", lt.Decl.Name.Name, lt.Name, prev).WithHint("rename the template or the step")
		}
		taken[lt.Name] = "library template " + quote(lt.Decl.Name.Name)
	}
	ep := p.setting("entrypoint")
	if ep == nil || p.setting("workflow_template_ref", "cluster_workflow_template_ref") != nil {
		return
	}
	name := ep.Value.(string)
	for _, lt := range p.Library {
		if lt.Name == name {
			return
		}
	}
	var names []string
	for _, lt := range p.Library {
		names = append(names, lt.Name)
	}
	d := c.errorf(ep.Stmt.Value, "entrypoint %q is not a template of the library of pipeline %q", name, p.Name)
	if sg := diag.Suggest(name, names); sg != "" {
		d.WithHint("did you mean %q?", sg)
	} else {
		d.WithHint("its library templates are: %s", strings.Join(names, ", "))
	}
}

// isLibrary reports whether a pipeline is only a library: a
// WorkflowTemplate with library templates and no steps of its own.
func (p *Pipeline) isLibrary() bool {
	return len(p.Steps) == 0 && len(p.Library) > 0
}

// ---- lowering ----

// libraryTemplates lowers the leaf library templates of a pipeline (every
// parameter an input, with its default); a composite's DAG template is
// lowered with the pipeline's composites.
func (l *lowerer) libraryTemplates(p *Pipeline, spec *wfv1.WorkflowSpec) {
	for _, lt := range p.Library {
		if lt.Step == nil {
			continue
		}
		tmpls := make([]wfv1.Template, ownTemplates(lt.Step))
		l.stepTask(lt.Step, tmpls)
		for i := range tmpls {
			if tmpls[i].Name == lt.Name {
				libraryInputs(&tmpls[i], lt.Decl)
			}
		}
		spec.Templates = append(spec.Templates, tmpls...)
	}
}

// libraryInputs gives a library template an input for every parameter of
// its declaration (a caller may pass one the body does not use), with the
// parameter's default.
func libraryInputs(t *wfv1.Template, decl *dsl.TemplateDecl) {
	has := map[string]int{}
	for i, in := range t.Inputs.Parameters {
		has[in.Name] = i
	}
	var params []wfv1.Parameter
	for _, tp := range decl.Params {
		in := wfv1.Parameter{Name: tp.Name.Name}
		if i, ok := has[tp.Name.Name]; ok {
			in = t.Inputs.Parameters[i]
			delete(has, tp.Name.Name)
		}
		if tp.Default != nil {
			if v, ok := scalarText(tp.Default); ok {
				in.Default = anyString(v)
			} else if tp.Default.Bool != nil {
				in.Default = anyString(*tp.Default.Bool)
			}
		}
		params = append(params, in)
	}
	for _, in := range t.Inputs.Parameters {
		if _, rest := has[in.Name]; rest {
			if in.Name == InstanceParam {
				in.Default = anyString(t.Name)
			}
			params = append(params, in)
		}
	}
	t.Inputs.Parameters = params
}

// pipecTemplateNames names pipec's entry and exit handler templates: main
// and exit-handler, unless one of the user's steps or templates has that
// Argo name (Argo's examples call templates main all the time); then
// pipec-main (pipec-main-2, ...).
func (c *checker) pipecTemplateNames(p *Pipeline) {
	all := p.AllSteps()
	// The steps' template names; each step's retry wrapper's name is taken
	// too (stepTaken).
	stepNames := make(map[string]bool, len(all))
	taken := map[string]bool{}
	for _, st := range all {
		stepNames[st.TemplateName()] = true
	}
	for _, comp := range p.Composites {
		taken[comp.Name] = true
		for _, st := range comp.Inner.AllSteps() {
			stepNames[st.TemplateName()] = true
		}
	}
	for _, lt := range p.Library {
		taken[lt.Name] = true
	}
	isTaken := func(name string) bool {
		return taken[name] || stepNames[name] || strings.HasSuffix(name, wrapperSuffix) && stepNames[strings.TrimSuffix(name, wrapperSuffix)]
	}
	free := func(base string) string {
		name := base
		for i := 1; isTaken(name); i++ {
			name = "pipec-" + base
			if i > 1 {
				name += "-" + strconv.Itoa(i)
			}
		}
		taken[name] = true
		return name
	}
	p.EntryName = free(EntryTemplate)
	p.ExitName = free(ExitTemplate)
}
