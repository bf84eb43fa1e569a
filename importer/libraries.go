package importer

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pipec/pipec/internal/jsontree"
)

// Libraries: a WorkflowTemplate that another imported file uses through
// templateRef becomes an `import` of the .pipe written for it, so that
// pipec build checks each ref(...) against the templates it defines
// (template and argument names). The CLI, which sees every input, says
// where each library is written (Options.Imports).

// Library names a WorkflowTemplate or ClusterWorkflowTemplate.
type Library struct {
	Name    string
	Cluster bool
}

// Libraries lists the WorkflowTemplates and ClusterWorkflowTemplates a file
// defines (nothing for what is not valid YAML: Import reports that).
func Libraries(data []byte) []Library {
	var out []Library
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var v struct {
			Kind     string
			Metadata struct{ Name string }
		}
		if err := dec.Decode(&v); err != nil {
			if err == io.EOF {
				return out
			}
			return nil
		}
		switch v.Kind {
		case "WorkflowTemplate", "ClusterWorkflowTemplate":
			if v.Metadata.Name != "" {
				out = append(out, Library{Name: v.Metadata.Name, Cluster: v.Kind == "ClusterWorkflowTemplate"})
			}
		}
	}
}

// templateRefs lists the libraries a document's templateRefs and
// workflowTemplateRef name.
func templateRefs(v any, out map[Library]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "templateRef" || k == "workflowTemplateRef" {
				if m, ok := e.(map[string]any); ok {
					name, _ := m["name"].(string)
					cluster, _ := m["clusterScope"].(bool)
					if name != "" {
						out[Library{Name: name, Cluster: cluster}] = true
					}
					continue
				}
			}
			templateRefs(e, out)
		}
	case []any:
		for _, e := range x {
			templateRefs(e, out)
		}
	}
}

// importLines are the import statements of a file: one per other input
// file that defines a library this file's objects use.
func importLines(docs []*doc, opts Options) string {
	if opts.Imports == nil {
		return ""
	}
	own := map[Library]bool{}
	used := map[Library]bool{}
	for _, d := range docs {
		kind, _ := d.value["kind"].(string)
		md, _ := d.value["metadata"].(map[string]any)
		if name, _ := md["name"].(string); name != "" && (kind == "WorkflowTemplate" || kind == "ClusterWorkflowTemplate") {
			own[Library{Name: name, Cluster: kind == "ClusterWorkflowTemplate"}] = true
		}
		templateRefs(d.value, used)
	}
	paths := map[string]bool{}
	for l := range used {
		if own[l] {
			continue
		}
		if p := opts.Imports(l); p != "" {
			paths[p] = true
		}
	}
	if len(paths) == 0 {
		return ""
	}
	var lines []string
	for p := range paths {
		lines = append(lines, "import "+strconv.Quote(p))
	}
	sort.Strings(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String() + "\n"
}

// A WorkflowTemplate is also a library: other workflows call its templates
// by name through templateRef. Those that pipec would not write under their
// own names (the steps' templates are named after the steps) become
// `template` declarations listed in the pipeline's `library` setting. A
// WorkflowTemplate without an entrypoint, or whose entrypoint is a leaf
// template with inputs no parameter gives, is only a library: no steps,
// and `entrypoint "NAME"` for the template it starts from.

// isLibraryKind reports whether the object is a (Cluster)WorkflowTemplate.
func (c *conv) isLibraryKind() bool {
	return c.kind == "WorkflowTemplate" || c.kind == "ClusterWorkflowTemplate"
}

// libraryOnly reports whether the object is only a library of templates.
func (c *conv) libraryOnly() bool {
	if !c.isLibraryKind() || c.templateRef {
		return false
	}
	ep, _ := c.spec["entrypoint"].(string)
	if ep == "" {
		return true
	}
	t := c.templates[ep]
	if t == nil || leafKind(t) == "" {
		return false
	}
	in, _ := t["inputs"].(map[string]any)
	for _, p := range jsontree.List(in["parameters"]) {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		if pm["value"] == nil && pm["default"] == nil && !c.params[name] {
			return true
		}
	}
	return false
}

// libraryStmts declares the library templates and returns the pipeline's
// library (and, for a library only, entrypoint) settings. emitted are the
// Argo template names pipec writes for the pipeline's own steps.
func (c *conv) libraryStmts(only bool) ([]string, error) {
	if !c.isLibraryKind() {
		return nil, nil
	}
	ep, _ := c.spec["entrypoint"].(string)
	emitted := map[string]bool{}
	if !only {
		emitted[ep] = true // the entry template (pipec's main)
		for name := range c.stepNames {
			emitted[strings.ToLower(name)] = true
		}
	}
	var names []string
	for name := range c.templates {
		if _, inline := c.inlinePaths[name]; !emitted[name] && !inline {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool { return c.tmplIndex[names[i]] < c.tmplIndex[names[j]] })
	var lib []string
	for _, tn := range names {
		var err error
		if leafKind(c.templates[tn]) != "" {
			_, err = c.templateUses(tn, taskArgs{})
		} else {
			_, err = c.compositeUses(tn, taskArgs{}, task{path: c.tp(tn)})
		}
		if err != nil {
			return nil, err
		}
		if c.alias[tn] != tn {
			return nil, &notNative{path: c.tp(tn, "name"), what: fmt.Sprintf("library template %q (its name is taken in this file)", tn)}
		}
		lib = append(lib, tn)
	}
	var out []string
	if len(lib) > 0 {
		out = append(out, "library ["+strings.Join(lib, ", ")+"]")
	}
	if only && ep != "" {
		out = append(out, c.fieldComment(c.sp("entrypoint")...)+"entrypoint "+quote(ep))
	}
	if only {
		delete(c.spec, "templates")
		delete(c.spec, "entrypoint")
	}
	return out, nil
}
