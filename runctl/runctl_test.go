package runctl

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	argofake "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned/fake"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	k8sfake "k8s.io/client-go/kubernetes/fake"

	"github.com/pipec/pipec/compiler"
)

// compile compiles one pipeline source to its Workflow.
func compile(t *testing.T, src string) *wfv1.Workflow {
	t.Helper()
	res := compiler.Compile(compiler.Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}, Base: compiler.DiskSources{}}, []string{"p.pipe"}, compiler.Options{SkipValidate: true})
	if res.Diags.HasErrors() || len(res.Outputs) != 1 {
		t.Fatalf("compile: %v", res.Diags)
	}
	return res.Outputs[0].Object.Workflow
}

const retried = `pipeline etl {
  image "alpine"
  retry 2
  step a { run ["echo", "a"] }
  step b after a { run ["echo", "b"] }
}
`

const plain = `pipeline etl {
  image "alpine"
  step a { run ["echo", "a"] }
  step b after a { run ["echo", "b"] }
  step fan for x in ["p", "q"] { run ["echo", "${x}"] }
}
`

func fakeClient(objs ...*corev1.ConfigMap) (*Client, *kubeBackend) {
	core := k8sfake.NewSimpleClientset()
	for _, o := range objs {
		_, _ = core.CoreV1().ConfigMaps(o.Namespace).Create(context.Background(), o, metav1.CreateOptions{})
	}
	b := &kubeBackend{wf: argofake.NewSimpleClientset(), core: core.CoreV1()}
	return newClient("argo", b), b
}

// finish gives a submitted workflow a status: a succeeded (memoized), b
// failed with exit code 1.
func finish(wf *wfv1.Workflow, cacheName string) {
	wf.Name = "etl-abcde"
	wf.UID = types.UID("uid-1")
	wf.Status.Phase = wfv1.WorkflowFailed
	t0 := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(7 * time.Second))
	exit := "1"
	wf.Status.Nodes = wfv1.Nodes{
		"root": {ID: "root", Name: wf.Name, DisplayName: wf.Name, Type: wfv1.NodeTypeDAG, Phase: wfv1.NodeFailed, Children: []string{"a"}},
		"a": {ID: "a", Name: wf.Name + ".a", DisplayName: "a", Type: wfv1.NodeTypePod, TemplateName: "a", BoundaryID: "root", Phase: wfv1.NodeSucceeded,
			StartedAt: t0, FinishedAt: t1, Children: []string{"b"},
			MemoizationStatus: &wfv1.MemoizationStatus{Key: "a-key", CacheName: cacheName}},
		"b": {ID: "b", Name: wf.Name + ".b", DisplayName: "b", Type: wfv1.NodeTypePod, TemplateName: "b", BoundaryID: "root", Phase: wfv1.NodeFailed,
			Message: "Error (exit code 1)", StartedAt: t1, FinishedAt: t1, Outputs: &wfv1.Outputs{ExitCode: &exit}},
	}
}

func entry(created time.Time) string {
	b, _ := json.Marshal(map[string]any{"nodeID": "a", "creationTimestamp": created.UTC().Format(time.RFC3339)})
	return string(b)
}

func TestSubmitSetsRunID(t *testing.T) {
	c, b := fakeClient()
	wf := compile(t, plain)
	out, err := c.Submit(context.Background(), wf, "nightly-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.wf.ArgoprojV1alpha1().Workflows("argo").Get(context.Background(), out.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if EffectiveRunID(got) != "nightly-1" || got.Labels[compiler.LabelPipeline] != "etl" {
		t.Errorf("run id %q, label %q", EffectiveRunID(got), got.Labels[compiler.LabelPipeline])
	}
	if param(wf, compiler.ParamRunID) != "" {
		t.Error("Submit changed its argument")
	}
	if _, err := c.Submit(context.Background(), wf, "{{workflow.parameters.x}}"); err == nil || !strings.Contains(err.Error(), "splitting the run's cache") {
		t.Errorf("an Argo expression as run id: %v", err)
	}
	if err := CheckRunID("nightly-{{workflow.uid}}"); err != nil {
		t.Errorf("{{workflow.uid}} is expanded by pipec: %v", err)
	}
}

func TestEffectiveRunID(t *testing.T) {
	wf := compile(t, plain)
	wf.UID = "u-1"
	if got := EffectiveRunID(wf); got != "u-1" {
		t.Errorf("no ids: %q", got)
	}
	set := func(name, v string) {
		for i := range wf.Spec.Arguments.Parameters {
			if wf.Spec.Arguments.Parameters[i].Name == name {
				wf.Spec.Arguments.Parameters[i].Value = wfv1.AnyStringPtr(v)
			}
		}
	}
	set(compiler.ParamRunID, "r")
	if got := EffectiveRunID(wf); got != "r" {
		t.Errorf("run_id: %q", got)
	}
	set(compiler.ParamRetryRunID, "rr")
	if got := EffectiveRunID(wf); got != "rr" {
		t.Errorf("retry_run_id: %q", got)
	}
	wf.Name = "w-1"
	set(compiler.ParamRetryRunID, "")
	set(compiler.ParamRunID, "x-{{workflow.name}}-{{workflow.uid}}")
	if got := EffectiveRunID(wf); got != "x-w-1-u-1" {
		t.Errorf("expanded run_id: %q", got)
	}
}

