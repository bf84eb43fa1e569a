package lsp

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// request is what a position request works on.
type request struct {
	doc *document
	st  *checkedState
	m   *mapper // the current text
	off int
	// stM and stOff are the mapper and cursor of the text st was checked
	// on; edit, when set, is how that text differs from the current one
	// (see atFast).
	stM   *mapper
	stOff int
	edit  *textEdit
	// incomplete: a completion list was cut (see maxCompletionItems).
	incomplete bool
}

func (s *Server) at(ctx context.Context, u uri.URI, pos protocol.Position) (*request, error) {
	d, st, m, err := s.check(ctx, u)
	if err != nil {
		return nil, err
	}
	if _, err := st.indexCtx(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.noteIndexedLocked(d, st)
	s.mu.Unlock()
	off := m.offset(pos)
	return &request{doc: d, st: st, m: m, off: off, stM: m, stOff: off}, nil
}

// occurrenceAt finds the occurrence at the cursor. A template file checked
// alone resolves nothing in the templates' bodies, so the units of the other
// open documents (which may use its templates) are searched too.
func (s *Server) occurrenceAt(ctx context.Context, r *request) (*occurrence, *checkedState) {
	if o := r.st.idx.at(r.doc.path, r.off); o != nil && (o.decl || o.use != nil || o.tgt.kind != tTParam) {
		if o.use != nil || !s.inTemplate(r) {
			return o, r.st
		}
	}
	if s.inTemplate(r) {
		s.mu.Lock()
		var others []uri.URI
		for u, d := range s.docs {
			if d != r.doc {
				others = append(others, u)
			}
		}
		s.mu.Unlock()
		sort.Slice(others, func(i, j int) bool { return others[i] < others[j] })
		for _, u := range others {
			_, st, _, err := s.checkDoc(ctx, u, false)
			if err != nil {
				continue
			}
			if o := st.index().at(r.doc.path, r.off); o != nil {
				return o, st
			}
		}
	}
	if o := r.st.idx.at(r.doc.path, r.off); o != nil {
		return o, r.st
	}
	return nil, r.st
}

func (s *Server) inTemplate(r *request) bool {
	if f := r.st.unit.Files[r.doc.path]; f != nil {
		for _, it := range f.Items {
			if it.Template != nil && it.Template.Range().Contains(r.off) {
				return true
			}
		}
	}
	return false
}

// ---- hover ----

// Hover implements protocol.Server.
func (s *Server) Hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	cur, err := s.atFast(ctx, p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	r := cur.stateView()
	path := r.doc.path
	var text string
	var rng diag.Range
	if o, st := s.occurrenceAt(ctx, r); o != nil {
		text, rng = describe(st.unit, o.tgt, o.use), o.rng
	} else if u := r.st.idx.useAt(path, r.off); u != nil {
		text, rng = describeRef(u), u.Range
	} else if kw, kr := keywordAt(r, path); kw != "" {
		text, rng = "**"+kw+"**: "+keywordDocs[kw], kr
	}
	if text == "" {
		return nil, nil
	}
	pr := cur.outRange(rng.Start.Offset, rng.End.Offset)
	return &protocol.Hover{Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}, Range: &pr}, nil
}

// keywordAt finds a keyword token (not a string, not a name) at the
// request's offset.
func keywordAt(r *request, path string) (string, diag.Range) {
	src, off := r.m.src, r.off
	from, _ := r.lexStart()
	for _, t := range lexTokensFrom(path, src, from, lineEndAt(src, off)) {
		if t.start <= off && off <= t.end && t.ident && keywordDocs[t.text] != "" {
			return t.text, diag.Range{Filename: path, Start: diag.Pos{Offset: t.start, Line: 1}, End: diag.Pos{Offset: t.end, Line: 1}}
		}
		if t.start > off {
			break
		}
	}
	return "", diag.Range{}
}

