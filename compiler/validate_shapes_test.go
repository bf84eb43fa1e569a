package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/diag"
)

// sameAsFull fails the test unless Validate (shapes, chunks, stand-ins)
// gives exactly the diagnostics of ValidateFull (Argo's validator on the
// whole object as lowered).
func sameAsFull(t *testing.T, name string, obj *Object) {
	t.Helper()
	got, want := messages(Validate(obj)), messages(ValidateFull(obj))
	if got != want {
		t.Errorf("%s: Validate and ValidateFull differ\nValidate:     %s\nValidateFull: %s", name, got, want)
	}
}

func messages(d diag.Diagnostics) string {
	var out []string
	for _, x := range d {
		out = append(out, fmt.Sprintf("%v %s", x.Range, x.Message))
	}
	if out == nil {
		return "(accepted)"
	}
	return strings.Join(out, "\n")
}

// compileSources lowers every pipeline of a set of files (roots: the
// .pipe files), without validating; nil if they do not compile.
func compileSources(files map[string][]byte) []*Output {
	roots := pipeRoots(files)
	if len(roots) == 0 {
		return nil
	}
	res := Compile(Overlay{Files: files}, roots, Options{SkipValidate: true, SkipEmit: true})
	if res.Diags.HasErrors() {
		return nil
	}
	return res.Outputs
}

// TestShapesSameAsFull is the differential test of shape-based validation
// (and of the other shortcuts of Validate) on every example, every
// testscript input and the fuzz corpus: identical verdicts, identical
// messages.
func TestShapesSameAsFull(t *testing.T) {
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		res := Compile(DiskSources{}, []string{path}, Options{SkipValidate: true, SkipEmit: true})
		if res.Diags.HasErrors() {
			t.Errorf("%s does not compile: %v", path, res.Diags)
		}
		for _, o := range res.Outputs {
			sameAsFull(t, path+": "+o.Pipeline.Name, o.Object)
		}
	}
	compiled := 0
	for _, set := range testscriptFileSets(t) {
		for _, o := range compileSources(set.files) {
			compiled++
			sameAsFull(t, set.name+": "+o.Pipeline.Name, o.Object)
		}
	}
	if compiled == 0 {
		t.Error("no testscript input compiled")
	}
	for i, src := range fuzzCorpus(t) {
		for _, o := range compileSources(map[string][]byte{"f.pipe": src}) {
			sameAsFull(t, fmt.Sprintf("fuzz input %d: %s", i, o.Pipeline.Name), o.Object)
		}
	}
}

// fuzzCorpus is FuzzCompile's seeds and the inputs under testdata/fuzz.
func fuzzCorpus(t *testing.T) [][]byte {
	var out [][]byte
	for _, s := range fuzzCompileSeeds {
		out = append(out, []byte(s))
	}
	paths, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if q, ok := strings.CutPrefix(line, "[]byte("); ok {
				if s, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
					out = append(out, []byte(s))
				}
			}
		}
	}
	return out
}

// TestShapesSameAsFullGenerated runs the differential test on generated
// pipelines (bench.Pipeline), as they are and with one template broken in
// each of the ways Argo's validator checks, at several places: a leaf of
// a shape shared by many steps, the first and the last of its shape, a
// retry wrapper.
func TestShapesSameAsFullGenerated(t *testing.T) {
	for _, n := range []int{1, 10, 60} {
		obj := lowerGenerated(t, n, func(s string) string { return s })
		sameAsFull(t, fmt.Sprintf("steps=%d", n), obj)
		ok, st := validShapes(withoutRetryExpressions(obj), argoValidate)
		if !ok || st.units != n || (n >= 10 && st.shapes > 8) {
			t.Errorf("steps=%d: shape-based validation %v, %+v: want it to apply, with few shapes", n, ok, st)
		}
	}
	const n = 30
	base := lowerGenerated(t, n, func(s string) string { return s })
	spec := base.Spec()
	var leaves, wrappers []int
	for i, tm := range spec.Templates {
		switch {
		case tm.Container != nil || tm.Script != nil:
			leaves = append(leaves, i)
		case tm.Steps != nil:
			wrappers = append(wrappers, i)
		}
	}
	if len(leaves) < 10 || len(wrappers) < 10 {
		t.Fatalf("%d leaves, %d wrappers: the generator changed", len(leaves), len(wrappers))
	}
	places := []int{leaves[0], leaves[7]}
	for name, mutate := range leafMutations {
		for _, i := range places {
			obj := mutated(base, i, mutate)
			sameAsFull(t, fmt.Sprintf("%s at %s", name, spec.Templates[i].Name), obj)
		}
	}
	for name, mutate := range wrapperMutations {
		for _, i := range []int{wrappers[7]} {
			obj := mutated(base, i, mutate)
			sameAsFull(t, fmt.Sprintf("%s at %s", name, spec.Templates[i].Name), obj)
		}
	}
	// The graph: a task of each of the five kinds of the generator, first
	// of its shape (the representative) and later (sharing its shape).
	for name, mutate := range taskMutations {
		for _, i := range []int{1, 2, 3, 4, 11, 12, 13, 24, 25} {
			obj := mutatedTasks(base, func(tasks []wfv1.DAGTask) { mutate(tasks, i) })
			sameAsFull(t, fmt.Sprintf("%s at task %d", name, i), obj)
		}
	}
}

