// Package wfsem decides whether two Argo objects (Workflow, WorkflowTemplate,
// ClusterWorkflowTemplate, CronWorkflow) are semantically equal: the same
// graph of tasks and steps, the same dependencies, conditions, loops,
// template kinds, inputs, outputs and artifacts, the same effective template
// behind each task, and the same workflow spec fields. It is the one
// comparison pipec uses to prove a round trip (pipec import, then pipec
// build, gives back what was imported) and to measure how much of Argo's
// catalogue the language expresses.
//
// The comparison works on a normal form (Normalize) built from each object:
//
//   - templates are not compared by name: each task's template is expanded
//     in place, with the task's arguments substituted for the template's
//     {{inputs.parameters.x}} (its effective template), from the entrypoint
//     (and onExit and workflow hooks) down;
//   - a (Cluster)WorkflowTemplate is also a library that other workflows
//     call by template name: each of its named templates is compared by
//     what it does, its inputs unbound; the second object may offer more
//     of them than the first (pipec's template of each step), never fewer;
//   - `withSequence: {count: N}` is the range 0..N-1 (from start when given,
//     with the same format), a missing start is 0 and an empty format %d;
//   - `dependencies: [a, b]` and `depends: "a && b"` are the same;
//   - a task's `onExit: t` is its `hooks: {exit: {template: t}}`, and the
//     workflow's `spec.hooks.exit` its `onExit`;
//   - a dag or steps template whose only task is unconditional, not looped
//     and carries nothing else is the same as calling that task's template
//     (pipec's entry template is always a DAG);
//   - command and args of a container are one argument vector when a command
//     is given;
//   - task and step names compare case-insensitively (pipec lower-cases them
//     for pod names);
//   - scalars compare as text (Argo reads `3` and `"3"` alike), quantities by
//     value (`0.5` and `500m`);
//   - a synchronization's single mutex or semaphore (Argo 3.5) is the list
//     of one (Argo 3.6+);
//   - an HTTP template without a method is a GET (what Argo's agent sends),
//     and a suspend template's supplied output without a default has its
//     input's of the same name;
//   - pipec's wiring is ignored: its pipec.dev/pipeline label, the run_id, retry_run_id and
//     retry_indicator parameters, the RETRY_RUN_ID and RETRY_INDICATOR
//     environment variables, every memoize block (pipec memoizes each step
//     with its own keys; an import replaces the user's), the pipec-item input of loops, and the
//     `<step>-with-retry` wrapper templates, folded back into their leaf
//     with their retryStrategy (and their pipec-result output read as the
//     leaf's result), and the pipec-memo-key output of a memoized step
//     whose artifacts other steps take, the pipec-instance input of a
//     composite template and of its steps, and the <template>- prefix of
//     the names of a composite's steps.
//
// Anything else that differs is reported, with its path in the normal form.
package wfsem

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/pipec/pipec/internal/jsontree"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Names of pipec's retry wiring (compiler/retry.go; kept here as text so
// that this package does not depend on the compiler).
const (
	paramRunID          = "run_id"
	paramRetryRunID     = "retry_run_id"
	pipecPipelineLabel  = "pipec.dev/pipeline"
	paramRetryIndicator = "retry_indicator"
	envRetryRunID       = "RETRY_RUN_ID"
	envRetryIndicator   = "RETRY_INDICATOR"
	pipecItemInput      = "pipec-item"
	pipecInstanceInput  = "pipec-instance"
	pipecResultOutput   = "pipec-result"
	pipecMemoKeyOutput  = "pipec-memo-key"
	retryWrapperSuffix  = "-with-retry"

	descriptionAnnotation = "workflows.argoproj.io/description"
)

