// Lifecycle hooks: steps that Argo runs beside a step (a task's `hooks`) or
// beside the workflow (`spec.hooks`) when it reaches a state, or when an
// expression holds. `on exit` in a step is the step's own exit handler
// (`hooks.exit`). The lowering side is in hooks_lower.go.

package compiler

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/expr-lang/expr/file"
	exprparser "github.com/expr-lang/expr/parser"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// hookPhases maps the events pipec names to the Argo phase each waits for.
var hookPhases = map[string]string{"running": "Running", "succeeded": "Succeeded", "failed": "Failed", "errored": "Error"}

// The event of a step's exit handler, and of the workflow's handlers.
const (
	eventExit    = "exit"
	eventFailure = "failure"
)

// IsHook reports whether the step is a lifecycle hook: of another step
// (HookOf), or of the workflow (an event other than exit and failure).
func (st *Step) IsHook() bool {
	return st.HookOf != nil || (st.Handler != "" && st.Handler != eventExit && st.Handler != eventFailure)
}

// withoutHooks returns d, or a copy of it without its hook statements, and
// the hooks.
func withoutHooks(d *dsl.StepDecl) (*dsl.StepDecl, []*dsl.HookStmt) {
	hooks := dsl.Hooks(d.Items)
	if len(hooks) == 0 {
		return d, nil
	}
	cp := *d
	cp.Items = nil
	for _, it := range d.Items {
		if _, ok := it.Stmt.(*dsl.HookStmt); !ok {
			cp.Items = append(cp.Items, it)
		}
	}
	return &cp, hooks
}

// declareHooks declares the hooks in st's body as steps of p (their names
// share the steps' namespace, their templates the steps' Argo names), and
// takes them out of st's body. argoPrefix is prepended to their Argo names
// (a composite's steps are prefixed by the composite's name). It returns
// the hooks, each already in p.stepsByName.
func (c *checker) declareHooks(p *Pipeline, st *Step, argoPrefix string, argoNames map[string]*Step) []*Step {
	d, hooks := withoutHooks(st.Decl)
	st.Decl = d
	if st.IsHook() {
		for _, h := range hooks {
			c.errorf(h.Event, "hook %q cannot have hooks of its own", st.Name).WithHint("give the hooks to a step instead")
		}
		return nil
	}
	seen := map[string]*dsl.HookStmt{}
	for _, h := range hooks {
		hd, nested := withoutHooks(h.Decl())
		for _, n := range nested {
			c.errorf(n.Event, "hook %q cannot have hooks of its own", h.Name.Name).WithHint("give the hooks to step %s instead", st.Name)
		}
		if prev := seen[h.Event.Name]; prev != nil {
			c.errorf(h.Event, "step %q has two on %s hooks (first at %s)", st.Name, h.Event.Name, prev.Event.Range()).WithHint("merge them into one step, or give one a name of its own: on NAME when \"EXPR\" step ...")
			continue
		}
		seen[h.Event.Name] = h
		hs := &Step{Name: h.Name.Name, ArgoName: argoPrefix + taskName(h.Name.Name), Decl: hd, Handler: h.Event.Name, HookOf: st, Pipeline: p}
		if !c.declareStepName(p, hs, argoNames) {
			continue
		}
		st.Hooks = append(st.Hooks, hs)
	}
	return st.Hooks
}

// declareStepName checks a hook's names against the steps declared so far
// and records it; it reports whether the hook was declared.
func (c *checker) declareStepName(p *Pipeline, st *Step, argoNames map[string]*Step) bool {
	n := st.Decl.Name
	if !isArgoName(st.ArgoName) || len(st.ArgoName) > 128 {
		c.errorf(n, "step name %q cannot be an Argo template name", st.Name).WithHint("use letters, digits, '-' and '_', at most 128 characters, starting with a letter or digit")
	}
	if prev := p.stepsByName[st.Name]; prev != nil {
		c.errorf(n, "step %q is defined twice (first at %s)", st.Name, prev.Decl.Name.Range())
		return false
	}
	if other := argoNames[st.TemplateName()]; other != nil {
		c.errorf(n, "steps %q and %q both become the Argo name %q", other.Name, st.Name, st.TemplateName()).WithHint("rename one of them: '_' becomes '-' and letters become lower case in Argo template names")
	}
	argoNames[st.TemplateName()] = st
	p.stepsByName[st.Name] = st
	return true
}

