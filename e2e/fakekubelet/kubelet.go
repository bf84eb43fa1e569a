// Package fakekubelet completes the pods that Argo's workflow controller
// creates on a cluster that has no nodes, the way a kubelet running Argo's
// emissary executor would: it runs the main container's command here when
// it can (or simulates it), writes the WorkflowTaskResult that the wait
// container would write (output parameters, script result), and then sets
// the pod's status to Succeeded or Failed with terminated containers.
//
// What happens to a pod can be decided from outside the pipeline by rules
// (see Rule), read from ConfigMaps labelled RulesLabel.
package fakekubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
)

// Argo's names (workflow/common), repeated here to keep this package's
// imports to Argo's API types and clientset.
const (
	labelWorkflow                     = "workflows.argoproj.io/workflow"
	labelReportOutputsCompleted       = "workflows.argoproj.io/report-outputs-completed"
	annotationNodeID                  = "workflows.argoproj.io/node-id"
	annotationNodeName                = "workflows.argoproj.io/node-name"
	envTemplate                       = "ARGO_TEMPLATE"
	envIncludeScriptOutput            = "ARGO_INCLUDE_SCRIPT_OUTPUT"
	scriptSourcePath                  = "/argo/staging/script"
	mainContainer                     = "main"
	waitContainer                     = "wait"
	AnnotationMode                    = "pipec-e2e/kubelet-mode"   // "exec" or "simulated"
	AnnotationRule                    = "pipec-e2e/kubelet-rule"   // which rule matched
	AnnotationStdout                  = "pipec-e2e/kubelet-stdout" // head of the real stdout
	AnnotationEnv                     = "pipec-e2e/kubelet-env"    // env the command saw (JSON, RETRY_* only)
	maxStdoutAnnotation               = 2048
	defaultCommandTimeout             = 2 * time.Minute
	executorErrorExitCode       int32 = 1
)

// Config configures a Kubelet.
type Config struct {
	Namespace string
	// WorkDir holds one private directory per executed pod.
	WorkDir string
	// Exec: "auto" runs commands whose program exists here; "never" simulates all.
	Exec    string
	Workers int
	Logger  *log.Logger
}

// Kubelet is the fake kubelet.
type Kubelet struct {
	cfg  Config
	kube kubernetes.Interface
	wf   wfclientset.Interface
	log  *log.Logger

	mu   sync.Mutex
	done map[types.UID]bool
}

// New returns a Kubelet.
func New(kube kubernetes.Interface, wf wfclientset.Interface, cfg Config) *Kubelet {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Exec == "" {
		cfg.Exec = "auto"
	}
	if cfg.Logger == nil {
		cfg.Logger = log.New(os.Stderr, "fakekubelet ", log.LstdFlags|log.Lmicroseconds)
	}
	if cfg.WorkDir == "" {
		cfg.WorkDir = os.TempDir()
	}
	return &Kubelet{cfg: cfg, kube: kube, wf: wf, log: cfg.Logger, done: map[types.UID]bool{}}
}

// Run handles pods until ctx is done.
func (k *Kubelet) Run(ctx context.Context) error {
	factory := informers.NewSharedInformerFactoryWithOptions(k.kube, 0, informers.WithNamespace(k.cfg.Namespace))
	podInformer := factory.Core().V1().Pods().Informer()
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	defer queue.ShutDown()
	enqueue := func(obj any) {
		if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
			queue.Add(key)
		}
	}
	if _, err := podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, n any) { enqueue(n) },
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.HasSynced) {
		return errors.New("pod informer did not sync")
	}
	k.log.Printf("ready: namespace=%s exec=%s workers=%d", k.cfg.Namespace, k.cfg.Exec, k.cfg.Workers)
	var wg sync.WaitGroup
	for i := 0; i < k.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				key, shutdown := queue.Get()
				if shutdown {
					return
				}
				obj, exists, err := podInformer.GetStore().GetByKey(key)
				if err == nil && exists {
					err = k.handle(ctx, obj.(*corev1.Pod))
				}
				if err != nil && ctx.Err() == nil {
					k.log.Printf("pod %s: %v (will retry)", key, err)
					queue.AddRateLimited(key)
				} else {
					queue.Forget(key)
				}
				queue.Done(key)
			}
		}()
	}
	<-ctx.Done()
	queue.ShutDown()
	wg.Wait()
	return nil
}

