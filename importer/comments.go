package importer

import (
	"fmt"
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

// commentSlot is one comment of a YAML node: its head, line or foot
// comment.
type commentSlot struct {
	n    *yaml.Node
	kind byte // 'h', 'l' or 'f'
}

// text is the slot's comment text ("" when it has none).
func (s commentSlot) text() string {
	switch s.kind {
	case 'h':
		return s.n.HeadComment
	case 'l':
		return s.n.LineComment
	}
	return s.n.FootComment
}

// take marks the slot's comment as written and returns it; "" when the
// slot is empty or its comment is already written. Each comment is written
// once.
func (c *conv) take(n *yaml.Node, kind byte) string {
	if n == nil {
		return ""
	}
	s := commentSlot{n, kind}
	t := s.text()
	if strings.TrimSpace(t) == "" || c.commented[s] {
		return ""
	}
	c.mark(s)
	return t
}

// mark records that the slot's comment is written.
func (c *conv) mark(s commentSlot) {
	if c.commented == nil {
		c.commented = map[commentSlot]bool{}
	}
	c.commented[s] = true
}

// headComment is the comment above the task or template item at path (its
// own or its first key's) and the one at the end of the line of its name,
// marked as written. It is returned each time it is asked for (a template
// inlined in several steps has it above each).
func (c *conv) headComment(path ...any) string {
	n := nodeAt(c.d.node, path...)
	if n == nil {
		return ""
	}
	h := n
	if n.HeadComment == "" && n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		h = n.Content[0]
	}
	c.mark(commentSlot{h, 'h'})
	parts := []string{h.HeadComment}
	// The first step of a group of parallel steps (- - name: ...): the
	// group's comment too.
	if k := len(path); k >= 2 && path[k-1] == 0 {
		if _, ok := path[k-2].(int); ok {
			if g := nodeAt(c.d.node, path[:k-1]...); g != nil && g.Kind == yaml.SequenceNode {
				c.mark(commentSlot{g, 'h'})
				parts = append([]string{g.HeadComment}, parts...)
			}
		}
	}
	if key, val := exactNode(n, "name"); key != nil {
		for _, s := range []commentSlot{{key, 'l'}, {val, 'l'}} {
			c.mark(s)
			parts = append(parts, s.text())
		}
	}
	return joinComments(parts...)
}

// fieldComment is the comment of the field (or list item) at path, as //
// lines ending in a newline, or "". Each comment is written once.
func (c *conv) fieldComment(path ...any) string {
	key, val := exactNode(c.d.node, path...)
	if val == nil {
		return ""
	}
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if key != nil {
		add(c.take(key, 'h'))
		add(c.take(key, 'l'))
		add(c.take(val, 'l'))
	} else {
		head := c.take(val, 'h')
		if head == "" && val.Kind == yaml.MappingNode && len(val.Content) > 0 {
			head = c.take(val.Content[0], 'h')
		}
		add(head)
	}
	if len(parts) == 0 {
		return ""
	}
	return commentText(strings.Join(parts, "\n"), "")
}

// treeComments is every comment not yet written of the field (or list
// item) at path and of all it holds, in the YAML's order, as // lines: for
// a statement written for the whole of it.
func (c *conv) treeComments(path ...any) string {
	key, val := exactNode(c.d.node, path...)
	if val == nil {
		return ""
	}
	var parts []string
	for _, s := range treeSlots(key, val) {
		if t := c.take(s.n, s.kind); t != "" {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return commentText(strings.Join(parts, "\n"), "")
}

// treeSlots lists the comment slots of a key (nil for a list item) and
// its value, in the YAML's order.
func treeSlots(key, val *yaml.Node) []commentSlot {
	var out []commentSlot
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		out = append(out, commentSlot{n, 'h'}, commentSlot{n, 'l'})
		for _, ch := range n.Content {
			walk(ch)
		}
		out = append(out, commentSlot{n, 'f'})
	}
	if key != nil {
		out = append(out, commentSlot{key, 'h'}, commentSlot{key, 'l'})
	}
	walk(val)
	if key != nil {
		out = append(out, commentSlot{key, 'f'})
	}
	return out
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
		out[i] = c.treeComments(append(append([]any{}, path...), i)...) + l
	}
	return out
}

// itemComments are the comments of each item of the list at path (see
// treeComments), "" for an item without.
func (c *conv) itemComments(path ...any) []string {
	_, list := exactNode(c.d.node, path...)
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, len(list.Content))
	for i := range list.Content {
		out[i] = c.treeComments(append(append([]any{}, path...), i)...)
	}
	return out
}

// listComments puts the comments of the list at path above the lines
// written for it: the field's above the first line, each item's above its
// line (when there is one line per item).
func (c *conv) listComments(lines []string, path ...any) []string {
	if len(lines) == 0 {
		return lines
	}
	lines = c.withComments(lines, path...)
	lines[0] = c.fieldComment(path...) + lines[0]
	return lines
}

// strayComments are the YAML's comments that no statement took (a comment
// inside a literal, above a label, ...), as // lines naming the YAML line
// of what each belongs to: written above the pipeline, so that no comment
// is lost silently. "" when every comment found its place.
func (c *conv) strayComments() string {
	root := c.d.node
	// The document's head comment is written above the pipeline.
	if c.d.root != nil {
		root = c.d.root
		if root.HeadComment == c.d.comment {
			c.mark(commentSlot{root, 'h'})
		}
	}
	if top := c.d.node; len(top.Content) > 0 && top.Content[0].HeadComment == c.d.comment {
		c.mark(commentSlot{top.Content[0], 'h'})
	}
	var b strings.Builder
	for _, s := range treeSlots(nil, root) {
		t := c.take(s.n, s.kind)
		if t == "" {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("// Comments of the YAML that have no place in the .pipe (by the line they belong to):\n")
		}
		for i, l := range strings.Split(strings.TrimRight(commentText(t, ""), "\n"), "\n") {
			if i == 0 {
				where := fmt.Sprintf("line %d", s.n.Line)
				if s.n.Kind == yaml.DocumentNode {
					where = "end of the document"
				}
				l = "// " + where + ":" + strings.TrimPrefix(l, "//")
			}
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// entryComment is the comment of the map entry k of the field at path
// (with the field's own, for the first entry written), for the statement
// written for the entry.
func (c *conv) entryComment(path []any, k string) string {
	p := append(append([]any{}, path...), k)
	return c.fieldComment(path...) + c.fieldComment(p...) + c.treeComments(p...)
}
