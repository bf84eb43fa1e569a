package e2e

// Scenarios of pipec run, resume and status on the real controller: the
// commands as a user types them, with the cluster's kubeconfig.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/*.golden")

// pipecResult is one pipec command's outcome.
type pipecResult struct {
	stdout, stderr string
	code           int
}

// pipecCmd runs the pipec binary against the cluster, the way a user with
// its kubeconfig would.
func pipecCmd(t *testing.T, args ...string) pipecResult {
	t.Helper()
	if pipecBin() == "" {
		t.Skip("no pipec binary (run through e2e/run.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pipecBin(), append(args, "--namespace", ns)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cl.Kubeconfig, "ARGO_SERVER=", "PIPEC_CACHE_DIR=off")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := pipecResult{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("pipec %v: %v", args, err)
	}
	t.Logf("pipec %s → %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// workflowOf is the workflow: line of run's and resume's output.
func workflowOf(t *testing.T, r pipecResult) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^workflow: (\S+)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no workflow: line in %q", r.stdout)
	}
	watch(t, m[1])
	return m[1]
}

func writePipe(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "p.pipe")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func getWF(t *testing.T, name string) *wfv1.Workflow {
	t.Helper()
	wf, err := cl.WF.ArgoprojV1alpha1().Workflows(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return wf
}

// golden compares got with testdata/NAME.golden (-update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run bash e2e/run.sh -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// normalize replaces what changes from run to run: the workflow's name,
// the run id and durations.
func normalize(s, wf, runID string) string {
	s = strings.ReplaceAll(s, wf, "WORKFLOW")
	if runID != "" {
		s = strings.ReplaceAll(s, runID, "RUNID")
	}
	// A run of cache hits may finish within the second: no duration then.
	return regexp.MustCompile(` in [0-9hms.]+\n`).ReplaceAllString(s, "\n")
}

const linear = `pipeline run-watch {
  image "alpine"
  step a { run ["echo", "a"] }
  step b after a { run ["echo", "b"] }
  step fan after b for x in ["p"] { run ["echo", "${x}"] }
  on exit step tell { run ["echo", "done"] }
}
`

// TestRunWatch: pipec run --watch, not on a terminal, prints a line per
// finished step and the outcome; a second run with the same run id is served
// from the cache. Both outputs are goldens.
func TestRunWatch(t *testing.T) {
	needCluster(t)
	file := writePipe(t, linear)
	id := uniq("watch")
	r := pipecCmd(t, "run", file, "--run-id", id, "--watch")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	wf := workflowOf(t, r)
	golden(t, "run-watch", normalize(r.stdout, wf, id))
	r2 := pipecCmd(t, "run", file, "--run-id", id, "--watch")
	if r2.code != 0 {
		t.Fatalf("second run: exit %d", r2.code)
	}
	golden(t, "run-watch-cached", normalize(r2.stdout, workflowOf(t, r2), id))
	if len(podsOf(t, workflowOf(t, r2))) != 1 {
		t.Errorf("second run: want one pod (the exit handler, never memoized)")
	}
}

const flaky = `pipeline resume-twice {
  image "alpine"
  retry 1
  step a { run ["sh", "-c", "echo a > /tmp/a.txt"] output v = file("/tmp/a.txt") }
  // Fails until the third attempt of the run.
  step b after a { run ["sh", "-c", "echo b=${a.v}; [ \"$${RETRY_INDICATOR:-1}\" -ge 3 ]"] }
  step c after b { run ["echo", "c"] }
}
`

// TestResumeOfResume: a run fails, its resume fails again, the resume of
// the resume succeeds; a is never run again, retry_indicator counts 2, 3,
// and pipec status links the three attempts by run id.
func TestResumeOfResume(t *testing.T) {
	needCluster(t)
	file := writePipe(t, flaky)
	id := uniq("twice")
	r := pipecCmd(t, "run", file, "--run-id", id, "--wait")
	if r.code != 1 {
		t.Fatalf("first run: exit %d, want 1", r.code)
	}
	first := workflowOf(t, r)
	r2 := pipecCmd(t, "resume", first)
	if r2.code != 1 || !strings.Contains(r2.stderr, "retry_indicator 2") || !strings.Contains(r2.stderr, "argo resubmit:") {
		t.Fatalf("first resume: exit %d, want 1, plainly resubmitted with retry_indicator 2", r2.code)
	}
	second := workflowOf(t, r2)
	r3 := pipecCmd(t, "resume", second)
	if r3.code != 0 || !strings.Contains(r3.stderr, "retry_indicator 3") {
		t.Fatalf("resume of the resume: exit %d, want 0 with retry_indicator 3", r3.code)
	}
	third := workflowOf(t, r3)
	for _, name := range []string{second, third} {
		if pods := podsByStep(t, name); len(pods["a"]) != 0 {
			t.Errorf("%s: a ran again (%d pods)", name, len(pods["a"]))
		}
	}
	if p := getWF(t, third); p.Status.Phase != wfv1.WorkflowSucceeded {
		t.Fatalf("third: %s", p.Status.Phase)
	}
	st := pipecCmd(t, "status", "--run-id", id, "-o", "json")
	var js struct {
		RunID    string
		Attempts []struct {
			Workflow, Phase, RetryIndicator string
			Steps                           []struct {
				Name     string
				Phase    string
				Attempts int
				CacheHit bool
				ExitCode *int
			}
		}
	}
	if err := json.Unmarshal([]byte(st.stdout), &js); err != nil {
		t.Fatalf("status -o json: %v", err)
	}
	if len(js.Attempts) != 3 || js.RunID != id {
		t.Fatalf("status: %d attempts of %s", len(js.Attempts), js.RunID)
	}
	var got []string
	for _, a := range js.Attempts {
		got = append(got, a.Phase+"/"+a.RetryIndicator)
	}
	if strings.Join(got, " ") != "Failed/ Failed/2 Succeeded/3" {
		t.Errorf("attempts: %v", got)
	}
	b := js.Attempts[0].Steps[1]
	if b.Name != "b" || b.Phase != "Failed" || b.Attempts != 2 || b.ExitCode == nil || *b.ExitCode != 1 {
		t.Errorf("first attempt's b: %+v", b)
	}
	if a := js.Attempts[2].Steps[0]; !a.CacheHit {
		t.Errorf("third attempt's a: %+v, want a cache hit", a)
	}
	g := pipecCmd(t, "status", third, "--graph", "--format", "dot")
	if g.code != 0 || !strings.Contains(g.stdout, "cache hit") || !strings.Contains(g.stdout, "#bbdefb") {
		t.Errorf("status --graph: no cache hit drawn")
	}
}

// cacheNames are the cache ConfigMaps a workflow's steps used.
func cacheNames(wf *wfv1.Workflow) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range wf.Status.Nodes {
		if m := n.MemoizationStatus; m != nil && m.CacheName != "" && !seen[m.CacheName] {
			seen[m.CacheName] = true
			out = append(out, m.CacheName)
		}
	}
	return out
}

// TestResumeAfterCacheDeleted: a run whose cache ConfigMap was deleted is
// refused when its steps have retries (the cache is what would resume it),
// resumed with --force by running everything again, and resumed correctly
// with argo resubmit --memoized when they have none.
func TestResumeAfterCacheDeleted(t *testing.T) {
	needCluster(t)
	for _, tc := range []struct {
		name, src string
		memoized  bool
	}{
		{"retries", flaky, false},
		{"no-retries", strings.Replace(flaky, "  retry 1\n", "", 1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writePipe(t, tc.src)
			r := pipecCmd(t, "run", file, "--wait")
			if r.code != 1 {
				t.Fatalf("run: exit %d, want 1", r.code)
			}
			first := workflowOf(t, r)
			wf := getWF(t, first)
			names := cacheNames(wf)
			if len(names) == 0 {
				t.Fatal("no cache ConfigMap")
			}
			for _, n := range names {
				if err := cl.Kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), n, metav1.DeleteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			r2 := pipecCmd(t, "resume", first, "--retry-indicator", "3")
			if !tc.memoized {
				if r2.code != 1 || !strings.Contains(r2.stderr, "is gone") || !strings.Contains(r2.stderr, "--force") || strings.Contains(r2.stdout, "workflow:") {
					t.Fatalf("resume without its cache: exit %d, want a refusal", r2.code)
				}
				r2 = pipecCmd(t, "resume", first, "--retry-indicator", "3", "--force")
			}
			if r2.code != 0 {
				t.Fatalf("resume: exit %d, want 0", r2.code)
			}
			second := workflowOf(t, r2)
			pods := podsByStep(t, second)
			if tc.memoized {
				if !strings.Contains(r2.stderr, "--memoized") || len(pods["a"]) != 0 || !strings.Contains(r2.stdout, "copied from the resumed run") {
					t.Errorf("memoized resume: a has %d pods, want 0 (copied)", len(pods["a"]))
				}
			} else if len(pods["a"]) != 1 {
				t.Errorf("forced resume without a cache: a has %d pods, want 1", len(pods["a"]))
			}
		})
	}
}

// TestResumeRefusals: pipec resume refuses a run still running and a
// workflow pipec did not compile, and submits nothing.
func TestResumeRefusals(t *testing.T) {
	needCluster(t)
	file := writePipe(t, linear)
	addRules(t, "- workflow: run-watch-.*\n  step: a\n  delaySeconds: 20\n")
	r := pipecCmd(t, "run", file)
	if r.code != 0 {
		t.Fatalf("run: exit %d", r.code)
	}
	name := workflowOf(t, r)
	before, _ := cl.WF.ArgoprojV1alpha1().Workflows(ns).List(context.Background(), metav1.ListOptions{})
	r2 := pipecCmd(t, "resume", name)
	if r2.code != 1 || !strings.Contains(r2.stderr, "is still") || !strings.Contains(r2.stderr, "nothing was resubmitted") {
		t.Errorf("resume of a running workflow: exit %d", r2.code)
	}
	after, _ := cl.WF.ArgoprojV1alpha1().Workflows(ns).List(context.Background(), metav1.ListOptions{})
	if len(after.Items) != len(before.Items) {
		t.Errorf("a refused resume created a workflow")
	}
	foreign := submit(t, "testdata/three-steps.yaml")
	mustPhase(t, foreign, wfv1.WorkflowSucceeded)
	r3 := pipecCmd(t, "resume", foreign)
	if r3.code != 1 || !strings.Contains(r3.stderr, "not compiled by pipec") {
		t.Errorf("resume of a foreign workflow: exit %d", r3.code)
	}
	mustPhaseWithin(t, name, wfv1.WorkflowSucceeded, 2*time.Minute)
}