func TestNextIndicator(t *testing.T) {
	for prev, want := range map[string]string{"": "2", "2": "3", "9": "10"} {
		if got, err := NextIndicator(prev); err != nil || got != want {
			t.Errorf("NextIndicator(%q) = %q, %v; want %q", prev, got, err, want)
		}
	}
	if _, err := NextIndicator("second"); err == nil || !strings.Contains(err.Error(), "--retry-indicator") {
		t.Errorf("non-number: %v", err)
	}
}

func TestSummarize(t *testing.T) {
	wf := compile(t, plain)
	finish(wf, "cm")
	r := Summarize(wf)
	if r.RunID != "uid-1" || r.Phase != "Failed" || r.Pipeline != "etl" {
		t.Errorf("run: %+v", r)
	}
	if len(r.Steps) != 3 {
		t.Fatalf("steps: %+v", r.Steps)
	}
	a, b, fan := r.Steps[0], r.Steps[1], r.Steps[2]
	if a.Name != "a" || a.Phase != "Succeeded" || a.Attempts != 1 || a.CacheHit || a.Pod == "" || a.DurationSeconds != 7 {
		t.Errorf("a: %+v", a)
	}
	if b.Name != "b" || b.ExitCode == nil || *b.ExitCode != 1 || b.Message != "Error (exit code 1)" {
		t.Errorf("b: %+v", b)
	}
	if fan.Name != "fan" || fan.Phase != "" {
		t.Errorf("fan, not started: %+v", fan)
	}
}

func TestSummarizeRetriesLoopsHits(t *testing.T) {
	wf := compile(t, plain)
	wf.Name = "w"
	n := wfv1.Nodes{
		"root": {ID: "root", Name: "w", Type: wfv1.NodeTypeDAG},
		"a":    {ID: "a", Name: "w.a", DisplayName: "a", Type: wfv1.NodeTypeRetry, BoundaryID: "root", Phase: wfv1.NodeSucceeded, Children: []string{"a0", "a1"}},
		"a0":   {ID: "a0", Name: "w.a(0)", DisplayName: "a(0)", Type: wfv1.NodeTypePod, BoundaryID: "root", Phase: wfv1.NodeFailed},
		"a1":   {ID: "a1", Name: "w.a(1)", DisplayName: "a(1)", Type: wfv1.NodeTypePod, BoundaryID: "root", Phase: wfv1.NodeSucceeded},
		"b":    {ID: "b", Name: "w.b", DisplayName: "b", Type: wfv1.NodeTypePod, BoundaryID: "root", Phase: wfv1.NodeSucceeded, MemoizationStatus: &wfv1.MemoizationStatus{Hit: true}},
		"fan":  {ID: "fan", Name: "w.fan", DisplayName: "fan", Type: wfv1.NodeTypeTaskGroup, BoundaryID: "root", Children: []string{"f1", "f0"}},
		"f0":   {ID: "f0", Name: "w.fan(0:p)", DisplayName: "fan(0:p)", Type: wfv1.NodeTypePod, BoundaryID: "root", Phase: wfv1.NodeSucceeded},
		"f1":   {ID: "f1", Name: "w.fan(1:q)", DisplayName: "fan(1:q)", Type: wfv1.NodeTypePod, BoundaryID: "root", Phase: wfv1.NodeSucceeded},
	}
	wf.Status.Nodes = n
	r := Summarize(wf)
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name)
	}
	if strings.Join(names, " ") != "a b fan(0:p) fan(1:q)" {
		t.Fatalf("steps %v", names)
	}
	if r.Steps[0].Attempts != 2 || r.Steps[1].Attempts != 0 || !r.Steps[1].CacheHit || r.Steps[1].Pod != "" {
		t.Errorf("%+v", r.Steps[:2])
	}
}

func TestResubmitMode(t *testing.T) {
	if m, why := resubmitMode(compile(t, retried)); m || !strings.Contains(why, "retries") {
		t.Errorf("with retries: %v %s", m, why)
	}
	if m, why := resubmitMode(compile(t, plain)); !m {
		t.Errorf("without retries: %v %s", m, why)
	}
	off := strings.Replace(plain, `step b after a {`, `step b after a { memoize off`, 1)
	if m, why := resubmitMode(compile(t, off)); m || !strings.Contains(why, "not memoized") {
		t.Errorf("memoize off: %v %s", m, why)
	}
}

