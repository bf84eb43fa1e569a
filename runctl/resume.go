package runctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/compiler"
)

// ResumePlan is how pipec will resume a run (docs/retries.md, tier 2).
type ResumePlan struct {
	From      *wfv1.Workflow
	RunID     string // the effective run id the new workflow memoizes on
	Indicator string // its retry_indicator
	// Memoized is set when the resubmit copies the succeeded steps
	// (argo resubmit --memoized) instead of relying on the cache.
	Memoized bool
	Why      string   // why this way
	Notes    []string // what the user should know (a partly expired cache)
}

// Params are the resubmit's parameter overrides.
func (p *ResumePlan) Params() []string {
	return []string{compiler.ParamRetryRunID + "=" + p.RunID, compiler.ParamRetryIndicator + "=" + p.Indicator}
}

// Refusal is a resume pipec will not do: why, and what happens instead.
type Refusal struct {
	Reason  string
	Instead string
}

func (r *Refusal) Error() string { return r.Reason + "\n\t" + r.Instead }

// PlanResume decides how to resume wf, or refuses. indicator overrides the
// next retry_indicator; force resumes a run whose cache is gone.
func (c *Client) PlanResume(ctx context.Context, wf *wfv1.Workflow, indicator string, force bool) (*ResumePlan, error) {
	name := wf.Name
	if !IsPipec(wf) {
		return nil, &Refusal{
			Reason:  fmt.Sprintf("workflow %s was not compiled by pipec (it has no %s label), so its steps do not memoize on a run id", name, compiler.LabelPipeline),
			Instead: "nothing was resubmitted; resume it with argo retry " + name + " (it reruns the failed steps of the same workflow)",
		}
	}
	switch wf.Status.Phase {
	case wfv1.WorkflowFailed, wfv1.WorkflowError:
	case wfv1.WorkflowSucceeded:
		return nil, &Refusal{
			Reason:  fmt.Sprintf("workflow %s Succeeded: there is nothing to resume", name),
			Instead: fmt.Sprintf("nothing was resubmitted; to run it again, pipec run FILE --run-id %s (every unchanged step is then a cache hit), or pipec run FILE for a fresh run", EffectiveRunID(wf)),
		}
	default:
		phase := string(wf.Status.Phase)
		if phase == "" {
			phase = "Pending"
		}
		return nil, &Refusal{
			Reason:  fmt.Sprintf("workflow %s is still %s: a resume now would run the steps it is running a second time", name, phase),
			Instead: fmt.Sprintf("nothing was resubmitted; wait for it to finish (pipec status %s) or stop it (argo stop %s), then resume", name, name),
		}
	}
	runID := EffectiveRunID(wf)
	if err := CheckRunID(runID); err != nil {
		return nil, err
	}
	if indicator == "" {
		next, err := NextIndicator(param(wf, compiler.ParamRetryIndicator))
		if err != nil {
			return nil, fmt.Errorf("workflow %s: %v", name, err)
		}
		indicator = next
	}
	p := &ResumePlan{From: wf, RunID: runID, Indicator: indicator}
	p.Memoized, p.Why = resubmitMode(wf)
	if p.Memoized {
		return p, nil
	}
	if err := c.checkCache(ctx, p, force); err != nil {
		return nil, err
	}
	return p, nil
}

// Resume resubmits as planned; the new workflow is returned.
func (c *Client) Resume(ctx context.Context, p *ResumePlan) (*wfv1.Workflow, error) {
	wf, err := c.b.resubmit(ctx, c.ns(p.From.Namespace), p.From.Name, p.Memoized, p.Params())
	if err != nil {
		return nil, fmt.Errorf("cannot resubmit %s (%s): %v", p.From.Name, c.Where, apiMessage(err))
	}
	return wf, nil
}

// resubmitMode chooses between a plain resubmit, whose steps find what
// succeeded in the cache, and argo resubmit --memoized, which copies the
// succeeded steps as Skipped with their outputs. The e2e suite showed
// --memoized resuming correctly on Argo v3.7.18 and v4.0.5 only when no step
// has a retryStrategy (with one, the copied Retry node stays Pending and the
// workflow Running forever: upstream #10426, fixed in no release). It also
// keeps a succeeded step that is not memoized from running again, which
// docs/retries.md promises it does, so --memoized is used only when every
// step is memoized and none is retried.
func resubmitMode(wf *wfv1.Workflow) (bool, string) {
	if wf.Spec.RetryStrategy != nil {
		return false, "the workflow has a retryStrategy, so the cache serves the steps that succeeded (argo resubmit --memoized hangs such runs on Argo 3.7.18 and 4.0.5)"
	}
	seen := map[string]bool{}
	var why string
	var walk func(name string)
	walk = func(name string) {
		if seen[name] || why != "" {
			return
		}
		seen[name] = true
		t := wf.GetTemplateByName(name)
		if t == nil {
			return
		}
		switch {
		case t.RetryStrategy != nil:
			why = fmt.Sprintf("step template %s has retries, so the cache serves the steps that succeeded (argo resubmit --memoized hangs such runs on Argo 3.7.18 and 4.0.5)", name)
		case t.DAG != nil:
			for _, task := range t.DAG.Tasks {
				if task.TemplateRef != nil {
					why = fmt.Sprintf("step %s runs a WorkflowTemplate's template, which is not memoized, so it runs again as docs/retries.md says", task.Name)
					return
				}
				walk(task.Template)
			}
		case t.Steps != nil:
			for _, par := range t.Steps {
				for _, s := range par.Steps {
					walk(s.Template)
				}
			}
		case t.Memoize == nil:
			why = fmt.Sprintf("step template %s is not memoized (memoize off), so it runs again as docs/retries.md says and the cache serves the others", name)
		}
	}
	walk(wf.Spec.Entrypoint)
	if why != "" {
		return false, why
	}
	return true, "no step has retries and every step is memoized, so the succeeded steps are copied with their outputs (argo resubmit --memoized) and the others run again"
}

