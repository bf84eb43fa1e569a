package lsp

import (
	"strings"

	"go.lsp.dev/protocol"

	"github.com/pipec/pipec/compiler"
)

// artifactItems completes an input or artifact statement: after from, the
// artifacts of the pipeline's other steps and the location kinds; after to,
// the location kinds; after archive, the archive kinds; after gc, the
// strategies; elsewhere after the path, the statement's options.
func (s *Server) artifactItems(r *request, line []tok, from int) []protocol.CompletionItem {
	items := []protocol.CompletionItem{}
	kw := func(words ...string) {
		for _, w := range words {
			items = append(items, s.item(r, w, protocol.CompletionItemKindKeyword, "keyword", keywordDocs[w], from))
		}
	}
	locations := func(output bool) {
		for _, k := range compiler.LocationKinds() {
			if output && (k == "git" || k == "raw") {
				continue
			}
			items = append(items, s.item(r, k, protocol.CompletionItemKindModule, "artifact location", "", from))
		}
	}
	last := line[len(line)-1].text
	switch {
	case last == "from":
		p, cur, _ := scopeAt(r.st, r.doc.path, r.off)
		if p != nil {
			for _, st := range p.Steps {
				if st == cur {
					continue
				}
				for _, a := range st.Artifacts.Outputs {
					items = append(items, s.item(r, st.Name+"."+a.Name, protocol.CompletionItemKindField, "artifact of step "+st.Name, "", from))
				}
			}
		}
		locations(false)
	case last == "to":
		locations(true)
	case last == "archive":
		kw("none", "tar", "zip")
	case last == "gc":
		for _, w := range []string{"on_completion", "on_deletion", "never"} {
			items = append(items, s.item(r, w, protocol.CompletionItemKindEnumMember, "gc strategy", "", from))
		}
	case len(line) >= 4 && line[0].text == "input":
		kw("from", "optional", "mode", "sub_path")
	case len(line) >= 4:
		kw("to", "archive", "optional", "global", "gc")
	}
	return items
}

// describeArtifacts adds a step's artifacts to its hover.
func describeArtifacts(line func(k, v string), st *compiler.Step) {
	var ins, outs []string
	for _, a := range st.Artifacts.Inputs {
		s := "`" + a.Name + "` at `" + a.Path + "`"
		switch {
		case a.From != nil && a.FromArtifact != nil:
			s += " from `" + a.From.Name + "." + a.FromArtifact.Name + "`"
		case a.Location != nil:
			s += " from " + a.Location.Kind
		}
		ins = append(ins, s)
	}
	for _, a := range st.Artifacts.Outputs {
		s := "`" + a.Name + "` at `" + a.Path + "`"
		if a.Location != nil {
			s += " to " + a.Location.Kind
		}
		outs = append(outs, s)
	}
	if len(ins) > 0 {
		line("input artifacts", strings.Join(ins, ", "))
	}
	if len(outs) > 0 {
		line("artifacts", strings.Join(outs, ", "))
	}
}
