package compiler

import (
	"bytes"
	"sort"
	"strconv"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/internal/argojson"
)

// Shape-based validation: pipec generates its leaf templates (a step's
// container or script), so most of them are the same template up to their
// name and up to literal text Argo's validator only scans for {{...}}
// tags. Argo's validator is run on
//
//  1. the graph: the workflow with every such leaf replaced by a stub of
//     the same name, type, inputs, outputs, retry strategy, timeout and
//     daemon flag (what the rest of the workflow sees of a leaf), and
//  2. the shapes: a workflow with the same workflow-level fields whose
//     entry DAG runs one representative leaf per shape.
//
// Why this is Argo's verdict (workflow/validate/validate.go, v3.7.18), for
// a leaf L reached only from the entry point and a pipeline without global
// output names (which would let one template's validation change the
// global scope another is validated in):
//
//   - everything Argo checks of L itself (validateTemplate with
//     FakeArguments: template type, inputs, ProcessArgs, timeout,
//     validateLeaf, validateOutputs, archive location, metrics) runs once,
//     on the first use of L, with placeholder arguments, in the entry
//     point's global scope, which depends only on workflow-level fields:
//     the same for L in the workflow and for its representative R in the
//     shapes workflow;
//   - those checks see L's name only in their messages, and the literal
//     text abstracted by templateShape only through the scan for {{...}}
//     tags (resolveAllVariables) and through SubstituteParams, which can
//     change tags but not text outside them; when every string of L holds
//     whole tags only, text outside them cannot take part in a tag, so L
//     is valid if and only if R is;
//   - what the workflow checks of L at each use (ProcessArgs with the
//     real arguments, the timeout after it, the retry policy, the scope of
//     L's outputs, its type) sees only what the stub keeps, provided L has
//     no {{=...}} expression (whose evaluation could depend on an
//     argument's value); SubstituteParams of plain tags cannot fail, since
//     every value is a string and written quoted.
//
// Any failure of either part falls back to validating the whole workflow,
// so messages are always those of the whole workflow's validation.
// TestShapesSameAsFull checks verdicts and messages against full
// validation on every example, testscript, fuzz input and generated
// pipeline.

// shapeStats describes one shape-based validation, for tests and
// benchmarks.
type shapeStats struct {
	units, shapes, stubs int
	graphShapes          int // chunks of the graph validated by shape (validate_graph.go)
}

// shapeUnit is a template the entry point's tasks run that shape-based
// validation stands in for: a leaf, or a steps template of one step that
// runs a leaf nothing else uses (pipec's retry wrapper) with that leaf.
type shapeUnit struct {
	top, leaf int // indexes in the templates; leaf -1 for a leaf unit
}

