// Package cluster starts and stops the e2e cluster: etcd, kube-apiserver,
// Argo's workflow-controller (all as child processes on 127.0.0.1, each
// stopped by its PID) and the fake kubelet (in-process). Every component
// logs to a file in the cluster's directory.
package cluster

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/pipec/pipec/e2e/fakekubelet"
	"github.com/pipec/pipec/e2e/s3"
)

// controllerReady is logged by the workflow-controller once its informers
// have synced (workflowGarbageCollector starts right after).
const controllerReady = "Performing periodic GC"

// Namespace is where Argo runs and where workflows are submitted.
const Namespace = "argo"

// Options locate the binaries and tune the controller.
type Options struct {
	EtcdBin, APIServerBin, KubectlBin, ControllerBin, ArgoBin string
	// CRDDir holds Argo's full CRDs (manifests/base/crds/full) of the
	// controller's own version.
	CRDDir string
	// ArgoVersion is the controller's release (v3.7.18, v4.0.5), and
	// Target the pipec build --argo value for it (3.7, 4).
	ArgoVersion, Target string
	// ControllerEnv is added to the controller's environment
	// (e.g. CACHE_GC_PERIOD).
	ControllerEnv []string
	// Dir is the cluster's directory; a temporary one when empty.
	Dir string
}

// ControllersFromEnv reads the PIPEC_E2E_* variables that run.sh exports:
// one Options per Argo controller the suite runs on, in the order they
// run (Argo v3.7.18 from PIPEC_E2E_ARGO_DIR and PIPEC_E2E_CRD_DIR, Argo
// v4.0.5 from PIPEC_E2E_ARGO4_DIR and PIPEC_E2E_CRD4_DIR; a controller
// whose variables are not set is left out). ok is false when there is no
// controller (the suite then skips).
func ControllersFromEnv() (list []Options, ok bool) {
	etcd, kube := os.Getenv("PIPEC_E2E_ETCD_DIR"), os.Getenv("PIPEC_E2E_KUBE_DIR")
	if etcd == "" || kube == "" {
		return nil, false
	}
	for _, c := range []struct{ dirVar, crdVar, version, target string }{
		{"PIPEC_E2E_ARGO_DIR", "PIPEC_E2E_CRD_DIR", "v3.7.18", "3.7"},
		{"PIPEC_E2E_ARGO4_DIR", "PIPEC_E2E_CRD4_DIR", "v4.0.5", "4"},
	} {
		argo, crds := os.Getenv(c.dirVar), os.Getenv(c.crdVar)
		if argo == "" || crds == "" {
			continue
		}
		list = append(list, Options{
			EtcdBin:       filepath.Join(etcd, "etcd"),
			APIServerBin:  filepath.Join(kube, "kube-apiserver"),
			KubectlBin:    filepath.Join(kube, "kubectl"),
			ControllerBin: filepath.Join(argo, "workflow-controller"),
			ArgoBin:       filepath.Join(argo, "argo"),
			CRDDir:        crds,
			ArgoVersion:   c.version,
			Target:        c.target,
		})
	}
	return list, len(list) > 0
}

// OptionsFromEnv is the first of ControllersFromEnv.
func OptionsFromEnv() (Options, bool) {
	list, ok := ControllersFromEnv()
	if !ok {
		return Options{}, false
	}
	return list[0], true
}

