package lsp

import (
	"testing"
	"time"
)

// TestResponseID: the ids of answers, and nothing for requests,
// notifications and answers with a null id (the errors of malformed input).
func TestResponseID(t *testing.T) {
	for _, tc := range []struct {
		msg, id string
		ok      bool
	}{
		{`{"jsonrpc":"2.0","id":4,"result":{"data":[1]}}`, `4`, true},
		{`{"jsonrpc":"2.0","id":"a\"b","error":{"code":-32800}}`, `"a\"b"`, true},
		{`{"jsonrpc":"2.0","id":null,"error":{"code":-32700}}`, ``, false},
		{`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"id":1,"result":2}}`, ``, false},
		{`{"jsonrpc":"2.0","id":7,"method":"client/registerCapability","params":{}}`, ``, false},
		{`not json`, ``, false},
	} {
		id, ok := responseID([]byte(tc.msg))
		if id != tc.id || ok != tc.ok {
			t.Errorf("responseID(%s) = %q, %v; want %q, %v", tc.msg, id, ok, tc.id, tc.ok)
		}
	}
}

// TestAnswersTracked: every call the server reads is due until its answer
// is written (what exit waits for, Server.awaitAnswers). It fails if
// jsonrpc2 changes how it hands its answers to the stream.
func TestAnswersTracked(t *testing.T) {
	c := newClient(t, "testdata/workspace.txtar", false, Options{Debounce: time.Millisecond})
	var hover any
	c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": "file:///nowhere.pipe"},
		"position":     map[string]any{"line": 0, "character": 0},
	}, &hover)
	// The client has both answers; the stream records each once its write
	// returns.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.srv.answerMu.Lock()
		due := len(c.srv.unanswered)
		c.srv.answerMu.Unlock()
		if due == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls still due after their answers were read", due)
		}
		time.Sleep(time.Millisecond)
	}
}
