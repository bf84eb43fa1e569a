package importer

import (
	"bytes"
	"io"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
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