// TestGraphShapes checks that the graph of a generated pipeline is
// validated by task shape, with few shapes, and that the shapes of a
// chunk keep what Argo sees.
func TestGraphShapes(t *testing.T) {
	for _, n := range []int{10, 60, 300} {
		obj := withoutRetryExpressions(lowerGenerated(t, n, func(s string) string { return s }))
		ok, st := validShapes(obj, argoValidate)
		if !ok || st.graphShapes == 0 || st.graphShapes > 8 {
			t.Errorf("steps=%d: %v, %+v: want graph shapes, few of them", n, ok, st)
		}
	}
	names := map[string]string{"a": "\x000", "b-1": "\x001"}
	for in, want := range map[string]string{
		"a":                                   "\x000",
		"a && (b-1.Succeeded || !b-1.Failed)": "\x000 && (\x001.Succeeded || !\x001.Failed)",
		"nosuch":                              "",
		"a.b":                                 "",
		"a.Succeeded2":                        "",
		"a.Succeeded.x":                       "",
		"-a":                                  "",
		"a || {{x}}":                          "",
	} {
		got, ok := renameDepends(in, names)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("renameDepends(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`"{{tasks.a.outputs.result}}"`:     `"{{tasks.\u00000.outputs.result}}"`,
		`"{{ tasks.b-1.status }} == x"`:    `"{{ tasks.\u00001.status }} == x"`,
		`"{{tasks.other.outputs.result}}"`: `"{{tasks.other.outputs.result}}"`,
		`"{{tasks.a}}"`:                    `"{{tasks.\u00000}}"`,
		`"{{=tasks.a.outputs.result}}"`:    "",
		`"{{tasks.a.outputs.\"x}}"`:        "",
		`"{{tasks.a.outputs.x"`:            "",
	} {
		got, ok := renameTaskTags([]byte(in), names)
		if !ok {
			got = nil
		}
		if string(got) != want {
			t.Errorf("renameTaskTags(%s) = %s, want %s", in, got, want)
		}
	}
}

// mutatedTasks is a copy of obj whose entry DAG's tasks are changed by
// mutate.
func mutatedTasks(obj *Object, mutate func([]wfv1.DAGTask)) *Object {
	spec := *obj.Spec()
	spec.Templates = append([]wfv1.Template(nil), spec.Templates...)
	for i := range spec.Templates {
		if spec.Templates[i].Name == spec.Entrypoint {
			t := spec.Templates[i].DeepCopy()
			mutate(t.DAG.Tasks)
			spec.Templates[i] = *t
		}
	}
	return withSpec(obj, spec)
}

// firstDep is the first task task i depends on (or the task before it).
func firstDep(tasks []wfv1.DAGTask, i int) string {
	if names := dependsNames(tasks[i].Depends); len(names) > 0 {
		return names[0]
	}
	return tasks[max(i-1, 0)].Name
}

func addArg(t *wfv1.DAGTask, name, value string) {
	t.Arguments.Parameters = append(t.Arguments.Parameters, wfv1.Parameter{Name: name, Value: wfv1.AnyStringPtr(value)})
}

func andDepends(t *wfv1.DAGTask, dep string) {
	if t.Depends == "" {
		t.Depends = dep
	} else {
		t.Depends = t.Depends + " && " + dep
	}
}

// taskMutations break task i of a DAG in the ways Argo checks a graph
// (and some it lets through: those must stay accepted).
var taskMutations = map[string]func(tasks []wfv1.DAGTask, i int){
	"missing dependency": func(tasks []wfv1.DAGTask, i int) { andDepends(&tasks[i], "nosuch") },
	"cycle": func(tasks []wfv1.DAGTask, i int) {
		andDepends(&tasks[i-1], tasks[i].Name)
		andDepends(&tasks[i], tasks[i-1].Name)
	},
	"dependency on a later task": func(tasks []wfv1.DAGTask, i int) { andDepends(&tasks[i], tasks[i+1].Name) },
	"self dependency":            func(tasks []wfv1.DAGTask, i int) { andDepends(&tasks[i], tasks[i].Name) },
	"missing output of a dependency": func(tasks []wfv1.DAGTask, i int) {
		addArg(&tasks[i], "x", "{{tasks."+firstDep(tasks, i)+".outputs.parameters.nosuch}}")
	},
	"output of a dependency in when": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].When = "{{tasks." + firstDep(tasks, i) + ".outputs.parameters.rows}} == x"
	},
	"output of a task that is not an ancestor": func(tasks []wfv1.DAGTask, i int) {
		addArg(&tasks[i], "x", "{{tasks."+tasks[i+1].Name+".outputs.parameters.rows}}")
	},
	"status of a task that is not an ancestor": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].When = "{{tasks." + tasks[i+1].Name + ".status}} == Succeeded"
	},
	"output of a task that is not a dependency, with spaces": func(tasks []wfv1.DAGTask, i int) {
		addArg(&tasks[i], "x", "{{ tasks."+tasks[0].Name+".outputs.parameters.rows }}")
	},
	"missing task": func(tasks []wfv1.DAGTask, i int) {
		addArg(&tasks[i], "x", "{{tasks.nosuch.outputs.result}}")
	},
	"items condition on a task without items": func(tasks []wfv1.DAGTask, i int) {
		andDepends(&tasks[i], firstDep(tasks, i)+".AnySucceeded")
	},
	"unknown result":   func(tasks []wfv1.DAGTask, i int) { andDepends(&tasks[i], firstDep(tasks, i)+".Bogus") },
	"result":           func(tasks []wfv1.DAGTask, i int) { andDepends(&tasks[i], "!"+firstDep(tasks, i)+".Failed") },
	"unknown template": func(tasks []wfv1.DAGTask, i int) { tasks[i].Template = "nosuch" },
	"template of another task": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].Template = tasks[i+1].Template
	},
	"argument dropped": func(tasks []wfv1.DAGTask, i int) {
		if p := tasks[i].Arguments.Parameters; len(p) > 0 {
			tasks[i].Arguments.Parameters = p[1:]
		}
	},
	"item without items": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].WithItems, tasks[i].WithSequence = nil, nil
	},
	"items added": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].WithParam = "{{tasks." + firstDep(tasks, i) + ".outputs.parameters.rows}}"
	},
	"dependencies and depends": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].Dependencies = []string{firstDep(tasks, i)}
	},
	"dependencies instead of depends": func(tasks []wfv1.DAGTask, i int) {
		tasks[i].Dependencies, tasks[i].Depends = []string{firstDep(tasks, i)}, ""
	},
	"continueOn":              func(tasks []wfv1.DAGTask, i int) { tasks[i].ContinueOn = &wfv1.ContinueOn{Failed: true} },
	"name with a digit first": func(tasks []wfv1.DAGTask, i int) { tasks[i].Name = "9" + tasks[i].Name },
	"duplicate name":          func(tasks []wfv1.DAGTask, i int) { tasks[i].Name = tasks[i-1].Name },
	"name of the magic prefix": func(tasks []wfv1.DAGTask, i int) {
		old := tasks[i].Name
		tasks[i].Name = "name-" + old
		for j := range tasks {
			tasks[j].Depends = strings.ReplaceAll(tasks[j].Depends, old+" ", tasks[i].Name+" ")
			if tasks[j].Depends == old {
				tasks[j].Depends = tasks[i].Name
			}
		}
		addArg(&tasks[i+1], "x", "{{tasks."+tasks[i].Name+".outputs.parameters.nosuch}}")
	},
	// (Not a name Argo rejects: its message gives the task's index after a
	// topological sort that iterates over a map, different from run to run
	// of ValidateFull itself.)
	"expression": func(tasks []wfv1.DAGTask, i int) {
		addArg(&tasks[i], "x", "{{=tasks."+firstDep(tasks, i)+".outputs.result}}")
	},
	"unclosed tag": func(tasks []wfv1.DAGTask, i int) { addArg(&tasks[i], "x", "{{tasks."+firstDep(tasks, i)) },
}

