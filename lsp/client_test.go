package lsp

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/rogpeppe/go-internal/txtar"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/uri"
)

// client is an LSP client over an in-memory pipe with real JSON-RPC framing.
type client struct {
	t     testing.TB
	conn  jsonrpc2.Conn
	dir   string
	files map[string]string // workspace files by name
	utf8  bool
	done  chan error
	srv   *Server
	calls int64 // calls made: the next call's id is calls+1
	// exited: the test ended the session itself.
	exited bool

	mu    sync.Mutex
	diags map[string][]published // by file name, in arrival order
	cond  *sync.Cond
}

type published struct {
	Version     *int32 `json:"version"`
	Diagnostics []struct {
		Range    lspRange `json:"range"`
		Severity int      `json:"severity"`
		Message  string   `json:"message"`
	} `json:"diagnostics"`
}

type lspPos struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

type lspRange struct {
	Start lspPos `json:"start"`
	End   lspPos `json:"end"`
}

type lspLocation struct {
	URI   string   `json:"uri"`
	Range lspRange `json:"range"`
}

// newClient starts a server on a workspace read from a txtar file and
// initializes it.
func newClient(t testing.TB, archive string, utf8 bool, opts Options) *client {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := &client{t: t, dir: dir, files: map[string]string{}, utf8: utf8, diags: map[string][]published{}, done: make(chan error, 1)}
	c.cond = sync.NewCond(&c.mu)
	for _, f := range ar.Files {
		c.files[f.Name] = string(f.Data)
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	serverSide, clientSide := net.Pipe()
	if opts.Log == nil && testing.Verbose() {
		opts.Log = os.Stderr
	}
	srv := NewServer(opts)
	c.srv = srv
	go func() { c.done <- srv.Serve(context.Background(), serverSide) }()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(clientSide))
	c.conn.Go(context.Background(), func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if req.Method() == "textDocument/publishDiagnostics" {
			var p struct {
				URI string `json:"uri"`
				published
			}
			if err := json.Unmarshal(req.Params(), &p); err != nil {
				t.Errorf("bad publishDiagnostics: %v", err)
			}
			name := filepath.Base(uri.URI(p.URI).FsPath())
			c.mu.Lock()
			c.diags[name] = append(c.diags[name], p.published)
			c.cond.Broadcast()
			c.mu.Unlock()
		}
		return nil, nil
	})
	caps := map[string]any{}
	if utf8 {
		caps["general"] = map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}}
	}
	var init struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
		} `json:"capabilities"`
	}
	c.call("initialize", map[string]any{"processId": nil, "rootUri": string(uri.File(dir)), "capabilities": caps}, &init)
	want := "utf-16"
	if utf8 {
		want = "utf-8"
	}
	if init.Capabilities.PositionEncoding != want {
		t.Fatalf("position encoding %q, want %q", init.Capabilities.PositionEncoding, want)
	}
	c.notify("initialized", map[string]any{})
	t.Cleanup(c.close)
	return c
}

func (c *client) close() {
	if c.exited {
		return
	}
	c.call("shutdown", nil, nil)
	c.notify("exit", nil)
	select {
	case err := <-c.done:
		if err != nil {
			c.t.Errorf("server: %v", err)
		}
	case <-time.After(c.exitWait()):
		c.t.Errorf("server did not exit")
	}
	c.conn.Close()
}

// exitWait is how long close waits for the server to exit.
func (c *client) exitWait() time.Duration {
	if _, bench := c.t.(*testing.B); bench {
		return 5 * time.Minute
	}
	return 5 * time.Second
}

func (c *client) call(method string, params, result any) error {
	c.t.Helper()
	timeout := 10 * time.Second
	if _, bench := c.t.(*testing.B); bench {
		timeout = 5 * time.Minute // large documents on a loaded machine
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c.calls++
	var raw json.RawMessage
	_, err := c.conn.Call(ctx, method, params, &raw)
	if err == nil && result != nil {
		if err := json.Unmarshal(raw, result); err != nil {
			c.t.Fatalf("%s: decoding %s: %v", method, raw, err)
		}
	}
	return err
}

func (c *client) mustCall(method string, params, result any) {
	c.t.Helper()
	if err := c.call(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) uri(name string) string { return string(uri.File(filepath.Join(c.dir, name))) }

func (c *client) open(name string) {
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": c.uri(name), "languageId": "pipe", "version": 1, "text": c.files[name]}})
}

func (c *client) change(name string, version int, text string) {
	c.files[name] = text
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.uri(name), "version": version},
		"contentChanges": []any{map[string]any{"text": text}}})
}

// replace sends an incremental change: the text between from and to
// replaced by text (the client's copy of the file is not updated).
func (c *client) replace(name string, version int, from, to lspPos, text string) {
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.uri(name), "version": version},
		"contentChanges": []any{map[string]any{"range": lspRange{from, to}, "text": text}}})
}

// typeAt sends an incremental change: a space typed at p, or (del) the
// character at p deleted.
func (c *client) typeAt(name string, version int, p lspPos, del bool) {
	c.t.Helper()
	rng := lspRange{p, p}
	text := " "
	if del {
		rng.End.Character++
		text = ""
	}
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": c.uri(name), "version": version},
		"contentChanges": []any{map[string]any{"range": rng, "text": text}}})
}

// pos is the position of the n-th byte of the first occurrence of needle
// (plus delta bytes) in a file, in the session's encoding.
func (c *client) pos(name, needle string, delta int) lspPos {
	c.t.Helper()
	text := c.files[name]
	i := strings.Index(text, needle)
	if i < 0 {
		c.t.Fatalf("%q not in %s", needle, name)
	}
	return c.posAt(text, i+delta)
}

func (c *client) posAt(text string, off int) lspPos {
	line := strings.Count(text[:off], "\n")
	lineStart := strings.LastIndex(text[:off], "\n") + 1
	prefix := text[lineStart:off]
	if c.utf8 {
		return lspPos{line, len(prefix)}
	}
	return lspPos{line, len(utf16.Encode([]rune(prefix)))}
}

// rangeOf is the range of the first occurrence of needle in a file.
func (c *client) rangeOf(name, needle string) lspRange {
	return lspRange{c.pos(name, needle, 0), c.pos(name, needle, len(needle))}
}

// waitDiags waits for diagnostics of a given version of a file.
func (c *client) waitDiags(name string, version int32) published {
	c.t.Helper()
	return c.waitDiagsN(name, version, 1)
}

// waitDiagsN waits for the n-th publication of a version (the server
// publishes once after checking and again after Argo's validator).
func (c *client) waitDiagsN(name string, version int32, n int) published {
	c.t.Helper()
	deadline := time.Now().Add(c.exitWait() * 12)
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		seen := 0
		for _, p := range c.diags[name] {
			if p.Version != nil && *p.Version == version {
				if seen++; seen == n {
					return p
				}
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no diagnostics for %s version %d (got %d sets)", name, version, len(c.diags[name]))
		}
		go func() { time.Sleep(10 * time.Millisecond); c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() }()
		c.cond.Wait()
	}
}

func (c *client) textDoc(name string, p lspPos) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": c.uri(name)}, "position": p}
}
