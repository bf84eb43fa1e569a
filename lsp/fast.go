package lsp

import (
	"bytes"
	"context"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// Hover and completion must answer at once, also right after an edit of a
// large document, when the document has not been checked again yet (that
// happens after the debounce, in the background). They answer from the
// last checked state when the cursor is outside the region the edits since
// then changed: offsets are translated between that state's text and the
// current one through the changed region.

// defaultFastFrom: smaller documents are checked again at once (a few
// milliseconds), so that names the edit just declared are known.
const defaultFastFrom = 256 << 10

// textEdit is the one region in which two texts differ: old[start:oldEnd]
// became new[start:newEnd].
type textEdit struct{ start, oldEnd, newEnd int }

func diffTexts(old, new []byte) textEdit {
	n := min(len(old), len(new))
	p := 0
	const chunk = 4096 // compared with bytes.Equal (vectorised), then byte by byte
	for p+chunk <= n && bytes.Equal(old[p:p+chunk], new[p:p+chunk]) {
		p += chunk
	}
	for p < n && old[p] == new[p] {
		p++
	}
	s := 0
	for s+chunk <= n-p && bytes.Equal(old[len(old)-s-chunk:len(old)-s], new[len(new)-s-chunk:len(new)-s]) {
		s += chunk
	}
	for s < n-p && old[len(old)-1-s] == new[len(new)-1-s] {
		s++
	}
	return textEdit{start: p, oldEnd: len(old) - s, newEnd: len(new) - s}
}

// toOld maps an offset of the new text to the old one; false inside the
// changed region.
func (e textEdit) toOld(off int) (int, bool) {
	switch {
	case off <= e.start:
		return off, true
	case off >= e.newEnd:
		return off - e.newEnd + e.oldEnd, true
	}
	return 0, false
}

// toNew maps an offset of the old text to the new one (an offset inside the
// changed region goes to its start).
func (e textEdit) toNew(off int) int {
	switch {
	case off < e.start:
		return off
	case off >= e.oldEnd: // at a pure insertion: after the inserted text
		return off - e.oldEnd + e.newEnd
	}
	return e.start
}

// atFast is at for hover and completion: from the last checked state when
// it is stale (or, while the latest is being indexed, from the last
// indexed one) and the cursor can be translated, else as at. The request's
// m and off are of the current text; stM and stOff of the state's.
func (s *Server) atFast(ctx context.Context, u uri.URI, pos protocol.Position) (*request, error) {
	s.mu.Lock()
	d := s.docs[u]
	if d == nil {
		s.mu.Unlock()
		return nil, errNoDocument(u)
	}
	c := d.checked
	if c != nil && !c.indexed() && d.indexed != nil {
		c = d.indexed
	}
	if c == nil || !s.large(d) || c.source() == nil || s.currentLocked(c.seqs, c.unit) && c.seqs[d.path] == d.seq {
		s.mu.Unlock()
		return s.at(ctx, u, pos)
	}
	m := d.mapperLocked(s.utf8)
	e := d.editSinceLocked(c)
	utf8 := s.utf8
	s.mu.Unlock()
	off := m.offset(pos)
	stOff, ok := e.toOld(off)
	if !ok {
		return s.at(ctx, u, pos)
	}
	jsonrpc2.Async(ctx) // the state is taken: read on meanwhile
	if _, err := c.indexCtx(ctx); err != nil {
		return nil, err
	}
	s.logf(levelLog, "%s: answered from the last checked text (the edit at %d-%d is being checked)", d.path, e.start, e.newEnd)
	return &request{doc: d, st: c, m: m, off: off, stM: c.mapper(utf8), stOff: stOff, edit: &e}, nil
}

// stateView is the request seen entirely in the checked state's text.
func (r *request) stateView() *request {
	v := *r
	v.m, v.off, v.stM, v.edit = r.stM, r.stOff, r.stM, nil
	return &v
}

// outRange converts a range of the state's text to the current text.
func (r *request) outRange(start, end int) protocol.Range {
	if r.edit == nil {
		return r.m.rng(start, end)
	}
	return r.m.rng(r.edit.toNew(start), r.edit.toNew(end))
}