// Cluster is a running e2e cluster.
type Cluster struct {
	Opts       Options
	Dir        string
	Kubeconfig string
	Kube       kubernetes.Interface
	WF         wfclientset.Interface
	// Timings of the start-up phases.
	Timings []string
	// S3 is the artifact repository's server (artifacts.go).
	S3 *s3.Server

	mu      sync.Mutex
	procs   []*proc
	stopKub context.CancelFunc
	kubDone chan struct{}
	logs    []string
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start brings the whole cluster up, or returns an error with everything
// already started stopped again.
func Start(ctx context.Context, opts Options) (c *Cluster, err error) {
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "pipec-e2e-"); err != nil {
			return nil, err
		}
	}
	c = &Cluster{Opts: opts, Dir: dir}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	t0 := time.Now()
	phase := func(name string) {
		c.Timings = append(c.Timings, fmt.Sprintf("%s %.1fs", name, time.Since(t0).Seconds()))
	}

	// etcd
	clientPort, err := freePort()
	if err != nil {
		return c, err
	}
	peerPort, err := freePort()
	if err != nil {
		return c, err
	}
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	if err := c.spawn("etcd", opts.EtcdBin, nil,
		"--name", "e2e", "--data-dir", filepath.Join(dir, "etcd-data"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "e2e="+peerURL, "--unsafe-no-fsync",
		"--log-level", "warn"); err != nil {
		return c, err
	}
	if err := c.waitHTTP(ctx, "etcd", etcdURL+"/health", nil, 30*time.Second); err != nil {
		return c, err
	}
	phase("etcd")

	// kube-apiserver
	pki, err := writePKI(filepath.Join(dir, "pki"))
	if err != nil {
		return c, err
	}
	apiPort, err := freePort()
	if err != nil {
		return c, err
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	if err := c.spawn("kube-apiserver", opts.APIServerBin, nil,
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
		"--secure-port", fmt.Sprint(apiPort),
		"--cert-dir", filepath.Join(dir, "pki", "apiserver"),
		"--tls-cert-file", pki.serverCert, "--tls-private-key-file", pki.serverKey,
		"--client-ca-file", pki.caCert,
		"--token-auth-file", pki.tokenFile,
		"--authorization-mode", "AlwaysAllow",
		"--service-account-key-file", pki.saPub,
		"--service-account-signing-key-file", pki.saKey,
		"--service-account-issuer", "https://127.0.0.1",
		"--service-cluster-ip-range", "10.0.0.0/24",
		"--endpoint-reconciler-type", "none",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	); err != nil {
		return c, err
	}
	tlsCfg := &tls.Config{RootCAs: x509.NewCertPool()}
	tlsCfg.RootCAs.AppendCertsFromPEM(pki.caPEM)
	hdr := http.Header{"Authorization": {"Bearer " + pki.token}}
	if err := c.waitHTTP(ctx, "kube-apiserver", server+"/readyz", &httpOpts{tls: tlsCfg, header: hdr}, 90*time.Second); err != nil {
		return c, err
	}
	phase("kube-apiserver")

	c.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(c.Kubeconfig, server, pki); err != nil {
		return c, err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return c, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	if c.Kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return c, err
	}
	if c.WF, err = wfclientset.NewForConfig(cfg); err != nil {
		return c, err
	}

	// Namespace, service account (no controller-manager creates it), CRDs.
	if _, err := c.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}, metav1.CreateOptions{}); err != nil && !apierr.IsAlreadyExists(err) {
		return c, err
	}
	if _, err := c.Kube.CoreV1().ServiceAccounts(Namespace).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil && !apierr.IsAlreadyExists(err) {
		return c, err
	}
	crds, err := filepath.Glob(filepath.Join(opts.CRDDir, "argoproj.io_*.yaml"))
	if err != nil || len(crds) == 0 {
		return c, fmt.Errorf("no CRDs in %s", opts.CRDDir)
	}
	sort.Strings(crds)
	for _, f := range crds {
		t1 := time.Now()
		if out, err := c.Kubectl(ctx, "apply", "--server-side", "--field-manager", "pipec-e2e", "-f", f); err != nil {
			return c, fmt.Errorf("apply %s: %v\n%s", filepath.Base(f), err, out)
		}
		c.Timings = append(c.Timings, fmt.Sprintf("%s:%.1fs", strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "argoproj.io_"), ".yaml"), time.Since(t1).Seconds()))
	}
	if err := c.waitCRDs(ctx, 60*time.Second); err != nil {
		return c, err
	}
	phase("crds")

	repo, err := c.startArtifactRepository(ctx) // artifacts.go
	if err != nil {
		return c, err
	}
	if _, err := c.Kube.CoreV1().ConfigMaps(Namespace).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "workflow-controller-configmap"},
		Data:       map[string]string{"metricsConfig": "enabled: false\n", "artifactRepository": repo},
	}, metav1.CreateOptions{}); err != nil && !apierr.IsAlreadyExists(err) {
		return c, err
	}

	// The fake kubelet, in-process.
	if err := c.startKubelet(cfg); err != nil {
		return c, err
	}

	// workflow-controller
	env := append([]string{"DEFAULT_REQUEUE_TIME=1s", "LEADER_ELECTION_DISABLE=true"}, opts.ControllerEnv...)
	if err := c.spawn("workflow-controller", opts.ControllerBin, env,
		"--kubeconfig", c.Kubeconfig, "--namespaced", "--managed-namespace", Namespace,
		"--configmap", "workflow-controller-configmap", "--loglevel", "info"); err != nil {
		return c, err
	}
	if err := c.waitLog(ctx, "workflow-controller", controllerReady, 60*time.Second); err != nil {
		return c, err
	}
	phase("workflow-controller")
	return c, nil
}

