package importer

import "github.com/pipec/pipec/internal/jsontree"

// Inline templates: a task's `inline` template is a template called once,
// which the importer already writes as the step's own body. Each one is
// given a stand-in template name (never written: it cannot be a pipec
// name) whose YAML path is the task's inline field, so that warnings point
// there.

const inlinePrefix = "pipec-inline:"

// inlineTasks turns the tasks' inline templates into templates of their
// own, called once.
func (c *conv) inlineTasks(all []task) {
	for _, t := range all {
		in, ok := t.m["inline"].(map[string]any)
		if !ok || t.m["template"] != nil || t.m["templateRef"] != nil {
			continue
		}
		name, _ := t.m["name"].(string)
		syn := inlinePrefix + name
		tm := jsontree.Copy(in).(map[string]any)
		tm["name"] = syn
		c.templates[syn] = tm
		if c.inlinePaths == nil {
			c.inlinePaths = map[string][]any{}
		}
		c.inlinePaths[syn] = append(append([]any{}, t.path...), "inline")
		c.inlineOnly[syn] = true
		t.m["template"] = syn
		delete(t.m, "inline")
	}
}
