package compiler

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/internal/argojson"
)

// Graph shapes: the graph workflow of shape-based validation (every unit a
// stub, see validate_shapes.go) is validated one task at a time, in chunks
// of one task (validate_chunks.go: the task, stubs of the tasks it depends
// on directly, the templates they use), and only one chunk of each task
// shape: the chunks of the tasks of a generated pipeline are, but for
// names, a handful (in the 1,000-step benchmark, 6 of 1,000).
//
// Why one chunk per shape is Argo's verdict (workflow/validate/validate.go,
// v3.7.18, validateDAG and what it calls):
//
//   - Across tasks, Argo checks that task names are unique and of the form
//     it accepts (validateWorkflowFieldNames), that they do not begin with a
//     digit, that depends and dependencies are not mixed and continueOn is
//     not used with depends (usingDepends, a flag of the whole DAG), that
//     the dependencies are acyclic (sortDAGTasks, verifyNoCycles) and that
//     targets exist. newChunker (checkedDAG) and graphShapes check these
//     here, as strictly or more (no dependencies lists, no continueOn, no
//     targets, no name beginning with a digit, every depends word a task).
//   - Everything else is checked of one task at a time, against the
//     outputs of the tasks in the DAG (its scope: every task's, with an
//     ancestor's status and aggregate outputs) and against its ancestry
//     (validateDAGTaskArgumentDependency). A chunk has only the task's
//     direct dependencies, so it can fail where the whole DAG would not
//     but not the reverse (the argument of validate_chunks.go).
//   - Two chunks with the same key (graphShapes.key) are the same but for
//     a one to one renaming of task names, template names and input
//     parameter names (templateShape's, with the arguments that set them:
//     argsByPosition). Argo sees a task's name in: the checks of its form
//     (passed by both), depends (whose words the key renames as Argo's
//     taskNameRegex reads them, on a form where that reading is
//     unambiguous), the scope's keys "tasks.NAME.…" and the tags that look
//     them up (renamed where a tag begins with "tasks." and names a task of
//     the chunk), validateDAGTaskArgumentDependency (the second part of a
//     "{{tasks.NAME." argument, renamed with it) and messages. The one
//     lookup that is not exact, the prefix "tasks.name" Argo lets through,
//     is ruled out: no task name begins with "name". No other part of the
//     chunk mentions a task: the key requires that the workflow's fields
//     and the main DAG's own fields hold no "tasks.". Template and input
//     names are covered by the argument of validate_shapes.go.
//
// Any failure falls back (to chunks of graphChunkSize, then to the whole
// workflow), so messages are always the whole workflow's;
// TestShapesSameAsFullGenerated breaks the graph in the ways Argo checks
// it and compares with full validation.

// validGraphShapes validates the graph workflow of shape-based validation
// one task shape at a time. stubs are the names of its stub templates.
// ok reports whether graph is of the form covered and every shape's
// chunk was accepted (and so Argo accepts the graph); shapes is how many
// shapes there were.
func validGraphShapes(graph *Object, stubs map[string]bool, validate func(*Object) error) (ok bool, shapes int) {
	g, applies := newGraphShapes(graph, stubs)
	if !applies {
		return false, 0
	}
	seen := map[string]bool{}
	for i := range g.c.tasks {
		key, own := g.scratchKey(i)
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		shapes++
		chunk := g.c.chunk(i, i+1)
		if !own && g.whole {
			chunk = withFewerItems(chunk)
		}
		if validate(chunk) != nil {
			return false, shapes
		}
	}
	return true, shapes
}

// withFewerItems is a chunk whose entry DAG's tasks run over one item of
// each item shape (validate_items.go), or the chunk itself.
func withFewerItems(chunk *Object) *Object {
	spec := *chunk.Spec()
	main := spec.Templates[0] // chunk puts the entry DAG first
	tasks := fewerItems(main.DAG.Tasks)
	if tasks == nil {
		return chunk
	}
	dag := *main.DAG
	dag.Tasks = tasks
	main.DAG = &dag
	spec.Templates = slices.Clone(spec.Templates)
	spec.Templates[0] = main
	return withSpec(chunk, spec)
}

