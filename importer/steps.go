package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
	sigsyaml "sigs.k8s.io/yaml"
)

// task is one DAG task (or the entrypoint itself when it is a leaf) with
// where it is in the YAML.
type task struct {
	m    map[string]any
	path []any
	// entryLeaf: the entrypoint is this leaf template; its inputs are the
	// workflow parameters of the same names.
	entryLeaf bool
	// inputs are the inputs of the steps template the task is in, as
	// pipec text (stages.go); nil for none.
	inputs map[string]string
}

// leafKinds are the template kinds that are one pod or action (not a dag
// or steps).
var leafKinds = []string{"container", "script", "resource", "suspend", "http", "data", "containerSet", "plugin"}

func leafKind(t map[string]any) string {
	for _, k := range leafKinds {
		if _, ok := t[k]; ok {
			return k
		}
	}
	return ""
}

// steps converts the entrypoint and the exit handler into steps.
func (c *conv) steps() ([]string, error) {
	if c.templateRef && c.spec["templates"] == nil {
		return nil, nil // it runs a WorkflowTemplate's
	}
	if c.libraryOnly() {
		return c.libraryStmts(true) // libraries.go
	}
	ep, _ := c.spec["entrypoint"].(string)
	main := c.recursiveEntry(ep) // composite.go
	var mainStages [][]task
	var err error
	if main == nil {
		mainStages, err = c.stagedGroups(ep, "entrypoint") // stages.go
		main = flatTasks(mainStages)
	}
	if err == nil && main == nil {
		main, err = c.group(ep, "entrypoint")
	}
	if err != nil {
		return nil, err
	}
	wfHooks, err := c.workflowHooks()
	if err != nil {
		return nil, err
	}
	var exit []task
	var exitStages [][]task
	if ex, ok := c.spec["onExit"].(string); ok && ex != "" {
		exitStages, err = c.stagedGroups(ex, "onExit")
		exit = flatTasks(exitStages)
		if err == nil && exitStages == nil {
			exit, err = c.group(ex, "onExit")
		}
		if err != nil {
			return nil, err
		}
	}
	all := append(append([]task{}, main...), exit...)
	c.inlineTasks(all)
	for _, t := range all {
		name, _ := t.m["name"].(string)
		if !isIdent(name) || strings.Contains(name, "_") {
			return nil, &notNative{path: append(t.path, "name"), what: fmt.Sprintf("the task name %q", name)}
		}
		if prev, dup := c.stepNames[name]; dup {
			return nil, &notNative{path: t.path, what: "two tasks named " + prev + " (main steps and handlers share names)"}
		}
		c.stepNames[name] = name
		if tn, ok := t.m["template"].(string); ok {
			c.uses[tn]++
		}
	}
	c.pickImage(all)
	if c.entryOutputs != nil {
		outs, err := c.entryOutputs()
		if err != nil {
			return nil, err
		}
		c.entryStmts = append(c.entryStmts, outs...)
	}
	var out []string
	if mainStages != nil {
		if out, err = c.stageStmts(mainStages, ""); err != nil {
			return nil, err
		}
		main = nil
	}
	for _, t := range main {
		s, err := c.step(t, "")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if exitStages != nil {
		stmts, err := c.stageStmts(exitStages, "on exit ")
		if err != nil {
			return nil, err
		}
		out = append(out, stmts...)
		exit = nil
	}
	for _, t := range exit {
		s, err := c.step(t, "on exit ")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	hooks, err := c.hookSteps(wfHooks, "")
	if err != nil {
		return nil, err
	}
	out = append(out, hooks...)
	lib, err := c.libraryStmts(false)
	if err != nil {
		return nil, err
	}
	out = append(lib, out...)
	delete(c.spec, "templates")
	delete(c.spec, "entrypoint")
	delete(c.spec, "onExit")
	return out, nil
}

// group returns the tasks of the entrypoint or exit handler: the tasks of
// a DAG template, or the one leaf template itself.
func (c *conv) group(name, field string) ([]task, error) {
	t := c.templates[name]
	if t == nil {
		return nil, &notNative{path: c.sp(field), what: fmt.Sprintf("%s %q names no template", field, name)}
	}
	if leafKind(t) != "" {
		// The step's name is not seen (a DAG of one task is its task);
		// pipec reserves main and exit-handler for its own templates.
		step := name
		if step == "main" || step == "exit-handler" || !isIdent(step) {
			step = map[string]string{"entrypoint": "run", "onExit": "exit"}[field]
		}
		return []task{{m: map[string]any{"name": step, "template": name}, path: c.tp(name), entryLeaf: field == "entrypoint"}}, nil
	}
	dag, ok := t["dag"].(map[string]any)
	if !ok {
		what := "a steps template (sequential groups)"
		if _, ok := t["steps"]; !ok {
			what = "a template of unknown kind"
		}
		return nil, &notNative{path: c.tp(name), what: field + " is " + what}
	}
	if field == "entrypoint" {
		// Its settings (hooks.go).
		settings, err := c.entrySettings(name, t, dag)
		if err != nil {
			return nil, err
		}
		c.entryStmts = settings
	} else {
		for k := range t {
			if k != "name" && k != "dag" {
				return nil, &notNative{path: c.tp(name, k), what: "template." + k + " on the " + field + " DAG"}
			}
		}
		for k := range dag {
			if k != "tasks" {
				return nil, &notNative{path: c.tp(name, "dag", k), what: "dag." + k}
			}
		}
	}
	var out []task
	for i, x := range jsontree.List(dag["tasks"]) {
		tm, _ := x.(map[string]any)
		out = append(out, task{m: tm, path: c.tp(name, "dag", "tasks", i)})
	}
	return out, nil
}

// pickImage makes the image shared by every container a pipeline default.
func (c *conv) pickImage(all []task) {
	img := ""
	for _, t := range all {
		tn, _ := t.m["template"].(string)
		tm := c.templates[tn]
		if tm == nil {
			continue
		}
		k := leafKind(tm)
		if k != "container" && k != "script" {
			continue
		}
		ct, _ := tm[k].(map[string]any)
		im, _ := ct["image"].(string)
		if im == "" || strings.Contains(im, "{{") || (img != "" && im != img) {
			return
		}
		if k == "container" && ct["command"] == nil && ct["args"] == nil {
			// A step that runs its image's entrypoint says so with its
			// image alone: it keeps it.
			return
		}
		img = im
	}
	c.image = img
}

var taskFields = map[string]bool{"name": true, "template": true, "templateRef": true, "arguments": true, "depends": true,
	"dependencies": true, "when": true, "withItems": true, "withParam": true, "withSequence": true}

// step converts one task into a step declaration.
func (c *conv) step(t task, handler string) (string, error) {
	for _, k := range sortedKeys(t.m) {
		if !taskFields[k] && !hookTaskFields[k] {
			return "", &notNative{path: append(t.path, k), what: "task." + k}
		}
	}
	name, _ := t.m["name"].(string)
	sc := &scope{inputs: map[string]string{}}
	for k, v := range t.inputs {
		sc.inputs[k] = v
	}
	var header []string
	loop, err := c.loop(t, sc)
	if err != nil {
		return "", err
	}
	if loop != "" {
		header = append(header, loop)
		sc.loop = true
	}
	args, err := c.args(t, sc)
	if err != nil {
		return "", err
	}
	var when string
	if w, ok := t.m["when"].(string); ok && w != "" {
		wt, err := c.text(w, sc)
		if err != nil {
			return "", &notNative{path: append(t.path, "when"), what: err.Error()}
		}
		when = "when " + quote(wt)
	}
	var uses, ignored string
	var body []string
	if ref, ok := t.m["templateRef"].(map[string]any); ok {
		uses, err = c.refUses(ref, args, t.path)
	} else {
		tn, _ := t.m["template"].(string)
		tm := c.templates[tn]
		if tm == nil {
			return "", &notNative{path: append(t.path, "template"), what: fmt.Sprintf("template %q is not defined here", tn)}
		}
		var dropped string
		args, dropped = dropUndeclared(args, tm, tn) // loops.go
		ignored = dropped
		composite := leafKind(tm) == ""
		if composite {
			uses, err = c.compositeUses(tn, args, t) // composite.go
		} else if in, _ := tm["inputs"].(map[string]any); in["artifacts"] != nil {
			c.inlineOnly[tn] = true // each call has its own artifact sources
		}
		if !composite && c.uses[tn] > 1 && !t.entryLeaf && !c.inlineOnly[tn] {
			uses, err = c.templateUses(tn, args)
			if _, ok := err.(*rawInputs); ok {
				// Its raw fields read inputs: each call gets its own body.
				c.inlineOnly[tn] = true
				uses, err = "", nil
			}
		}
		if !composite && uses == "" && err == nil {
			body, err = c.inlineBody(tn, args, t)
		}
	}
	if err != nil {
		return "", err
	}
	deps, err := c.after(t, strings.Join(append(append([]string{when, uses}, body...), args.texts()...), "\n"))
	if err != nil {
		return "", err
	}
	if deps != "" {
		header = append(header, deps)
	}
	if when != "" {
		header = append(header, when)
	}
	if uses != "" {
		header = append(header, uses)
	}
	// Comments above the task, and above the template it inlines.
	var comment string
	if !t.entryLeaf {
		comment = commentText(c.headComment(t.path...), "") + c.fieldComment(append(append([]any{}, t.path...), "when")...)
	}
	comment += ignored
	if tn, ok := t.m["template"].(string); ok && uses == "" {
		if tc := commentText(c.headComment(c.tp(tn)...), ""); tc != "" && tc != comment {
			comment += tc
		}
	}
	hooks, err := hooksOf(t)
	if err != nil {
		return "", err
	}
	hookStmts, err := c.hookSteps(hooks, name)
	if err != nil {
		return "", err
	}
	body = append(body, hookStmts...)
	// The comments inside the task (and the template it inlines) that no
	// statement of the step took.
	comment += c.treeComments(t.path...)
	if tn, ok := t.m["template"].(string); ok && uses == "" && !t.entryLeaf {
		comment += c.treeComments(c.tp(tn)...)
	}
	s := comment + handler + "step " + name
	if len(header) > 0 {
		s += " " + strings.Join(header, " ")
	}
	if len(body) > 0 {
		s += " {\n" + strings.Join(body, "\n") + "\n}"
	}
	return s, nil
}

// taskArgs are a task's parameter arguments, converted.
type taskArgs struct {
	names  []string
	values map[string]string // pipec text
	argo   map[string]string // the Argo text
}

func (a taskArgs) texts() []string {
	var out []string
	for _, n := range a.names {
		out = append(out, a.values[n])
	}
	return out
}

func (c *conv) args(t task, sc *scope) (taskArgs, error) {
	out := taskArgs{values: map[string]string{}, argo: map[string]string{}}
	am, _ := t.m["arguments"].(map[string]any)
	for k := range am {
		if k != "parameters" && !(k == "artifacts" && languageHas(featArtifacts)) {
			return out, &notNative{path: append(t.path, "arguments", k), what: "task arguments." + k + " (passing artifacts)"}
		}
	}
	for i, p := range jsontree.List(am["parameters"]) {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		path := append(append([]any{}, t.path...), "arguments", "parameters", i)
		v, ok := pm["value"]
		if !ok || len(pm) != 2 {
			return out, &notNative{path: path, what: "an argument without a plain value"}
		}
		s, ok := scalarText(v)
		if !ok {
			return out, &notNative{path: path, what: "an argument that is not text"}
		}
		txt, err := c.text(s, sc)
		if err != nil {
			return out, &notNative{path: path, what: err.Error()}
		}
		out.names = append(out.names, name)
		out.values[name] = txt
		out.argo[name] = s
	}
	return out, nil
}

// loop converts withItems, withParam and withSequence.
func (c *conv) loop(t task, sc *scope) (string, error) {
	if items, ok := t.m["withItems"]; ok {
		lit, ok := literal(items)
		if !ok {
			return "", &notNative{path: append(t.path, "withItems"), what: "withItems values"}
		}
		return "for item in " + lit, nil
	}
	if p, ok := t.m["withParam"].(string); ok {
		return c.loopParam(t, p, sc)
	}
	if seq, ok := t.m["withSequence"].(map[string]any); ok {
		return c.loopSequence(t, seq, sc) // loops.go
	}
	return "", nil
}

var outcomes = map[string]string{"Succeeded": "succeeded", "Failed": "failed", "Errored": "errored", "Skipped": "skipped",
	"AnySucceeded": "any_succeeded", "AllFailed": "all_failed", "Omitted": "omitted", "Daemoned": "daemoned"}

var dependsTokenRE = regexpMust(`\s*(\|\||&&|\(|\)|!|[A-Za-z0-9][-A-Za-z0-9]*(?:\.[A-Za-z]+)?)`)

// afterExpr writes a depends expression with || and parentheses as an
// after expression: a.Failed || b is `after a failed || b`.
func (c *conv) afterExpr(t task, d string) (string, error) {
	bad := &notNative{path: append(t.path, "depends"), what: "the depends expression " + d}
	var out []string
	rest := d
	for strings.TrimSpace(rest) != "" {
		m := dependsTokenRE().FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return "", bad
		}
		tok := rest[m[2]:m[3]]
		rest = rest[m[1]:]
		switch tok {
		case "||", "&&", "(", ")":
			out = append(out, tok)
		case "!":
			return "", bad
		default:
			name, outcome, _ := strings.Cut(tok, ".")
			if c.stepNames[name] == "" {
				return "", bad
			}
			if outcome != "" {
				o, ok := outcomes[outcome]
				if !ok {
					return "", bad
				}
				name += " " + o
			}
			out = append(out, name)
		}
	}
	s := strings.Join(out, " ")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "( ", "("), " )", ")")
	return "after " + s, nil
}