// cacheEntry is the part of an Argo cache entry pipec reads
// (workflow/controller/cache: one JSON value per memo key).
type cacheEntry struct {
	NodeID            string      `json:"nodeID"`
	CreationTimestamp metav1.Time `json:"creationTimestamp"`
}

// checkCache refuses a plain resume whose cache is gone: every step that
// succeeded would run again.
func (c *Client) checkCache(ctx context.Context, p *ResumePlan, force bool) error {
	wf := p.From
	type want struct{ key, maxAge, step string }
	byCache := map[string][]want{}
	total := 0
	for _, n := range wf.Status.Nodes {
		m := n.MemoizationStatus
		if m == nil || n.Phase != wfv1.NodeSucceeded || m.CacheName == "" {
			continue
		}
		maxAge := ""
		if t := wf.GetTemplateByName(n.TemplateName); t != nil && t.Memoize != nil {
			maxAge = t.Memoize.MaxAge
		}
		byCache[m.CacheName] = append(byCache[m.CacheName], want{m.Key, maxAge, n.DisplayName})
		total++
	}
	if total == 0 {
		p.Notes = append(p.Notes, "no memoized step had succeeded: every step runs again")
		return nil
	}
	ns := c.CacheNamespace
	if ns == "" {
		ns = c.ns(wf.Namespace)
	}
	names := make([]string, 0, len(byCache))
	for n := range byCache {
		names = append(names, n)
	}
	sort.Strings(names)
	servable := 0
	var gone, expired []string
	now := time.Now()
	for _, name := range names {
		cm, err := c.b.configMap(ctx, ns, name)
		switch {
		case apierrors.IsNotFound(err):
			gone = append(gone, name)
			continue
		case errors.Is(err, errNoConfigMaps):
			p.Notes = append(p.Notes, "pipec cannot check the cache through an Argo Server: a step whose cache entry is gone runs again")
			return nil
		case err != nil:
			p.Notes = append(p.Notes, fmt.Sprintf("pipec cannot read the cache ConfigMap %s/%s (%v): a step whose cache entry is gone runs again", ns, name, apiMessage(err)))
			return nil
		}
		for _, w := range byCache[name] {
			var e cacheEntry
			if raw, ok := cm.Data[w.key]; !ok || json.Unmarshal([]byte(raw), &e) != nil || e.NodeID == "" {
				continue
			}
			if d, err := time.ParseDuration(w.maxAge); err == nil && now.Sub(e.CreationTimestamp.Time) > d {
				expired = append(expired, w.step)
				continue
			}
			servable++
		}
	}
	if servable > 0 {
		if servable < total {
			p.Notes = append(p.Notes, fmt.Sprintf("%d of the %d memoized steps that succeeded are no longer in the cache and run again", total-servable, total))
		}
		return nil
	}
	var why string
	switch {
	case len(gone) > 0 && len(expired) == 0:
		why = fmt.Sprintf("its cache ConfigMap %s is gone from namespace %s (deleted, or collected by the controller's cache GC)", strings.Join(gone, ", "), ns)
	case len(gone) == 0 && len(expired) > 0:
		why = "every cache entry of it is older than the steps' maxAge"
	default:
		why = fmt.Sprintf("its cache is gone (ConfigMap %s deleted or collected, other entries older than maxAge, or missing)", strings.Join(gone, ", "))
	}
	if force {
		p.Notes = append(p.Notes, "the cache of run "+p.RunID+" is gone: every step runs again")
		return nil
	}
	return &Refusal{
		Reason:  fmt.Sprintf("cannot resume %s: %s", wf.Name, why),
		Instead: fmt.Sprintf("nothing was resubmitted; a resume would run again %s that had succeeded. Pass --force to resume anyway, or start a fresh run with pipec run", plural(total, "the step", "all %d steps")),
	}
}

// plural picks the singular text for 1, else the plural one with n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}