// Normalize returns the normal form of an Argo object: a *wfv1.Workflow,
// *wfv1.WorkflowTemplate, *wfv1.ClusterWorkflowTemplate or *wfv1.CronWorkflow
// (or any value that marshals to one of them in JSON, such as a decoded
// map).
func Normalize(obj any) (map[string]any, error) {
	m, err := toMap(obj)
	if err != nil {
		return nil, err
	}
	kind, _ := m["kind"].(string)
	out := map[string]any{"kind": kind}
	if md, ok := m["metadata"].(map[string]any); ok {
		keep := map[string]any{}
		for _, k := range []string{"name", "generateName", "namespace", "labels", "annotations"} {
			if v, ok := md[k]; ok {
				keep[k] = v
			}
		}
		// pipec's own label (compiler.LabelPipeline, how pipec resume
		// recognises its workflows) is wiring too.
		if lb, ok := keep["labels"].(map[string]any); ok {
			delete(lb, pipecPipelineLabel)
			if len(lb) == 0 {
				delete(keep, "labels")
			}
		}
		// The description is display text: a trailing newline (YAML's |)
		// means nothing.
		if an, ok := keep["annotations"].(map[string]any); ok {
			if d, ok := an[descriptionAnnotation].(string); ok {
				an[descriptionAnnotation] = strings.TrimRight(d, " \n")
			}
		}
		out["metadata"] = keep
	}
	rawSpec, _ := m["spec"].(map[string]any)
	var spec map[string]any
	switch kind {
	case "Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate":
		spec = rawSpec
	case "CronWorkflow":
		cron := map[string]any{}
		for k, v := range rawSpec {
			if k == "workflowSpec" {
				spec, _ = v.(map[string]any)
				continue
			}
			cron[k] = v
		}
		// schedule (one) and schedules (a list) say the same thing.
		if s, ok := cron["schedule"].(string); ok && s != "" {
			cron["schedules"] = []any{s}
			delete(cron, "schedule")
		}
		out["cron"] = cron
	default:
		return nil, fmt.Errorf("not an Argo workflow object (kind %q)", kind)
	}
	if spec == nil {
		spec = map[string]any{}
	}
	n := &normalizer{templates: map[string]map[string]any{}}
	for _, t := range jsontree.List(spec["templates"]) {
		if tm, ok := t.(map[string]any); ok {
			name, _ := tm["name"].(string)
			n.templates[name] = tm
		}
	}
	rest := map[string]any{}
	for k, v := range spec {
		switch k {
		case "templates", "entrypoint", "onExit", "hooks", "arguments":
			continue
		}
		rest[k] = v
	}
	args := map[string]any{}
	if a, ok := spec["arguments"].(map[string]any); ok {
		for k, v := range a {
			args[k] = v
		}
	}
	var params []any
	entryArgs := map[string]any{}
	for _, p := range jsontree.List(args["parameters"]) {
		pm, _ := p.(map[string]any)
		switch pm["name"] {
		case paramRunID, paramRetryRunID, paramRetryIndicator:
			continue
		}
		params = append(params, p)
		if name, ok := pm["name"].(string); ok {
			entryArgs[name] = map[string]any{"name": name, "value": "{{workflow.parameters." + name + "}}"}
		}
	}
	args["parameters"] = params
	rest["arguments"] = args
	// The workflow's artifacts are the entry template's arguments, as its
	// parameters are.
	for _, a := range jsontree.List(args["artifacts"]) {
		if am, _ := a.(map[string]any); am != nil {
			if name, ok := am["name"].(string); ok {
				entryArgs["artifact:"+name] = am
			}
		}
	}
	out["spec"] = rest
	if ep, ok := spec["entrypoint"].(string); ok && ep != "" {
		out["entry"] = n.call(map[string]any{"template": ep}, entryArgs, nil)
	}
	if ex, ok := spec["onExit"].(string); ok && ex != "" {
		out["exit"] = n.call(map[string]any{"template": ex}, nil, nil)
	}
	if hooks, ok := spec["hooks"].(map[string]any); ok {
		h := n.hooks(hooks, nil)
		// spec.hooks.exit is the workflow's exit handler, as onExit is.
		if ex, ok := h["exit"].(map[string]any); ok && out["exit"] == nil {
			out["exit"] = ex["call"]
			delete(h, "exit")
		}
		if len(h) > 0 {
			out["hooks"] = h
		}
	}
	if kind == "WorkflowTemplate" || kind == "ClusterWorkflowTemplate" {
		// Other workflows call a library's templates by name: each one
		// with what it does, its inputs unbound (DiffNormal lets the
		// second object offer more of them than the first).
		lib := map[string]any{}
		for name := range n.templates {
			if !strings.HasSuffix(name, retryWrapperSuffix) {
				lib[name] = n.call(map[string]any{"template": name}, nil, nil)
			}
		}
		out["library"] = lib
	}
	clean(out, "")
	return out, nil
}

