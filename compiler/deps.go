// Dependencies and step fields: the after clause of a step (a boolean
// expression over other steps' outcomes), its lowering to Argo's enhanced
// `depends`, and the ${step.status}, ${step.exit_code}, ${step.ip},
// ${step.started_at}, ... references with the dependency they imply.

package compiler

import (
	"fmt"
	"strings"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// DepExpr is a checked after expression: a leaf (Dep set) or an operator
// ("&&" or "||") over its arguments.
type DepExpr struct {
	Op   string
	Args []*DepExpr
	Dep  *Dep
}

// after checks a step's after clause into st.After and st.Deps.
func (c *checker) after(p *Pipeline, st *Step, a *dsl.AfterClause) {
	if st.Deps == nil {
		st.Deps = c.depLists.make(len(a.Conds)) // about one each
	}
	if len(a.Conds) == 1 {
		st.After = c.depOr(p, st, a.Conds[0])
		return
	}
	conds := c.exprLists.make(len(a.Conds))
	for _, o := range a.Conds {
		if e := c.depOr(p, st, o); e != nil {
			conds = append(conds, e)
		}
	}
	st.After = c.joinDeps("&&", conds)
}

func (c *checker) depOr(p *Pipeline, st *Step, o *dsl.Dependency) *DepExpr {
	if len(o.Alts) == 1 && len(o.Alts[0].Terms) == 1 {
		// The common case, one step: no slices for one argument.
		return c.depTerm(p, st, o.Alts[0].Terms[0])
	}
	var alts []*DepExpr
	for _, and := range o.Alts {
		var terms []*DepExpr
		for _, t := range and.Terms {
			if e := c.depTerm(p, st, t); e != nil {
				terms = append(terms, e)
			}
		}
		if e := c.joinDeps("&&", terms); e != nil {
			alts = append(alts, e)
		}
	}
	return c.joinDeps("||", alts)
}

// depTerm checks one term of an after expression: a step or a group.
func (c *checker) depTerm(p *Pipeline, st *Step, t *dsl.DepTerm) *DepExpr {
	switch {
	case t.Group != nil:
		return c.depOr(p, st, t.Group)
	case t.Dep != nil:
		return c.dep(p, st, t.Dep)
	}
	return nil
}

// depOp is op over args: nil for none, the argument itself for one.
func depOp(op string, args []*DepExpr) *DepExpr {
	switch len(args) {
	case 0:
		return nil
	case 1:
		return args[0]
	}
	return &DepExpr{Op: op, Args: args}
}

// joinDeps is depOp for the checker, the expression from its slab.
func (c *checker) joinDeps(op string, args []*DepExpr) *DepExpr {
	switch len(args) {
	case 0:
		return nil
	case 1:
		return args[0]
	}
	e := c.depExprs.new()
	e.Op, e.Args = op, args
	return e
}

// dep checks one dependency of an after clause.
func (c *checker) dep(p *Pipeline, st *Step, dep *dsl.Dep) *DepExpr {
	target := p.stepsByName[dep.Step.Name]
	if target == nil {
		c.unknownStep(p, dep.Step)
		return nil
	}
	if target == st {
		c.errorf(dep.Step, "step %q cannot run after itself", st.Name)
		return nil
	}
	if (target.Handler != "") != (st.Handler != "") {
		c.errorf(dep.Step, "step %q cannot depend on %q: exit and failure handlers run after the main steps, separately", st.Name, target.Name)
		return nil
	}
	if (dep.Outcome == "any_succeeded" || dep.Outcome == "all_failed") && !hasLoop(target.Decl) {
		c.errorf(dep, "%q applies only to a step that loops, and %q does not", dep.Outcome, target.Name).WithHint("use succeeded or failed")
		return nil
	}
	if dep.Outcome == "daemoned" && !c.isDaemon(target) {
		c.errorf(dep, "%q applies only to a daemon step, and %q is not one", dep.Outcome, target.Name).
			WithHint("add daemon to step %s, or use succeeded", target.Name)
		return nil
	}
	l := c.depLeaves.new()
	l.dep = Dep{Step: target, Outcome: dep.Outcome, Range: dep.Range()}
	l.expr.Dep = &l.dep
	st.Deps = c.appendDep(st.Deps, &l.dep)
	return &l.expr
}

// A depLeaf is a dependency of an after clause and the leaf of the
// expression that holds it, allocated together.
type depLeaf struct {
	dep  Dep
	expr DepExpr
}

// succeedingOutcomes are the outcomes after which a step's outputs exist.
var succeedingOutcomes = map[string]bool{"": true, "succeeded": true, "completed": true, "any_succeeded": true, "daemoned": true}

// checkOutputAvailable reports a reference to an output of a step that the
// referring step runs after only when it did not succeed: the output then
// does not exist and Argo fails the step at run time.
func (c *checker) checkOutputAvailable(sc *scope, target *Step, path string, rng diag.Range) bool {
	if sc.step == nil {
		return true
	}
	var outcomes []string
	for _, d := range sc.step.Deps {
		if d.Step != target || d.Implicit {
			continue
		}
		if succeedingOutcomes[d.Outcome] {
			return true
		}
		outcomes = append(outcomes, d.Outcome)
	}
	if len(outcomes) == 0 {
		return true
	}
	c.diags.Errorf(rng, "${%s}: step %q runs after %s %s, when it has no outputs", path, sc.step.Name, target.Name, strings.Join(outcomes, " or ")).
		WithHint("outputs exist only when a step succeeds: use after %s completed and a when condition on ${%s.status}", target.Name, target.Name)
	return false
}

// dependsExpr builds Argo's enhanced depends expression: the after clause
// and then the dependencies implied by references, all of which must hold.
func dependsExpr(st *Step) string {
	var all []*DepExpr
	if st.After != nil {
		if st.After.Op == "&&" {
			all = append(all, st.After.Args...)
		} else {
			all = append(all, st.After)
		}
	}
	for _, d := range st.Deps {
		if d.Implicit {
			all = append(all, &DepExpr{Dep: d})
		}
	}
	e := depOp("&&", all)
	if e == nil {
		return ""
	}
	return renderDeps(e, "")
}

// renderDeps renders an expression; an || inside an && gets parentheses.
func renderDeps(e *DepExpr, parent string) string {
	if e.Dep != nil {
		return depTerm(e.Dep)
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = renderDeps(a, e.Op)
	}
	s := strings.Join(parts, " "+e.Op+" ")
	if e.Op == "||" && parent == "&&" {
		s = "(" + s + ")"
	}
	return s
}

// depOutcomes maps an outcome to the task result of Argo's depends.
var depOutcomes = map[string]string{
	"succeeded": "Succeeded", "failed": "Failed", "errored": "Errored", "skipped": "Skipped",
	"omitted": "Omitted", "daemoned": "Daemoned", "any_succeeded": "AnySucceeded", "all_failed": "AllFailed",
}

func depTerm(d *Dep) string {
	name := d.Step.ArgoName
	switch d.Outcome {
	case "":
		return name
	case "completed":
		return fmt.Sprintf("(%s.Succeeded || %s.Failed || %s.Errored)", name, name, name)
	}
	return name + "." + depOutcomes[d.Outcome]
}

// stepFields are the fields of a step a reference may name besides its
// outputs, with their Argo names (tasks.<step>.<field>).
var stepFields = map[string]string{
	"status":         "status",
	"exit_code":      "exitCode",
	"ip":             "ip",
	"started_at":     "startedAt",
	"finished_at":    "finishedAt",
	"id":             "id",
	"host_node_name": "hostNodeName",
}

// StepFieldNames lists the step fields, for messages and completion.
var StepFieldNames = []string{"status", "exit_code", "ip", "started_at", "finished_at", "id", "host_node_name"}

// stepField resolves ${step.field}. A reference to the status or exit code
// of a step implies waiting for it whatever its outcome (as after step
// completed), unless the step already depends on it.
func (c *checker) stepField(sc *scope, ref *Ref, target *Step, field string) *Ref {
	ref.Kind, ref.Step, ref.Field = RefStepField, target, stepFields[field]
	switch field {
	case "exit_code":
		if k := c.stepKind(target); k != kindContainer && k != kindRef {
			c.diags.Errorf(ref.Range, "${%s}: step %q is %s step and has no exit code", ref.Path, target.Name, aKind(k)).
				WithHint("only a step that runs a container has an exit code; use ${%s.status}", target.Name)
			return nil
		}
		target.ExitCodeUsed = true
	case "ip":
		if !c.isDaemon(target) {
			c.diags.Errorf(ref.Range, "${%s}: only a daemon step has an IP, and %q is not one", ref.Path, target.Name).
				WithHint("add daemon to step %s to keep it running while later steps reach it at ${%s.ip}", target.Name, target.Name)
			return nil
		}
	}
	if sc.step != nil && !sc.step.dependsOn(target) {
		d := c.deps.new()
		*d = Dep{Step: target, Implicit: true, Range: ref.Range}
		if field == "status" || field == "exit_code" {
			d.Outcome = "completed"
		}
		sc.step.Deps = c.appendDep(sc.step.Deps, d)
	}
	return ref
}

// finishSteps settles what depends on references made by later steps:
// a step whose exit code another step reads cannot run through the
// retry wrapper (a steps template has no exit code), so it is not memoized.
func (c *checker) finishSteps(p *Pipeline) {
	for _, st := range p.Steps {
		if !st.ExitCodeUsed || !st.RetryWrapped() {
			continue
		}
		st.Memoize = false
		if !st.MemoizeExplicit {
			c.diags.Warnf(st.Decl.Name.Range(), "step %q is not memoized: another step reads its ${%s.exit_code}, which needs the retryStrategy on the step's own template, and Argo v3.7 cannot memoize such a template", st.Name, st.Name).
				WithHint("add memoize off to the step to say so and silence this warning")
		}
	}
}