func describe(unit *compiler.Unit, t *target, u *compiler.Use) string {
	var b strings.Builder
	switch t.kind {
	case tStep:
		describeStep(&b, t.step)
	case tParam:
		p := t.param
		fmt.Fprintf(&b, "**parameter** `%s`: %s", p.Name, p.Type)
		if p.Default != nil {
			fmt.Fprintf(&b, " = `%q`", *p.Default)
		} else {
			b.WriteString(" (required at submit)")
		}
		if len(p.Enum) > 0 {
			fmt.Fprintf(&b, "\n\none of: `%s`", strings.Join(p.Enum, "`, `"))
		}
		doc(&b, p.Description)
	case tOutput:
		fmt.Fprintf(&b, "**output** `%s` of step `%s`", t.name, t.step.Name)
		if o := t.output; o != nil {
			if o.Path != nil {
				fmt.Fprintf(&b, ": read from `%s`", o.Path.Value)
			}
			if o.Default != nil {
				fmt.Fprintf(&b, " (default `%q`)", *o.Default)
			}
		}
		var odoc string
		if t.output != nil && t.output.Decl != nil {
			odoc = stepItemDoc(unit, t.output.Decl)
		}
		if t.step.Loop != nil {
			b.WriteString("\n\nThe step loops: `${" + t.step.Name + "." + t.name + "}` is a JSON list of every iteration's value.")
		}
		doc(&b, odoc)
	case tResult:
		fmt.Fprintf(&b, "**result** of step `%s`: its standard output (at most 256 kB; for a script, its output)", t.step.Name)
	case tTemplate:
		fmt.Fprintf(&b, "**template** `%s(%s)`", t.name, tparamList(t.tmpl))
		if f := t.tmpl.Pos.Filename; f != "" {
			fmt.Fprintf(&b, " in %s", filepath.Base(f))
		}
		doc(&b, t.doc)
	case tTParam:
		fmt.Fprintf(&b, "**parameter** `%s: %s` of template `%s`", t.name, t.tparam.Type.Name, t.tmpl.Name.Name)
		if u != nil && u.Ref.Arg != nil {
			fmt.Fprintf(&b, "\n\nvalue in step `%s`: `%s`", stepName(u.Step), u.Ref.Arg.Value)
		}
	case tLoopVar:
		fmt.Fprintf(&b, "**loop variable** `%s` of step `%s`: %s", t.name, t.step.Name, loopSource(t.loop))
		if u != nil && u.Ref.Field != "" {
			fmt.Fprintf(&b, "\n\n`%s` is the key %q of each item", u.Ref.Path, u.Ref.Field)
		}
	case tImport:
		fmt.Fprintf(&b, "**import** `%s`: %s", t.name, t.decl.Filename)
		if f := unit.Files[t.decl.Filename]; f != nil {
			var names []string
			for _, it := range f.Items {
				if it.Template != nil && it.Template.Name != nil {
					names = append(names, it.Template.Name.Name)
				}
			}
			if len(names) > 0 {
				fmt.Fprintf(&b, "\n\ntemplates: `%s`", strings.Join(names, "`, `"))
			}
		}
	case tArgo:
		fmt.Fprintf(&b, "**Argo variable** `%s`", t.name)
		doc(&b, argoVarDocs[t.name])
	}
	if u != nil && t.kind != tArgo {
		fmt.Fprintf(&b, "\n\n---\n`${%s}`: %s", u.Ref.Path, refSummary(u))
	}
	return b.String()
}

func stepName(st *compiler.Step) string {
	if st == nil {
		return ""
	}
	return st.Name
}

func doc(b *strings.Builder, text string) {
	if strings.TrimSpace(text) != "" {
		b.WriteString("\n\n")
		b.WriteString(text)
	}
}

func tparamList(t *dsl.TemplateDecl) string {
	var ps []string
	for _, p := range t.Params {
		if p.Name == nil || p.Type == nil {
			continue
		}
		s := p.Name.Name + ": " + p.Type.Name
		if p.Default != nil {
			s += " = …"
		}
		ps = append(ps, s)
	}
	return strings.Join(ps, ", ")
}

