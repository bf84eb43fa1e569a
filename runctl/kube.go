package runctl

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	"github.com/argoproj/argo-workflows/v3/workflow/util"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
)

// kubeBackend talks to the Kubernetes API with Argo's clientset, as
// `argo` does without an Argo Server.
type kubeBackend struct {
	wf   wfclientset.Interface
	core corev1client.CoreV1Interface
}

// warnings prints the API server's warnings, except the one for the field
// Argo 4 no longer has: pipec's workflows are lowered with Argo 3.7's types,
// and an Argo 4 API server drops memoize.cache.configMap.key (which its
// controller would ignore anyway; pipec build --argo 4 does not write it).
type warnings struct{ w io.Writer }

func (h warnings) HandleWarningHeader(code int, agent, text string) {
	if code != 299 || text == "" || strings.Contains(text, "memoize.cache.configMap.key") {
		return
	}
	fmt.Fprintf(h.w, "warning: %s\n", text)
}

func newKubeBackend(rc *rest.Config) (*kubeBackend, error) {
	rc = rest.CopyConfig(rc)
	rc.WarningHandler = warnings{os.Stderr}
	wf, err := wfclientset.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("cannot make an Argo client: %v", err)
	}
	core, err := corev1client.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("cannot make a Kubernetes client: %v", err)
	}
	return &kubeBackend{wf: wf, core: core}, nil
}

func (k *kubeBackend) create(ctx context.Context, ns string, wf *wfv1.Workflow) (*wfv1.Workflow, error) {
	return k.wf.ArgoprojV1alpha1().Workflows(ns).Create(ctx, wf, metav1.CreateOptions{})
}

func (k *kubeBackend) get(ctx context.Context, ns, name string) (*wfv1.Workflow, error) {
	return k.wf.ArgoprojV1alpha1().Workflows(ns).Get(ctx, name, metav1.GetOptions{})
}

func (k *kubeBackend) list(ctx context.Context, ns, sel string) ([]wfv1.Workflow, error) {
	l, err := k.wf.ArgoprojV1alpha1().Workflows(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// resubmit does what the Argo Server's ResubmitWorkflow does (and so what
// `argo resubmit` does in either mode): Argo's own FormulateResubmitWorkflow,
// then a create.
func (k *kubeBackend) resubmit(ctx context.Context, ns, name string, memoized bool, params []string) (*wfv1.Workflow, error) {
	old, err := k.get(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	wf, err := util.FormulateResubmitWorkflow(ctx, old, memoized, params)
	if err != nil {
		return nil, err
	}
	return k.create(ctx, ns, wf)
}

func (k *kubeBackend) configMap(ctx context.Context, ns, name string) (*corev1.ConfigMap, error) {
	return k.core.ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
}
