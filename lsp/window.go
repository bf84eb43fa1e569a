package lsp

import (
	"bytes"
	"sort"
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
	f := r.st.unit.Files[r.doc.path]
	if f == nil {
		return 0, nil
	}
	limit := r.stOff
	if r.edit != nil {
		limit = min(limit, r.edit.start)
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
				return pi.Pos.Offset, []string{"pipeline"}
			}
		}
		return 0, nil
	}
	return 0, nil
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