func loopSource(l *compiler.Loop) string {
	switch {
	case l == nil:
		return ""
	case l.Seq != nil:
		return l.Seq.Describe()
	case l.Param != nil:
		return "each item of `" + l.Param.Value + "`"
	case len(l.Keys) > 0:
		return fmt.Sprintf("%d items, maps with keys `%s`", len(l.Items), strings.Join(l.Keys, "`, `"))
	default:
		return fmt.Sprintf("%d items", len(l.Items))
	}
}

// refSummary says in a few words what a reference is.
func refSummary(u *compiler.Use) string {
	r := u.Ref
	switch r.Kind {
	case compiler.RefParam:
		return "workflow parameter " + r.Param.Name
	case compiler.RefOutput:
		return fmt.Sprintf("output %s of step %s", r.Output, r.Step.Name)
	case compiler.RefResult:
		return "standard output of step " + r.Step.Name
	case compiler.RefAllOutputs:
		return "the outputs of every iteration of step " + r.Step.Name
	case compiler.RefStepField:
		return fmt.Sprintf("the %s of step %s (Argo's tasks.%s.%s)", r.Path[strings.IndexByte(r.Path, '.')+1:], r.Step.Name, r.Step.ArgoName, r.Field)
	case compiler.RefLoopVar:
		return "loop variable"
	case compiler.RefTemplateParam:
		return "template parameter " + r.TemplateParam
	case compiler.RefArgo:
		return "Argo variable"
	}
	return ""
}

func describeRef(u *compiler.Use) string {
	s := fmt.Sprintf("`${%s}`: %s", u.Ref.Path, refSummary(u))
	if u.Ref.Kind == compiler.RefArgo {
		s += "\n\n" + argoVarDocs[u.Ref.Argo]
	}
	return s
}

func describeStep(b *strings.Builder, st *compiler.Step) {
	kind := "step"
	if st.Handler != "" {
		kind = "on " + st.Handler + " step"
	}
	fmt.Fprintf(b, "**%s** `%s`", kind, st.Name)
	if st.HookOf != nil {
		fmt.Fprintf(b, ", a hook of step `%s`", st.HookOf.Name)
	}
	if st.Pipeline != nil {
		fmt.Fprintf(b, " of pipeline `%s`", st.Pipeline.Name)
	}
	doc(b, stepDoc(st))
	b.WriteString("\n")
	line := func(k, v string) { fmt.Fprintf(b, "\n- %s: %s", k, v) }
	if st.TemplateRef != nil {
		line("runs", fmt.Sprintf("template `%s` of WorkflowTemplate `%s`", st.TemplateRef.Template, st.TemplateRef.WorkflowTemplate))
	}
	if st.Template != nil {
		line("template", "`"+st.Template.Name.Name+"`")
	}
	if body := st.Body; body != nil {
		if body.Image != nil {
			line("image", "`"+body.Image.Value+"`")
		}
		if len(body.Command) > 0 {
			line("command", "`"+joinTexts(body.Command)+"`")
		}
		if len(body.Args) > 0 {
			line("args", "`"+joinTexts(body.Args)+"`")
		}
		if body.Script != nil {
			line("script", "`"+strings.Join(body.Script.Command, " ")+"` (inline)")
		}
	}
	if st.Loop != nil {
		line("loop", "`"+st.Loop.Var+"` over "+loopSource(st.Loop))
	}
	describeArtifacts(line, st) // artifacts_completion.go
	if st.When != nil {
		line("when", "`"+st.When.Value+"`")
	}
	var deps []string
	for _, d := range st.Deps {
		s := "`" + d.Step.Name + "`"
		if d.Outcome != "" {
			s += " " + d.Outcome
		}
		if d.Implicit {
			s += " (uses its output)"
		}
		deps = append(deps, s)
	}
	if len(deps) == 0 {
		line("after", "nothing (starts at once)")
	} else {
		line("after", strings.Join(deps, ", "))
	}
	line("retry", retrySummary(st.Retry))
	switch {
	case st.Handler != "":
		line("memoized", "never (handlers run on every outcome)")
	case st.Memoize:
		line("memoized", "yes, on the run id (max age "+st.MaxAge+")")
	default:
		line("memoized", "no")
	}
}

