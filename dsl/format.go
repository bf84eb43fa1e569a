package dsl

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// The formatter prints a File in pipec's one canonical layout:
//
//   - 2-space indentation, one statement per line, '{' on the header line;
//   - one blank line around steps that have a body and between top-level
//     declarations (but not between imports); other blank lines between
//     statements are kept, at most one;
//   - lists, maps, call arguments and template parameters on one line when
//     they fit in maxWidth columns and hold no comment, else one element per
//     line with a trailing comma;
//   - string literals re-emitted with their raw token text;
//   - step clauses in the order for, after, when, uses.
//
// Comments are interleaved by position: a comment on the line of the
// previous token stays at the end of that line, other comments stay on their
// own line before the next token. Doc comments stay right above their item;
// a comment that was not a doc comment is kept apart from the next item (and
// from a neighbouring comment group) by a blank line, so that re-parsing the
// output attaches the same doc comments.

// maxWidth is the column limit for lists printed on one line.
const maxWidth = 80

// Format prints f in the canonical layout. It refuses files with syntax
// errors (files holding a BadStmt).
func Format(f *File) ([]byte, error) {
	if f == nil {
		return nil, errors.New("format: no file")
	}
	if b := findBad(f); b != nil {
		return nil, fmt.Errorf("%s: cannot format a file with syntax errors", b.Range())
	}
	p := newPrinter(f)
	p.file(f)
	return p.bytes(), nil
}

// FormatSource parses src and formats it. A file with syntax errors is not
// formatted: its diagnostics are returned instead.
func FormatSource(filename string, src []byte) ([]byte, diag.Diagnostics) {
	f, diags := Parse(filename, src)
	if diags.HasErrors() {
		return nil, diags
	}
	out, err := Format(f)
	if err != nil {
		diags.Errorf(diag.Range{Filename: filename}, "%v", err)
		return nil, diags
	}
	// Never hand back something that does not parse.
	if _, d2 := Parse(filename, out); d2.HasErrors() {
		diags.Errorf(diag.Range{Filename: filename}, "internal error: the formatter produced invalid code: %s", d2[0].Message)
		return nil, diags
	}
	return out, diags
}

func findBad(f *File) *BadStmt {
	var steps func(items []*StepItem) *BadStmt
	steps = func(items []*StepItem) *BadStmt {
		for _, it := range items {
			if it.Bad != nil || it.Stmt == nil {
				return badOr(it.Bad, it.Span)
			}
		}
		for _, b := range ChildBodies(items) {
			if bad := steps(*b); bad != nil {
				return bad
			}
		}
		return nil
	}
	for _, it := range f.Items {
		switch {
		case it.Bad != nil:
			return it.Bad
		case it.Template != nil:
			if b := steps(it.Template.Items); b != nil {
				return b
			}
		case it.Pipeline != nil:
			for _, pi := range it.Pipeline.Items {
				if pi.Bad != nil || pi.Stmt == nil {
					return badOr(pi.Bad, pi.Span)
				}
				for _, block := range pipelineBlocks(pi.Stmt) {
					if b := steps(block); b != nil {
						return b
					}
				}
			}
		case it.Import == nil:
			return &BadStmt{Span: it.Span}
		}
	}
	return nil
}

func badOr(b *BadStmt, s Span) *BadStmt {
	if b != nil {
		return b
	}
	return &BadStmt{Span: s}
}

// comment is one line of a comment group.
type comment struct {
	line, col int
	text      string // with the leading //
	group     *CommentGroup
}

type printer struct {
	src []byte
	out bytes.Buffer
	cur []byte // the current output line, indentation included

	ind        int  // indentation of layout lines, in spaces
	nl         int  // newlines wanted before the next text: 0, 1, or 2 (a blank line)
	brk        bool // the current line ends with a comment
	layout     bool // the pending line break starts a layout line (else a continuation)
	space      bool // a space is wanted before the next text on the same line
	started    bool
	blockStart bool // nothing printed since a '{': no blank line here

	lastLine int           // source line where the last printed thing ends
	lastCmt  *CommentGroup // group of the last output line when it is a standalone comment

	cmts []comment
	ci   int
	docs map[*CommentGroup]bool
	doc  *CommentGroup // the doc comment of the item about to be printed
}