// graphShapes computes the keys of the one-task chunks of a graph.
type graphShapes struct {
	c     *chunker
	stubs map[string]bool
	tmpl  map[string]tmplKey // memo of templateKey
	whole bool               // every tag of the workflow's and the DAG's own fields is whole

	// Memo of taskJSON, by task index and stub: the JSON, written into
	// arena, and whether it was computed yet.
	taskJSONs [2][][]byte
	taskDone  [2][]bool
	arena     []byte

	// Scratch of sharedKey and taskJSON, reused from one task to the next.
	ids     map[string]int      // a number for each distinct templateKey key
	closure map[string][]string // memo of closure, for templates that have steps
	single  [1]string           // closureOf of a template without steps
	members []taskRef
	names   map[string]string
	tmplPos map[string]int
	args    []wfv1.Parameter
	task    wfv1.DAGTask // the task appendTaskJSON marshals
	buf     []byte
}

// arenaBlock is the size of the blocks of graphShapes.arena: a new block
// is begun where less than arenaSlack is left, so that the JSON of a task
// is rarely copied as it grows, and never once written.
const (
	arenaBlock = 64 << 10
	arenaSlack = 4 << 10
)

// taskRef is a task of the main DAG (by index), as itself or as the stub
// of a dependency.
type taskRef struct {
	i    int
	stub bool
}

type tmplKey struct {
	key     string
	renamed bool // the key names inputs by position
	id      int  // the same for two keys if and only if they are equal
}

// newGraphShapes is the graphShapes of graph; false if it is not of the
// form graph shapes cover (see above).
func newGraphShapes(graph *Object, stubs map[string]bool) (*graphShapes, bool) {
	c, ok := newChunker(graph)
	if !ok || len(c.tasks) < 2 || c.main.DAG.Target != "" {
		return nil, false
	}
	for _, t := range c.tasks {
		if len(t.Name) > 128 || !isTemplateName(t.Name) || strings.HasPrefix(t.Name, "name") || t.TemplateRef != nil {
			return nil, false
		}
	}
	spec := *c.spec
	spec.Templates = nil
	main := c.main
	dag := *main.DAG
	dag.Tasks = nil
	main.DAG = &dag
	whole := true
	for _, v := range []any{&spec, &main} {
		b, err := argojson.Marshal(v)
		if err != nil || bytes.Contains(b, []byte("tasks.")) {
			return nil, false
		}
		_, w, _ := appendRewrittenTags(nil, b, paramIndex{}, false)
		whole = whole && w
	}
	n := len(c.tasks)
	return &graphShapes{c: c, stubs: stubs, tmpl: map[string]tmplKey{}, whole: whole,
		taskJSONs: [2][][]byte{make([][]byte, n), make([][]byte, n)},
		taskDone:  [2][]bool{make([]bool, n), make([]bool, n)}}, true
}

// templateKey is what a chunk's key holds of a template: a stub's shape
// (templateShape), any other template's JSON, name included.
func (g *graphShapes) templateKey(name string) tmplKey {
	if k, ok := g.tmpl[name]; ok {
		return k
	}
	k := tmplKey{key: "\x00" + name, id: -1}
	i, found := g.c.tmpls[name]
	if !found {
		g.tmpl[name] = k
		return k
	}
	t := &g.c.spec.Templates[i]
	if key, ok, renamed := templateShapeRenamed(t, nil); ok && g.stubs[name] {
		k = tmplKey{key: "S" + key, renamed: renamed}
	} else if b, err := argojson.Marshal(t); err == nil {
		k = tmplKey{key: "L" + string(b)}
	}
	if g.ids == nil {
		g.ids = map[string]int{}
	}
	id, seen := g.ids[k.key]
	if !seen {
		id = len(g.ids)
		g.ids[k.key] = id
	}
	k.id = id
	g.tmpl[name] = k
	return k
}

