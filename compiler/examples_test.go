package compiler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	"github.com/santhosh-tekuri/jsonschema/v6"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/dsl"
)

// The golden files of the examples live next to their sources
// (examples/<pipeline>.yaml), so that `pipec build --check examples/` works.
// Regenerate them with: go test ./compiler -run Examples -update
var updateGolden = registerUpdateFlag()

// registerUpdateFlag shares one -update flag with any other golden test of
// this package that registers it first.
func registerUpdateFlag() *bool {
	if f := flag.Lookup("update"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if b, ok := g.Get().(bool); ok {
				v := b
				return &v
			}
		}
	}
	return flag.Bool("update", false, "rewrite golden files")
}

func update() bool {
	if f := flag.Lookup("update"); f != nil {
		return f.Value.String() == "true"
	}
	return *updateGolden
}

const examplesDir = "../examples"

// example is one compiled example pipeline. A file usually holds one
// pipeline named after it; one that holds several (a WorkflowTemplate and
// the workflow using it) names each of them with the file's name as prefix.
type example struct {
	name   string // pipeline name
	source string
	out    *compiler.Output
}

var (
	examplesOnce sync.Once
	examplesList []*example
	examplesErr  error
)

// loadExamples compiles every examples/*.pipe file once per test binary.
func loadExamples(t *testing.T) []*example {
	t.Helper()
	examplesOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(examplesDir, "*.pipe"))
		// The counterparts of Argo examples written by pipec import.
		argo, _ := filepath.Glob(filepath.Join(examplesDir, "argo", "*.pipe"))
		files = append(files, argo...)
		if err != nil {
			examplesErr = err
			return
		}
		for _, f := range files {
			res := compiler.Compile(compiler.DiskSources{}, []string{f}, compiler.Options{})
			if len(res.Diags) > 0 {
				examplesErr = fmt.Errorf("%s: diagnostics: %v", f, res.Diags)
				return
			}
			if len(res.Outputs) == 0 {
				examplesErr = fmt.Errorf("%s: no pipeline", f)
				return
			}
			for _, out := range res.Outputs {
				examplesList = append(examplesList, &example{name: out.Pipeline.Name, source: f, out: out})
			}
		}
	})
	if examplesErr != nil {
		t.Fatal(examplesErr)
	}
	if len(examplesList) < 22 {
		t.Fatalf("%d examples, want at least 22", len(examplesList))
	}
	return examplesList
}

func goldenPath(ex *example) string {
	return filepath.Join(filepath.Dir(ex.source), ex.out.FileName())
}

// TestExamplesGolden compiles every example and compares it with its
// committed YAML; the output must be free of diagnostics and deterministic.
func TestExamplesGolden(t *testing.T) {
	for _, ex := range loadExamples(t) {
		t.Run(ex.name, func(t *testing.T) {
			base := strings.TrimSuffix(filepath.Base(ex.source), ".pipe")
			if ex.name != base && !strings.HasPrefix(ex.name, base+"-") {
				t.Errorf("%s defines pipeline %q: name the file after its pipeline(s)", ex.source, ex.name)
			}
			if !strings.HasPrefix(string(readSource(t, ex.source)), "//") {
				t.Errorf("%s does not start with a doc comment", ex.source)
			}
			again := compiler.Compile(compiler.DiskSources{}, []string{ex.source}, compiler.Options{})
			if len(again.Diags) > 0 {
				t.Fatalf("second compilation: diagnostics %v", again.Diags)
			}
			var second *compiler.Output
			for _, o := range again.Outputs {
				if o.Pipeline.Name == ex.name {
					second = o
				}
			}
			if second == nil {
				t.Fatalf("second compilation lost pipeline %s", ex.name)
			}
			if !bytes.Equal(second.YAML, ex.out.YAML) {
				t.Fatalf("output is not deterministic:\n%s", lineDiff(ex.out.YAML, second.YAML))
			}
			path := goldenPath(ex)
			if update() {
				if err := os.WriteFile(path, ex.out.YAML, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./compiler -run Examples -update)", err)
			}
			if !bytes.Equal(want, ex.out.YAML) {
				t.Errorf("%s is out of date (run go test ./compiler -run Examples -update):\n%s", path, lineDiff(want, ex.out.YAML))
			}
		})
	}
}

