package fakekubelet

// Agent pods: what argoexec's `agent` command does (executor.AgentExecutor)
// for the HTTP templates of a WorkflowTaskSet. The controller creates one
// agent pod per workflow and lists the HTTP nodes in the WorkflowTaskSet's
// spec.tasks; the agent performs each request once, evaluates the
// successCondition with Argo's own expression package, and patches
// status.nodes[ID] with phase, message and outputs.result (the body). The
// pod runs until the task set is labelled completed or deleted, then
// succeeds, as the real agent's main container exits 0.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/util/expr/argoexpr"
	corev1 "k8s.io/api/core/v1"
	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

const (
	labelComponent = "workflows.argoproj.io/component"
	labelCompleted = "workflows.argoproj.io/completed"
)

// isAgentPod reports whether pod is a workflow's agent pod.
func isAgentPod(pod *corev1.Pod) bool {
	return pod.Labels[labelComponent] == "agent" && pod.Labels[labelWorkflow] != ""
}

// startAgent marks the agent pod Running and serves its task set in the
// background until the workflow completes.
func (k *Kubelet) startAgent(ctx context.Context, pod *corev1.Pod) error {
	if !k.claim(pod.UID) {
		return nil
	}
	if err := k.setRunning(ctx, pod); err != nil {
		k.unclaim(pod.UID)
		return err
	}
	go func() {
		wfName := pod.Labels[labelWorkflow]
		out := outcome{mode: "agent"}
		if err := k.serveTaskSet(ctx, pod.Namespace, wfName); err != nil {
			if ctx.Err() != nil {
				return
			}
			out.exitCode, out.message = 1, "agent: "+err.Error()
		}
		// The controller deletes the agent pod once the workflow is done,
		// often before the agent has noticed: then there is nothing to mark.
		if err := k.setTerminated(ctx, pod, out); err != nil && ctx.Err() == nil && !apierr.IsNotFound(err) {
			k.log.Printf("agent pod %s: %v", pod.Name, err)
		}
		k.log.Printf("agent pod %s wf=%s done exit=%d %s", pod.Name, wfName, out.exitCode, out.message)
	}()
	return nil
}

// serveTaskSet watches the workflow's task set and runs each task once.
func (k *Kubelet) serveTaskSet(ctx context.Context, ns, wfName string) error {
	client := k.wf.ArgoprojV1alpha1().WorkflowTaskSets(ns)
	considered := map[string]bool{}
	for {
		w, err := client.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + wfName})
		if err != nil {
			return err
		}
		for ev := range w.ResultChan() {
			if ev.Type == watch.Deleted {
				w.Stop()
				return nil
			}
			ts, ok := ev.Object.(*wfv1.WorkflowTaskSet)
			if !ok {
				continue
			}
			if ts.Labels[labelCompleted] == "true" {
				w.Stop()
				return nil
			}
			results := map[string]wfv1.NodeResult{}
			for nodeID, tmpl := range ts.Spec.Tasks {
				if considered[nodeID] {
					continue
				}
				considered[nodeID] = true
				res := k.runAgentTask(ctx, ns, tmpl)
				k.log.Printf("agent wf=%s node=%s template=%s phase=%s message=%q", wfName, nodeID, tmpl.Name, res.Phase, res.Message)
				results[nodeID] = res
			}
			if len(results) > 0 {
				patch, _ := json.Marshal(map[string]any{"status": wfv1.WorkflowTaskSetStatus{Nodes: results}})
				if _, err := client.Patch(ctx, wfName, types.MergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
					w.Stop()
					return fmt.Errorf("patch task set: %w", err)
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select { // the watch closed: watch again
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// runAgentTask is the agent's processTask: only HTTP templates (plugins
// are not installed on the suite's stack).
func (k *Kubelet) runAgentTask(ctx context.Context, ns string, tmpl wfv1.Template) wfv1.NodeResult {
	if tmpl.HTTP == nil {
		return wfv1.NodeResult{Phase: wfv1.NodeFailed, Message: fmt.Sprintf("agent cannot execute: unknown task type: %v", tmpl.GetType())}
	}
	res, err := k.runHTTP(ctx, ns, tmpl.HTTP)
	if err != nil {
		return wfv1.NodeResult{Phase: wfv1.NodeFailed, Message: err.Error()}
	}
	return res
}

// runHTTP is the agent's executeHTTPTemplate.
func (k *Kubelet) runHTTP(ctx context.Context, ns string, h *wfv1.HTTP) (wfv1.NodeResult, error) {
	if h.TimeoutSeconds != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.TimeoutSeconds)*time.Second)
		defer cancel()
	}
	resp, err := k.httpRequest(ctx, ns, h)
	if err != nil {
		return wfv1.NodeResult{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return wfv1.NodeResult{}, err
	}
	r := string(body)
	res := wfv1.NodeResult{Phase: wfv1.NodeSucceeded, Outputs: &wfv1.Outputs{Result: &r}}
	if h.SuccessCondition == "" {
		if resp.StatusCode < 200 || resp.StatusCode >= 300 {
			res.Phase = wfv1.NodeFailed
			res.Message = fmt.Sprintf("received non-2xx response code: %d", resp.StatusCode)
		}
		return res, nil
	}
	scope := map[string]any{
		"request": map[string]any{
			"method": h.Method, "url": h.URL, "body": h.Body,
			"bodyBytes": h.GetBodyBytes(), "headers": h.Headers.ToHeader(),
		},
		"response": map[string]any{
			"statusCode": resp.StatusCode, "body": r, "headers": resp.Header,
		},
	}
	ok, err := argoexpr.EvalBool(h.SuccessCondition, scope)
	if err != nil {
		return wfv1.NodeResult{}, err
	}
	if !ok {
		res.Phase = wfv1.NodeFailed
		res.Message = fmt.Sprintf("successCondition '%s' evaluated false", h.SuccessCondition)
	}
	return res, nil
}

var insecureHTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

// httpRequest is the agent's executeHTTPTemplateRequest.
func (k *Kubelet) httpRequest(ctx context.Context, ns string, h *wfv1.HTTP) (*http.Response, error) {
	body := bytes.NewBufferString(h.Body)
	if h.BodyFrom != nil {
		body = bytes.NewBuffer(h.BodyFrom.Bytes)
	}
	req, err := http.NewRequestWithContext(ctx, h.Method, h.URL, body)
	if err != nil {
		return nil, err
	}
	for _, hd := range h.Headers {
		v := hd.Value
		if hd.ValueFrom != nil && hd.ValueFrom.SecretKeyRef != nil {
			ref := hd.ValueFrom.SecretKeyRef
			s, err := k.kube.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			b, ok := s.Data[ref.Key]
			if !ok {
				return nil, fmt.Errorf("secret '%s' does not have the key '%s'", ref.Name, ref.Key)
			}
			v = string(b)
		}
		if strings.EqualFold(hd.Name, "host") {
			req.Host = v
		} else {
			req.Header.Add(hd.Name, v)
		}
	}
	client := http.DefaultClient
	if h.InsecureSkipVerify {
		client = insecureHTTPClient
	}
	return client.Do(req)
}
