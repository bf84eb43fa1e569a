package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/e2e/cluster"
	"github.com/pipec/pipec/e2e/fakekubelet"
)

const ns = cluster.Namespace

func needCluster(t *testing.T) {
	t.Helper()
	if cl == nil {
		t.Skip(cluster.ErrSkip)
	}
}

func tctx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// uniq returns a fresh lower-case id with a prefix.
func uniq(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// pipecBin is the pipec binary built by run.sh from the repo root, or "".
func pipecBin() string { return os.Getenv("PIPEC_E2E_PIPEC") }

// pipeline returns the path of a Workflow YAML for the named test pipeline:
// testdata/<name>.pipe compiled by pipec when both exist, else the
// hand-written testdata/<name>.yaml.
func pipeline(t *testing.T, name string) string {
	t.Helper()
	if shape := os.Getenv("PIPEC_E2E_SHAPE"); shape != "" {
		// Hand-written fixture of another template shape (see shapes_test.go).
		p := filepath.Join("testdata", name+"-"+shape+".yaml")
		if shape == "base" {
			p = filepath.Join("testdata", name+".yaml")
		}
		return p
	}
	src := filepath.Join("testdata", name+".pipe")
	if bin := pipecBin(); bin != "" {
		if _, err := os.Stat(src); err == nil {
			return compile(t, src)
		}
	}
	p := filepath.Join("testdata", name+".yaml")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no fixture for %s: %v", name, err)
	}
	return p
}

// compile runs `pipec build -o DIR <src>` and returns the path of the
// single YAML it wrote (see compileAll for sources with several pipelines).
func compile(t *testing.T, src string) string {
	t.Helper()
	files := compileAll(t, src)
	if len(files) != 1 {
		t.Fatalf("pipec build %s wrote %d files, want 1: %v", src, len(files), files)
	}
	return files[0]
}

// compileAll runs `pipec build -o DIR <src>` and returns the YAML files.
func compileAll(t *testing.T, src string) []string {
	t.Helper()
	dir := t.TempDir()
	src, _ = filepath.Abs(src)
	// Output for the controller the suite is running on.
	cmd := exec.Command(pipecBin(), "build", "--argo", cl.Opts.Target, "-o", dir, src)
	cmd.Dir = filepath.Dir(src)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pipec build %s: %v\n%s", src, err, b)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("pipec build %s wrote no YAML", src)
	}
	return files
}

// argo runs the argo CLI, failing the test on error.
func argo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cl.Argo(tctx(t, 2*time.Minute), args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

// submit is `argo submit <file> -o name [args]`; returns the workflow name
// and dumps the workflow if the test fails.
func submit(t *testing.T, file string, args ...string) string {
	t.Helper()
	name := argo(t, append([]string{"submit", file, "-o", "name"}, args...)...)
	watch(t, name)
	return name
}

// watch dumps what the controller did with a workflow when the test fails.
func watch(t *testing.T, name string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		out, _ := cl.Argo(context.Background(), "get", name)
		t.Logf("argo get %s:\n%s", name, out)
		if wf, err := cl.WF.ArgoprojV1alpha1().Workflows(ns).Get(context.Background(), name, metav1.GetOptions{}); err == nil {
			t.Logf("workflow %s: phase=%s message=%q", name, wf.Status.Phase, wf.Status.Message)
			for _, n := range sortedNodes(wf) {
				t.Logf("  node %-40s %-10s %-9s memo=%s msg=%q", n.Name, n.Type, n.Phase, memo(n), n.Message)
			}
		}
		for _, l := range cl.Grep("workflow-controller", name) {
			if strings.Contains(l, "level=error") || strings.Contains(l, "level=warn") {
				t.Logf("controller: %s", l)
			}
		}
	})
}

func memo(n wfv1.NodeStatus) string {
	if n.MemoizationStatus == nil {
		return "-"
	}
	return fmt.Sprintf("{hit:%v key:%s cache:%s}", n.MemoizationStatus.Hit, n.MemoizationStatus.Key, n.MemoizationStatus.CacheName)
}

