package e2e

// HTTP steps on the real controller (issue 10): the controller creates the
// workflow's agent pod and a WorkflowTaskSet; the fake kubelet does what
// `argoexec agent` does (fakekubelet/agent.go): it sends each task's
// request, evaluates its successCondition with Argo's expression package
// and patches the task set's node status, which the controller copies to
// the workflow's nodes.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestHTTPStep(t *testing.T) {
	needPipec(t)
	token := uniq("tok")
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" x-pipec="+r.Header.Get("X-Pipec")+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path != "/hello" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Pipec") != "e2e" || r.Header.Get("Authorization") != token {
			http.Error(w, "bad headers", http.StatusBadRequest)
			return
		}
		fmt.Fprint(w, "hello from the test server")
	}))
	defer srv.Close()

	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "pipec-http"}, StringData: map[string]string{"token": token}}
	if _, err := cl.Kube.CoreV1().Secrets(ns).Create(context.Background(), sec, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cl.Kube.CoreV1().Secrets(ns).Delete(context.Background(), sec.Name, metav1.DeleteOptions{})
	}()

	name := submit(t, compile(t, "testdata/http.pipe"), "-p", "base="+srv.URL)
	wf := waitDone(t, name, 2*time.Minute)
	for _, n := range sortedNodes(wf) {
		t.Logf("node %s (%s): %s %s", n.DisplayName, n.Type, n.Phase, n.Message)
	}
	mu.Lock()
	t.Logf("server saw %q", seen)
	mu.Unlock()
	if wf.Status.Phase != wfv1.WorkflowFailed {
		t.Fatalf("workflow %s (%s), want Failed (reject's condition is false)", wf.Status.Phase, wf.Status.Message)
	}
	call := taskNode(t, wf, "call")
	if call.Type != wfv1.NodeTypeHTTP || call.Phase != wfv1.NodeSucceeded {
		t.Errorf("call: %s %s (%s), want an HTTP node Succeeded", call.Type, call.Phase, call.Message)
	}
	if call.Outputs == nil || call.Outputs.Result == nil || *call.Outputs.Result != "hello from the test server" {
		t.Errorf("call outputs %+v, want the response body as its result", call.Outputs)
	}
	if got := inParam(taskNode(t, wf, "show"), "call-result"); got != "hello from the test server" {
		t.Errorf("show got %q as its input, want call's body", got)
	}
	reject := taskNode(t, wf, "reject")
	if reject.Type != wfv1.NodeTypeHTTP || reject.Phase != wfv1.NodeFailed {
		t.Errorf("reject: %s %s (%s), want an HTTP node Failed", reject.Type, reject.Phase, reject.Message)
	}
	if want := "successCondition 'response.statusCode == 200' evaluated false"; reject.Message != want {
		t.Errorf("reject message %q, want %q", reject.Message, want)
	}
	// The controller deletes the agent pod with the workflow (the agent may
	// first see the task set labelled completed and exit 0); it never fails.
	if got := agentPodEnd(t, name); got != "deleted" && got != string(corev1.PodSucceeded) {
		t.Errorf("agent pod %s, want it deleted or Succeeded once the workflow is done", got)
	}
}

// agentPodEnd waits (up to a minute) for the workflow's agent pod to end
// and says how: "deleted", or its terminal phase.
func agentPodEnd(t *testing.T, wf string) string {
	t.Helper()
	ctx := tctx(t, time.Minute)
	state := "still running"
	for ctx.Err() == nil {
		l, err := cl.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "workflows.argoproj.io/component=agent,workflows.argoproj.io/workflow=" + wf})
		if err == nil {
			if len(l.Items) == 0 {
				return "deleted"
			}
			p := l.Items[0]
			if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
				return string(p.Status.Phase)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	return state
}
