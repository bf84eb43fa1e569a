package importer

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// Comments inside raw: a raw fragment is the YAML of what the converter
// left of a node (the spec, or a template), so the comments of that node's
// fields and list items are copied onto the fragment where its structure
// matches the YAML's (the same keys; lists of the same length), and the
// fragment is written with them. A fragment that would read differently
// with its comments (it never should) is written without them, and the
// comments are left to strayComments.

// rawBlock renders a raw statement with the YAML fragment v, which was
// left of the node at path: with the comments of that node's fields.
func (c *conv) rawBlock(v any, path ...any) (string, error) {
	plain, err := sigsyaml.Marshal(v)
	if err != nil {
		return "", err
	}
	if y, slots := c.commentedFragment(plain, path); y != "" {
		if r, err := rawText(y); err == nil {
			for _, s := range slots {
				c.mark(s)
			}
			return r, nil
		}
	}
	return rawText(string(plain))
}

// rawText renders a raw statement with the YAML text y.
func rawText(y string) (string, error) {
	// pipec interpolates ${...} in raw: Argo's own ${ (a shell variable in
	// a script) is written $${.
	y = strings.ReplaceAll(y, "${", "$${")
	switch {
	case !strings.Contains(y, `"""`) && !strings.HasSuffix(y, `"`):
		return "raw \"\"\"\n" + y + "\"\"\"", nil
	case !strings.Contains(y, "`"):
		return "raw `\n" + y + "`", nil
	}
	return "", fmt.Errorf("the fragment holds both \"\"\" and `")
}

// commentedFragment is the fragment plain with the comments of the node at
// path copied onto it, and the comment slots it holds; "" when no comment
// applies, or when the fragment would not read the same.
func (c *conv) commentedFragment(plain []byte, path []any) (string, []commentSlot) {
	_, src := exactNode(c.d.node, path...)
	if src == nil {
		return "", nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(plain, &doc); err != nil || len(doc.Content) != 1 {
		return "", nil
	}
	var slots []commentSlot
	c.copyComments(doc.Content[0], src, &slots)
	if len(slots) == 0 {
		return "", nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil || enc.Close() != nil {
		return "", nil
	}
	want, err1 := sigsyaml.YAMLToJSON(plain)
	got, err2 := sigsyaml.YAMLToJSON(b.Bytes())
	if err1 != nil || err2 != nil || !bytes.Equal(want, got) {
		return "", nil
	}
	return b.String(), slots
}

// copyComments copies the comments of src's fields and items (not yet
// written) onto the matching fields and items of dst, recording their
// slots. A comment at the end of the line of a map or list goes above it
// (the fragment is written in block style).
func (c *conv) copyComments(dst, src *yaml.Node, slots *[]commentSlot) {
	get := func(n *yaml.Node, kind byte) string {
		if n == nil {
			return ""
		}
		s := commentSlot{n, kind}
		t := s.text()
		if t == "" || c.commented[s] {
			return ""
		}
		*slots = append(*slots, s)
		return t
	}
	// put sets the comments of one field (key and value) or item (key nil).
	put := func(dk, dv, sk, sv *yaml.Node) {
		head := joinComments(get(sk, 'h'), get(sv, 'h'))
		line := joinComments(get(sk, 'l'), get(sv, 'l'))
		foot := joinComments(get(sk, 'f'), get(sv, 'f'))
		at := dv
		if dk != nil {
			at = dk
		}
		if dv.Kind == yaml.ScalarNode {
			dv.LineComment = line
		} else {
			head = joinComments(head, line)
		}
		at.HeadComment, at.FootComment = head, foot
		c.copyComments(dv, sv, slots)
	}
	switch {
	case dst.Kind == yaml.MappingNode && src.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(dst.Content); i += 2 {
			dk, dv := dst.Content[i], dst.Content[i+1]
			for j := 0; j+1 < len(src.Content); j += 2 {
				if sk := src.Content[j]; sk.Kind == yaml.ScalarNode && sk.Value == dk.Value {
					put(dk, dv, sk, src.Content[j+1])
					break
				}
			}
		}
	case dst.Kind == yaml.SequenceNode && src.Kind == yaml.SequenceNode && len(dst.Content) == len(src.Content):
		for i, dv := range dst.Content {
			put(nil, dv, nil, src.Content[i])
		}
	}
}

// joinComments joins comment texts, skipping empty ones.
func joinComments(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n")
}
