// Text and references: the checker resolves ${...} in strings to Refs
// (parameters, step outputs, loop variables, template parameters, Argo
// variables); the lowerer turns each Ref into Argo's {{...}} form and the
// template inputs it needs.

package compiler

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// literalOnly returns a string's value, reporting any ${...} in it: the
// field it goes to is fixed when the workflow is created.
func (c *checker) literalOnly(s *dsl.StringLit, what string) string {
	refs, _ := dsl.Interpolations(s)
	for _, r := range refs {
		c.diags.Errorf(r.Range, "${%s} cannot be used in %s", r.Path, what).WithHint("write the value literally, or $${ for a literal ${")
	}
	return s.Value()
}

// plainText accepts a string that may only use Argo's own variables.
func (c *checker) plainText(s *dsl.StringLit, what string) *Text {
	t := c.texts.new()
	t.Value, t.Lit = s.Value(), s
	refs, unclosed := dsl.Interpolations(s)
	for _, r := range unclosed {
		c.diags.Errorf(r, "unclosed ${: a reference ends with }").WithHint("write $${ for a literal ${")
	}
	if len(refs) > 0 {
		t.Refs = c.textRefs.make(len(refs))
	}
	for _, r := range refs {
		if contains(argoVariables, r.Path) {
			ref := &Ref{Path: r.Path, Kind: RefArgo, Argo: r.Path, Range: r.Range}
			t.setRef(r.Path, ref)
			c.use(nil, ref, r.Range)
			continue
		}
		c.diags.Errorf(r.Range, "%s cannot use ${%s}: only Argo's workflow variables are available here", what, r.Path)
	}
	return t
}

// argText is a template-call or ref argument value in the step's scope.
func (c *checker) argText(sc *scope, v *dsl.Value) *Text {
	if v.Str != nil {
		return c.text(sc, v.Str)
	}
	if v.Int != nil || v.Float != nil || v.Bool != nil {
		return &Text{Value: literalString(v)}
	}
	if v.List != nil || v.Map != nil {
		j, err := literalJSON(v)
		if err != nil {
			c.errorf(v, "%v", err)
		}
		return &Text{Value: j}
	}
	c.errorf(v, "an argument must be a literal value, got %s", v.Kind())
	return &Text{}
}

func (c *checker) text(sc *scope, s *dsl.StringLit) *Text {
	t := c.texts.new()
	t.Value, t.Lit = s.Value(), s
	refs, unclosed := dsl.Interpolations(s)
	for _, r := range unclosed {
		c.diags.Errorf(r, "unclosed ${: a reference ends with }").WithHint("write $${ for a literal ${")
	}
	if len(refs) > 0 {
		t.Refs = c.textRefs.make(len(refs))
	}
	for _, r := range refs {
		ref := t.Ref(r.Path)
		if ref == nil {
			if ref = c.resolve(sc, r.Path, r.Range); ref == nil {
				continue
			}
			t.Refs = append(t.Refs, TextRef{Path: r.Path, Ref: ref})
		}
		c.use(sc, ref, r.Range)
	}
	return t
}

// appendDep appends a dependency to a step's, growing the slice in the
// checker's slab.
func (c *checker) appendDep(deps []*Dep, d *Dep) []*Dep {
	if len(deps) == cap(deps) {
		deps = append(c.depLists.make(max(2*len(deps), 2)), deps...)
	}
	return append(deps, d)
}

// use records one occurrence of a resolved reference in Program.Uses.
func (c *checker) use(sc *scope, ref *Ref, r diag.Range) {
	u := c.uses.new()
	u.Ref, u.Range = ref, r
	if sc != nil {
		u.Step, u.Template = sc.step, sc.template
	}
	c.prog.Uses = append(c.prog.Uses, u)
}

