package lsp

import (
	"bytes"
	"context"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/dsl"
)

// tok is one token of the source (whitespace and comments dropped).
type tok struct {
	start, end int
	line       int // 1-based
	text       string
	ident      bool
	punct      bool
	str        bool // a string, terminated or not
	open       bool // an unterminated string
}

var symbols = dsl.Lexer.Symbols()

func lexTokens(path string, src []byte) []tok {
	lx, err := dsl.Lexer.LexString(path, string(src))
	if err != nil {
		return nil
	}
	var out []tok
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() {
			return out
		}
		switch t.Type {
		case symbols["Whitespace"], symbols["Comment"]:
			continue
		}
		k := tok{start: t.Pos.Offset, end: t.Pos.Offset + len(t.Value), line: t.Pos.Line, text: t.Value}
		switch t.Type {
		case symbols["Ident"]:
			k.ident = true
		case symbols["Punct"]:
			k.punct = true
		case symbols["String"], symbols["TripleString"], symbols["RawString"]:
			k.str = true
		case symbols["Unterminated"], symbols["UnterminatedTriple"], symbols["UnterminatedRaw"]:
			k.str, k.open = true, true
		}
		out = append(out, k)
	}
}

// Completion implements protocol.Server. The context is found from the
// tokens before the cursor, so it works on half-typed code; names come from
// the checked model of the document.
func (s *Server) Completion(ctx context.Context, p *protocol.CompletionParams) (protocol.CompletionResult, error) {
	r, err := s.atFast(ctx, p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	items := s.complete(r)
	return &protocol.CompletionList{Items: items, IsIncomplete: r.incomplete}, nil
}

func (s *Server) complete(r *request) []protocol.CompletionItem {
	src, off, path := r.m.src, r.off, r.doc.path
	from, open := r.lexStart()
	toks := lexTokensFrom(path, src, from, off)
	items := []protocol.CompletionItem{}
	var last *tok
	if len(toks) > 0 {
		last = &toks[len(toks)-1]
	}
	// Inside a string: ${...} references.
	// The tokens are of the text before the cursor, so a string the cursor
	// is in is an unterminated one.
	if last != nil && last.open && last.end == off {
		text := last.text
		i := strings.LastIndex(text, "${")
		if i < 0 || strings.Contains(text[i:], "}") || (i > 0 && text[i-1] == '$') {
			return items
		}
		start := last.start + i + 2
		for start < off && (src[start] == ' ' || src[start] == '\t') {
			start++
		}
		return s.refItems(r, start)
	}
	// The word being typed.
	wordStart := off
	for wordStart > 0 && isIdentByte(src[wordStart-1]) {
		wordStart--
	}
	if last != nil && last.ident && last.end == off {
		toks = toks[:len(toks)-1]
	}
	lineStart := bytes.LastIndexByte(src[:wordStart], '\n') + 1
	var line []tok
	for _, t := range toks {
		if t.start >= lineStart {
			line = append(line, t)
		}
	}
	kw := func(words []string) {
		for _, w := range words {
			items = append(items, s.item(r, w, protocol.CompletionItemKindKeyword, "keyword", keywordDocs[w], wordStart))
		}
	}
	context := blockContext(open, toks)
	if context == "value" {
		return items
	}
	for len(line) > 0 && line[0].punct && (line[0].text == "{" || line[0].text == "}") {
		line = line[1:]
	}
	if len(line) == 0 {
		switch context {
		case "pipeline":
			kw(dsl.PipelineKeywords)
		case "step":
			kw(dsl.StepKeywords)
		case "stage":
			kw([]string{"step"})
		default:
			kw(dsl.TopKeywords)
		}
		return items
	}
	first := line[0].text
	if first == "on" && len(line) == 1 {
		kw([]string{"exit", "failure"})
		return items
	}
	if first == "retry" && len(line) >= 2 && line[len(line)-1].text != "policy" {
		kw([]string{"backoff", "factor", "max", "cap", "policy", "when"})
		return items
	}
	if context == "step" && (first == "input" || first == "artifact") {
		return s.artifactItems(r, line, wordStart) // artifacts_completion.go
	}
	isHeader := (context == "pipeline" || context == "stage") && (first == "step" || first == "on")
	if !isHeader {
		return items
	}
	// In a step header: step names after `after` and commas, else clauses.
	afterAt := -1
	for i, t := range line {
		if t.ident && t.text == "after" {
			afterAt = i
		}
	}
	lt := line[len(line)-1]
	if afterAt >= 0 && (lt.text == "after" || lt.text == ",") {
		for i := afterAt + 1; i < len(line); i++ {
			if !line[i].ident && line[i].text != "," {
				afterAt = -1
			}
		}
		if afterAt >= 0 {
			current := ""
			for i, t := range line {
				if t.text == "step" && i+1 < len(line) && line[i+1].ident {
					current = line[i+1].text
				}
			}
			return s.stepItems(r, wordStart, current)
		}
	}
	nameSeen := false
	for i, t := range line {
		if t.text == "step" && i+1 < len(line) && line[i+1].ident {
			nameSeen = true
		}
	}
	if nameSeen && (lt.ident || lt.str || lt.text == "]" || lt.text == ")") {
		kw(clauseKeywords)
	}
	return items
}

// blockContext says what block the end of the tokens is in (open are the
// blocks open at their start, outermost first): "top", "pipeline", "step"
// (a step or template body), "stage" (a stage's body) or "value" (a map
// literal).
func blockContext(open []string, toks []tok) string {
	stack := append([]string(nil), open...)
	head, headLine, brackets := "", -1, 0
	staged := false // the header line holds the keyword stage
	for _, t := range toks {
		if t.punct {
			switch t.text {
			case "{":
				kind := "value"
				if brackets == 0 {
					switch head {
					case "pipeline":
						kind = "pipeline"
					case "step", "on", "template", "container", "sidecar", "init":
						kind = "step"
					}
					if staged && (head == "stage" || head == "on") {
						kind = "stage"
					}
				}
				stack = append(stack, kind)
				head = ""
			case "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				head = ""
			case "[", "(":
				brackets++
			case "]", ")":
				if brackets > 0 {
					brackets--
				}
			}
			continue
		}
		if brackets == 0 && (head == "" || t.line != headLine) {
			head, headLine, staged = t.text, t.line, false
		}
		if t.line == headLine && t.text == "stage" {
			staged = true
		}
	}
	if len(stack) == 0 {
		return "top"
	}
	return stack[len(stack)-1]
}

func (s *Server) item(r *request, label string, kind protocol.CompletionItemKind, detail, doc string, replaceFrom int) protocol.CompletionItem {
	it := protocol.CompletionItem{Label: label, Kind: kind, Detail: protocol.NewOptional(detail),
		TextEdit: &protocol.TextEdit{Range: r.m.rng(replaceFrom, r.off), NewText: label}}
	if doc != "" {
		it.Documentation = &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: doc}
	}
	return it
}

