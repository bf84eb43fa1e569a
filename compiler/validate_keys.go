package compiler

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/internal/argojson"
	apiv1 "k8s.io/api/core/v1"
)

// The keys of shape-based validation (validate_shapes.go): two units with
// the same key are valid or not together.

// unitShape is the key of a unit's shape: the shapes of its templates, the
// wrapper's without the name of its leaf.
func unitShape(spec *wfv1.WorkflowSpec, u shapeUnit) (string, bool) {
	s := getKeyScratch()
	defer s.put()
	key, ok := s.appendUnitShape(nil, spec, u, nil)
	return string(key), ok
}

// appendUnitShape is unitShape appended to dst, of the unit's templates as
// plain copies them (as they are if plain is nil): validShapes keys the
// copies plainUnit would make without making them.
func (s *keyScratch) appendUnitShape(dst []byte, spec *wfv1.WorkflowSpec, u shapeUnit, plain *plainTemplates) ([]byte, bool) {
	top := &spec.Templates[u.top]
	if u.leaf < 0 {
		key, ok, _ := s.appendShape(dst, top, plain, shapeEdit{})
		return key, ok
	}
	leaf := &spec.Templates[u.leaf]
	key, ok, _ := s.appendShape(dst, top, plain, shapeEdit{leafInputs: leaf.Inputs.Parameters, wrapper: true})
	if !ok {
		return key, false
	}
	// A leaf that has no shape keeps the wrapper's key (as the reference).
	key, ok, _ = s.appendShape(append(key, '\x01'), leaf, plain, shapeEdit{})
	return key, ok
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
	return appendRenamedArgs(nil, args, inputs)
}

