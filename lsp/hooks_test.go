package lsp

import (
	"strings"
	"testing"
)

// Lifecycle hooks: hover, definition and document symbols know them.
func TestHooks(t *testing.T) {
	c := newClient(t, "testdata/hooks.txtar", false, Options{})
	c.open("hooks.pipe")
	var h hoverResult
	c.mustCall("textDocument/hover", c.textDoc("hooks.pipe", c.pos("hooks.pipe", "build-exit {", 1)), &h)
	for _, w := range []string{"**on exit step** `build-exit`, a hook of step `build`", "command: `echo ${build.version}`"} {
		if !strings.Contains(h.Contents.Value, w) {
			t.Errorf("hover of the hook: %q lacks %q", h.Contents.Value, w)
		}
	}
	c.mustCall("textDocument/hover", c.textDoc("hooks.pipe", c.pos("hooks.pipe", "announce {", 1)), &h)
	if !strings.Contains(h.Contents.Value, "**on running step** `announce`") {
		t.Errorf("hover of the workflow hook: %q", h.Contents.Value)
	}
	// Definition: ${build.version} in the hook goes to build's output.
	var loc lspLocation
	c.mustCall("textDocument/definition", c.textDoc("hooks.pipe", c.pos("hooks.pipe", "${build.version}", 9)), &loc)
	if want := c.pos("hooks.pipe", "version = file", 0); loc.Range.Start != want {
		t.Errorf("definition of ${build.version}: %+v, want %+v", loc.Range, want)
	}
	type symbol struct {
		Name     string   `json:"name"`
		Detail   string   `json:"detail"`
		Children []symbol `json:"children"`
	}
	var syms []symbol
	c.mustCall("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": c.uri("hooks.pipe")}}, &syms)
	var flat []string
	var walk func(prefix string, ss []symbol)
	walk = func(prefix string, ss []symbol) {
		for _, s := range ss {
			flat = append(flat, prefix+s.Name+"("+s.Detail+")")
			walk(prefix+s.Name+"/", s.Children)
		}
	}
	walk("", syms)
	want := "hooked(pipeline) hooked/announce(on running step) hooked/build(step) hooked/build/version(output) hooked/build/build-exit(on exit step)"
	if got := strings.Join(flat, " "); got != want {
		t.Errorf("symbols:\n%s\nwant:\n%s", got, want)
	}
}
