// Composite templates: a template whose body holds steps is a reusable
// group of steps with typed inputs and outputs, called like any template
// (`uses NAME(arg = ...)`), possibly by itself under a condition. Each
// becomes one Argo DAG template per pipeline that uses it; its steps are
// checked and lowered like a pipeline's, in a pipeline of their own whose
// parameters are the template's inputs.

package compiler

import (
	"fmt"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// InstanceParam is the input of a composite's DAG template (and of each of
// its steps' templates) that names the call: the path of step names from
// the pipeline's DAG down to it. It takes part in the memo keys of the
// composite's steps, which are then unique per instance even when the same
// composite is called twice with the same arguments (or by itself).
const InstanceParam = "pipec-instance"

const kindComposite = "composite"

// Composite is a composite template, checked for one pipeline.
type Composite struct {
	Decl *dsl.TemplateDecl
	// Name is the Argo name of its DAG template.
	Name   string
	Params []*Param // its inputs (Param.Input)
	// Inner holds its steps, checked as a pipeline of their own.
	Inner   *Pipeline
	Outputs []*CompositeOutput
	// Parallelism is step_parallelism N: at most N of its steps at once.
	Parallelism *int64
	// Library is set when a WorkflowTemplate offers it by name
	// (library.go).
	Library bool
}

// CompositeOutput is an output of a composite template: the value of a
// reference to one of its steps (valueFrom.parameter) or an Argo
// expression (valueFrom.expression).
type CompositeOutput struct {
	Name        string
	Value       *Text
	Expr        *Text
	Description string
}

// isComposite reports whether a template's body holds steps.
func isComposite(t *dsl.TemplateDecl) bool {
	return len(dsl.SubSteps(t.Items)) > 0 || len(dsl.SubStages(t.Items)) > 0
}

// rootPipeline is the pipeline a (possibly composite's inner) pipeline
// belongs to.
func (p *Pipeline) rootPipeline() *Pipeline {
	if p.root != nil {
		return p.root
	}
	return p
}

// compositeCall checks a step that uses a composite template.
func (c *checker) compositeCall(sc *scope, st *Step, t *dsl.TemplateDecl, uses *dsl.UsesClause) {
	comp := c.composite(sc.p, t)
	st.Composite, st.Template = comp, t
	st.Memoize, st.Retry = false, nil
	for _, it := range st.Decl.Items {
		if it.Stmt != nil {
			c.errorf(it, "step %q uses the composite template %q, which runs its own steps; it cannot have a body", st.Name, t.Name.Name).WithHint("move the statements into the template's steps")
			break
		}
	}
	args := map[string]*dsl.Arg{}
	for _, a := range uses.Args {
		if _, dup := args[a.Name.Name]; dup {
			c.errorf(a.Name, "argument %q is given twice", a.Name.Name)
			continue
		}
		args[a.Name.Name] = a
	}
	var names []string
	for _, prm := range comp.Params {
		names = append(names, prm.Name)
		a := args[prm.Name]
		arg := &Arg{Name: prm.Name}
		switch {
		case a != nil && a.Value.Str != nil:
			arg.Value = c.text(sc, a.Value.Str)
			if prm.Type != "string" && prm.Type != "json" && len(arg.Value.Refs) == 0 {
				c.errorf(a.Value, "argument %q of template %q must be of type %s, got string", prm.Name, t.Name.Name, prm.Type)
			}
		case a != nil:
			if v, ok := c.typedValue(a.Value, prm.Type, fmt.Sprintf("argument %q of template %q", prm.Name, t.Name.Name)); ok {
				arg.Value = &Text{Value: v}
			}
		case prm.Default != nil:
			arg.Value = &Text{Value: *prm.Default}
		default:
			c.errorf(uses.Template, "template %q needs argument %q (%s)", t.Name.Name, prm.Name, prm.Type).WithHint("add %s = ... to the call", prm.Name)
		}
		if arg.Value != nil {
			st.CompositeArgs = append(st.CompositeArgs, arg)
		}
	}
	c.compositeArtifactArgs(sc, st, comp, args)
	for _, a := range uses.Args {
		if comp.param(a.Name.Name) == nil && comp.Inner.scopeInput(a.Name.Name) == nil {
			dd := c.errorf(a.Name, "template %q has no parameter %q", t.Name.Name, a.Name.Name)
			if s := diag.Suggest(a.Name.Name, names); s != "" {
				dd.WithHint("did you mean %q?", s)
			}
		}
	}
	if sc.p.composite == comp && st.When == nil {
		c.errorf(uses.Template, "step %q calls %q, the template it is part of, without a when condition: the recursion would never end", st.Name, t.Name.Name).
			WithHint(`add a condition that ends it, e.g. when "${flip.result} == tails"`)
	}
}

func (comp *Composite) param(name string) *Param {
	for _, p := range comp.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// composite checks a composite template for the pipeline p belongs to,
// once: later calls (and recursive ones) get the same Composite.
func (c *checker) composite(p *Pipeline, t *dsl.TemplateDecl) *Composite {
	root := p.rootPipeline()
	if comp := root.composites[t]; comp != nil {
		return comp
	}
	if root.composites == nil {
		root.composites = map[*dsl.TemplateDecl]*Composite{}
	}
	comp := &Composite{Decl: t, Name: argoName(t.Name.Name)}
	root.composites[t] = comp
	root.Composites = append(root.Composites, comp)
	file := c.unit.Files[t.Pos.Filename]
	if file == nil {
		file = root.File
	}
	inner := &Pipeline{Decl: root.Decl, File: file, Name: root.Name, Kind: root.Kind, Image: root.Image, Env: root.Env,
		Volumes: root.Volumes, Retry: root.Retry, Memoize: root.Memoize, MaxAge: root.MaxAge,
		stepsByName: map[string]*Step{}, composite: comp, root: root}
	comp.Inner = inner
	before := len(c.diags)
	if !isArgoName(comp.Name) {
		c.errorf(t.Name, "template name %q cannot be an Argo template name here", t.Name.Name).WithHint("use letters, digits, '-' and '_'")
	}
	for _, tp := range t.Params {
		prm := &Param{Name: tp.Name.Name, Type: tp.Type.Name, Input: true}
		if !contains(paramTypes, prm.Type) {
			c.unknownWord(tp.Type, "parameter type", paramTypes)
			prm.Type = "string"
		}
		if tp.Default != nil {
			if v, ok := c.typedValue(tp.Default, prm.Type, "the default of "+prm.Name); ok {
				prm.Default = &v
			}
		}
		if prm.Name == InstanceParam {
			c.errorf(tp.Name, "parameter name %q is reserved by pipec", prm.Name)
		}
		inner.Params = append(inner.Params, prm)
	}
	comp.Params = inner.Params
	subs, stageOf := c.compositeSteps(t)
	for _, sub := range subs {
		d := sub.Decl()
		st := &Step{Name: d.Name.Name, ArgoName: comp.Name + "-" + taskName(d.Name.Name), Decl: d, Pipeline: inner}
		if !isArgoName(st.ArgoName) || len(st.ArgoName) > 128 {
			c.errorf(d.Name, "step name %q cannot be an Argo task name", st.Name).WithHint("use letters, digits, '-' and '_'")
		}
		if prev := inner.stepsByName[st.Name]; prev != nil {
			c.errorf(d.Name, "step %q is defined twice (first at %s)", st.Name, prev.Decl.Name.Range())
			continue
		}
		inner.stepsByName[st.Name] = st
		inner.Steps = append(inner.Steps, st)
		if stg := stageOf[sub]; stg != nil {
			st.Stage = stg
			stg.Steps = append(stg.Steps, st)
		}
	}
	finishStages(inner)
	argoNames := map[string]*Step{}
	for _, st := range inner.Steps {
		argoNames[st.TemplateName()] = st
	}
	for _, st := range inner.Steps {
		c.declareHooks(inner, st, comp.Name+"-", argoNames)
	}
	var artIns []*dsl.InputStmt
	var artOuts []*dsl.ArtifactStmt
	for _, it := range t.Items {
		switch it.Stmt.(type) {
		case *dsl.InputStmt, *dsl.ArtifactStmt:
			in, out := c.scopeStmts(it.Stmt)
			if in != nil {
				artIns = append(artIns, in)
			}
			if out != nil {
				artOuts = append(artOuts, out)
			}
		}
	}
	c.scopeInputs(inner, artIns)
	templates := c.templatesFor(file.Name)
	for _, st := range inner.AllSteps() {
		c.step(inner, st, templates)
	}
	c.finishSteps(inner)
	c.checkCycles(inner)
	sc := &scope{p: inner}
	for _, it := range t.Items {
		switch s := it.Stmt.(type) {
		case nil, *dsl.SubStep, *dsl.SubStage, *dsl.InputStmt, *dsl.ArtifactStmt:
		case *dsl.OutputStmt:
			c.compositeOutput(sc, comp, s, it.Doc)
		case *dsl.StepParallelismStmt:
			if comp.Parallelism != nil {
				c.errorf(s, "step_parallelism is given twice")
			} else if n, ok := checkPositive(c, s.N, "step_parallelism"); ok {
				v := int64(n.(int))
				comp.Parallelism = &v
			}
		default:
			c.errorf(it, "a template with steps holds only steps, inputs, outputs, artifacts and step_parallelism").WithHint("move this statement into one of its steps")
		}
	}
	c.scopeOutputs(inner, artOuts)
	// A composite used by several pipelines is checked for each: report
	// what is wrong in it once.
	if c.checkedTemplates[t] {
		c.diags = c.diags[:before]
	}
	if c.checkedTemplates == nil {
		c.checkedTemplates = map[*dsl.TemplateDecl]bool{}
	}
	c.checkedTemplates[t] = true
	return comp
}

// compositeOutputSources are the sources of a composite's outputs.
var compositeOutputSources = []string{"value", "expression"}

func (c *checker) compositeOutput(sc *scope, comp *Composite, s *dsl.OutputStmt, doc *dsl.CommentGroup) {
	if out := c.dagOutput(sc, comp.Outputs, "template "+quote(comp.Decl.Name.Name), "a template with steps", s, doc); out != nil {
		comp.Outputs = append(comp.Outputs, out)
	}
}

// dagOutput checks an output of a DAG (or steps) template computed from its
// steps: of a composite template, or of a pipeline's entry template. owner
// and kind ("a template with steps") name it in messages; outs are the
// outputs declared before.
func (c *checker) dagOutput(sc *scope, outs []*CompositeOutput, owner, kind string, s *dsl.OutputStmt, doc *dsl.CommentGroup) *CompositeOutput {
	out := &CompositeOutput{Name: s.Name.Name}
	if doc != nil {
		out.Description = doc.Text()
	}
	for _, o := range outs {
		if o.Name == out.Name {
			c.errorf(s.Name, "output %q is declared twice in %s", out.Name, owner)
		}
	}
	src := s.Source.Name.Name
	if !contains(compositeOutputSources, src) {
		c.unknownWord(s.Source.Name, "output source of "+kind, compositeOutputSources).
			WithHint(`output %s = value("${step.output}") or expression("${a.result} == 'x' ? ${b.out} : ${c.out}")`, out.Name)
		return nil
	}
	if len(s.Source.Args) != 1 || s.Source.Args[0].Str == nil {
		c.errorf(s.Source, `%s() takes one string, e.g. %s("${step.result}")`, src, src)
		return nil
	}
	if s.Default != nil || s.Enum != nil {
		c.errorf(s, "default and one_of do not apply to an output of %s", kind)
	}
	text := c.text(sc, s.Source.Args[0].Str)
	if src == "value" {
		out.Value = text
	} else {
		out.Expr = text
		if strings.TrimSpace(text.Value) == "" {
			c.errorf(s.Source.Args[0], "the expression is empty")
		}
	}
	return out
}

// checkTemplateNames reports a composite's template, or one of its steps',
// that has the Argo name of another template of the pipeline.
func (c *checker) checkTemplateNames(p *Pipeline) {
	if len(p.Composites) == 0 {
		return // the steps' own names are checked where they are declared
	}
	seen := map[string]string{p.EntryName: "the entry template", p.ExitName: "the exit handler"}
	steps := map[string]*Step{}
	claim := func(name, what string, n dsl.Node) {
		prev, dup := seen[name]
		if st := steps[name]; st != nil && !dup {
			prev, dup = fmt.Sprintf("step %q", st.Name), true
		}
		if dup {
			c.errorf(n, "%s and %s both become the Argo template %q", prev, what, name).WithHint("rename one of them")
			return
		}
		seen[name] = what
	}
	// The steps' own names are checked where they are declared.
	for _, st := range p.AllSteps() {
		steps[st.TemplateName()] = st
		delete(seen, st.TemplateName())
	}
	for _, comp := range p.Composites {
		claim(comp.Name, fmt.Sprintf("template %q", comp.Decl.Name.Name), comp.Decl.Name)
		for _, st := range comp.Inner.AllSteps() {
			claim(st.TemplateName(), fmt.Sprintf("step %q of template %q", st.Name, comp.Decl.Name.Name), st.Decl.Name)
		}
	}
}

// ---- lowering ----

// compositeTask lowers a step that calls a composite: its task runs the
// composite's DAG template with the arguments and the instance path.
func (l *lowerer) compositeTask(st *Step, task wfv1.DAGTask) wfv1.DAGTask {
	task.Template = st.Composite.Name
	task.Arguments.Artifacts = taskArtifacts(st)
	for _, a := range st.CompositeArgs {
		task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: a.Name, Value: anyString(l.taskText(a.Value))})
	}
	instance := st.Name
	if st.Pipeline.composite != nil {
		instance = "{{inputs.parameters." + InstanceParam + "}}/" + instance
	}
	if st.Loop != nil {
		instance += "({{item}})"
	}
	task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: InstanceParam, Value: anyString(instance)})
	return task
}

