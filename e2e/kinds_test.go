package e2e

// Template kinds and parameters on the real controller (brief "kinds"):
// a parameter read from a ConfigMap, a timeout from a template argument,
// retry forever, and a retry expression that reads an earlier step's
// result (testdata/kinds.pipe).

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestKinds(t *testing.T) {
	needPipec(t)
	const msg = "hello from a ConfigMap"
	// The controller reads only ConfigMaps with this label ("ConfigMap
	// ... does not exist. Please make sure it has the label ...").
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "pipec-e2e-kinds", Labels: map[string]string{"workflows.argoproj.io/configmap-type": "Parameter"}},
		Data:       map[string]string{"msg": msg},
	}
	if _, err := cl.Kube.CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cl.Kube.CoreV1().ConfigMaps(ns).Delete(context.Background(), cm.Name, metav1.DeleteOptions{})
	})
	name := submit(t, compile(t, filepath.Join("testdata", "kinds.pipe")))
	wf := waitDone(t, name, 2*time.Minute)
	for _, n := range sortedNodes(wf) {
		t.Logf("node %s (%s): %s %s", n.DisplayName, n.Type, n.Phase, n.Message)
	}
	if wf.Status.Phase != wfv1.WorkflowSucceeded {
		t.Errorf("workflow %s (%s), want Succeeded: the only step in Error, slow, is followed by a step that runs", wf.Status.Phase, wf.Status.Message)
	}

	// The ConfigMap's value reached the step as its input.
	if got := inParam(oneByDisplay(t, wf, "show"), "message"); got != msg {
		t.Errorf("show: message %q, want %q", got, msg)
	}

	// timeout "${t}": 2s on a 30s sleep fails it at its deadline; 30s on a
	// 1s sleep does not.
	slow := oneByDisplay(t, wf, "slow")
	if slow.Phase != wfv1.NodeError || !strings.Contains(slow.Message, "exceeded its deadline") {
		t.Errorf("slow: %s %q, want Error: exceeded its deadline", slow.Phase, slow.Message)
	}
	if d := slow.FinishedAt.Sub(slow.StartedAt.Time).Seconds(); d > 25 {
		t.Errorf("slow ran %.0fs: its 2s timeout did not stop it", d)
	}
	if p := oneByDisplay(t, wf, "quick").Phase; p != wfv1.NodeSucceeded {
		t.Errorf("quick: %s, want Succeeded", p)
	}
	if p := oneByDisplay(t, wf, "after-slow").Phase; p != wfv1.NodeSucceeded {
		t.Errorf("after-slow: %s, want Succeeded", p)
	}

	// retry forever: attempts until one succeeds (the third).
	if pods := leafNodes(wf, "flaky"); len(pods) != 3 || pods[2].Phase != wfv1.NodeSucceeded {
		t.Errorf("flaky: %d attempts, want 3, the last Succeeded", len(pods))
	}
	// The expression read check's result: exit 2 was retried, once.
	if pods := leafNodes(wf, "work"); len(pods) != 2 || pods[1].Phase != wfv1.NodeSucceeded {
		t.Errorf("work: %d attempts, want 2, the last Succeeded", len(pods))
	}
}
