// Package importer turns Argo objects (Workflow, WorkflowTemplate,
// ClusterWorkflowTemplate, CronWorkflow; YAML or JSON, several per file)
// into formatted .pipe source: `pipec import`.
//
// It writes what the language can express with the language's own
// constructs (steps, after, when, loops, templates, retries, resources,
// env, volumes, outputs, handlers) and keeps everything else in `raw`
// blocks, each with a warning that points at the YAML it came from: nothing
// is dropped silently. Every import is checked: the .pipe is compiled and
// compared with the original (package wfsem); when the native form does not
// round-trip, the object is imported again with its templates kept verbatim
// in raw, and a warning says why.
package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"gopkg.in/yaml.v3"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Options tune an import.
type Options struct {
	// Strict makes every construct that needs raw an error.
	Strict bool
	// NoVerify skips the round-trip check (and the fallback to raw it
	// allows). For tests of the native mapping only.
	NoVerify bool
	// Imports, if set, gives the import path (relative to this file's
	// .pipe) of the .pipe written for a library defined by another input
	// file, or "" (libraries.go).
	Imports func(Library) string
	// Taken, if set, holds the pipeline names of the files imported so far
	// (name -> file), and gets this file's: a Workflow named by
	// generateName that another file's pipeline has is named apart (NAME-2)
	// with a warning, so that the .pipe files build together.
	Taken map[string]string
}

// Result is the import of one input file.
type Result struct {
	// Pipe is the formatted .pipe source; nil when Diags has errors.
	Pipe []byte
	// Diags are the errors and warnings, positioned in the input.
	Diags diag.Diagnostics
	// Objects describes each imported object, in input order.
	Objects []*Object
}

// Object is what became of one Argo object.
type Object struct {
	Kind, Name string
	// Original is the object as read (JSON values).
	Original map[string]any
	// Raw lists the constructs kept in raw, e.g. "template.sidecars".
	Raw []string
	// Inexpressible lists what neither the language nor raw can express
	// (the round trip then differs there).
	Inexpressible []string
	// Verbatim is set when the object's templates are kept whole in raw.
	Verbatim bool
	// YAMLLines and PipeLines count the lines of the object's YAML and of
	// its pipeline in the .pipe, blank lines and comments left out.
	YAMLLines, PipeLines int
}

// Native reports whether the object was imported without raw.
func (o *Object) Native() bool { return len(o.Raw) == 0 && len(o.Inexpressible) == 0 }

// Import reads the Argo objects of one file and returns its .pipe.
func Import(filename string, data []byte, opts Options) *Result {
	res := &Result{}
	defer func() { res.Diags = withOffsets(res.Diags, data).Sort() }()
	docs, err := splitDocs(filename, data, &res.Diags)
	if err != nil || res.Diags.HasErrors() {
		return res
	}
	if len(docs) == 0 {
		res.Diags.Errorf(diag.Range{Filename: filename, Start: diag.Pos{Line: 1, Column: 1}}, "no Argo object in %s", filename).
			WithHint("pipec import reads Workflows, WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows")
		return res
	}
	var parts []string
	names := map[string]bool{}
	for _, d := range docs {
		obj, text := importDoc(filename, d, names, opts, &res.Diags)
		if obj == nil {
			continue
		}
		res.Objects = append(res.Objects, obj)
		parts = append(parts, text)
	}
	if res.Diags.HasErrors() {
		return res
	}
	from := baseName(filename)
	if filename == "<stdin>" {
		from = "standard input"
	}
	src := "// Imported by pipec import from " + from + ".\n\n" + importLines(docs, opts) + strings.Join(parts, "\n")
	out, fd := dsl.FormatSource(strings.TrimSuffix(filename, extOf(filename))+".pipe", []byte(src))
	if fd.HasErrors() {
		for _, d := range fd {
			res.Diags.Errorf(diag.Range{Filename: filename}, "internal error: pipec import wrote invalid .pipe: %s", d.String())
		}
		return res
	}
	res.Pipe = out
	countPipeLines(res)
	return res
}

