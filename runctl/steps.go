package runctl

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/util"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/compiler"
)

// Run is what pipec reports of one workflow: one attempt of a run.
type Run struct {
	Workflow        string     `json:"workflow"`
	Namespace       string     `json:"namespace"`
	Pipeline        string     `json:"pipeline,omitempty"`
	RunID           string     `json:"runId"`
	RetryIndicator  string     `json:"retryIndicator"`
	ResubmittedFrom string     `json:"resubmittedFrom,omitempty"`
	Phase           string     `json:"phase"`
	Message         string     `json:"message,omitempty"`
	StartedAt       *time.Time `json:"startedAt,omitempty"`
	FinishedAt      *time.Time `json:"finishedAt,omitempty"`
	DurationSeconds float64    `json:"durationSeconds,omitempty"`
	Steps           []Step     `json:"steps"`
}

// Step is one step instance of a run: a DAG task, or one iteration of a
// looped task.
type Step struct {
	Name string `json:"name"` // the task, or "task(i:item)" for an iteration
	Task string `json:"task"`
	// Handler is set for the steps of the exit handler (on exit, on failure).
	Handler bool `json:"handler,omitempty"`
	// Phase is Argo's node phase; "" for a task that has no node yet.
	Phase string `json:"phase"`
	// Attempts is the number of attempts Argo made (retries + 1); 0 when the
	// step did not run.
	Attempts int  `json:"attempts"`
	CacheHit bool `json:"cacheHit"`
	// Copied is set for a step argo resubmit --memoized copied, succeeded,
	// from the resumed run (Argo shows it Skipped).
	Copied bool `json:"copied,omitempty"`
	// Pod is the pod of the last attempt; empty for a cache hit.
	Pod             string     `json:"pod,omitempty"`
	StartedAt       *time.Time `json:"startedAt,omitempty"`
	FinishedAt      *time.Time `json:"finishedAt,omitempty"`
	DurationSeconds float64    `json:"durationSeconds,omitempty"`
	Message         string     `json:"message,omitempty"`
	ExitCode        *int       `json:"exitCode,omitempty"`
	// Template is the template the step runs (for the graph's colours).
	Template string `json:"-"`
}

// Done reports whether a phase is final.
func Done(phase string) bool {
	switch wfv1.NodePhase(phase) {
	case wfv1.NodeSucceeded, wfv1.NodeFailed, wfv1.NodeError, wfv1.NodeSkipped, wfv1.NodeOmitted:
		return true
	}
	return false
}

// Finished reports whether a workflow phase is final.
func Finished(wf *wfv1.Workflow) bool { return wf.Status.Phase.Completed() }

// Summarize reads a workflow's status into a Run. Steps come in the
// pipeline's order (the DAG's tasks as compiled, then the exit handler's),
// iterations of a loop in index order; a task without a node yet is listed
// with an empty phase.
func Summarize(wf *wfv1.Workflow) *Run {
	r := &Run{
		Workflow:        wf.Name,
		Namespace:       wf.Namespace,
		Pipeline:        wf.Labels[compiler.LabelPipeline],
		RunID:           EffectiveRunID(wf),
		RetryIndicator:  param(wf, compiler.ParamRetryIndicator),
		ResubmittedFrom: wf.Labels["workflows.argoproj.io/resubmitted-from-workflow"],
		Phase:           string(wf.Status.Phase),
		Message:         wf.Status.Message,
	}
	r.StartedAt, r.FinishedAt, r.DurationSeconds = times(wf.Status.StartedAt, wf.Status.FinishedAt)
	nodes := wf.Status.Nodes
	parent := map[string]*wfv1.NodeStatus{}
	for id := range nodes {
		n := nodes[id]
		for _, c := range n.Children {
			parent[c] = &n
		}
	}
	boundary := map[string]bool{} // the entry and exit DAG nodes
	for id, n := range nodes {
		if n.Name == wf.Name || n.Name == wf.Name+".onExit" {
			boundary[id] = true
		}
	}
	found := map[string][]Step{} // by task name
	for id, n := range nodes {
		if !boundary[n.BoundaryID] || n.Type == wfv1.NodeTypeTaskGroup {
			continue
		}
		if p := parent[id]; p != nil && p.Type == wfv1.NodeTypeRetry {
			continue // an attempt of a retried step
		}
		st := step(wf, n)
		st.Handler = strings.HasPrefix(n.Name, wf.Name+".onExit.")
		found[st.Task] = append(found[st.Task], st)
	}
	order := func(tmpl string, handler bool) {
		t := wf.GetTemplateByName(tmpl)
		if t == nil || t.DAG == nil {
			return
		}
		for _, task := range t.DAG.Tasks {
			steps := found[task.Name]
			if len(steps) == 0 {
				r.Steps = append(r.Steps, Step{Name: task.Name, Task: task.Name, Handler: handler, Template: task.Template})
				continue
			}
			sort.Slice(steps, func(i, j int) bool { return iteration(steps[i].Name) < iteration(steps[j].Name) })
			r.Steps = append(r.Steps, steps...)
			delete(found, task.Name)
		}
	}
	order(wf.Spec.Entrypoint, false)
	order(wf.Spec.OnExit, true)
	var rest []string // nodes of tasks not in the spec (a DAG pipec did not write)
	for task := range found {
		rest = append(rest, task)
	}
	sort.Strings(rest)
	for _, task := range rest {
		r.Steps = append(r.Steps, found[task]...)
	}
	return r
}

var iterRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\((\d+):`) })

// iteration is the loop index of an iteration's name, -1 for none.
func iteration(name string) int {
	m := iterRe().FindStringSubmatch(name)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func times(s, f metav1.Time) (*time.Time, *time.Time, float64) {
	var start, end *time.Time
	if !s.IsZero() {
		t := s.Time
		start = &t
	}
	if !f.IsZero() {
		t := f.Time
		end = &t
	}
	if start != nil && end != nil {
		return start, end, end.Sub(*start).Round(time.Second).Seconds()
	}
	return start, end, 0
}

// step summarizes one step instance node and its attempts.
func step(wf *wfv1.Workflow, n wfv1.NodeStatus) Step {
	name := n.DisplayName
	task := name
	if i := strings.IndexByte(task, '('); i > 0 {
		task = task[:i]
	}
	st := Step{Name: name, Task: task, Phase: string(n.Phase), Message: n.Message, Template: n.TemplateName}
	st.StartedAt, st.FinishedAt, st.DurationSeconds = times(n.StartedAt, n.FinishedAt)
	if strings.HasPrefix(n.Message, "original pod: ") { // FormulateResubmitWorkflow's copy
		st.Copied = true
	}
	if n.Type == wfv1.NodeTypeSkipped || n.Phase == wfv1.NodeOmitted {
		return st
	}
	last := n
	switch n.Type {
	case wfv1.NodeTypeRetry:
		st.Attempts = len(n.Children)
		if len(n.Children) > 0 {
			last = wf.Status.Nodes[n.Children[len(n.Children)-1]]
		}
	default:
		st.Attempts = 1
	}
	pod, ok := lastPod(wf, last)
	if ok {
		if pod.MemoizationStatus != nil && pod.MemoizationStatus.Hit {
			st.CacheHit = true
		} else {
			st.Pod = util.GeneratePodName(wf.Name, pod.Name, pod.TemplateName, pod.ID, util.GetWorkflowPodNameVersion(wf))
		}
		if pod.Outputs != nil && pod.Outputs.ExitCode != nil {
			if c, err := strconv.Atoi(*pod.Outputs.ExitCode); err == nil {
				st.ExitCode = &c
			}
		}
		if pod.Message != "" && (st.Message == "" || n.Type == wfv1.NodeTypeRetry) {
			st.Message = pod.Message // the last attempt's, not "No more retries left"
		}
	}
	if n.MemoizationStatus != nil && n.MemoizationStatus.Hit {
		st.CacheHit = true
		st.Pod = ""
	}
	if st.CacheHit {
		st.Attempts = 0 // nothing ran
	}
	return st
}

// lastPod finds the pod node of an attempt: the node itself, or the latest
// pod inside it (a retry wrapper's steps template: its nodes have the
// attempt as their boundary). Children cannot be followed: a task's last
// node also lists the tasks that depend on it.
func lastPod(wf *wfv1.Workflow, n wfv1.NodeStatus) (wfv1.NodeStatus, bool) {
	if n.Type == wfv1.NodeTypePod {
		return n, true
	}
	var best wfv1.NodeStatus
	found := false
	for _, c := range wf.Status.Nodes {
		if c.BoundaryID != n.ID || c.Type != wfv1.NodeTypePod {
			continue
		}
		if !found || best.StartedAt.Before(&c.StartedAt) || (best.StartedAt.Equal(&c.StartedAt) && best.Name < c.Name) {
			best, found = c, true
		}
	}
	return best, found
}