// after converts depends/dependencies into an after clause, leaving out a
// plain dependency that a reference in the step already implies.
func (c *conv) after(t task, used string) (string, error) {
	var terms []string
	if d, ok := t.m["depends"].(string); ok && strings.TrimSpace(d) != "" {
		expr := strings.Join(strings.Fields(d), "")
		if strings.Contains(expr, "||") && !completedRE().MatchString(expr) {
			// (a.Succeeded || a.Failed || a.Errored) only.
			for _, part := range strings.Split(expr, "&&") {
				if strings.ContainsAny(part, "|()!") && !completedRE().MatchString(part) {
					if !languageHas(featAfterExpr) {
						return "", &notNative{path: append(t.path, "depends"), what: "a depends expression with || or ! (" + d + ")"}
					}
					return c.afterExpr(t, d)
				}
			}
		}
		terms = strings.Split(expr, "&&")
	} else {
		for _, x := range jsontree.List(t.m["dependencies"]) {
			s, _ := x.(string)
			terms = append(terms, s)
		}
	}
	var deps []string
	for _, term := range terms {
		if m := completedRE().FindStringSubmatch(term); m != nil && m[0] == term && m[1] == m[2] && m[2] == m[3] {
			deps = append(deps, m[1]+" completed")
			continue
		}
		name, outcome, _ := strings.Cut(term, ".")
		if c.stepNames[name] == "" {
			return "", &notNative{path: append(t.path, "depends"), what: "a dependency on " + name + ", not a task of this DAG"}
		}
		if outcome == "" {
			if strings.Contains(used, "${"+name+".") || takesArtifactOf(used, name) {
				continue // implied by the reference
			}
			deps = append(deps, name)
			continue
		}
		o, ok := outcomes[outcome]
		if !ok {
			return "", &notNative{path: append(t.path, "depends"), what: "the outcome ." + outcome}
		}
		deps = append(deps, name+" "+o)
	}
	if len(deps) == 0 {
		return "", nil
	}
	return "after " + strings.Join(deps, ", "), nil
}

