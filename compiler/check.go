package compiler

import (
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Names pipec reserves in every compiled workflow.
const (
	ParamRunID          = "run_id"
	ParamRetryRunID     = "retry_run_id"
	ParamRetryIndicator = "retry_indicator"
	EnvRetryRunID       = "RETRY_RUN_ID"
	EnvRetryIndicator   = "RETRY_INDICATOR"
	EntryTemplate       = "main"
	ExitTemplate        = "exit-handler"
	DefaultMaxAge       = "168h"
)

var (
	paramTypes     = []string{"string", "int", "float", "bool", "json"}
	retryPolicies  = map[string]string{"always": "Always", "on_failure": "OnFailure", "on_error": "OnError", "on_transient_error": "OnTransientError"}
	podGCStrats    = map[string]string{"on_pod_completion": "OnPodCompletion", "on_pod_success": "OnPodSuccess", "on_workflow_completion": "OnWorkflowCompletion", "on_workflow_success": "OnWorkflowSuccess"}
	effects        = map[string]apiv1.TaintEffect{"no_schedule": apiv1.TaintEffectNoSchedule, "prefer_no_schedule": apiv1.TaintEffectPreferNoSchedule, "no_execute": apiv1.TaintEffectNoExecute}
	scriptCommands = map[string][]string{"python": {"python"}, "python3": {"python3"}, "bash": {"bash"}, "sh": {"sh"}, "node": {"node"}, "ruby": {"ruby"}, "perl": {"perl"}}
	argoVariables  = []string{"workflow.name", "workflow.namespace", "workflow.uid", "workflow.serviceAccountName", "workflow.creationTimestamp", "workflow.priority", "workflow.duration", "workflow.mainEntrypoint", "workflow.status", "workflow.failures", "workflow.scheduledTime", "pod.name", "node.name", "retries"}
)

// Check resolves and checks every pipeline of the unit's root files.
// Pipelines in files that are only imported are not compiled.
func Check(u *Unit) (*Program, diag.Diagnostics) {
	c := &checker{unit: u, prog: &Program{Unit: u}}
	seen := map[string]*dsl.Pipeline{}
	for _, root := range u.Roots {
		f := u.Files[root]
		if f == nil {
			continue
		}
		templates := c.templatesFor(root)
		for _, it := range f.Items {
			if it.Pipeline == nil || it.Pipeline.Name == nil {
				continue
			}
			p := c.pipeline(f, it.Pipeline, templates, it.Doc)
			if prev, dup := seen[p.Name]; dup {
				c.diags.Errorf(it.Pipeline.Name.Range(), "pipeline %q is defined twice (first at %s)", p.Name, prev.Name.Range()).
					WithHint("pipeline names must be unique in one build, across its files: each becomes one output file; rename one of them (pipec import -o DIR names imported Workflows apart, NAME-2)")
				continue
			}
			seen[p.Name] = it.Pipeline
			c.prog.Pipelines = append(c.prog.Pipelines, p)
		}
	}
	c.prog.texts = c.texts.arrays
	return c.prog, c.diags
}

type checker struct {
	unit  *Unit
	prog  *Program
	diags diag.Diagnostics
	// template checks are reported once per declaration
	checkedTemplates map[*dsl.TemplateDecl]bool
	// visible caches templatesFor by file: outputDecls asks for every
	// ${step.output} reference.
	visible map[string]map[string]*dsl.TemplateDecl
	// stepVols are the volumes the step being checked declares for its
	// own pod (containers.go).
	stepVols []string
	// structTexts, when set, takes the ${...} strings of the struct
	// literal being decoded (a step's metrics): each becomes a placeholder
	// in the decoded value, resolved in structScope (step_metrics.go).
	structTexts *[]*Text
	structScope *scope
	// The model's most numerous nodes, allocated many at a time.
	texts slab[Text]
	refs  slab[Ref]
	uses  slab[Use]
	// The per-step values and short slices the checker makes for nearly
	// every step, allocated many at a time in the same way.
	scopes    slab[scope]
	deps      slab[Dep]
	depLeaves slab[depLeaf]
	depExprs  slab[DepExpr]
	envVars   slab[EnvVar]
	loops     slab[Loop]
	numBounds slab[numBound]
	sequences slab[Sequence]
	scripts   slab[Script]
	seconds   slab[int64]
	outputs   slab[StepOutput]
	textRefs  sliceSlab[TextRef]
	textLists sliceSlab[*Text]
	envLists  sliceSlab[*EnvVar]
	depLists  sliceSlab[*Dep]
	exprLists sliceSlab[*DepExpr]
	kvLists   sliceSlab[KV]
	outLists  sliceSlab[*StepOutput]
}

// A slab hands out the elements of arrays it allocates, one at a time:
// one allocation for many small values that live as long as each other
// (the checked model's texts and references), which the garbage collector
// then sees as a few large objects. An element is zero when handed out.
type slab[T any] struct {
	free   []T
	next   int   // the length of the next array
	arrays [][]T // every array allocated, for a walk over all elements
}

func (s *slab[T]) new() *T {
	if len(s.free) == 0 {
		s.next = min(max(2*s.next, 16), 1024)
		s.free = make([]T, s.next)
		s.arrays = append(s.arrays, s.free)
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

// A sliceSlab hands out short slices cut from arrays it allocates, as slab
// does single values. A slice has length zero and a capacity of exactly
// what was asked for (an append beyond it moves the slice to an array of
// its own, never into its neighbour's elements); a long one gets an array
// of its own.
type sliceSlab[T any] struct {
	free []T
	next int // the length of the next array
}

// sliceSlabLongest is the longest slice a sliceSlab cuts from its arrays.
const sliceSlabLongest = 64

func (s *sliceSlab[T]) make(n int) []T {
	if n <= 0 {
		return nil
	}
	if n > sliceSlabLongest {
		return make([]T, 0, n)
	}
	if len(s.free) < n {
		s.next = min(max(2*s.next, 4*sliceSlabLongest), 4096)
		s.free = make([]T, s.next)
	}
	out := s.free[:0:n]
	s.free = s.free[n:]
	return out
}

// templatesFor collects the templates visible from a file: its own and
// those of the files it imports, transitively.
func (c *checker) templatesFor(path string) map[string]*dsl.TemplateDecl {
	if out, ok := c.visible[path]; ok {
		return out
	}
	out := map[string]*dsl.TemplateDecl{}
	if c.visible == nil {
		c.visible = map[string]map[string]*dsl.TemplateDecl{}
	}
	c.visible[path] = out
	visited := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		if visited[p] {
			return
		}
		visited[p] = true
		f := c.unit.Files[p]
		if f == nil {
			return
		}
		for _, it := range f.Items {
			t := it.Template
			if t == nil || t.Name == nil {
				continue
			}
			if prev, dup := out[t.Name.Name]; dup && prev != t {
				if p == path || c.unit.Files[prev.Pos.Filename] == nil {
					c.diags.Errorf(t.Name.Range(), "template %q is defined twice (also at %s)", t.Name.Name, prev.Name.Range())
				}
				continue
			}
			out[t.Name.Name] = t
		}
		for _, q := range c.unit.Imports[p] {
			walk(q)
		}
	}
	walk(path)
	return out
}

func (c *checker) errorf(n dsl.Node, format string, args ...any) *diag.Diagnostic {
	return c.diags.Errorf(n.Range(), format, args...)
}

// isArgoName reports whether s is a name Argo accepts for a task or a
// template: ^[a-zA-Z0-9][-a-zA-Z0-9]*$ (without a regexp: it is asked
// for every step; TestNameChecksMatchRegexps).
func isArgoName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// isDNSLabel reports whether s is a DNS label as Kubernetes names are:
// ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$.
func isDNSLabel(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isEnvName reports whether s is an environment variable name Kubernetes
// accepts: ^[-._a-zA-Z][-._a-zA-Z0-9]*$.
func isEnvName(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}