// scope finds the pipeline, step and template around an offset.
func scopeAt(st *checkedState, path string, off int) (*compiler.Pipeline, *compiler.Step, *dslTemplate) {
	var tmpl *dslTemplate
	if f := st.unit.Files[path]; f != nil {
		for _, it := range f.Items {
			if it.Template != nil && it.Template.Range().Contains(off) {
				tmpl = it.Template
			}
		}
	}
	for _, p := range st.prog.Pipelines {
		if p.File == nil || p.File.Name != path || !p.Decl.Range().Contains(off) {
			continue
		}
		for _, s := range append(append([]*compiler.Step{}, p.Steps...), p.ExitSteps...) {
			if s.Decl.Range().Contains(off) {
				return p, s, nil
			}
		}
		return p, nil, nil
	}
	return nil, nil, tmpl
}

type dslTemplate = dsl.TemplateDecl

// stepItems lists the step names of the pipeline around the cursor. The
// names come from the tokens of the whole document, so that they are there
// while the statement being typed does not parse (step x after ‸, no body
// yet) and the checked model lacks it; the model adds each step's summary.
func (s *Server) stepItems(r *request, from int, current string) []protocol.CompletionItem {
	items := []protocol.CompletionItem{}
	byName := map[string]*compiler.Step{}
	if p, _, _ := scopeAt(r.st, r.doc.path, r.stOff); p != nil {
		for _, st := range p.Steps {
			byName[st.Name] = st
		}
	}
	for _, name := range stepNamesAround(lexTokens(r.doc.path, r.m.src), r.off) {
		if name == current {
			continue
		}
		doc := ""
		if st := byName[name]; st != nil {
			doc = stepSummary(st)
		}
		items = append(items, s.item(r, name, protocol.CompletionItemKindFunction, "step", doc, from))
	}
	return items
}

