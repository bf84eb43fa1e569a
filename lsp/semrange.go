package lsp

import (
	"context"
	"sort"

	"go.lsp.dev/protocol"
)

// textDocument/semanticTokens/range: an editor asks for the tokens of what
// it shows before (or instead of) the whole document's, so the work is
// proportional to the range: the text is lexed from the start of the last
// well-formed pipeline statement before the range (and before the edit
// since the checked state, so that its offset is the same in both texts),
// up to the range's end.

// SemanticTokensRange implements protocol.Server. A range result has no
// result id: deltas are of full results only.
func (s *Server) SemanticTokensRange(ctx context.Context, p *protocol.SemanticTokensRangeParams) (*protocol.SemanticTokens, error) {
	_, text, path, m, c, e, err := s.semanticSnapshot(ctx, p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	from, to := m.offset(p.Range.Start), m.offset(p.Range.End)
	if to < from {
		from, to = to, from
	}
	var toks []semTok
	if c == nil {
		toks = semanticTokens(path, text) // no checked state yet: parse it all
	} else {
		start, _ := statementStart(c.unit.Files[path], min(from, e.start))
		toks = semanticTokensIn(c.astFacts(), e.toOld, path, text, start, to)
	}
	i := sort.Search(len(toks), func(i int) bool { return toks[i].end > from })
	j := sort.Search(len(toks), func(i int) bool { return toks[i].start >= to })
	return &protocol.SemanticTokens{Data: encodeTokens(toks[i:max(i, j)], m)}, nil
}
