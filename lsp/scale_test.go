package lsp

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/rogpeppe/go-internal/txtar"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/uri"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/compiler"
)

// TestCancelRequest: a request waiting for a check is cancelled by
// $/cancelRequest and answers RequestCancelled (-32800); the check goes on
// and serves the next request.
func TestCancelRequest(t *testing.T) {
	gate := make(chan struct{})
	entered := make(chan struct{}, 8)
	opts := Options{Debounce: time.Hour, beforeCheck: func() { entered <- struct{}{}; <-gate }}
	c := newClient(t, "testdata/workspace.txtar", false, opts)
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	c.open("etl.pipe")
	pos := c.pos("etl.pipe", "step extract", len("step ex"))
	id := c.calls + 1
	errc := make(chan error, 1)
	go func() { errc <- c.call("textDocument/hover", c.textDoc("etl.pipe", pos), nil) }()
	<-entered                                               // the hover waits for the check
	c.notify("$/cancelRequest", map[string]any{"id": 9999}) // no such request: ignored
	c.notify("$/cancelRequest", map[string]any{"id": id})
	err := <-errc
	var rpcErr *jsonrpc2.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != -32800 {
		t.Fatalf("cancelled hover: %v, want code -32800 (RequestCancelled)", err)
	}
	close(gate)
	var h map[string]any
	c.mustCall("textDocument/hover", c.textDoc("etl.pipe", pos), &h)
	if h == nil {
		t.Fatal("no hover after the cancelled one")
	}
	c.srv.mu.Lock()
	n := len(c.srv.inflight)
	c.srv.mu.Unlock()
	if n != 0 {
		t.Errorf("%d answered requests still registered for cancellation", n)
	}
}

// TestCancelRequestStringID: ids may be strings.
func TestCancelRequestStringID(t *testing.T) {
	s := NewServer(Options{})
	cancelled := false
	s.inflight[jsonrpc2.NewStringID("a")] = func() { cancelled = true }
	s.cancelRequest([]byte(`{"id":"b"}`))
	s.cancelRequest([]byte(`{"id":{}}`))
	s.cancelRequest([]byte(`not json`))
	if cancelled {
		t.Fatal("cancelled the wrong request")
	}
	s.cancelRequest([]byte(`{"id":"a"}`))
	if !cancelled {
		t.Fatal("not cancelled")
	}
}

// TestShutdownCancelsWaiting: shutdown answers at once although a request
// waits for a check that never ends; that request is cancelled.
func TestShutdownCancelsWaiting(t *testing.T) {
	gate := make(chan struct{})
	entered := make(chan struct{}, 8)
	opts := Options{Debounce: time.Hour, beforeCheck: func() { entered <- struct{}{}; <-gate }}
	c := newClient(t, "testdata/workspace.txtar", false, opts)
	defer close(gate)
	c.open("etl.pipe")
	errc := make(chan error, 1)
	go func() {
		errc <- c.call("textDocument/hover", c.textDoc("etl.pipe", c.pos("etl.pipe", "step extract", 6)), nil)
	}()
	<-entered
	c.mustCall("shutdown", nil, nil)
	var rpcErr *jsonrpc2.Error
	if err := <-errc; !errors.As(err, &rpcErr) || rpcErr.Code != -32800 {
		t.Fatalf("hover at shutdown: %v, want code -32800", err)
	}
}

// TestCloseReleasesMemory: once a document is closed and the background
// work for it has ended, nothing the server made of it is reachable.
func TestCloseReleasesMemory(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{Debounce: -1, fastFrom: -1})
	c.open("etl.pipe")
	c.waitDiags("etl.pipe", 1)
	c.change("etl.pipe", 2, c.files["etl.pipe"]+" ")
	var h map[string]any
	c.mustCall("textDocument/hover", c.textDoc("etl.pipe", c.pos("etl.pipe", "step extract", 6)), &h)
	c.mustCall("textDocument/semanticTokens/full", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")}}, nil)
	s := c.srv
	s.mu.Lock()
	d := s.docs[uri.URI(c.uri("etl.pipe"))]
	if d == nil || d.checked == nil {
		s.mu.Unlock()
		t.Fatal("no checked state")
	}
	wd, wc, wt := weak.Make(d), weak.Make(d.checked), weak.Make(&d.text[0])
	d = nil
	s.mu.Unlock()
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": c.uri("etl.pipe")}})
	_ = c.call("textDocument/hover", c.textDoc("etl.pipe", lspPos{}), nil) // a round trip: the close is applied
	s.bg.Wait()
	s.bgLarge.Wait()
	s.vbg.Wait()
	runtime.GC()
	runtime.GC()
	if wd.Value() != nil || wc.Value() != nil || wt.Value() != nil {
		t.Fatalf("kept after close: document %v, checked state %v, text %v", wd.Value() != nil, wc.Value() != nil, wt.Value() != nil)
	}
}