// resolve finds what ${path} refers to in a scope and records the
// dependency a step output implies.
func (c *checker) resolve(sc *scope, path string, rng diag.Range) *Ref {
	if path == "" {
		c.diags.Errorf(rng, "empty reference ${}")
		return nil
	}
	var buf [4]string
	parts := splitPath(buf[:0], path)
	head := parts[0]
	ref := c.refs.new()
	ref.Path, ref.Range = path, rng
	// Loop variable.
	if sc.loop != nil && head == sc.loop.Var && sc.template == nil {
		ref.Kind = RefLoopVar
		if len(parts) > 2 {
			c.diags.Errorf(rng, "${%s}: a loop item field is one level deep", path)
			return nil
		}
		if len(parts) == 2 {
			ref.Field = parts[1]
			if sc.loop.Items != nil && len(sc.loop.Keys) == 0 {
				c.diags.Errorf(rng, "${%s}: the items of this loop are not maps", path).WithHint("use ${%s}", head)
				return nil
			}
			if (sc.loop.Items != nil || len(sc.loop.Keys) > 0) && !contains(sc.loop.Keys, ref.Field) {
				dd := c.diags.Errorf(rng, "${%s}: not every loop item has the key %q", path, ref.Field)
				if s := diag.Suggest(ref.Field, sc.loop.Keys); s != "" {
					dd.WithHint("did you mean ${%s.%s}?", head, s)
				} else {
					dd.WithHint("the keys are: %s", strings.Join(sc.loop.Keys, ", "))
				}
				return nil
			}
		} else if len(sc.loop.Keys) > 0 && sc.loop.Items != nil {
			c.diags.Errorf(rng, "${%s} is a map; use one of its keys", path).WithHint("for example ${%s.%s}", head, sc.loop.Keys[0])
			return nil
		}
		return ref
	}
	// Template parameter.
	if sc.template != nil {
		if tp := sc.tparams[head]; tp != nil && len(parts) == 1 {
			return tp
		}
		if contains(argoVariables, path) {
			ref.Kind, ref.Argo = RefArgo, path
			if path == "retries" && sc.step != nil {
				sc.step.UsesRetries = true
			}
			return ref
		}
		var names []string
		for n := range sc.tparams {
			names = append(names, n)
		}
		sort.Strings(names)
		dd := c.diags.Errorf(rng, "unknown reference ${%s} in template %q", path, sc.template.Name.Name)
		if s := diag.Suggest(path, names); s != "" {
			dd.WithHint("did you mean ${%s}?", s)
		} else {
			dd.WithHint("a template sees only its own parameters (%s) and Argo's variables; pass values as arguments", strings.Join(names, ", "))
		}
		return nil
	}
	if head == "workflow" || head == "pod" || head == "node" || path == "retries" {
		if !contains(argoVariables, path) {
			dd := c.diags.Errorf(rng, "unknown Argo variable ${%s}", path)
			if s := diag.Suggest(path, argoVariables); s != "" {
				dd.WithHint("did you mean ${%s}?", s)
			}
			return nil
		}
		if path == "workflow.scheduledTime" && sc.p != nil && sc.p.Kind != KindCronWorkflow {
			c.diags.Errorf(rng, "${workflow.scheduledTime} is only known in a scheduled pipeline").WithHint(`add a schedule: schedule "0 2 * * *"`)
			return nil
		}
		if path == "workflow.status" || path == "workflow.failures" {
			if sc.step == nil || sc.step.Handler == "" {
				c.diags.Errorf(rng, "${%s} is only known in exit and failure handlers", path)
				return nil
			}
		}
		ref.Kind, ref.Argo = RefArgo, path
		if path == "retries" && sc.step != nil {
			sc.step.UsesRetries = true
		}
		return ref
	}
	// Pipeline parameter.
	for _, prm := range sc.p.Params {
		if prm.Name == head {
			if len(parts) > 1 {
				c.diags.Errorf(rng, "${%s}: parameter %q has no fields", path, head)
				return nil
			}
			ref.Kind, ref.Param = RefParam, prm
			return ref
		}
	}
	if head == ParamRunID || head == ParamRetryRunID || head == ParamRetryIndicator {
		c.diags.Errorf(rng, "${%s}: the retry parameters are given to every container as the environment variables %s and %s", path, EnvRetryRunID, EnvRetryIndicator).WithHint("read the environment variable instead")
		return nil
	}
	// Step output.
	if target := sc.p.stepsByName[head]; target != nil {
		if len(parts) != 2 {
			c.diags.Errorf(rng, "${%s} refers to step %q; name one of its outputs, such as ${%s.result}", path, head, head)
			return nil
		}
		out := parts[1]
		if sc.step != nil && target == sc.step {
			c.diags.Errorf(rng, "step %q cannot use its own output ${%s}", head, path)
			return nil
		}
		ofParent := sc.step != nil && sc.step.HookOf == target
		if ofParent {
			if !c.checkHookReadsParent(sc.step, out, false, path, rng) {
				return nil
			}
		} else {
			if sc.step != nil && (target.IsHook() || sc.step.IsHook()) {
				c.diags.Errorf(rng, "${%s}: hooks run beside the steps, when an event happens, and cannot exchange outputs with them", path).
					WithHint("only a step's own on exit hook can read that step's outputs")
				return nil
			}
			if sc.step != nil && (target.Handler != "" || sc.step.Handler != "") {
				c.diags.Errorf(rng, "${%s}: exit and failure handlers run after the main steps and cannot exchange outputs with them", path)
				return nil
			}
			if !c.checkStageOrder(sc, target, path, rng) {
				return nil
			}
		}
		if sc.artifactExpr && (usesRef(target.Decl) || contains(c.artifactDecls(target), out)) {
			ref.Kind, ref.Step, ref.Output = RefArtifact, target, out
			return ref
		}
		if !ofParent {
			if _, ok := stepFields[out]; ok {
				return c.stepField(sc, ref, target, out)
			}
			if !c.checkOutputAvailable(sc, target, path, rng) {
				return nil
			}
		}
		if out == "result" && !c.declaresOutput(target, "result") {
			if k := c.stepKind(target); k == kindSuspend || k == kindResource || k == kindComposite {
				c.diags.Errorf(rng, "${%s}: step %q is %s step and has no standard output", path, head, aKind(k)).
					WithHint("declare an output of step %s and use it", head)
				return nil
			}
			ref.Kind, ref.Step = RefResult, target
			target.ResultUsed = true
		} else {
			ref.Kind, ref.Step, ref.Output = RefOutput, target, out
			if !usesRef(target.Decl) && !c.declaresOutput(target, out) {
				var names []string
				for _, it := range c.outputDecls(target) {
					names = append(names, it)
				}
				names = append(names, "result")
				names = append(names, StepFieldNames...)
				dd := c.diags.Errorf(rng, "step %q has no output %q", head, out)
				if contains(c.artifactDecls(target), out) {
					dd.WithHint(`%s is an artifact (a file, not a value): take it as an input, input %s at "/tmp/%s" from %s`, path, out, out, path)
				} else if s := diag.Suggest(out, names); s != "" {
					dd.WithHint("did you mean ${%s.%s}?", head, s)
				} else {
					dd.WithHint("declare it in step %s: output %s = file(\"/tmp/%s\")", head, out, out)
				}
				return nil
			}
		}
		if sc.step != nil && !ofParent && !sc.step.dependsOn(target) {
			d := c.deps.new()
			*d = Dep{Step: target, Implicit: true, Range: rng}
			sc.step.Deps = c.appendDep(sc.step.Deps, d)
		}
		return ref
	}
	// Nothing matched.
	// A dotted reference names a step's output; a plain one a parameter or
	// the loop variable: suggest only what could fit.
	var candidates []string
	if len(parts) > 1 {
		for name := range sc.p.stepsByName {
			candidates = append(candidates, name)
		}
	} else {
		for _, prm := range sc.p.Params {
			candidates = append(candidates, prm.Name)
		}
		if sc.loop != nil {
			candidates = append(candidates, sc.loop.Var)
		}
	}
	sort.Strings(candidates)
	what := "parameter, step or loop variable"
	if len(parts) > 1 {
		what = "step"
	}
	dd := c.diags.Errorf(rng, "unknown reference ${%s}: no %s %q", path, what, head)
	if s := diag.Suggest(head, candidates); s != "" {
		dd.WithHint("did you mean ${%s}?", strings.Replace(path, head, s, 1))
	} else if sc.p.composite != nil {
		var names []string
		for _, prm := range sc.p.Params {
			names = append(names, prm.Name)
		}
		dd.WithHint("a template sees only its own parameters (%s) and Argo's variables; pass values as arguments", strings.Join(names, ", "))
	} else if len(parts) == 1 {
		dd.WithHint(`declare it: param %s = "..."; or write $${%s} for a literal ${`, head, path)
	}
	return nil
}

