package compiler

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/internal/argojson"
	apiv1 "k8s.io/api/core/v1"
)

// The keys of shape-based validation (validate_shapes.go): two units with
// the same key are valid or not together.

// unitShape is the key of a unit's shape: the shapes of its templates, the
// wrapper's without the name of its leaf.
func unitShape(spec *wfv1.WorkflowSpec, u shapeUnit) (string, bool) {
	top := spec.Templates[u.top]
	if u.leaf < 0 {
		return templateShape(&top, nil)
	}
	// Both shapes in one buffer, copied once.
	kb := jsonBuffers.Get().(*jsonBuffer)
	defer jsonBuffers.Put(kb)
	key, ok, _ := appendTemplateShape(kb.buf[:0], &top, func(c *wfv1.Template) int {
		step := c.Steps[0].Steps[0]
		step.Template = ""
		args, renamed := renameArgs(step.Arguments.Parameters, spec.Templates[u.leaf].Inputs.Parameters)
		step.Arguments.Parameters = args
		c.Steps = []wfv1.ParallelSteps{{Steps: []wfv1.WorkflowStep{step}}}
		if renamed {
			return len(args)
		}
		return 0
	})
	if !ok {
		kb.buf = key
		return "", false
	}
	// A leaf that has no shape keeps the wrapper's key (as the reference).
	key, ok, _ = appendTemplateShape(append(key, '\x01'), &spec.Templates[u.leaf], nil)
	kb.buf = key
	return string(key), ok
}

// argsByPosition is the arguments a wrapper passes its leaf, named by the
// position of the leaf's input each one sets (as renameInputs names them),
// so that the leaf's renaming does not make the wrapper's shape depend on
// its names. It is args unchanged unless every input's name is of the form
// Argo accepts and unique and every argument names a different input.
func argsByPosition(args, inputs []wfv1.Parameter) []wfv1.Parameter {
	out, _ := renameArgs(args, inputs)
	return out
}

// renameArgs is argsByPosition, and whether it renamed the arguments.
func renameArgs(args, inputs []wfv1.Parameter) ([]wfv1.Parameter, bool) {
	index, ok := inputIndex(inputs)
	if !ok && len(inputs) > 0 {
		return args, false
	}
	out := make([]wfv1.Parameter, len(args))
	for i, a := range args {
		n := index.of(a.Name)
		if n < 0 || slices.ContainsFunc(args[:i], func(b wfv1.Parameter) bool { return b.Name == a.Name }) {
			return args, false
		}
		a.Name = positionName(n)
		out[i] = a
	}
	return out, true
}

// templateShape is the key of a leaf's shape: its JSON without its name,
// with the text outside {{...}} tags in the fields Argo's validator only
// scans for tags (command, args, env values, working directory, script
// source, memo key) replaced by "_", and with its input parameters named
// by position where rewriteTags allows. ok is false if a tag of the JSON
// spans strings or does not end (text outside tags could then take part
// in one), or the JSON holds a NUL.
//
// Argo's validator reads templates as this JSON (json.Marshal, then its
// tag scanner and SubstituteParams on the text), so the checks are of the
// text too. edit, if not nil, changes the copy of the template the key is
// made of, and is the number of NULs it adds to its names.
func templateShape(t *wfv1.Template, edit func(*wfv1.Template) int) (string, bool) {
	key, ok, _ := templateShapeRenamed(t, edit)
	return key, ok
}

// templateShapeRenamed is templateShape, and whether the key names the
// input parameters by position.
//
// It marshals the template once, after the edit and the renaming: the
// checks of templateShape's doc comment see the same tags and the same
// NULs in that JSON as in the template's own. The edit and the renaming
// change only names of the form Argo accepts (no brace, quote, backslash
// or NUL) into others with a NUL: no tag is made or unmade, and the NULs
// they add are counted (marks). TestShapeKeysSameAsReference compares it
// with the two-marshal definition on every template of the tests.
//
// Each template is marshalled (internal/argojson): since that is cheap,
// no memo of earlier templates' keys is kept (a memo by reflect.DeepEqual
// cost more than the marshals it saved; docs/performance.md, 2 December).
func templateShapeRenamed(t *wfv1.Template, edit func(*wfv1.Template) int) (key string, ok, rename bool) {
	kb := jsonBuffers.Get().(*jsonBuffer)
	defer jsonBuffers.Put(kb)
	b, ok, rename := appendTemplateShape(kb.buf[:0], t, edit)
	kb.buf = b
	if !ok {
		return "", false, false
	}
	return string(b), true, rename
}