// mutated is a copy of obj whose template i is changed by mutate.
func mutated(obj *Object, i int, mutate func(*wfv1.Template)) *Object {
	spec := *obj.Spec()
	spec.Templates = append([]wfv1.Template(nil), spec.Templates...)
	t := spec.Templates[i].DeepCopy()
	mutate(t)
	spec.Templates[i] = *t
	return withSpec(obj, spec)
}

func leafContainer(t *wfv1.Template) *apiv1.Container {
	if t.Container != nil {
		return t.Container
	}
	return &t.Script.Container
}

// leafMutations break a leaf template in the ways Argo's validator checks
// one (and some it does not: those must stay accepted).
var leafMutations = map[string]func(*wfv1.Template){
	"unknown variable in command": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Command = append(c.Command, "{{workflow.nosuch}}")
	},
	"unknown input in env": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Env = append(c.Env, apiv1.EnvVar{Name: "X", Value: "{{inputs.parameters.nosuch}}"})
	},
	"input referenced with spaces": func(t *wfv1.Template) {
		c := leafContainer(t)
		for _, p := range t.Inputs.Parameters {
			c.Args = append(c.Args, "{{ inputs.parameters."+p.Name+" }}")
		}
	},
	"tag spanning strings": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Args = append(c.Args, "{{workflow.", "nosuch}}")
	},
	"unclosed tag": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Args = append(c.Args, "{{workflow.name")
	},
	"literal text changed": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Command = append([]string{"other"}, c.Command...)
	},
	"empty image": func(t *wfv1.Template) { leafContainer(t).Image = "" },
	"bad input name": func(t *wfv1.Template) {
		t.Inputs.Parameters = append(t.Inputs.Parameters, wfv1.Parameter{Name: "bad name"})
	},
	"duplicate input": func(t *wfv1.Template) {
		if len(t.Inputs.Parameters) > 0 {
			t.Inputs.Parameters = append(t.Inputs.Parameters, t.Inputs.Parameters[0])
		} else {
			t.Inputs.Parameters = []wfv1.Parameter{{Name: "a"}, {Name: "a"}}
		}
	},
	"input renamed": func(t *wfv1.Template) {
		if len(t.Inputs.Parameters) > 0 {
			t.Inputs.Parameters[0].Name += "-x"
		}
	},
	"negative deadline": func(t *wfv1.Template) {
		t.ActiveDeadlineSeconds = &intstr.IntOrString{Type: intstr.Int, IntVal: -1}
	},
	"whole-number timeout": func(t *wfv1.Template) { t.Timeout = "30" },
	"parallelism": func(t *wfv1.Template) {
		p := int64(2)
		t.Parallelism = &p
	},
	"bad retry policy": func(t *wfv1.Template) {
		t.RetryStrategy = &wfv1.RetryStrategy{RetryPolicy: "Sometimes"}
	},
	"two types": func(t *wfv1.Template) { t.Suspend = &wfv1.SuspendTemplate{} },
	"output without path": func(t *wfv1.Template) {
		t.Outputs.Parameters = append(t.Outputs.Parameters, wfv1.Parameter{Name: "o", ValueFrom: &wfv1.ValueFrom{}})
	},
	"output of an unknown step": func(t *wfv1.Template) {
		t.Outputs.Parameters = append(t.Outputs.Parameters, wfv1.Parameter{Name: "o", ValueFrom: &wfv1.ValueFrom{Path: "{{workflow.nosuch}}"}})
	},
	"mount path twice": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.VolumeMounts = append(c.VolumeMounts, apiv1.VolumeMount{Name: "a", MountPath: "/m"}, apiv1.VolumeMount{Name: "b", MountPath: "/m"})
	},
	"expression": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Args = append(c.Args, "{{=asInt('x')}}")
	},
	"global output name": func(t *wfv1.Template) {
		t.Outputs.Parameters = append(t.Outputs.Parameters, wfv1.Parameter{Name: "g", GlobalName: "g", ValueFrom: &wfv1.ValueFrom{Path: "/g"}})
	},
	"pod name variable": func(t *wfv1.Template) {
		c := leafContainer(t)
		c.Args = append(c.Args, "{{pod.name}}", "{{retries}}")
	},
}

