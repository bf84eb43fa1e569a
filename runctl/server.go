package runctl

import (
	"context"

	"github.com/argoproj/argo-workflows/v3/pkg/apiclient/http1"
	workflowpkg "github.com/argoproj/argo-workflows/v3/pkg/apiclient/workflow"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// serverBackend talks to an Argo Server with Argo's HTTP client (what
// `argo --argo-http1` uses), configured from the same variables as argo:
// ARGO_SERVER (host:port), ARGO_TOKEN ("Bearer ..."), ARGO_SECURE,
// ARGO_INSECURE_SKIP_VERIFY, ARGO_BASE_HREF.
type serverBackend struct {
	c workflowpkg.WorkflowServiceClient
}

func newServerBackend(server string, getenv func(string) string) *serverBackend {
	scheme := "https://"
	if getenv("ARGO_SECURE") == "false" {
		scheme = "http://"
	}
	base := scheme + server + getenv("ARGO_BASE_HREF")
	f := http1.NewFacade(base, getenv("ARGO_TOKEN"), getenv("ARGO_INSECURE_SKIP_VERIFY") == "true", nil, nil)
	return &serverBackend{c: http1.WorkflowServiceClient(f)}
}

func (s *serverBackend) create(ctx context.Context, ns string, wf *wfv1.Workflow) (*wfv1.Workflow, error) {
	return s.c.CreateWorkflow(ctx, &workflowpkg.WorkflowCreateRequest{Namespace: ns, Workflow: wf})
}

func (s *serverBackend) get(ctx context.Context, ns, name string) (*wfv1.Workflow, error) {
	return s.c.GetWorkflow(ctx, &workflowpkg.WorkflowGetRequest{Namespace: ns, Name: name})
}

func (s *serverBackend) list(ctx context.Context, ns, sel string) ([]wfv1.Workflow, error) {
	l, err := s.c.ListWorkflows(ctx, &workflowpkg.WorkflowListRequest{Namespace: ns, ListOptions: &metav1.ListOptions{LabelSelector: sel}})
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (s *serverBackend) resubmit(ctx context.Context, ns, name string, memoized bool, params []string) (*wfv1.Workflow, error) {
	return s.c.ResubmitWorkflow(ctx, &workflowpkg.WorkflowResubmitRequest{Namespace: ns, Name: name, Memoized: memoized, Parameters: params})
}

func (s *serverBackend) configMap(context.Context, string, string) (*corev1.ConfigMap, error) {
	return nil, errNoConfigMaps
}