// splitPath appends the dot-separated parts of a reference's path to
// parts: strings.Split without its allocation when the caller's array is
// long enough (a path has one to three parts).
func splitPath(parts []string, path string) []string {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			return append(parts, path)
		}
		parts = append(parts, path[:i])
		path = path[i+1:]
	}
}

// declaresOutput looks at the step's declaration, which may not have been
// checked yet (references can point forward). It is
// contains(c.outputDecls(st), name) without the list: it is asked for
// every ${step.output} reference.
func (c *checker) declaresOutput(st *Step, name string) bool {
	declares := func(items []*dsl.StepItem) bool {
		for _, it := range items {
			if o, ok := it.Stmt.(*dsl.OutputStmt); ok && o.Name.Name == name {
				return true
			}
		}
		return false
	}
	found := declares(st.Decl.Items)
	for _, cl := range st.Decl.Clauses {
		if cl.Uses != nil && cl.Uses.Template != nil {
			// templatesFor as declaredNames calls it, even once found: its
			// first call for a file reports duplicate templates.
			if t := c.templatesFor(st.Pipeline.File.Name)[cl.Uses.Template.Name]; t != nil && !found {
				found = declares(t.Items)
			}
		}
	}
	return found
}

func (c *checker) outputDecls(st *Step) []string {
	return c.declaredNames(st, func(n dsl.StepStmt) (string, bool) {
		o, ok := n.(*dsl.OutputStmt)
		if !ok {
			return "", false
		}
		return o.Name.Name, true
	})
}

