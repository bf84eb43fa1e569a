package lsp

import (
	"testing"
	"time"
)

// TestStreamCountsResponses: the stream counts the answers it writes, one
// per call, and none for the server's notifications, so that exit can wait
// for every answer (Server.awaitAnswers). It fails if jsonrpc2 changes how
// it hands its responses to the stream (isResponse).
func TestStreamCountsResponses(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{Debounce: time.Millisecond})
	var hover any
	c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": "file:///nowhere.pipe"},
		"position":     map[string]any{"line": 0, "character": 0},
	}, &hover)
	// initialize and hover are answered; the client has their answers, so
	// the stream has written them (and counts them once Write returns).
	deadline := time.Now().Add(10 * time.Second)
	for c.srv.stream.answered.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got, calls := c.srv.stream.answered.Load(), c.srv.calls.Load(); got != calls || calls != 2 {
		t.Errorf("the stream counted %d answers of %d calls, want 2 of 2", got, calls)
	}
}
