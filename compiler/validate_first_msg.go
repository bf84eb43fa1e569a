package compiler

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/common"
)

// Within one DAG task or one list of hooks, Argo's validator also picks
// what it reports in map order (workflow/validate/validate.go, v3.7.18):
// the first hook without an expression (validateHooks ranges over the
// hooks), the unknown dependency of a task (sortDAGTasks lists a task's
// dependencies from a map), the dependency of an items-based condition on
// a task without items (validateDAG ranges over a map). deterministicMessage
// names the first of them in sorted order instead, in Argo's words: one of
// the messages Argo gives on some run.

var (
	hookRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:^| )(hooks|templates\.([a-zA-Z0-9-]+)\.steps\[([0-9]+)\]\.([a-zA-Z0-9-]+))\.([^ ]*) Expression required$`)
	})
	unknownDepRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:^| )templates\.([a-zA-Z0-9-]+) sorting failed: invalid dependency ([^ ]*)$`)
	})
	itemsDepRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:^| )templates\.([a-zA-Z0-9-]+)\.tasks\.([a-zA-Z0-9-]*) dependency '([^']*)' uses an items-based condition`)
	})
)

// deterministicMessage is err with the choices above made in sorted order.
func deterministicMessage(obj *Object, err error) error {
	msg := err.Error()
	spec := obj.Spec()
	// replace is msg with the text at [start, end) replaced by name, if
	// name is found and differs.
	replace := func(start, end int, name string, ok bool) error {
		if !ok || msg[start:end] == name {
			return err
		}
		return errors.New(msg[:start] + name + msg[end:])
	}
	if m := hookRE().FindStringSubmatchIndex(msg); m != nil {
		var hooks wfv1.LifecycleHooks
		if m[4] < 0 {
			hooks = spec.Hooks
		} else if i, err := strconv.Atoi(msg[m[6]:m[7]]); err == nil {
			hooks = stepHooks(spec, msg[m[4]:m[5]], i, msg[m[8]:m[9]])
		}
		name, ok := firstHookWithoutExpression(hooks)
		return replace(m[10], m[11], name, ok)
	}
	if m := unknownDepRE().FindStringSubmatchIndex(msg); m != nil {
		name, ok := firstUnknownDependency(dagTasks(spec, msg[m[2]:m[3]]))
		return replace(m[4], m[5], name, ok)
	}
	if m := itemsDepRE().FindStringSubmatchIndex(msg); m != nil {
		// Argo names the dependency twice: as the task too (the task's
		// variable is shadowed there).
		name, ok := firstItemsDependency(dagTasks(spec, msg[m[2]:m[3]]))
		if !ok || msg[m[4]:m[5]] != msg[m[6]:m[7]] {
			return err
		}
		return errors.New(msg[:m[4]] + name + msg[m[5]:m[6]] + name + msg[m[7]:])
	}
	return err
}

// stepHooks is the hooks of the step of a steps template, by the
// template's name, the group's index and the step's name.
func stepHooks(spec *wfv1.WorkflowSpec, tmpl string, group int, step string) wfv1.LifecycleHooks {
	for _, t := range spec.Templates {
		if t.Name != tmpl || group >= len(t.Steps) {
			continue
		}
		for _, st := range t.Steps[group].Steps {
			if st.Name == step {
				return st.Hooks
			}
		}
	}
	return nil
}

// firstHookWithoutExpression is the first hook, in sorted order, that
// validateHooks rejects.
func firstHookWithoutExpression(hooks wfv1.LifecycleHooks) (string, bool) {
	var names []string
	for name, h := range hooks {
		if name != wfv1.ExitLifecycleEvent && h.Expression == "" {
			names = append(names, string(name))
		}
	}
	if len(names) == 0 {
		return "", false
	}
	return slices.Min(names), true
}

// dagTasks is the tasks of a DAG template, by its name (nil if none).
func dagTasks(spec *wfv1.WorkflowSpec, name string) []wfv1.DAGTask {
	for _, t := range spec.Templates {
		if t.Name == name && t.DAG != nil {
			return t.DAG.Tasks
		}
	}
	return nil
}

// dagContext is what common.GetTaskDependencies reads of a DAG: its
// tasks by name, as Argo's validator gives them (a zero task for an
// unknown name).
type dagContext map[string]*wfv1.DAGTask

func newDAGContext(tasks []wfv1.DAGTask) dagContext {
	c := make(dagContext, len(tasks))
	for i := range tasks {
		c[tasks[i].Name] = &tasks[i]
	}
	return c
}

func (c dagContext) GetTask(name string) *wfv1.DAGTask {
	if t, ok := c[name]; ok {
		return t
	}
	return &wfv1.DAGTask{}
}

func (c dagContext) GetTaskDependencies(name string) []string {
	deps, _ := common.GetTaskDependencies(c.GetTask(name), c)
	var out []string
	for d := range deps {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

func (c dagContext) GetTaskFinishedAtTime(string) time.Time { return time.Time{} }

// firstUnknownDependency is the unknown dependency TopologicalSorting
// reports: of the first task that has one, in sorted order.
func firstUnknownDependency(tasks []wfv1.DAGTask) (string, bool) {
	c := newDAGContext(tasks)
	for i := range tasks {
		for _, d := range c.GetTaskDependencies(tasks[i].Name) {
			if _, ok := c[d]; !ok {
				return d, true
			}
		}
	}
	return "", false
}

// firstItemsDependency is the dependency validateDAG rejects for an
// items-based condition on a task without items: of the first task in
// source order that has one, the first in sorted order.
func firstItemsDependency(tasks []wfv1.DAGTask) (string, bool) {
	c := newDAGContext(tasks)
	for i := range tasks {
		deps, _ := common.GetTaskDependencies(&tasks[i], c)
		var names []string
		for name, kind := range deps {
			d, ok := c[name]
			if ok && kind == common.DependencyTypeItems && len(d.WithItems) == 0 && d.WithParam == "" && d.WithSequence == nil {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			return slices.Min(names), true
		}
	}
	return "", false
}
