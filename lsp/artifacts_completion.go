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
		// The artifacts come from the tokens of the whole document, so that
		// they are there while the statement being typed does not parse;
		// the checked model adds those of steps that use a template.
		seen := map[string]bool{}
		add := func(name, detail string) {
			if !seen[name] {
				seen[name] = true
				items = append(items, s.item(r, name, protocol.CompletionItemKindField, detail, "", from))
			}
		}
		for _, a := range artifactsAround(lexTokens(r.doc.path, r.m.src), r.off) {
			add(a, "artifact of step "+strings.SplitN(a, ".", 2)[0])
		}
		if p, cur, _ := scopeAt(r.st, r.doc.path, r.stOff); p != nil {
			for _, st := range p.Steps {
				if st == cur {
					continue
				}
				for _, a := range st.Artifacts.Outputs {
					add(st.Name+"."+a.Name, "artifact of step "+st.Name)
				}
			}
			// The input artifacts of the pipeline (or template with steps).
			for _, in := range p.InputArtifacts {
				add(in.Name, "input artifact of the pipeline")
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

// artifactsAround lists the artifacts ("step.name") that the steps of the
// pipeline block containing off declare directly in their bodies, except
// the step containing off.
func artifactsAround(toks []tok, off int) []string {
	var cur []string
	depth, step, current, blockStart, stepStart := 0, "", "", -1, -1
	done := func() []string {
		var out []string
		for _, a := range cur {
			if current == "" || !strings.HasPrefix(a, current+".") {
				out = append(out, a)
			}
		}
		return out
	}
	for i, t := range toks {
		next := ""
		if i+1 < len(toks) && toks[i+1].ident {
			next = toks[i+1].text
		}
		switch {
		case t.punct && t.text == "{":
			depth++
			if depth == 1 {
				blockStart, cur, current = t.start, nil, ""
			}
			if depth == 2 {
				stepStart = t.start
			}
		case t.punct && t.text == "}":
			if depth == 2 && step != "" && stepStart < off && off <= t.start {
				current = step
			}
			if depth == 1 && blockStart < off && off <= t.start {
				return done()
			}
			depth--
			if depth <= 1 {
				step = ""
			}
		case t.ident && t.text == "step" && depth == 1:
			step = next
		case t.ident && t.text == "artifact" && depth == 2 && step != "" && next != "":
			cur = append(cur, step+"."+next)
		}
	}
	if depth >= 1 && blockStart < off {
		return done()
	}
	return nil
}