// compositeTemplates lowers every composite a pipeline uses: a DAG
// template each, then its steps' templates.
func (l *lowerer) compositeTemplates(p *Pipeline) []wfv1.Template {
	var out, leaves []wfv1.Template
	for _, comp := range p.Composites {
		t := wfv1.Template{Name: comp.Name, DAG: &wfv1.DAGTemplate{}}
		if comp.Inner.Stages != nil {
			var tmpls []wfv1.Template
			t, tmpls = l.stagesTemplate(comp.Name, comp.Inner.Stages)
			leaves = append(leaves, tmpls...)
		} else {
			for _, low := range l.steps(comp.Inner.Steps) {
				t.DAG.Tasks = append(t.DAG.Tasks, low.task)
				leaves = append(leaves, low.templates...)
			}
		}
		for _, prm := range comp.Params {
			t.Inputs.Parameters = append(t.Inputs.Parameters, wfv1.Parameter{Name: prm.Name})
		}
		t.Inputs.Parameters = append(t.Inputs.Parameters, wfv1.Parameter{Name: InstanceParam})
		if comp.Library {
			libraryInputs(&t, comp.Decl) // library.go
		}
		t.Outputs.Parameters = l.dagOutputs(comp.Outputs)
		t.Parallelism = comp.Parallelism
		l.scopeArtifactsLowered(comp.Inner, &t)
		out = append(out, t)
	}
	return append(out, leaves...)
}