// appendTemplateShape is templateShapeRenamed with the key appended to dst
// (dst, if not ok).
func appendTemplateShape(dst []byte, t *wfv1.Template, edit func(*wfv1.Template) int) (key []byte, ok, rename bool) {
	c := *t
	c.Name = ""
	if t.Container != nil {
		cc := *t.Container
		abstractContainer(&cc)
		c.Container = &cc
	}
	if t.Script != nil {
		sc := *t.Script
		abstractContainer(&sc.Container)
		sc.Source = outsideTags(sc.Source)
		c.Script = &sc
	}
	if t.Memoize != nil {
		m := *t.Memoize
		m.Key = outsideTags(m.Key)
		c.Memoize = &m
	}
	index, rename := inputIndex(t.Inputs.Parameters)
	marks := 0
	if edit != nil {
		marks += edit(&c)
	}
	inputs := c.Inputs.Parameters
	if rename {
		c.Inputs.Parameters = make([]wfv1.Parameter, len(inputs))
		for i, p := range inputs {
			p.Name = positionName(i)
			c.Inputs.Parameters[i] = p
		}
		marks += len(inputs)
	}
	// The JSON in a buffer kept for reuse: the key is a copy of it.
	jb := jsonBuffers.Get().(*jsonBuffer) // lower.go's
	defer jsonBuffers.Put(jb)
	b, err := argojson.AppendTemplate(jb.buf[:0], &c)
	jb.buf = b
	if err != nil || bytes.Count(b, []byte(`\u0000`)) != marks {
		return dst, false, false
	}
	out, whole, renamable := appendRewrittenTags(dst, b, index, rename)
	if !whole {
		return dst, false, false
	}
	if rename && !renamable {
		// A tag Argo resolves with the inputs' own names: keep them.
		c.Inputs.Parameters = inputs
		if b, err = argojson.AppendTemplate(jb.buf[:0], &c); err != nil {
			return dst, false, false
		}
		jb.buf = b
		return append(dst, b...), true, false
	}
	if rename {
		return out, true, true
	}
	return append(dst, b...), true, false
}

// inputIndex is the position of each input parameter by name; ok is false
// if a name is not of the form Argo accepts or repeats (the inputs are
// then not renamed, so that the shape keeps what Argo checks of them).
func inputIndex(params []wfv1.Parameter) (paramIndex, bool) {
	if len(params) == 0 {
		return paramIndex{}, false
	}
	index := paramIndex{params: params}
	if len(params) > smallIndex {
		index.m = make(map[string]int, len(params))
	}
	for i, p := range params {
		if !isParamName(p.Name) || index.of(p.Name) >= 0 {
			return paramIndex{}, false
		}
		if index.m != nil {
			index.m[p.Name] = i
		} else {
			index.n = i + 1
		}
	}
	return index, true
}

// smallIndex is the most parameters a paramIndex finds by a scan (no map).
const smallIndex = 16

// paramIndex is the position of each parameter of a list by name (the
// first n of params, or m): the zero value knows none.
type paramIndex struct {
	params []wfv1.Parameter
	n      int
	m      map[string]int
}

// of is the position of the parameter named name, or -1.
func (x paramIndex) of(name string) int {
	if x.m != nil {
		if i, ok := x.m[name]; ok {
			return i
		}
		return -1
	}
	for i := range x.n {
		if x.params[i].Name == name {
			return i
		}
	}
	return -1
}

// ofBytes is of for a name given as bytes.
func (x paramIndex) ofBytes(name []byte) int {
	if x.m != nil {
		if i, ok := x.m[string(name)]; ok {
			return i
		}
		return -1
	}
	for i := range x.n {
		if x.params[i].Name == string(name) {
			return i
		}
	}
	return -1
}

