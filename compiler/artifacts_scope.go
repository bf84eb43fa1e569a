// Artifacts of a pipeline and of a composite template (a template with
// steps), checked and lowered: their input artifacts (`input NAME from
// LOCATION` in a pipeline, the workflow's arguments.artifacts; `input NAME`
// in a composite, given by its caller), which their steps take with `from
// NAME`, and their output artifacts (`artifact NAME from STEP.ARTIFACT`,
// `artifact NAME = expression("...")`), outputs.artifacts of the entry or
// composite template. A step's own artifacts are in artifacts.go.

package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// ScopeInput is an input artifact of a pipeline or a composite template.
type ScopeInput struct {
	Name     string
	Decl     *dsl.InputStmt
	Optional bool
	// Location is where it comes from: required in a pipeline (the
	// workflow's argument), a default in a composite.
	Location *Location
}

// ScopeOutput is an output artifact of a pipeline or a composite template,
// taken from one of its steps (From) or chosen by an Argo expression (Expr).
type ScopeOutput struct {
	Name         string
	Decl         *dsl.ArtifactStmt
	From         *Step
	FromArtifact string
	Expr         *Text
}

// scopeInputs checks the input artifacts (input statements without `at`)
// of a pipeline (root) or of a composite's inner pipeline p.
func (c *checker) scopeInputs(p *Pipeline, ins []*dsl.InputStmt) {
	root := p.composite == nil
	for _, s := range ins {
		in := &ScopeInput{Name: s.Name.Name, Decl: s}
		if !argoArtifactNameRE.MatchString(in.Name) {
			c.errorf(s.Name, "input artifact name %q is not valid for Argo", in.Name).WithHint("use letters, digits, '-' and '_'")
			continue
		}
		if prev := p.scopeInput(in.Name); prev != nil {
			c.errorf(s.Name, "input artifact %q is declared twice (first at %s)", in.Name, prev.Decl.Name.Range())
			continue
		}
		for _, o := range s.Options {
			if o.Optional {
				in.Optional = true
				continue
			}
			c.errorf(o, "%s applies to a step's input artifact, which is put at a path", o.Keyword()).
				WithHint("put it on the input of the step that takes %s", in.Name)
		}
		switch {
		case s.From != nil && s.From.Location != nil:
			in.Location = c.location(nil, s.From.Location, false)
		case s.From != nil:
			c.errorf(s.From, "an input artifact of a %s comes from a location, such as from http \"https://...\" or from s3 { ... }", scopeKind(p)).
				WithHint("a step takes another step's artifact with input NAME at \"/path\" from STEP.ARTIFACT")
		case root:
			c.errorf(s, "input artifact %q of the pipeline has no location", in.Name).
				WithHint(`add one: input %s from http "https://..." (or s3 { ... }, git { ... }, ...); a step's input is put at a path: input %s at "/tmp/%s"`, in.Name, in.Name, in.Name)
		}
		p.InputArtifacts = append(p.InputArtifacts, in)
	}
}

func scopeKind(p *Pipeline) string {
	if p.composite != nil {
		return "template with steps"
	}
	return "pipeline"
}