// validShapes reports whether obj is of the form shape-based validation
// covers, validating it if so: true means Argo accepts the whole workflow.
//
// What it validates is without pipec's retry expressions
// (withoutRetryExpressions), copied one template at a time as it goes:
// a unit's in the scratch copy its key is made of (keyScratch), then only
// the representatives and the templates the graph keeps, so that a large
// workflow is not copied whole (obj may also be such a copy already: the
// copying is idempotent).
func validShapes(obj *Object, validate func(*Object) error) (bool, shapeStats) {
	var st shapeStats
	spec := obj.Spec()
	plain := newPlainTemplates(obj)
	units, ok := shapeUnits(obj)
	if !ok || len(units) == 0 {
		return false, st
	}
	// The shapes, one representative each, in the order of the templates.
	// The keys are made in one buffer: a map's key is copied only for a
	// new shape.
	byShape := map[string]bool{}
	var reps []shapeUnit
	roles := newUnitRoles(len(spec.Templates))
	kept := units[:0:0]
	ks := getKeyScratch()
	defer ks.put()
	for _, u := range units {
		key, ok := ks.appendUnitShape(ks.key[:0], spec, u, &plain)
		ks.key = key
		if ok && bytes.Contains(key, []byte("{{=")) || !ok && unitHasExpression(plainUnit(spec, u, plain)) {
			continue // not a unit: see shapeUnits
		}
		if !ok {
			key = append(append(key[:0], 0), spec.Templates[u.top].Name...) // a shape of its own
			ks.key = key
		}
		kept = append(kept, u)
		roles.add(u)
		if !byShape[string(key)] {
			byShape[string(key)] = true
			reps = append(reps, u)
		}
	}
	units = kept
	st.units, st.shapes = len(units), len(reps)
	if len(units) == 0 {
		return false, st
	}

	// The graph: every unit replaced by a stub, one stub for all units that
	// look the same to the rest of the workflow, named after the first.
	graph, stubNames, ok := shapeGraph(obj, units, roles, plain)
	if !ok {
		return false, st
	}
	st.stubs = len(stubNames)
	ok, n := validGraphShapes(graph, stubNames, validate)
	st.graphShapes = n
	if !ok && !validChunksOf(graph, graphChunkSize, validate) && validate(graph) != nil {
		return false, st
	}

	// The shapes: an entry DAG that runs each representative once.
	ss := *spec
	ss.OnExit = ""
	entry := wfv1.Template{Name: spec.Entrypoint, DAG: &wfv1.DAGTemplate{}}
	ss.Templates = []wfv1.Template{{}}
	for n, u := range reps {
		r := spec.Templates[u.top]
		task := wfv1.DAGTask{Name: "shape" + itoa(n), Template: r.Name}
		for _, p := range r.Inputs.Parameters {
			task.Arguments.Parameters = append(task.Arguments.Parameters, wfv1.Parameter{Name: p.Name, Value: wfv1.AnyStringPtr("stub")})
		}
		for _, a := range r.Inputs.Artifacts {
			task.Arguments.Artifacts = append(task.Arguments.Artifacts, wfv1.Artifact{Name: a.Name, ArtifactLocation: wfv1.ArtifactLocation{Raw: &wfv1.RawArtifact{Data: "stub"}}})
		}
		entry.DAG.Tasks = append(entry.DAG.Tasks, task)
		ss.Templates = append(ss.Templates, plain.of(&r))
		if u.leaf >= 0 {
			ss.Templates = append(ss.Templates, plain.of(&spec.Templates[u.leaf]))
		}
	}
	ss.Templates[0] = entry
	shapes := withSpec(obj, ss)
	if !validChunks(shapes, validate) && validate(shapes) != nil {
		return false, st
	}
	return true, st
}

// unitRoles is the part each template has in the units validShapes
// keeps, by the template's index: the template a unit's tasks run (top),
// or the leaf of a wrapper unit (owned).
type unitRoles struct{ top, owned []bool }

func newUnitRoles(templates int) unitRoles {
	return unitRoles{top: make([]bool, templates), owned: make([]bool, templates)}
}

// add marks the templates of u.
func (r unitRoles) add(u shapeUnit) {
	r.top[u.top] = true
	if u.leaf >= 0 {
		r.owned[u.leaf] = true
	}
}

// inUnit reports whether template i is one of a unit's.
func (r unitRoles) inUnit(i int) bool { return r.top[i] || r.owned[i] }

// shapeGraph is the graph of shape-based validation: obj with every unit
// replaced by a stub, one stub for all units that look the same to the rest
// of the workflow, named after the first; and the names of the stubs.
// roles are the units' templates; plain copies the templates the graph
// keeps.
func shapeGraph(obj *Object, units []shapeUnit, roles unitRoles, plain plainTemplates) (*Object, map[string]bool, bool) {
	spec := obj.Spec()
	stubName := make(map[string]string, len(units)) // a unit's name: its stub's
	firstOf := make([]bool, len(spec.Templates))    // a unit whose stub the graph has
	stubs := 0
	byIface := map[string]string{}
	// Each stub is marshalled (internal/argojson, into one buffer): that
	// costs less than recalling an earlier, deeply equal stub did. The
	// stub is made in one place, of shared parts (stubKeyScratch).
	jb := jsonBuffers.Get().(*jsonBuffer) // lower.go's
	defer jsonBuffers.Put(jb)
	var ss stubKeyScratch
	for _, u := range units {
		t := &spec.Templates[u.top]
		b, err := argojson.AppendTemplate(jb.buf[:0], ss.of(t))
		if err != nil {
			return nil, nil, false
		}
		jb.buf = b
		first, seen := byIface[string(b)]
		if !seen {
			first = t.Name
			byIface[string(b)] = first
			firstOf[u.top] = true
			stubs++
		}
		stubName[t.Name] = first
	}
	ss.clear()
	gs := *spec
	// Sized exactly: the stubs and what is not a unit are usually a few
	// of the templates.
	n := 0
	for i := range spec.Templates {
		if firstOf[i] || !roles.inUnit(i) {
			n++
		}
	}
	gs.Templates = make([]wfv1.Template, 0, n)
	stubNames := make(map[string]bool, stubs)
	for i := range spec.Templates {
		t := &spec.Templates[i]
		if firstOf[i] {
			gs.Templates = append(gs.Templates, unitStub(*t))
			stubNames[t.Name] = true
		} else if !roles.inUnit(i) {
			gs.Templates = append(gs.Templates, useStubs(plain.of(t), stubName))
		}
	}
	return withSpec(obj, gs), stubNames, true
}