// toMap turns a typed object (or anything JSON-encodable) into generic JSON
// values. A value that is not a typed Argo object is first decoded into one
// (leniently), so that both sides of a comparison are rendered by the same
// encoder: the same defaults, the same omitted empty fields.
func toMap(obj any) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var probe struct{ Kind string }
	_ = json.Unmarshal(b, &probe)
	var typed any
	switch probe.Kind {
	case "Workflow":
		typed = &wfv1.Workflow{}
	case "WorkflowTemplate":
		typed = &wfv1.WorkflowTemplate{}
	case "ClusterWorkflowTemplate":
		typed = &wfv1.ClusterWorkflowTemplate{}
	case "CronWorkflow":
		typed = &wfv1.CronWorkflow{}
	}
	if typed != nil {
		if err := json.Unmarshal(b, typed); err != nil {
			return nil, err
		}
		if b, err = json.Marshal(typed); err != nil {
			return nil, err
		}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	pluralSync(m)
	return m, nil
}

type normalizer struct {
	templates map[string]map[string]any
}

// call expands a task (or step, or the entrypoint) into its effective
// template: the called template with args substituted for its inputs.
func (n *normalizer) call(task map[string]any, args map[string]any, stack []string) map[string]any {
	if ref, ok := task["templateRef"].(map[string]any); ok {
		return map[string]any{"templateRef": ref, "arguments": argList(args)}
	}
	var t map[string]any
	name, _ := task["template"].(string)
	if inline, ok := task["inline"].(map[string]any); ok {
		t, name = inline, ""
	} else {
		t = n.templates[name]
		if t == nil {
			return map[string]any{"missingTemplate": name}
		}
	}
	for _, s := range stack {
		if name != "" && s == name {
			rec := map[string]any{}
			for k, v := range args {
				if k != pipecInstanceInput {
					rec[k] = v
				}
			}
			return map[string]any{"recursion": strings.ToLower(name), "arguments": argList(rec)}
		}
	}
	if name != "" {
		stack = append(stack, name)
	}
	t = jsontree.Copy(t).(map[string]any)
	argoDefaults(t)
	t = substituteInputs(t, args)
	delete(t, "name")
	stripWiring(t)
	t = stripCompositePrefix(t, name, n.templates[name])
	if inner := n.foldRetryWrapper(name, t, stack); inner != nil {
		return inner
	}
	if only := soleCall(t); only != nil {
		return n.call(only, taskArgs(only), stack)
	}
	if dag, ok := t["dag"].(map[string]any); ok {
		tasks := map[string]any{}
		for _, x := range jsontree.List(dag["tasks"]) {
			tk, _ := x.(map[string]any)
			nm, _ := tk["name"].(string)
			tasks[strings.ToLower(nm)] = n.task(tk, stack)
		}
		reduceDepends(tasks)
		dag["tasks"] = tasks
	}
	if steps, ok := t["steps"].([]any); ok {
		var groups []any
		for _, g := range steps {
			group := map[string]any{}
			for _, x := range jsontree.List(g) {
				st, _ := x.(map[string]any)
				nm, _ := st["name"].(string)
				group[strings.ToLower(nm)] = n.task(st, stack)
			}
			groups = append(groups, group)
		}
		t["steps"] = groups
	}
	return t
}

// task normalises one DAG task or step: its own fields, and its call.
func (n *normalizer) task(tk map[string]any, stack []string) map[string]any {
	out := map[string]any{}
	for k, v := range tk {
		switch k {
		case "name", "template", "templateRef", "inline", "arguments", "dependencies", "depends":
			continue
		case "hooks":
			hooks := n.hooks(v.(map[string]any), stack)
			if prev, ok := out[k].(map[string]any); ok {
				for e, h := range prev {
					hooks[e] = h
				}
			}
			out[k] = hooks
		case "withSequence":
			out[k] = canonSequence(v)
		case "onExit":
			// A task's onExit is its exit hook: hooks.exit.
			if s, ok := v.(string); ok && s != "" {
				hooks, _ := out["hooks"].(map[string]any)
				if hooks == nil {
					hooks = map[string]any{}
					out["hooks"] = hooks
				}
				hooks["exit"] = map[string]any{"call": n.call(map[string]any{"template": s}, nil, stack)}
			}
		default:
			out[k] = v
		}
	}
	if d := depends(tk); d != "" {
		out["depends"] = d
	}
	out["call"] = n.call(tk, taskArgs(tk), stack)
	return out
}

