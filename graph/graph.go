// Package graph draws a pipeline's DAG: its steps, loops as fan-outs,
// dependency outcomes and conditions on the edges, and the exit and failure
// handlers, as Mermaid or Graphviz DOT (SVG is DOT laid out by Graphviz, see
// graph/svg). It reads the compiled Argo workflow, so pipec graph (from a
// .pipe file) and pipec status --graph (from a workflow on a cluster) draw
// the same picture; a run's state colours the steps.
package graph

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// Graph is a pipeline's DAG.
type Graph struct {
	Name     string
	Nodes    []*Node // main steps in order, then handlers
	Edges    []*Edge
	Handlers bool // some nodes are exit or failure handlers
}

// Node is one step.
type Node struct {
	ID      string // unique, safe as a Mermaid and DOT identifier
	Name    string // the step's (task's) name
	Loop    string // "for each of 3 items: eu, us, ap", ... ("" for none)
	When    string // the step's condition, in pipec's ${...} notation
	Handler string // "", "exit", "failure" or "hook" (a hook of the workflow)
	Hook    string // the event of a lifecycle hook ("running", "exit", ...), "" for a step
	Ref     string // "template T of WorkflowTemplate W" for ref(...) steps
	State   *State // a run's outcome, for pipec status --graph
	// whenOnEdges: the condition is drawn on the incoming edges.
	whenOnEdges bool
}

// Edge is a dependency: To runs after From.
type Edge struct {
	From, To *Node
	// Outcome is the outcome of From that To waits for ("" for the default,
	// succeeded or skipped).
	Outcome string
	// Hook: To is a lifecycle hook of From, run on the event To.Hook.
	Hook bool
}

// State is a step's outcome in a run (all iterations of a loop together).
type State struct {
	Phase     string // Argo's phase of the step, or of the loop as a whole
	CacheHits int    // instances served from the cache
	Instances int    // 1, or a loop's iterations
	Succeeded int    // instances that succeeded (cache hits included)
}

// Class is the colour class of a state: succeeded, cached, failed,
// running, skipped, or "" (not started).
func (s *State) Class() string {
	if s == nil {
		return ""
	}
	switch s.Phase {
	case "Succeeded":
		if s.CacheHits > 0 && s.CacheHits == s.Instances {
			return "cached"
		}
		return "succeeded"
	case "Failed", "Error":
		return "failed"
	case "Running", "Pending":
		return "running"
	case "Skipped", "Omitted":
		return "skipped"
	}
	return ""
}

// Summary describes a state in a few words for a node's label.
func (s *State) Summary() string {
	if s == nil || s.Phase == "" {
		return ""
	}
	out := s.Phase
	if s.Instances > 1 {
		out = fmt.Sprintf("%s, %d/%d succeeded", out, s.Succeeded, s.Instances)
	}
	switch {
	case s.CacheHits > 0 && s.Instances == 1:
		out += ", cache hit"
	case s.CacheHits > 0:
		out += fmt.Sprintf(", %d cache hits", s.CacheHits)
	}
	return out
}

// FromWorkflow builds the graph of a compiled workflow spec: its entry
// DAG's tasks and its exit handler's.
func FromWorkflow(name string, spec *wfv1.WorkflowSpec) (*Graph, error) {
	g := &Graph{Name: name}
	byName := func(n string) *wfv1.Template {
		for i := range spec.Templates {
			if spec.Templates[i].Name == n {
				return &spec.Templates[i]
			}
		}
		return nil
	}
	main := byName(spec.Entrypoint)
	if main == nil || (main.DAG == nil && main.Steps == nil) {
		return nil, fmt.Errorf("workflow %s: its entry point %q is not a DAG or steps template: it was not compiled by pipec", name, spec.Entrypoint)
	}
	g.addDAG(asDAG(main), "", "")
	if spec.OnExit != "" {
		if exit := byName(spec.OnExit); exit != nil && (exit.DAG != nil || exit.Steps != nil) {
			g.addDAG(asDAG(exit), "exit", "x_")
			g.Handlers = true
		}
	}
	g.addWorkflowHooks(spec.Hooks)
	return g, nil
}

func (g *Graph) addDAG(dag *wfv1.DAGTemplate, handler, prefix string) {
	nodes := map[string]*Node{}
	for _, t := range dag.Tasks {
		n := &Node{ID: prefix + ident(t.Name), Name: t.Name, Handler: handler, Loop: loop(t)}
		when := t.When
		if handler != "" {
			if rest, ok := failureCondition(when); ok {
				n.Handler, when = "failure", rest
			}
		}
		n.When = pretty(when)
		if r := t.TemplateRef; r != nil {
			kind := "WorkflowTemplate"
			if r.ClusterScope {
				kind = "ClusterWorkflowTemplate"
			}
			n.Ref = fmt.Sprintf("template %s of %s %s", r.Template, kind, r.Name)
		}
		nodes[t.Name] = n
		g.Nodes = append(g.Nodes, n)
	}
	for _, t := range dag.Tasks {
		g.addTaskHooks(nodes[t.Name], t.Hooks, prefix)
	}
	for _, t := range dag.Tasks {
		to := nodes[t.Name]
		for _, d := range t.Dependencies {
			if from := nodes[d]; from != nil {
				g.Edges = append(g.Edges, &Edge{From: from, To: to})
			}
		}
		for _, d := range dependsTerms(t.Depends) {
			if from := nodes[d.task]; from != nil {
				g.Edges = append(g.Edges, &Edge{From: from, To: to, Outcome: d.outcome})
			}
		}
	}
	for _, e := range g.Edges {
		e.To.whenOnEdges = e.To.When != "" && !e.Hook
	}
}

