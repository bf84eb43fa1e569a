package runctl

import (
	"context"
	"fmt"
	"sort"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/pipec/pipec/compiler"
)

// Submit creates a compiled workflow in the client's namespace (or the
// pipeline's own, when it names one), with runID as its run_id when given.
func (c *Client) Submit(ctx context.Context, wf *wfv1.Workflow, runID string) (*wfv1.Workflow, error) {
	if err := CheckRunID(runID); err != nil {
		return nil, err
	}
	if err := CheckRunID(param(wf, compiler.ParamRunID)); err != nil {
		return nil, err
	}
	wf = wf.DeepCopy()
	if runID != "" {
		set := false
		for i := range wf.Spec.Arguments.Parameters {
			if p := &wf.Spec.Arguments.Parameters[i]; p.Name == compiler.ParamRunID {
				p.Value = wfv1.AnyStringPtr(runID)
				set = true
			}
		}
		if !set {
			return nil, fmt.Errorf("the workflow has no %s parameter: was it compiled by pipec?", compiler.ParamRunID)
		}
	}
	ns := c.ns(wf.Namespace)
	wf.Namespace = ns
	out, err := c.b.create(ctx, ns, wf)
	if err != nil {
		return nil, fmt.Errorf("cannot submit to namespace %s (%s): %v", ns, c.Where, apiMessage(err))
	}
	return out, nil
}

func (c *Client) ns(own string) string {
	if own != "" {
		return own
	}
	return c.Namespace
}

// Get reads a workflow.
func (c *Client) Get(ctx context.Context, name string) (*wfv1.Workflow, error) {
	wf, err := c.b.get(ctx, c.Namespace, name)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("no workflow %s in namespace %s (%s)", name, c.Namespace, c.Where)
		}
		return nil, fmt.Errorf("cannot read workflow %s in namespace %s (%s): %v", name, c.Namespace, c.Where, apiMessage(err))
	}
	return wf, nil
}

// Attempts lists the workflows pipec compiled whose effective run id is
// runID, oldest first: the attempts of one run.
func (c *Client) Attempts(ctx context.Context, runID string) ([]*wfv1.Workflow, error) {
	all, err := c.b.list(ctx, c.Namespace, compiler.LabelPipeline)
	if err != nil {
		return nil, fmt.Errorf("cannot list workflows in namespace %s (%s): %v", c.Namespace, c.Where, apiMessage(err))
	}
	var out []*wfv1.Workflow
	for i := range all {
		if EffectiveRunID(&all[i]) == runID {
			out = append(out, &all[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].CreationTimestamp, out[j].CreationTimestamp
		if !a.Equal(&b) {
			return a.Before(&b)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Follow reads the workflow every interval until it finishes, calling
// update with each state read (at least once); it returns the last.
func (c *Client) Follow(ctx context.Context, name string, interval time.Duration, update func(*wfv1.Workflow)) (*wfv1.Workflow, error) {
	for {
		wf, err := c.Get(ctx, name)
		if err != nil {
			return nil, err
		}
		update(wf)
		if Finished(wf) {
			return wf, nil
		}
		select {
		case <-ctx.Done():
			return wf, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// apiMessage is the API server's message for an API error, else the error.
func apiMessage(err error) string {
	if s, ok := err.(apierrors.APIStatus); ok && s.Status().Message != "" {
		return s.Status().Message
	}
	return err.Error()
}
