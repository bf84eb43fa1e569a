package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/e2e/fakekubelet"
)

// Artifacts on the real controller, with the suite's S3 server as the
// artifact repository (e2e/s3) and the fake kubelet doing the executor's
// downloads and uploads (fakekubelet/artifacts.go).

// TestArtifactsPass: artifacts pass between steps (tar.gz, none, zip and
// raw), and a step after a loop gets every iteration's artifact.
func TestArtifactsPass(t *testing.T) {
	needCluster(t)
	if pipecBin() == "" {
		t.Skip("needs pipec")
	}
	file := compile(t, "testdata/artifacts.pipe")
	id := uniq("art")
	name := submit(t, file, "-p", "run_id="+id)
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)

	want := fmt.Sprintf("model-of-%s note zipped raw-input", id)
	if got := outParam(taskNode(t, wf, "use"), "seen"); got != want {
		t.Errorf("use saw %q, want %q", got, want)
	}
	if got := outParam(taskNode(t, wf, "merge"), "all"); got != "part-a part-b part-c " {
		t.Errorf("merge got %q, want the three parts", got)
	}
	// The objects, as the executor names them.
	keys, err := cl.S3.Keys("")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(keys, "\n")
	for _, suffix := range []string{"/model.tgz", "/note.txt", "/zipped.zip"} {
		if !strings.Contains(all, name+"/") || !strings.Contains(all, suffix) {
			t.Errorf("no object ending in %s for %s in the bucket:\n%s", suffix, name, all)
		}
	}
	parts, _ := cl.S3.Keys("pipec/artifacts/")
	if n := countWithin(parts, "/shard/part/"); n < 3 {
		t.Errorf("fan-in objects under pipec/artifacts/: %d, want 3:\n%s", n, strings.Join(parts, "\n"))
	}
	for _, step := range []string{"use", "merge"} {
		for _, p := range podsByStep(t, name)[step] {
			if p.Annotations[fakekubelet.AnnotationMode] != "exec" {
				t.Errorf("pod %s was not executed for real", p.Name)
			}
			t.Logf("%s: %s", p.Name, p.Annotations[fakekubelet.AnnotationArtifacts])
		}
	}
}

func countWithin(keys []string, part string) int {
	n := 0
	for _, k := range keys {
		if strings.Contains(k, part) {
			n++
		}
	}
	return n
}