// key is the key of the chunk of task i: its tasks and templates with
// task names, template names and the inputs of stubs renamed by position
// (with a NUL, which no name holds). A chunk the renaming does not cover
// has a key of its own.
//
// A task is in the key as its JSON without its name, template and depends
// (taskJSON, the same in every chunk it is in), with the tags that name a
// task of the chunk renamed, then those three renamed: the same
// information as the JSON of the renamed task, which is what the
// argument above is made on (none of the three holds a tag), in a form
// marshalled once per task. TestShapeKeysSameAsReference checks that it
// groups chunks as the JSON of the renamed tasks does.
func (g *graphShapes) key(i int) string {
	key, _ := g.shapeKey(i)
	return key
}

// shapeKey is key, and whether it is the chunk's own (no other chunk
// has it: the renaming does not cover it).
func (g *graphShapes) shapeKey(i int) (key string, own bool) {
	b, own := g.scratchKey(i)
	return string(b), own
}

// scratchKey is shapeKey in scratch space, valid until the next call.
func (g *graphShapes) scratchKey(i int) (key []byte, own bool) {
	key, ok := g.sharedKey(i)
	if !ok {
		key = append(append(g.buf[:0], "\x00own "...), g.c.tasks[i].Name...)
		g.buf = key
		return key, true
	}
	return key, false
}

// sharedKey is key where the renaming covers the chunk, in scratch space
// valid until the next call.
//
// A template is in the key as the number of its templateKey (one for each
// distinct key: the same grouping as the key itself, in a few bytes), and
// the key is built in a buffer reused from task to task.
func (g *graphShapes) sharedKey(i int) ([]byte, bool) {
	if i == 0 && g.c.exit != nil {
		return nil, false // the chunk that validates the exit handler
	}
	members := g.members[:0]
	for _, dep := range g.c.deps[i] { // the order of c.stubbed(i, i+1)
		if j, ok := g.c.index[dep]; ok && j != i && !slices.Contains(members, taskRef{j, true}) {
			members = append(members, taskRef{j, true})
		}
	}
	members = append(members, taskRef{i, false})
	g.members = members
	if g.names == nil {
		g.names, g.tmplPos = map[string]string{}, map[string]int{}
	}
	names, tmplPos := g.names, g.tmplPos
	clear(names)
	clear(tmplPos)
	for n, m := range members {
		names[g.c.tasks[m.i].Name] = positionName(n)
	}
	key := g.buf[:0]
	for _, m := range members {
		for _, name := range g.closureOf(g.c.tasks[m.i].Template) {
			if _, ok := tmplPos[name]; !ok {
				tmplPos[name] = len(tmplPos)
				k := g.templateKey(name)
				if k.id < 0 {
					key = append(key, k.key...) // a name no template has
				} else {
					key = append(key, 'T')
					key = strconv.AppendInt(key, int64(k.id), 10)
				}
				key = append(key, '\x01')
			}
		}
	}
	for _, m := range members {
		b := g.taskJSON(m)
		if b == nil {
			return nil, false
		}
		var ok bool
		if key, ok = appendRenamedTaskTags(key, b, names); !ok {
			return nil, false
		}
		orig := &g.c.tasks[m.i]
		key = append(key, '\x02')
		key = append(key, names[orig.Name]...)
		key = append(key, '\x02', '\x00', 'T')
		if pos, used := tmplPos[orig.Template]; used {
			key = strconv.AppendInt(key, int64(pos), 10)
		}
		key = append(key, '\x02')
		if !m.stub { // a stub has no depends (stubTask)
			if key, ok = appendRenamedDepends(key, orig.Depends, names); !ok {
				return nil, false
			}
		}
		key = append(key, '\x01')
	}
	g.buf = key
	return key, true
}

// positionName is the name of the n-th task of a chunk in its key.
func positionName(n int) string {
	if n < len(positionNames) {
		return positionNames[n]
	}
	return "\x00" + itoa(n)
}