func newPrinter(f *File) *printer {
	p := &printer{src: f.Source, docs: map[*CommentGroup]bool{}, blockStart: true}
	for _, g := range f.Comments {
		for i, l := range g.Lines {
			p.cmts = append(p.cmts, comment{line: g.Pos.Line + i, col: g.Pos.Column, text: "//" + l, group: g})
		}
	}
	sort.SliceStable(p.cmts, func(i, j int) bool {
		a, b := p.cmts[i], p.cmts[j]
		return a.line < b.line || (a.line == b.line && a.col < b.col)
	})
	mark := func(g *CommentGroup) {
		if g != nil {
			p.docs[g] = true
		}
	}
	for _, it := range f.Items {
		mark(it.Doc)
		if it.Template != nil {
			for _, si := range flatItems(it.Template.Items) {
				mark(si.Doc)
			}
		}
		if it.Pipeline != nil {
			for _, pi := range it.Pipeline.Items {
				mark(pi.Doc)
				for _, block := range pipelineBlocks(pi.Stmt) {
					for _, si := range block {
						mark(si.Doc)
					}
				}
			}
		}
	}
	return p
}

func (p *printer) bytes() []byte {
	p.line()
	p.flush(0, 0)
	if len(p.cur) > 0 {
		p.out.Write(p.cur)
		p.out.WriteByte('\n')
	}
	return p.out.Bytes()
}

// write appends text, first ending the current line if a line break is
// pending.
func (p *printer) write(s string, isComment bool) {
	if p.started && (p.nl > 0 || p.brk) {
		p.out.Write(p.cur)
		p.out.WriteByte('\n')
		if p.nl > 1 && !p.blockStart {
			p.out.WriteByte('\n')
		}
		n := p.ind
		if !p.layout {
			n += 4
		}
		p.cur = append(p.cur[:0], strings.Repeat(" ", n)...)
		if !isComment {
			p.layout = false
		}
		p.nl, p.brk = 0, false
	} else if p.space && len(p.cur) > 0 {
		p.cur = append(p.cur, ' ')
	}
	if !p.started {
		p.nl, p.brk = 0, false
	}
	p.space = false
	p.started = true
	p.blockStart = false
	p.cur = append(p.cur, s...)
	if !isComment {
		p.lastCmt = nil
	}
}

// line asks for the next text to start a new layout line.
func (p *printer) line() {
	p.nl = max(p.nl, 1)
	p.layout = true
}

func (p *printer) sp() { p.space = true }

// col is the column (from 0) where the next text would start.
func (p *printer) col() int {
	if p.started && (p.nl > 0 || p.brk) {
		if p.layout {
			return p.ind
		}
		return p.ind + 4
	}
	c := len(p.cur)
	if i := bytes.LastIndexByte(p.cur, '\n'); i >= 0 {
		c = len(p.cur) - i - 1
	}
	if p.space && len(p.cur) > 0 {
		c++
	}
	return c
}

// flush prints the comments before source position (line, col); line 0
// means all of them.
func (p *printer) flush(line, col int) {
	for p.ci < len(p.cmts) {
		c := p.cmts[p.ci]
		if line > 0 && (c.line > line || (c.line == line && c.col >= col)) {
			break
		}
		if line > 0 && p.docs[c.group] && c.group != p.doc {
			break // a doc comment waits for its item
		}
		p.ci++
		if !p.docs[c.group] && c.line == p.lastLine && len(p.cur) > 0 && !p.brk {
			// A trailing comment: it stays at the end of its line.
			p.cur = append(p.cur, ' ')
			p.cur = append(p.cur, c.text...)
			p.brk = true
			p.lastCmt = nil
			continue
		}
		want := 1
		if p.started && (c.line > p.lastLine+1 || (p.lastCmt != nil && p.lastCmt != c.group)) {
			want = 2
		}
		p.nl = max(p.nl, want)
		p.write(c.text, true)
		p.brk = true
		p.lastCmt = c.group
		p.lastLine = c.line
	}
}

// hasCommentBefore reports whether an unprinted comment lies before pos.
func (p *printer) hasCommentBefore(pos lexer.Position) bool {
	if p.ci >= len(p.cmts) {
		return false
	}
	if pos.Line == 0 {
		return true // unknown end: be safe, break the list
	}
	c := p.cmts[p.ci]
	if p.docs[c.group] && c.group != p.doc {
		return false // it waits for its item, later
	}
	return c.line < pos.Line || (c.line == pos.Line && c.col < pos.Column)
}