// doc is one YAML document.
type doc struct {
	node  *yaml.Node // the document's top mapping
	value map[string]any
	lines int
	// comment is the comment at the head of the document.
	comment string
	// root is the document node (its comments: comments.go).
	root *yaml.Node
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// splitDocs parses the YAML (or JSON) documents of a file, keeping their
// nodes for positions.
func splitDocs(filename string, data []byte, diags *diag.Diagnostics) ([]*doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*doc
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			line, msg := 1, err.Error()
			if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = m[2]
			}
			diags.Errorf(diag.Range{Filename: filename, Start: diag.Pos{Line: line, Column: 1}}, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: ")).
				WithHint("fix the YAML syntax; pipec import reads YAML or JSON")
			return nil, err
		}
		if len(n.Content) == 0 {
			continue
		}
		top := n.Content[0]
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			continue
		}
		if top.Kind != yaml.MappingNode {
			diags.Errorf(rangeOf(filename, top), "not an Argo object: a YAML document must be a mapping with apiVersion and kind")
			continue
		}
		var v any
		if err := top.Decode(&v); err != nil {
			diags.Errorf(rangeOf(filename, top), "cannot read the document: %v", err)
			continue
		}
		m, ok := jsonValue(v).(map[string]any)
		if !ok {
			diags.Errorf(rangeOf(filename, top), "not an Argo object: a YAML document must be a mapping")
			continue
		}
		head := n.HeadComment
		if head == "" && len(top.Content) > 0 {
			head = top.Content[0].HeadComment
		}
		docs = append(docs, &doc{node: top, value: m, lines: codeLines(data, top.Line, top.Line+docLines(top)-1), comment: head, root: &n})
	}
	return docs, nil
}

// codeLines counts the lines from..to (1-based, inclusive) of data that are
// neither blank nor only a comment.
func codeLines(data []byte, from, to int) int {
	n := 0
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 < from || i+1 > to {
			continue
		}
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") {
			n++
		}
	}
	return n
}

// docLines counts the lines a document spans (its last line minus its
// first, plus one).
func docLines(n *yaml.Node) int {
	last := n.Line
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		end := x.Line
		if x.Kind == yaml.ScalarNode && (x.Style == yaml.LiteralStyle || x.Style == yaml.FoldedStyle) {
			end += strings.Count(strings.TrimRight(x.Value, "\n"), "\n") + 1
		}
		if end > last {
			last = end
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(n)
	return last - n.Line + 1
}

// jsonValue converts what yaml.v3 decodes into JSON-compatible values
// (map[string]any, []any, string, float64, bool, nil).
func jsonValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonValue(e)
		}
		return x
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonValue(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonValue(e)
		}
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

func rangeOf(filename string, n *yaml.Node) diag.Range {
	p := diag.Pos{Line: n.Line, Column: n.Column}
	return diag.Range{Filename: filename, Start: p, End: p}
}

// nodeAt finds the node at a path of mapping keys (string) and sequence
// indices (int); it returns the deepest node found.
func nodeAt(n *yaml.Node, path ...any) *yaml.Node {
	cur := n
	for _, p := range path {
		next := (*yaml.Node)(nil)
		switch k := p.(type) {
		case string:
			if cur.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(cur.Content); i += 2 {
					if cur.Content[i].Value == k {
						next = cur.Content[i+1]
						break
					}
				}
			}
		case int:
			if cur.Kind == yaml.SequenceNode && k < len(cur.Content) {
				next = cur.Content[k]
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
	return cur
}

// keyAt is like nodeAt but returns the key node of the last path element
// when it is a mapping key (warnings point at the field's name).
func keyAt(n *yaml.Node, path ...any) *yaml.Node {
	if len(path) == 0 {
		return n
	}
	parent := nodeAt(n, path[:len(path)-1]...)
	if k, ok := path[len(path)-1].(string); ok && parent.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(parent.Content); i += 2 {
			if parent.Content[i].Value == k {
				return parent.Content[i]
			}
		}
	}
	return nodeAt(n, path...)
}

var kinds = map[string]bool{"Workflow": true, "WorkflowTemplate": true, "ClusterWorkflowTemplate": true, "CronWorkflow": true}

// checkDoc checks that a document is an Argo object pipec can read, and
// decodes it strictly into Argo's types.
func checkDoc(filename string, d *doc, diags *diag.Diagnostics) (string, bool) {
	kind, _ := d.value["kind"].(string)
	api, _ := d.value["apiVersion"].(string)
	switch {
	case kind == "":
		diags.Errorf(rangeOf(filename, d.node), "not an Argo object: no kind").
			WithHint("pipec import reads kind Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow")
		return "", false
	case !kinds[kind]:
		diags.Errorf(rangeOf(filename, nodeAt(d.node, "kind")), "unknown kind %q: not an Argo workflow object", kind).
			WithHint("pipec import reads kind Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow")
		return "", false
	case !strings.HasPrefix(api, "argoproj.io/"):
		diags.Errorf(rangeOf(filename, nodeAt(d.node, "apiVersion")), "apiVersion %q is not Argo's", api).
			WithHint("Argo objects have apiVersion: argoproj.io/v1alpha1")
		return "", false
	}
	b, _ := json.Marshal(d.value)
	var typed any
	switch kind {
	case "Workflow":
		typed = &wfv1.Workflow{}
	case "WorkflowTemplate":
		typed = &wfv1.WorkflowTemplate{}
	case "ClusterWorkflowTemplate":
		typed = &wfv1.ClusterWorkflowTemplate{}
	case "CronWorkflow":
		typed = &wfv1.CronWorkflow{}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(typed); err != nil {
		msg := strings.TrimPrefix(err.Error(), "json: ")
		at := d.node
		if m := unknownFieldRE().FindStringSubmatch(msg); m != nil {
			if n := findKey(d.node, m[1]); n != nil {
				at = n
			}
		}
		diags.Errorf(rangeOf(filename, at), "not a valid %s: %s", kind, msg).
			WithHint("check the field against Argo's %s reference", kind)
		return "", false
	}
	return kind, true
}

var unknownFieldRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`unknown field "([^"]+)"`) })

