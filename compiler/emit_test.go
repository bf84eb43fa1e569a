package compiler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// checkEmitRoundTrip fails t unless the YAML Emit wrote for obj, read
// back strictly into Argo's types, is the object that was lowered and
// validated (compared through encoding/json as the object's target
// renders it, so only what Argo can read counts).
func checkEmitRoundTrip(t *testing.T, obj *Object, y []byte) {
	t.Helper()
	want, err := json.Marshal(obj.Target.value(obj))
	if err != nil {
		t.Fatal(err)
	}
	back := reflect.New(reflect.TypeOf(obj.Value()).Elem())
	if err := yaml.UnmarshalStrict(y, back.Interface()); err != nil {
		t.Fatalf("emitted YAML does not decode strictly: %v\n%s", err, y)
	}
	// What the target emits (Argo v4 has no memoize.cache.configMap.key)
	// is compared as the target emits it.
	bo := &Object{Target: obj.Target}
	switch x := back.Interface().(type) {
	case *wfv1.Workflow:
		bo.Workflow = x
	case *wfv1.WorkflowTemplate:
		bo.WorkflowTemplate = x
	case *wfv1.ClusterWorkflowTemplate:
		bo.ClusterWorkflowTemplate = x
	case *wfv1.CronWorkflow:
		bo.CronWorkflow = x
	}
	got, err := json.Marshal(bo.Target.value(bo))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("emitted YAML reads back as another object:\n got %s\nwant %s\nYAML:\n%s", got, want, y)
	}
}

// TestEmitRoundTripExamples: every example's YAML means exactly its
// lowered objects.
func TestEmitRoundTripExamples(t *testing.T) {
	paths, _ := filepath.Glob("../examples/*.pipe")
	if len(paths) == 0 {
		t.Fatal("no examples")
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		res := Compile(Overlay{Files: map[string][]byte{filepath.Base(p): src}}, []string{filepath.Base(p)}, Options{SkipValidate: true})
		if strings.Contains(string(src), "import") {
			// Examples with imports need their library: compile from disk.
			res = Compile(DiskSources{}, []string{p}, Options{SkipValidate: true})
		}
		if res.Diags.HasErrors() {
			t.Fatalf("%s: %v", p, res.Diags)
		}
		for _, out := range res.Outputs {
			t.Run(out.Pipeline.Name, func(t *testing.T) { checkEmitRoundTrip(t, out.Object, out.YAML) })
		}
	}
}

// TestEmitKeepsConstructs: empty objects that mean something survive
// Emit, while the zero values of struct fields do not.
func TestEmitKeepsConstructs(t *testing.T) {
	container := &apiv1.Container{Image: "alpine", Command: []string{"true"}}
	wf := &wfv1.Workflow{
		TypeMeta:   metav1.TypeMeta{Kind: "Workflow", APIVersion: "argoproj.io/v1alpha1"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: "keep-"},
		Spec: wfv1.WorkflowSpec{
			Entrypoint: "main",
			Arguments: wfv1.Arguments{Parameters: []wfv1.Parameter{
				{Name: "approve", ValueFrom: &wfv1.ValueFrom{Supplied: &wfv1.SuppliedValueFrom{}}},
			}},
			Volumes: []apiv1.Volume{{Name: "scratch", VolumeSource: apiv1.VolumeSource{EmptyDir: &apiv1.EmptyDirVolumeSource{}}}},
			Templates: []wfv1.Template{
				{Name: "main", Suspend: &wfv1.SuspendTemplate{}},
				{Name: "out", Container: container, Outputs: wfv1.Outputs{Artifacts: []wfv1.Artifact{
					{Name: "a", Path: "/tmp/a", Archive: &wfv1.ArchiveStrategy{None: &wfv1.NoneStrategy{}}},
					{Name: "b", Path: "/tmp/b", Archive: &wfv1.ArchiveStrategy{Zip: &wfv1.ZipStrategy{}}},
				}}},
			},
		},
	}
	obj := &Object{Workflow: wf}
	y, err := Emit(obj)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"suspend: {}", "supplied: {}", "none: {}", "zip: {}", "emptyDir: {}"} {
		if !bytes.Contains(y, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, y)
		}
	}
	for _, noise := range []string{"status", "creationTimestamp", "inputs: {}", "metadata: {}", "resources: {}"} {
		if bytes.Contains(y, []byte(noise)) {
			t.Errorf("YAML has noise %q:\n%s", noise, y)
		}
	}
	checkEmitRoundTrip(t, obj, y)
	if d := Validate(obj); d.HasErrors() {
		t.Errorf("Argo rejects the object: %v", d)
	}
}