// wrapperMutations break a retry wrapper.
var wrapperMutations = map[string]func(*wfv1.Template){
	"unknown input in step argument": func(t *wfv1.Template) {
		st := &t.Steps[0].Steps[0]
		st.Arguments.Parameters = append(st.Arguments.Parameters, wfv1.Parameter{Name: "x", Value: wfv1.AnyStringPtr("{{inputs.parameters.nosuch}}")})
	},
	"argument the leaf lacks renamed": func(t *wfv1.Template) {
		st := &t.Steps[0].Steps[0]
		if len(st.Arguments.Parameters) > 0 {
			st.Arguments.Parameters[0].Name += "-x"
		}
	},
	"bad retry policy": func(t *wfv1.Template) {
		t.RetryStrategy = &wfv1.RetryStrategy{RetryPolicy: "Sometimes"}
	},
	"unknown leaf": func(t *wfv1.Template) { t.Steps[0].Steps[0].Template = "nosuch" },
	"output of an unknown step": func(t *wfv1.Template) {
		t.Outputs.Parameters = append(t.Outputs.Parameters, wfv1.Parameter{Name: "o", ValueFrom: &wfv1.ValueFrom{Parameter: "{{steps.nosuch.outputs.parameters.x}}"}})
	},
	"timeout": func(t *wfv1.Template) { t.Timeout = "1m" },
	"deadline": func(t *wfv1.Template) {
		t.ActiveDeadlineSeconds = &intstr.IntOrString{Type: intstr.Int, IntVal: 10}
	},
	"input without a value from the task": func(t *wfv1.Template) {
		t.Inputs.Parameters = append(t.Inputs.Parameters, wfv1.Parameter{Name: "unset"})
	},
}