// stepNamesAround returns the names declared by "step NAME" directly in the
// pipeline block that contains off, in order and without repeats.
func stepNamesAround(toks []tok, off int) []string {
	// Find the pipeline block around off: its "{" at depth 0.
	depth, blockStart, inPipeline := 0, -1, false
	for i, t := range toks {
		if t.start >= off {
			break
		}
		if t.punct && t.text == "{" {
			if depth == 0 {
				inPipeline = i >= 2 && toks[i-2].text == "pipeline"
				blockStart = i
			}
			depth++
		} else if t.punct && t.text == "}" && depth > 0 {
			depth--
		}
	}
	if depth == 0 || !inPipeline {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	depth = 0
	for i := blockStart; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.punct && (t.text == "{" || t.text == "[" || t.text == "("):
			depth++
		case t.punct && (t.text == "}" || t.text == "]" || t.text == ")"):
			depth--
		case depth == 1 && t.ident && t.text == "step" && i+1 < len(toks) && toks[i+1].ident && !seen[toks[i+1].text]:
			seen[toks[i+1].text] = true
			names = append(names, toks[i+1].text)
		}
		if depth == 0 {
			break
		}
	}
	return names
}

func stepSummary(st *compiler.Step) string {
	var b strings.Builder
	describeStep(&b, st)
	return b.String()
}

// refItems lists what ${...} may refer to at the cursor.
func (s *Server) refItems(r *request, from int) []protocol.CompletionItem {
	items := []protocol.CompletionItem{}
	p, cur, tmpl := scopeAt(r.st, r.doc.path, r.stOff)
	// In a large pipeline only names that start with what is typed of the
	// reference are offered, and the list is marked incomplete, so that
	// the client asks again as more is typed.
	typed := ""
	if p != nil && len(p.Steps) > maxCompletionItems/8 {
		typed, r.incomplete = string(r.m.src[from:r.off]), true
	}
	add := func(label string, kind protocol.CompletionItemKind, detail, doc string) {
		if !strings.HasPrefix(label, typed) {
			return
		}
		it := s.item(r, label, kind, detail, doc, from)
		it.SortText = protocol.NewOptional(sortPrefix(kind) + label)
		items = append(items, it)
	}
	switch {
	case tmpl != nil:
		for _, tp := range tmpl.Params {
			if tp.Name != nil && tp.Type != nil {
				add(tp.Name.Name, protocol.CompletionItemKindVariable, "template parameter: "+tp.Type.Name, "")
			}
		}
	case p != nil:
		for _, prm := range p.Params {
			detail := "parameter: " + prm.Type
			if prm.Default != nil {
				detail += " = " + *prm.Default
			}
			add(prm.Name, protocol.CompletionItemKindVariable, detail, prm.Description)
		}
		if cur != nil && cur.Loop != nil {
			add(cur.Loop.Var, protocol.CompletionItemKindVariable, "loop variable", "each item: "+loopSource(cur.Loop))
			for _, k := range cur.Loop.Keys {
				add(cur.Loop.Var+"."+k, protocol.CompletionItemKindField, "loop item key", "")
			}
		}
	}
	s.argoItems(cur, add)
	if p != nil && tmpl == nil {
		steps := p.Steps
		if cur != nil && cur.Handler != "" {
			steps = nil // handlers cannot use the main steps' outputs
		}
		var downstream map[*compiler.Step]bool
		if len(steps) > 0 {
			downstream = downstreamOf(cur, r.st.users())
		}
		for st := range nearestFirst(steps, r.stOff) {
			if len(items) >= maxCompletionItems {
				break
			}
			if st == cur || downstream[st] {
				continue // using it would form a cycle
			}
			for _, o := range st.Outputs {
				doc := r.st.outputDoc(st, o.Decl)
				add(st.Name+"."+o.Name, protocol.CompletionItemKindField, "output of step "+st.Name, doc)
			}
			add(st.Name+".result", protocol.CompletionItemKindField, "standard output of step "+st.Name, "")
			for _, f := range stepFieldDocs(st) {
				add(st.Name+"."+f[0], protocol.CompletionItemKindField, f[1]+" of step "+st.Name, "")
			}
		}
	}
	return items
}

// maxCompletionItems caps the references offered at once: in a pipeline of
// thousands of steps the list is cut (the steps nearest the cursor first).
const maxCompletionItems = 1000

// argoItems offers the Argo variables.
func (s *Server) argoItems(cur *compiler.Step, add func(label string, kind protocol.CompletionItemKind, detail, doc string)) {
	vars := compiler.ArgoVariables()
	sort.Strings(vars)
	for _, v := range vars {
		doc := argoVarDocs[v]
		if (v == "workflow.status" || v == "workflow.failures") && (cur == nil || cur.Handler == "") {
			continue
		}
		add(v, protocol.CompletionItemKindConstant, "Argo variable", doc)
	}
}