var positionNames = func() []string {
	out := make([]string, 16)
	for n := range out {
		out[n] = "\x00" + itoa(n)
	}
	return out
}()

// closureOf is closure of a template of the graph, computed once for a
// template with steps. The closure of a template without steps is the
// template alone, in scratch space valid until the next call.
func (g *graphShapes) closureOf(name string) []string {
	if i, ok := g.c.tmpls[name]; !ok || len(g.c.spec.Templates[i].Steps) == 0 {
		if name == "" {
			return nil
		}
		g.single[0] = name
		return g.single[:]
	}
	if out, ok := g.closure[name]; ok {
		return out
	}
	if g.closure == nil {
		g.closure = map[string][]string{}
	}
	out := closure(g.c.spec, g.c.tmpls, name)
	g.closure[name] = out
	return out
}

// taskJSON is the JSON of a task of a chunk (the task, or its stub)
// without its name, template and depends, its arguments named by position
// where its template's key names the inputs so; nil if the chunks it is
// in have keys of their own.
//
// It is the JSON of the task renamedTaskJSON is given, stubTask's for a
// stub, written without copying the task's arguments or building the stub
// (TestTaskJSONSameAsReference).
func (g *graphShapes) taskJSON(m taskRef) []byte {
	s := 0
	if m.stub {
		s = 1
	}
	if g.taskDone[s][m.i] {
		return g.taskJSONs[s][m.i]
	}
	b := g.appendTaskJSON(&g.c.tasks[m.i], m.stub)
	g.taskJSONs[s][m.i], g.taskDone[s][m.i] = b, true
	return b
}

// stubValue is the value of every argument of a stub (stubTask); only
// read.
var stubValue = wfv1.AnyStringPtr("stub")

// appendTaskJSON is taskJSON of task t or of its stub, written at the end
// of g.arena (nil: the chunks have keys of their own).
func (g *graphShapes) appendTaskJSON(t *wfv1.DAGTask, stub bool) []byte {
	tk := g.templateKey(t.Template)
	if tk.key[0] == '\x00' {
		return nil
	}
	s := &g.task
	args := g.args[:0]
	if stub {
		*s = wfv1.DAGTask{TemplateRef: t.TemplateRef, WithItems: t.WithItems, WithSequence: t.WithSequence}
		if t.WithParam != "" {
			s.WithParam = `["stub"]`
		}
		for _, p := range t.Arguments.Parameters {
			args = append(args, wfv1.Parameter{Name: p.Name, Value: stubValue})
		}
	} else {
		*s = *t
		s.Name, s.Template, s.Depends = "", "", ""
		args = append(args, t.Arguments.Parameters...)
	}
	g.args = args
	if tk.renamed && !renameArgsInPlace(args, g.c.spec.Templates[g.c.tmpls[t.Template]].Inputs.Parameters) {
		clear(args)
		*s = wfv1.DAGTask{}
		return nil // an argument that is not an input, or twice
	}
	s.Arguments.Parameters = args
	if cap(g.arena)-len(g.arena) < arenaSlack {
		g.arena = make([]byte, 0, arenaBlock)
	}
	start := len(g.arena)
	b, err := argojson.AppendDAGTask(g.arena, s)
	clear(args) // no pointers into the tasks kept in scratch space
	*s = wfv1.DAGTask{}
	if err != nil {
		g.arena = b[:start]
		return nil
	}
	g.arena = b
	return b[start:len(b):len(b)]
}

// renameArgsInPlace is renameArgs(args, inputs), in args: false (and
// args in any state) where renameArgs is not renamed and there are
// arguments.
func renameArgsInPlace(args, inputs []wfv1.Parameter) bool {
	if len(args) == 0 {
		return true
	}
	index, ok := inputIndex(inputs)
	if !ok && len(inputs) > 0 {
		return false
	}
	for i := range args {
		n := index.of(args[i].Name)
		if n < 0 || slices.ContainsFunc(args[:i], func(b wfv1.Parameter) bool { return b.Name == args[i].Name }) {
			return false
		}
		args[i].Name = positionName(n)
	}
	return true
}