// TestExamplesLibraries checks the files examples import but that define
// no pipeline of their own: they compile without diagnostics.
func TestExamplesLibraries(t *testing.T) {
	files, err := compiler.FindPipeFiles([]string{examplesDir})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if d := filepath.Dir(f); d == filepath.Clean(examplesDir) || d == filepath.Join(examplesDir, "argo") {
			continue
		}
		n++
		res := compiler.Compile(compiler.DiskSources{}, []string{f}, compiler.Options{})
		if len(res.Diags) > 0 {
			t.Errorf("%s: %v", f, res.Diags)
		}
		if len(res.Outputs) != 0 {
			t.Errorf("%s: a library file defines %d pipelines", f, len(res.Outputs))
		}
	}
	if n == 0 {
		t.Error("no library file under examples/ (ml-training imports lib/ml.pipe)")
	}
}

// TestExamplesNoStaleGolden: every examples/*.yaml belongs to a pipeline.
func TestExamplesNoStaleGolden(t *testing.T) {
	exs := loadExamples(t)
	known := map[string]bool{}
	for _, ex := range exs {
		known[filepath.Clean(goldenPath(ex))] = true
	}
	yamls, _ := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	for _, y := range yamls {
		if !known[filepath.Clean(y)] {
			t.Errorf("%s is not the output of any example pipeline", y)
		}
	}
}

// TestExamplesArgoLint decodes each golden file strictly the way `argo lint`
// does and runs Argo's validator on the decoded object.
func TestExamplesArgoLint(t *testing.T) {
	exs := loadExamples(t)
	// Templates referenced with ref(...) resolve to the example
	// WorkflowTemplates when one has that name.
	wftmpls := map[string]*wfv1.WorkflowTemplate{}
	for _, ex := range exs {
		if ex.out.Pipeline.Kind == compiler.KindWorkflowTemplate {
			list, err := common.SplitWorkflowTemplateYAMLFile(ex.out.YAML, true)
			if err != nil || len(list) != 1 {
				t.Fatalf("%s: %d WorkflowTemplates, %v", ex.name, len(list), err)
			}
			wftmpls[list[0].Name] = &list[0]
		}
	}
	for _, ex := range exs {
		t.Run(ex.name, func(t *testing.T) {
			y := ex.out.YAML
			var err error
			opts := validate.ValidateOpts{Lint: true}
			switch kind := ex.out.Pipeline.Kind; kind {
			case compiler.KindWorkflow:
				list, perr := common.SplitWorkflowYAMLFile(y, true)
				mustOne(t, kind, len(list), perr)
				getter := &lintGetter{known: wftmpls, spec: &list[0].Spec}
				err = validate.ValidateWorkflow(getter, clusterLintGetter{getter}, &list[0], nil, opts)
			case compiler.KindWorkflowTemplate:
				list, perr := common.SplitWorkflowTemplateYAMLFile(y, true)
				mustOne(t, kind, len(list), perr)
				getter := &lintGetter{known: wftmpls, spec: &list[0].Spec}
				err = validate.ValidateWorkflowTemplate(getter, clusterLintGetter{getter}, &list[0], nil, opts)
			case compiler.KindClusterWorkflowTemplate:
				list, perr := common.SplitClusterWorkflowTemplateYAMLFile(y, true)
				mustOne(t, kind, len(list), perr)
				getter := &lintGetter{known: wftmpls, spec: &list[0].Spec}
				err = validate.ValidateClusterWorkflowTemplate(getter, clusterLintGetter{getter}, &list[0], nil, opts)
			case compiler.KindCronWorkflow:
				list, perr := common.SplitCronWorkflowYAMLFile(y, true)
				mustOne(t, kind, len(list), perr)
				getter := &lintGetter{known: wftmpls, spec: &list[0].Spec.WorkflowSpec}
				err = validate.ValidateCronWorkflow(context.Background(), getter, clusterLintGetter{getter}, &list[0], nil)
			default:
				t.Fatalf("unknown kind %q", kind)
			}
			if err != nil {
				t.Errorf("Argo rejects %s: %v", ex.name, err)
			}
			checkPodNames(t, ex)
		})
	}
}

