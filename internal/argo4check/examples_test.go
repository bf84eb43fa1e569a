package argo4check

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/util/logging"
	"github.com/argoproj/argo-workflows/v4/workflow/common"
	"github.com/argoproj/argo-workflows/v4/workflow/validate"
	"github.com/santhosh-tekuri/jsonschema/v6"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const examplesDir = "../../examples"

// example is one committed output file.
type example struct {
	name string
	kind string
	yaml []byte
}

func loadExamples(t *testing.T) []example {
	t.Helper()
	// examples/*.yaml and the files of its subdirectories (examples/argo).
	var files []string
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var head struct{ Kind string }
		if err := yaml.Unmarshal(b, &head); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, example{name: strings.TrimSuffix(filepath.Base(f), ".yaml"), kind: head.Kind, yaml: b})
	}
	if len(out) < 22 {
		t.Fatalf("%d examples in %s, want at least 22", len(out), examplesDir)
	}
	return out
}

// TestExamplesArgo4Lint decodes each example strictly, as Argo v4's
// `argo submit` and `argo lint` do (an unknown field is an error), and runs
// Argo v4's validator on it.
func TestExamplesArgo4Lint(t *testing.T) {
	ctx := logging.TestContext(context.Background())
	exs := loadExamples(t)
	wftmpls := map[string]*wfv1.WorkflowTemplate{}
	for _, ex := range exs {
		if ex.kind == "WorkflowTemplate" {
			list, err := common.SplitWorkflowTemplateYAMLFile(ctx, ex.yaml, true)
			if err != nil || len(list) != 1 {
				t.Fatalf("%s: %d WorkflowTemplates, %v", ex.name, len(list), err)
			}
			wftmpls[list[0].Name] = &list[0]
		}
	}
	for _, ex := range exs {
		t.Run(ex.name, func(t *testing.T) {
			opts := validate.ValidateOpts{Lint: true}
			var err error
			switch ex.kind {
			case "Workflow":
				list, perr := common.SplitWorkflowYAMLFile(ctx, ex.yaml, true)
				mustOne(t, ex.kind, len(list), perr)
				g := &getter{known: wftmpls, spec: &list[0].Spec}
				err = validate.ValidateWorkflow(ctx, g, clusterGetter{g}, &list[0], nil, opts)
			case "WorkflowTemplate":
				list, perr := common.SplitWorkflowTemplateYAMLFile(ctx, ex.yaml, true)
				mustOne(t, ex.kind, len(list), perr)
				g := &getter{known: wftmpls, spec: &list[0].Spec}
				err = validate.ValidateWorkflowTemplate(ctx, g, clusterGetter{g}, &list[0], nil, opts)
			case "ClusterWorkflowTemplate":
				list, perr := common.SplitClusterWorkflowTemplateYAMLFile(ctx, ex.yaml, true)
				mustOne(t, ex.kind, len(list), perr)
				g := &getter{known: wftmpls, spec: &list[0].Spec}
				err = validate.ValidateClusterWorkflowTemplate(ctx, g, clusterGetter{g}, &list[0], nil, opts)
			case "CronWorkflow":
				list, perr := common.SplitCronWorkflowYAMLFile(ctx, ex.yaml, true)
				mustOne(t, ex.kind, len(list), perr)
				g := &getter{known: wftmpls, spec: &list[0].Spec.WorkflowSpec}
				err = validate.ValidateCronWorkflow(ctx, g, clusterGetter{g}, &list[0], nil)
			default:
				t.Fatalf("unknown kind %q", ex.kind)
			}
			if err != nil {
				t.Errorf("Argo v4 rejects %s: %v", ex.name, err)
			}
		})
	}
}

// TestStrictDecodingRejectsCacheKey shows that the check above can fail: an
// example with the Argo 3.7 shape of memoize.cache.configMap is rejected,
// as v4's `argo submit` rejects it.
func TestStrictDecodingRejectsCacheKey(t *testing.T) {
	for _, ex := range loadExamples(t) {
		if ex.kind != "Workflow" || !bytes.Contains(ex.yaml, []byte("\n        configMap:\n          name: ")) {
			continue
		}
		v3 := bytes.ReplaceAll(ex.yaml, []byte("\n        configMap:\n          name: "), []byte("\n        configMap:\n          key: memo\n          name: "))
		_, err := common.SplitWorkflowYAMLFile(logging.TestContext(context.Background()), v3, true)
		if err == nil || !strings.Contains(err.Error(), `unknown field "spec.templates[1].memoize.cache.configMap.key"`) {
			t.Fatalf("%s with cache.configMap.key: decoding gave %v, want an unknown-field error", ex.name, err)
		}
		return
	}
	t.Fatal("no memoized Workflow example")
}

// TestExamplesArgo4JSONSchema validates each example against Argo v4's JSON
// schema (api/jsonschema/schema.json of the v4 module).
func TestExamplesArgo4JSONSchema(t *testing.T) {
	schemas := argo4Schemas(t)
	for _, ex := range loadExamples(t) {
		t.Run(ex.name, func(t *testing.T) {
			sch := schemas[ex.kind]
			if sch == nil {
				t.Fatalf("no schema for kind %q", ex.kind)
			}
			j, err := yaml.YAMLToJSON(ex.yaml)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("Argo v4's JSON schema rejects %s: %v", ex.name, err)
			}
		})
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

// getter serves the example WorkflowTemplates by name and, for any other
// name, a stub with the templates the workflow references in it, taking
// the parameters it passes them.
type getter struct {
	known map[string]*wfv1.WorkflowTemplate
	spec  *wfv1.WorkflowSpec
}

func (g *getter) Get(_ context.Context, name string) (*wfv1.WorkflowTemplate, error) {
	if wt := g.known[name]; wt != nil {
		return wt.DeepCopy(), nil
	}
	return &wfv1.WorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: g.stub(name)}, nil
}

func (g *getter) stub(name string) wfv1.WorkflowSpec {
	var spec wfv1.WorkflowSpec
	seen := map[string]bool{}
	for _, tmpl := range g.spec.Templates {
		if tmpl.DAG == nil {
			continue
		}
		for _, task := range tmpl.DAG.Tasks {
			ref := task.TemplateRef
			if ref == nil || ref.Name != name || seen[ref.Template] {
				continue
			}
			seen[ref.Template] = true
			stub := wfv1.Template{Name: ref.Template, Container: &apiv1.Container{Image: "stub"}}
			for _, a := range task.Arguments.Parameters {
				stub.Inputs.Parameters = append(stub.Inputs.Parameters, wfv1.Parameter{Name: a.Name})
			}
			spec.Templates = append(spec.Templates, stub)
		}
	}
	return spec
}

type clusterGetter struct{ *getter }

func (c clusterGetter) Get(_ context.Context, name string) (*wfv1.ClusterWorkflowTemplate, error) {
	return &wfv1.ClusterWorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: c.stub(name)}, nil
}