// renameDepends is a depends expression with each task name renamed; ok
// is false unless it is of the form Argo's taskNameRegex reads without
// ambiguity: names of tasks in names, each alone or followed by
// ".Result" (a capital, then letters), between spaces, parentheses, "&",
// "|" and "!".
func renameDepends(depends string, names map[string]string) (string, bool) {
	b, ok := appendRenamedDepends(nil, depends, names)
	return string(b), ok
}

// appendRenamedDepends is renameDepends, appended to dst.
func appendRenamedDepends(dst []byte, depends string, names map[string]string) ([]byte, bool) {
	isWord := func(c byte) bool {
		return c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	for i := 0; i < len(depends); {
		c := depends[i]
		if strings.IndexByte(" &|!()", c) >= 0 {
			dst = append(dst, c)
			i++
			continue
		}
		if c == '-' || !isWord(c) {
			return dst, false
		}
		j := i
		for j < len(depends) && isWord(depends[j]) {
			j++
		}
		renamed, ok := names[depends[i:j]]
		if !ok {
			return dst, false
		}
		dst = append(dst, renamed...)
		i = j
		if i < len(depends) && depends[i] == '.' {
			j = i + 1
			for j < len(depends) && isWord(depends[j]) {
				j++
			}
			result := depends[i+1 : j]
			if len(result) < 2 || result[0] < 'A' || result[0] > 'Z' || strings.ContainsAny(result, "-0123456789") || j < len(depends) && depends[j] == '.' {
				return dst, false
			}
			dst = append(dst, depends[i:j]...)
			i = j
		}
	}
	return dst, true
}

// renameTaskTags is a task's JSON with the task named at the start of each
// "{{tasks.NAME…}}" tag renamed, if NAME is in names. ok is false if a tag
// holds a quote, a backslash (so no NUL: the renamed names cannot be
// confused with text), an expression or another tag, or does not end (as
// Argo's scanner reads tags: from "{{" to the next "}}").
func renameTaskTags(b []byte, names map[string]string) ([]byte, bool) {
	out, ok := appendRenamedTaskTags(nil, b, names)
	if !ok {
		return nil, false
	}
	return out, true
}

// appendRenamedTaskTags is renameTaskTags, appended to dst (without
// copying a tag it does not rename).
func appendRenamedTaskTags(dst, b []byte, names map[string]string) ([]byte, bool) {
	for {
		i := bytes.Index(b, []byte("{{"))
		if i < 0 {
			return append(dst, b...), true
		}
		dst = append(dst, b[:i]...)
		j := bytes.Index(b[i+2:], []byte("}}"))
		if j < 0 {
			return dst, false
		}
		tag := b[i+2 : i+2+j]
		b = b[i+2+j+2:]
		trimmed := bytes.TrimSpace(tag)
		if bytes.ContainsAny(tag, `"{\`) || bytes.HasPrefix(trimmed, []byte("=")) {
			return dst, false
		}
		dst = append(dst, "{{"...)
		if rest, ok := bytes.CutPrefix(trimmed, []byte("tasks.")); ok {
			name, _, _ := bytes.Cut(rest, []byte("."))
			if renamed, ok := names[string(name)]; ok {
				lead := bytes.Index(tag, []byte("tasks."))
				dst = append(dst, tag[:lead]...)
				dst = append(dst, "tasks."...)
				dst = appendEscapedNUL(dst, renamed)
				tag = tag[lead+len("tasks.")+len(name):]
			}
		}
		dst = append(dst, tag...)
		dst = append(dst, "}}"...)
	}
}

// appendEscapedNUL is s appended to dst with each NUL as JSON's \u0000.
func appendEscapedNUL(dst []byte, s string) []byte {
	for k := 0; k < len(s); k++ {
		if s[k] == 0 {
			dst = append(dst, `\u0000`...)
		} else {
			dst = append(dst, s[k])
		}
	}
	return dst
}
