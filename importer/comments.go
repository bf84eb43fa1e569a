package importer

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Comments: the YAML's comments are kept where they attach to a construct
// the .pipe has. The head of a document goes above its pipeline, a task's
// or template's above its step or template (convert.go, steps.go); the
// comments above (or at the end of) a field go above the statement written
// for it: a spec setting, a container's command and args, a script's
// source, an output, a resource step's manifest and flags, a task's
// condition. Never right above a param or pipeline, whose doc comment is
// their description.

// exactNode returns the key node (nil for a sequence item) and the value
// node at a path of mapping keys and sequence indices, or nils when the
// path is not in the document.
func exactNode(root *yaml.Node, path ...any) (key, val *yaml.Node) {
	cur := root
	for _, p := range path {
		key = nil
		var next *yaml.Node
		switch k := p.(type) {
		case string:
			if cur.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(cur.Content); i += 2 {
					if cur.Content[i].Value == k {
						key, next = cur.Content[i], cur.Content[i+1]
						break
					}
				}
			}
		case int:
			if cur.Kind == yaml.SequenceNode && k >= 0 && k < len(cur.Content) {
				next = cur.Content[k]
			}
		}
		if next == nil {
			return nil, nil
		}
		cur = next
	}
	return key, cur
}

// fieldComment is the comment of the field (or list item) at path, as //
// lines ending in a newline, or "". Each comment is written once.
func (c *conv) fieldComment(path ...any) string {
	key, val := exactNode(c.d.node, path...)
	if val == nil {
		return ""
	}
	var parts []string
	add := func(n *yaml.Node, s string) {
		if n == nil || strings.TrimSpace(s) == "" {
			return
		}
		if c.commented == nil {
			c.commented = map[*yaml.Node]bool{}
		}
		id := n
		if c.commented[id] {
			return
		}
		c.commented[id] = true
		parts = append(parts, s)
	}
	if key != nil {
		add(key, key.HeadComment)
		add(key, key.LineComment)
		add(val, val.LineComment)
	} else {
		head := val.HeadComment
		if head == "" && val.Kind == yaml.MappingNode && len(val.Content) > 0 {
			head = val.Content[0].HeadComment
		}
		add(val, head)
	}
	if len(parts) == 0 {
		return ""
	}
	return commentText(strings.Join(parts, "\n"), "")
}

// withComments prefixes each line with the comment of the list item it was
// written for (the i-th item of the field at path), when there is one line
// per item.
func (c *conv) withComments(lines []string, path ...any) []string {
	_, list := exactNode(c.d.node, path...)
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) != len(lines) {
		return lines
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = c.fieldComment(append(append([]any{}, path...), i)...) + l
	}
	return out
}
