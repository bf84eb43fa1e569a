// Steps: declaring steps, their header clauses (after, when, uses) and the
// scopes their bodies are checked in.

package compiler

import (
	"fmt"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

type scope struct {
	p        *Pipeline
	step     *Step
	loop     *Loop
	tparams  map[string]*Ref // inside a template body
	template *dsl.TemplateDecl
	uses     *dsl.UsesClause // the call of the template
	// artifactExpr is set in the expression that chooses an output
	// artifact of a pipeline or composite: ${step.name} is then the
	// step's artifact name when it has one.
	artifactExpr bool
}

func (c *checker) step(p *Pipeline, st *Step, templates map[string]*dsl.TemplateDecl) {
	if st.Handler != "" {
		c.checkHook(st)
	}
	d := st.Decl
	sc := c.scopes.new()
	sc.p, sc.step = p, st
	var uses *dsl.UsesClause
	onceClause := map[string]bool{}
	for _, cl := range d.Clauses {
		key := ""
		switch {
		case cl.Loop != nil:
			key = "for"
		case cl.After != nil:
			key = "after"
		case cl.When != nil:
			key = "when"
		case cl.Uses != nil:
			key = "uses"
		}
		if onceClause[key] {
			c.errorf(cl, "step %q has two %q clauses", st.Name, key).WithHint("combine them into one")
			continue
		}
		onceClause[key] = true
		switch {
		case cl.Loop != nil:
			st.Loop = c.loop(sc, cl.Loop)
			sc.loop = st.Loop
		case cl.After != nil:
			if !c.stageAfter(st, cl.After) {
				c.after(p, st, cl.After)
			}
		case cl.Uses != nil:
			uses = cl.Uses
		}
	}
	// when may use the loop variable, so resolve it after the loop.
	for _, cl := range d.Clauses {
		if cl.When != nil {
			st.When = c.text(sc, cl.When)
		}
	}
	st.Memoize = p.Memoize && st.Handler == ""
	st.MaxAge = p.MaxAge
	st.Retry = p.Retry
	var items []*dsl.StepItem
	if uses != nil && uses.Ref != nil {
		ref := &TemplateRef{WorkflowTemplate: uses.Ref.WorkflowTemplate.Value(), Template: uses.Ref.Template.Value(), Cluster: uses.Ref.Cluster}
		for _, a := range uses.Args {
			ref.Args = append(ref.Args, &Arg{Name: a.Name.Name, Value: c.argText(sc, a.Value)})
		}
		st.TemplateRef = ref
		st.Memoize = false
		for _, it := range d.Items {
			if it.Stmt != nil {
				c.errorf(it, "a step that uses ref(...) runs the referenced template as it is; it cannot have a body").WithHint("change the WorkflowTemplate instead, or use a local template")
				break
			}
		}
		return
	}
	if uses != nil {
		if t := templates[uses.Template.Name]; t != nil && isComposite(t) {
			c.compositeCall(sc, st, t, uses)
			return
		}
	}
	st.Body = p.newStepBody()
	c.stepVols = stepVolumeNames(c.stepItems(st))
	if uses != nil {
		t := templates[uses.Template.Name]
		if t == nil {
			names := keys(templates)
			dd := c.errorf(uses.Template, "unknown template %q", uses.Template.Name)
			if s := diag.Suggest(uses.Template.Name, names); s != "" {
				dd.WithHint("did you mean %q?", s)
			} else if len(names) == 0 {
				dd.WithHint(`declare it with template %s(...) { ... }, or import the file that does`, uses.Template.Name)
			}
		} else {
			st.Template = t
			tsc := c.templateScope(sc, t, uses)
			c.body(tsc, st, t.Items)
		}
	} else if len(d.Items) == 0 {
		c.errorf(d.Name, "step %q has nothing to run", st.Name).WithHint(`add run ["cmd", "arg"], a script, or uses template(...)`)
	}
	items = d.Items
	c.body(sc, st, items)
	if hasBad(items) {
		return // the parser reported the broken statement; don't guess what it meant
	}
	c.finishContainers(st)
	if c.finishKind(st, c.stepItems(st)) {
		return
	}
	if st.Memoize && st.Retry != nil && (st.Retry.Expression != "" || st.UsesRetries) {
		// Retries then need the retryStrategy on the step's own template
		// (lastRetry.* and {{retries}} describe that template's attempts),
		// and Argo v3.7 hangs a DAG on a cache hit of a template that has
		// both retryStrategy and memoize: the step cannot be memoized.
		st.Memoize = false
		if !st.MemoizeExplicit {
			why := "its retry has a when expression"
			if st.UsesRetries {
				why = "it uses ${retries}"
			}
			c.diags.Warnf(d.Name.Range(), "step %q is not memoized: %s, which needs the retryStrategy on the step's own template, and Argo v3.7 cannot memoize such a template", st.Name, why).
				WithHint("add memoize off to the step to say so and silence this warning")
		}
	}
	if st.Body.Image == nil && len(st.Body.Containers) == 0 {
		if p.Image != nil {
			st.Body.Image = p.Image
		} else if (st.Template != nil || len(d.Items) > 0) && !pipelineHasBad(p.Decl) {
			c.errorf(d.Name, "step %q has no image", st.Name).WithHint(`set image "..." in the step, or a default image in the pipeline`)
		}
	}
	if st.Template == nil && st.Body.Script == nil && len(st.Body.Command) == 0 && len(st.Body.Args) == 0 && len(d.Items) > 0 && !hasImage(d.Items) && len(st.Body.Containers) == 0 {
		c.errorf(d.Name, "step %q has nothing to run", st.Name).WithHint(`add run ["cmd", "arg"] or script python """...""", or an image "..." of its own to run that image's entrypoint`)
	}
	st.Body.Env = withPipelineEnv(&c.envLists, p.Env, st.Body.Env)
}

// withPipelineEnv returns a step's environment after the pipeline's
// variables it does not set itself: the pipeline's in reverse order, then
// the step's (as prepending each in turn would; of two of one name, the
// first), in one slice from lists.
func withPipelineEnv(lists *sliceSlab[*EnvVar], pipeline, env []*EnvVar) []*EnvVar {
	added := func(i int) bool {
		name := pipeline[i].Name
		return !hasEnv(env, name) && !hasEnv(pipeline[:i], name)
	}
	missing := 0
	for i := range pipeline {
		if added(i) {
			missing++
		}
	}
	if missing == 0 {
		return env
	}
	out := lists.make(missing + len(env))[:missing]
	for i, ev := range pipeline {
		if added(i) {
			missing--
			out[missing] = ev
		}
	}
	return append(out, env...)
}

// usesRef reports whether a step runs a WorkflowTemplate's template, whose
// outputs pipec cannot know.
func usesRef(d *dsl.StepDecl) bool {
	for _, cl := range d.Clauses {
		if cl.Uses != nil && cl.Uses.Ref != nil {
			return true
		}
	}
	return false
}

func hasLoop(d *dsl.StepDecl) bool {
	for _, cl := range d.Clauses {
		if cl.Loop != nil {
			return true
		}
	}
	return false
}

func pipelineHasBad(p *dsl.Pipeline) bool {
	for _, it := range p.Items {
		if it.Bad != nil {
			return true
		}
	}
	return false
}

func hasBad(items []*dsl.StepItem) bool {
	for _, it := range items {
		if it.Bad != nil {
			return true
		}
	}
	return false
}

// templateScope binds a template's parameters to the call's arguments.
func (c *checker) templateScope(caller *scope, t *dsl.TemplateDecl, uses *dsl.UsesClause) *scope {
	sc := &scope{p: caller.p, step: caller.step, loop: nil, tparams: map[string]*Ref{}, template: t, uses: uses}
	args := map[string]*dsl.Arg{}
	for _, a := range uses.Args {
		if _, dup := args[a.Name.Name]; dup {
			c.errorf(a.Name, "argument %q is given twice", a.Name.Name)
			continue
		}
		args[a.Name.Name] = a
	}
	declared := templateArtifactInputs(t) // given as artifacts, not parameters
	if declared == nil {
		declared = map[string]bool{}
	}
	var names []string
	for _, tp := range t.Params {
		declared[tp.Name.Name] = true
		names = append(names, tp.Name.Name)
		typ := tp.Type.Name
		if !contains(paramTypes, typ) {
			if c.checkedTemplates == nil || !c.checkedTemplates[t] {
				c.unknownWord(tp.Type, "parameter type", paramTypes)
			}
			typ = "any"
		}
		ref := &Ref{Path: tp.Name.Name, Kind: RefTemplateParam, TemplateParam: tp.Name.Name}
		if a := args[tp.Name.Name]; a != nil {
			if a.Value.Str != nil {
				ref.Arg = c.text(caller, a.Value.Str)
				if typ != "string" && typ != "json" && typ != "any" && len(ref.Arg.Refs) == 0 {
					c.errorf(a.Value, "argument %q of template %q must be of type %s, got string", tp.Name.Name, t.Name.Name, typ)
				}
			} else if v, ok := c.typedValue(a.Value, typ, fmt.Sprintf("argument %q of template %q", tp.Name.Name, t.Name.Name)); ok {
				ref.Arg = &Text{Value: v}
			}
		} else if tp.Default != nil {
			if v, ok := c.typedValue(tp.Default, typ, "the default of "+tp.Name.Name); ok {
				ref.Arg = &Text{Value: v}
			}
		} else if !caller.step.Library {
			c.errorf(uses.Template, "template %q needs argument %q (%s)", t.Name.Name, tp.Name.Name, typ).WithHint("add %s = ... to the call", tp.Name.Name)
		}
		sc.tparams[tp.Name.Name] = ref
	}
	for _, a := range uses.Args {
		if !declared[a.Name.Name] {
			dd := c.errorf(a.Name, "template %q has no parameter %q", t.Name.Name, a.Name.Name)
			if s := diag.Suggest(a.Name.Name, names); s != "" {
				dd.WithHint("did you mean %q?", s)
			}
		}
	}
	if c.checkedTemplates == nil {
		c.checkedTemplates = map[*dsl.TemplateDecl]bool{}
	}
	c.checkedTemplates[t] = true
	return sc
}

// hasImage reports whether a body sets its image: with no run or script,
// the step runs the image's own entrypoint.
func hasImage(items []*dsl.StepItem) bool {
	for _, it := range items {
		if _, ok := it.Stmt.(*dsl.ImageStmt); ok {
			return true
		}
	}
	return false
}