func (k *Kubelet) handle(ctx context.Context, pod *corev1.Pod) error {
	if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return nil
	}
	if isAgentPod(pod) {
		return k.startAgent(ctx, pod) // agent.go
	}
	wfName := pod.Labels[labelWorkflow]
	nodeID := pod.Annotations[annotationNodeID]
	if wfName == "" || nodeID == "" {
		return nil // not an Argo workflow pod
	}
	if !k.claim(pod.UID) {
		return nil
	}
	err := k.complete(ctx, pod, wfName, nodeID)
	if err != nil {
		k.unclaim(pod.UID)
	}
	return err
}

// claim records that pod uid is being handled, false if it already is
// (the informer delivers a pod again on every update).
func (k *Kubelet) claim(uid types.UID) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.done[uid] {
		return false
	}
	k.done[uid] = true
	return true
}

// unclaim forgets pod uid after its handling failed, so that its next
// update tries again.
func (k *Kubelet) unclaim(uid types.UID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.done, uid)
}

// outcome is what happened to the main container.
type outcome struct {
	mode     string // exec | simulated
	rule     string
	exitCode int32
	message  string
	stdout   string
	outputs  *wfv1.Outputs
	// waitExit is non-zero when the executor could not collect outputs.
	waitExit int32
	waitMsg  string
	env      map[string]string
	// artifacts notes what was done with each artifact (artifacts.go).
	artifacts []string
}

func podTemplate(pod *corev1.Pod) (*wfv1.Template, bool) {
	var raw string
	var include bool
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range cs {
			for _, e := range c.Env {
				if e.Name == envTemplate && e.Value != "" && raw == "" {
					raw = e.Value
				}
				if e.Name == envIncludeScriptOutput && e.Value == "true" {
					include = true
				}
			}
		}
	}
	tmpl := &wfv1.Template{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), tmpl); err != nil {
			return &wfv1.Template{}, include
		}
	}
	return tmpl, include
}

func (k *Kubelet) rules(ctx context.Context) (RuleSet, error) {
	cms, err := k.kube.CoreV1().ConfigMaps(k.cfg.Namespace).List(ctx, metav1.ListOptions{LabelSelector: RulesLabel})
	if err != nil {
		return nil, err
	}
	rs := RuleSet{}
	for _, cm := range cms.Items {
		for key, v := range cm.Data {
			rules, err := ParseRules([]byte(v))
			if err != nil {
				k.log.Printf("ignoring rules %s/%s: %v", cm.Name, key, err)
				continue
			}
			rs[cm.Name+"/"+key] = rules
		}
	}
	return rs, nil
}