func sortedNodes(wf *wfv1.Workflow) []wfv1.NodeStatus {
	var ns []wfv1.NodeStatus
	for _, n := range wf.Status.Nodes {
		ns = append(ns, n)
	}
	sort.Slice(ns, func(i, j int) bool { return ns[i].Name < ns[j].Name })
	return ns
}

// waitDone polls until the workflow is completed.
func waitDone(t *testing.T, name string, timeout time.Duration) *wfv1.Workflow {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var wf *wfv1.Workflow
	for time.Now().Before(deadline) {
		var err error
		wf, err = cl.WF.ArgoprojV1alpha1().Workflows(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		if wf.Status.Phase.Completed() && wf.Status.FinishedAt.Time.After(time.Time{}) {
			return wf
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("workflow %s not completed after %s (phase %q)", name, timeout, wf.Status.Phase)
	return nil
}

// mustPhase waits and checks the final phase.
func mustPhase(t *testing.T, name string, want wfv1.WorkflowPhase) *wfv1.Workflow {
	t.Helper()
	return mustPhaseWithin(t, name, want, 2*time.Minute)
}

func mustPhaseWithin(t *testing.T, name string, want wfv1.WorkflowPhase, d time.Duration) *wfv1.Workflow {
	t.Helper()
	wf := waitDone(t, name, d)
	if wf.Status.Phase != want {
		t.Fatalf("workflow %s: phase %s (%q), want %s", name, wf.Status.Phase, wf.Status.Message, want)
	}
	return wf
}

// addRules installs fake-kubelet rules for the duration of the test.
func addRules(t *testing.T, rules string) {
	t.Helper()
	if _, err := fakekubelet.ParseRules([]byte(rules)); err != nil {
		t.Fatalf("bad rules: %v", err)
	}
	name := uniq("rules-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	if len(name) > 60 {
		name = uniq("rules")
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{fakekubelet.RulesLabel: "true"}},
		Data:       map[string]string{"rules.yaml": rules},
	}
	if _, err := cl.Kube.CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cl.Kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

// podsOf lists the pods the controller created for a workflow.
func podsOf(t *testing.T, wf string) []corev1.Pod {
	t.Helper()
	l, err := cl.Kube.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "workflows.argoproj.io/workflow=" + wf})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].CreationTimestamp.Before(&l.Items[j].CreationTimestamp) })
	return l.Items
}

// stepOfPod returns the step path of a pod (node name without workflow
// prefix and retry suffix).
func stepOfPod(p corev1.Pod) string {
	id := fakekubelet.Identify(p.Labels["workflows.argoproj.io/workflow"], p.Annotations["workflows.argoproj.io/node-name"], "")
	return id.Step
}

// podsByStep groups pods by entry-DAG task.
func podsByStep(t *testing.T, wf string) map[string][]corev1.Pod {
	m := map[string][]corev1.Pod{}
	for _, p := range podsOf(t, wf) {
		task := fakekubelet.Identify(p.Labels["workflows.argoproj.io/workflow"], p.Annotations["workflows.argoproj.io/node-name"], "").Task
		m[task] = append(m[task], p)
	}
	return m
}

func envOf(p corev1.Pod) map[string]string {
	m := map[string]string{}
	for _, c := range p.Spec.Containers {
		if c.Name != "main" {
			continue
		}
		for _, e := range c.Env {
			m[e.Name] = e.Value
		}
	}
	return m
}