// stubKeyScratch is where shapeGraph makes the unnamed stub of each unit
// to marshal it: unitStub's template, with the parts unitStub allocates
// shared (only read) or in scratch space reused from unit to unit.
type stubKeyScratch struct {
	t      wfv1.Template
	params []wfv1.Parameter
	arts   []wfv1.Artifact
}

// The stubs' parts stubKeyScratch shares: what unitStub puts in every
// stub (never written).
var (
	stubKeyContainer = &apiv1.Container{Image: "stub"}
	stubKeyScript    = &wfv1.ScriptTemplate{Container: apiv1.Container{Image: "stub"}, Source: "stub"}
	stubKeySuspend   = &wfv1.SuspendTemplate{}
)

// of is unitStub(*t) without its name, in s (valid until the next call).
// TestStubKeySameAsUnitStub compares the two.
func (s *stubKeyScratch) of(t *wfv1.Template) *wfv1.Template {
	s.t = wfv1.Template{Inputs: t.Inputs, Outputs: t.Outputs, Daemon: t.Daemon, Timeout: t.Timeout, RetryStrategy: t.RetryStrategy}
	switch {
	case t.Container != nil:
		s.t.Container = stubKeyContainer
	case t.Script != nil:
		s.t.Script = stubKeyScript
	default:
		s.t.Suspend = stubKeySuspend
		s.t.Outputs = wfv1.Outputs{}
		if len(t.Outputs.Parameters) > 0 {
			s.params = s.params[:0]
			for _, p := range t.Outputs.Parameters {
				s.params = append(s.params, wfv1.Parameter{Name: p.Name, Value: stubValue})
			}
			s.t.Outputs.Parameters = s.params
		}
		if len(t.Outputs.Artifacts) > 0 {
			s.arts = s.arts[:0]
			for _, a := range t.Outputs.Artifacts {
				s.arts = append(s.arts, wfv1.Artifact{Name: a.Name})
			}
			s.t.Outputs.Artifacts = s.arts
		}
	}
	return &s.t
}

// clear drops what s holds of the templates.
func (s *stubKeyScratch) clear() {
	s.t = wfv1.Template{}
	clear(s.params[:cap(s.params)])
	clear(s.arts[:cap(s.arts)])
}

// plainUnit is a workflow spec of a unit's templates alone, copied by
// plain, and the unit in it.
func plainUnit(spec *wfv1.WorkflowSpec, u shapeUnit, plain plainTemplates) (*wfv1.WorkflowSpec, shapeUnit) {
	us := &wfv1.WorkflowSpec{Templates: make([]wfv1.Template, 1, 2)}
	us.Templates[0] = plain.of(&spec.Templates[u.top])
	if u.leaf < 0 {
		return us, shapeUnit{top: 0, leaf: -1}
	}
	us.Templates = append(us.Templates, plain.of(&spec.Templates[u.leaf]))
	return us, shapeUnit{top: 0, leaf: 1}
}

func itoa(n int) string { return strconv.Itoa(n) }