func (p *Pipeline) scopeInput(name string) *ScopeInput {
	for _, in := range p.InputArtifacts {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// scopeInputRef resolves `from NAME`, an input artifact of the step's
// pipeline or composite template.
func (c *checker) scopeInputRef(sc *scope, st *Step, in *ArtifactIn, name string, node dsl.Node) {
	src := sc.p.scopeInput(name)
	if src == nil {
		var names []string
		for _, x := range sc.p.InputArtifacts {
			names = append(names, x.Name)
		}
		dd := c.errorf(node, "unknown artifact %q: no input artifact of the %s and no step.artifact", name, scopeKind(sc.p))
		if s := diag.Suggest(name, names); s != "" {
			dd.WithHint("did you mean from %s?", s)
		} else if sc.p.composite != nil {
			dd.WithHint("declare it in the template: input %s", name)
		} else {
			dd.WithHint(`declare it in the pipeline: input %s from http "https://...", or take a step's artifact: from STEP.ARTIFACT`, name)
		}
		return
	}
	if st != nil && (st.Handler != "" || st.IsHook()) {
		c.errorf(node, "%s: an input artifact of the %s reaches its main steps only, not handlers or hooks", name, scopeKind(sc.p))
		return
	}
	in.FromInput = src
	if src.Optional && !in.Optional {
		c.diags.Warnf(node.Range(), "input artifact %q is optional, but this input is not: the step fails when it is not given", name).WithHint("add optional to the input")
	}
}

// scopeOutputs checks the output artifacts (artifact statements without
// `at`) of a pipeline or a composite's inner pipeline, once its steps are.
func (c *checker) scopeOutputs(p *Pipeline, outs []*dsl.ArtifactStmt) {
	sc := &scope{p: p, artifactExpr: true}
	for _, s := range outs {
		out := &ScopeOutput{Name: s.Name.Name, Decl: s}
		if !argoArtifactNameRE.MatchString(out.Name) {
			c.errorf(s.Name, "artifact name %q is not valid for Argo", out.Name).WithHint("use letters, digits, '-' and '_'")
			continue
		}
		dup := false
		for _, o := range p.OutputArtifacts {
			if o.Name == out.Name {
				c.errorf(s.Name, "artifact %q is declared twice in the %s (first at %s)", out.Name, scopeKind(p), o.Decl.Name.Range())
				dup = true
			}
		}
		for _, o := range s.Options {
			c.errorf(o, "%s applies to a step's artifact; an artifact of the %s is its step's", o.Keyword(), scopeKind(p)).
				WithHint("put it on the artifact of the step it comes from")
		}
		switch {
		case s.From != nil:
			c.scopeOutputFrom(sc, out, s.From)
		case s.Expr != nil:
			c.scopeOutputExpr(sc, out, s.Expr)
		}
		if !dup && (out.From != nil || out.Expr != nil) {
			p.OutputArtifacts = append(p.OutputArtifacts, out)
		}
	}
}

func (c *checker) scopeOutputFrom(sc *scope, out *ScopeOutput, from *dsl.ArtifactFrom) {
	if from.Ref == nil || len(from.Ref.Parts) != 2 {
		c.errorf(from, "an artifact of the %s comes from one of its steps: artifact %s from STEP.ARTIFACT", scopeKind(sc.p), out.Name).
			WithHint(`or choose with an expression: artifact %s = expression("${a.result} == 'x' ? ${a.%s} : ${b.%s}")`, out.Name, out.Name, out.Name)
		return
	}
	path := from.Ref.String()
	target := sc.p.stepsByName[from.Ref.Parts[0].Name]
	if target == nil {
		var names []string
		for n := range sc.p.stepsByName {
			names = append(names, n)
		}
		dd := c.errorf(from, "unknown step %q in artifact reference %s", from.Ref.Parts[0].Name, path)
		if s := diag.Suggest(from.Ref.Parts[0].Name, names); s != "" {
			dd.WithHint("did you mean %s?", strings.Replace(path, from.Ref.Parts[0].Name, s, 1))
		}
		return
	}
	if target.Handler != "" || target.IsHook() {
		c.errorf(from, "%s: an artifact of the %s comes from its main steps; %q is a handler or a hook", path, scopeKind(sc.p), target.Name)
		return
	}
	name := from.Ref.Parts[1].Name
	if decls := c.artifactDecls(target); !usesRef(target.Decl) && !contains(decls, name) {
		dd := c.errorf(from.Ref.Parts[1], "step %q has no artifact %q", target.Name, name)
		if s := diag.Suggest(name, decls); s != "" {
			dd.WithHint("did you mean %s.%s?", target.Name, s)
		} else {
			dd.WithHint(`declare it in step %s: artifact %s at "/tmp/%s"`, target.Name, name, name)
		}
		return
	}
	if loops(target) {
		c.errorf(from, "step %q loops: %s is one artifact per iteration, and an artifact of the %s is one", target.Name, path, scopeKind(sc.p)).
			WithHint("take them in a later step (input %s at \"/in\" from %s), which gets them all as a directory, and hand on its artifact", name, path)
		return
	}
	target.Artifacts.Consumed = true
	out.From, out.FromArtifact = target, name
}

func (c *checker) scopeOutputExpr(sc *scope, out *ScopeOutput, call *dsl.Call) {
	if call.Name.Name != "expression" || len(call.Args) != 1 || call.Args[0].Str == nil {
		c.errorf(call, `an artifact of the %s is chosen by expression("..."), e.g. expression("${flip.result} == 'heads' ? ${heads.%s} : ${tails.%s}")`, scopeKind(sc.p), out.Name, out.Name).
			WithHint("or take one step's: artifact %s from STEP.ARTIFACT", out.Name)
		return
	}
	t := c.text(sc, call.Args[0].Str)
	if strings.TrimSpace(t.Value) == "" {
		c.errorf(call.Args[0], "the expression is empty")
		return
	}
	for _, tr := range t.Refs {
		r := tr.Ref
		if r.Step != nil && (r.Step.Handler != "" || r.Step.IsHook()) {
			c.diags.Errorf(r.Range, "${%s}: an artifact of the %s is computed from its main steps; %q is a handler or a hook", r.Path, scopeKind(sc.p), r.Step.Name)
		}
		if r.Kind == RefArtifact {
			r.Step.Artifacts.Consumed = true
		}
	}
	out.Expr = t
}

// scopeStmts splits the input and artifact statements of a pipeline or
// composite body: those without `at` are the scope's own; a step's own
// input or artifact needs a step.
func (c *checker) scopeStmts(n dsl.Node) (*dsl.InputStmt, *dsl.ArtifactStmt) {
	switch s := n.(type) {
	case *dsl.InputStmt:
		if s.Path != nil {
			c.errorf(s.Path, "input %q has a path, but only a step's input is put at a path", s.Name.Name).
				WithHint("move it into the step that reads it, or drop the at: input %s from LOCATION is an input of the pipeline", s.Name.Name)
			return nil, nil
		}
		return s, nil
	case *dsl.ArtifactStmt:
		if s.Path != nil {
			c.errorf(s.Path, "artifact %q has a path, but only a step's artifact is taken from a path", s.Name.Name).
				WithHint("move it into the step that writes it, or write artifact %s from STEP.ARTIFACT", s.Name.Name)
			return nil, nil
		}
		if s.From == nil && s.Expr == nil {
			c.errorf(s, "artifact %q says neither where it comes from nor how it is chosen", s.Name.Name).
				WithHint(`artifact %s from STEP.ARTIFACT, or artifact %s = expression("...")`, s.Name.Name, s.Name.Name)
			return nil, nil
		}
		return nil, s
	}
	return nil, nil
}

// scopeInputIdentity identifies an input artifact of a pipeline in a
// memoized consumer's key: the hash of its location (which is fixed text).
// An input of a composite is whatever its caller gave, unknown here: the
// workflow's UID then, so that a later run never reuses the step.
func scopeInputIdentity(in *ScopeInput) string {
	if in.Location == nil || in.Decl == nil {
		return "{{workflow.uid}}"
	}
	loc := lowerLocation(in.Location, func(t *Text) string { return t.Value })
	b, _ := json.Marshal(loc)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:20]
}

// scopeArtifactsLowered sets the input and output artifacts of a pipeline's
// entry template or a composite's DAG template t.
func (l *lowerer) scopeArtifactsLowered(p *Pipeline, t *wfv1.Template) {
	for _, in := range p.InputArtifacts {
		a := wfv1.Artifact{Name: in.Name, Optional: in.Optional}
		if p.composite != nil && in.Location != nil {
			a.ArtifactLocation = lowerLocation(in.Location, func(t *Text) string { return t.Value })
		}
		t.Inputs.Artifacts = append(t.Inputs.Artifacts, a)
	}
	for _, out := range p.OutputArtifacts {
		a := wfv1.Artifact{Name: out.Name}
		if out.From != nil {
			a.From = "{{" + out.From.nodeScope() + "." + out.From.ArgoName + ".outputs.artifacts." + out.FromArtifact + "}}"
		} else {
			a.FromExpression = exprText(out.Expr)
		}
		t.Outputs.Artifacts = append(t.Outputs.Artifacts, a)
	}
}

// workflowArtifacts are the workflow's arguments.artifacts: the locations
// of the pipeline's input artifacts.
func workflowArtifacts(p *Pipeline) []wfv1.Artifact {
	var out []wfv1.Artifact
	for _, in := range p.InputArtifacts {
		a := wfv1.Artifact{Name: in.Name, Optional: in.Optional}
		if in.Location != nil {
			a.ArtifactLocation = lowerLocation(in.Location, func(t *Text) string { return t.Value })
		}
		out = append(out, a)
	}
	return out
}

// compositeArtifactArgs checks the artifacts a step gives the input
// artifacts of the composite it uses: `uses t(data = prep.out)` (a step's
// artifact, or an input artifact of the caller's own scope: data = raw).
// They become the step's inputs, lowered as its task's arguments.artifacts.
func (c *checker) compositeArtifactArgs(sc *scope, st *Step, comp *Composite, args map[string]*dsl.Arg) {
	for _, want := range comp.Inner.InputArtifacts {
		a := args[want.Name]
		if a == nil {
			if want.Location == nil && !want.Optional {
				c.errorf(st.Decl.Name, "template %q needs input artifact %q", comp.Decl.Name.Name, want.Name).
					WithHint("add %s = STEP.ARTIFACT to the call, or give the input a location in the template: input %s from s3 { ... }", want.Name, want.Name)
			}
			continue
		}
		in := &ArtifactIn{Name: want.Name, Decl: &dsl.InputStmt{Span: a.Span, Name: a.Name}, Optional: want.Optional}
		v := a.Value
		switch {
		case v.Path != nil:
			c.artifactRef(sc, st, in, &dsl.ArtifactFrom{Span: v.Span, Ref: v.Path})
		case v.Str != nil:
			c.artifactRef(sc, st, in, &dsl.ArtifactFrom{Span: v.Span, Str: v.Str})
		default:
			c.errorf(v, "argument %q is input artifact %q of template %q: give it a step's artifact, such as %s = train.model", a.Name.Name, want.Name, comp.Decl.Name.Name, a.Name.Name)
			continue
		}
		if in.From != nil && loops(in.From) {
			c.errorf(v, "step %q loops: a template's input artifact takes one artifact, not one per iteration", in.From.Name).
				WithHint("collect the iterations' artifacts in a step (input x at \"/in\" from %s) and pass its artifact", v.Path)
			continue
		}
		if in.From != nil || in.FromInput != nil {
			st.Artifacts.Inputs = append(st.Artifacts.Inputs, in)
		}
	}
}
