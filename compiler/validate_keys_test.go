package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
)

// The keys of shape-based validation are computed the fast way
// (templateShapeRenamed marshals a template once, graphShapes.key reuses
// each task's JSON); the reference definitions below are the plain ones
// the arguments of validate_shapes.go and validate_graph.go are made on
// (two marshals of each template, a marshal of each renamed task). The
// tests check that both give the same keys on every object of the tests,
// so that the fast keys group exactly the templates and chunks the plain
// ones do.

// keyObjects is every lowered object the differential tests use:
// examples, testscript inputs, the fuzz corpus, generated pipelines and
// their mutations.
func keyObjects(t *testing.T) map[string]*Object {
	out := map[string]*Object{}
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		res := Compile(DiskSources{}, []string{path}, Options{SkipValidate: true, SkipEmit: true})
		for _, o := range res.Outputs {
			out[path+": "+o.Pipeline.Name] = o.Object
		}
	}
	for _, set := range testscriptFileSets(t) {
		for _, o := range compileSources(set.files) {
			out[set.name+": "+o.Pipeline.Name] = o.Object
		}
	}
	for i, src := range fuzzCorpus(t) {
		for _, o := range compileSources(map[string][]byte{"f.pipe": src}) {
			out[fmt.Sprintf("fuzz input %d: %s", i, o.Pipeline.Name)] = o.Object
		}
	}
	for _, n := range []int{1, 10, 60} {
		out[fmt.Sprintf("steps=%d", n)] = lowerGenerated(t, n, func(s string) string { return s })
	}
	base := lowerGenerated(t, 30, func(s string) string { return s })
	for i, tm := range base.Spec().Templates {
		if i%3 != 0 && i != 1 {
			continue
		}
		muts := leafMutations
		if tm.Steps != nil {
			muts = wrapperMutations
		} else if tm.Container == nil && tm.Script == nil {
			continue
		}
		for name, mutate := range muts {
			out[fmt.Sprintf("%s at %s", name, tm.Name)] = mutated(base, i, mutate)
		}
	}
	for name, mutate := range taskMutations {
		for _, i := range []int{1, 2, 3, 4, 11, 12, 13, 24, 25} {
			out[fmt.Sprintf("%s at task %d", name, i)] = mutatedTasks(base, func(tasks []wfv1.DAGTask) { mutate(tasks, i) })
		}
	}
	return out
}

// keyTemplates are templates made to test the edges of the keys' checks.
func keyTemplates() []wfv1.Template {
	leaf := func(inputs []string, command ...string) wfv1.Template {
		tm := wfv1.Template{Name: "t", Container: &apiv1.Container{Image: "img", Command: command}}
		for _, in := range inputs {
			tm.Inputs.Parameters = append(tm.Inputs.Parameters, wfv1.Parameter{Name: in})
		}
		return tm
	}
	var out []wfv1.Template
	for _, inputs := range [][]string{nil, {"x"}, {"x", "y"}, {"y", "x"}, {"bad name"}, {"x", "bad name"}, {"x", "x"}, {"\x00"}, {"a{{b"}, {"x}}"}} {
		for _, cmd := range [][]string{nil, {"echo"}, {"{{inputs.parameters.x}}"}, {"{{ inputs.parameters.y }}"},
			{"{{inputs.parameters.nosuch}}"}, {"{{workflow.", "name}}"}, {"{{x"}, {"{{\x00}}"}, {"a\x00b"}, {`\u0000`},
			{"{{inputs.parameters.x\u2028}}"}, {"{{inputs.parameters.x\"}}"}, {"{{inputs.{{parameters.x}}"}, {"{{=inputs.parameters.x}}"}} {
			tm := leaf(inputs, cmd...)
			out = append(out, tm)
			tm.Container.Image = strings.Join(cmd, "")
			tm.Container.Env = []apiv1.EnvVar{{Name: strings.Join(inputs, ""), Value: strings.Join(cmd, "")}}
			out = append(out, tm)
		}
	}
	// Both a container and a script (Argo rejects it; the key must still
	// keep both), and empty but not nil lists.
	both := leaf([]string{"x"}, "a", "{{inputs.parameters.x}}")
	both.Script = &wfv1.ScriptTemplate{Container: apiv1.Container{Image: "s", Command: []string{"b{{inputs.parameters.x}}"}, Env: []apiv1.EnvVar{{Name: "E", Value: "v"}}}, Source: "src {{inputs.parameters.x}}"}
	both.Container.Args = []string{}
	both.Container.Env = []apiv1.EnvVar{}
	out = append(out, both)
	return out
}

