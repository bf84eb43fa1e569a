package lsp

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/pipec/pipec/dsl"
)

// Semantic tokens (textDocument/semanticTokens/full, .../full/delta and
// .../range, see semrange.go):
// the language's own lexer gives every token, the parsed AST says which
// identifiers are names and what they name, and dsl.Interpolations finds
// the ${...} references in strings. An identifier the grammar matched as a
// literal word is a keyword.

// The legend: token types and modifiers, in the order of their numbers.
var (
	semTypes = []string{"keyword", "string", "number", "comment", "parameter", "variable",
		"function", "property", "namespace", "type", "enumMember", "operator"}
	semModifiers = []string{"declaration", "defaultLibrary", "readonly"}
)

const (
	tokKeyword = iota
	tokString
	tokNumber
	tokComment
	tokParameter
	tokVariable
	tokFunction
	tokProperty
	tokNamespace
	tokType
	tokEnumMember
	tokOperator
)

const (
	modDeclaration = 1 << iota
	modDefaultLibrary
	modReadonly
)

func semanticTokensOptions() *protocol.SemanticTokensOptions {
	yes := true
	return &protocol.SemanticTokensOptions{
		Legend: protocol.SemanticTokensLegend{TokenTypes: semTypes, TokenModifiers: semModifiers},
		Full:   &protocol.SemanticTokensFullDelta{Delta: &yes},
		Range:  protocol.Boolean(true),
	}
}

// semTok is one token before encoding: a byte range on one line.
type semTok struct {
	start, end int // byte offsets
	typ, mods  int
}

// role is what an identifier names.
type role struct{ typ, mods int }

// nameRoles maps (node type, field) to the role of an identifier there.
var nameRoles = map[string]role{
	"Pipeline.Name":         {tokNamespace, modDeclaration},
	"TemplateDecl.Name":     {tokFunction, modDeclaration},
	"StepDecl.Name":         {tokFunction, modDeclaration},
	"SubStep.Name":          {tokFunction, modDeclaration},
	"StageDecl.Name":        {tokNamespace, modDeclaration},
	"SubStage.Name":         {tokNamespace, modDeclaration},
	"Dep.Step":              {tokFunction, 0},
	"UsesClause.Template":   {tokFunction, 0},
	"Call.Name":             {tokFunction, modDefaultLibrary},
	"ParamStmt.Name":        {tokParameter, modDeclaration},
	"TParam.Name":           {tokParameter, modDeclaration},
	"Arg.Name":              {tokParameter, 0},
	"LoopClause.Var":        {tokVariable, modDeclaration},
	"OutputStmt.Name":       {tokProperty, modDeclaration},
	"VolumeStmt.Name":       {tokVariable, modDeclaration},
	"MountStmt.Volume":      {tokVariable, 0},
	"ScriptStmt.Lang":       {tokType, 0},
	"ParamStmt.Type":        {tokType, 0},
	"TParam.Type":           {tokType, 0},
	"PodGCStmt.Strategy":    {tokEnumMember, 0},
	"TolerationStmt.Effect": {tokEnumMember, 0},
	"KindStmt.Kind":         {tokEnumMember, 0},
	"EnvStmt.Name":          {tokVariable, modDeclaration},
}

// astFacts is what the AST tells about a file's tokens.
type astFacts struct {
	names   map[int]role // identifier roles by byte offset
	scripts map[int]bool // offsets of strings that are embedded scripts
	bad     [][2]int     // byte ranges of statements that did not parse
	params  map[string]bool
	steps   map[string]bool
	vars    map[string]bool
}

func collectFacts(f *dsl.File) *astFacts {
	a := &astFacts{names: map[int]role{}, scripts: map[int]bool{}, params: map[string]bool{}, steps: map[string]bool{}, vars: map[string]bool{}}
	if f != nil {
		a.walk(reflect.ValueOf(f), "")
	}
	return a
}

var (
	identType = reflect.TypeFor[dsl.Ident]()
	keyType   = reflect.TypeFor[dsl.Key]()
	tokenType = reflect.TypeFor[lexer.Token]()
	posType   = reflect.TypeFor[lexer.Position]()
	groupType = reflect.TypeFor[dsl.CommentGroup]()
)

