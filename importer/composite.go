package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
)

// Composite templates: a task or step that calls a dag or steps template
// uses a pipec composite template declared for it (once), whose body is
// the template's tasks as steps, or its step groups as stages, and whose
// outputs are its outputs.parameters[].valueFrom.parameter as value(...).

// compositeUses declares (once) the composite template for tn and returns
// the uses clause of one call.
func (c *conv) compositeUses(tn string, args taskArgs, t task) (string, error) {
	path := t.path
	tm := c.templates[tn]
	if !isIdent(tn) || strings.Contains(tn, "_") {
		return "", &notNative{path: c.tp(tn, "name"), what: fmt.Sprintf("the template name %q", tn)}
	}
	in, _ := tm["inputs"].(map[string]any)
	if c.alias[tn] == "" {
		alias := tn
		for i := 2; c.names["template:"+alias] || c.stepNames[alias] != ""; i++ {
			alias = fmt.Sprintf("%s-%d", tn, i)
		}
		c.names["template:"+alias] = true
		c.alias[tn] = alias // before the body: the template may call itself
		decl, err := c.compositeDecl(tn, alias)
		if err != nil {
			return "", err
		}
		c.top = append(c.top, decl)
	}
	for _, n := range args.names {
		found := false
		for _, p := range jsontree.List(in["parameters"]) {
			if pm, _ := p.(map[string]any); pm["name"] == n {
				found = true
			}
		}
		if !found {
			return "", &notNative{path: path, what: "an argument " + n + " the template does not declare"}
		}
	}
	arts, err := c.compositeArtifactArgs(tn, t)
	if err != nil {
		return "", err
	}
	return "uses " + c.alias[tn] + withArtifactArgs(argList(args), arts), nil
}

// recursiveEntry returns the one task that runs the entrypoint when its
// template (a dag or steps template) calls itself: the pipeline is then one
// step that uses the composite template, which recurses as Argo's does.
func (c *conv) recursiveEntry(ep string) []task {
	tm := c.templates[ep]
	if tm == nil || leafKind(tm) != "" {
		return nil
	}
	calls := false
	var all []any
	if dag, ok := tm["dag"].(map[string]any); ok {
		all = jsontree.List(dag["tasks"])
	}
	for _, g := range jsontree.List(tm["steps"]) {
		all = append(all, jsontree.List(g)...)
	}
	for _, x := range all {
		if m, _ := x.(map[string]any); m["template"] == ep {
			calls = true
		}
	}
	if !calls {
		return nil
	}
	var params []any
	in, _ := tm["inputs"].(map[string]any)
	for _, p := range jsontree.List(in["parameters"]) {
		pm, _ := p.(map[string]any)
		if pn, _ := pm["name"].(string); c.params[pn] && pm["value"] == nil {
			params = append(params, map[string]any{"name": pn, "value": "{{workflow.parameters." + pn + "}}"})
		}
	}
	m := map[string]any{"name": "start", "template": ep}
	if len(params) > 0 {
		m["arguments"] = map[string]any{"parameters": params}
	}
	return []task{{m: m, path: c.tp(ep)}}
}

