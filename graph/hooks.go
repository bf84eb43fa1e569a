package graph

import (
	"sort"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// Lifecycle hooks in the graph: a step's hooks are nodes beside it, joined
// by a dotted edge that names the event ("on failed"); the workflow's hooks
// (spec.hooks) are nodes in a box of their own.

// hookName is the name of the step a hook runs: its template's.
func hookName(h wfv1.LifecycleHook) string {
	if h.TemplateRef != nil {
		return h.TemplateRef.Template
	}
	return h.Template
}

// sortedEvents are a hooks map's events in order (exit last).
func sortedEvents(hooks wfv1.LifecycleHooks) []wfv1.LifecycleEvent {
	var out []wfv1.LifecycleEvent
	for e := range hooks {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == wfv1.ExitLifecycleEvent) != (out[j] == wfv1.ExitLifecycleEvent) {
			return out[j] == wfv1.ExitLifecycleEvent
		}
		return out[i] < out[j]
	})
	return out
}

// addTaskHooks adds the hooks of a task (node parent) with edges from it.
func (g *Graph) addTaskHooks(parent *Node, hooks wfv1.LifecycleHooks, prefix string) {
	for _, e := range sortedEvents(hooks) {
		h := hooks[e]
		n := &Node{ID: prefix + ident(parent.Name+".hooks."+string(e)), Name: hookName(h), Hook: string(e), Handler: parent.Handler}
		g.Nodes = append(g.Nodes, n)
		g.Edges = append(g.Edges, &Edge{From: parent, To: n, Hook: true})
	}
}

// addWorkflowHooks adds the workflow's hooks (its exit handler is drawn
// from spec.onExit).
func (g *Graph) addWorkflowHooks(hooks wfv1.LifecycleHooks) {
	for _, e := range sortedEvents(hooks) {
		if e == wfv1.ExitLifecycleEvent {
			continue
		}
		h := hooks[e]
		g.Nodes = append(g.Nodes, &Node{ID: "w_" + ident(string(e)), Name: hookName(h), Hook: string(e), Handler: handlerHook})
	}
}

// handlerHook is the Handler of the workflow's hooks.
const handlerHook = "hook"