// walk visits every node under v; at is "Parent.Field" for v.
func (a *astFacts) walk(v reflect.Value, at string) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return
		}
		a.walk(v.Elem(), at)
	case reflect.Slice:
		if v.Type().Elem() == tokenType {
			return
		}
		for i := range v.Len() {
			a.walk(v.Index(i), at)
		}
	case reflect.Struct:
		t := v.Type()
		switch t {
		case identType:
			id := v.Addr().Interface().(*dsl.Ident)
			a.ident(id.Pos.Offset, id.Name, at)
			return
		case keyType:
			k := v.Addr().Interface().(*dsl.Key)
			if k.Ident != "" {
				a.ident(k.Pos.Offset, k.Ident, at)
				return
			}
		case posType, groupType:
			return
		}
		switch n := v.Addr().Interface().(type) {
		case *dsl.BadStmt:
			a.bad = append(a.bad, [2]int{n.Pos.Offset, n.EndPos.Offset})
			return
		case *dsl.ScriptStmt:
			if n.Source != nil {
				a.scripts[n.Source.Pos.Offset] = true
			}
		case *dsl.Path:
			for i, p := range n.Parts {
				if i == 0 {
					a.names[p.Pos.Offset] = role{-1, 0} // resolved later
				} else {
					a.names[p.Pos.Offset] = role{tokProperty, 0}
				}
			}
			return
		}
		for _, f := range structFields(t) {
			a.walk(v.Field(f.index), f.at)
		}
	}
}

// field is an exported field of an AST node type, named "Type.Field".
type field struct {
	index int
	at    string
}

var fieldCache sync.Map // reflect.Type -> []field

func structFields(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			fs = append(fs, field{i, t.Name() + "." + t.Field(i).Name})
		}
	}
	fieldCache.Store(t, fs)
	return fs
}

func (a *astFacts) ident(off int, name, at string) {
	r, ok := nameRoles[at]
	switch {
	case ok:
	case strings.HasPrefix(at, "MapEntry.") || strings.HasPrefix(at, "LabelStmt.") || strings.HasPrefix(at, "NodeSelectorStmt."):
		r = role{tokProperty, 0}
	default:
		r = role{tokVariable, 0}
	}
	a.names[off] = r
	switch at {
	case "ParamStmt.Name", "TParam.Name":
		a.params[name] = true
	case "StepDecl.Name", "SubStep.Name":
		a.steps[name] = true
	case "LoopClause.Var":
		a.vars[name] = true
	}
}

// refRole is the role of the first part of a reference.
func (a *astFacts) refRole(name string) role {
	switch {
	case a.vars[name]:
		return role{tokVariable, 0}
	case a.params[name]:
		return role{tokParameter, 0}
	case a.steps[name]:
		return role{tokFunction, 0}
	case name == "workflow" || name == "item" || name == "inputs" || name == "retries":
		return role{tokVariable, modDefaultLibrary}
	}
	return role{tokVariable, 0}
}

func (a *astFacts) inBad(off int) bool {
	for _, b := range a.bad {
		if off >= b[0] && off < b[1] {
			return true
		}
	}
	return false
}

// semanticTokens computes the tokens of a source, in source order.
func semanticTokens(path string, src []byte) []semTok {
	f, _ := dsl.Parse(path, src)
	return semanticTokensOf(f, path, src)
}

// semanticTokensOf computes the tokens of a source from its parsed file.
func semanticTokensOf(f *dsl.File, path string, src []byte) []semTok {
	return semanticTokensWith(collectFacts(f), func(off int) (int, bool) { return off, true }, path, src)
}

// semanticTokensWith computes the tokens of a source from the facts of an
// AST of another text of it: toOld maps an offset of src to that text's
// (false inside the region they differ in, where the lexer alone decides:
// a keyword or a name).
func semanticTokensWith(facts *astFacts, toOld func(int) (int, bool), path string, src []byte) []semTok {
	return semanticTokensIn(facts, toOld, path, src, 0, len(src))
}

// The lexer's token types, by the rule's name.
var lexTypes = sync.OnceValue(func() (t struct {
	comment, ident lexer.TokenType
	number, str    map[lexer.TokenType]bool
}) {
	types := dsl.Lexer.Symbols()
	t.comment, t.ident = types["Comment"], types["Ident"]
	t.number = map[lexer.TokenType]bool{types["Int"]: true, types["Float"]: true, types["Duration"]: true}
	t.str = map[lexer.TokenType]bool{types["String"]: true, types["TripleString"]: true, types["RawString"]: true,
		types["Unterminated"]: true, types["UnterminatedTriple"]: true, types["UnterminatedRaw"]: true}
	return t
})