// leafNodes returns the Pod nodes (attempts) of an entry task.
func leafNodes(wf *wfv1.Workflow, task string) []wfv1.NodeStatus {
	var out []wfv1.NodeStatus
	for _, n := range wf.Status.Nodes {
		if n.Type == wfv1.NodeTypePod && fakekubelet.Identify(wf.Name, n.Name, "").Task == task {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// memoNodes returns the nodes of an entry task that carry a
// memoizationStatus (one per memoized instance: the Retry node when memoize
// and retryStrategy share the template, whose attempts repeat the status and
// are left out; else the memoized leaf or wrapper). Each has the instance's
// inputs and outputs.
func memoNodes(wf *wfv1.Workflow, task string) []wfv1.NodeStatus {
	var out []wfv1.NodeStatus
	for _, n := range wf.Status.Nodes {
		if n.MemoizationStatus == nil || fakekubelet.Identify(wf.Name, n.Name, "").Task != task {
			continue
		}
		if n.Type == wfv1.NodeTypePod && retryChild.MatchString(n.Name) {
			continue
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// stepNodes returns, for each instance of a task (one, or one per loop
// iteration), its top node: the Retry node when the template has a
// retryStrategy (that node carries memoizationStatus; a cache hit is a
// Succeeded Retry node without children), else the Pod node.
func stepNodes(wf *wfv1.Workflow, task string) []wfv1.NodeStatus {
	var out []wfv1.NodeStatus
	for _, n := range wf.Status.Nodes {
		if n.Type != wfv1.NodeTypeRetry && n.Type != wfv1.NodeTypePod {
			continue
		}
		if n.Type == wfv1.NodeTypePod && retryChild.MatchString(n.Name) {
			continue
		}
		id := fakekubelet.Identify(wf.Name, n.Name, "")
		if id.Step == task || id.BaseStep == task {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var retryChild = regexp.MustCompile(`\(\d+\)$`)

// taskNode returns the top node of an entry task: the Retry node when the
// template has a retryStrategy, else the Pod (or wrapper) node; for a steps
// entry, "<wf>[N].<task>".
func taskNode(t *testing.T, wf *wfv1.Workflow, task string) wfv1.NodeStatus {
	t.Helper()
	var best *wfv1.NodeStatus
	for _, n := range wf.Status.Nodes {
		if n.Type == wfv1.NodeTypeStepGroup || n.Type == wfv1.NodeTypeTaskGroup || n.Name == wf.Name {
			continue
		}
		if fakekubelet.Identify(wf.Name, n.Name, "").Task != task {
			continue
		}
		if best == nil || len(n.Name) < len(best.Name) {
			n := n
			best = &n
		}
	}
	if best == nil {
		t.Fatalf("workflow %s has no node for task %s", wf.Name, task)
	}
	return *best
}

func outParam(n wfv1.NodeStatus, name string) string {
	if n.Outputs == nil {
		return ""
	}
	for _, p := range n.Outputs.Parameters {
		if p.Name == name && p.Value != nil {
			return p.Value.String()
		}
	}
	return ""
}

func inParam(n wfv1.NodeStatus, name string) string {
	if n.Inputs == nil {
		return ""
	}
	for _, p := range n.Inputs.Parameters {
		if p.Name == name && p.Value != nil {
			return p.Value.String()
		}
	}
	return ""
}

// hasInput tells whether one of the node's input parameters has value v.
func hasInput(n wfv1.NodeStatus, v string) bool {
	if n.Inputs == nil {
		return false
	}
	for _, p := range n.Inputs.Parameters {
		if p.Value != nil && p.Value.String() == v {
			return true
		}
	}
	return false
}

// cacheConfigMaps lists memoization cache ConfigMaps with a name prefix.
func cacheConfigMaps(t *testing.T, prefix string) []corev1.ConfigMap {
	t.Helper()
	l, err := cl.Kube.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "workflows.argoproj.io/configmap-type=Cache"})
	if err != nil {
		t.Fatal(err)
	}
	var out []corev1.ConfigMap
	for _, cm := range l.Items {
		if strings.HasPrefix(cm.Name, prefix) {
			out = append(out, cm)
		}
	}
	return out
}

func cmSize(cm corev1.ConfigMap) int {
	n := 0
	for k, v := range cm.Data {
		n += len(k) + len(v)
	}
	return n
}
