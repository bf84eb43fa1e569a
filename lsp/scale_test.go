package lsp

import (
	"errors"
	"runtime"
	"testing"
	"time"
	"weak"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/uri"
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
