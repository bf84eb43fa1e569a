package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// Cache correctness on the real controller (docs/retries.md, "The memo
// key" and "Run ids that Argo expands").

// A run id given as {{workflow.uid}} or {{workflow.name}} at submit time:
// every step (the first, which sees the literal text, and the later ones,
// which see it expanded) uses the same run id and the same cache.
func TestExpandedRunID(t *testing.T) {
	needCluster(t)
	file := pipeline(t, "three-steps")
	for _, c := range []struct{ name, runID string }{
		{"uid", "{{workflow.uid}}"},
		{"name", "{{workflow.name}}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := submit(t, file, "-p", "run_id="+c.runID)
			wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
			want := string(wf.UID)
			if c.name == "name" {
				want = wf.Name
			}
			checkMemo(t, wf, "three-steps", want)
			pods := podsOf(t, name)
			if len(pods) != 3 {
				t.Errorf("%d pods, want 3", len(pods))
			}
			for _, p := range pods {
				if got := envOf(p)["RETRY_RUN_ID"]; got != want {
					t.Errorf("pod %s: RETRY_RUN_ID=%q, want %q", p.Name, got, want)
				}
			}
			cms := cacheConfigMaps(t, cacheName("three-steps", want))
			if len(cms) != 1 || len(cms[0].Data) != 3 {
				t.Errorf("cache of run %s: %v, want one ConfigMap with the 3 steps", want, cmKeys(cms))
			}
		})
	}
}

// Changing the source of a mounted volume (here the ConfigMap a step
// mounts) is a change of the step: under the same run id it runs again
// instead of being served the result it had with the old ConfigMap. The
// step that does not mount it stays cached only if its input is the same.
func TestMemoKeyContext(t *testing.T) {
	needCluster(t)
	if pipecBin() == "" {
		t.Skip("needs pipec")
	}
	v1 := compile(t, filepath.Join("testdata", "mounted.pipe"))
	src, err := os.ReadFile(filepath.Join("testdata", "mounted.pipe"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	edited := filepath.Join(dir, "mounted.pipe")
	if err := os.WriteFile(edited, []byte(strings.Replace(string(src), "pipec-e2e-settings-v1", "pipec-e2e-settings-v2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := compile(t, edited)
	id := uniq("run")

	first := submit(t, v1, "-p", "run_id="+id)
	mustPhase(t, first, wfv1.WorkflowSucceeded)
	again := submit(t, v1, "-p", "run_id="+id)
	wf := mustPhase(t, again, wfv1.WorkflowSucceeded)
	if h, _, _ := memoCounts(wf, "read"); h != 1 || len(podsOf(t, again)) != 0 {
		t.Fatalf("same definition, same run id: read hits=%d pods=%d, want a hit and no pod", h, len(podsOf(t, again)))
	}

	changed := submit(t, v2, "-p", "run_id="+id)
	wf2 := mustPhase(t, changed, wfv1.WorkflowSucceeded)
	checkMemo(t, wf2, "mounted", id)
	pods := podsByStep(t, changed)
	if h, m, _ := memoCounts(wf2, "read"); h != 0 || m != 1 || len(pods["read"]) != 1 {
		t.Errorf("mounted ConfigMap changed: read hits=%d misses=%d pods=%d, want a miss that runs", h, m, len(pods["read"]))
	}
	// after-read's definition is the same and its input (read's output)
	// too: it may stay cached.
	if h, _, _ := memoCounts(wf2, "after-read"); h != 1 {
		t.Errorf("after-read: %d hits, want 1 (same definition and input)", h)
	}
}