func (k *Kubelet) complete(ctx context.Context, pod *corev1.Pod, wfName, nodeID string) error {
	tmpl, includeResult := podTemplate(pod)
	id := Identify(wfName, pod.Annotations[annotationNodeName], tmpl.Name)
	rs, err := k.rules(ctx)
	if err != nil {
		return err
	}
	rule, ruleName, _ := rs.Find(id)
	if rule.DelaySeconds > 0 {
		if err := k.setRunning(ctx, pod); err != nil {
			return err
		}
		select {
		case <-time.After(time.Duration(rule.DelaySeconds * float64(time.Second))):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	out := k.execute(ctx, pod, tmpl, rule, includeResult)
	out.rule = ruleName

	// 1. The wait container's report: the WorkflowTaskResult.
	if err := k.writeTaskResult(ctx, pod, wfName, nodeID, out); err != nil {
		return fmt.Errorf("task result: %w", err)
	}
	// 2. Evidence for the tests, on the pod.
	ann := map[string]string{AnnotationMode: out.mode, AnnotationRule: out.rule}
	if len(out.artifacts) > 0 {
		ann[AnnotationArtifacts] = strings.Join(out.artifacts, " ")
	}
	if out.mode == "exec" {
		s := out.stdout
		if len(s) > maxStdoutAnnotation {
			s = s[:maxStdoutAnnotation]
		}
		ann[AnnotationStdout] = s
		if b, err := json.Marshal(out.env); err == nil {
			ann[AnnotationEnv] = string(b)
		}
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": ann}})
	if _, err := k.kube.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("annotate pod: %w", err)
	}
	// 3. The pod's terminal status.
	if err := k.setTerminated(ctx, pod, out); err != nil {
		return fmt.Errorf("pod status: %w", err)
	}
	var params []string
	if out.outputs != nil {
		for _, p := range out.outputs.Parameters {
			params = append(params, fmt.Sprintf("%s=%q", p.Name, p.Value.String()))
		}
		if out.outputs.Result != nil {
			params = append(params, fmt.Sprintf("result=%q", *out.outputs.Result))
		}
	}
	k.log.Printf("pod %s wf=%s step=%s attempt=%d template=%s mode=%s rule=%q exit=%d wait=%d outputs=[%s]",
		pod.Name, wfName, id.Step, id.Attempt, id.Template, out.mode, out.rule, out.exitCode, out.waitExit, strings.Join(params, " "))
	return nil
}

// mainArgv returns the user's command of the main container, i.e. what
// follows "--" in argoexec emissary's command line, then the args.
func mainArgv(c *corev1.Container) []string {
	cmd := c.Command
	for i, a := range cmd {
		if a == "--" && i > 0 && strings.Contains(strings.Join(cmd[:i], " "), "emissary") {
			cmd = cmd[i+1:]
			break
		}
	}
	return append(append([]string{}, cmd...), c.Args...)
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	return nil
}

func (k *Kubelet) execute(ctx context.Context, pod *corev1.Pod, tmpl *wfv1.Template, rule Rule, includeResult bool) outcome {
	if tmpl.Data != nil {
		return k.runData(ctx, pod, tmpl) // data.go
	}
	out := outcome{mode: "simulated"}
	main := findContainer(pod, mainContainer)
	var argv []string
	if main != nil {
		argv = mainArgv(main)
	}
	env := map[string]string{}
	if main != nil {
		for _, e := range main.Env {
			if e.ValueFrom == nil {
				env[e.Name] = e.Value
			}
		}
	}
	out.env = map[string]string{}
	for n, v := range env {
		if strings.HasPrefix(n, "RETRY_") {
			out.env[n] = v
		}
	}

	// Only the main container runs here: a pod whose step also needs its
	// sidecars or init containers (a server it talks to, a file one
	// writes) is simulated.
	canExec := k.cfg.Exec != "never" && !rule.Simulate && len(argv) > 0 && tmpl.Resource == nil &&
		len(tmpl.Sidecars) == 0 && len(tmpl.InitContainers) == 0
	if canExec {
		if _, err := exec.LookPath(argv[0]); err != nil {
			canExec = false
		}
	}
	var root string
	if canExec {
		var err error
		root, err = os.MkdirTemp(k.cfg.WorkDir, pod.Name+"-")
		if err != nil {
			canExec = false
		}
	}
	// Input artifacts (artifacts.go), in a private directory for every pod
	// that has artifacts.
	if root == "" && len(artifactPaths(tmpl)) > 0 {
		root, _ = os.MkdirTemp(k.cfg.WorkDir, pod.Name+"-")
	}
	if root != "" {
		if err := k.loadArtifacts(ctx, pod, tmpl, root, canExec, &out.artifacts); err != nil {
			out.waitExit, out.waitMsg = executorErrorExitCode, "init: "+err.Error()
			return out
		}
	}
	if canExec {
		out.mode = "exec"
		// Remap the paths the executor would read (output parameters) and
		// the script source into the pod's private directory.
		remap := map[string]string{}
		for _, p := range tmpl.Outputs.Parameters {
			if p.ValueFrom != nil && p.ValueFrom.Path != "" {
				remap[p.ValueFrom.Path] = filepath.Join(root, "fs", p.ValueFrom.Path)
				_ = os.MkdirAll(filepath.Dir(remap[p.ValueFrom.Path]), 0o755)
			}
		}
		for _, p := range artifactPaths(tmpl) {
			remap[p] = fsPath(root, p)
			_ = os.MkdirAll(filepath.Dir(remap[p]), 0o755)
		}
		if tmpl.Script != nil {
			src := tmpl.Script.Source
			for from, to := range remap {
				src = strings.ReplaceAll(src, from, to)
			}
			scriptPath := filepath.Join(root, "script")
			_ = os.WriteFile(scriptPath, []byte(src), 0o755)
			remap[scriptSourcePath] = scriptPath
		}
		froms := make([]string, 0, len(remap))
		for f := range remap {
			froms = append(froms, f)
		}
		sort.Slice(froms, func(i, j int) bool { return len(froms[i]) > len(froms[j]) })
		for i, a := range argv {
			for _, f := range froms {
				a = strings.ReplaceAll(a, f, remap[f])
			}
			argv[i] = a
		}
		cctx, cancel := context.WithTimeout(ctx, defaultCommandTimeout)
		cmd := exec.CommandContext(cctx, argv[0], argv[1:]...)
		workDir := filepath.Join(root, "work")
		_ = os.MkdirAll(workDir, 0o755)
		cmd.Dir = workDir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workDir, "TMPDIR=" + workDir}
		for n, v := range env {
			cmd.Env = append(cmd.Env, n+"="+v)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		out.stdout = stdout.String()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			out.exitCode = int32(ee.ExitCode())
			if out.exitCode < 0 {
				out.exitCode = 137
			}
			out.message = tail(stderr.String(), 512)
		default:
			out.exitCode = 127
			out.message = err.Error()
		}
		_ = os.WriteFile(filepath.Join(root, "stdout"), stdout.Bytes(), 0o644)
		_ = os.WriteFile(filepath.Join(root, "stderr"), stderr.Bytes(), 0o644)
		_ = os.WriteFile(filepath.Join(root, "argv.json"), mustJSON(argv), 0o644)
		for _, p := range tmpl.Outputs.Parameters {
			if p.ValueFrom == nil || p.ValueFrom.Path == "" {
				continue
			}
			if b, err := os.ReadFile(remap[p.ValueFrom.Path]); err == nil {
				k.setParam(&out, tmpl, p.Name, strings.TrimSuffix(string(b), "\n"))
			}
		}
	}
	if rule.ExitCode != nil {
		out.exitCode = *rule.ExitCode
	}
	if rule.Message != "" {
		out.message = rule.Message
	}
	if rule.Result != nil {
		out.stdout = *rule.Result
	}
	for n, v := range rule.Outputs {
		k.setParam(&out, tmpl, n, v)
	}
	// What the executor does for parameters nobody produced: the default, or
	// (simulated only) a recognisable fake value; a real run that did not
	// write its file fails like the executor does.
	for _, p := range tmpl.Outputs.Parameters {
		if hasParam(out.outputs, p.Name) || p.ValueFrom == nil {
			continue
		}
		switch {
		case p.ValueFrom.Default != nil:
			k.setParam(&out, tmpl, p.Name, p.ValueFrom.Default.String())
		case out.mode == "simulated":
			k.setParam(&out, tmpl, p.Name, "fake-"+p.Name)
		case out.exitCode == 0 && p.ValueFrom.Path != "":
			out.waitExit = executorErrorExitCode
			out.waitMsg = fmt.Sprintf("open %s: no such file or directory", p.ValueFrom.Path)
		}
	}
	// Output artifacts (artifacts.go).
	if root != "" && len(tmpl.Outputs.Artifacts) > 0 && out.exitCode == 0 && out.waitExit == 0 {
		arts, err := k.saveArtifacts(ctx, pod, tmpl, root, out.mode == "exec", &out.artifacts)
		if len(arts) > 0 {
			if out.outputs == nil {
				out.outputs = &wfv1.Outputs{}
			}
			out.outputs.Artifacts = arts
		}
		if err != nil {
			out.waitExit, out.waitMsg = executorErrorExitCode, err.Error()
		}
	}
	// The main container's log, when the template archives logs
	// (archiveLocation.archiveLogs, set by the controller from the
	// template, the workflow or the repository): artifacts.go.
	if root != "" && tmpl.SaveLogsAsArtifact() {
		art, err := k.saveLog(ctx, pod, tmpl, root, out.stdout)
		if err == nil {
			if out.outputs == nil {
				out.outputs = &wfv1.Outputs{}
			}
			out.outputs.Artifacts = append(out.outputs.Artifacts, *art)
			out.artifacts = append(out.artifacts, "log:"+artifactKey(art))
		} else if out.waitExit == 0 {
			out.waitExit, out.waitMsg = executorErrorExitCode, err.Error()
		}
	}
	if includeResult && (tmpl.Script != nil || tmpl.Container != nil) {
		if out.outputs == nil {
			out.outputs = &wfv1.Outputs{}
		}
		r := strings.TrimSuffix(out.stdout, "\n")
		out.outputs.Result = &r
	}
	return out
}

func hasParam(o *wfv1.Outputs, name string) bool {
	if o == nil {
		return false
	}
	for _, p := range o.Parameters {
		if p.Name == name && p.Value != nil {
			return true
		}
	}
	return false
}

// setParam sets an output parameter the way the executor reports it: the
// template's declared parameter with its value filled in.
func (k *Kubelet) setParam(out *outcome, tmpl *wfv1.Template, name, value string) {
	if out.outputs == nil {
		out.outputs = &wfv1.Outputs{}
	}
	for i := range out.outputs.Parameters {
		if out.outputs.Parameters[i].Name == name {
			out.outputs.Parameters[i].Value = wfv1.AnyStringPtr(value)
			return
		}
	}
	p := wfv1.Parameter{Name: name}
	for _, d := range tmpl.Outputs.Parameters {
		if d.Name == name {
			p = *d.DeepCopy()
		}
	}
	p.Value = wfv1.AnyStringPtr(value)
	out.outputs.Parameters = append(out.outputs.Parameters, p)
}

func (k *Kubelet) writeTaskResult(ctx context.Context, pod *corev1.Pod, wfName, nodeID string, out outcome) error {
	var owner []metav1.OwnerReference
	for _, o := range pod.OwnerReferences {
		if o.Kind == "Workflow" {
			owner = append(owner, metav1.OwnerReference{APIVersion: o.APIVersion, Kind: o.Kind, Name: o.Name, UID: o.UID})
		}
	}
	tr := &wfv1.WorkflowTaskResult{
		ObjectMeta: metav1.ObjectMeta{
			Name:      nodeID,
			Namespace: pod.Namespace,
			Labels: map[string]string{
				labelWorkflow:               wfName,
				labelReportOutputsCompleted: "true",
			},
			OwnerReferences: owner,
		},
		NodeResult: wfv1.NodeResult{Outputs: out.outputs},
	}
	if tr.Outputs == nil {
		tr.Outputs = &wfv1.Outputs{}
	}
	client := k.wf.ArgoprojV1alpha1().WorkflowTaskResults(pod.Namespace)
	_, err := client.Create(ctx, tr, metav1.CreateOptions{})
	if apierr.IsAlreadyExists(err) {
		data, _ := json.Marshal(map[string]any{
			"metadata": map[string]any{"labels": tr.Labels},
			"outputs":  tr.Outputs,
		})
		_, err = client.Patch(ctx, nodeID, types.MergePatchType, data, metav1.PatchOptions{})
	}
	return err
}

func (k *Kubelet) setRunning(ctx context.Context, pod *corev1.Pod) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := k.kube.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.Now()
		p.Status.Phase = corev1.PodRunning
		p.Status.StartTime = &now
		p.Status.ContainerStatuses = nil
		for _, c := range p.Spec.Containers {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, Ready: true, Started: boolPtr(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			})
		}
		_, err = k.kube.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	})
}