// dagOutputs lowers the outputs of a DAG or steps template.
func (l *lowerer) dagOutputs(outs []*CompositeOutput) []wfv1.Parameter {
	var ps []wfv1.Parameter
	for _, o := range outs {
		op := wfv1.Parameter{Name: o.Name, ValueFrom: &wfv1.ValueFrom{}}
		if o.Value != nil {
			op.ValueFrom.Parameter = l.taskText(o.Value)
		} else {
			op.ValueFrom.Expression = exprText(o.Expr)
		}
		if o.Description != "" {
			op.Description = anyString(o.Description)
		}
		ps = append(ps, op)
	}
	return ps
}

// exprText is a text in an Argo expression: each reference becomes the
// expression's variable (tasks['a'].outputs.result, inputs.parameters['n']).
func exprText(t *Text) string {
	return substitute(t, func(r *Ref) string {
		switch r.Kind {
		case RefParam:
			if r.Param.Input {
				return "inputs.parameters['" + r.Param.Name + "']"
			}
			return "workflow.parameters['" + r.Param.Name + "']"
		case RefOutput:
			return r.Step.nodeScope() + "['" + r.Step.ArgoName + "'].outputs.parameters['" + r.Output + "']"
		case RefResult:
			if r.Step.RetryWrapped() {
				return r.Step.nodeScope() + "['" + r.Step.ArgoName + "'].outputs.parameters['" + ResultOutput + "']"
			}
			return r.Step.nodeScope() + "['" + r.Step.ArgoName + "'].outputs.result"
		case RefStepField:
			return r.Step.nodeScope() + "['" + r.Step.ArgoName + "']." + r.Field
		case RefArtifact:
			return r.Step.nodeScope() + "['" + r.Step.ArgoName + "'].outputs.artifacts['" + r.Output + "']"
		case RefArgo:
			return r.Argo
		}
		return "${" + r.Path + "}"
	})
}