// checkPodNames checks what Argo's validator does not: the controller names
// a leaf's pods <workflow>-<template>-<hash> (POD_NAMES=v2), and the API
// server rejects a pod name that is not a lower-case DNS subdomain, so an
// upper-case template name makes the step Error at run time.
func checkPodNames(t *testing.T, ex *example) {
	t.Helper()
	for _, tmpl := range leafTemplates(decodeSpec(t, ex)) {
		pod := ex.name + "-abcde-" + tmpl.Name + "-1234567890"
		if errs := validation.IsDNS1123Subdomain(pod); len(errs) > 0 {
			t.Errorf("template %q gives pods invalid names such as %q: %s", tmpl.Name, pod, strings.Join(errs, "; "))
		}
	}
}

func mustOne(t *testing.T, kind string, n int, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("strict decoding: %v", err)
	}
	if n != 1 {
		t.Fatalf("decoded %d objects of kind %s, want 1", n, kind)
	}
}

// lintGetter serves the example WorkflowTemplates by name and, for any
// other name, a stub offering the referenced templates with the inputs the
// workflow passes them (as compiler/validate.go does).
type lintGetter struct {
	known map[string]*wfv1.WorkflowTemplate
	spec  *wfv1.WorkflowSpec
}

func (g *lintGetter) stub(name string) wfv1.WorkflowSpec {
	var spec wfv1.WorkflowSpec
	seen := map[string]bool{}
	for _, t := range g.spec.Templates {
		if t.DAG == nil {
			continue
		}
		for _, task := range t.DAG.Tasks {
			if task.TemplateRef == nil || task.TemplateRef.Name != name || seen[task.TemplateRef.Template] {
				continue
			}
			seen[task.TemplateRef.Template] = true
			tmpl := wfv1.Template{Name: task.TemplateRef.Template, Container: &apiv1.Container{Image: "stub"}}
			for _, a := range task.Arguments.Parameters {
				tmpl.Inputs.Parameters = append(tmpl.Inputs.Parameters, wfv1.Parameter{Name: a.Name})
			}
			spec.Templates = append(spec.Templates, tmpl)
		}
	}
	return spec
}

func (g *lintGetter) Get(name string) (*wfv1.WorkflowTemplate, error) {
	if wt := g.known[name]; wt != nil {
		return wt.DeepCopy(), nil
	}
	return &wfv1.WorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: g.stub(name)}, nil
}

type clusterLintGetter struct{ *lintGetter }

func (c clusterLintGetter) Get(name string) (*wfv1.ClusterWorkflowTemplate, error) {
	return &wfv1.ClusterWorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: c.stub(name)}, nil
}

// TestExamplesJSONSchema validates each example, emitted for Argo 3.7,
// against Argo's JSON schema (api/jsonschema/schema.json of the Argo v3
// module pipec builds with). The committed YAML, emitted for Argo 4, is
// checked against Argo v4's rules by the test-only module internal/argo4check.
func TestExamplesJSONSchema(t *testing.T) {
	exs := loadExamples(t)
	schemas := argoSchemas(t)
	for _, ex := range exs {
		t.Run(ex.name, func(t *testing.T) {
			sch := schemas[ex.out.Pipeline.Kind]
			if sch == nil {
				t.Fatalf("no schema for kind %q", ex.out.Pipeline.Kind)
			}
			obj := *ex.out.Object
			obj.Target = compiler.Argo37
			y, err := compiler.Emit(&obj)
			if err != nil {
				t.Fatal(err)
			}
			j, err := yaml.YAMLToJSON(y)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("Argo's JSON schema rejects %s: %v", ex.name, err)
			}
		})
	}
}