func TestShapeKeysSameAsReference(t *testing.T) {
	templates, units, chunks := 0, 0, 0
	checkTemplate := func(name string, tm *wfv1.Template) {
		templates++
		gk, gok, gr := templateShapeRenamed(tm, nil)
		wk, wok, wr := referenceTemplateShape(tm, nil)
		if gk != wk || gok != wok || gr != wr {
			t.Errorf("%s: template %s: templateShapeRenamed = %q %v %v, reference %q %v %v", name, tm.Name, gk, gok, gr, wk, wok, wr)
		}
	}
	for _, tm := range keyTemplates() {
		checkTemplate("made", &tm)
	}
	ks := getKeyScratch()
	defer ks.put()
	for name, raw := range keyObjects(t) {
		obj := withoutRetryExpressions(raw)
		spec := obj.Spec()
		plain := newPlainTemplates(raw)
		for i := range spec.Templates {
			checkTemplate(name, &spec.Templates[i])
		}
		us, ok := shapeUnits(obj)
		if !ok {
			continue
		}
		tops := map[int]shapeUnit{}
		owned := map[int]bool{}
		roles := newUnitRoles(len(spec.Templates))
		var kept []shapeUnit
		for _, u := range us {
			units++
			gk, gok := unitShape(spec, u)
			wk, wok := referenceUnitShape(spec, u)
			if gk != wk || gok != wok {
				t.Errorf("%s: unit %s: unitShape = %q %v, reference %q %v", name, spec.Templates[u.top].Name, gk, gok, wk, wok)
			}
			// As validShapes makes it: of the templates as lowered, copied
			// by plain on the way.
			pk, pok := ks.appendUnitShape(ks.key[:0], raw.Spec(), u, &plain)
			ks.key = pk
			if string(pk) != wk || pok != wok {
				t.Errorf("%s: unit %s: appendUnitShape with plain = %q %v, reference %q %v", name, spec.Templates[u.top].Name, pk, pok, wk, wok)
			}
			if wok && strings.Contains(wk, "{{=") || !wok && unitHasExpression(spec, u) {
				continue
			}
			kept = append(kept, u)
			roles.add(u)
			tops[u.top] = u
			if u.leaf >= 0 {
				owned[u.leaf] = true
			}
		}
		if len(kept) == 0 {
			continue
		}
		graph, stubs, ok := shapeGraph(obj, kept, roles, newPlainTemplates(obj))
		wantGraph, wantStubs, wantOK := referenceShapeGraph(obj, kept, tops, owned)
		if ok != wantOK || ok && (!reflect.DeepEqual(graph.Spec(), wantGraph.Spec()) || !reflect.DeepEqual(stubs, wantStubs)) {
			t.Errorf("%s: shapeGraph differs from the reference", name)
		}
		if !ok {
			continue
		}
		g, applies := newGraphShapes(graph, stubs)
		if !applies {
			continue
		}
		// The keys differ as strings; they must group the chunks alike.
		ref := &graphShapes{c: g.c, stubs: g.stubs, tmpl: map[string]tmplKey{}}
		toRef, fromRef := map[string]string{}, map[string]string{}
		for i := range g.c.tasks {
			chunks++
			got, want := g.key(i), referenceGraphKey(ref, i)
			r, seen := toRef[got]
			k, seenRef := fromRef[want]
			if seen && r != want || seenRef && k != got {
				t.Errorf("%s: chunk of task %s: key\n%q\nreference\n%q\ngroup it otherwise", name, g.c.tasks[i].Name, got, want)
			}
			toRef[got], fromRef[want] = want, got
		}
	}
	t.Logf("%d templates, %d units, %d chunks", templates, units, chunks)
	if units < 1000 || chunks < 1000 {
		t.Errorf("only %d units and %d chunks compared", units, chunks)
	}
}