func (n *normalizer) hooks(hooks map[string]any, stack []string) map[string]any {
	out := map[string]any{}
	for name, h := range hooks {
		hm, ok := h.(map[string]any)
		if !ok {
			continue
		}
		c := map[string]any{}
		if e, ok := hm["expression"]; ok {
			c["expression"] = e
		}
		c["call"] = n.call(hm, taskArgs(hm), stack)
		out[name] = c
	}
	return out
}

// foldRetryWrapper recognises pipec's `<step>-with-retry` template (a steps
// template with one step calling `<step>` and a retryStrategy) and returns
// the leaf it wraps, carrying the retryStrategy.
func (n *normalizer) foldRetryWrapper(name string, t map[string]any, stack []string) map[string]any {
	if !strings.HasSuffix(name, retryWrapperSuffix) {
		return nil
	}
	steps := jsontree.List(t["steps"])
	if len(steps) != 1 || len(jsontree.List(steps[0])) != 1 {
		return nil
	}
	st, _ := jsontree.List(steps[0])[0].(map[string]any)
	if st["template"] != strings.TrimSuffix(name, retryWrapperSuffix) {
		return nil
	}
	leaf := n.call(st, taskArgs(st), stack)
	if rs, ok := t["retryStrategy"]; ok {
		leaf["retryStrategy"] = rs
	}
	return leaf
}

// soleCall returns the only task of a dag or steps template that does
// nothing but call it: such a template is the same as its task.
func soleCall(t map[string]any) map[string]any {
	for k := range t {
		switch k {
		case "dag", "steps", "inputs", "outputs", "metadata":
		default:
			return nil
		}
	}
	if o, ok := t["outputs"].(map[string]any); ok && len(o) > 0 {
		return nil
	}
	var only []any
	if dag, ok := t["dag"].(map[string]any); ok {
		for k := range dag {
			if k != "tasks" {
				return nil
			}
		}
		only = jsontree.List(dag["tasks"])
	} else if steps := jsontree.List(t["steps"]); len(steps) == 1 {
		only = jsontree.List(steps[0])
	}
	if len(only) != 1 {
		return nil
	}
	tk, _ := only[0].(map[string]any)
	for k := range tk {
		switch k {
		case "name", "template", "templateRef", "inline", "arguments":
		default:
			return nil
		}
	}
	return tk
}

// taskArgs indexes a task's arguments by name: parameters as they are,
// artifacts under "artifact:" + name.
func taskArgs(tk map[string]any) map[string]any {
	a, _ := tk["arguments"].(map[string]any)
	out := map[string]any{}
	for _, p := range jsontree.List(a["parameters"]) {
		pm, _ := p.(map[string]any)
		if name, ok := pm["name"].(string); ok {
			out[name] = pm
		}
	}
	for _, p := range jsontree.List(a["artifacts"]) {
		pm, _ := p.(map[string]any)
		if name, ok := pm["name"].(string); ok {
			out["artifact:"+name] = pm
		}
	}
	return out
}

func argList(args map[string]any) []any {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []any
	for _, k := range keys {
		out = append(out, args[k])
	}
	return out
}