// argoSchemas compiles the Workflow, WorkflowTemplate and CronWorkflow
// definitions of Argo's JSON schema.
func argoSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	path := filepath.Join(argoModuleDir(t), "api", "jsonschema", "schema.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// The schema types IntOrString as a string only, but Kubernetes reads a
	// string port of a probe as a port *name* and rejects "8080": a numeric
	// port must be an integer, as in Argo's own examples (dag-daemon-task).
	if m, ok := doc.(map[string]any); ok {
		if defs, ok := m["definitions"].(map[string]any); ok {
			defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = map[string]any{"type": []any{"string", "integer"}}
		}
	}
	const url = "file:///argo/api/jsonschema/schema.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, kind := range []string{compiler.KindWorkflow, compiler.KindWorkflowTemplate, compiler.KindClusterWorkflowTemplate, compiler.KindCronWorkflow} {
		sch, err := c.Compile(url + "#/definitions/io.argoproj.workflow.v1alpha1." + kind)
		if err != nil {
			t.Fatalf("compiling the %s schema: %v", kind, err)
		}
		out[kind] = sch
	}
	return out
}

// argoModuleDir finds the Argo module the compiler is built with.
func argoModuleDir(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-json", "github.com/argoproj/argo-workflows/v3")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m github.com/argoproj/argo-workflows/v3: %v", err)
	}
	var m struct{ Dir, Version string }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Dir == "" {
		t.Fatalf("module github.com/argoproj/argo-workflows/v3@%s is not downloaded (go mod download)", m.Version)
	}
	return m.Dir
}

// leafTemplates returns the container and script templates of a spec.
func leafTemplates(spec *wfv1.WorkflowSpec) []*wfv1.Template {
	var out []*wfv1.Template
	for i := range spec.Templates {
		if t := &spec.Templates[i]; t.Container != nil || t.Script != nil {
			out = append(out, t)
		}
	}
	return out
}

// decodeSpec decodes a golden file strictly and returns its workflow spec.
func decodeSpec(t *testing.T, ex *example) *wfv1.WorkflowSpec {
	t.Helper()
	switch ex.out.Pipeline.Kind {
	case compiler.KindWorkflowTemplate:
		list, err := common.SplitWorkflowTemplateYAMLFile(ex.out.YAML, true)
		mustOne(t, ex.out.Pipeline.Kind, len(list), err)
		return &list[0].Spec
	case compiler.KindClusterWorkflowTemplate:
		list, err := common.SplitClusterWorkflowTemplateYAMLFile(ex.out.YAML, true)
		mustOne(t, ex.out.Pipeline.Kind, len(list), err)
		return &list[0].Spec
	case compiler.KindCronWorkflow:
		list, err := common.SplitCronWorkflowYAMLFile(ex.out.YAML, true)
		mustOne(t, ex.out.Pipeline.Kind, len(list), err)
		return &list[0].Spec.WorkflowSpec
	default:
		list, err := common.SplitWorkflowYAMLFile(ex.out.YAML, true)
		mustOne(t, ex.out.Pipeline.Kind, len(list), err)
		return &list[0].Spec
	}
}

// memoizedInSource says from the source alone whether a step's template
// must be memoized: not a handler, and no `memoize off` in the pipeline,
// the step or the template it uses.
func memoizedInSource(st *compiler.Step) bool {
	if st.Handler != "" || st.TemplateRef != nil {
		return false
	}
	if st.Body != nil && (st.Body.Kind != "" || st.Body.Daemon) {
		return false // suspend, resource, HTTP and daemon steps are never memoized
	}
	on := true
	for _, it := range st.Pipeline.Decl.Items {
		if m, ok := it.Stmt.(*dsl.MemoizeStmt); ok && m.Mode == "off" {
			on = false
		}
	}
	check := func(items []*dsl.StepItem) {
		for _, it := range items {
			if m, ok := it.Stmt.(*dsl.MemoizeStmt); ok && m.Mode != "" {
				on = m.Mode == "on"
			}
		}
	}
	if st.Template != nil {
		check(st.Template.Items)
	}
	check(st.Decl.Items)
	return on
}