func TestPlanResumeRefusals(t *testing.T) {
	c, _ := fakeClient()
	ctx := context.Background()
	wf := compile(t, retried)
	finish(wf, "cm")
	running := wf.DeepCopy()
	running.Status.Phase = wfv1.WorkflowRunning
	if _, err := c.PlanResume(ctx, running, "", false); err == nil || !strings.Contains(err.Error(), "still Running") {
		t.Errorf("running: %v", err)
	}
	foreign := wf.DeepCopy()
	delete(foreign.Labels, compiler.LabelPipeline)
	if _, err := c.PlanResume(ctx, foreign, "", false); err == nil || !strings.Contains(err.Error(), "not compiled by pipec") {
		t.Errorf("foreign: %v", err)
	}
	// The cache ConfigMap is gone.
	_, err := c.PlanResume(ctx, wf, "", false)
	if err == nil || !strings.Contains(err.Error(), "ConfigMap cm is gone") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("no cache: %v", err)
	}
	p, err := c.PlanResume(ctx, wf, "", true)
	if err != nil || p.Memoized || len(p.Notes) != 1 {
		t.Errorf("forced: %+v %v", p, err)
	}
}

func TestPlanResumeCache(t *testing.T) {
	ctx := context.Background()
	wf := compile(t, retried)
	finish(wf, "cm")
	cm := func(created time.Time) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "argo"}, Data: map[string]string{"a-key": entry(created)}}
	}
	c, _ := fakeClient(cm(time.Now().Add(-time.Hour)))
	p, err := c.PlanResume(ctx, wf, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Memoized || p.RunID != "uid-1" || p.Indicator != "2" || strings.Join(p.Params(), " ") != "retry_run_id=uid-1 retry_indicator=2" {
		t.Errorf("plan %+v", p)
	}
	// Older than maxAge (168h by default).
	c, _ = fakeClient(cm(time.Now().Add(-200 * time.Hour)))
	if _, err := c.PlanResume(ctx, wf, "", false); err == nil || !strings.Contains(err.Error(), "older than") {
		t.Errorf("expired: %v", err)
	}
}

func TestResumeResubmits(t *testing.T) {
	ctx := context.Background()
	c, b := fakeClient()
	wf := compile(t, plain)
	finish(wf, "cm")
	wf.Namespace = "argo"
	if _, err := b.wf.ArgoprojV1alpha1().Workflows("argo").Create(ctx, wf, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p, err := c.PlanResume(ctx, wf, "7", false)
	if err != nil || !p.Memoized {
		t.Fatalf("plan %+v %v", p, err)
	}
	nw, err := c.Resume(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if EffectiveRunID(nw) != "uid-1" || param(nw, compiler.ParamRetryIndicator) != "7" || !IsPipec(nw) {
		t.Errorf("resubmitted: run id %q, indicator %q", EffectiveRunID(nw), param(nw, compiler.ParamRetryIndicator))
	}
	if nw.Labels["workflows.argoproj.io/resubmitted-from-workflow"] != wf.Name {
		t.Errorf("labels %v", nw.Labels)
	}
	if n := nw.Status.Nodes; len(n) == 0 {
		t.Error("a memoized resubmit copies the nodes")
	}
	runs, err := c.Attempts(ctx, "uid-1")
	if err != nil || len(runs) != 2 {
		t.Errorf("attempts: %d %v", len(runs), err)
	}
}

// A retry wrapper's pod is found inside its attempt, not by following
// children, which lead on to the dependent tasks.
func TestSummarizeWrapper(t *testing.T) {
	wf := compile(t, retried)
	wf.Name = "w"
	wf.Status.Nodes = wfv1.Nodes{
		"root": {ID: "root", Name: "w", Type: wfv1.NodeTypeDAG, Children: []string{"a"}},
		"a":    {ID: "a", Name: "w.a", DisplayName: "a", Type: wfv1.NodeTypeRetry, BoundaryID: "root", Phase: wfv1.NodeSucceeded, Children: []string{"a0"}},
		"a0":   {ID: "a0", Name: "w.a(0)", DisplayName: "a(0)", Type: wfv1.NodeTypeSteps, BoundaryID: "root", Phase: wfv1.NodeSucceeded, Children: []string{"g", "b"}},
		"g":    {ID: "g", Name: "w.a(0)[0]", DisplayName: "[0]", Type: wfv1.NodeTypeStepGroup, BoundaryID: "a0", Phase: wfv1.NodeSucceeded, Children: []string{"p"}},
		"p":    {ID: "p", Name: "w.a(0)[0].run", DisplayName: "run", Type: wfv1.NodeTypePod, BoundaryID: "a0", Phase: wfv1.NodeSucceeded, MemoizationStatus: &wfv1.MemoizationStatus{Hit: true}, Children: []string{"b"}},
		"b":    {ID: "b", Name: "w.b", DisplayName: "b", Type: wfv1.NodeTypePod, BoundaryID: "root", Phase: wfv1.NodeSucceeded},
	}
	r := Summarize(wf)
	if a := r.Steps[0]; a.Name != "a" || !a.CacheHit || a.Pod != "" {
		t.Errorf("a: %+v", a)
	}
	if b := r.Steps[1]; b.Name != "b" || b.CacheHit || b.Pod == "" || b.Attempts != 1 {
		t.Errorf("b: %+v", b)
	}
}
