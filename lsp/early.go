package lsp

import (
	"context"
	"path/filepath"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
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
//
// The first pass does not wait for the parse when it can do without: when
// the document's last clean parse (no syntax error in it) and the current
// text differ only inside the statements of a pipeline that
// dsl.ParseEdit can re-parse on their own, it tells the syntax errors of
// the whole text (none, or those of the region), so the first pass is
// published at once (with the load diagnostics of the other files, and
// the carried ones), before the compile, which still follows, has parsed
// anything.

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
	if sn.seqs[d.path] <= d.early {
		return // the region's first pass was published
	}
	text := sn.files[d.path]
	ds := append(diag.Diagnostics(nil), loadDiags...)
	if d.checkText != nil {
		ds = append(ds, carryDiags(d.checkDiags, d.path, diffTexts(d.checkText, text))...)
	}
	d.early = sn.seqs[d.path]
	s.notifyDiagsLocked(d, ds.Sort(), newMapper(text, sn.utf8))
}

// notifyDiagsLocked sends a document's first-pass diagnostics.
func (s *Server) notifyDiagsLocked(d *document, ds diag.Diagnostics, m *mapper) {
	params := &protocol.PublishDiagnosticsParams{URI: d.uri, Version: protocol.NewOptional(d.version),
		Diagnostics: toDiagnostics(ds, d.path, m)}
	if err := s.conn.Notify(context.Background(), protocol.MethodTextDocumentPublishDiagnostics, params); err != nil {
		s.logf(levelWarning, "publishing diagnostics: %v", err)
	}
}

// noteParsedLocked keeps the parse of a snapshot of a large document for
// the first pass of the next change, if it had no diagnostic in the
// document and is newer than the one kept.
func (s *Server) noteParsedLocked(d *document, sn *snapshot, unit *compiler.Unit, loadDiags diag.Diagnostics) {
	f := unit.Files[d.path]
	if s.docs[d.uri] != d || f == nil || d.cleanSeqs != nil && d.cleanSeqs[d.path] >= sn.seqs[d.path] {
		return
	}
	for _, dg := range loadDiags {
		if dg.Range.Filename == d.path || dg.Range.Filename == "" {
			return
		}
	}
	d.clean, d.cleanUnit, d.cleanSeqs, d.cleanLoad = f, unit, sn.seqs, loadDiags
}

// publishRegionEarly publishes the first pass of a large document's
// current text without parsing it all, when dsl.ParseEdit can tell from
// the last clean parse what its syntax errors are; otherwise the
// compile's parse publishes it (publishEarlyLocked).
func (s *Server) publishRegionEarly(d *document) {
	s.mu.Lock()
	if s.docs[d.uri] != d || s.closing || s.shutdown || !s.large(d) || d.clean == nil ||
		d.early >= d.seq || d.published >= d.seq || !s.othersCurrentLocked(d, d.cleanSeqs, d.cleanUnit) {
		s.mu.Unlock()
		return
	}
	old, text, seq, load := d.clean, d.text, d.seq, d.cleanLoad
	checkDiags, checkText := d.checkDiags, d.checkText
	s.mu.Unlock()
	start := time.Now()
	e := diffTexts(old.Source, text)
	var region dsl.EditRegion
	if e.start != e.oldEnd || e.start != e.newEnd { // else the text is the clean parse's
		var ok bool
		if region, ok = dsl.ParseEdit(old, text, e.start, e.oldEnd, e.newEnd); !ok {
			return
		}
	}
	ds := append(append(diag.Diagnostics(nil), load...), region.Diags...)
	if checkText != nil {
		ds = append(ds, carryDiags(checkDiags, d.path, diffTexts(checkText, text))...)
	}
	ds = ds.Sort()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs[d.uri] != d || s.closing || s.shutdown || d.seq != seq || d.early >= seq || d.published >= seq {
		return
	}
	d.early = seq
	s.notifyDiagsLocked(d, ds, d.mapperLocked(s.utf8))
	s.logf(levelLog, "%s: first pass from a re-parse of %d-%d in %v", filepath.Base(d.path), region.Start, region.End, time.Since(start).Round(time.Microsecond))
}

// othersCurrentLocked reports whether the open documents but d that a unit
// read are as they were at seqs.
func (s *Server) othersCurrentLocked(d *document, seqs map[string]int64, unit *compiler.Unit) bool {
	for _, o := range s.docs {
		if _, used := unit.Files[o.path]; used && o != d && seqs[o.path] != o.seq {
			return false
		}
	}
	return true
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