// checkHook checks what only a hook has: its event, its expression, and
// the clauses a hook cannot have. It sets HookExpr.
func (c *checker) checkHook(st *Step) {
	d := st.Decl
	if !st.IsHook() {
		if d.HookWhen != nil {
			c.errorf(d.HookWhen, "on %s runs whatever the outcome: it takes no expression", st.Handler).WithHint("use a when clause after the step's name, or a hook: on NAME when \"EXPR\" step ...")
		}
		return
	}
	// A hook keeps only its uses clause.
	cp := *d
	cp.Clauses = nil
	st.Decl = &cp
	for _, cl := range d.Clauses {
		switch {
		case cl.Uses != nil:
			cp.Clauses = append(cp.Clauses, cl)
		case cl.Loop != nil:
			c.errorf(cl, "hook %q runs once, when its event happens: it cannot loop", st.Name).WithHint("loop in a template with steps, and use it: uses TEMPLATE(...)")
		case cl.After != nil:
			c.errorf(cl, "hook %q runs when its event happens, not after other steps", st.Name).WithHint("remove the after clause")
		case cl.When != nil:
			c.errorf(cl, "hook %q cannot have a when clause after its name: its condition comes after the event", st.Name).WithHint(`write on NAME when "EXPR" step %s`, st.Name)
		}
	}
	event := d.On
	if st.Handler == eventExit {
		if d.HookWhen != nil {
			c.errorf(d.HookWhen, "on exit runs whatever the outcome of step %s: it takes no expression", st.HookOf.Name).WithHint("use a named hook: on NAME when \"EXPR\" step ...")
		}
		return
	}
	if d.HookWhen != nil {
		st.HookExpr = c.hookExpression(d.HookWhen)
		return
	}
	phase, ok := hookPhases[st.Handler]
	if !ok {
		events := []string{eventExit}
		if st.HookOf == nil {
			events = append(events, eventFailure)
		}
		for e := range hookPhases {
			events = append(events, e)
		}
		sort.Strings(events)
		dd := c.errorf(event, "unknown event %q: a hook named %q needs an expression that says when it runs", st.Handler, st.Handler)
		if s := diag.Suggest(st.Handler, events); s != "" {
			dd.WithHint("did you mean %q? (events: %s; or on %s when \"EXPR\" step ...)", s, strings.Join(events, ", "), st.Handler)
		} else {
			dd.WithHint("events: %s; or on %s when \"EXPR\" step ...", strings.Join(events, ", "), st.Handler)
		}
		return
	}
	if st.HookOf == nil {
		st.HookExpr = fmt.Sprintf("workflow.status == %q", phase)
	} else {
		kind := "tasks"
		if st.HookOf.Stage != nil {
			kind = "steps" // a step of a steps template
		}
		st.HookExpr = fmt.Sprintf("%s.status == %q", exprNodeRef(kind, st.HookOf.ArgoName), phase)
	}
}

// exprNodeRef is how an Argo expression names a DAG task (kind "tasks")
// or a step of a steps template ("steps"): tasks.name, or tasks["name"]
// when the name has a '-' (expr would read it as a minus).
func exprNodeRef(kind, name string) string {
	if strings.Contains(name, "-") {
		return fmt.Sprintf("%s[%q]", kind, name)
	}
	return kind + "." + name
}