// tok prints a token or a node printed as one token, whose source starts at
// pos and ends at end.
func (p *printer) tok(s string, pos, end lexer.Position) {
	if pos.Line > 0 {
		p.flush(pos.Line, pos.Column)
	}
	p.write(s, false)
	if end.Line > 0 {
		p.lastLine = end.Line
	}
}

// kw prints a keyword or punctuation whose position is unknown.
func (p *printer) kw(s string) { p.write(s, false) }

// before is the position of the one-byte token that ends just before end.
func before(end lexer.Position) lexer.Position {
	if end.Line == 0 || end.Column <= 1 {
		return lexer.Position{}
	}
	end.Offset--
	end.Column--
	return end
}

// findPunct looks for the punctuation ch right after from in the source,
// skipping white space, comments and the bytes in skip. It returns the
// zero Position if ch is not next (or the source is unknown).
func (p *printer) findPunct(from lexer.Position, ch byte, skip string, limit int) lexer.Position {
	if p.src == nil || from.Line == 0 || from.Offset > len(p.src) {
		return lexer.Position{}
	}
	if limit > len(p.src) || limit <= 0 {
		limit = len(p.src)
	}
	i := from.Offset
	for i < limit {
		switch b := p.src[i]; {
		case b == ch:
			pos := from
			pos.Advance(string(p.src[from.Offset:i]))
			return pos
		case b == ' ' || b == '\t' || b == '\r' || b == '\n' || strings.IndexByte(skip, b) >= 0:
			i++
		case b == '/' && i+1 < len(p.src) && p.src[i+1] == '/':
			for i < limit && p.src[i] != '\n' {
				i++
			}
		default:
			return lexer.Position{}
		}
	}
	return lexer.Position{}
}

func after(pos lexer.Position) lexer.Position {
	if pos.Line == 0 {
		return pos
	}
	pos.Offset++
	pos.Column++
	return pos
}

// ---- items and blocks ----

type item struct {
	span    Span
	doc     *CommentGroup
	isBlock bool // a step with a body: blank lines around it
	isImp   bool
	print   func()
}

// items prints the statements of a block (or of the file) one per line.
func (p *printer) items(list []item) {
	for i, it := range list {
		force := i > 0 && (it.isBlock || list[i-1].isBlock || p.ind == 0 && !(it.isImp && list[i-1].isImp))
		if force {
			p.nl = 2
		}
		p.layout = true
		p.doc = it.doc
		p.flush(it.span.Pos.Line, it.span.Pos.Column)
		p.doc = nil
		want := 1
		if p.lastCmt != nil && p.lastCmt != it.doc {
			want = 2
		} else if p.lastCmt == nil && p.started && it.span.Pos.Line > p.lastLine+1 {
			want = 2
		}
		p.nl = max(p.nl, want)
		p.layout = true
		it.print()
		if it.span.EndPos.Line > 0 {
			p.lastLine = it.span.EndPos.Line
		}
	}
}

// block prints `{ items }`; open is the position of '{' (zero if unknown),
// end the end of the block (just after '}').
func (p *printer) block(open, end lexer.Position, list []item) {
	p.sp()
	p.tok("{", open, after(open))
	closePos := before(end)
	if len(list) == 0 && !p.hasCommentBefore(closePos) {
		p.kw("}")
		p.lastLine = end.Line
		return
	}
	p.blockStart = true
	p.ind += 2
	p.items(list)
	p.line()
	if closePos.Line > 0 {
		p.flush(closePos.Line, closePos.Column)
	}
	p.ind -= 2
	p.line()
	p.nl = 1
	p.tok("}", closePos, end)
}

func (p *printer) file(f *File) {
	var list []item
	for _, it := range f.Items {
		it := it
		list = append(list, item{span: it.Span, doc: it.Doc, isImp: it.Import != nil, print: func() { p.topItem(it) }})
	}
	p.items(list)
}

