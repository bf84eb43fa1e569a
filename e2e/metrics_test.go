package e2e

// A step's metrics and display_name on the real controller (brief "last").

import (
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// TestStepMetricsAndDisplayName runs testdata/metrics.pipe: each loop
// iteration's node carries the display name built from its inputs, and
// the controller emits the step's and the entry template's metrics
// without a MetricsError condition (a label it cannot resolve is one).
func TestStepMetricsAndDisplayName(t *testing.T) {
	needPipec(t)
	name := submit(t, pipeline(t, "metrics"))
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)
	for _, who := range []string{"ann", "bob"} {
		if n := byDisplay(wf, "greet-"+who+"-data"); len(n) != 1 || n[0].Phase != wfv1.NodeSucceeded {
			t.Errorf("display name greet-%s-data: %v, want one Succeeded node", who, n)
		}
	}
	for _, c := range wf.Status.Conditions {
		if c.Type == wfv1.ConditionTypeMetricsError {
			t.Errorf("metrics error: %s", c.Message)
		}
	}
}