// compositeDecl writes the declaration of a composite template.
func (c *conv) compositeDecl(tn, alias string) (string, error) {
	tm := c.templates[tn]
	for k := range tm {
		switch k {
		case "name", "inputs", "outputs", "dag", "steps", "parallelism":
		case "memoize":
			// Replaced by pipec's memo keys on the composite's steps (the
			// note at the top says so).
		default:
			return "", &notNative{path: c.tp(tn, k), what: "template." + k + " on a dag or steps template a task calls"}
		}
	}
	var head []string
	if p, ok := tm["parallelism"]; ok {
		n, ok := intValue(p)
		if !ok || n < 1 {
			return "", &notNative{path: c.tp(tn, "parallelism"), what: "template.parallelism that is not a positive number"}
		}
		head = append(head, "step_parallelism "+strconv.Itoa(n))
	}
	in, _ := tm["inputs"].(map[string]any)
	for k := range in {
		if k != "parameters" && !(k == "artifacts" && languageHas(featArtifacts)) {
			return "", &notNative{path: c.tp(tn, "inputs", k), what: "inputs." + k + " of a dag or steps template"}
		}
	}
	artIns, scopeArts, err := c.compositeInputArtifacts(tn, jsontree.List(in["artifacts"]))
	if err != nil {
		return "", err
	}
	savedArts := c.scopeArts
	c.scopeArts = scopeArts
	defer func() { c.scopeArts = savedArts }()
	inputs := map[string]string{}
	var params []string
	for i, p := range jsontree.List(in["parameters"]) {
		pm, _ := p.(map[string]any)
		pn, _ := pm["name"].(string)
		if !validParamName(pn) || pn == "pipec-instance" {
			return "", &notNative{path: c.tp(tn, "inputs", "parameters", i), what: fmt.Sprintf("the input name %q", pn)}
		}
		param := pn + ": string"
		for k := range pm {
			if k != "name" && k != "value" && k != "default" {
				return "", &notNative{path: c.tp(tn, "inputs", "parameters", i, k), what: "inputs.parameters[]." + k}
			}
		}
		for _, k := range []string{"value", "default"} {
			if v, ok := pm[k]; ok {
				s, _ := scalarText(v)
				param += " = " + quote(escapeText(s))
				break
			}
		}
		params = append(params, param)
		inputs[pn] = "${" + pn + "}"
	}
	// The template's steps see only each other: their names are a scope
	// of their own.
	saved := c.stepNames
	c.stepNames = map[string]string{}
	defer func() { c.stepNames = saved }()
	var groups [][]task
	if dag, ok := tm["dag"].(map[string]any); ok {
		for k := range dag {
			if k != "tasks" {
				return "", &notNative{path: c.tp(tn, "dag", k), what: "dag." + k}
			}
		}
		var tasks []task
		for i, x := range jsontree.List(dag["tasks"]) {
			m, _ := x.(map[string]any)
			tasks = append(tasks, task{m: m, path: c.tp(tn, "dag", "tasks", i), inputs: inputs})
		}
		groups = [][]task{tasks}
	} else {
		for i, g := range jsontree.List(tm["steps"]) {
			var group []task
			for j, x := range jsontree.List(g) {
				m, _ := x.(map[string]any)
				group = append(group, task{m: m, path: c.tp(tn, "steps", i, j), inputs: inputs})
			}
			if len(group) == 0 {
				return "", &notNative{path: c.tp(tn, "steps", i), what: "an empty step group"}
			}
			groups = append(groups, group)
		}
	}
	c.inlineTasks(flatTasks(groups)) // inline.go
	for _, t := range flatTasks(groups) {
		name, _ := t.m["name"].(string)
		if !isIdent(name) || strings.Contains(name, "_") || name == "pipec-instance" {
			return "", &notNative{path: append(t.path, "name"), what: fmt.Sprintf("the task name %q", name)}
		}
		if _, dup := c.stepNames[name]; dup {
			return "", &notNative{path: t.path, what: "two tasks named " + name}
		}
		c.stepNames[name] = name
		if n, ok := t.m["template"].(string); ok {
			c.uses[n]++
		}
	}
	if len(c.stepNames) == 0 {
		return "", &notNative{path: c.tp(tn), what: "a dag or steps template without steps"}
	}
	body := head
	if tm["dag"] != nil {
		for _, t := range groups[0] {
			s, err := c.step(t, "")
			if err != nil {
				return "", err
			}
			body = append(body, s)
		}
	} else {
		stmts, err := c.stageStmts(groups, "")
		if err != nil {
			return "", err
		}
		body = append(body, stmts...)
	}
	outs, err := c.compositeOutputs(tn, inputs)
	if err != nil {
		return "", err
	}
	body = append(append(artIns, body...), outs...)
	// Its comments, and those inside it that no statement took.
	return commentText(c.headComment(c.tp(tn)...), "") + c.treeComments(c.tp(tn)...) +
		"template " + alias + "(" + strings.Join(params, ", ") + ") {\n" + strings.Join(body, "\n") + "\n}\n", nil
}

// compositeOutputs converts a dag or steps template's output parameters:
// valueFrom.parameter becomes value("...").
func (c *conv) compositeOutputs(tn string, inputs map[string]string) ([]string, error) {
	tm := c.templates[tn]
	out, _ := tm["outputs"].(map[string]any)
	var stmts []string
	for k := range out {
		if k != "parameters" && !(k == "artifacts" && languageHas(featArtifacts)) {
			return nil, &notNative{path: c.tp(tn, "outputs", k), what: "outputs." + k + " of a dag or steps template"}
		}
	}
	arts, err := c.dagOutputArtifacts(jsontree.List(out["artifacts"]), c.tp(tn, "outputs", "artifacts"))
	if err != nil {
		return nil, err
	}
	stmts = append(stmts, arts...)
	for i, p := range jsontree.List(out["parameters"]) {
		pm, _ := p.(map[string]any)
		pn, _ := pm["name"].(string)
		path := c.tp(tn, "outputs", "parameters", i)
		vf, _ := pm["valueFrom"].(map[string]any)
		v, ok := vf["parameter"].(string)
		if !validParamName(pn) || len(pm) != 2 || len(vf) != 1 || !ok {
			return nil, &notNative{path: path, what: "an output of a dag or steps template other than valueFrom.parameter"}
		}
		txt, err := c.text(v, &scope{inputs: inputs})
		if err != nil {
			return nil, &notNative{path: path, what: err.Error()}
		}
		stmts = append(stmts, "output "+pn+" = value("+quote(txt)+")")
	}
	return stmts, nil
}