var completedRE = regexpMust(`\(([-a-zA-Z0-9]+)\.Succeeded\|\|([-a-zA-Z0-9]+)\.Failed\|\|([-a-zA-Z0-9]+)\.Errored\)`)

// refUses converts a templateRef call.
func (c *conv) refUses(ref map[string]any, args taskArgs, path []any) (string, error) {
	n, _ := ref["name"].(string)
	tn, _ := ref["template"].(string)
	for k := range ref {
		if k != "name" && k != "template" && k != "clusterScope" {
			return "", &notNative{path: append(path, "templateRef", k), what: "templateRef." + k}
		}
	}
	s := "uses ref(" + quote(n) + ", " + quote(tn)
	if cs, _ := ref["clusterScope"].(bool); cs {
		s += ", cluster"
	}
	s += ")"
	return s + argList(args), nil
}

func argList(args taskArgs) string {
	if len(args.names) == 0 {
		return ""
	}
	var parts []string
	for _, n := range args.names {
		parts = append(parts, n+" = "+quote(args.values[n]))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// templateUses declares (once) a pipec template for a leaf template called
// by several tasks and returns the uses clause of one call.
func (c *conv) templateUses(tn string, args taskArgs) (string, error) {
	tm := c.templates[tn]
	if !isIdent(tn) {
		return "", &notNative{path: c.tp(tn, "name"), what: fmt.Sprintf("the template name %q", tn)}
	}
	inputs, _ := tm["inputs"].(map[string]any)
	names := map[string]bool{}
	for _, n := range args.names {
		names[n] = true
	}
	if c.alias[tn] == "" {
		sc := &scope{inputs: map[string]string{}}
		if raw, _ := yamlText(tm); inputRefRE().MatchString(raw) && hasRawOnlyInputs(tm) {
			return "", &rawInputs{}
		}
		var params []string
		supplied := suppliedNames(tm)
		for i, p := range jsontree.List(inputs["parameters"]) {
			pm, _ := p.(map[string]any)
			pn, _ := pm["name"].(string)
			if supplied[pn] && !contains(args.names, pn) {
				continue // part of the supplied output (kinds.go)
			}
			if !validParamName(pn) {
				return "", &notNative{path: c.tp(tn, "inputs", "parameters", i), what: fmt.Sprintf("the input name %q", pn)}
			}
			param := pn + ": string"
			for k := range pm {
				if k != "name" && k != "value" && k != "default" {
					return "", &notNative{path: c.tp(tn, "inputs", "parameters", i, k), what: "inputs.parameters[]." + k}
				}
			}
			if v, ok := pm["value"]; ok {
				s, _ := scalarText(v)
				param += " = " + quote(escapeText(s))
			} else if v, ok := pm["default"]; ok {
				s, _ := scalarText(v)
				param += " = " + quote(escapeText(s))
			}
			params = append(params, param)
			sc.inputs[pn] = "${" + pn + "}"
		}
		body, err := c.leafBody(tn, sc)
		if err != nil {
			return "", err
		}
		// Its comments, and those inside it that no statement took.
		comment := commentText(c.headComment(c.tp(tn)...), "") + c.treeComments(c.tp(tn)...)
		declOf := func(alias string) string {
			return comment +
				"template " + alias + "(" + strings.Join(params, ", ") + ") {\n" + strings.Join(body, "\n") + "\n}\n"
		}
		// Template names are shared by the pipelines of one file: one that
		// another pipeline declared the same, with the same default image,
		// is that declaration.
		if c.names["template:"+tn] && c.names["decl:"+c.image+"\x00"+declOf(tn)] {
			c.alias[tn] = tn
			c.shared = append(c.shared, declOf(tn))
		} else {
			alias := tn
			for i := 2; c.names["template:"+alias]; i++ {
				alias = fmt.Sprintf("%s-%d", tn, i)
			}
			c.names["template:"+alias] = true
			c.alias[tn] = alias
			c.names["decl:"+c.image+"\x00"+declOf(alias)] = true
			c.top = append(c.top, declOf(alias))
		}
	}
	for _, n := range args.names {
		found := false
		for _, p := range jsontree.List(inputs["parameters"]) {
			if pm, _ := p.(map[string]any); pm["name"] == n {
				found = true
			}
		}
		if !found {
			return "", &notNative{path: c.tp(tn), what: "an argument " + n + " the template does not declare"}
		}
	}
	return "uses " + c.alias[tn] + argList(args), nil
}

// escapeText escapes ${ in a literal.
func escapeText(s string) string { return strings.ReplaceAll(s, "${", "$${") }

// inlineBody converts a leaf template called once into the step's body,
// with the task's arguments in place of its inputs.
func (c *conv) inlineBody(tn string, args taskArgs, t task) ([]string, error) {
	tm := c.templates[tn]
	inputs, _ := tm["inputs"].(map[string]any)
	sc := &scope{inputs: map[string]string{}, argo: map[string]string{}, loop: t.m["withItems"] != nil || t.m["withParam"] != nil || t.m["withSequence"] != nil}
	given := map[string]bool{}
	supplied := suppliedNames(tm)
	for i, p := range jsontree.List(inputs["parameters"]) {
		pm, _ := p.(map[string]any)
		pn, _ := pm["name"].(string)
		if supplied[pn] && !contains(args.names, pn) {
			continue // part of the supplied output (kinds.go)
		}
		switch {
		case contains(args.names, pn):
			sc.inputs[pn] = args.values[pn]
			sc.argo[pn] = args.argo[pn]
			given[pn] = true
		case t.entryLeaf && c.params[pn]:
			sc.inputs[pn] = "${" + pn + "}"
			sc.argo[pn] = "{{workflow.parameters." + pn + "}}"
		case pm["value"] != nil:
			s, _ := scalarText(pm["value"])
			sc.inputs[pn] = escapeText(s)
			sc.argo[pn] = s
		case pm["default"] != nil:
			s, _ := scalarText(pm["default"])
			sc.inputs[pn] = escapeText(s)
			sc.argo[pn] = s
		default:
			return nil, &notNative{path: c.tp(tn, "inputs", "parameters", i), what: "input " + pn + " without a value"}
		}
		for k := range pm {
			if k != "name" && k != "value" && k != "default" {
				return nil, &notNative{path: c.tp(tn, "inputs", "parameters", i, k), what: "inputs.parameters[]." + k}
			}
		}
	}
	for _, n := range args.names {
		if !given[n] {
			return nil, &notNative{path: t.path, what: "an argument " + n + " the template does not declare"}
		}
	}
	sc.artifacts = taskArtifactArgs(t)
	if t.entryLeaf {
		c.entryArtifactArgs(tm, sc.artifacts)
	}
	return c.leafBody(tn, sc)
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// sortedNames returns the keys of a set, sorted.
func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rawInputs: a template whose fields without pipec syntax read its inputs
// cannot be a pipec template (pipec declares only the inputs its own
// statements use).
type rawInputs struct{}

func (*rawInputs) Error() string { return "raw fields read inputs" }

// hasRawOnlyInputs reports whether a template reads an input outside the
// fields pipec converts (its container's command, args, image, env,
// workingDir and script source).
func hasRawOnlyInputs(tm map[string]any) bool {
	t := jsontree.Copy(tm).(map[string]any)
	delete(t, "inputs")
	if languageHas(featTimeoutText) {
		delete(t, "timeout") // timeout "${t}" (kinds.go)
	}
	for _, k := range []string{"container", "script"} {
		if ct, ok := t[k].(map[string]any); ok {
			for _, f := range []string{"command", "args", "image", "env", "workingDir", "source"} {
				delete(ct, f)
			}
		}
	}
	raw, _ := yamlText(t)
	return inputRefRE().MatchString(raw)
}

func yamlText(v any) (string, error) {
	b, err := sigsyaml.Marshal(v)
	return string(b), err
}