// nearestFirst yields steps (in source order) by the distance of their
// declaration from an offset, nearest first, stopping when yield does;
// the work is proportional to the steps yielded, not to all of them.
func nearestFirst(steps []*compiler.Step, off int) func(yield func(*compiler.Step) bool) {
	dist := func(st *compiler.Step) int {
		r := st.Decl.Range()
		switch {
		case off < r.Start.Offset:
			return r.Start.Offset - off
		case off > r.End.Offset:
			return off - r.End.Offset
		}
		return 0
	}
	return func(yield func(*compiler.Step) bool) {
		hi := sort.Search(len(steps), func(i int) bool { return steps[i].Decl.Range().End.Offset >= off })
		lo := hi - 1
		for lo >= 0 || hi < len(steps) {
			var st *compiler.Step
			if hi >= len(steps) || lo >= 0 && dist(steps[lo]) <= dist(steps[hi]) {
				st, lo = steps[lo], lo-1
			} else {
				st, hi = steps[hi], hi+1
			}
			if !yield(st) {
				return
			}
		}
	}
}

// users maps each step of the state's pipelines to the steps that depend
// on it directly (computed once).
func (c *checkedState) users() map[*compiler.Step][]*compiler.Step {
	c.usersOnce.Do(func() {
		c.usersOf = map[*compiler.Step][]*compiler.Step{}
		for _, p := range c.prog.Pipelines {
			for _, st := range p.Steps {
				for _, d := range st.Deps {
					if d.Step != nil {
						c.usersOf[d.Step] = append(c.usersOf[d.Step], st)
					}
				}
			}
		}
	})
	return c.usersOf
}

// downstreamOf is the set of steps that depend on cur, directly or not
// (through after or by using an output of it), given each step's users.
func downstreamOf(cur *compiler.Step, users map[*compiler.Step][]*compiler.Step) map[*compiler.Step]bool {
	down := map[*compiler.Step]bool{}
	if cur == nil {
		return down
	}
	queue := []*compiler.Step{cur}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for _, u := range users[st] {
			if !down[u] {
				down[u] = true
				queue = append(queue, u)
			}
		}
	}
	return down
}

func sortPrefix(k protocol.CompletionItemKind) string {
	switch k {
	case protocol.CompletionItemKindVariable:
		return "1"
	case protocol.CompletionItemKindField:
		return "2"
	}
	return "3"
}

// outputDoc is the doc comment of an output statement of a step: found in
// the step's own body, else in the map of the whole unit (an output of a
// template's body).
func (c *checkedState) outputDoc(st *compiler.Step, o *dsl.OutputStmt) string {
	if o == nil {
		return ""
	}
	if st.Decl != nil {
		for _, it := range st.Decl.Items {
			if it.Stmt == dsl.StepStmt(o) {
				return it.Doc.Text()
			}
		}
	}
	return c.outputDocs()[o]
}

// outputDocs maps every output statement of the state's unit to its doc
// comment (computed once).
func (c *checkedState) outputDocs() map[*dsl.OutputStmt]string {
	c.docsOnce.Do(func() { c.docs = outputDocs(c.unit) })
	return c.docs
}

// outputDocs maps every output statement of a unit to its doc comment.
func outputDocs(unit *compiler.Unit) map[*dsl.OutputStmt]string {
	docs := map[*dsl.OutputStmt]string{}
	visit := func(items []*dsl.StepItem) {
		for _, it := range items {
			if o, ok := it.Stmt.(*dsl.OutputStmt); ok && it.Doc != nil {
				docs[o] = it.Doc.Text()
			}
		}
	}
	for _, f := range unit.Files {
		if f != nil {
			f.EachStepBody(visit)
		}
	}
	return docs
}

// stepFieldDocs are the fields of a step a reference may name besides its
// outputs, with a few words each: ${step.status}, ${step.exit_code}, ...
func stepFieldDocs(st *compiler.Step) [][2]string {
	out := [][2]string{{"status", "the phase (Succeeded, Failed, ...)"}}
	if st.Body != nil && st.Body.Kind == "" {
		out = append(out, [2]string{"exit_code", "the container's exit code"})
	}
	if st.Body != nil && st.Body.Daemon {
		out = append(out, [2]string{"ip", "the pod IP"})
	}
	return append(out, [2]string{"started_at", "the start time"}, [2]string{"finished_at", "the end time"})
}
