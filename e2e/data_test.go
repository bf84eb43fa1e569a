package e2e

// The data template kind on the real controller (brief "data"): the
// controller accepts pipec's data template and runs it as a pod; the fake
// kubelet does what argoexec's `data` command does (fakekubelet/data.go:
// Argo's S3 driver lists the prefix, Argo's workflow/data applies the
// transformations), and the step after it reads the list as its result.

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/e2e/s3"
)

func TestDataStep(t *testing.T) {
	needPipec(t)
	prefix := uniq("data") + "/"
	for _, k := range []string{"a/main.log", "a/other.log", "b/main.log", "c.txt"} {
		body := "x"
		if _, err := cl.S3.Backend.PutObject(s3.Bucket, prefix+k, map[string]string{}, strings.NewReader(body), int64(len(body)), nil); err != nil {
			t.Fatal(err)
		}
	}
	name := submit(t, compile(t, "testdata/data.pipe"), "-p", "endpoint="+cl.S3.Endpoint, "-p", "prefix="+prefix)
	wf := waitDone(t, name, 2*time.Minute)
	for _, n := range sortedNodes(wf) {
		t.Logf("node %s (%s): %s %s", n.DisplayName, n.Type, n.Phase, n.Message)
	}
	if wf.Status.Phase != wfv1.WorkflowSucceeded {
		t.Fatalf("workflow %s (%s), want Succeeded", wf.Status.Phase, wf.Status.Message)
	}
	want := []string{prefix + "a/main.log!", prefix + "b/main.log!"}
	list := taskNode(t, wf, "list")
	var got []string
	if list.Outputs == nil || list.Outputs.Result == nil {
		t.Fatalf("list has no result")
	}
	if err := json.Unmarshal([]byte(*list.Outputs.Result), &got); err != nil {
		t.Fatalf("list result %q: %v", *list.Outputs.Result, err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("list result %q, want %q", got, want)
	}
	if got := inParam(taskNode(t, wf, "show"), "list-result"); got != *list.Outputs.Result {
		t.Errorf("show got %q as its input, want the list %q", got, *list.Outputs.Result)
	}
}