// abstractContainer is what templateShape does to a container's copy (the
// reference's way; containerBufs.abstract is the fast one).
func abstractContainer(c *apiv1.Container) {
	c.Command = abstractAll(c.Command)
	c.Args = abstractAll(c.Args)
	c.WorkingDir = outsideTags(c.WorkingDir)
	if c.Env != nil {
		env := append([]apiv1.EnvVar(nil), c.Env...)
		for i := range env {
			env[i].Value = outsideTags(env[i].Value)
		}
		c.Env = env
	}
}

func abstractAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = outsideTags(s)
	}
	return out
}

// referenceOutsideTags is outsideTags without its shortcuts.
func referenceOutsideTags(s string) string {
	var b strings.Builder
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			i = len(s)
		}
		if text := s[:i]; text != "" {
			if strings.ContainsAny(text, "{}") {
				b.WriteString(text)
			} else {
				b.WriteByte('_')
			}
		}
		s = s[i:]
		if s == "" {
			break
		}
		j := strings.Index(s[2:], "}}")
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:j+4])
		s = s[j+4:]
	}
	return b.String()
}

func TestOutsideTags(t *testing.T) {
	parts := []string{"", "_", "a", "{{x}}", "{{", "}}", "{", "}", "{{a}b}}", " ", "{{=x}}", "__", "{{}}"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				s := a + b + c
				got, want := outsideTags(s), referenceOutsideTags(s)
				if got != want {
					t.Errorf("outsideTags(%q) = %q, want %q", s, got, want)
				}
				if abstractsText(s) != (want != s) {
					t.Errorf("abstractsText(%q) = %v", s, abstractsText(s))
				}
			}
		}
	}
}