// semanticTokensIn is semanticTokensWith for the tokens of src that start
// in from:to; from must be where a token starts (lexing starts there).
func semanticTokensIn(facts *astFacts, toOld func(int) (int, bool), path string, src []byte, from, to int) []semTok {
	lx, err := dsl.Lexer.LexBytes(path, src[from:])
	if err != nil {
		return nil
	}
	types := lexTypes()
	var out []semTok
	add := func(start, end, typ, mods int) {
		// One token per line: clients need not support multi-line tokens.
		for start < end {
			nl := bytes.IndexByte(src[start:end], '\n')
			e := end
			if nl >= 0 {
				e = start + nl
			}
			if e > start {
				out = append(out, semTok{start, e, typ, mods})
			}
			start = e + 1
		}
	}
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() || t.Pos.Offset+from >= to {
			break
		}
		t.Pos.Offset += from
		start, end := t.Pos.Offset, t.Pos.Offset+len(t.Value)
		switch {
		case t.Type == types.comment:
			add(start, end, tokComment, 0)
		case types.number[t.Type]:
			add(start, end, tokNumber, 0)
		case types.str[t.Type]:
			old, ok := toOld(start)
			stringTokens(t, ok && facts.scripts[old], facts, add)
		case t.Type == types.ident:
			old, known := toOld(start)
			if !known {
				if isKeyword(t.Value) {
					add(start, end, tokKeyword, 0)
				} else {
					add(start, end, tokVariable, 0)
				}
			} else if r, ok := facts.names[old]; ok {
				if r.typ < 0 {
					r = facts.refRole(t.Value)
				}
				add(start, end, r.typ, r.mods)
			} else if t.Value == "true" || t.Value == "false" {
				add(start, end, tokKeyword, modReadonly)
			} else if !facts.inBad(old) || isKeyword(t.Value) {
				add(start, end, tokKeyword, 0)
			}
		}
	}
	return out
}

// stringTokens splits a string token around its ${...} references: the
// text is a string (an embedded script's body is left to the editor's
// grammar for its language), ${ and } operators, the path's first part
// what it names and the rest properties.
func stringTokens(t lexer.Token, script bool, facts *astFacts, add func(start, end, typ, mods int)) {
	start, end := t.Pos.Offset, t.Pos.Offset+len(t.Value)
	text := func(from, to int) {
		if !script {
			add(from, to, tokString, 0)
			return
		}
		// Only the quotes of a script are a string.
		q := 1
		if strings.HasPrefix(t.Value, `"""`) {
			q = 3
		}
		if from == start {
			add(from, min(to, start+q), tokString, 0)
		}
		if to == end && end-q > from {
			add(max(from, end-q), to, tokString, 0)
		}
	}
	lit := &dsl.StringLit{Span: dsl.Span{Pos: t.Pos}, Raw: t.Value}
	refs, _ := dsl.Interpolations(lit)
	last := start
	for _, r := range refs {
		rs, re := r.Range.Start.Offset, r.Range.End.Offset
		text(last, rs)
		add(rs, rs+2, tokOperator, 0) // ${
		inner := t.Value[rs+2-start : re-1-start]
		off := rs + 2
		for i, part := range strings.Split(inner, ".") {
			name := strings.TrimSpace(part)
			ps := off + strings.Index(part, name)
			if name != "" {
				rl := role{tokProperty, 0}
				if i == 0 {
					rl = facts.refRole(name)
				} else if _, err := strconv.Atoi(name); err == nil {
					rl = role{tokNumber, 0}
				}
				add(ps, ps+len(name), rl.typ, rl.mods)
			}
			off += len(part) + 1
		}
		add(re-1, re, tokOperator, 0) // }
		last = re
	}
	text(last, end)
}

func isKeyword(s string) bool {
	_, ok := keywordDocs[s]
	return ok
}

