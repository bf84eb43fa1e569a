package importer

import (
	"fmt"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
)

// Stages: an Argo `steps` template (a list of step groups) as the
// entrypoint or the exit handler imports as `stage` blocks, one per group,
// each step converted as a DAG task is; {{steps.x...}} references become
// ${x...} as {{tasks.x...}} do. A step's continueOn becomes continue_on.

// stagedGroups returns the groups of the steps template a field
// (entrypoint, onExit) names, or nil when it is not a steps template.
func (c *conv) stagedGroups(name, field string) ([][]task, error) {
	t := c.templates[name]
	groups, ok := t["steps"].([]any)
	if t == nil || !ok || t["dag"] != nil {
		return nil, nil
	}
	var inputs map[string]string
	for k := range t {
		if k == "inputs" && field == "entrypoint" {
			var err error
			if inputs, err = c.entryInputs(name, t); err != nil {
				return nil, err
			}
			continue
		}
		if field == "entrypoint" {
			if ok, err := c.entryStepsSetting(name, k, t); ok || err != nil {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		if k != "name" && k != "steps" {
			return nil, &notNative{path: c.tp(name, k), what: "template." + k + " on the " + field + " steps template"}
		}
	}
	var out [][]task
	for i, g := range groups {
		var group []task
		for j, x := range jsontree.List(g) {
			sm, ok := x.(map[string]any)
			if !ok {
				return nil, &notNative{path: c.tp(name, "steps", i, j), what: "a step that is not a map"}
			}
			group = append(group, task{m: sm, path: c.tp(name, "steps", i, j), inputs: inputs})
		}
		if len(group) == 0 {
			return nil, &notNative{path: c.tp(name, "steps", i), what: "an empty step group"}
		}
		out = append(out, group)
	}
	if len(out) == 0 {
		return nil, &notNative{path: c.tp(name, "steps"), what: "a steps template without steps"}
	}
	return out, nil
}

// entryInputs reads the inputs of the entrypoint's steps template: Argo
// gives it the workflow's parameters of the same names, so each input is a
// parameter (${p}) or has a value of its own.
func (c *conv) entryInputs(name string, t map[string]any) (map[string]string, error) {
	in, _ := t["inputs"].(map[string]any)
	out := map[string]string{}
	for k := range in {
		if k != "parameters" && !(k == "artifacts" && c.entryArtifactInputs(in[k])) {
			return nil, &notNative{path: c.tp(name, "inputs", k), what: "inputs." + k + " on the entrypoint steps template"}
		}
	}
	for i, p := range jsontree.List(in["parameters"]) {
		pm, _ := p.(map[string]any)
		pn, _ := pm["name"].(string)
		path := c.tp(name, "inputs", "parameters", i)
		for k := range pm {
			if k != "name" && k != "value" && k != "default" {
				return nil, &notNative{path: path, what: "inputs.parameters[]." + k + " on the entrypoint steps template"}
			}
		}
		switch {
		case c.params[pn] && pm["value"] == nil:
			out[pn] = "${" + pn + "}"
		case pm["value"] != nil:
			s, _ := scalarText(pm["value"])
			out[pn] = escapeText(s)
		case pm["default"] != nil:
			s, _ := scalarText(pm["default"])
			out[pn] = escapeText(s)
		default:
			return nil, &notNative{path: path, what: "input " + pn + " of the entrypoint, which no workflow parameter gives"}
		}
	}
	return out, nil
}

// flatTasks lists the tasks of groups in order.
func flatTasks(groups [][]task) []task {
	var out []task
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// stageStmts converts groups into stage blocks; handler is "" or
// "on exit ".
func (c *conv) stageStmts(groups [][]task, handler string) ([]string, error) {
	var out []string
	for _, g := range groups {
		var steps []string
		for _, t := range g {
			s, err := c.stagedStep(t)
			if err != nil {
				return nil, err
			}
			steps = append(steps, s)
		}
		out = append(out, handler+"stage {\n"+strings.Join(steps, "\n")+"\n}")
	}
	return out, nil
}

// stagedStep converts one step of a group: a DAG task without
// dependencies, and its continueOn.
func (c *conv) stagedStep(t task) (string, error) {
	co, has := t.m["continueOn"]
	if !has {
		return c.step(t, "")
	}
	m := map[string]any{}
	for k, v := range t.m {
		if k != "continueOn" {
			m[k] = v
		}
	}
	stmt, err := continueOnStmt(co)
	if err != nil {
		return "", &notNative{path: append(t.path, "continueOn"), what: err.Error()}
	}
	s, err := c.step(task{m: m, path: t.path, entryLeaf: t.entryLeaf}, "")
	if err != nil || stmt == "" {
		return s, err
	}
	if strings.HasSuffix(s, "\n}") {
		return strings.TrimSuffix(s, "}") + stmt + "\n}", nil
	}
	return s + " {\n" + stmt + "\n}", nil
}

// continueOnStmt writes continueOn {failed, error} as continue_on.
func continueOnStmt(v any) (string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("continueOn that is not a map")
	}
	var outcomes []string
	for _, k := range sortedKeys(m) {
		on, ok := m[k].(bool)
		if !ok {
			return "", fmt.Errorf("continueOn.%s that is not a boolean", k)
		}
		switch k {
		case "failed":
			if on {
				outcomes = append(outcomes, "failed")
			}
		case "error":
			if on {
				outcomes = append(outcomes, "errored")
			}
		default:
			return "", fmt.Errorf("continueOn.%s", k)
		}
	}
	if len(outcomes) == 0 {
		return "", nil
	}
	return "continue_on " + strings.Join(outcomes, " "), nil
}

// isNodeScope reports whether a reference's first part names the nodes of
// a template: tasks of a DAG, steps of a steps template.
func isNodeScope(s string) bool { return s == "tasks" || s == "steps" }