func TestDependsNames(t *testing.T) {
	re := regexp.MustCompile(`[a-zA-Z0-9][-a-zA-Z0-9]*`)
	for _, in := range []string{"", "a", "a && b", "a.Succeeded || (b-1.Failed && !c)", "-a", "a--b.c-d", "9x.Y", "((a)).B|c", "é a-", "a..b", "x.y.z"} {
		var want []string
		for _, loc := range re.FindAllStringIndex(in, -1) {
			if loc[0] == 0 || in[loc[0]-1] != '.' {
				want = append(want, in[loc[0]:loc[1]])
			}
		}
		if got := dependsNames(in); !slices.Equal(got, want) {
			t.Errorf("dependsNames(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"", "a", "a-b", "-a", "a_b", "9", "a.b", "A9-", "é"} {
		if got, want := isTemplateName(s), regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`).MatchString(s); got != want {
			t.Errorf("isTemplateName(%q) = %v", s, got)
		}
		if got, want := isParamName(s), regexp.MustCompile(`^[-a-zA-Z0-9_]+$`).MatchString(s); got != want {
			t.Errorf("isParamName(%q) = %v", s, got)
		}
	}
}

// referenceTemplateShape is templateShapeRenamed as first written: the
// checks on the template's own JSON, the key a second marshal of it edited
// and renamed.
func referenceTemplateShape(t *wfv1.Template, edit func(*wfv1.Template) int) (key string, ok, rename bool) {
	c := *t
	c.Name = ""
	if t.Container != nil {
		cc := *t.Container
		abstractContainer(&cc)
		c.Container = &cc
	}
	if t.Script != nil {
		sc := *t.Script
		abstractContainer(&sc.Container)
		sc.Source = outsideTags(sc.Source)
		c.Script = &sc
	}
	if t.Memoize != nil {
		m := *t.Memoize
		m.Key = outsideTags(m.Key)
		c.Memoize = &m
	}
	b, err := json.Marshal(&c)
	if err != nil || bytes.Contains(b, []byte(`\u0000`)) {
		return "", false, false
	}
	index, rename := inputIndex(t.Inputs.Parameters)
	_, whole, renamable := rewriteTags(b, index, false)
	if !whole {
		return "", false, false
	}
	rename = rename && renamable
	if edit == nil && !rename {
		return string(b), true, false
	}
	if edit != nil {
		edit(&c)
	}
	if rename {
		c.Inputs.Parameters = append([]wfv1.Parameter(nil), c.Inputs.Parameters...)
		for i := range c.Inputs.Parameters {
			c.Inputs.Parameters[i].Name = "\x00" + itoa(i)
		}
	}
	if b, err = json.Marshal(&c); err != nil {
		return "", false, false
	}
	if rename {
		b, _, _ = rewriteTags(b, index, true)
	}
	return string(b), true, rename
}

// referenceUnitShape is unitShape on referenceTemplateShape.
func referenceUnitShape(spec *wfv1.WorkflowSpec, u shapeUnit) (string, bool) {
	shape := func(t *wfv1.Template, edit func(*wfv1.Template) int) (string, bool) {
		k, ok, _ := referenceTemplateShape(t, edit)
		return k, ok
	}
	top := spec.Templates[u.top]
	if u.leaf < 0 {
		return shape(&top, nil)
	}
	a, ok := shape(&top, func(c *wfv1.Template) int {
		step := c.Steps[0].Steps[0]
		step.Template = ""
		step.Arguments.Parameters = argsByPosition(step.Arguments.Parameters, spec.Templates[u.leaf].Inputs.Parameters)
		c.Steps = []wfv1.ParallelSteps{{Steps: []wfv1.WorkflowStep{step}}}
		return 0
	})
	if !ok {
		return "", false
	}
	b, ok := shape(&spec.Templates[u.leaf], nil)
	return a + "\x01" + b, ok
}

// referenceGraphKey is graphShapes.key as first written: each task of the
// chunk renamed, then marshalled.
func referenceGraphKey(g *graphShapes, i int) string {
	own := "\x00own " + g.c.tasks[i].Name
	if i == 0 && g.c.exit != nil {
		return own // the chunk that validates the exit handler
	}
	tasks := g.c.chunkTasks(i, i+1)
	names := make(map[string]string, len(tasks))
	for n, t := range tasks {
		names[t.Name] = "\x00" + itoa(n)
	}
	var key strings.Builder
	tmplPos := map[string]string{}
	for _, t := range tasks {
		for _, name := range closure(g.c.spec, g.c.tmpls, t.Template) {
			if _, ok := tmplPos[name]; !ok {
				tmplPos[name] = "\x00T" + itoa(len(tmplPos))
				key.WriteString(g.templateKey(name).key)
				key.WriteByte('\x01')
			}
		}
	}
	for _, orig := range tasks {
		tk := g.templateKey(orig.Template)
		if tk.key[0] == '\x00' {
			return own
		}
		t := orig
		t.Name = names[t.Name]
		t.Template = tmplPos[t.Template]
		if tk.renamed {
			inputs := g.c.spec.Templates[g.c.tmpls[orig.Template]].Inputs.Parameters
			args := argsByPosition(t.Arguments.Parameters, inputs)
			if len(args) > 0 && !strings.HasPrefix(args[0].Name, "\x00") {
				return own // an argument that is not an input, or twice
			}
			t.Arguments.Parameters = args
		}
		depends, ok := renameDepends(t.Depends, names)
		if !ok {
			return own
		}
		t.Depends = depends
		b, err := json.Marshal(&t)
		if err != nil {
			return own
		}
		if b, ok = renameTaskTags(b, names); !ok {
			return own
		}
		key.Write(b)
		key.WriteByte('\x01')
	}
	return key.String()
}

// referenceShapeGraph is shapeGraph as first written: every stub
// marshalled.
func referenceShapeGraph(obj *Object, units []shapeUnit, tops map[int]shapeUnit, owned map[int]bool) (*Object, map[string]bool, bool) {
	spec := obj.Spec()
	stubName := map[string]string{} // a unit's name: its stub's
	stubs := map[int]wfv1.Template{}
	byIface := map[string]string{}
	for _, u := range units {
		t := spec.Templates[u.top]
		stub := unitStub(t)
		stub.Name = ""
		b, err := json.Marshal(&stub)
		if err != nil {
			return nil, nil, false
		}
		first, seen := byIface[string(b)]
		if !seen {
			first = t.Name
			byIface[string(b)] = first
			stub.Name = first
			stubs[u.top] = stub
		}
		stubName[t.Name] = first
	}
	gs := *spec
	gs.Templates = make([]wfv1.Template, 0, len(spec.Templates))
	for i, t := range spec.Templates {
		if stub, ok := stubs[i]; ok {
			gs.Templates = append(gs.Templates, stub)
		} else if _, ok := tops[i]; !ok && !owned[i] {
			gs.Templates = append(gs.Templates, useStubs(t, stubName))
		}
	}
	graph := withSpec(obj, gs)
	stubNames := make(map[string]bool, len(stubs))
	for _, s := range stubs {
		stubNames[s.Name] = true
	}
	return graph, stubNames, true
}