func joinTexts(ts []*compiler.Text) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.Value
		if strings.ContainsAny(t.Value, " \t") || t.Value == "" {
			parts[i] = strconv.Quote(t.Value)
		}
	}
	return strings.Join(parts, " ")
}

func retrySummary(r *compiler.Retry) string {
	if r == nil {
		return "off"
	}
	s := fmt.Sprintf("up to %d times", r.Limit)
	if r.Forever {
		s = "until it succeeds"
	}
	if r.Policy != "" {
		s += ", policy " + r.Policy
	}
	if r.Backoff != "" {
		s += ", backoff " + r.Backoff
	}
	if r.Factor != nil {
		s += fmt.Sprintf(", factor %d", *r.Factor)
	}
	if r.Max != "" {
		s += ", max " + r.Max
	}
	if r.Cap != "" {
		s += ", cap " + r.Cap
	}
	if r.Expression != "" {
		s += ", when `" + r.Expression + "`"
	}
	return s
}

// ---- definition, references, rename ----

// Definition implements protocol.Server.
func (s *Server) Definition(ctx context.Context, p *protocol.DefinitionParams) (protocol.DefinitionResult, error) {
	r, err := s.at(ctx, p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	o, st := s.occurrenceAt(ctx, r)
	if o == nil || o.tgt.kind == tArgo {
		return protocol.LocationSlice{}, nil
	}
	t := o.tgt
	if t.kind == tImport {
		return &protocol.Location{URI: uri.File(t.decl.Filename)}, nil
	}
	if t.kind == tResult {
		t = &target{decl: t.step.Decl.Name.Range()}
	}
	loc, ok := s.location(st.unit, t.decl, nil)
	if !ok {
		return protocol.LocationSlice{}, nil
	}
	return &loc, nil
}

// location converts a range of any file of a unit.
func (s *Server) location(unit *compiler.Unit, r diag.Range, mappers map[string]*mapper) (protocol.Location, bool) {
	m := mappers[r.Filename]
	if m == nil {
		f := unit.Files[r.Filename]
		if f == nil {
			return protocol.Location{}, false
		}
		s.mu.Lock()
		m = newMapper(f.Source, s.utf8)
		s.mu.Unlock()
		if mappers != nil {
			mappers[r.Filename] = m
		}
	}
	return protocol.Location{URI: uri.File(r.Filename), Range: m.rng(r.Start.Offset, r.End.Offset)}, true
}

// References implements protocol.Server: every occurrence of the target
// under the cursor in the open documents and the workspace's .pipe files.
func (s *Server) References(ctx context.Context, p *protocol.ReferenceParams) ([]protocol.Location, error) {
	r, err := s.at(ctx, p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	o := r.st.idx.at(r.doc.path, r.off)
	if o == nil {
		return []protocol.Location{}, nil
	}
	occs, units := s.occurrencesOf(r, o.tgt)
	locs := []protocol.Location{}
	mappers := map[string]*mapper{}
	if o.tgt.kind == tImport && p.Context.IncludeDeclaration {
		locs = append(locs, protocol.Location{URI: uri.File(o.tgt.decl.Filename)})
	}
	for i, oc := range occs {
		if oc.decl && !p.Context.IncludeDeclaration {
			continue
		}
		if loc, ok := s.location(units[i], oc.rng, mappers); ok {
			locs = append(locs, loc)
		}
	}
	return locs, nil
}

// occurrencesOf finds every occurrence of a target: in this document's unit,
// and in the units of the other open documents and workspace files.
func (s *Server) occurrencesOf(r *request, t *target) ([]occurrence, []*compiler.Unit) {
	key := t.key()
	var out []occurrence
	var units []*compiler.Unit
	seen := map[string]bool{}
	collect := func(unit *compiler.Unit, ix *index) {
		for _, o := range ix.occs {
			if o.tgt.key() != key {
				continue
			}
			k := fmt.Sprintf("%s|%d", o.rng.Filename, o.rng.Start.Offset)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, o)
			units = append(units, unit)
		}
	}
	collect(r.st.unit, r.st.idx)
	s.mu.Lock()
	sn := s.snapshotLocked()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	roots := map[string]bool{}
	for p := range sn.files {
		roots[p] = true
	}
	if files, err := compiler.FindPipeFiles(folders); err == nil {
		for i, f := range files {
			if i >= 5000 {
				break
			}
			if abs, err := filepath.Abs(f); err == nil {
				roots[filepath.Clean(abs)] = true
			}
		}
	}
	delete(roots, r.doc.path)
	paths := make([]string, 0, len(roots))
	for p := range roots {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		c := s.checkSnapshot(sn, p)
		collect(c.unit, c.index())
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := out[order[a]].rng, out[order[b]].rng
		if x.Filename != y.Filename {
			return x.Filename < y.Filename
		}
		return x.Start.Offset < y.Start.Offset
	})
	sorted, sortedUnits := make([]occurrence, len(out)), make([]*compiler.Unit, len(out))
	for i, j := range order {
		sorted[i], sortedUnits[i] = out[j], units[j]
	}
	return sorted, sortedUnits
}