// useStubs is a template whose tasks and steps run the stubs of the units
// they ran.
func useStubs(t wfv1.Template, stubName map[string]string) wfv1.Template {
	if t.DAG != nil {
		dag := *t.DAG
		dag.Tasks = append([]wfv1.DAGTask(nil), dag.Tasks...)
		for i := range dag.Tasks {
			if s, ok := stubName[dag.Tasks[i].Template]; ok {
				dag.Tasks[i].Template = s
			}
		}
		t.DAG = &dag
	}
	if t.Steps != nil {
		groups := make([]wfv1.ParallelSteps, len(t.Steps))
		for g, group := range t.Steps {
			groups[g].Steps = append([]wfv1.WorkflowStep(nil), group.Steps...)
			for i := range groups[g].Steps {
				if s, ok := stubName[groups[g].Steps[i].Template]; ok {
					groups[g].Steps[i].Template = s
				}
			}
		}
		t.Steps = groups
	}
	return t
}

// shapeUnits lists the candidate units of a workflow, in the order of
// their templates (validShapes drops those with an {{=...}} expression). ok is false when the workflow is not of the form the argument
// above covers: no raw fragments, WorkflowTemplate references, hooks,
// exit handlers of tasks or steps, inline templates, global output names;
// unique template names Argo accepts; an entry point.
func shapeUnits(obj *Object) ([]shapeUnit, bool) {
	if obj.Pipeline == nil || len(obj.Pipeline.Raw) > 0 {
		return nil, false
	}
	spec := obj.Spec()
	if spec.WorkflowTemplateRef != nil || len(spec.Hooks) > 0 || spec.Entrypoint == "" {
		return nil, false
	}
	// The maps are sized for all templates: the entry point uses nearly
	// all of them, and growing maps of thousands of names cost more.
	index := make(map[string]int, len(spec.Templates))
	for i, t := range spec.Templates {
		if _, dup := index[t.Name]; dup || len(t.Name) > 128 || !isTemplateName(t.Name) {
			return nil, false
		}
		index[t.Name] = i
		for _, p := range t.Outputs.Parameters {
			if p.GlobalName != "" {
				return nil, false
			}
		}
		for _, a := range t.Outputs.Artifacts {
			if a.GlobalName != "" {
				return nil, false
			}
		}
	}
	entry, ok := index[spec.Entrypoint]
	if !ok {
		return nil, false
	}
	fromMain, ok := usedTemplates(spec, index, entry)
	if !ok {
		return nil, false
	}
	var fromExit []bool // by template index; nil: no exit handler
	if spec.OnExit != "" {
		if exit, found := index[spec.OnExit]; found {
			if fromExit, ok = usedTemplates(spec, index, exit); !ok {
				return nil, false
			}
		}
	}
	// How many times each template is used (by index), the entry point and
	// the exit handler once.
	uses := make([]int32, len(spec.Templates))
	uses[entry] = 1
	if exit, found := index[spec.OnExit]; found {
		uses[exit] = 1
	}
	for _, t := range spec.Templates {
		if t.DAG != nil {
			for _, task := range t.DAG.Tasks {
				if j, found := index[task.Template]; found {
					uses[j]++
				}
			}
		}
		for _, group := range t.Steps {
			for _, step := range group.Steps {
				if j, found := index[step.Template]; found {
					uses[j]++
				}
			}
		}
	}
	// Only what the entry point uses and the exit handler does not: the
	// exit handler's templates are validated with workflow.failures in the
	// global scope.
	candidate := func(i int) bool {
		return fromMain[i] && (fromExit == nil || !fromExit[i]) && i != entry
	}
	isLeaf := func(t *wfv1.Template) bool { return t.Container != nil || t.Script != nil }
	var units []shapeUnit
	owned := make([]bool, len(spec.Templates))
	for i := range spec.Templates {
		t := &spec.Templates[i]
		if t.Steps == nil || !candidate(i) || len(t.Steps) != 1 || len(t.Steps[0].Steps) != 1 {
			continue
		}
		li, ok := index[t.Steps[0].Steps[0].Template]
		if ok && li != i && uses[li] == 1 && isLeaf(&spec.Templates[li]) && candidate(li) {
			units = append(units, shapeUnit{top: i, leaf: li})
			owned[li] = true
		}
	}
	for i := range spec.Templates {
		if isLeaf(&spec.Templates[i]) && !owned[i] && candidate(i) {
			units = append(units, shapeUnit{top: i, leaf: -1})
		}
	}
	sort.Slice(units, func(a, b int) bool { return units[a].top < units[b].top })
	return units, true
}

