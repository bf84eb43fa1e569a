package importer

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/jsontree"
	"github.com/pipec/pipec/internal/wfsem"
)

// importDoc imports one object: natively if its structure has a pipec
// form and the result round-trips, else with its templates verbatim in raw.
func importDoc(filename string, d *doc, names map[string]bool, opts Options, diags *diag.Diagnostics) (*Object, string) {
	kind, ok := checkDoc(filename, d, diags)
	if !ok {
		return nil, ""
	}
	obj := &Object{Kind: kind, Original: d.value, YAMLLines: d.lines}
	if !checkCycles(filename, d, kind, diags) {
		return nil, ""
	}
	// The forms tried, most native first: the first that round-trips wins.
	// A form without a one-to-one setting keeps those spec fields in raw;
	// a verbatim one keeps the templates whole in raw.
	forms := []struct{ verbatim, rawSettings bool }{{false, false}, {false, true}, {true, false}, {true, true}}
	snapshot := copyNames(names)
	var why *notNative
	var text string
	var c *conv
	for i, form := range forms {
		restore(names, snapshot)
		obj.Raw, obj.Inexpressible = nil, nil
		c = newConv(filename, d, obj, form.verbatim)
		c.rawSettings = form.rawSettings
		c.taken = opts.Taken
		if form.verbatim && why != nil {
			c.notes = append(c.notes, note{path: why.path, what: why.what, verbatim: true})
		}
		t, err := c.pipeline(names)
		if err != nil {
			if why == nil {
				why, _ = err.(*notNative)
				if why == nil {
					why = &notNative{what: err.Error()}
				}
			}
			continue
		}
		text = t
		if opts.NoVerify {
			break
		}
		expected := c.inexpressiblePaths()
		if c.renamed != nil {
			expected = append(expected, "metadata.generateName") // named apart, with a warning
		}
		diff := roundTrip(obj.Name, t+"\n"+strings.Join(c.shared, "\n"), d.value, expected)
		if diff == "" {
			break
		}
		if why == nil {
			why = &notNative{what: "the native import does not round-trip (" + diff + ")"}
		}
		if i == len(forms)-1 {
			c.notes = append(c.notes, note{what: "the import does not round-trip (" + diff + ")", inexpressible: true})
		}
	}
	if text == "" {
		diags.Errorf(rangeOf(filename, d.node), "cannot import this %s: %s", kind, why.what)
		return nil, ""
	}
	obj.Verbatim = c.verbatim
	c.warnings(diags, opts.Strict)
	if r := c.renamed; r != nil {
		at := d.node
		if n := nodeAt(d.node, "metadata", "generateName"); n != nil {
			at = n
		}
		diags.Warnf(rangeOf(filename, at), "pipeline %q is already imported from %s: this Workflow is named %q (its generateName becomes %q)", r.from, r.file, r.to, r.to+"-").
			WithHint("pipeline names are unique in one build; rename it in the .pipe if you prefer another name")
	}
	if opts.Taken != nil {
		opts.Taken[obj.Name] = filename
	}
	return obj, text
}