// hookExpression checks a hook's expression, which the controller
// evaluates as it is (an expr expression, like {{=...}}), and returns it.
func (c *checker) hookExpression(lit *dsl.StringLit) string {
	s := lit.Value()
	if strings.TrimSpace(s) == "" {
		c.errorf(lit, "a hook's expression is empty").WithHint(`for example when "workflow.status == 'Running'"`)
		return s
	}
	if strings.Contains(s, "${") || strings.Contains(s, "{{") {
		c.errorf(lit, "a hook's expression is evaluated by Argo as it is: ${...} and {{...}} are not substituted in it").
			WithHint(`name Argo's variables directly: workflow.status, workflow.parameters.NAME, tasks.STEP.status (tasks["my-step"].status for a name with '-')`)
		return s
	}
	if _, err := exprparser.Parse(s); err != nil {
		msg := err.Error()
		rng := lit.Range()
		var fe *file.Error
		if errors.As(err, &fe) {
			msg = fe.Message
			if r, ok := exprErrorRange(lit, s, fe); ok {
				rng = r
			}
		} else if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		c.diags.Errorf(rng, "invalid hook expression: %s", msg).WithHint("Argo evaluates it with expr (https://expr-lang.org), as {{=...}} expressions")
	}
	return s
}

// exprErrorRange is the source range of the token an expr error is at: its
// rune offsets From..To in the expression s (at least one character, the
// last one for an error at the end), inside the string literal lit.
func exprErrorRange(lit *dsl.StringLit, s string, fe *file.Error) (diag.Range, bool) {
	runes := []rune(s)
	from, to := fe.From, fe.To
	if from >= len(runes) {
		from = len(runes) - 1
	}
	if to <= from {
		to = from + 1
	}
	if to > len(runes) {
		to = len(runes)
	}
	if from < 0 {
		return diag.Range{}, false
	}
	b := len(string(runes[:from]))
	return lit.ValueRange(b, b+len(string(runes[from:to])))
}

// AllSteps returns the pipeline's steps: the main ones, the exit handlers,
// the workflow hooks, then the hooks of each of those, in order.
func (p *Pipeline) AllSteps() []*Step {
	all := make([]*Step, 0, len(p.Steps)+len(p.ExitSteps)+len(p.Hooks))
	all = append(append(append(all, p.Steps...), p.ExitSteps...), p.Hooks...)
	for _, st := range all[:len(all):len(all)] {
		all = append(all, st.Hooks...)
	}
	return all
}

// checkHookReadsParent checks a reference from a hook to the outputs of its
// own step (path, output or artifact out). Argo resolves the arguments of a
// step's exit hook with that step's output parameters and artifacts
// (exit_handler.go, resolveExitTmplArgument), and its validator allows them
// there only; a step's other hooks may run before it has outputs. It
// reports whether the reference is allowed.
func (c *checker) checkHookReadsParent(h *Step, out string, artifact bool, path string, rng diag.Range) bool {
	parent := h.HookOf
	ref := "${" + path + "}"
	if artifact {
		ref = path
	}
	if h.Handler != eventExit {
		c.diags.Errorf(rng, "%s: hook %q (on %s) cannot read the outputs of step %q: Argo gives a step's outputs only to its exit hook", ref, h.Name, h.Handler, parent.Name).
			WithHint("read them in an exit hook, which runs when step %s ends whatever its outcome: on exit step NAME { ... }", parent.Name)
		return false
	}
	if hasLoop(parent.Decl) {
		c.diags.Errorf(rng, "%s: step %q loops, and its exit hook runs once for all its iterations: it cannot read their outputs", ref, parent.Name).
			WithHint("collect the iterations' outputs in a step after %s and give that step the hook", parent.Name)
		return false
	}
	if artifact {
		return true
	}
	if _, ok := stepFields[out]; ok {
		c.diags.Errorf(rng, "%s: the exit hook of step %q gets its output parameters and artifacts, not ${%s.%s}", ref, parent.Name, parent.Name, out).
			WithHint("declare an output of step %s and read that", parent.Name)
		return false
	}
	if out == "result" && !c.declaresOutput(parent, "result") {
		c.diags.Errorf(rng, "%s: Argo gives the exit hook of step %q its output parameters and artifacts, not its standard output", ref, parent.Name).
			WithHint(`write what the hook needs to a file and declare it in step %s: output msg = file("/tmp/msg"), then use ${%s.msg}`, parent.Name, parent.Name)
		return false
	}
	return true
}
