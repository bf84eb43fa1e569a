package lsp

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Quick fixes (textDocument/codeAction): a diagnostic whose hint says "did
// you mean X?" replaces the name or ${...} it is at with X; the warning that
// a step is not memoized because of its retry inserts "memoize off" into
// the step. Fixes are made from the last diagnostics the server published
// for the document, not from what the client sends back, and only while
// the document is still the text they were computed for.

// fix is one quick fix: replace [start, end) with text.
type fix struct {
	title      string
	start, end int
	text       string
	diag       diag.Diagnostic
}

// CodeAction implements protocol.Server.
func (s *Server) CodeAction(ctx context.Context, p *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		s.mu.Unlock()
		return nil, errNoDocument(p.TextDocument.URI)
	}
	current := d.lastText != nil && bytes.Equal(d.lastText, d.text)
	ds, text, path, utf8 := d.lastDiags, d.text, d.path, s.utf8
	s.mu.Unlock()
	out := []protocol.CommandOrCodeAction{}
	if !current {
		return out, nil // the diagnostics are of an older text: wait for the new ones
	}
	m := newMapper(text, utf8)
	from, to := m.offset(p.Range.Start), m.offset(p.Range.End)
	var fixes []fix
	var file *dsl.File
	for _, dg := range ds {
		if dg.Range.Filename != path || !dg.Range.Start.IsValid() {
			continue
		}
		if dg.Range.End.Offset < from || dg.Range.Start.Offset > to {
			continue // not at the requested range
		}
		if f, ok := didYouMean(dg, text); ok {
			fixes = append(fixes, f)
		}
		if strings.Contains(dg.Hint, "add memoize off") {
			if file == nil {
				file, _ = dsl.Parse(path, text)
			}
			if f, ok := memoizeOff(dg, file, text); ok {
				fixes = append(fixes, f)
			}
		}
	}
	kind := protocol.CodeActionKindQuickFix
	yes := true
	for _, f := range fixes {
		edit := protocol.TextEdit{Range: m.rng(f.start, f.end), NewText: f.text}
		out = append(out, &protocol.CodeAction{
			Title:       f.title,
			Kind:        &kind,
			Diagnostics: toDiagnostics(diag.Diagnostics{f.diag}, path, m),
			IsPreferred: &yes,
			Edit:        &protocol.WorkspaceEdit{Changes: map[uri.URI][]protocol.TextEdit{p.TextDocument.URI: {edit}}},
		})
	}
	return out, nil
}

// didYouMean makes the fix of a "did you mean X?" hint, when the text at
// the diagnostic is what X replaces: a name for a quoted X, a ${...} for
// a ${...}.
func didYouMean(dg diag.Diagnostic, text []byte) (fix, bool) {
	rest, ok := strings.CutPrefix(dg.Hint, "did you mean ")
	if !ok {
		return fix{}, false
	}
	start, end := dg.Range.Start.Offset, dg.Range.End.Offset
	if start < 0 || end > len(text) || start >= end {
		return fix{}, false
	}
	at := string(text[start:end])
	var repl string
	switch {
	case strings.HasPrefix(rest, `"`):
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return fix{}, false
		}
		repl, _ = strconv.Unquote(q)
		if !isName(at) || !isName(repl) {
			return fix{}, false
		}
	case strings.HasPrefix(rest, "${"):
		i := strings.IndexByte(rest, '}')
		if i < 0 || !strings.HasPrefix(at, "${") || !strings.HasSuffix(at, "}") {
			return fix{}, false
		}
		repl = rest[:i+1]
	default:
		return fix{}, false
	}
	if repl == at {
		return fix{}, false
	}
	return fix{title: "Change to " + repl, start: start, end: end, text: repl, diag: dg}, true
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

// memoizeOff inserts "memoize off" as the last statement of the step whose
// name the diagnostic is at.
func memoizeOff(dg diag.Diagnostic, f *dsl.File, text []byte) (fix, bool) {
	var step *dsl.StepDecl
	for _, it := range f.Items {
		if it.Pipeline == nil {
			continue
		}
		for _, pi := range it.Pipeline.Items {
			if sd, ok := pi.Stmt.(*dsl.StepDecl); ok && sd.Name != nil && sd.Name.Pos.Offset == dg.Range.Start.Offset {
				step = sd
			}
		}
	}
	if step == nil || len(step.Items) == 0 {
		return fix{}, false
	}
	closing := step.EndPos.Offset - 1 // the step's "}"
	if closing < 0 || closing >= len(text) || text[closing] != '}' {
		return fix{}, false
	}
	lineStart := bytes.LastIndexByte(text[:closing], '\n') + 1
	title := "Add memoize off to step " + step.Name.Name
	if strings.TrimSpace(string(text[lineStart:closing])) != "" || lineStart <= step.Pos.Offset {
		// A body on one line: step x { run [...] } → { run [...] memoize off }
		return fix{title: title, start: closing, end: closing, text: "memoize off ", diag: dg}, true
	}
	indent := string(text[lineStart:closing])
	return fix{title: title, start: lineStart, end: lineStart, text: indent + "  memoize off\n", diag: dg}, true
}
