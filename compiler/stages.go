// Stages, checked: a pipeline, a composite template or the exit handlers
// written as `stage { step ... }` blocks. The stages run one after another
// and the steps of one stage in parallel, as an Argo steps template (a list
// of lists, stages_lower.go). The order is the stage order: `after` has no
// place there, and a step may use the outputs of the steps of earlier
// stages only.

package compiler

import (
	"strconv"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Stage is one checked stage.
type Stage struct {
	// Name is the stage's name, "" for an unnamed stage; it only documents
	// the stage (Argo's step groups have no names).
	Name string
	Decl *dsl.StageDecl
	// Index is the stage's position among the stages of its level (the
	// main steps, the handlers, a composite's steps), from 0.
	Index int
	Steps []*Step
}

// What names a stage in messages.
func (stg *Stage) What() string {
	if stg.Name != "" {
		return "stage " + quote(stg.Name)
	}
	return "stage " + strconv.Itoa(stg.Index+1)
}

// Staged reports whether a step runs in a steps template: its references
// to other steps are steps.NAME..., not tasks.NAME....
func (st *Step) Staged() bool { return st.Stage != nil }

// nodeScope is the prefix of Argo's variables for the step's node:
// "steps" in a steps template, "tasks" in a DAG.
func (st *Step) nodeScope() string {
	if st.Stage != nil {
		return "steps"
	}
	return "tasks"
}

// stageLevel collects the stages of one level (main steps, handlers, a
// composite's steps) and reports bare steps mixed with them.
type stageLevel struct {
	stages []*Stage
	// bare are the level's steps outside any stage.
	bare []*dsl.StepDecl
}

// stageSteps reads the stages of a pipeline body. It returns the step
// declarations of the pipeline, bare ones first and then those of the
// stages in stage order, and the stage of each staged one. The steps of an
// `on exit stage` or `on failure stage` are handlers of that kind.
func (c *checker) stageSteps(p *Pipeline, decls []*dsl.StageDecl, steps []*dsl.StepDecl) ([]*dsl.StepDecl, map[*dsl.StepDecl]*Stage) {
	if len(decls) == 0 {
		return steps, nil
	}
	main, exit := &stageLevel{}, &stageLevel{}
	for _, d := range steps {
		switch d.Handler() {
		case "":
			main.bare = append(main.bare, d)
		case eventExit, eventFailure:
			exit.bare = append(exit.bare, d)
		}
		// A workflow hook is neither: it runs beside the steps.
	}
	stageOf := map[*dsl.StepDecl]*Stage{}
	out := steps
	for _, sd := range decls {
		lvl := main
		if sd.Handler != "" {
			lvl = exit
		}
		stg := c.newStage(sd, len(lvl.stages), lvl.stages)
		lvl.stages = append(lvl.stages, stg)
		for _, sub := range sd.Steps() {
			d := sub.Decl()
			if sd.Handler != "" {
				d.On = &dsl.Ident{Span: sd.Span, Name: sd.Handler}
			}
			stageOf[d] = stg
			out = append(out, d)
		}
	}
	c.mixedLevel(main, "pipeline "+quote(p.Name)+" is", "stage")
	c.mixedLevel(exit, "the exit handlers of pipeline "+quote(p.Name)+" are", "")
	return out, stageOf
}

// newStage checks a stage's header and body.
func (c *checker) newStage(sd *dsl.StageDecl, index int, before []*Stage) *Stage {
	stg := &Stage{Decl: sd, Index: index}
	if sd.Name != nil {
		stg.Name = sd.Name.Name
		for _, o := range before {
			if o.Name == stg.Name {
				c.errorf(sd.Name, "stage %q is defined twice (first at %s)", stg.Name, o.Decl.Name.Range()).WithHint("rename one of them, or leave it unnamed")
			}
		}
	}
	n := 0
	for _, it := range sd.Items {
		switch it.Stmt.(type) {
		case nil:
		case *dsl.SubStep:
			n++
		case *dsl.SubStage:
			c.errorf(it, "a stage cannot hold a stage: the steps of a stage run in parallel").WithHint("write the stages one after the other, at the level of this one")
		default:
			c.errorf(it, "a stage holds only steps").WithHint("move this statement into one of its steps")
		}
	}
	if n == 0 && !hasBad(sd.Items) {
		where := dsl.Node(sd)
		if sd.Name != nil {
			where = sd.Name
		}
		c.errorf(where, "%s has no steps", stg.What()).WithHint(`add one: step hello { run ["echo", "hello"] }, or remove the stage`)
	}
	return stg
}

// mixedLevel reports the bare steps of a level that has stages. kw is the
// stage keyword of the hint; "" for the handlers' level, where it is each
// step's own (on exit stage, on failure stage).
func (c *checker) mixedLevel(lvl *stageLevel, where, kw string) {
	if len(lvl.stages) == 0 {
		return
	}
	for _, d := range lvl.bare {
		kw := kw
		if kw == "" {
			kw = "on " + d.Handler() + " stage"
		}
		c.errorf(d.Name, "step %q is outside a stage, but %s written in stages", d.Name.Name, where).
			WithHint("move it into a stage (%s { step %s ... }), or write all of them as bare steps", kw, d.Name.Name)
	}
}

// setStage records a staged step in its stage, once it is declared.
func setStage(st *Step, stageOf map[*dsl.StepDecl]*Stage) {
	if stg := stageOf[st.Decl]; stg != nil {
		st.Stage = stg
		stg.Steps = append(stg.Steps, st)
	}
}

// finishStages sets the pipeline's stages from its steps'.
func finishStages(p *Pipeline) {
	seen := map[*Stage]bool{}
	for _, st := range append(append([]*Step{}, p.Steps...), p.ExitSteps...) {
		stg := st.Stage
		if stg == nil || seen[stg] {
			continue
		}
		seen[stg] = true
		if st.Handler == "" {
			p.Stages = append(p.Stages, stg)
		} else {
			p.ExitStages = append(p.ExitStages, stg)
		}
	}
}

// compositeSteps returns the steps of a composite template: its bare
// steps, or the steps of its stages with the stage of each.
func (c *checker) compositeSteps(t *dsl.TemplateDecl) ([]*dsl.SubStep, map[*dsl.SubStep]*Stage) {
	subs := dsl.SubSteps(t.Items)
	stages := dsl.SubStages(t.Items)
	if len(stages) == 0 {
		return subs, nil
	}
	lvl := &stageLevel{}
	for _, s := range subs {
		lvl.bare = append(lvl.bare, s.Decl())
	}
	stageOf := map[*dsl.SubStep]*Stage{}
	for _, ss := range stages {
		stg := c.newStage(ss.Decl(), len(lvl.stages), lvl.stages)
		lvl.stages = append(lvl.stages, stg)
		for _, sub := range ss.Decl().Steps() {
			stageOf[sub] = stg
			subs = append(subs, sub)
		}
	}
	c.mixedLevel(lvl, "template "+quote(t.Name.Name)+" is", "stage")
	return subs, stageOf
}

// stageAfter reports an after clause of a staged step, which has no place
// there: it reports whether there was one.
func (c *checker) stageAfter(st *Step, a *dsl.AfterClause) bool {
	if st.Stage == nil {
		return false
	}
	hint := "remove after: step " + st.Name + " already runs after the steps of the stages before its own"
	for _, d := range a.Deps() {
		if target := st.Pipeline.stepsByName[d.Step.Name]; target != nil && target.Stage != nil && target.Stage.Index >= st.Stage.Index {
			hint = "the stages run in order: move step " + target.Name + " to a stage before " + st.Stage.What() + " and remove after"
			break
		}
	}
	c.errorf(a, "a step in a stage cannot have after: it runs after the stages before its own").WithHint("%s", hint)
	return true
}

// checkStageOrder reports a reference from a staged step to a step of its
// own stage or of a later one, whose outputs do not exist yet.
func (c *checker) checkStageOrder(sc *scope, target *Step, path string, rng diag.Range) bool {
	if sc.step == nil || sc.step.Stage == nil || target.Stage == nil || target.Stage.Index < sc.step.Stage.Index {
		return true
	}
	if target.Stage == sc.step.Stage {
		c.diags.Errorf(rng, "${%s}: step %q is in the same stage as %q, and the steps of a stage run in parallel", path, target.Name, sc.step.Name).
			WithHint("move step %s to a stage before %s", target.Name, sc.step.Stage.What())
		return false
	}
	c.diags.Errorf(rng, "${%s}: step %q runs in %s, after %q (in %s)", path, target.Name, target.Stage.What(), sc.step.Name, sc.step.Stage.What()).
		WithHint("a step sees the outputs of earlier stages only: move step %s to a stage before %s", target.Name, sc.step.Stage.What())
	return false
}

// continueOn checks continue_on: Argo's continueOn, allowed in a steps
// template (and rejected by Argo in a DAG that uses depends). It reports
// whether the step is staged.
func (c *checker) continueOn(st *Step, s *dsl.ContinueOnStmt) bool {
	if st.Stage == nil {
		return false
	}
	co := &wfv1.ContinueOn{}
	for _, o := range s.Outcomes {
		switch o {
		case "failed":
			co.Failed = true
		case "errored":
			co.Error = true
		}
	}
	st.ContinueOn = co
	return true
}

// nestedSteps reports a step or stage inside a step's body.
func (c *checker) nestedSteps(st *Step, it *dsl.StepItem) {
	switch it.Stmt.(type) {
	case *dsl.SubStage:
		c.errorf(it, "a stage cannot be inside step %q", st.Name).WithHint("write stages in a pipeline or a template, with steps inside them")
	case *dsl.SubStep:
		c.errorf(it, "a step cannot be inside step %q", st.Name).WithHint("declare it beside step %s, or in a template that groups steps", st.Name)
	}
}

func quote(s string) string { return `"` + s + `"` }