func (k *Kubelet) setTerminated(ctx context.Context, pod *corev1.Pod, out outcome) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := k.kube.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.Now()
		term := func(code int32, msg string) corev1.ContainerState {
			reason := "Completed"
			if code != 0 {
				reason = "Error"
			}
			return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: code, Reason: reason, Message: msg, StartedAt: now, FinishedAt: now,
			}}
		}
		phase := corev1.PodSucceeded
		if out.exitCode != 0 || out.waitExit != 0 {
			phase = corev1.PodFailed
		}
		p.Status.Phase = phase
		if p.Status.StartTime == nil {
			p.Status.StartTime = &now
		}
		p.Status.PodIP = "127.0.0.1"
		p.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: "PodCompleted"},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: now, Reason: "PodCompleted"},
		}
		p.Status.InitContainerStatuses = nil
		for _, c := range p.Spec.InitContainers {
			p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, State: term(0, ""), Started: boolPtr(false),
			})
		}
		p.Status.ContainerStatuses = nil
		for _, c := range p.Spec.Containers {
			st := term(0, "")
			switch c.Name {
			case mainContainer:
				st = term(out.exitCode, out.message)
			case waitContainer:
				st = term(out.waitExit, out.waitMsg)
			}
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, ImageID: c.Image, State: st, Started: boolPtr(false),
				ContainerID: "fake://" + string(p.UID) + "/" + c.Name,
			})
		}
		_, err = k.kube.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	})
}

func boolPtr(b bool) *bool { return &b }

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