func findKey(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i]
			}
		}
	}
	for _, c := range n.Content {
		if f := findKey(c, key); f != nil {
			return f
		}
	}
	return nil
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func extOf(p string) string {
	b := baseName(p)
	if i := strings.LastIndexByte(b, '.'); i > 0 {
		return b[i:]
	}
	return ""
}

// countPipeLines fills PipeLines: the lines of each pipeline's part of the
// formatted source (the header comment counts for the first).
func countPipeLines(res *Result) {
	lines := strings.Split(string(res.Pipe), "\n")
	var starts []int
	for i, l := range lines {
		if strings.HasPrefix(l, "pipeline ") {
			starts = append(starts, i)
		}
	}
	// Templates and comments before a pipeline belong to it.
	for i, o := range res.Objects {
		if i >= len(starts) {
			break
		}
		from := 0
		if i > 0 {
			from = starts[i-1]
			for j := from; j < len(lines); j++ {
				if lines[j] == "}" {
					from = j + 1
					break
				}
			}
		}
		to := len(lines)
		if i+1 < len(starts) {
			to = starts[i+1]
			for to > from && !strings.HasPrefix(lines[to-1], "}") {
				to--
			}
		}
		n := 0
		for _, l := range lines[from:to] {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "//") {
				n++
			}
		}
		o.PipeLines = n
	}
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// withOffsets fills the byte offsets of positions given as line and column
// (yaml.v3 counts columns in runes).
func withOffsets(ds diag.Diagnostics, data []byte) diag.Diagnostics {
	var starts []int
	starts = append(starts, 0)
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	off := func(p diag.Pos) diag.Pos {
		if p.Line < 1 || p.Line > len(starts) {
			return p
		}
		o := starts[p.Line-1]
		for col := 1; col < p.Column && o < len(data) && data[o] != '\n'; col++ {
			_, size := utf8.DecodeRune(data[o:])
			o += size
		}
		p.Offset = o
		return p
	}
	for i := range ds {
		ds[i].Range.Start = off(ds[i].Range.Start)
		ds[i].Range.End = off(ds[i].Range.End)
	}
	return ds
}

// commentText turns YAML comment text (# lines) into // lines with the
// given indent, or "" when there is none.
func commentText(c, indent string) string {
	c = strings.TrimSpace(c)
	if c == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.Split(c, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "#")
		if strings.TrimSpace(l) == "" {
			b.WriteString(indent + "//\n")
			continue
		}
		if !strings.HasPrefix(l, " ") {
			l = " " + l
		}
		b.WriteString(indent + "//" + strings.TrimRight(l, " \t") + "\n")
	}
	return b.String()
}
