package importer

// Lifecycle hooks: a task's hooks and onExit become `on EVENT step` hooks
// in the step's body, the workflow's spec.hooks `on EVENT step` hooks of the
// pipeline (spec.hooks.exit is the workflow's exit handler, like onExit).

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
)

// hookPhases are the events whose expression pipec writes itself, with the
// Argo phase each compares with (compiler/hooks.go).
var hookPhases = map[string]string{"running": "Running", "succeeded": "Succeeded", "failed": "Failed", "errored": "Error"}

// hookTaskFields are the task fields hooks.go converts.
var hookTaskFields = map[string]bool{"hooks": true, "onExit": true}

// exprTaskRef is how pipec's generated hook expressions name a task.
func exprTaskRef(task string) string {
	if strings.Contains(task, "-") {
		return fmt.Sprintf("tasks[%q]", task)
	}
	return "tasks." + task
}

// hookEntry is one hook to convert: its event, its Argo fields, and where
// it is.
type hookEntry struct {
	event string
	m     map[string]any
	path  []any
}

// hooksOf lists a task's hooks (onExit as the exit hook) in event order.
func hooksOf(t task) ([]hookEntry, error) {
	var out []hookEntry
	hooks, _ := t.m["hooks"].(map[string]any)
	for _, ev := range sortedKeys(hooks) {
		hm, ok := hooks[ev].(map[string]any)
		if !ok {
			return nil, &notNative{path: append(t.path, "hooks", ev), what: "a hook that is not a map"}
		}
		out = append(out, hookEntry{event: ev, m: hm, path: append(append([]any{}, t.path...), "hooks", ev)})
	}
	if ex, ok := t.m["onExit"].(string); ok && ex != "" {
		if hooks["exit"] != nil {
			return nil, &notNative{path: append(t.path, "onExit"), what: "task.onExit beside hooks.exit"}
		}
		out = append(out, hookEntry{event: "exit", m: map[string]any{"template": ex}, path: append(append([]any{}, t.path...), "onExit")})
	}
	return out, nil
}