func (p *printer) topItem(it *TopItem) {
	switch {
	case it.Import != nil:
		p.tok("import", it.Import.Pos, it.Import.Pos)
		p.sp()
		p.str(it.Import.Path)
	case it.Pipeline != nil:
		pl := it.Pipeline
		p.tok("pipeline", pl.Pos, pl.Pos)
		p.sp()
		p.ident(pl.Name)
		open := p.findPunct(pl.Name.EndPos, '{', "", pl.EndPos.Offset)
		var list []item
		for _, pi := range pl.Items {
			pi := pi
			s, isStep := pi.Stmt.(*StepDecl)
			_, isStage := pi.Stmt.(*StageDecl)
			list = append(list, item{span: pi.Span, doc: pi.Doc, isBlock: isStage || isStep && p.hasBody(s), print: func() { p.stmt(pi.Stmt) }})
		}
		p.block(open, pl.EndPos, list)
	case it.Template != nil:
		t := it.Template
		p.tok("template", t.Pos, t.Pos)
		p.sp()
		p.ident(t.Name)
		from := t.Name.EndPos
		if n := len(t.Params); n > 0 {
			from = t.Params[n-1].EndPos
		}
		closeParen := p.findPunct(from, ')', ",(", t.EndPos.Offset)
		flat := make([]string, len(t.Params))
		for i, tp := range t.Params {
			flat[i] = flatParam(tp)
		}
		p.seq("(", lexer.Position{}, ")", closeParen, after(closeParen), flat, func(i int) { p.param(t.Params[i]) })
		open := lexer.Position{}
		if closeParen.Line > 0 {
			open = p.findPunct(after(closeParen), '{', "", t.EndPos.Offset)
		}
		p.block(open, t.EndPos, stepItems(p, t.Items))
	}
}

func stepItems(p *printer, items []*StepItem) []item {
	var list []item
	for _, si := range items {
		si := si
		isBlock := false
		switch s := si.Stmt.(type) {
		case *SubStep:
			isBlock = p.hasBody(s.Decl())
		case *HookStmt:
			isBlock = p.hasBody(s.Decl())
		case *SubStage, *ContainerDecl:
			isBlock = true
		}
		list = append(list, item{span: si.Span, doc: si.Doc, isBlock: isBlock, print: func() { p.stmt(si.Stmt) }})
	}
	return list
}

func (p *printer) param(tp *TParam) {
	p.ident(tp.Name)
	p.kw(":")
	p.sp()
	p.ident(tp.Type)
	if tp.Default != nil {
		p.sp()
		p.kw("=")
		p.sp()
		p.value(tp.Default)
	}
}

// seq prints a bracketed, comma-separated sequence: on one line when it fits
// and holds no comment, else one element per line, each followed by a
// comma. openPos and closePos may be zero when unknown.
func (p *printer) seq(open string, openPos lexer.Position, close string, closePos, end lexer.Position, flat []string, elem func(i int)) {
	if openPos.Line > 0 {
		p.flush(openPos.Line, openPos.Column)
	}
	text := open + strings.Join(flat, ", ") + close
	if !p.hasCommentBefore(closePos) && fits(flat, p.col(), text) {
		p.write(text, false)
		if end.Line > 0 {
			p.lastLine = end.Line
		}
		return
	}
	p.tok(open, openPos, openPos)
	p.ind += 2
	for i := range flat {
		p.line()
		elem(i)
		p.kw(",")
	}
	p.line()
	if closePos.Line > 0 {
		p.flush(closePos.Line, closePos.Column)
	}
	p.ind -= 2
	p.line()
	p.tok(close, closePos, end)
}

// fits reports whether a sequence goes on one line: its text must fit in
// maxWidth columns, except that a multi-line last element (such as a """
// script) may hug the brackets when the text up to its first line break fits.
func fits(flat []string, col int, text string) bool {
	if len(flat) == 0 {
		return true
	}
	for _, e := range flat[:len(flat)-1] {
		if strings.Contains(e, "\n") {
			return false
		}
	}
	first, _, _ := strings.Cut(text, "\n")
	return col+len(first) <= maxWidth
}

// ---- statements ----

func (p *printer) word(s string) {
	p.sp()
	p.kw(s)
}