// TestShapeKeys checks what a shape keeps and what it abstracts.
func TestShapeKeys(t *testing.T) {
	leaf := func(name string, inputs []string, command ...string) *wfv1.Template {
		tm := &wfv1.Template{Name: name, Container: &apiv1.Container{Image: "img", Command: command}}
		for _, in := range inputs {
			tm.Inputs.Parameters = append(tm.Inputs.Parameters, wfv1.Parameter{Name: in})
		}
		return tm
	}
	key := func(tm *wfv1.Template) string {
		k, ok := templateShape(tm, nil)
		if !ok {
			return "(none)"
		}
		return k
	}
	same := [][2]*wfv1.Template{
		{leaf("a", nil, "echo", "1"), leaf("b", nil, "echo", "2")},
		{leaf("a", []string{"x"}, "{{inputs.parameters.x}}"), leaf("b", []string{"y"}, "{{ inputs.parameters.y }}")},
		{leaf("a", []string{"x"}, "a{{inputs.parameters.x}}b"), leaf("b", []string{"y"}, "c{{inputs.parameters.y}}d")},
		{leaf("a", nil, "text with \x00"), leaf("b", nil, "other")},
	}
	for _, p := range same {
		if a, b := key(p[0]), key(p[1]); a != b || a == "(none)" {
			t.Errorf("want one shape:\n%s\n%s", a, b)
		}
	}
	different := [][2]*wfv1.Template{
		{leaf("a", nil, "echo"), leaf("b", nil, "echo", "2")},
		{leaf("a", nil, "{{workflow.name}}"), leaf("b", nil, "{{workflow.uid}}")},
		{leaf("a", []string{"x"}, "{{inputs.parameters.x}}"), leaf("b", []string{"y"}, "{{inputs.parameters.x}}")},
		{leaf("a", []string{"x", "y"}, "{{inputs.parameters.x}}"), leaf("b", []string{"x", "y"}, "{{inputs.parameters.y}}")},
		{leaf("a", []string{"x"}, "1"), leaf("b", []string{"bad name"}, "1")},
		{leaf("a", nil, "x{"), leaf("b", nil, "y{")},
		{leaf("a", []string{"x"}, "{{inputs.parameters.x}}"), leaf("b", []string{"x"}, "_")},
	}
	for _, p := range different {
		if a, b := key(p[0]), key(p[1]); a == b && a != "(none)" {
			t.Errorf("want two shapes:\n%s\n%s", a, b)
		}
	}
	for _, tm := range []*wfv1.Template{leaf("a", nil, "{{workflow.", "name}}"), leaf("a", nil, "{{x"), leaf("a", nil, "{{\x00}}")} {
		if k := key(tm); k != "(none)" {
			t.Errorf("%v: want no shape, got %s", tm.Container.Command, k)
		}
	}
}

// FuzzShapesSameAsFull compares Validate with ValidateFull on any source
// that compiles.
func FuzzShapesSameAsFull(f *testing.F) {
	for _, s := range fuzzCompileSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(bench.Pipeline("p", 12)))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, o := range compileSources(map[string][]byte{"f.pipe": src}) {
			sameAsFull(t, o.Pipeline.Name, o.Object)
		}
	})
}
