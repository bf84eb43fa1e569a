package e2e

import (
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/e2e/fakekubelet"
)

// The containers example on the real controller: a container set runs as
// one pod whose containers become Container nodes, each after the ones it
// names; a step with an init container and a sidecar gets them in its pod;
// every one of these containers carries pipec's RETRY_* environment. A
// second run with the same run id is a cache hit on the container set
// (it is memoized like a container), and the step after it still gets its
// output.
func TestContainers(t *testing.T) {
	needPipec(t)
	file := compile(t, example("containers"))
	id := uniq("containers")
	name := submit(t, file, "-p", "run_id="+id)
	wf := mustPhase(t, name, wfv1.WorkflowSucceeded)

	graph := oneByDisplay(t, wf, "graph")
	if out := outParam(graph, "out"); out != "done" {
		t.Errorf("graph output out = %q, want done (written by the container set's main)", out)
	}
	for _, c := range []string{"a", "b", "c", "main"} {
		n := oneByDisplay(t, wf, c)
		if n.Type != wfv1.NodeTypeContainer || n.Phase != wfv1.NodeSucceeded {
			t.Errorf("container %s: a %s node, %s; want a Succeeded Container node", c, n.Type, n.Phase)
		}
	}
	web := oneByDisplay(t, wf, "web")
	if v := inParam(web, "graph-out"); v != "done" {
		t.Errorf("web got graph.out %q, want done", v)
	}

	pods := podsByStep(t, name)
	if len(pods["graph"]) != 1 || len(pods["web"]) != 1 {
		t.Fatalf("pods: %d of graph, %d of web; want one each", len(pods["graph"]), len(pods["web"]))
	}
	gp, wp := pods["graph"][0], pods["web"][0]
	wantContainers(t, gp.Spec.Containers, "a", "b", "c", "main")
	wantContainers(t, wp.Spec.Containers, "main", "nginx")
	wantContainers(t, wp.Spec.InitContainers, "fetch")
	for _, c := range wp.Spec.Containers {
		if c.Name == "nginx" && (c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.TimeoutSeconds != 1) {
			t.Errorf("nginx readiness probe: %+v", c.ReadinessProbe)
		}
	}
	for _, c := range wp.Spec.InitContainers {
		if c.Name == "fetch" && !hasMount(c, "/data") {
			t.Errorf("fetch does not mirror the step's mounts: %+v", c.VolumeMounts)
		}
	}
	if m := wp.Annotations[fakekubelet.AnnotationMode]; m != "simulated" {
		t.Errorf("web pod mode %q: the fake kubelet cannot run its sidecar, it must simulate the pod", m)
	}

	// A resumed run: the container set is a cache hit and its consumer gets
	// the cached output.
	again := mustPhase(t, submit(t, file, "-p", "run_id="+id), wfv1.WorkflowSucceeded)
	g2 := oneByDisplay(t, again, "graph")
	if g2.MemoizationStatus == nil || !g2.MemoizationStatus.Hit {
		t.Errorf("graph on the second run: memo %s, want a cache hit", memo(g2))
	}
	if v := inParam(oneByDisplay(t, again, "web"), "graph-out"); v != "done" {
		t.Errorf("web on the second run got graph.out %q, want done", v)
	}
}

// wantContainers checks that a pod's containers include the named ones,
// each with pipec's RETRY_* environment.
func wantContainers(t *testing.T, cs []corev1.Container, names ...string) {
	t.Helper()
	for _, n := range names {
		var found *corev1.Container
		for i := range cs {
			if cs[i].Name == n {
				found = &cs[i]
			}
		}
		if found == nil {
			t.Errorf("no container %q in the pod", n)
			continue
		}
		if !hasEnvName(found.Env, "RETRY_RUN_ID") || !hasEnvName(found.Env, "RETRY_INDICATOR") {
			t.Errorf("container %q lacks pipec's RETRY_* environment: %+v", n, found.Env)
		}
	}
}

func hasEnvName(env []corev1.EnvVar, name string) bool {
	for _, e := range env {
		if e.Name == name {
			return true
		}
	}
	return false
}

func hasMount(c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}
