package compiler

import (
	"sort"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// A step that uses ref("lib", "t")(...) runs a template of a WorkflowTemplate
// in the cluster, which pipec usually cannot see. When the WorkflowTemplate
// is a pipeline of the same build (a file given to the build, or one such a
// file imports), the reference is checked as a local template call would
// be: the template must exist and the arguments must be its inputs, with a
// did-you-mean for a misspelt name.

// library is a WorkflowTemplate (or ClusterWorkflowTemplate) pipeline of the
// build, lowered when a ref(...) first needs its templates.
type library struct {
	p     *Pipeline
	tmpls map[string]*wfv1.Template
}

type libraryKey struct {
	name    string
	cluster bool
}

func (l *library) templates() map[string]*wfv1.Template {
	if l.tmpls != nil {
		return l.tmpls
	}
	l.tmpls = map[string]*wfv1.Template{}
	obj, ld := Lower(l.p, nil)
	if ld.HasErrors() {
		return l.tmpls
	}
	for i := range obj.Spec().Templates {
		t := &obj.Spec().Templates[i]
		l.tmpls[t.Name] = t
	}
	return l.tmpls
}

// checkLibraryRefs checks the ref(...) steps of the program's pipelines that
// name a WorkflowTemplate pipeline of the build.
func checkLibraryRefs(u *Unit, prog *Program) diag.Diagnostics {
	libs := map[libraryKey]*library{}
	add := func(p *Pipeline) {
		switch p.Kind {
		case KindWorkflowTemplate:
			libs[libraryKey{p.Name, false}] = &library{p: p}
		case KindClusterWorkflowTemplate:
			libs[libraryKey{p.Name, true}] = &library{p: p}
		}
	}
	for _, p := range prog.Pipelines {
		add(p)
	}
	// The pipelines of imported files are not compiled; those without
	// errors of their own still define what a ref(...) may call.
	roots := map[string]bool{}
	for _, r := range u.Roots {
		roots[r] = true
	}
	var paths []string
	for path, f := range u.Files {
		if !roots[path] && f != nil {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	for _, path := range paths {
		f := u.Files[path]
		c := &checker{unit: u, prog: &Program{Unit: u}}
		for _, it := range f.Items {
			if it.Pipeline == nil || it.Pipeline.Name == nil {
				continue
			}
			if _, dup := libs[libraryKey{it.Pipeline.Name.Name, false}]; dup {
				continue
			}
			if _, dup := libs[libraryKey{it.Pipeline.Name.Name, true}]; dup {
				continue
			}
			c.diags = nil
			p := c.pipeline(f, it.Pipeline, c.templatesFor(path), it.Doc)
			if !c.diags.HasErrors() {
				add(p)
			}
		}
	}
	if len(libs) == 0 {
		return nil
	}
	var diags diag.Diagnostics
	for _, p := range prog.Pipelines {
		checkEntrypointRef(&diags, libs, p)
		for _, st := range append(append([]*Step{}, p.Steps...), p.ExitSteps...) {
			if st.TemplateRef == nil {
				continue
			}
			lib := libs[libraryKey{st.TemplateRef.WorkflowTemplate, st.TemplateRef.Cluster}]
			if uses := refClause(st.Decl); lib != nil && uses != nil {
				checkLibraryRef(&diags, lib, st.TemplateRef, uses)
			}
		}
	}
	return diags
}

func refClause(d *dsl.StepDecl) *dsl.UsesClause {
	for _, cl := range d.Clauses {
		if cl.Uses != nil && cl.Uses.Ref != nil {
			return cl.Uses
		}
	}
	return nil
}

// checkEntrypointRef checks the entrypoint of a pipeline that runs a
// WorkflowTemplate of the build (workflow_template_ref): it must name one of
// its templates, and each input of that template without a default must be
// one of the pipeline's parameters (Argo binds them by name).
func checkEntrypointRef(diags *diag.Diagnostics, libs map[libraryKey]*library, p *Pipeline) {
	ref := p.setting("workflow_template_ref", "cluster_workflow_template_ref")
	ep := p.setting("entrypoint")
	if ref == nil || ep == nil {
		return
	}
	lib := libs[libraryKey{ref.Value.(string), ref.Name == "cluster_workflow_template_ref"}]
	if lib == nil {
		return
	}
	kind := "WorkflowTemplate"
	if lib.p.Kind == KindClusterWorkflowTemplate {
		kind = "ClusterWorkflowTemplate"
	}
	name := ep.Value.(string)
	tmpls := lib.templates()
	t := tmpls[name]
	if t == nil {
		d := diags.Errorf(ep.Stmt.Value.Range(), "entrypoint: %s %q (pipeline %s) has no template %q", kind, lib.p.Name, lib.p.Decl.Name.Range(), name)
		names := libraryTemplateNames(tmpls)
		if s := diag.Suggest(name, names); s != "" {
			d.WithHint("did you mean %q?", s)
		} else if len(names) > 0 {
			d.WithHint("its templates are: %s", strings.Join(names, ", "))
		}
		return
	}
	params := map[string]bool{}
	for _, prm := range p.Params {
		params[prm.Name] = true
	}
	for _, prm := range lib.p.Params {
		params[prm.Name] = true // the WorkflowTemplate's own arguments
	}
	for _, in := range t.Inputs.Parameters {
		if in.Value == nil && in.Default == nil && in.ValueFrom == nil && !params[in.Name] && !strings.HasPrefix(in.Name, "pipec-") {
			diags.Errorf(ep.Stmt.Range(), "entrypoint: template %q of %s %q needs the input %q, which no parameter gives", name, kind, lib.p.Name, in.Name).
				WithHint(`declare it: param %s = "..."`, in.Name)
		}
	}
}

// libraryTemplateNames lists a library's templates a caller may name,
// sorted (without pipec's retry wrappers).
func libraryTemplateNames(tmpls map[string]*wfv1.Template) []string {
	var names []string
	for n := range tmpls {
		if !strings.HasSuffix(n, "-with-retry") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// checkLibraryRef checks one ref(...) call against the library's templates.
func checkLibraryRef(diags *diag.Diagnostics, lib *library, ref *TemplateRef, uses *dsl.UsesClause) {
	kind := "WorkflowTemplate"
	if ref.Cluster {
		kind = "ClusterWorkflowTemplate"
	}
	tmpls := lib.templates()
	t := tmpls[ref.Template]
	if t == nil {
		names := libraryTemplateNames(tmpls)
		d := diags.Errorf(uses.Ref.Template.Range(), "%s %q (pipeline %s) has no template %q", kind, ref.WorkflowTemplate, lib.p.Decl.Name.Range(), ref.Template)
		if s := diag.Suggest(ref.Template, names); s != "" {
			d.WithHint("did you mean %q?", s)
		} else if len(names) > 0 {
			d.WithHint("its templates are: %s", strings.Join(names, ", "))
		}
		return
	}
	inputs := map[string]bool{}
	var names []string
	for _, in := range t.Inputs.Parameters {
		inputs[in.Name] = true
		if !strings.HasPrefix(in.Name, "pipec-") {
			names = append(names, in.Name)
		}
	}
	given := map[string]bool{}
	for _, a := range uses.Args {
		given[a.Name.Name] = true
		if inputs[a.Name.Name] {
			continue
		}
		d := diags.Errorf(a.Name.Range(), "template %q of %s %q has no input %q", ref.Template, kind, ref.WorkflowTemplate, a.Name.Name)
		if s := diag.Suggest(a.Name.Name, names); s != "" {
			d.WithHint("did you mean %s?", s)
		} else if len(names) > 0 {
			d.WithHint("its inputs are: %s", strings.Join(names, ", "))
		} else {
			d.WithHint("it takes no arguments")
		}
	}
	for _, in := range t.Inputs.Parameters {
		if in.Value == nil && in.Default == nil && in.ValueFrom == nil && !given[in.Name] && !strings.HasPrefix(in.Name, "pipec-") {
			diags.Errorf(uses.Range(), "template %q of %s %q needs the argument %q", ref.Template, kind, ref.WorkflowTemplate, in.Name).
				WithHint("add %s = \"...\" to the call", in.Name)
		}
	}
}
