package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/rogpeppe/go-internal/txtar"
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
	var roots []string
	for name := range files {
		if strings.HasSuffix(name, ".pipe") {
			roots = append(roots, name)
		}
	}
	sort.Strings(roots)
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
	scripts, _ := filepath.Glob("../testscripts/*.txtar")
	compiled := 0
	for _, path := range scripts {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			files[f.Name] = f.Data
		}
		// Each file alone too: an archive often holds files that are
		// meant not to compile together.
		sets := []map[string][]byte{files}
		for name, data := range files {
			sets = append(sets, map[string][]byte{name: data})
		}
		for _, set := range sets {
			for _, o := range compileSources(set) {
				compiled++
				sameAsFull(t, path+": "+o.Pipeline.Name, o.Object)
			}
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
