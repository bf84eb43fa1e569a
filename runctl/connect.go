// Package runctl is pipec's one connection to a cluster: it submits,
// reads, lists and resubmits Argo Workflows the way the argo CLI does, either
// through the Kubernetes API (kubeconfig and context, like kubectl) or
// through an Argo Server (ARGO_SERVER, ARGO_TOKEN, like argo), always with
// Argo's own Go client packages. It also reads a workflow's progress
// (steps, attempts, cache hits) and plans resumes following docs/retries.md.
package runctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// Config says how to reach the cluster. The zero value uses the
// environment: ARGO_SERVER if set, else the kubeconfig ($KUBECONFIG or
// ~/.kube/config) and its current context.
type Config struct {
	Kubeconfig string // --kubeconfig
	Context    string // --context
	Namespace  string // -n/--namespace; default: the context's, else "default"
	// Env looks up environment variables (os.LookupEnv when nil).
	Env func(string) (string, bool)
}

// Client talks to one namespace of one cluster.
type Client struct {
	// Namespace is where workflows are submitted and read.
	Namespace string
	// Where describes the connection for messages ("context kind-dev",
	// "Argo Server localhost:2746").
	Where string
	// CacheNamespace is where the controller keeps its cache ConfigMaps (its
	// own namespace); default: the workflow's.
	CacheNamespace string
	b              backend
}

// backend is what pipec needs of a cluster; kube and server implement it.
type backend interface {
	create(ctx context.Context, ns string, wf *wfv1.Workflow) (*wfv1.Workflow, error)
	get(ctx context.Context, ns, name string) (*wfv1.Workflow, error)
	list(ctx context.Context, ns, labelSelector string) ([]wfv1.Workflow, error)
	resubmit(ctx context.Context, ns, name string, memoized bool, params []string) (*wfv1.Workflow, error)
	// configMap returns errNoConfigMaps when the connection cannot read them.
	configMap(ctx context.Context, ns, name string) (*corev1.ConfigMap, error)
}

// errNoConfigMaps: an Argo Server does not serve ConfigMaps.
var errNoConfigMaps = errors.New("the Argo Server does not serve ConfigMaps")

func init() {
	// Argo's packages log through logrus (for example a warning on every
	// resubmit with parameters); pipec reports for itself.
	log.SetOutput(io.Discard)
}

// Connect opens a client as the argo CLI would: an Argo Server when
// ARGO_SERVER is set, else the Kubernetes API of the kubeconfig's context.
func Connect(cfg Config) (*Client, error) {
	env := cfg.Env
	if env == nil {
		env = os.LookupEnv
	}
	getenv := func(k string) string { v, _ := env(k); return v }
	ns, restNS, kc := cfg.Namespace, "", kubeClientConfig(cfg, getenv)
	if n, _, err := kc.Namespace(); err == nil {
		restNS = n
	}
	if ns == "" {
		ns = getenv("ARGO_NAMESPACE")
	}
	if ns == "" {
		ns = restNS
	}
	if ns == "" {
		ns = "default"
	}
	if server := getenv("ARGO_SERVER"); server != "" {
		b := newServerBackend(server, getenv)
		return &Client{Namespace: ns, Where: "Argo Server " + server, b: b}, nil
	}
	rc, err := kc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("cannot reach a cluster: %v\n\thint: set KUBECONFIG or --kubeconfig (and --context), or ARGO_SERVER and ARGO_TOKEN for an Argo Server", cleanErr(err))
	}
	b, err := newKubeBackend(rc)
	if err != nil {
		return nil, err
	}
	where := "cluster " + rc.Host
	if raw, err := kc.RawConfig(); err == nil {
		c := cfg.Context
		if c == "" {
			c = raw.CurrentContext
		}
		if c != "" {
			where = "context " + c
		}
	}
	return &Client{Namespace: ns, Where: where, b: b}, nil
}

func kubeClientConfig(cfg Config, getenv func(string) string) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if cfg.Kubeconfig != "" {
		rules.ExplicitPath = cfg.Kubeconfig
	} else if k := getenv("KUBECONFIG"); k != "" {
		rules.Precedence = strings.Split(k, string(os.PathListSeparator))
	}
	over := &clientcmd.ConfigOverrides{CurrentContext: cfg.Context}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, over)
}

// cleanErr shortens client-go's errors for users.
func cleanErr(err error) string {
	s := err.Error()
	if clientcmd.IsEmptyConfig(err) {
		return "no kubeconfig found"
	}
	return s
}

// NewFake returns a client backed by in-memory fakes, for tests.
func newClient(ns string, b backend) *Client { return &Client{Namespace: ns, Where: "test", b: b} }