// TestArtifactsMemoizedResume: the run fails after a memoized step made
// its artifacts; resumed (argo resubmit with retry_run_id), the producer
// is a cache hit with no pod, and the consumers still get its artifacts
// (a single one and a loop's fan-in) from the cached outputs.
func TestArtifactsMemoizedResume(t *testing.T) {
	needCluster(t)
	if pipecBin() == "" {
		t.Skip("needs pipec")
	}
	file := compile(t, "testdata/artifacts.pipe")
	id := uniq("art")
	first := uniq("artifacts-r1")
	addRules(t, fmt.Sprintf(`
- workflow: %s
  step: use
  exitCode: 1
  message: "use is broken in the first run"
- workflow: %s
  step: merge
  exitCode: 1
`, first, first))
	submit(t, file, "--name", first, "-p", "run_id="+id)
	mustPhase(t, first, wfv1.WorkflowFailed)

	second := argo(t, "resubmit", first, "-o", "name", "-p", "retry_run_id="+id, "-p", "retry_indicator=2")
	watch(t, second)
	wf2 := mustPhase(t, second, wfv1.WorkflowSucceeded)
	pods := podsByStep(t, second)
	for _, step := range []string{"make", "shard"} {
		if h, _, _ := memoCounts(wf2, step); h == 0 || len(pods[step]) != 0 {
			t.Errorf("%s: %d cache hits and %d pods on resume, want hits and no pod", step, h, len(pods[step]))
		}
	}
	for _, step := range []string{"use", "merge"} {
		if len(pods[step]) != 1 {
			t.Fatalf("%s: %d pods on resume, want 1", step, len(pods[step]))
		}
		t.Logf("%s: %s", step, pods[step][0].Annotations[fakekubelet.AnnotationArtifacts])
	}
	// The content is the first run's: made with the same run id.
	want := fmt.Sprintf("model-of-%s note zipped raw-input", id)
	if got := outParam(taskNode(t, wf2, "use"), "seen"); got != want {
		t.Errorf("use saw %q on resume, want %q", got, want)
	}
	if got := outParam(taskNode(t, wf2, "merge"), "all"); got != "part-a part-b part-c " {
		t.Errorf("merge got %q on resume, want the three parts", got)
	}
	// The artifact came from the first workflow's objects.
	if a := taskNode(t, wf2, "make"); a.Outputs == nil || len(a.Outputs.Artifacts) != 3 || !strings.Contains(artifactKeyOf(a.Outputs.Artifacts[0]), first+"/") {
		t.Errorf("make's cached outputs do not point at the first run's objects: %+v", a.Outputs)
	}
	// The consumers' keys take the producers' keys (pipec-art-*): resolved
	// from the cached outputs, the same in every run of the run id, so a
	// third run is all cache hits.
	use := taskNode(t, wf2, "use")
	if got, want := inParam(use, "pipec-art-model"), taskNode(t, wf2, "make").MemoizationStatus.Key; got != want {
		t.Errorf("use's pipec-art-model = %q, want make's memo key %q", got, want)
	}
	third := submit(t, file, "-p", "run_id="+id)
	wf3 := mustPhase(t, third, wfv1.WorkflowSucceeded)
	if n := len(podsOf(t, third)); n != 0 {
		t.Errorf("third run: %d pods, want none (every step a cache hit)", n)
	}
	for _, step := range []string{"make", "use", "shard", "merge"} {
		if h, _, _ := memoCounts(wf3, step); h == 0 {
			t.Errorf("third run: %s is not a cache hit", step)
		}
	}
	t.Logf("resumed %s as %s; nodes:", first, second)
	for _, n := range sortedNodes(wf2) {
		t.Logf("  %-45s %-9s %-9s memo=%s", n.Name, n.Type, n.Phase, memo(n))
	}
}

func artifactKeyOf(a wfv1.Artifact) string {
	k, _ := a.GetKey()
	return k
}

