package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
)

// A large document's diagnostics come in two passes: as soon as the new
// text is parsed, its syntax errors (and those of loading: imports), with
// the checker's diagnostics of the last compile carried over; then, after
// checking and lowering, the whole set. A carried diagnostic is moved
// through the region the edits since that compile changed (offsets before
// it stay, offsets after it shift by the change in length), and dropped if
// it touches that region (even at its edge: typing next to a name changes
// the name), so that no diagnostic points at text that is not what it was
// about. What a carried diagnostic says is the last check's verdict until
// the second pass replaces it.

// publishEarlyLocked publishes the first pass of the diagnostics of a
// snapshot of d, unless the snapshot is no longer current or diagnostics
// of it (or of a later text) were already published.
func (s *Server) publishEarlyLocked(d *document, sn *snapshot, unit *compiler.Unit, loadDiags diag.Diagnostics) {
	if s.docs[d.uri] != d || s.closing || s.shutdown || !s.currentLocked(sn.seqs, unit) {
		return
	}
	if sn.seqs[d.path] <= d.published {
		return
	}
	text := sn.files[d.path]
	ds := append(diag.Diagnostics(nil), loadDiags...)
	if d.checkText != nil {
		ds = append(ds, carryDiags(d.checkDiags, d.path, diffTexts(d.checkText, text))...)
	}
	params := &protocol.PublishDiagnosticsParams{URI: d.uri, Version: protocol.NewOptional(d.version),
		Diagnostics: toDiagnostics(ds.Sort(), d.path, newMapper(text, sn.utf8))}
	if err := s.conn.Notify(context.Background(), protocol.MethodTextDocumentPublishDiagnostics, params); err != nil {
		s.logf(levelWarning, "publishing diagnostics: %v", err)
	}
}

// carryDiags moves the diagnostics of path in ds through the edit e (of
// their text into the current one); the others are dropped. Only offsets
// are moved: toDiagnostics converts ranges from offsets alone.
func carryDiags(ds diag.Diagnostics, path string, e textEdit) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Range.Filename != path || !d.Range.Start.IsValid() {
			continue
		}
		start, end := d.Range.Start.Offset, d.Range.End.Offset
		if !d.Range.End.IsValid() || end < start {
			end = start
		}
		switch {
		case end < e.start: // before the edit
		case start > e.oldEnd: // after it
			d.Range.Start.Offset = start - e.oldEnd + e.newEnd
			d.Range.End.Offset = end - e.oldEnd + e.newEnd
		default: // touches it: typing at a token's edge changes the token
			continue
		}
		out = append(out, d)
	}
	return out
}

// without is ds without the diagnostics of drop (each counted once).
func without(ds, drop diag.Diagnostics) diag.Diagnostics {
	if len(drop) == 0 {
		return ds
	}
	n := make(map[diag.Diagnostic]int, len(drop))
	for _, d := range drop {
		n[d]++
	}
	var out diag.Diagnostics
	for _, d := range ds {
		if n[d] > 0 {
			n[d]--
			continue
		}
		out = append(out, d)
	}
	return out
}