// substituteInputs replaces {{inputs.parameters.x}} in a template by the
// argument (or the input's own value or default) and drops the inputs it
// resolved; an input artifact is replaced by its argument, with its own
// path and mode, and passing it on is passing its argument
// (passInputArtifacts).
func substituteInputs(t map[string]any, args map[string]any) map[string]any {
	inputs, _ := t["inputs"].(map[string]any)
	repl := map[string]string{}
	var keep []any
	for _, p := range jsontree.List(inputs["parameters"]) {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		var val any
		found := false
		if a, ok := args[name].(map[string]any); ok {
			if v, ok := a["value"]; ok {
				val, found = v, true
			}
		}
		if !found {
			if v, ok := pm["value"]; ok {
				val, found = v, true
			} else if v, ok := pm["default"]; ok {
				val, found = v, true
			}
		}
		if !found {
			keep = append(keep, p)
			continue
		}
		repl[name] = scalar(val)
	}
	var arts []any
	given := map[string]map[string]any{}
	for _, p := range jsontree.List(inputs["artifacts"]) {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		if a, ok := args["artifact:"+name].(map[string]any); ok {
			// As Argo does (common.ProcessArgs): the argument replaces
			// the input, its own location included; only the path and
			// the modes are the input's.
			merged := jsontree.Copy(a).(map[string]any)
			for _, k := range []string{"name", "path", "mode", "recurseMode"} {
				if v, ok := pm[k]; ok {
					merged[k] = v
				} else {
					delete(merged, k)
				}
			}
			pm = merged
			given[name] = a
		}
		arts = append(arts, pm)
	}
	passInputArtifacts(t, given)
	if inputs != nil {
		inputs["parameters"] = keep
		inputs["artifacts"] = arts
		delete(t, "inputs")
	}
	if len(repl) > 0 {
		sub := func(v any) any {
			return jsontree.ReplaceStrings(v, func(s string) string {
				return inputRefRE().ReplaceAllStringFunc(s, func(ref string) string {
					if v, ok := repl[inputRefRE().FindStringSubmatch(ref)[1]]; ok {
						return v
					}
					return ref
				})
			})
		}
		t = sub(t).(map[string]any)
		// The input artifacts' locations too.
		if inputs != nil {
			inputs["artifacts"] = sub(inputs["artifacts"])
		}
	}
	if inputs != nil {
		t["inputs"] = inputs
	}
	return t
}

// passInputArtifacts replaces, in the arguments of a dag or steps
// template's tasks, an artifact passed on from the template's own input
// (from: "{{inputs.artifacts.x}}") by what the template was given for that
// input: passing an input on is the same as passing its source.
func passInputArtifacts(t map[string]any, given map[string]map[string]any) {
	if len(given) == 0 {
		return
	}
	var tasks []any
	if dag, ok := t["dag"].(map[string]any); ok {
		tasks = jsontree.List(dag["tasks"])
	}
	for _, g := range jsontree.List(t["steps"]) {
		tasks = append(tasks, jsontree.List(g)...)
	}
	for _, x := range tasks {
		tk, _ := x.(map[string]any)
		a, _ := tk["arguments"].(map[string]any)
		for _, y := range jsontree.List(a["artifacts"]) {
			am, _ := y.(map[string]any)
			from, _ := am["from"].(string)
			m := inputArtifactRE().FindStringSubmatch(from)
			if m == nil || given[m[1]] == nil {
				continue
			}
			delete(am, "from")
			for k, v := range given[m[1]] {
				if k != "name" {
					am[k] = jsontree.Copy(v)
				}
			}
		}
	}
}

var inputArtifactRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\{\{\s*inputs\.artifacts\.([-a-zA-Z0-9_]+)\s*\}\}$`)
})

var inputRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*inputs\.parameters\.([-a-zA-Z0-9_]+)\s*\}\}`) })