// appendRenamedArgs is renameArgs with the renamed arguments appended to
// dst (args itself, not a copy, if it does not rename them).
func appendRenamedArgs(dst, args, inputs []wfv1.Parameter) ([]wfv1.Parameter, bool) {
	index, ok := inputIndex(inputs)
	if !ok && len(inputs) > 0 {
		return args, false
	}
	if dst == nil {
		dst = make([]wfv1.Parameter, 0, len(args))
	}
	out := dst
	for i, a := range args {
		n := index.of(a.Name)
		if n < 0 || slices.ContainsFunc(args[:i], func(b wfv1.Parameter) bool { return b.Name == a.Name }) {
			return args, false
		}
		a.Name = positionName(n)
		out = append(out, a)
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
	s := getKeyScratch()
	defer s.put()
	b, ok, rename := s.appendShape(s.key[:0], t, nil, shapeEdit{fn: edit})
	s.key = b
	if !ok {
		return "", false, false
	}
	return string(b), true, rename
}

// keyScratch is the memory shape keys are made in: the copy of a template
// with its text abstracted, its inputs renamed and the edit made, and its
// JSON. It is reused from template to template (getKeyScratch), so that a
// key allocates only the strings outsideTags changes.
type keyScratch struct {
	c         wfv1.Template
	cc        apiv1.Container
	sc        wfv1.ScriptTemplate
	m         wfv1.Memoize
	cache     wfv1.Cache
	cm        apiv1.ConfigMapKeySelector
	cbuf      containerBufs // cc's
	sbuf      containerBufs // sc.Container's
	inputs    []wfv1.Parameter
	stepArgs  []wfv1.Parameter
	step      [1]wfv1.WorkflowStep
	group     [1]wfv1.ParallelSteps
	json, key []byte
}

var keyScratches = sync.Pool{New: func() any { return new(keyScratch) }}

func getKeyScratch() *keyScratch { return keyScratches.Get().(*keyScratch) }

// put returns s to the pool, without the template it last held.
func (s *keyScratch) put() {
	s.c, s.cc, s.sc, s.m, s.step[0], s.group[0] = wfv1.Template{}, apiv1.Container{}, wfv1.ScriptTemplate{}, wfv1.Memoize{}, wfv1.WorkflowStep{}, wfv1.ParallelSteps{}
	s.cache, s.cm = wfv1.Cache{}, apiv1.ConfigMapKeySelector{}
	s.cbuf.clear()
	s.sbuf.clear()
	clear(s.inputs[:cap(s.inputs)])
	clear(s.stepArgs[:cap(s.stepArgs)])
	keyScratches.Put(s)
}

// shapeEdit is the edit of the copy a key is made of: fn's (templateShape's
// edit), or, for the wrapper of a unit, its step without the leaf's name
// and with its arguments named as the leaf's inputs (leafInputs) are.
type shapeEdit struct {
	fn         func(*wfv1.Template) int
	leafInputs []wfv1.Parameter
	wrapper    bool
}

// apply makes the edit on s.c and is the number of NULs it adds.
func (e shapeEdit) apply(s *keyScratch) int {
	if e.fn != nil {
		return e.fn(&s.c)
	}
	if !e.wrapper {
		return 0
	}
	step := s.c.Steps[0].Steps[0]
	step.Template = ""
	args, renamed := appendRenamedArgs(s.stepArgs[:0], step.Arguments.Parameters, e.leafInputs)
	if renamed {
		s.stepArgs = args
	}
	step.Arguments.Parameters = args
	s.step[0] = step
	s.group[0] = wfv1.ParallelSteps{Steps: s.step[:]}
	s.c.Steps = s.group[:]
	if renamed {
		return len(args)
	}
	return 0
}

// appendShape is templateShapeRenamed with the key appended to dst (dst,
// if not ok), of the template as plain copies it (as it is if plain is
// nil).
func (s *keyScratch) appendShape(dst []byte, t *wfv1.Template, plain *plainTemplates, edit shapeEdit) (key []byte, ok, rename bool) {
	s.c = *t
	s.c.Name = ""
	if s.c.Container != nil {
		s.cc = *s.c.Container
		s.cbuf.abstract(&s.cc, plain != nil)
		s.c.Container = &s.cc
	}
	if s.c.Script != nil {
		s.sc = *s.c.Script
		s.sbuf.abstract(&s.sc.Container, plain != nil)
		s.sc.Source = outsideTags(s.sc.Source)
		s.c.Script = &s.sc
	}
	if s.c.Memoize != nil {
		s.m = *s.c.Memoize
		if plain != nil {
			plain.memoInto(s)
		}
		s.m.Key = outsideTags(s.m.Key)
		s.c.Memoize = &s.m
	}
	index, rename := inputIndex(t.Inputs.Parameters)
	marks := edit.apply(s)
	inputs := s.c.Inputs.Parameters
	if rename {
		s.inputs = s.inputs[:0]
		for i, p := range inputs {
			p.Name = positionName(i)
			s.inputs = append(s.inputs, p)
		}
		s.c.Inputs.Parameters = s.inputs
		marks += len(inputs)
	}
	b, err := argojson.AppendTemplate(s.json[:0], &s.c)
	s.json = b
	if err != nil || bytes.Count(b, []byte(`\u0000`)) != marks {
		return dst, false, false
	}
	out, whole, renamable := appendRewrittenTags(dst, b, index, rename)
	if !whole {
		return dst, false, false
	}
	if rename && !renamable {
		// A tag Argo resolves with the inputs' own names: keep them.
		s.c.Inputs.Parameters = inputs
		if b, err = argojson.AppendTemplate(s.json[:0], &s.c); err != nil {
			return dst, false, false
		}
		s.json = b
		return append(dst, b...), true, false
	}
	if rename {
		return out, true, true
	}
	return append(dst, b...), true, false
}

// containerBufs are the slices a container's copy is abstracted into.
type containerBufs struct {
	cmd, args []string
	env       []apiv1.EnvVar
}

// abstract is abstractContainer(c) with the slices it changes made in b
// (c a copy, whose slices are the template's), after plainRunID's change
// if plain.
func (b *containerBufs) abstract(c *apiv1.Container, plain bool) {
	c.Command, b.cmd = abstractInto(b.cmd, c.Command)
	c.Args, b.args = abstractInto(b.args, c.Args)
	c.WorkingDir = outsideTags(c.WorkingDir)
	if len(c.Env) > 0 {
		b.env = append(b.env[:0], c.Env...)
		for i := range b.env {
			if e := &b.env[i]; plain && isPlainRunID(e) {
				e.Value = plainRunIDValue // plainRunID's, for the first only
				plain = false
			}
			b.env[i].Value = outsideTags(b.env[i].Value)
		}
		c.Env = b.env
	}
}

// memoInto makes plainTemplates.of's change of the memo key and cache in
// s.m, a copy of the template's, with s's memory. The differential test
// (TestShapeKeysSameAsReference) keys the lowered templates this way and
// their copies by withoutRetryExpressions the reference way.
func (p *plainTemplates) memoInto(s *keyScratch) {
	if i := memoHashAt(s.m.Key); i > 0 {
		if strings.ContainsAny(s.m.Key[:i], "{}") {
			s.m.Key = s.m.Key[:i] + plainMemoSuffix
		} else {
			s.m.Key = "_" + plainRunIDValue // outsideTags of the above, without the concatenation
		}
	}
	if c := s.m.Cache; p.isPipecCache(c) {
		s.cache = *c
		s.cm = *c.ConfigMap
		s.cm.Name = plainCacheMapFor
		s.cache.ConfigMap = &s.cm
		s.m.Cache = &s.cache
	}
}

// clear drops what b's slices hold.
func (b *containerBufs) clear() {
	clear(b.cmd[:cap(b.cmd)])
	clear(b.args[:cap(b.args)])
	clear(b.env[:cap(b.env)])
}

// abstractInto is abstractAll(ss) made in buf, and buf.
func abstractInto(buf, ss []string) ([]string, []string) {
	if len(ss) == 0 {
		return ss, buf
	}
	buf = buf[:0]
	for _, x := range ss {
		buf = append(buf, outsideTags(x))
	}
	return buf, buf
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

// outsideTags is s with each non-empty run of text outside {{...}} tags
// that holds no brace replaced by "_" (s itself if that changes nothing).
func outsideTags(s string) string {
	if !strings.Contains(s, "{{") { // one run of text, or none
		if s == "" || strings.ContainsAny(s, "{}") {
			return s
		}
		return "_"
	}
	if !abstractsText(s) {
		return s
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

// abstractsText reports whether outsideTags changes s: whether a run of
// text outside its tags holds no brace and is other than "_".
func abstractsText(s string) bool {
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			i = len(s)
		}
		if text := s[:i]; text != "" && text != "_" && !strings.ContainsAny(text, "{}") {
			return true
		}
		s = s[i:]
		if s == "" {
			return false
		}
		j := strings.Index(s[2:], "}}")
		if j < 0 {
			return false
		}
		s = s[j+4:]
	}
	return false
}
