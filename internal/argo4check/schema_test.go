package argo4check

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// argo4Schemas compiles the Workflow, WorkflowTemplate and CronWorkflow
// definitions of Argo v4's JSON schema.
func argo4Schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-json", "github.com/argoproj/argo-workflows/v4")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m github.com/argoproj/argo-workflows/v4: %v", err)
	}
	var m struct{ Dir, Version string }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Dir == "" {
		t.Fatalf("module github.com/argoproj/argo-workflows/v4@%s is not downloaded (go mod download)", m.Version)
	}
	path := filepath.Join(m.Dir, "api", "jsonschema", "schema.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Argo v4.0.5's schema, like v3.7.18's, types IntOrString as a string
	// only, but Kubernetes reads a string port of a probe as a port *name*
	// and rejects "8080": a numeric port must be an integer, as in Argo's own
	// examples (dag-daemon-task). The compiler's v3 schema test does the same.
	if m, ok := doc.(map[string]any); ok {
		if defs, ok := m["definitions"].(map[string]any); ok {
			defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = map[string]any{"type": []any{"string", "integer"}}
		}
	}
	const url = "file:///argo4/api/jsonschema/schema.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, kind := range []string{"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"} {
		sch, err := c.Compile(url + "#/definitions/io.argoproj.workflow.v1alpha1." + kind)
		if err != nil {
			t.Fatalf("compiling the %s schema: %v", kind, err)
		}
		out[kind] = sch
	}
	return out
}