// unitHasExpression reports whether a unit's templates hold an {{=...}}
// expression (a unit's shape keeps every tag, so it shows them too).
func unitHasExpression(spec *wfv1.WorkflowSpec, u shapeUnit) bool {
	return hasExpression(&spec.Templates[u.top]) || u.leaf >= 0 && hasExpression(&spec.Templates[u.leaf])
}

// hasExpression reports whether a template holds an {{=...}} expression.
func hasExpression(t *wfv1.Template) bool {
	jb := jsonBuffers.Get().(*jsonBuffer) // lower.go's
	defer jsonBuffers.Put(jb)
	var err error
	jb.buf, err = argojson.AppendTemplate(jb.buf[:0], t)
	return err != nil || bytes.Contains(jb.buf, []byte("{{="))
}

// unitStub is what the graph validation sees of a unit: its name, inputs,
// outputs (their names, for a wrapper), retry strategy, timeout and daemon
// flag, and its type (a wrapper as a suspend template, which Argo treats
// as it treats steps wherever a template is used: not a leaf, not a pod,
// no outputs.result, outputs.parameters when aggregated).
func unitStub(t wfv1.Template) wfv1.Template {
	s := wfv1.Template{Name: t.Name, Inputs: t.Inputs, Outputs: t.Outputs, Daemon: t.Daemon, Timeout: t.Timeout, RetryStrategy: t.RetryStrategy}
	switch {
	case t.Container != nil:
		s.Container = &apiv1.Container{Image: "stub"}
	case t.Script != nil:
		s.Script = &wfv1.ScriptTemplate{Container: apiv1.Container{Image: "stub"}, Source: "stub"}
	default:
		s.Suspend = &wfv1.SuspendTemplate{}
		s.Outputs = wfv1.Outputs{}
		for _, p := range t.Outputs.Parameters {
			s.Outputs.Parameters = append(s.Outputs.Parameters, wfv1.Parameter{Name: p.Name, Value: wfv1.AnyStringPtr("stub")})
		}
		for _, a := range t.Outputs.Artifacts {
			s.Outputs.Artifacts = append(s.Outputs.Artifacts, wfv1.Artifact{Name: a.Name})
		}
	}
	return s
}

// usedTemplates is the set of templates (by index) template root uses
// through DAG tasks and steps, transitively, itself included (a name no
// template has is left to Argo, which reports it). ok is false if any of
// them uses a template another way (hooks, exit handlers, inline
// templates, template references), which the argument for shape-based
// validation does not cover.
func usedTemplates(spec *wfv1.WorkflowSpec, index map[string]int, root int) ([]bool, bool) {
	used := make([]bool, len(spec.Templates))
	var walk func(i int) bool
	walk = func(i int) bool {
		if used[i] {
			return true
		}
		used[i] = true
		t := &spec.Templates[i]
		if t.DAG != nil {
			for _, task := range t.DAG.Tasks {
				if task.Hooks != nil || task.OnExit != "" || task.Inline != nil || task.TemplateRef != nil || task.Template == "" || !walkName(walk, index, task.Template) {
					return false
				}
			}
		}
		for _, group := range t.Steps {
			for _, step := range group.Steps {
				if step.Hooks != nil || step.OnExit != "" || step.Inline != nil || step.TemplateRef != nil || step.Template == "" || !walkName(walk, index, step.Template) {
					return false
				}
			}
		}
		return true
	}
	if !walk(root) {
		return nil, false
	}
	return used, true
}

// walkName is walk of the template named name, true if there is none.
func walkName(walk func(int) bool, index map[string]int, name string) bool {
	i, ok := index[name]
	return !ok || walk(i)
}

// graphChunkSize is the number of tasks per chunk of the graph validation
// (validChunks): the stubs make the templates cheap, so what is left is
// Argo's DAG validation, quadratic in the tasks of a DAG.
var graphChunkSize = 25