// declaredNames lists the names pick finds among the statements of a
// step's body and of the template it uses, from its declaration (it may
// not have been checked yet: references can point forward).
func (c *checker) declaredNames(st *Step, pick func(dsl.StepStmt) (string, bool)) []string {
	var names []string
	add := func(items []*dsl.StepItem) {
		for _, it := range items {
			if name, ok := pick(it.Stmt); ok {
				names = append(names, name)
			}
		}
	}
	add(st.Decl.Items)
	for _, cl := range st.Decl.Clauses {
		if cl.Uses != nil && cl.Uses.Template != nil {
			if t := c.templatesFor(st.Pipeline.File.Name)[cl.Uses.Template.Name]; t != nil {
				add(t.Items)
			}
		}
	}
	return names
}

// input is one input parameter of a leaf template and the task argument
// that feeds it.
type input struct {
	key   inputKey // identity of what it carries
	name  string
	value string // the task argument
}

// inputKey is what an input carries: a kind ("param", "out", "loop",
// "art", ...) and the names that tell inputs of that kind apart.
type inputKey struct{ kind, a, b string }

// inputSet is a leaf template's inputs, in order, each with a name of its
// own. A template has few: they are looked up in the list, and in maps
// only once there are many (inputSetSmall).
type inputSet struct {
	list   []*input
	taken  []string // names of inputs supplied otherwise (suppliedInputs)
	byKey  map[inputKey]*input
	byName map[string]bool
}