// encodeTokens encodes tokens as LSP's relative five-integer groups, with
// positions in the negotiated encoding.
func encodeTokens(toks []semTok, m *mapper) []uint32 {
	data := make([]uint32, 0, 5*len(toks))
	var prevLine, prevChar uint32
	line := 0 // tokens come in source order: the line moves forward
	for _, t := range toks {
		if line+1 < len(m.lines) && m.lines[line+1] <= t.start {
			line = sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > t.start }) - 1
		}
		l, c := uint32(line), uint32(m.units(m.src[m.lines[line]:t.start]))
		length := uint32(m.units(m.src[t.start:t.end]))
		dl, dc := l-prevLine, c
		if dl == 0 {
			dc = c - prevChar
		}
		data = append(data, dl, dc, length, uint32(t.typ), uint32(t.mods))
		prevLine, prevChar = l, c
	}
	return data
}

// semState is the last tokens sent for a document, for deltas.
type semState struct {
	id   string
	data []uint32
}

// SemanticTokensFull implements protocol.Server.
func (s *Server) SemanticTokensFull(ctx context.Context, p *protocol.SemanticTokensParams) (*protocol.SemanticTokens, error) {
	data, id, _, err := s.semantic(ctx, p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	return &protocol.SemanticTokens{ResultID: &id, Data: data}, nil
}

// SemanticTokensFullDelta implements protocol.Server: the edit from the
// previous result, or the whole tokens when that result is not the last.
func (s *Server) SemanticTokensFullDelta(ctx context.Context, p *protocol.SemanticTokensDeltaParams) (protocol.SemanticTokensDeltaResult, error) {
	data, id, prev, err := s.semantic(ctx, p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if prev == nil || prev.id != p.PreviousResultID {
		return &protocol.SemanticTokens{ResultID: &id, Data: data}, nil
	}
	return &protocol.SemanticTokensDelta{ResultID: &id, Edits: tokenEdits(prev.data, data)}, nil
}

// semantic computes a document's tokens and records them as its last. The
// AST's facts come from the latest checked state (computed once per
// state), translated through the edit since then, so that a request never
// waits for a parse of a large document.
func (s *Server) semantic(ctx context.Context, u uri.URI) (data []uint32, id string, prev *semState, err error) {
	d, text, path, m, c, e, err := s.semanticSnapshot(ctx, u)
	if err != nil {
		return nil, "", nil, err
	}
	var toks []semTok
	if c != nil {
		toks = semanticTokensWith(c.astFacts(), e.toOld, path, text)
	} else {
		toks = semanticTokens(path, text)
	}
	data = encodeTokens(toks, m)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs[u] != d {
		return data, "", nil, nil
	}
	prev = d.sem
	s.semSeq++
	id = strconv.FormatInt(s.semSeq, 10)
	d.sem = &semState{id: id, data: data}
	return data, id, prev, nil
}

// semanticSnapshot takes, under the lock, what a semantic tokens request
// reads of document u: its text and path, its position mapper, its latest
// checked state with a source (or nil) and the edit since that state. It
// marks the document as wanting tokens, and lets the connection read on
// once the text is taken.
func (s *Server) semanticSnapshot(ctx context.Context, u uri.URI) (d *document, text []byte, path string, m *mapper, c *checkedState, e textEdit, err error) {
	s.mu.Lock()
	d = s.docs[u]
	if d == nil {
		s.mu.Unlock()
		return nil, nil, "", nil, nil, e, errNoDocument(u)
	}
	text, path = d.text, d.path
	m = d.mapperLocked(s.utf8)
	c = d.checked
	if c != nil && c.source() == nil {
		c = nil
	}
	if c != nil {
		e = d.editSinceLocked(c)
	}
	d.wantsSem = true
	s.mu.Unlock()
	jsonrpc2.Async(ctx) // the text is taken: read on meanwhile
	return d, text, path, m, c, e, nil
}

// tokenEdits is the one edit that turns old into new: what lies between
// their common prefix and common suffix.
func tokenEdits(old, new []uint32) []protocol.SemanticTokensEdit {
	if slices.Equal(old, new) {
		return []protocol.SemanticTokensEdit{}
	}
	pre := 0
	for pre < len(old) && pre < len(new) && old[pre] == new[pre] {
		pre++
	}
	suf := 0
	for suf < len(old)-pre && suf < len(new)-pre && old[len(old)-1-suf] == new[len(new)-1-suf] {
		suf++
	}
	return []protocol.SemanticTokensEdit{{
		Start:       uint32(pre),
		DeleteCount: uint32(len(old) - pre - suf),
		Data:        append([]uint32{}, new[pre:len(new)-suf]...),
	}}
}
