package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

type codeAction struct {
	Title string `json:"title"`
	Kind  string `json:"kind"`
	Edit  struct {
		Changes map[string][]struct {
			Range   lspRange `json:"range"`
			NewText string   `json:"newText"`
		} `json:"changes"`
	} `json:"edit"`
}

// applyActions applies the first edit of the action titled title.
func applyAction(t *testing.T, text string, m *mapper, actions []codeAction, title string) string {
	t.Helper()
	for _, a := range actions {
		if a.Title != title {
			continue
		}
		if a.Kind != "quickfix" {
			t.Errorf("%q: kind %q", title, a.Kind)
		}
		for _, edits := range a.Edit.Changes {
			e := edits[0]
			start := m.offset(toProto(e.Range.Start))
			end := m.offset(toProto(e.Range.End))
			return text[:start] + e.NewText + text[end:]
		}
	}
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	t.Fatalf("no action %q among %q", title, titles)
	return ""
}

func TestQuickFixes(t *testing.T) {
	c := newClient(t, "testdata/broken.txtar", false, Options{})
	c.open("broken.pipe")
	c.waitDiags("broken.pipe", 1)
	text := c.files["broken.pipe"]
	whole := map[string]any{"textDocument": map[string]any{"uri": c.uri("broken.pipe")},
		"range": lspRange{lspPos{0, 0}, c.posAt(text, len(text))}, "context": map[string]any{"diagnostics": []any{}}}
	var actions []codeAction
	c.mustCall("textDocument/codeAction", whole, &actions)
	m := newMapper([]byte(text), false)
	fixed := applyAction(t, text, m, actions, "Change to run")
	if !strings.Contains(fixed, `    run ["echo"]`) {
		t.Errorf("after the fix:\n%s", fixed)
	}
	fixed = applyAction(t, text, m, actions, "Change to ${greeting}")
	if !strings.Contains(fixed, `🎉 ${greeting}"]`) {
		t.Errorf("after the fix:\n%s", fixed)
	}
	// Only the fixes at the requested range.
	at := map[string]any{"textDocument": whole["textDocument"], "range": c.rangeOf("broken.pipe", "runn"), "context": whole["context"]}
	c.mustCall("textDocument/codeAction", at, &actions)
	if len(actions) != 1 || actions[0].Title != "Change to run" {
		t.Errorf("actions at runn: %+v", actions)
	}
}

func TestQuickFixMemoizeOff(t *testing.T) {
	c := newClient(t, "testdata/broken.txtar", false, Options{})
	for i, tc := range []struct{ src, want string }{
		{"pipeline p {\n  image \"alpine\"\n  step s {\n    retry 2 when \"lastRetry.exitCode == 1\"\n    run [\"true\"]\n  }\n}\n",
			"    run [\"true\"]\n    memoize off\n  }\n"},
		{"pipeline p {\n  image \"alpine\"\n  step s { retry 2 when \"lastRetry.exitCode == 1\" run [\"true\"] }\n}\n",
			"run [\"true\"] memoize off }\n"},
	} {
		c.files["m.pipe"] = tc.src
		if i == 0 {
			c.open("m.pipe")
		} else {
			c.change("m.pipe", 1+2*i, tc.src)
		}
		p := c.waitDiags("m.pipe", int32(1+2*i))
		if len(p.Diagnostics) == 0 || !strings.Contains(p.Diagnostics[0].Message, "add memoize off") {
			t.Fatalf("diagnostics: %+v", p.Diagnostics)
		}
		var actions []codeAction
		c.mustCall("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": c.uri("m.pipe")},
			"range": p.Diagnostics[0].Range, "context": map[string]any{"diagnostics": []any{}}}, &actions)
		fixed := applyAction(t, tc.src, newMapper([]byte(tc.src), false), actions, "Add memoize off to step s")
		if !strings.Contains(fixed, tc.want) {
			t.Errorf("after the fix:\n%s\nwant it to contain\n%s", fixed, tc.want)
		}
		// The fixed text has no warning left.
		c.change("m.pipe", 2+2*i, fixed)
		if p := c.waitDiags("m.pipe", int32(2+2*i)); len(p.Diagnostics) != 0 {
			t.Errorf("diagnostics after the fix: %+v", p.Diagnostics)
		}
	}
}

func toProto(p lspPos) protocol.Position {
	return protocol.Position{Line: uint32(p.Line), Character: uint32(p.Character)}
}