// TestExamplesRetryWiring checks the two-tier retry contract in every
// example: memoize on every leaf (unless opted out or a handler), the RETRY_*
// environment in every container and script, the three retry parameters.
func TestExamplesRetryWiring(t *testing.T) {
	optedOut := 0
	for _, ex := range loadExamples(t) {
		t.Run(ex.name, func(t *testing.T) {
			spec := decodeSpec(t, ex)
			// spec.arguments: run_id, retry_run_id, retry_indicator, each "".
			for _, name := range []string{compiler.ParamRunID, compiler.ParamRetryRunID, compiler.ParamRetryIndicator} {
				p := findParam(spec.Arguments.Parameters, name)
				switch {
				case p == nil:
					t.Errorf("spec.arguments has no parameter %q", name)
				case p.Value == nil:
					t.Errorf("spec.arguments.%s has no value (argo submit rejects it)", name)
				case p.Value.String() != "":
					t.Errorf("spec.arguments.%s = %q, want \"\"", name, p.Value.String())
				}
			}
			steps := map[string]*compiler.Step{}
			for _, st := range ex.out.Pipeline.AllSteps() {
				steps[st.TemplateName()] = st
			}
			for _, comp := range ex.out.Pipeline.Composites {
				for _, st := range comp.Inner.AllSteps() {
					steps[st.TemplateName()] = st
				}
			}
			leaves := leafTemplates(spec)
			if len(leaves) == 0 && ex.name != "workflow-template-steps" && !onlyOtherKinds(ex.out.Pipeline) {
				t.Fatalf("no container or script template")
			}
			for _, tmpl := range leaves {
				st := steps[tmpl.Name]
				if st == nil {
					t.Errorf("template %q belongs to no step", tmpl.Name)
					continue
				}
				want := memoizedInSource(st)
				if !want && st.Handler == "" {
					optedOut++
				}
				switch {
				case want && tmpl.Memoize == nil:
					t.Errorf("template %s: no memoize block", tmpl.Name)
				case want:
					m := tmpl.Memoize
					if m.Key == "" || m.MaxAge == "" || m.Cache == nil || m.Cache.ConfigMap == nil || m.Cache.ConfigMap.Name == "" {
						t.Errorf("template %s: incomplete memoize block %+v", tmpl.Name, m)
					}
				case tmpl.Memoize != nil:
					t.Errorf("template %s: memoized, but the step is a handler or opted out", tmpl.Name)
				}
				var env []apiv1.EnvVar
				if tmpl.Script != nil {
					env = tmpl.Script.Env
				} else {
					env = tmpl.Container.Env
				}
				if v, ok := envValue(env, compiler.EnvRetryRunID); !ok || v != compiler.RunIDTemplate {
					t.Errorf("template %s: %s = %q (present %v), want %q", tmpl.Name, compiler.EnvRetryRunID, v, ok, compiler.RunIDTemplate)
				}
				if v, ok := envValue(env, compiler.EnvRetryIndicator); !ok || v != "{{workflow.parameters."+compiler.ParamRetryIndicator+"}}" {
					t.Errorf("template %s: %s = %q (present %v)", tmpl.Name, compiler.EnvRetryIndicator, v, ok)
				}
			}
		})
	}
	if optedOut == 0 {
		t.Error("no example shows a step that opts out of memoization (memoize off)")
	}
}

func findParam(ps []wfv1.Parameter, name string) *wfv1.Parameter {
	for i := range ps {
		if ps[i].Name == name {
			return &ps[i]
		}
	}
	return nil
}

func envValue(env []apiv1.EnvVar, name string) (string, bool) {
	for _, e := range env {
		if e.Name == name {
			return e.Value, e.ValueFrom == nil
		}
	}
	return "", false
}

// ---- memo keys, resolved by Argo's own substitution code ----