// TestArtifactsScope: the artifacts of a pipeline and of a composite
// template (testdata/artifacts-scope.pipe) on the real controller: a
// workflow artifact argument reaches a step, a composite takes an artifact
// input and hands on an output artifact, a later step reads it and a
// global artifact, and the entry template's output artifacts (from and
// fromExpression) resolve to the objects the steps uploaded.
func TestArtifactsScope(t *testing.T) {
	needCluster(t)
	if pipecBin() == "" {
		t.Skip("needs pipec")
	}
	file := compile(t, "testdata/artifacts-scope.pipe")
	id := uniq("scope")
	name := submit(t, file, "-p", "run_id="+id)
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	defer artifactsScopeMemo(t, id)

	if got, want := outParam(taskNode(t, wf, "read"), "seen"), "made-seed-text-r made-seed-text "; got != want {
		t.Errorf("read saw %q, want %q", got, want)
	}
	// The workflow's global artifact, and the entry node's outputs.
	if wf.Status.Outputs == nil || !hasArtifact(wf.Status.Outputs.Artifacts, "made") {
		t.Errorf("workflow outputs have no global artifact made: %+v", wf.Status.Outputs)
	}
	entry := wf.Status.Nodes[wf.Name]
	if entry.Outputs == nil {
		t.Fatalf("the entry node has no outputs")
	}
	for _, a := range []string{"final", "chosen"} {
		if !hasArtifact(entry.Outputs.Artifacts, a) {
			t.Errorf("the entry node's outputs lack artifact %s: %+v", a, entry.Outputs.Artifacts)
		}
	}
	made := artifactOf(taskNode(t, wf, "make"), "made")
	chosen := artifactOf(entry, "chosen")
	if made == "" || chosen != made {
		t.Errorf("chosen is at %q, want make's artifact at %q (the expression picks it)", chosen, made)
	}
	final := artifactOf(entry, "final")
	if final == "" || !strings.Contains(final, name+"/") {
		t.Errorf("final is at %q, want an object of %s", final, name)
	}
	keys, err := cl.S3.Keys(name + "/")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{made, final} {
		if !slices.Contains(keys, k) {
			t.Errorf("no object %s in the bucket:\n%s", k, strings.Join(keys, "\n"))
		}
	}
	// archive_logs on make: its log is an output artifact, main-logs, in
	// the repository (read does not archive its log).
	logs := artifactOf(taskNode(t, wf, "make"), "main-logs")
	if logs == "" || !slices.Contains(keys, logs) || !strings.HasSuffix(logs, "/main.log") {
		t.Errorf("make's log is at %q, want an object ending in main.log in the bucket:\n%s", logs, strings.Join(keys, "\n"))
	} else if got, err := cl.S3.Get(logs); err != nil || !strings.Contains(got, "log-of-make") {
		t.Errorf("make's archived log is %q (%v), want its output", got, err)
	}
	if l := artifactOf(taskNode(t, wf, "read"), "main-logs"); l != "" {
		t.Errorf("read archived its log at %s, but only make has archive_logs", l)
	}
	for _, step := range []string{"make", "read"} {
		for _, p := range podsByStep(t, name)[step] {
			if p.Annotations[fakekubelet.AnnotationMode] != "exec" {
				t.Errorf("pod %s was not executed for real", p.Name)
			}
			t.Logf("%s: %s", p.Name, p.Annotations[fakekubelet.AnnotationArtifacts])
		}
	}
}

func hasArtifact(arts wfv1.Artifacts, name string) bool {
	for _, a := range arts {
		if a.Name == name {
			return true
		}
	}
	return false
}

// artifactOf is the key of a node's output artifact, or "".
func artifactOf(n wfv1.NodeStatus, name string) string {
	if n.Outputs == nil {
		return ""
	}
	for _, a := range n.Outputs.Artifacts {
		if a.Name == name {
			return artifactKeyOf(a)
		}
	}
	return ""
}

// artifactsScopeMemo: the pipeline's input artifact takes part in the memo
// key of the step that takes it. Run again with the same run id, make is a
// cache hit; with another seed (a changed workflow artifact, nothing else
// changed), it runs again and its consumers see the new content.
func artifactsScopeMemo(t *testing.T, id string) {
	if t.Failed() {
		return
	}
	same := submit(t, compile(t, "testdata/artifacts-scope.pipe"), "-p", "run_id="+id)
	wf := mustPhase(t, same, wfv1.WorkflowSucceeded)
	if h, _, _ := memoCounts(wf, "make"); h == 0 || len(podsByStep(t, same)["make"]) != 0 {
		t.Errorf("same seed: make is not a cache hit (%d hits, %d pods)", h, len(podsByStep(t, same)["make"]))
	}
	src, err := os.ReadFile("testdata/artifacts-scope.pipe")
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "artifacts-scope.pipe")
	if err := os.WriteFile(changed, []byte(strings.Replace(string(src), `raw "seed-text"`, `raw "other-seed"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	other := submit(t, compile(t, changed), "-p", "run_id="+id)
	wf = mustPhase(t, other, wfv1.WorkflowSucceeded)
	if h, _, _ := memoCounts(wf, "make"); h != 0 || len(podsByStep(t, other)["make"]) != 1 {
		t.Errorf("another seed: make is a cache hit (%d hits, %d pods), but its input artifact changed", h, len(podsByStep(t, other)["make"]))
	}
	if got, want := outParam(taskNode(t, wf, "read"), "seen"), "made-other-seed-r made-other-seed "; got != want {
		t.Errorf("another seed: read saw %q, want %q", got, want)
	}
}