// TestLexWindowSameContext: the block context found from the tokens of
// the window lexStart gives (the statement around the cursor) is the one
// found from the whole text before the cursor, at every offset of the
// examples and test files.
func TestLexWindowSameContext(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.pipe")
	ar, err := txtar.ParseFile("testdata/workspace.txtar")
	if err != nil {
		t.Fatal(err)
	}
	srcs := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = b
	}
	for _, f := range ar.Files {
		srcs[f.Name] = f.Data
	}
	srcs["big.pipe"] = []byte(bench.Pipeline("big", 20))
	for path, src := range srcs {
		unit, _ := compiler.Load(compiler.Overlay{Files: map[string][]byte{path: src}}, []string{path})
		prog, _ := compiler.Check(unit)
		st := newCheckedState(path, nil, unit, prog)
		d := &document{path: path}
		all := lexTokens(path, src)
		k := 0 // all[:k] end at or before off
		var buf []tok
		stride := 1 + len(src)/2000 // every offset of a small file
		for off := 0; off <= len(src); off += stride {
			for k < len(all) && all[k].end <= off {
				k++
			}
			r := &request{doc: d, st: st, off: off, stOff: off}
			from, open := r.lexStart()
			// The tokens of src[:off]: those of the whole text that end
			// before off, then the rest lexed alone.
			last := 0
			if k > 0 {
				last = all[k-1].end
			}
			buf = append(append(buf[:0], all[:k]...), lexTokensFrom(path, src, last, off)...)
			full := blockContext(nil, buf)
			win := blockContext(open, lexTokensFrom(path, src, from, off))
			if full != win {
				t.Fatalf("%s at %d (window from %d): context %q from the window, %q from the start", path, off, from, win, full)
			}
		}
	}
}

// TestCompletionCappedInLargePipeline: in a pipeline of many steps the
// references offered start with what is typed, are capped, nearest steps
// first, and the list says it is incomplete.
func TestCompletionCappedInLargePipeline(t *testing.T) {
	src := bench.Pipeline("big", 300)
	dir := t.TempDir()
	archive := filepath.Join(dir, "big.txtar")
	if err := os.WriteFile(archive, []byte("-- big.pipe --\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, archive, false, Options{Debounce: -1})
	c.open("big.pipe")
	c.waitDiags("big.pipe", 1)
	i := strings.LastIndex(src, `"${date}"`) + len(`"${`)
	var l struct {
		IsIncomplete bool `json:"isIncomplete"`
		Items        []struct {
			Label string `json:"label"`
		} `json:"items"`
	}
	c.mustCall("textDocument/completion", c.textDoc("big.pipe", c.posAt(src, i)), &l)
	if !l.IsIncomplete || len(l.Items) < maxCompletionItems || len(l.Items) > maxCompletionItems+20 {
		t.Fatalf("incomplete %v, %d items; want an incomplete list of about %d", l.IsIncomplete, len(l.Items), maxCompletionItems)
	}
	labels := map[string]bool{}
	for _, it := range l.Items {
		labels[it.Label] = true
	}
	for _, want := range []string{"date", "workflow.name", "s295.rows"} {
		if !labels[want] {
			t.Errorf("completion lacks %q", want)
		}
	}
	if labels["s5.rows"] {
		t.Error("completion offers s5.rows, far from the cursor, before nearer steps")
	}
	// Typed "s1": only names that start with it.
	typed := src[:i] + "s1" + src[i+len("date"):]
	c.change("big.pipe", 2, typed)
	c.mustCall("textDocument/completion", c.textDoc("big.pipe", c.posAt(typed, i+2)), &l)
	for _, it := range l.Items {
		if !strings.HasPrefix(it.Label, "s1") {
			t.Fatalf("completion of %q offers %q", "s1", it.Label)
		}
	}
	if len(l.Items) == 0 || !l.IsIncomplete {
		t.Fatalf("completion of s1: %d items, incomplete %v", len(l.Items), l.IsIncomplete)
	}
}