func (p *printer) stmt(n Node) {
	switch s := n.(type) {
	case *DescriptionStmt:
		p.tok("description", s.Pos, s.Pos)
		p.sp()
		p.str(s.Text)
	case *ImageStmt:
		p.tok("image", s.Pos, s.Pos)
		p.sp()
		p.str(s.Image)
	case *NamespaceStmt:
		p.tok("namespace", s.Pos, s.Pos)
		p.sp()
		p.str(s.Namespace)
	case *ServiceAccountStmt:
		p.tok("service_account", s.Pos, s.Pos)
		p.sp()
		p.str(s.Name)
	case *LabelStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		p.sp()
		p.key(s.Key)
		p.word("=")
		p.sp()
		p.str(s.Value)
	case *IntStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		p.sp()
		p.value(s.Value)
	case *TimeoutStmt:
		p.tok("timeout", s.Pos, s.Pos)
		p.sp()
		p.value(s.Value)
	case *PodGCStmt:
		p.tok("pod_gc", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Strategy)
		for _, o := range s.Options {
			p.word(o.Name)
			p.sp()
			p.value(o.Value)
		}
	case *SettingStmt:
		p.tok(s.Name, s.Pos, s.Pos)
		p.sp()
		p.value(s.Value)
	case *StepSettingStmt:
		p.tok(s.Name, s.Pos, s.Pos)
		p.sp()
		p.value(s.Value)
	case *SyncStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		if s.Database {
			p.word("database")
		}
		p.sp()
		p.value(s.Value)
		if s.Namespace != nil {
			p.word("namespace")
			p.sp()
			p.str(s.Namespace)
		}
	case *TTLStmt:
		p.tok("ttl", s.Pos, s.Pos)
		if s.When != "" {
			p.word(s.When)
		}
		p.sp()
		p.value(s.Value)
	case *NodeSelectorStmt:
		p.tok("node_selector", s.Pos, s.Pos)
		p.sp()
		p.key(s.Key)
		p.word("=")
		p.sp()
		p.str(s.Value)
	case *TolerationStmt:
		p.tok("toleration", s.Pos, s.Pos)
		p.sp()
		p.key(s.Key)
		if s.Exists {
			p.word("exists")
		} else {
			p.word("=")
			p.sp()
			p.str(s.Value)
		}
		if s.Effect != nil {
			p.word("effect")
			p.sp()
			p.ident(s.Effect)
		}
	case *PullSecretStmt:
		p.tok("image_pull_secret", s.Pos, s.Pos)
		p.sp()
		p.str(s.Name)
	case *ParamStmt:
		p.tok("param", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		if s.Type != nil {
			p.kw(":")
			p.sp()
			p.ident(s.Type)
		}
		if s.Default != nil {
			p.word("=")
			p.sp()
			p.value(s.Default)
		}
		if s.Enum != nil {
			p.word("one_of")
			p.sp()
			p.list(s.Enum)
		}
	case *RetryStmt:
		p.tok("retry", s.Pos, s.Pos)
		if s.Off {
			p.word("off")
			break
		}
		p.sp()
		p.value(s.Limit)
		for _, o := range s.Options {
			p.sp()
			p.tok(o.Name, o.Pos, o.Pos)
			p.sp()
			p.value(o.Value)
		}
	case *MemoizeStmt:
		p.tok("memoize", s.Pos, s.Pos)
		if s.Mode != "" {
			p.word(s.Mode)
		}
		if s.MaxAge != nil {
			p.word("max_age")
			p.sp()
			p.value(s.MaxAge)
		}
	case *ScheduleStmt:
		p.tok("schedule", s.Pos, s.Pos)
		p.sp()
		p.str(s.Cron)
		if s.Timezone != nil {
			p.word("timezone")
			p.sp()
			p.str(s.Timezone)
		}
	case *KindStmt:
		p.tok("kind", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Kind)
	case *VolumeStmt:
		p.tok("volume", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		p.word("=")
		p.sp()
		p.call(s.Source)
		if s.StorageClass != nil {
			p.word("storage_class")
			p.sp()
			p.str(s.StorageClass)
		}
	case *RawStmt:
		p.tok("raw", s.Pos, s.Pos)
		p.sp()
		p.str(s.YAML)
	case *EnvStmt:
		p.tok("env", s.Pos, s.Pos)
		p.sp()
		p.key(s.Name)
		p.word("=")
		p.sp()
		p.value(s.Value)
	case *StageDecl:
		p.stage(s)
	case *SubStage:
		p.stage(s.Decl())
	case *SubStep:
		p.step(s.Decl())
	case *HookStmt:
		p.step(s.Decl())
	case *StepDecl:
		p.step(s)
	case *RunStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		p.sp()
		p.list(s.List)
	case *ScriptStmt:
		p.tok("script", s.Pos, s.Pos)
		p.sp()
		if s.Lang != nil {
			p.ident(s.Lang)
		} else {
			p.list(s.Command)
		}
		p.sp()
		p.str(s.Source)
	case *ResourceStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		if s.LimitOnly != nil {
			p.word("limit")
			p.sp()
			p.value(s.LimitOnly)
			break
		}
		p.sp()
		p.value(s.Request)
		if s.Limit != nil {
			p.word("limit")
			p.sp()
			p.value(s.Limit)
		}
	case *MountStmt:
		p.tok("mount", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Volume)
		p.word("at")
		p.sp()
		p.str(s.Path)
		if s.ReadOnly {
			p.word("readonly")
		}
		if s.SubPath != nil {
			p.word("sub_path")
			p.sp()
			p.str(s.SubPath)
		}
	case *WorkdirStmt:
		p.tok("workdir", s.Pos, s.Pos)
		p.sp()
		p.str(s.Dir)
	case *OutputStmt:
		p.tok("output", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		p.word("=")
		p.sp()
		p.call(s.Source)
		if s.Default != nil {
			p.word("default")
			p.sp()
			p.str(s.Default)
		}
		if s.Enum != nil {
			p.word("one_of")
			p.sp()
			p.list(s.Enum)
		}
		if s.Global != nil {
			p.word("global")
			p.sp()
			p.str(s.Global)
		}
	case *InputStmt, *ArtifactStmt, *ArtifactRepositoryStmt, *ArtifactGCStmt:
		p.artifactStmt(n)
	default:
		if !p.templateKindStmt(n) && !p.dataStmt(n) && !p.behaviourStmt(n) && !p.containerStmt(n) && !p.parallelismStmt(n) {
			panic(fmt.Sprintf("format: unexpected statement %T", n))
		}
	}
}

// clauseRank orders step clauses: for, after, when, uses.
func clauseRank(c *StepClause) int {
	switch {
	case c.Loop != nil:
		return 0
	case c.After != nil:
		return 1
	case c.When != nil:
		return 2
	}
	return 3
}

// SortClauses returns the clauses of a step header in the canonical order
// (for, after, when, uses), keeping the order of clauses of the same kind.
func SortClauses(cs []*StepClause) []*StepClause {
	out := append([]*StepClause(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return clauseRank(out[i]) < clauseRank(out[j]) })
	return out
}

func (p *printer) step(s *StepDecl) {
	if s.On != nil {
		p.tok("on", s.Pos, s.Pos)
		p.word(s.On.Name)
		if s.HookWhen != nil {
			p.word("when")
			p.sp()
			p.str(s.HookWhen)
		}
		p.word("step")
	} else {
		p.tok("step", s.Pos, s.Pos)
	}
	p.sp()
	p.ident(s.Name)
	for _, c := range SortClauses(s.Clauses) {
		p.sp()
		switch {
		case c.Loop != nil:
			p.tok("for", c.Pos, c.Pos)
			p.sp()
			p.ident(c.Loop.Var)
			p.word("in")
			p.sp()
			p.value(c.Loop.Source)
		case c.After != nil:
			p.tok("after", c.Pos, c.Pos)
			for i, d := range c.After.Conds {
				if i > 0 {
					p.kw(",")
				}
				p.sp()
				p.depOr(d)
			}
		case c.When != nil:
			p.tok("when", c.Pos, c.Pos)
			p.sp()
			p.str(c.When)
		case c.Uses != nil:
			p.uses(c.Uses)
		}
	}
	open := p.bodyOpen(s)
	if len(s.Items) == 0 && open.Line == 0 {
		return // no body
	}
	p.block(open, s.EndPos, stepItems(p, s.Items))
}

// bodyOpen is the position of the '{' of a step's body, or the zero
// Position when the step has no body (or the source is unknown).
func (p *printer) bodyOpen(s *StepDecl) lexer.Position {
	headerEnd := s.Name.EndPos
	for _, c := range s.Clauses {
		if c.EndPos.Offset > headerEnd.Offset {
			headerEnd = c.EndPos
		}
	}
	return p.findPunct(headerEnd, '{', "", s.EndPos.Offset)
}

func (p *printer) hasBody(s *StepDecl) bool {
	return len(s.Items) > 0 || p.bodyOpen(s).Line > 0
}

func (p *printer) uses(u *UsesClause) {
	p.tok("uses", u.Pos, u.Pos)
	p.sp()
	if r := u.Ref; r != nil {
		p.tok("ref", r.Pos, r.Pos)
		p.kw("(")
		p.str(r.WorkflowTemplate)
		p.kw(",")
		p.sp()
		p.str(r.Template)
		if r.Cluster {
			p.kw(",")
			p.word("cluster")
		}
		p.kw(")")
		p.lastLine = r.EndPos.Line
	} else {
		p.ident(u.Template)
	}
	if len(u.Args) == 0 {
		return
	}
	flat := make([]string, len(u.Args))
	for i, a := range u.Args {
		flat[i] = a.Name.Name + " = " + flatValue(a.Value)
	}
	p.seq("(", lexer.Position{}, ")", before(u.EndPos), u.EndPos, flat, func(i int) {
		a := u.Args[i]
		p.ident(a.Name)
		p.word("=")
		p.sp()
		p.value(a.Value)
	})
}

// ---- values ----

func (p *printer) ident(id *Ident) { p.tok(id.Name, id.Pos, id.EndPos) }

func (p *printer) str(s *StringLit) { p.tok(s.Raw, s.Pos, s.EndPos) }

func (p *printer) key(k *Key) {
	if k.Str != nil {
		p.str(k.Str)
		return
	}
	p.tok(k.Ident, k.Pos, k.EndPos)
}

func (p *printer) list(l *ListLit) {
	flat := make([]string, len(l.Elems))
	for i, v := range l.Elems {
		flat[i] = flatValue(v)
	}
	p.seq("[", l.Pos, "]", before(l.EndPos), l.EndPos, flat, func(i int) { p.value(l.Elems[i]) })
}

func (p *printer) call(c *Call) {
	p.ident(c.Name)
	flat := make([]string, len(c.Args), len(c.Args)+len(c.Named))
	for i, v := range c.Args {
		flat[i] = flatValue(v)
	}
	for _, a := range c.Named {
		flat = append(flat, a.Name.Name+" = "+flatValue(a.Value))
	}
	p.seq("(", lexer.Position{}, ")", before(c.EndPos), c.EndPos, flat, func(i int) {
		if i < len(c.Args) {
			p.value(c.Args[i])
			return
		}
		a := c.Named[i-len(c.Args)]
		p.ident(a.Name)
		p.word("=")
		p.sp()
		p.value(a.Value)
	})
}

func (p *printer) value(v *Value) {
	switch {
	case v.List != nil:
		p.list(v.List)
	case v.Map != nil:
		m := v.Map
		flat := make([]string, len(m.Entries))
		for i, e := range m.Entries {
			flat[i] = flatKey(e.Key) + ": " + flatValue(e.Value)
		}
		p.seq("{", m.Pos, "}", before(m.EndPos), m.EndPos, flat, func(i int) {
			e := m.Entries[i]
			p.key(e.Key)
			p.kw(":")
			p.sp()
			p.value(e.Value)
		})
	case v.Call != nil:
		p.call(v.Call)
	case v.Path != nil:
		for i, part := range v.Path.Parts {
			if i > 0 {
				p.kw(".")
			}
			p.ident(part)
		}
	default:
		p.tok(flatValue(v), v.Pos, v.EndPos)
	}
}

func flatKey(k *Key) string {
	if k.Str != nil {
		return k.Str.Raw
	}
	return k.Ident
}

func flatParam(tp *TParam) string {
	s := tp.Name.Name + ": " + tp.Type.Name
	if tp.Default != nil {
		s += " = " + flatValue(tp.Default)
	}
	return s
}

// flatValue is the one-line text of a value.
func flatValue(v *Value) string {
	switch {
	case v.Str != nil:
		return v.Str.Raw
	case v.Quantity != nil:
		return v.Quantity.Text
	case v.Duration != nil:
		return *v.Duration
	case v.Float != nil:
		return *v.Float
	case v.Int != nil:
		return *v.Int
	case v.Bool != nil:
		return *v.Bool
	case v.List != nil:
		parts := make([]string, len(v.List.Elems))
		for i, e := range v.List.Elems {
			parts[i] = flatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case v.Map != nil:
		parts := make([]string, len(v.Map.Entries))
		for i, e := range v.Map.Entries {
			parts[i] = flatKey(e.Key) + ": " + flatValue(e.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case v.Call != nil:
		parts := make([]string, len(v.Call.Args))
		for i, e := range v.Call.Args {
			parts[i] = flatValue(e)
		}
		for _, a := range v.Call.Named {
			parts = append(parts, a.Name.Name+" = "+flatValue(a.Value))
		}
		return v.Call.Name.Name + "(" + strings.Join(parts, ", ") + ")"
	case v.Path != nil:
		return v.Path.String()
	}
	return ""
}
