package lsp

import (
	"bytes"
	"sort"

	"github.com/pipec/pipec/dsl"
)

// Requests about one position of a large document lex only the text near
// it: from the start of the statement of a pipeline body around the
// cursor, whose block context is known (the pipeline's), not from the
// start of the file. The statement comes from the checked state's AST; it
// must start before the edit since that state, so that the text before
// it is the same in both texts and the offset the same.

// lexStart is where a request's tokens can be lexed from (an offset of
// both the current and the state's text) and the blocks open there (for
// blockContext): the start of the last well-formed statement of a
// pipeline body that starts before the cursor and the edit, or 0 and no
// blocks.
func (r *request) lexStart() (int, []string) {
	limit := r.stOff
	if r.edit != nil {
		limit = min(limit, r.edit.start)
	}
	if off, ok := statementStart(r.st.unit.Files[r.doc.path], limit); ok {
		return off, []string{"pipeline"}
	}
	return 0, nil
}

// statementStart is the start of the last well-formed statement of a
// pipeline body of f that starts at or before limit (ok), or 0: a token
// starts there, in any text that has f's up to limit, and the blocks open
// there are the pipeline's.
func statementStart(f *dsl.File, limit int) (off int, ok bool) {
	if f == nil {
		return 0, false
	}
	for _, it := range f.Items {
		p := it.Pipeline
		if p == nil || p.Pos.Offset >= limit || p.EndPos.Offset < limit {
			continue
		}
		items := p.Items
		i := sort.Search(len(items), func(i int) bool { return items[i].Pos.Offset > limit }) - 1
		for ; i >= 0; i-- {
			if pi := items[i]; pi.Stmt != nil && pi.Bad == nil && pi.Pos.Offset > p.Pos.Offset {
				return pi.Pos.Offset, true
			}
		}
		return 0, false
	}
	return 0, false
}

// lexTokensFrom is lexTokens of src[from:to], with offsets of src. Line
// numbers count from the window's first line.
func lexTokensFrom(path string, src []byte, from, to int) []tok {
	toks := lexTokens(path, src[from:to])
	if from > 0 {
		for i := range toks {
			toks[i].start += from
			toks[i].end += from
		}
	}
	return toks
}

// lineEndAt is the offset of the end of the line containing off.
func lineEndAt(src []byte, off int) int {
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(src)
}