var memoKeyRE = regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`)

// runIDs are the retry parameters and UID of one simulated run.
type runIDs struct{ uid, runID, retryRunID string }

// resolved is what the controller sees of a leaf template after
// substitution.
type resolved struct{ key, cache, retryRunID string }

// globalParams are the workflow-level variables the controller sets
// (operator.go, setGlobalParameters) that pipec's expressions use.
func globalParams(spec *wfv1.WorkflowSpec, ids runIDs) common.Parameters {
	g := common.Parameters{
		"workflow.name":      "wf-abcde",
		"workflow.namespace": "argo",
		"workflow.uid":       ids.uid,
	}
	for _, p := range spec.Arguments.Parameters {
		if p.Value != nil {
			g["workflow.parameters."+p.Name] = p.Value.String()
		}
	}
	g["workflow.parameters."+compiler.ParamRunID] = ids.runID
	g["workflow.parameters."+compiler.ParamRetryRunID] = ids.retryRunID
	g["workflow.parameters."+compiler.ParamRetryIndicator] = "1"
	return g
}

// resolve substitutes a leaf template the way the controller does before
// it looks up the cache: inputs supplied, globals set.
func resolve(t *testing.T, spec *wfv1.WorkflowSpec, tmpl *wfv1.Template, ids runIDs, inputs map[string]string) resolved {
	t.Helper()
	tc := tmpl.DeepCopy()
	for i := range tc.Inputs.Parameters {
		p := &tc.Inputs.Parameters[i]
		v, ok := inputs[p.Name]
		if !ok {
			t.Fatalf("template %s: no value for input %q", tmpl.Name, p.Name)
		}
		p.Value = wfv1.AnyStringPtr(v)
	}
	out, err := common.SubstituteParams(tc, globalParams(spec, ids), common.Parameters{})
	if err != nil {
		t.Fatalf("template %s: Argo cannot substitute it: %v", tmpl.Name, err)
	}
	var r resolved
	if out.Memoize != nil {
		r.key = out.Memoize.Key
		if out.Memoize.Cache != nil && out.Memoize.Cache.ConfigMap != nil {
			r.cache = out.Memoize.Cache.ConfigMap.Name
		}
	}
	env := out.Container
	if out.Script != nil {
		env = &out.Script.Container
	}
	r.retryRunID, _ = envValue(env.Env, compiler.EnvRetryRunID)
	return r
}

// sampleInputs gives each input of a template a distinct value; variant
// changes them all.
func sampleInputs(tmpl *wfv1.Template, variant string) map[string]string {
	in := map[string]string{}
	for i, p := range tmpl.Inputs.Parameters {
		in[p.Name] = fmt.Sprintf("value %d of %s%s", i, p.Name, variant)
	}
	return in
}

func checkResolved(t *testing.T, what string, r resolved) {
	t.Helper()
	if !memoKeyRE.MatchString(r.key) || len(r.key) > 253 {
		t.Errorf("%s: resolved memo key %q (%d chars) is not a valid cache key (%s, at most 253)", what, r.key, len(r.key), memoKeyRE)
	}
	if errs := validation.IsDNS1123Subdomain(r.cache); len(errs) > 0 {
		t.Errorf("%s: resolved cache ConfigMap name %q is invalid: %s", what, r.cache, strings.Join(errs, "; "))
	}
	if strings.Contains(r.key, "{{") || strings.Contains(r.cache, "{{") || strings.Contains(r.retryRunID, "{{") {
		t.Errorf("%s: unresolved template left: key %q cache %q RETRY_RUN_ID %q", what, r.key, r.cache, r.retryRunID)
	}
}

// TestExamplesMemoKeys resolves every memo key and cache ConfigMap name of
// every example with Argo's substitution code and checks pipec's promises:
// valid keys and names; one key per step instance; the same inputs give the
// same key; the run id falls back to the workflow UID; retry_run_id
// overrides run_id; RETRY_RUN_ID resolves to the same run id.
func TestExamplesMemoKeys(t *testing.T) {
	base := runIDs{uid: "3f1c2a9e-7b7d-4c55-9a43-1e2d3c4b5a69", runID: "nightly-001"}
	seen := map[string]string{} // cache/key -> template, across all examples
	checked := 0
	for _, ex := range loadExamples(t) {
		t.Run(ex.name, func(t *testing.T) {
			spec := decodeSpec(t, ex)
			keysHere := map[string]string{}
			for _, tmpl := range leafTemplates(spec) {
				if tmpl.Memoize == nil {
					continue
				}
				checked++
				what := ex.name + "/" + tmpl.Name
				in := sampleInputs(tmpl, "")
				r := resolve(t, spec, tmpl, base, in)
				t.Logf("%s: key %s cache %s RETRY_RUN_ID %s", tmpl.Name, r.key, r.cache, r.retryRunID)
				checkResolved(t, what, r)
				if r.retryRunID != base.runID {
					t.Errorf("%s: RETRY_RUN_ID = %q, want run_id %q", what, r.retryRunID, base.runID)
				}
				// Two steps never share a key (in one cache, or anywhere).
				if prev, dup := keysHere[r.key]; dup {
					t.Errorf("%s and %s get the same memo key %q", prev, what, r.key)
				}
				keysHere[r.key] = what
				if prev, dup := seen[r.cache+"/"+r.key]; dup {
					t.Errorf("%s and %s share cache entry %s/%s", prev, what, r.cache, r.key)
				}
				seen[r.cache+"/"+r.key] = what
				// Deterministic.
				if r2 := resolve(t, spec, tmpl, base, sampleInputs(tmpl, "")); r2 != r {
					t.Errorf("%s: same inputs, different resolution: %+v vs %+v", what, r, r2)
				}
				// Each input takes part in the key: a loop iteration, or any
				// other change of input, is another instance.
				for _, p := range tmpl.Inputs.Parameters {
					in2 := sampleInputs(tmpl, "")
					in2[p.Name] += " (changed)"
					r2 := resolve(t, spec, tmpl, base, in2)
					checkResolved(t, what, r2)
					if r2.key == r.key {
						t.Errorf("%s: changing input %q does not change the memo key %q", what, p.Name, r.key)
					}
					if r2.cache != r.cache {
						t.Errorf("%s: the cache ConfigMap depends on input %q", what, p.Name)
					}
				}
				// run_id "" falls back to the workflow UID.
				byUID := resolve(t, spec, tmpl, runIDs{uid: base.uid}, in)
				checkResolved(t, what+" (no run_id)", byUID)
				asRunID := resolve(t, spec, tmpl, runIDs{uid: "other-uid", runID: base.uid}, in)
				if byUID.retryRunID != base.uid {
					t.Errorf("%s: with run_id empty, RETRY_RUN_ID = %q, want the workflow UID %q", what, byUID.retryRunID, base.uid)
				}
				if byUID.key != asRunID.key || byUID.cache != asRunID.cache {
					t.Errorf("%s: with run_id empty the key/cache (%s, %s) differ from run_id=<uid> (%s, %s)", what, byUID.key, byUID.cache, asRunID.key, asRunID.cache)
				}
				if byUID.key == r.key || byUID.cache == r.cache {
					t.Errorf("%s: runs with different run ids share a key or cache: %+v", what, byUID)
				}
				// retry_run_id overrides run_id.
				resumed := resolve(t, spec, tmpl, runIDs{uid: "uid-of-the-resubmission", runID: "other-run", retryRunID: base.runID}, in)
				checkResolved(t, what+" (resumed)", resumed)
				if resumed != r {
					t.Errorf("%s: retry_run_id=%s does not resolve like run_id=%s: %+v vs %+v", what, base.runID, base.runID, resumed, r)
				}
				if resumed.retryRunID != base.runID {
					t.Errorf("%s: RETRY_RUN_ID = %q with retry_run_id %q", what, resumed.retryRunID, base.runID)
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("no memoized template in the examples")
	}
}

// TestExamplesLoopIterationKeys resolves the memo key of each iteration of
// the literal loops of the examples, with the task arguments each iteration
// really gets, and checks they are pairwise different.
func TestExamplesLoopIterationKeys(t *testing.T) {
	ids := runIDs{uid: "0d6a1f63-5a3e-4f0e-8b8e-1c4a2b3c4d5e"}
	loops := 0
	for _, ex := range loadExamples(t) {
		spec := decodeSpec(t, ex)
		byName := map[string]*wfv1.Template{}
		for i := range spec.Templates {
			byName[spec.Templates[i].Name] = &spec.Templates[i]
		}
		for _, tmpl := range spec.Templates {
			if tmpl.DAG == nil {
				continue
			}
			for _, task := range tmpl.DAG.Tasks {
				leaf := byName[task.Template]
				if leaf == nil || leaf.Memoize == nil || (len(task.WithItems) == 0 && task.WithSequence == nil) {
					continue
				}
				loops++
				var items []string
				for _, it := range task.WithItems {
					items = append(items, it.String())
				}
				if s := task.WithSequence; s != nil {
					seq, ok := expandSequence(s)
					if !ok {
						continue // a bound known only at run time
					}
					items = append(items, seq...)
				}
				keys := map[string]string{}
				for _, item := range items {
					in := iterationInputs(t, task, item)
					r := resolve(t, spec, leaf, ids, in)
					what := fmt.Sprintf("%s/%s(%s)", ex.name, task.Name, item)
					checkResolved(t, what, r)
					if prev, dup := keys[r.key]; dup {
						t.Errorf("%s and %s get the same memo key %q", prev, what, r.key)
					}
					keys[r.key] = what
				}
			}
		}
	}
	if loops == 0 {
		t.Fatal("no memoized loop in the examples")
	}
}

// expandSequence lists a withSequence's items as Argo's controller does
// (workflow/controller/operator.go, expandSequence): end before count,
// counting down when end < start, each number written with the format.
func expandSequence(s *wfv1.Sequence) ([]string, bool) {
	num := func(v *intstr.IntOrString) (int, bool) {
		n, err := strconv.Atoi(v.String())
		return n, err == nil
	}
	start, end := 0, 0
	if s.Start != nil {
		var ok bool
		if start, ok = num(s.Start); !ok {
			return nil, false
		}
	}
	switch {
	case s.End != nil:
		var ok bool
		if end, ok = num(s.End); !ok {
			return nil, false
		}
	case s.Count != nil:
		n, ok := num(s.Count)
		if !ok {
			return nil, false
		}
		end = start + n - 1
	}
	format := "%d"
	if s.Format != "" {
		format = s.Format
	}
	var items []string
	for i := start; ; {
		items = append(items, fmt.Sprintf(format, i))
		if i == end {
			return items, true
		}
		if start <= end {
			i++
		} else {
			i--
		}
	}
}

// iterationInputs evaluates a task's arguments for one loop item, the way
// the controller substitutes {{item}} and {{item.key}}.
func iterationInputs(t *testing.T, task wfv1.DAGTask, item string) map[string]string {
	t.Helper()
	repl := map[string]string{"item": item}
	var m map[string]any
	if json.Unmarshal([]byte(item), &m) == nil {
		for k, v := range m {
			repl["item."+k] = fmt.Sprint(v)
		}
	}
	in := map[string]string{}
	for _, a := range task.Arguments.Parameters {
		v := a.Value.String()
		keys := make([]string, 0, len(repl))
		for k := range repl {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
		for _, k := range keys {
			v = strings.ReplaceAll(v, "{{"+k+"}}", repl[k])
		}
		if strings.Contains(v, "{{") {
			v = "resolved " + v // another task's output or a parameter: fixed here
		}
		in[a.Name] = v
	}
	return in
}

// ---- helpers ----

func readSource(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lineDiff shows the first differing lines of two texts.
func lineDiff(want, got []byte) string {
	a, b := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var sb strings.Builder
	shown := 0
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			fmt.Fprintf(&sb, "line %d:\n  want: %s\n  got:  %s\n", i+1, x, y)
			if shown++; shown == 10 {
				sb.WriteString("  ...\n")
				break
			}
		}
	}
	return sb.String()
}

// onlyOtherKinds reports whether no step of a pipeline runs a container.
func onlyOtherKinds(p *compiler.Pipeline) bool {
	for _, st := range p.Steps {
		if st.Body != nil && st.Body.Kind == "" {
			return false
		}
	}
	return true
}