// stripCompositePrefix undoes pipec's naming of a composite template's
// steps: pipec names them <template>-<step> (the task names and the
// templates of a composite's steps share one namespace). When every task
// (or step) of the dag or steps template name starts with "name-", the
// prefix is removed from the names, the dependencies and the references
// to them. Only a pipec composite is renamed: orig, the template as
// written, has the pipec-instance input.
func stripCompositePrefix(t map[string]any, name string, orig map[string]any) map[string]any {
	in, _ := orig["inputs"].(map[string]any)
	composite := false
	for _, p := range jsontree.List(in["parameters"]) {
		if pm, _ := p.(map[string]any); pm["name"] == pipecInstanceInput {
			composite = true
		}
	}
	if name == "" || !composite {
		return t
	}
	prefix := name + "-"
	var tasks []map[string]any
	if dag, ok := t["dag"].(map[string]any); ok {
		for _, x := range jsontree.List(dag["tasks"]) {
			m, _ := x.(map[string]any)
			tasks = append(tasks, m)
		}
	}
	for _, g := range jsontree.List(t["steps"]) {
		for _, x := range jsontree.List(g) {
			m, _ := x.(map[string]any)
			tasks = append(tasks, m)
		}
	}
	if len(tasks) == 0 {
		return t
	}
	for _, tk := range tasks {
		if n, _ := tk["name"].(string); tk == nil || !strings.HasPrefix(n, prefix) || n == prefix {
			return t
		}
	}
	depRE := regexp.MustCompile(`(^|[^-A-Za-z0-9_])` + regexp.QuoteMeta(prefix))
	for _, tk := range tasks {
		tk["name"] = strings.TrimPrefix(tk["name"].(string), prefix)
		if d, ok := tk["depends"].(string); ok {
			tk["depends"] = depRE.ReplaceAllString(d, "$1")
		}
		if ds := jsontree.List(tk["dependencies"]); ds != nil {
			var out []any
			for _, x := range ds {
				s, _ := x.(string)
				out = append(out, strings.TrimPrefix(s, prefix))
			}
			tk["dependencies"] = out
		}
	}
	return jsontree.ReplaceStrings(t, func(s string) string {
		for _, scope := range []string{"tasks", "steps"} {
			s = strings.ReplaceAll(s, scope+"."+prefix, scope+".")
			s = strings.ReplaceAll(s, scope+"['"+prefix, scope+"['")
		}
		return s
	}).(map[string]any)
}

// stripWiring removes pipec's retry wiring from a template.
func stripWiring(t map[string]any) {
	// Memoization is part of pipec's retry wiring: pipec memoizes every
	// step with its own keys, and an import replaces the user's memoize
	// blocks by them (the key and the cache differ, the outputs do not).
	delete(t, "memoize")
	for _, kind := range []string{"container", "script"} {
		c, ok := t[kind].(map[string]any)
		if !ok {
			continue
		}
		stripEnv(c)
	}
	for _, list := range []string{"initContainers", "sidecars"} {
		for _, c := range jsontree.List(t[list]) {
			if cm, ok := c.(map[string]any); ok {
				stripEnv(cm)
			}
		}
	}
	if cs, ok := t["containerSet"].(map[string]any); ok {
		for _, c := range jsontree.List(cs["containers"]) {
			if cm, ok := c.(map[string]any); ok {
				stripEnv(cm)
			}
		}
	}
	if in, ok := t["inputs"].(map[string]any); ok {
		var keep []any
		for _, p := range jsontree.List(in["parameters"]) {
			if pm, _ := p.(map[string]any); pm["name"] != pipecItemInput && pm["name"] != pipecInstanceInput {
				keep = append(keep, p)
			}
		}
		in["parameters"] = keep
	}
	// The memo key a memoized producer of artifacts passes to its
	// consumers' keys (their pipec-art-* inputs, resolved by their
	// arguments).
	if out, ok := t["outputs"].(map[string]any); ok {
		var keep []any
		for _, p := range jsontree.List(out["parameters"]) {
			if pm, _ := p.(map[string]any); pm["name"] != pipecMemoKeyOutput {
				keep = append(keep, p)
			}
		}
		if len(keep) == 0 {
			delete(out, "parameters")
		} else {
			out["parameters"] = keep
		}
		if len(out) == 0 {
			delete(t, "outputs")
		}
	}
}

// argoDefaults writes out what Argo reads for a field a template leaves
// out: an HTTP request without a method is a GET (Argo's agent passes the
// empty method to Go's net/http, which sends GET); a suspend template's
// supplied output without a default takes the default of its input of the
// same name (the controller's addRawOutputFields, v3.7 and v4).
func argoDefaults(t map[string]any) {
	if h, ok := t["http"].(map[string]any); ok {
		if m, _ := h["method"].(string); m == "" {
			h["method"] = "GET"
		}
	}
	if _, ok := t["suspend"]; !ok {
		return
	}
	in, _ := t["inputs"].(map[string]any)
	out, _ := t["outputs"].(map[string]any)
	for _, p := range jsontree.List(out["parameters"]) {
		pm, _ := p.(map[string]any)
		vf, _ := pm["valueFrom"].(map[string]any)
		if _, ok := vf["supplied"]; !ok || vf["default"] != nil {
			continue
		}
		for _, ip := range jsontree.List(in["parameters"]) {
			if ipm, _ := ip.(map[string]any); ipm["name"] == pm["name"] && ipm["default"] != nil {
				vf["default"] = ipm["default"]
			}
		}
	}
}