// inputSetSmall is the number of inputs up to which an inputSet has no
// maps.
const inputSetSmall = 16

// lookup returns the name of the input that carries key, if any.
func (s *inputSet) lookup(key inputKey) (string, bool) {
	if s.byKey != nil {
		if in := s.byKey[key]; in != nil {
			return in.name, true
		}
		return "", false
	}
	for _, in := range s.list {
		if in.key == key {
			return in.name, true
		}
	}
	return "", false
}

// nameTaken reports whether an input, or one supplied otherwise, has name.
func (s *inputSet) nameTaken(name string) bool {
	if s.byName != nil {
		return s.byName[name]
	}
	for _, in := range s.list {
		if in.name == name {
			return true
		}
	}
	for _, t := range s.taken {
		if t == name {
			return true
		}
	}
	return false
}

// add returns the name of the input that carries key, adding it (named
// after base, with a number if that name is taken) if there is none.
func (s *inputSet) add(key inputKey, base, value string) string {
	if name, ok := s.lookup(key); ok {
		return name
	}
	name := sanitizeParamName(base)
	for i := 2; s.nameTaken(name); i++ {
		name = sanitizeParamName(base) + "-" + strconv.Itoa(i)
	}
	in := &input{key: key, name: name, value: value}
	s.list = append(s.list, in)
	switch {
	case s.byKey != nil:
		s.byKey[key] = in
		s.byName[name] = true
	case len(s.list) > inputSetSmall:
		s.byKey = make(map[inputKey]*input, 2*len(s.list))
		s.byName = make(map[string]bool, 2*len(s.list)+len(s.taken))
		for _, in := range s.list {
			s.byKey[in.key] = in
			s.byName[in.name] = true
		}
		for _, t := range s.taken {
			s.byName[t] = true
		}
	}
	return name
}

func sanitizeParamName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, s)
}

// taskExpr is what a reference becomes in a DAG task field.
func (l *lowerer) taskExpr(r *Ref) string {
	switch r.Kind {
	case RefParam:
		if r.Param.Input {
			return "{{inputs.parameters." + r.Param.Name + "}}"
		}
		return "{{workflow.parameters." + r.Param.Name + "}}"
	case RefOutput:
		return "{{" + r.Step.nodeScope() + "." + r.Step.ArgoName + ".outputs.parameters." + r.Output + "}}"
	case RefResult:
		if r.Step.RetryWrapped() {
			return "{{" + r.Step.nodeScope() + "." + r.Step.ArgoName + ".outputs.parameters." + ResultOutput + "}}"
		}
		return "{{" + r.Step.nodeScope() + "." + r.Step.ArgoName + ".outputs.result}}"
	case RefLoopVar:
		if r.Field != "" {
			return "{{item." + r.Field + "}}"
		}
		return "{{item}}"
	case RefAllOutputs:
		return "{{" + r.Step.nodeScope() + "." + r.Step.ArgoName + ".outputs.parameters}}"
	case RefStepField:
		return "{{" + r.Step.nodeScope() + "." + r.Step.ArgoName + "." + r.Field + "}}"
	case RefTemplateParam:
		if r.Arg == nil {
			return ""
		}
		return l.taskText(r.Arg)
	default:
		return "{{" + r.Argo + "}}"
	}
}

func (l *lowerer) taskText(t *Text) string {
	return substitute(t, func(r *Ref) string { return l.taskExpr(r) })
}

func substitute(t *Text, repl func(*Ref) string) string {
	if len(t.Refs) == 0 && !strings.Contains(t.Value, "$${") {
		return t.Value
	}
	return dslSubstitute(t.Value, func(path string) string {
		if r := t.Ref(path); r != nil {
			return repl(r)
		}
		return "${" + path + "}"
	})
}