// waitCRDs waits until every Argo resource can be listed (the CRDs are
// established and served); much cheaper than `kubectl wait crd`, which
// fetches the multi-megabyte CRD objects.
func (c *Cluster) waitCRDs(ctx context.Context, timeout time.Duration) error {
	a := c.WF.ArgoprojV1alpha1()
	lo := metav1.ListOptions{Limit: 1}
	checks := map[string]func() error{
		"workflows":                func() error { _, err := a.Workflows(Namespace).List(ctx, lo); return err },
		"workflowtaskresults":      func() error { _, err := a.WorkflowTaskResults(Namespace).List(ctx, lo); return err },
		"workflowtasksets":         func() error { _, err := a.WorkflowTaskSets(Namespace).List(ctx, lo); return err },
		"workflowtemplates":        func() error { _, err := a.WorkflowTemplates(Namespace).List(ctx, lo); return err },
		"clusterworkflowtemplates": func() error { _, err := a.ClusterWorkflowTemplates().List(ctx, lo); return err },
		"cronworkflows":            func() error { _, err := a.CronWorkflows(Namespace).List(ctx, lo); return err },
		"workflowartifactgctasks":  func() error { _, err := a.WorkflowArtifactGCTasks(Namespace).List(ctx, lo); return err },
		"workfloweventbindings":    func() error { _, err := a.WorkflowEventBindings(Namespace).List(ctx, lo); return err },
	}
	deadline := time.Now().Add(timeout)
	for name, check := range checks {
		for {
			err := check()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("CRD %s not served after %s: %w", name, timeout, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func (c *Cluster) logPath(name string) string { return filepath.Join(c.Dir, name+".log") }

func (c *Cluster) spawn(name, bin string, env []string, args ...string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	lf, err := os.OpenFile(c.logPath(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = c.Dir
	// Own process group (so a terminal's ^C reaches us first and we stop it
	// by PID), and killed by the kernel if this process dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	fmt.Fprintf(lf, "# %s %s\n", bin, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		lf.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: lf, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.logs = append(c.logs, name)
	c.mu.Unlock()
	if err := os.WriteFile(filepath.Join(c.Dir, name+".pid"), []byte(fmt.Sprint(cmd.Process.Pid)), 0o644); err != nil {
		return err
	}
	return nil
}

func (c *Cluster) proc(name string) *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		if p.name == name {
			return p
		}
	}
	return nil
}

type httpOpts struct {
	tls    *tls.Config
	header http.Header
}

func (c *Cluster) waitHTTP(ctx context.Context, name, url string, o *httpOpts, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	if o != nil && o.tls != nil {
		client.Transport = &http.Transport{TLSClientConfig: o.tls}
	}
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if p := c.proc(name); p != nil {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited: %v\n%s", name, p.err, c.Tail(name, 30))
			default:
			}
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if o != nil {
			req.Header = o.header
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after %s (%s)\n%s", name, timeout, last, c.Tail(name, 30))
}

func (c *Cluster) waitLog(ctx context.Context, name, needle string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(c.logPath(name))
		if bytes.Contains(b, []byte(needle)) {
			return nil
		}
		if p := c.proc(name); p != nil {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited: %v\n%s", name, p.err, c.Tail(name, 30))
			default:
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s: no %q in its log after %s\n%s", name, needle, timeout, c.Tail(name, 30))
}

func (c *Cluster) startKubelet(cfg interface{}) error {
	lf, err := os.OpenFile(c.logPath("fakekubelet"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	work := filepath.Join(c.Dir, "pods")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	k := fakekubelet.New(c.Kube, c.WF, fakekubelet.Config{
		Namespace: Namespace, WorkDir: work, Workers: 4,
		Logger: log.New(lf, "", log.LstdFlags|log.Lmicroseconds),
	})
	ctx, cancel := context.WithCancel(context.Background())
	c.stopKub = cancel
	c.kubDone = make(chan struct{})
	c.logs = append(c.logs, "fakekubelet")
	go func() {
		defer close(c.kubDone)
		defer lf.Close()
		if err := k.Run(ctx); err != nil {
			fmt.Fprintf(lf, "fakekubelet stopped: %v\n", err)
		}
	}()
	return nil
}

// RestartController stops the workflow-controller and starts it again with
// extra environment (e.g. CACHE_GC_PERIOD for a scenario that needs it).
func (c *Cluster) RestartController(ctx context.Context, extraEnv []string) error {
	if p := c.proc("workflow-controller"); p != nil {
		stopProc(p)
		c.mu.Lock()
		for i, q := range c.procs {
			if q == p {
				c.procs = append(c.procs[:i], c.procs[i+1:]...)
				break
			}
		}
		c.logs = removeString(c.logs, "workflow-controller")
		c.mu.Unlock()
	}
	env := append([]string{"DEFAULT_REQUEUE_TIME=1s", "LEADER_ELECTION_DISABLE=true"}, c.Opts.ControllerEnv...)
	env = append(env, extraEnv...)
	before := 0
	if b, err := os.ReadFile(c.logPath("workflow-controller")); err == nil {
		before = len(b)
	}
	if err := c.spawn("workflow-controller", c.Opts.ControllerBin, env,
		"--kubeconfig", c.Kubeconfig, "--namespaced", "--managed-namespace", Namespace,
		"--configmap", "workflow-controller-configmap", "--loglevel", "info"); err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(c.logPath("workflow-controller"))
		if len(b) > before && bytes.Contains(b[before:], []byte(controllerReady)) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("workflow-controller did not restart\n%s", c.Tail("workflow-controller", 30))
}

func removeString(ss []string, s string) []string {
	out := ss[:0]
	for _, x := range ss {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func stopProc(p *proc) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.log.Close()
}

// Stop stops every component, in reverse start order, each by its PID.
func (c *Cluster) Stop() {
	c.mu.Lock()
	procs := append([]*proc(nil), c.procs...)
	c.mu.Unlock()
	// The controller first, then the kubelet, then the API server and etcd.
	for i := len(procs) - 1; i >= 0; i-- {
		if procs[i].name == "kube-apiserver" && c.stopKub != nil {
			c.stopKub()
			select {
			case <-c.kubDone:
			case <-time.After(10 * time.Second):
			}
			c.stopKub = nil
		}
		stopProc(procs[i])
	}
	if c.stopKub != nil {
		c.stopKub()
	}
	if c.S3 != nil {
		c.S3.Close()
		c.S3 = nil
	}
}

// Tail returns the last n lines of a component's log.
func (c *Cluster) Tail(name string, n int) string {
	f, err := os.Open(c.logPath(name))
	if err != nil {
		return fmt.Sprintf("(no log for %s: %v)", name, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 4*n {
			lines = lines[len(lines)-n:]
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// DumpLogs writes the tail of every component's log to w.
func (c *Cluster) DumpLogs(w io.Writer, n int) {
	c.mu.Lock()
	names := append([]string(nil), c.logs...)
	c.mu.Unlock()
	for _, name := range names {
		fmt.Fprintf(w, "\n===== %s (last %d lines of %s) =====\n%s\n", name, n, c.logPath(name), c.Tail(name, n))
	}
}

// Grep returns the lines of a component's log containing needle.
func (c *Cluster) Grep(name, needle string) []string {
	b, err := os.ReadFile(c.logPath(name))
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, needle) {
			out = append(out, l)
		}
	}
	return out
}

// Kubectl runs kubectl against the cluster.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.Opts.KubectlBin, append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Argo runs the argo CLI the way a user does (KUBECONFIG and ARGO_NAMESPACE).
func (c *Cluster) Argo(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.Opts.ArgoBin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig, "ARGO_NAMESPACE="+Namespace)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("argo %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// ErrSkip reports that the suite has no cluster configured.
var ErrSkip = errors.New("PIPEC_E2E_* not set: run e2e/run.sh")
