package dsl

import (
	"bytes"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// A language server re-parses a large file after every keystroke, and most
// keystrokes change one statement of one pipeline. ParseEdit re-parses only
// the statements of a pipeline body an edit falls in, and tells what
// syntax errors the whole file then has (none, or those of the region),
// for a file whose previous text parsed without one.
//
// The argument is parseInParts': the region it re-parses starts either at
// the body's first statement or at a `step` or `on` keyword that is the
// first token of its line at the body's top level, and ends before such a
// keyword (or before the body's closing brace) with a newline in between;
// no statement can go on with such a keyword, so the statements of the
// region are the ones a parse of the whole text finds there, and the
// statements outside it are the previous parse's. The lexer has no state
// between tokens, and the region's edges are token boundaries in both
// texts (the bytes next to them are unchanged), so the tokens outside the
// region are the previous ones too. Whenever anything is unsure (the edit
// is not inside a pipeline body, a region edge moved, the region's error
// may reach beyond it (see ParseEdit), the text has a byte order mark or
// a carriage return, the nesting comes near MaxNesting), it reports false
// and the caller must parse the whole text.
// TestParseEditSameAsParse checks this against Parse on the corpus with
// random edits, and FuzzParseEdit on any input.

// EditRegion is what ParseEdit re-parsed: the statements of the new text's
// Start:End (byte offsets), which replace the previous parse's statements
// there.
type EditRegion struct {
	Pipeline   *Pipeline // of the previous parse
	Start, End int
	Items      []*PipelineItem // when the region parses clean
	// Diags are the syntax errors of the region when it does not: then
	// Items is nil, and Diags are exactly what Parse of the whole new
	// text reports.
	Diags diag.Diagnostics
}

// ParseEdit re-parses the region of src an edit changed: old is the parse
// of the previous text (old.Source), which must have had no diagnostic,
// and src is old.Source with old.Source[start:oldEnd] replaced by
// src[start:newEnd]. When it reports true, Parse(old.Name, src) reports no
// diagnostic either and its statements in the region are region.Items; or,
// when the region does not parse clean, Parse reports region.Diags.
//
// A region with an error is parsed by Parse itself, on the new text with
// every byte outside the pipeline's frame, the region and the statement
// after it blanked (newlines kept, so positions stay): the errors are
// Parse's, and they are those of the whole text when the statement after
// the region (or the body's closing brace) still parses as it did, right
// where it starts, and every error is inside the region; otherwise the
// error's recovery may reach beyond the region, and ParseEdit reports false.
func ParseEdit(old *File, src []byte, start, oldEnd, newEnd int) (EditRegion, bool) {
	if old == nil || start < 0 || oldEnd < start || newEnd < start || oldEnd > len(old.Source) || newEnd > len(src) ||
		len(old.Source)-oldEnd != len(src)-newEnd {
		return EditRegion{}, false
	}
	prev := old.Source
	if !bytes.Equal(prev[:start], src[:start]) || !bytes.Equal(prev[oldEnd:], src[newEnd:]) {
		return EditRegion{}, false
	}
	// Parse changes such texts before lexing them (decodeSource).
	if bytes.HasPrefix(src, utf8BOM) || bytes.IndexByte(src, '\r') >= 0 || utf16Kind(src) != "" ||
		bytes.HasPrefix(prev, utf8BOM) || bytes.IndexByte(prev, '\r') >= 0 {
		return EditRegion{}, false
	}
	p := pipelineAround(old, start, oldEnd)
	if p == nil {
		return EditRegion{}, false
	}
	from, to, ok := regionBounds(p, prev, start, oldEnd)
	if !ok {
		return EditRegion{}, false
	}
	base := p.Items[from].Pos
	newTo := to - oldEnd + newEnd
	region := EditRegion{Pipeline: p, Start: base.Offset, End: newTo}
	items, clean, ok := parseRegion(old.Name, src[base.Offset:newTo], base, from > 0)
	switch {
	case !ok:
		return EditRegion{}, false
	case clean:
		region.Items = items
		return region, true
	}
	region.Diags, ok = parseBlanked(old.Name, p, src, region, to, newEnd-oldEnd)
	return region, ok
}

// parseBlanked parses src with everything but the frame of pipeline p
// (of the previous text; its body's offsets after the region move by
// shift), the region and the statement after it blanked, and returns its
// diagnostics if they are those of the whole text (see ParseEdit).
func parseBlanked(filename string, p *Pipeline, src []byte, region EditRegion, oldTo, shift int) (diag.Diagnostics, bool) {
	closing := p.EndPos.Offset - 1 + shift // the body's closing brace
	keepTo, next := closing, -1            // the end of the statement after the region; its index
	for i, it := range p.Items {
		if it.Pos.Offset == oldTo {
			next = i
			if i+1 < len(p.Items) {
				keepTo = p.Items[i+1].Pos.Offset + shift
			}
		}
	}
	blank := bytes.Clone(src)
	blankOut := func(from, to int) {
		for i := from; i < to; i++ {
			if blank[i] != '\n' {
				blank[i] = ' '
			}
		}
	}
	blankOut(0, p.Pos.Offset)
	blankOut(p.Items[0].Pos.Offset, region.Start)
	blankOut(keepTo, closing)
	blankOut(closing+1, len(blank))
	f, diags := Parse(filename, blank)
	if len(f.Items) != 1 || f.Items[0].Pipeline == nil {
		return nil, false
	}
	q := f.Items[0].Pipeline
	if q.Pos.Offset != p.Pos.Offset || q.EndPos.Offset != closing+1 {
		return nil, false
	}
	if next >= 0 {
		// The statement after the region is the last one, well-formed, and
		// where it was.
		if len(q.Items) == 0 {
			return nil, false
		}
		last := q.Items[len(q.Items)-1]
		if last.Pos.Offset != region.End || last.Stmt == nil || last.Bad != nil {
			return nil, false
		}
	}
	for _, d := range diags {
		if d.Range.Filename != filename || d.Range.Start.Offset < region.Start || d.Range.Start.Offset >= region.End ||
			d.Range.End.Offset > region.End {
			return nil, false
		}
	}
	return diags, true
}

// pipelineAround is the pipeline of f whose body holds old[start:oldEnd].
func pipelineAround(f *File, start, oldEnd int) *Pipeline {
	for _, it := range f.Items {
		if p := it.Pipeline; p != nil && len(p.Items) > 0 && p.Items[0].Pos.Offset < start && oldEnd < p.EndPos.Offset {
			return p
		}
	}
	return nil
}

// regionBounds finds the statements of p the edit of prev[start:oldEnd]
// falls in: from the index of the first, to the offset in prev where the
// region ends (the start of the next statement that starts with a keyword
// first on its line, or the body's closing brace).
func regionBounds(p *Pipeline, prev []byte, start, oldEnd int) (from, to int, ok bool) {
	from = -1
	for k, it := range p.Items {
		off := it.Pos.Offset
		if off >= start {
			break
		}
		if k == 0 || cutKeywordAt(prev, off) {
			from = k
		}
	}
	if from < 0 {
		return 0, 0, false
	}
	for _, it := range p.Items[from+1:] {
		if off := it.Pos.Offset; off > oldEnd && cutKeywordAt(prev, off) {
			return from, off, true
		}
	}
	// The closing brace: the pipeline's span ends right after it.
	b := p.EndPos.Offset - 1
	if b <= oldEnd || b >= len(prev) || prev[b] != '}' {
		return 0, 0, false
	}
	return from, b, true
}

// cutKeywordAt reports whether src[off:] starts with the keyword `step` or
// `on`, and only blanks come before it on its line.
func cutKeywordAt(src []byte, off int) bool {
	for i := off - 1; i >= 0 && src[i] != '\n'; i-- {
		if src[i] != ' ' && src[i] != '\t' {
			return false
		}
	}
	rest := src[off:]
	for _, kw := range []string{"step", "on"} {
		if bytes.HasPrefix(rest, []byte(kw)) && (len(rest) == len(kw) || !isIdentByte(rest[len(kw)])) {
			return true
		}
	}
	return false
}

// parseRegion lexes and parses text, which starts at base in its file, as a
// list of pipeline statements; cut says that its first token must be a cut
// keyword (it is not the body's first statement). ok is false if the
// region's edges are not as ParseEdit needs them; clean, if its
// statements are all well-formed and it has no diagnostic.
func parseRegion(filename string, text []byte, base lexer.Position, cut bool) (items []*PipelineItem, clean, ok bool) {
	toks, _, diags := lex(filename, text)
	if len(toks) < 2 {
		return nil, false, false
	}
	if first := toks[0]; cut && (first.Type != identType || first.Value != "step" && first.Value != "on") {
		return nil, false, false
	}
	// The region ends with a newline before the next statement (or the
	// closing brace), so that a keyword after it is first on its line.
	if last := toks[len(toks)-2]; last.Type != wsType || !strings.Contains(last.Value, "\n") {
		return nil, false, false
	}
	if len(diags) > 0 {
		return nil, false, true
	}
	depth := 1 // the pipeline's body
	for i := range toks {
		t := &toks[i]
		if t.Type == punctType {
			switch t.Value {
			case "{", "(", "[":
				if depth++; depth >= MaxNesting-1 {
					return nil, false, false
				}
			case "}", ")", "]":
				if depth--; depth < 1 {
					return nil, false, true
				}
			}
		}
		shift(&t.Pos, base)
	}
	items, ok = parseItems(newPeekingLexer(toks))
	if !ok || !wellFormedItems(items) {
		return nil, false, true
	}
	return items, true, true
}

// shift moves a position of a text lexed on its own to where that text
// starts in its file (base).
func shift(p *lexer.Position, base lexer.Position) {
	if p.Line == 1 {
		p.Column += base.Column - 1
	}
	p.Line += base.Line - 1
	p.Offset += base.Offset
}
