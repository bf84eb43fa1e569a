package importer

import (
	"fmt"
	"strings"
)

// Composite templates: a DAG template that tasks call becomes a pipec
// template whose body holds steps (a composite), declared once and used by
// each task with its arguments. Its tasks are converted as the pipeline's
// are, with the template's inputs as ${name}; pipec names their Argo tasks
// <template>-<step>, which the round trip reads back (package wfsem).

// compositeOK reports whether a DAG template has a composite form: inputs
// (parameters) and a DAG of tasks, nothing else.
func compositeOK(tm map[string]any) bool {
	dag, ok := tm["dag"].(map[string]any)
	if !ok || len(dag) != 1 || dag["tasks"] == nil {
		return false
	}
	for k := range tm {
		switch k {
		case "name", "dag":
		case "inputs":
			in, _ := tm["inputs"].(map[string]any)
			if len(in) != 1 || in["parameters"] == nil {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// compositeUses declares (once) the composite template of a DAG template
// and returns the uses clause of one call.
func (c *conv) compositeUses(tn string, args taskArgs) (string, error) {
	tm := c.templates[tn]
	if !isIdent(tn) || !compositeOK(tm) {
		return "", &notNative{path: c.tp(tn), what: "a task calling a dag or steps template (a composite template)"}
	}
	inputs, _ := tm["inputs"].(map[string]any)
	declared := map[string]bool{}
	for _, p := range asList(inputs["parameters"]) {
		pm, _ := p.(map[string]any)
		n, _ := pm["name"].(string)
		declared[n] = true
	}
	for _, n := range args.names {
		if !declared[n] {
			return "", &notNative{path: c.tp(tn), what: "an argument " + n + " the template does not declare"}
		}
	}
	if c.alias[tn] != "" {
		return "uses " + c.alias[tn] + argList(args), nil
	}
	alias := tn
	for i := 2; c.names["template:"+alias]; i++ {
		alias = fmt.Sprintf("%s-%d", tn, i)
	}
	c.names["template:"+alias] = true
	c.alias[tn] = alias
	var params []string
	compInputs := map[string]string{}
	for i, p := range asList(inputs["parameters"]) {
		pm, _ := p.(map[string]any)
		pn, _ := pm["name"].(string)
		if !validParamName(pn) {
			return "", &notNative{path: c.tp(tn, "inputs", "parameters", i), what: fmt.Sprintf("the input name %q", pn)}
		}
		param := pn + ": string"
		for k := range pm {
			if k != "name" && k != "value" {
				return "", &notNative{path: c.tp(tn, "inputs", "parameters", i, k), what: "inputs.parameters[]." + k}
			}
		}
		if v, ok := pm["value"]; ok {
			s, _ := scalarText(v)
			param += " = " + quote(escapeText(s))
		}
		params = append(params, param)
		compInputs[pn] = "${" + pn + "}"
	}
	// The composite's steps see only its inputs and each other.
	outerSteps, outerInputs := c.stepNames, c.compInputs
	c.stepNames, c.compInputs = map[string]string{}, compInputs
	defer func() { c.stepNames, c.compInputs = outerSteps, outerInputs }()
	dag, _ := tm["dag"].(map[string]any)
	var tasks []task
	for i, x := range asList(dag["tasks"]) {
		m, _ := x.(map[string]any)
		tasks = append(tasks, task{m: m, path: c.tp(tn, "dag", "tasks", i)})
	}
	c.inlineTasks(tasks)
	for _, t := range tasks {
		name, _ := t.m["name"].(string)
		if !isIdent(name) || strings.Contains(name, "_") {
			return "", &notNative{path: append(t.path, "name"), what: fmt.Sprintf("the task name %q", name)}
		}
		if _, dup := c.stepNames[name]; dup {
			return "", &notNative{path: t.path, what: "two tasks named " + name}
		}
		c.stepNames[name] = name
		if inner, ok := t.m["template"].(string); ok {
			c.uses[inner]++
		}
	}
	var steps []string
	for _, t := range tasks {
		s, err := c.step(t, "")
		if err != nil {
			return "", err
		}
		steps = append(steps, s)
	}
	decl := commentText(headComment(c.d.node, c.tp(tn)...), "") +
		"template " + alias + "(" + strings.Join(params, ", ") + ") {\n" + strings.Join(steps, "\n") + "\n}\n"
	c.top = append(c.top, decl)
	return "uses " + alias + argList(args), nil
}