var renamable = map[targetKind]bool{tStep: true, tParam: true, tOutput: true, tTemplate: true, tTParam: true, tLoopVar: true}

var identRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_-]*$`) })

// PrepareRename implements protocol.Server.
func (s *Server) PrepareRename(ctx context.Context, p *protocol.PrepareRenameParams) (protocol.PrepareRenameResult, error) {
	r, err := s.at(ctx, p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	o := r.st.idx.at(r.doc.path, r.off)
	if o == nil || !renamable[o.tgt.kind] {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "only steps, parameters, outputs, templates and loop variables can be renamed")
	}
	return &protocol.PrepareRenamePlaceholder{Range: r.m.rng(o.rng.Start.Offset, o.rng.End.Offset), Placeholder: o.tgt.name}, nil
}

// Rename implements protocol.Server: the declaration and every use (after
// lists, template calls and ${...} references), in every file.
func (s *Server) Rename(ctx context.Context, p *protocol.RenameParams) (*protocol.WorkspaceEdit, error) {
	r, err := s.at(ctx, p.TextDocument.URI, p.Position)
	if err != nil {
		return nil, err
	}
	o := r.st.idx.at(r.doc.path, r.off)
	if o == nil || !renamable[o.tgt.kind] {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "only steps, parameters, outputs, templates and loop variables can be renamed")
	}
	if !identRE().MatchString(p.NewName) || keywordDocs[p.NewName] != "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%q is not a valid name", p.NewName)
	}
	if o.tgt.kind == tParam || o.tgt.kind == tOutput {
		if strings.Contains(p.NewName, "-") {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "a %s name cannot contain '-'", kindNames[o.tgt.kind])
		}
	}
	occs, units := s.occurrencesOf(r, o.tgt)
	edits := map[uri.URI][]protocol.TextEdit{}
	mappers := map[string]*mapper{}
	for i, oc := range occs {
		loc, ok := s.location(units[i], oc.rng, mappers)
		if !ok {
			continue
		}
		edits[loc.URI] = append(edits[loc.URI], protocol.TextEdit{Range: loc.Range, NewText: p.NewName})
	}
	return &protocol.WorkspaceEdit{Changes: edits}, nil
}

// ---- symbols and formatting ----

// DocumentSymbol implements protocol.Server.
func (s *Server) DocumentSymbol(ctx context.Context, p *protocol.DocumentSymbolParams) (protocol.DocumentSymbolResult, error) {
	d, st, m, err := s.check(ctx, p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	f := st.unit.Files[d.path]
	syms := protocol.DocumentSymbolSlice{}
	if f == nil {
		return syms, nil
	}
	sym := func(name, detail string, kind protocol.SymbolKind, whole dsl.Node, sel dsl.Node, children []protocol.DocumentSymbol) protocol.DocumentSymbol {
		wr, sr := whole.Range(), sel.Range()
		ds := protocol.DocumentSymbol{Name: name, Kind: kind, Range: m.rng(wr.Start.Offset, max(wr.End.Offset, sr.End.Offset)), SelectionRange: m.rng(sr.Start.Offset, sr.End.Offset), Children: children}
		if detail != "" {
			ds.Detail = &detail
		}
		return ds
	}
	var stepChildren func(items []*dsl.StepItem) []protocol.DocumentSymbol
	stepChildren = func(items []*dsl.StepItem) []protocol.DocumentSymbol {
		var out []protocol.DocumentSymbol
		for _, it := range items {
			switch st := it.Stmt.(type) {
			case *dsl.OutputStmt:
				if st.Name != nil {
					out = append(out, sym(st.Name.Name, "output", protocol.SymbolKindField, it, st.Name, nil))
				}
			case *dsl.HookStmt: // a lifecycle hook of the step
				if st.Name != nil && st.Event != nil {
					out = append(out, sym(st.Name.Name, "on "+st.Event.Name+" step", protocol.SymbolKindFunction, it, st.Name, stepChildren(st.Items)))
				}
			}
		}
		return out
	}
	for _, it := range f.Items {
		switch {
		case it.Import != nil && it.Import.Path != nil:
			syms = append(syms, sym(it.Import.Path.Value(), "import", protocol.SymbolKindFile, it, it.Import.Path, nil))
		case it.Template != nil && it.Template.Name != nil:
			t := it.Template
			var children []protocol.DocumentSymbol
			for _, tp := range t.Params {
				if tp.Name != nil && tp.Type != nil {
					children = append(children, sym(tp.Name.Name, tp.Type.Name, protocol.SymbolKindVariable, tp, tp.Name, nil))
				}
			}
			children = append(children, stepChildren(t.Items)...)
			for _, it := range t.Items {
				if ss, ok := it.Stmt.(*dsl.SubStage); ok {
					children = append(children, stageSymbol(ss.Decl(), it, sym, stepChildren))
				}
			}
			syms = append(syms, sym(t.Name.Name, "template", protocol.SymbolKindClass, it, t.Name, children))
		case it.Pipeline != nil && it.Pipeline.Name != nil:
			var children []protocol.DocumentSymbol
			for _, pi := range it.Pipeline.Items {
				switch st := pi.Stmt.(type) {
				case *dsl.ParamStmt:
					detail := "param"
					if st.Type != nil {
						detail = st.Type.Name
					}
					children = append(children, sym(st.Name.Name, detail, protocol.SymbolKindVariable, pi, st.Name, nil))
				case *dsl.StepDecl:
					detail := "step"
					if st.Handler() != "" {
						detail = "on " + st.Handler() + " step"
					}
					children = append(children, sym(st.Name.Name, detail, protocol.SymbolKindFunction, pi, st.Name, stepChildren(st.Items)))
				case *dsl.StageDecl:
					children = append(children, stageSymbol(st, pi, sym, stepChildren))
				}
			}
			syms = append(syms, sym(it.Pipeline.Name.Name, "pipeline", protocol.SymbolKindModule, it, it.Pipeline.Name, children))
		}
	}
	return syms, nil
}

// Formatting implements protocol.Server with the formatter of `pipec fmt`.
// A document with syntax errors is left alone.
func (s *Server) Formatting(ctx context.Context, p *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		s.mu.Unlock()
		return nil, errNoDocument(p.TextDocument.URI)
	}
	text, path, m := d.text, d.path, d.mapperLocked(s.utf8)
	s.mu.Unlock()
	jsonrpc2.Async(ctx)
	out, diags := dsl.FormatSource(path, text)
	if diags.HasErrors() || out == nil {
		s.logf(levelLog, "%s: not formatted: %d syntax errors", path, diags.ErrorCount())
		return []protocol.TextEdit{}, nil
	}
	if bytes.Equal(out, text) {
		return []protocol.TextEdit{}, nil
	}
	return []protocol.TextEdit{{Range: m.rng(0, len(text)), NewText: string(out)}}, nil
}