func stripEnv(c map[string]any) {
	var keep []any
	for _, e := range jsontree.List(c["env"]) {
		em, _ := e.(map[string]any)
		if em["name"] == envRetryRunID || em["name"] == envRetryIndicator {
			continue
		}
		keep = append(keep, e)
	}
	c["env"] = keep
	// One argument vector when a command is given.
	if cmd := jsontree.List(c["command"]); len(cmd) > 0 {
		if args := jsontree.List(c["args"]); len(args) > 0 {
			c["command"] = append(append([]any{}, cmd...), args...)
			delete(c, "args")
		}
	}
}

// depends returns a task's dependencies as one canonical depends
// expression.
func depends(tk map[string]any) string {
	if d, ok := tk["depends"].(string); ok && strings.TrimSpace(d) != "" {
		return canonDepends(d)
	}
	var names []string
	for _, x := range jsontree.List(tk["dependencies"]) {
		if s, ok := x.(string); ok {
			names = append(names, s)
		}
	}
	return canonDepends(strings.Join(names, " && "))
}

// canonDepends lower-cases task names, removes blanks and, for a plain
// conjunction, sorts its terms.
func canonDepends(d string) string {
	d = strings.Join(strings.Fields(d), "")
	d = dependsNameRE().ReplaceAllStringFunc(d, func(s string) string {
		if i := strings.IndexByte(s, '.'); i >= 0 {
			return strings.ToLower(s[:i]) + s[i:]
		}
		return strings.ToLower(s)
	})
	if strings.ContainsAny(d, "|()!") {
		return d
	}
	terms := strings.Split(d, "&&")
	sort.Strings(terms)
	uniq := terms[:0]
	for i, t := range terms {
		if i == 0 || t != terms[i-1] {
			uniq = append(uniq, t)
		}
	}
	return strings.Join(uniq, "&&")
}

// reduceDepends drops from a conjunction of plain dependencies a task that
// another one of them already depends on (plainly, directly or not):
// `gen && a` where a depends on gen is `a`, since a only succeeds after gen
// did. pipec adds such a dependency for every reference.
func reduceDepends(tasks map[string]any) {
	plain := map[string][]string{}
	for name, t := range tasks {
		d, _ := t.(map[string]any)["depends"].(string)
		if d != "" && !strings.ContainsAny(d, "|()!.") {
			plain[name] = strings.Split(d, "&&")
		}
	}
	var reaches func(from, to string, seen map[string]bool) bool
	reaches = func(from, to string, seen map[string]bool) bool {
		for _, p := range plain[from] {
			if p == to || (!seen[p] && func() bool { seen[p] = true; return reaches(p, to, seen) }()) {
				return true
			}
		}
		return false
	}
	for name, terms := range plain {
		var keep []string
		for _, x := range terms {
			redundant := false
			for _, y := range terms {
				if y != x && reaches(y, x, map[string]bool{}) {
					redundant = true
					break
				}
			}
			if !redundant {
				keep = append(keep, x)
			}
		}
		tasks[name].(map[string]any)["depends"] = strings.Join(keep, "&&")
	}
}

var dependsNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-zA-Z0-9][-a-zA-Z0-9]*(\.[A-Za-z]+)?`) })

// scalar renders a JSON scalar (or a structure, as JSON) as text.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64, bool, json.Number:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// keepEmpty are keys whose empty object means something (retryStrategy: {}
// retries without a limit, suspend: {} is a suspend template, emptyDir: {} a volume, archive none: {} no archive).
var keepEmpty = map[string]bool{"retryStrategy": true, "suspend": true, "emptyDir": true, "none": true, "zip": true, "tar": true, "supplied": true, "raw": true}

// clean canonicalises a normal form in place: scalars become text,
// quantities canonical, {{ x }} loses its blanks, references to tasks and
// steps are lower-cased, pipec's result output of a retry wrapper reads as
// the result, lists of named objects become maps by name, and empty values
// are dropped. It reports whether v is empty.
func clean(v any, key string) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			ce, empty := clean(e, k)
			if empty && !(keepEmpty[k] && isEmptyMap(e)) {
				delete(x, k)
				continue
			}
			x[k] = ce
		}
		if (key == "requests" || key == "limits") && len(x) > 0 {
			for k, e := range x {
				if s, ok := e.(string); ok {
					if q, err := resource.ParseQuantity(s); err == nil {
						x[k] = q.String()
					}
				}
			}
		}
		return x, len(x) == 0
	case []any:
		var out []any
		for _, e := range x {
			if ce, empty := clean(e, ""); !empty || isEmptyMap(e) {
				out = append(out, ce)
			}
		}
		if byName := namedMap(out); byName != nil && key != "command" && key != "args" {
			return byName, len(byName) == 0
		}
		return out, len(out) == 0
	case nil:
		return nil, true
	case string:
		s := canonText(x)
		if durationKeys[key] {
			s = canonDuration(s)
		}
		return s, s == "" && key != "value"
	default:
		return scalar(x), false
	}
}

// durationKeys hold durations Argo reads either as Go durations or as a
// number of seconds.
var durationKeys = map[string]bool{"duration": true, "maxDuration": true, "cap": true, "maxAge": true}

func canonDuration(s string) string {
	if n, err := strconv.Atoi(s); err == nil {
		return (time.Duration(n) * time.Second).String()
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d.String()
	}
	return s
}

// pluralSync rewrites Argo 3.5's single mutex and semaphore of a
// synchronization block as the lists Argo 3.6+ reads (the same lock).
func pluralSync(v any) {
	switch x := v.(type) {
	case map[string]any:
		if sync, ok := x["synchronization"].(map[string]any); ok {
			for one, many := range map[string]string{"mutex": "mutexes", "semaphore": "semaphores"} {
				if m, ok := sync[one]; ok {
					sync[many] = append([]any{m}, jsontree.List(sync[many])...)
					delete(sync, one)
				}
			}
		}
		for _, e := range x {
			pluralSync(e)
		}
	case []any:
		for _, e := range x {
			pluralSync(e)
		}
	}
}

func isEmptyMap(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// namedMap turns a list of objects that all have distinct names into a map
// by name (order of parameters, env vars and volumes carries no meaning).
func namedMap(l []any) map[string]any {
	if len(l) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		name, ok := m["name"].(string)
		if !ok || out[name] != nil {
			return nil
		}
		out[name] = m
	}
	return out
}

var (
	bracesRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*([^=}][^}]*?)\s*\}\}`) })
	taskRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{(tasks|steps)\.([-a-zA-Z0-9_]+)\.`) })
)

func canonText(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	s = bracesRE().ReplaceAllString(s, "{{$1}}")
	s = taskRefRE().ReplaceAllStringFunc(s, func(m string) string { return strings.ToLower(m) })
	return strings.ReplaceAll(s, ".outputs.parameters."+pipecResultOutput+"}}", ".outputs.result}}")
}

// canonSequence writes a withSequence of numbers as start and end: count N
// from S is start S, end S+N-1 (Argo's count and end are the same loop);
// a missing start is 0, Argo ignores count when end is given, and an
// empty format is Argo's default, %d. The format applies alike to both.
func canonSequence(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	if f, ok := out["format"]; ok && scalar(f) == "" {
		delete(out, "format")
	}
	start := 0
	if s, ok := m["start"]; ok {
		n, err := strconv.Atoi(scalar(s))
		if err != nil {
			return out
		}
		start = n
	}
	out["start"] = strconv.Itoa(start)
	if m["end"] != nil {
		delete(out, "count")
		return out
	}
	count, err := strconv.Atoi(scalar(m["count"]))
	if err != nil || count < 1 {
		return out
	}
	delete(out, "count")
	out["end"] = strconv.Itoa(start + count - 1)
	return out
}