// isParamName reports whether s matches ^[-a-zA-Z0-9_]+$ (the names of
// inputs Argo accepts and a shape renames).
func isParamName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '-' || c == '_' || isAlnum(c)) {
			return false
		}
	}
	return true
}

// isTemplateName reports whether s matches ^[a-zA-Z0-9][-a-zA-Z0-9]*$.
func isTemplateName(s string) bool {
	if s == "" || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c == '-' || isAlnum(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// rewriteTags scans the tags of a template's JSON as Argo's scanner does
// (from "{{" to the next "}}"). whole is false if a tag holds a quote
// (it spans strings, or a string holds a quote in a tag) or does not end.
// renamable is false if a tag mentions inputs.parameters. other than as
// exactly (spaces trimmed, as Argo trims them) a reference to an input of
// index, or nests a tag. With rename, out is b with each reference to an
// input renamed to its position, as templateShape names the inputs (the
// NUL that no template holds makes the renaming one to one): Argo's
// validator sees an input's name only in such references (its scope,
// SubstituteParams' map) and in the check that names are valid and
// unique, which holds for every input list index has.
func rewriteTags(b []byte, index paramIndex, rename bool) (out []byte, whole, renamable bool) {
	return appendRewrittenTags(nil, b, index, rename)
}

// appendRewrittenTags is rewriteTags with out appended to dst; without
// rename, out is dst (nothing is copied).
func appendRewrittenTags(dst, b []byte, index paramIndex, rename bool) (out []byte, whole, renamable bool) {
	renamable = true
	w := dst
	for {
		i := bytes.Index(b, []byte("{{"))
		if i < 0 {
			if rename {
				w = append(w, b...)
			}
			return w, true, renamable
		}
		if rename {
			w = append(w, b[:i]...)
		}
		j := bytes.Index(b[i+2:], []byte("}}"))
		if j < 0 {
			return dst, false, false
		}
		tag := b[i+2 : i+2+j]
		b = b[i+2+j+2:]
		if bytes.IndexByte(tag, '"') >= 0 {
			return dst, false, false
		}
		trimmed := bytes.TrimSpace(tag)
		if name, isRef := bytes.CutPrefix(trimmed, []byte("inputs.parameters.")); isRef {
			n := index.ofBytes(name)
			if n >= 0 && rename {
				w = append(w, `{{inputs.parameters.\u0000`...)
				w = strconv.AppendInt(w, int64(n), 10)
				w = append(w, "}}"...)
				continue
			}
			renamable = renamable && n >= 0
		} else if bytes.Contains(trimmed, []byte("inputs.parameters.")) || bytes.Contains(tag, []byte("{{")) {
			renamable = false
		}
		if rename {
			w = append(w, "{{"...)
			w = append(w, tag...)
			w = append(w, "}}"...)
		}
	}
}

func abstractContainer(c *apiv1.Container) {
	c.Command = abstractAll(c.Command)
	c.Args = abstractAll(c.Args)
	c.WorkingDir = outsideTags(c.WorkingDir)
	if c.Env != nil {
		env := append([]apiv1.EnvVar(nil), c.Env...)
		for i := range env {
			env[i].Value = outsideTags(env[i].Value)
		}
		c.Env = env
	}
}

func abstractAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = outsideTags(s)
	}
	return out
}

// outsideTags is s with each non-empty run of text outside {{...}} tags
// that holds no brace replaced by "_".
func outsideTags(s string) string {
	if !strings.Contains(s, "{{") { // one run of text, or none
		if s == "" || strings.ContainsAny(s, "{}") {
			return s
		}
		return "_"
	}
	var b strings.Builder
	b.Grow(len(s))
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			i = len(s)
		}
		text := s[:i]
		if text != "" {
			if strings.ContainsAny(text, "{}") {
				b.WriteString(text)
			} else {
				b.WriteByte('_')
			}
		}
		s = s[i:]
		if s == "" {
			break
		}
		j := strings.Index(s[2:], "}}")
		if j < 0 { // not a tag: templateShape rejects the template
			b.WriteString(s)
			break
		}
		b.WriteString(s[:j+4])
		s = s[j+4:]
	}
	return b.String()
}