func copyNames(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func restore(m, snap map[string]bool) {
	for k := range m {
		if !snap[k] {
			delete(m, k)
		}
	}
}

// roundTrip compiles a pipeline's text and compares what pipec writes with
// the original object; it returns the first difference, or "".
func roundTrip(name, text string, original map[string]any, expected []string) string {
	y, errs := Build(name+".pipe", []byte(text), true)
	if errs != "" {
		return "pipec build: " + errs
	}
	var back map[string]any
	if err := yaml.Unmarshal(y, &back); err != nil {
		return "cannot read pipec's YAML: " + err.Error()
	}
	dropMarker(original, back)
	diffs, err := wfsem.Compare(original, back, 0)
	if err != nil {
		return err.Error()
	}
next:
	for _, d := range diffs {
		for _, p := range expected {
			if d.Path == p || strings.HasPrefix(d.Path, p+".") || strings.HasPrefix(d.Path, p+"[") {
				continue next
			}
		}
		return d.String()
	}
	return ""
}

// dropMarker removes from pipec's output the label every compiled object
// carries (compiler.LabelPipeline) when the original lacks it: it is pipec's
// marker, not a difference of meaning.
func dropMarker(original, back map[string]any) {
	if om, _ := original["metadata"].(map[string]any); om != nil {
		if ol, _ := om["labels"].(map[string]any); ol != nil {
			if _, ok := ol[compiler.LabelPipeline]; ok {
				return
			}
		}
	}
	bm, _ := back["metadata"].(map[string]any)
	bl, _ := bm["labels"].(map[string]any)
	if bl == nil {
		return
	}
	delete(bl, compiler.LabelPipeline)
	if len(bl) == 0 {
		delete(bm, "labels")
	}
}

// Build compiles one .pipe text with the compiler's API (Argo's validator
// when validate is set) and returns the YAML of its pipelines (as one
// multi-document stream) or the first errors.
func Build(filename string, src []byte, validate bool) ([]byte, string) {
	srcs := compiler.Overlay{Files: map[string][]byte{filename: src}}
	res := compiler.Compile(srcs, []string{filename}, compiler.Options{SkipValidate: !validate})
	if res.Diags.HasErrors() {
		var msgs []string
		for _, d := range res.Diags {
			if d.Severity == diag.Error {
				msgs = append(msgs, fmt.Sprintf("%d:%d: %s", d.Range.Start.Line, d.Range.Start.Column, d.Message))
			}
			if len(msgs) == 3 {
				break
			}
		}
		return nil, strings.Join(msgs, "; ")
	}
	var out []byte
	for i, o := range res.Outputs {
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = append(out, o.YAML...)
	}
	return out, ""
}

// checkCycles rejects a template that calls itself with no condition on
// the way: it would run forever (a conditional recursion, as in Argo's
// coinflip-recursive, is fine).
func checkCycles(filename string, d *doc, kind string, diags *diag.Diagnostics) bool {
	spec, _ := d.value["spec"].(map[string]any)
	path := []any{"spec"}
	if kind == "CronWorkflow" {
		spec, _ = spec["workflowSpec"].(map[string]any)
		path = []any{"spec", "workflowSpec"}
	}
	type edge struct {
		to   string
		path []any
	}
	graph := map[string][]edge{}
	for i, t := range jsontree.List(spec["templates"]) {
		tm, _ := t.(map[string]any)
		name, _ := tm["name"].(string)
		add := func(x any, p []any) {
			xm, _ := x.(map[string]any)
			if to, ok := xm["template"].(string); ok && xm["when"] == nil {
				graph[name] = append(graph[name], edge{to, append(p, "template")})
			}
		}
		tp := append(append([]any{}, path...), "templates", i)
		if dag, ok := tm["dag"].(map[string]any); ok {
			for j, x := range jsontree.List(dag["tasks"]) {
				add(x, append(append([]any{}, tp...), "dag", "tasks", j))
			}
		}
		for g, group := range jsontree.List(tm["steps"]) {
			for j, x := range jsontree.List(group) {
				add(x, append(append([]any{}, tp...), "steps", g, j))
			}
		}
	}
	state := map[string]int{}
	var stack []string
	var found []string
	var at []any
	var visit func(n string) bool
	visit = func(n string) bool {
		state[n] = 1
		stack = append(stack, n)
		for _, e := range graph[n] {
			if state[e.to] == 1 {
				i := 0
				for stack[i] != e.to {
					i++
				}
				found = append(append([]string{}, stack[i:]...), e.to)
				at = e.path
				return true
			}
			if state[e.to] == 0 && visit(e.to) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return false
	}
	for _, name := range sortedKeys(anyMap(graph)) {
		if state[name] == 0 && visit(name) {
			diags.Errorf(rangeOf(filename, nodeAt(d.node, at...)), "template cycle: %s", strings.Join(found, " -> ")).
				WithHint("a template that calls itself needs a when condition that ends the recursion")
			return false
		}
	}
	return true
}

func anyMap[T any](m map[string]T) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// inexpressiblePaths are where the round trip is known to differ: the
// normal-form paths of what cannot be expressed.
func (c *conv) inexpressiblePaths() []string {
	var out []string
	for _, n := range c.notes {
		if !n.inexpressible || len(n.path) == 0 {
			continue
		}
		switch n.path[0] {
		case "metadata":
			out = append(out, "metadata")
		case "kind":
			out = append(out, "kind")
		case "spec":
			if c.kind == "CronWorkflow" && len(n.path) > 1 && n.path[1] != "workflowSpec" {
				out = append(out, "cron")
			}
		}
	}
	return out
}