// asDAG is a DAG or steps template as a DAG: in a steps template (pipec's
// stages), each step runs after every step of the group before its own.
func asDAG(t *wfv1.Template) *wfv1.DAGTemplate {
	if t.DAG != nil {
		return t.DAG
	}
	dag := &wfv1.DAGTemplate{}
	var prev []string
	for _, group := range t.Steps {
		var names []string
		for _, s := range group.Steps {
			dag.Tasks = append(dag.Tasks, wfv1.DAGTask{Name: s.Name, Template: s.Template, TemplateRef: s.TemplateRef,
				WithItems: s.WithItems, WithParam: s.WithParam, WithSequence: s.WithSequence, When: s.When, Dependencies: prev, Hooks: s.Hooks})
			names = append(names, s.Name)
		}
		prev = names
	}
	return dag
}

// Label is what an edge says: the outcome it waits for and the condition
// of the step it leads to.
func (e *Edge) Label() string {
	if e.Hook {
		return "on " + e.To.Hook
	}
	var l []string
	if e.Outcome != "" {
		l = append(l, e.Outcome)
	}
	if e.To.whenOnEdges {
		l = append(l, "if "+e.To.When)
	}
	return strings.Join(l, ", ")
}

// Colour sets each step's state from a run; states are keyed by step name.
func (g *Graph) Colour(states map[string]*State) {
	for _, n := range g.Nodes {
		n.State = states[n.Name]
	}
}

// failureCondition recognises the condition pipec gives an `on failure`
// handler, and returns the step's own condition, if any.
func failureCondition(when string) (string, bool) {
	const c = "{{workflow.status}} != Succeeded"
	if when == c {
		return "", true
	}
	if rest, ok := strings.CutPrefix(when, "("+c+") && ("); ok && strings.HasSuffix(rest, ")") {
		return strings.TrimSuffix(rest, ")"), true
	}
	return when, false
}

type term struct{ task, outcome string }

var (
	completedRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\(([-a-zA-Z0-9]+)\.Succeeded \|\| ([-a-zA-Z0-9]+)\.Failed \|\| ([-a-zA-Z0-9]+)\.Errored\)$`)
	})
	outcomes = map[string]string{"Succeeded": "succeeded", "Failed": "failed", "Errored": "errored", "Skipped": "skipped",
		"AnySucceeded": "any succeeded", "AllFailed": "all failed", "Daemoned": "daemoned", "Omitted": "omitted"}
)

// dependsTerms reads the depends expressions pipec writes: terms joined by
// &&, each a task, task.Outcome or the "completed" disjunction.
func dependsTerms(depends string) []term {
	if strings.TrimSpace(depends) == "" {
		return nil
	}
	var out []term
	for _, part := range strings.Split(depends, " && ") {
		part = strings.TrimSpace(part)
		if m := completedRe().FindStringSubmatch(part); m != nil {
			out = append(out, term{m[1], "completed"})
			continue
		}
		task, oc, ok := strings.Cut(part, ".")
		if !ok {
			out = append(out, term{task, ""})
			continue
		}
		if o, known := outcomes[oc]; known {
			out = append(out, term{task, o})
		} else {
			out = append(out, term{task, oc})
		}
	}
	return out
}

// loop describes a task's fan-out.
func loop(t wfv1.DAGTask) string {
	switch {
	case len(t.WithItems) > 0:
		var items []string
		for i, it := range t.WithItems {
			if i == 3 {
				items = append(items, "...")
				break
			}
			items = append(items, strings.Trim(it.String(), `"`))
		}
		return fmt.Sprintf("for each of %d items: %s", len(t.WithItems), strings.Join(items, ", "))
	case t.WithParam != "":
		return "for each item of " + pretty(t.WithParam)
	case t.WithSequence != nil:
		s := t.WithSequence
		start, end := "0", ""
		if s.Start != nil {
			start = pretty(s.Start.String())
		}
		if s.End != nil {
			end = pretty(s.End.String())
		}
		if s.Count != nil {
			return fmt.Sprintf("for each of %s numbers from %s", pretty(s.Count.String()), start)
		}
		return fmt.Sprintf("for each number %s..%s", start, end)
	}
	return ""
}

var argoRefRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\{\{((?:tasks|steps)\.([-a-zA-Z0-9]+)\.outputs\.(parameters\.([-a-zA-Z0-9_]+)|result)|workflow\.parameters\.([-a-zA-Z0-9_]+)|item(\.[-a-zA-Z0-9_]+)?|[a-z][a-zA-Z0-9_.]*)\}\}`)
})

// pretty writes Argo's {{...}} references as pipec's ${...}.
func pretty(s string) string {
	return argoRefRe().ReplaceAllStringFunc(s, func(m string) string {
		sm := argoRefRe().FindStringSubmatch(m)
		switch {
		case sm[2] != "" && (sm[3] == "result" || sm[4] == "pipec-result"):
			return "${" + sm[2] + ".result}"
		case sm[2] != "":
			return "${" + sm[2] + "." + sm[4] + "}"
		case sm[5] != "":
			return "${" + sm[5] + "}"
		case strings.HasPrefix(sm[1], "item"):
			return "${" + sm[1] + "}"
		}
		return "${" + sm[1] + "}"
	})
}

// ident is a name as an identifier both Mermaid and DOT accept.
func ident(name string) string {
	return "s_" + strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, name)
}