// hookSteps converts hooks to `on EVENT [when "EXPR"] step NAME ...`
// statements. of is the task they belong to ("" for the workflow's); each
// hook's step is named OF-EVENT (or wf-EVENT), made unique.
func (c *conv) hookSteps(hooks []hookEntry, of string) ([]string, error) {
	var out []string
	for _, h := range hooks {
		if !isIdent(h.event) || strings.Contains(h.event, "_") {
			return nil, &notNative{path: h.path, what: fmt.Sprintf("the hook name %q", h.event)}
		}
		for k := range h.m {
			switch k {
			case "template", "templateRef", "arguments", "expression":
			default:
				return nil, &notNative{path: append(h.path, k), what: "hook." + k}
			}
		}
		expr, _ := h.m["expression"].(string)
		head := "on " + h.event + " "
		switch {
		case h.event == "exit":
			if expr != "" {
				return nil, &notNative{path: append(h.path, "expression"), what: "an exit hook with an expression"}
			}
		case expr == "":
			return nil, &notNative{path: h.path, what: "a hook without an expression"}
		case strings.Contains(expr, "${") || strings.Contains(expr, "{{"):
			return nil, &notNative{path: append(h.path, "expression"), what: "a hook expression with {{...}}"}
		case hookPhases[h.event] != "" && expr == generatedHookExpr(h.event, of):
			// pipec writes this expression itself.
		default:
			head += "when " + quote(expr) + " "
		}
		prefix := of
		if prefix == "" {
			prefix = "wf"
		}
		name := c.freshStepName(prefix + "-" + h.event)
		tm := map[string]any{"name": name}
		for _, k := range []string{"template", "templateRef", "arguments"} {
			if v, ok := h.m[k]; ok {
				tm[k] = v
			}
		}
		if tn, ok := tm["template"].(string); ok {
			c.uses[tn]++
		}
		s, err := c.step(task{m: tm, path: h.path}, head)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// generatedHookExpr is the expression the compiler writes for an event of
// a task (of) or of the workflow (of == "").
func generatedHookExpr(event, of string) string {
	if of == "" {
		return fmt.Sprintf("workflow.status == %q", hookPhases[event])
	}
	return fmt.Sprintf("%s.status == %q", exprTaskRef(of), hookPhases[event])
}

// freshStepName returns name, or name-2, name-3, ..., whichever no step
// has yet, and claims it.
func (c *conv) freshStepName(name string) string {
	n := name
	for i := 2; c.stepNames[n] != ""; i++ {
		n = fmt.Sprintf("%s-%d", name, i)
	}
	c.stepNames[n] = n
	return n
}

// workflowHooks converts spec.hooks: the exit hook becomes the workflow's
// exit handler (as onExit), the others pipeline hooks. It returns the
// hooks' statements, to write after the steps, and deletes spec.hooks.
func (c *conv) workflowHooks() ([]hookEntry, error) {
	hooks, ok := c.spec["hooks"].(map[string]any)
	if !ok {
		return nil, nil
	}
	var out []hookEntry
	names := make([]string, 0, len(hooks))
	for k := range hooks {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, ev := range names {
		hm, ok := hooks[ev].(map[string]any)
		if !ok {
			return nil, &notNative{path: c.sp("hooks", ev), what: "a hook that is not a map"}
		}
		if ev == "exit" {
			tn, _ := hm["template"].(string)
			if len(hm) != 1 || tn == "" || c.spec["onExit"] != nil {
				return nil, &notNative{path: c.sp("hooks", ev), what: "spec.hooks.exit with arguments or beside onExit"}
			}
			c.spec["onExit"] = tn
			continue
		}
		out = append(out, hookEntry{event: ev, m: hm, path: c.sp("hooks", ev)})
	}
	delete(c.spec, "hooks")
	return out, nil
}

// entrySettings converts the fields of the entrypoint DAG template that are
// pipeline settings (template.parallelism and metrics, dag.failFast, dag.target) into
// statements, and reports the first field that is not one.
func (c *conv) entrySettings(name string, t, dag map[string]any) ([]string, error) {
	var out []string
	for _, k := range sortedKeys(t) {
		switch k {
		case "name", "dag":
		case "parallelism":
			n, ok := scalarText(t[k])
			if !ok || strings.Contains(n, "{{") {
				return nil, &notNative{path: c.tp(name, k), what: "template.parallelism on the entrypoint DAG"}
			}
			out = append(out, "step_parallelism "+n)
		case "metrics":
			lit, ok := structLiteral(t[k])
			if !ok || strings.Contains(lit, "{{inputs.") {
				return nil, &notNative{path: c.tp(name, k), what: "template.metrics on the entrypoint DAG"}
			}
			out = append(out, "entry_metrics "+lit)
		case "outputs":
			// Converted once the steps are named (entryOutputs).
			c.entryOutputs = func() ([]string, error) { return c.entryOutputStmts(name, t[k]) }
		case "inputs":
			if in, _ := t[k].(map[string]any); len(in) != 1 || !c.entryArtifactInputs(in["artifacts"]) {
				return nil, &notNative{path: c.tp(name, k), what: "template.inputs on the entrypoint DAG"}
			}
		default:
			return nil, &notNative{path: c.tp(name, k), what: "template." + k + " on the entrypoint DAG"}
		}
	}
	for _, k := range sortedKeys(dag) {
		switch k {
		case "tasks":
		case "failFast":
			b, ok := dag[k].(bool)
			if !ok {
				return nil, &notNative{path: c.tp(name, "dag", k), what: "dag.failFast"}
			}
			out = append(out, fmt.Sprintf("fail_fast %t", b))
		case "target":
			s, _ := dag[k].(string)
			txt, err := c.targetText(s)
			if err != nil {
				return nil, &notNative{path: c.tp(name, "dag", k), what: "dag.target: " + err.Error()}
			}
			out = append(out, "target "+quote(txt))
		default:
			return nil, &notNative{path: c.tp(name, "dag", k), what: "dag." + k}
		}
	}
	return out, nil
}

// targetText is a dag.target in pipec's words: task names, and
// {{workflow.parameters.x}} as ${x}.
func (c *conv) targetText(s string) (string, error) {
	var out []string
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "{{workflow.parameters.") && strings.HasSuffix(w, "}}") {
			out = append(out, "${"+strings.TrimSuffix(strings.TrimPrefix(w, "{{workflow.parameters."), "}}")+"}")
			continue
		}
		if strings.Contains(w, "{{") || !isIdent(w) {
			return "", fmt.Errorf("%q", w)
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("empty")
	}
	return strings.Join(out, " "), nil
}

// entryOutputs converts the parameter outputs of the entrypoint DAG
// (valueFrom.parameter or expression) into the pipeline's output
// statements.
func (c *conv) entryOutputStmts(name string, v any) ([]string, error) {
	outs, _ := v.(map[string]any)
	notNative := func(path ...any) error {
		return &notNative{path: c.tp(name, append([]any{"outputs"}, path...)...), what: "template.outputs on the entrypoint DAG"}
	}
	for k := range outs {
		if k != "parameters" && !(k == "artifacts" && languageHas(featArtifacts)) {
			return nil, notNative(k)
		}
	}
	stmts, err := c.dagOutputArtifacts(jsontree.List(outs["artifacts"]), c.tp(name, "outputs", "artifacts"))
	if err != nil {
		return nil, err
	}
	for i, x := range jsontree.List(outs["parameters"]) {
		pm, _ := x.(map[string]any)
		pname, _ := pm["name"].(string)
		vf, _ := pm["valueFrom"].(map[string]any)
		if !isIdent(pname) || vf == nil || len(vf) != 1 {
			return nil, notNative("parameters", i)
		}
		for k := range pm {
			if k != "name" && k != "valueFrom" && k != "description" {
				return nil, notNative("parameters", i, k)
			}
		}
		doc := ""
		if d, ok := pm["description"].(string); ok && d != "" {
			doc = docComment(d, "")
		}
		if ps, ok := vf["parameter"].(string); ok {
			txt, err := c.text(ps, &scope{inputs: map[string]string{}})
			if err != nil {
				return nil, notNative("parameters", i, "valueFrom")
			}
			stmts = append(stmts, doc+"output "+pname+" = value("+quote(txt)+")")
			continue
		}
		if e, ok := vf["expression"].(string); ok && !strings.Contains(e, "{{") {
			stmts = append(stmts, doc+"output "+pname+" = expression("+quote(escapeText(e))+")")
			continue
		}
		return nil, notNative("parameters", i, "valueFrom")
	}
	return stmts, nil
}

// entryStepsSetting converts a field of the entrypoint steps template that
// is a pipeline setting (parallelism, failFast, metrics) or its outputs; it reports
// whether k was one.
func (c *conv) entryStepsSetting(name, k string, t map[string]any) (bool, error) {
	switch k {
	case "parallelism":
		n, ok := scalarText(t[k])
		if !ok || strings.Contains(n, "{{") {
			return true, &notNative{path: c.tp(name, k), what: "template.parallelism on the entrypoint steps template"}
		}
		c.entryStmts = append(c.entryStmts, "step_parallelism "+n)
	case "failFast":
		b, ok := t[k].(bool)
		if !ok {
			return true, &notNative{path: c.tp(name, k), what: "template.failFast on the entrypoint steps template"}
		}
		c.entryStmts = append(c.entryStmts, fmt.Sprintf("fail_fast %t", b))
	case "metrics":
		lit, ok := structLiteral(t[k])
		if !ok || strings.Contains(lit, "{{inputs.") {
			return true, &notNative{path: c.tp(name, k), what: "template.metrics on the entrypoint steps template"}
		}
		c.entryStmts = append(c.entryStmts, "entry_metrics "+lit)
	case "outputs":
		v := t[k]
		c.entryOutputs = func() ([]string, error) { return c.entryOutputStmts(name, v) }

	default:
		return false, nil
	}
	return true, nil
}
