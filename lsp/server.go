// Package lsp is pipec's language server: diagnostics, hover, completion,
// go to definition, references, rename, document symbols and formatting for
// .pipe files, over JSON-RPC with the LSP base-protocol framing. It reuses
// the compiler's parser, checker and resolved model; it resolves no names of
// its own.
package lsp

import (
	"context"
	"errors"
	"io"
	"log"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/pipec/pipec/compiler"
)

// Options tune a server.
type Options struct {
	// Debounce is how long the server waits after a change before compiling
	// (later changes restart the wait). Zero means DefaultDebounce; a negative
	// value compiles at once.
	Debounce time.Duration
	// Log receives a copy of the server's log (which always goes to the
	// client as window/logMessage); nil sends it nowhere else. It must not
	// be the protocol stream (stdout).
	Log io.Writer
	// Base gives the text of files that are not open; nil reads the disk.
	Base compiler.Sources
	// Version is reported to the client in serverInfo.
	Version string

	// fastFrom is the document size from which hover and completion after
	// an edit answer from the last checked state (atFast): 0 means
	// defaultFastFrom, negative always (tests).
	fastFrom int
}

// DefaultDebounce is the wait after a change before diagnostics are computed.
const DefaultDebounce = 30 * time.Millisecond

// Server is one language-server session.
type Server struct {
	protocol.UnimplementedServer

	opts   Options
	logger logger
	conn   jsonrpc2.Conn

	mu          sync.Mutex
	docs        map[uri.URI]*document
	seq         int64 // increases at every change of any document
	semSeq      int64 // the last semantic tokens result id
	utf8        bool  // positions count bytes instead of UTF-16 units
	folders     []string
	initialized bool
	shutdown    bool
	exited      chan struct{}
	exitOnce    sync.Once
	bg          sync.WaitGroup // background compiles
	vbg         sync.WaitGroup // background validations and indexing; see Serve
	reqs        sync.WaitGroup // requests being answered, but shutdown and exit
	closing     bool
}

// NewServer makes a server; Serve runs it.
func NewServer(opts Options) *Server {
	if opts.Debounce == 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Base == nil {
		opts.Base = compiler.DiskSources{}
	}
	s := &Server{
		opts:   opts,
		docs:   map[uri.URI]*document{},
		exited: make(chan struct{}),
	}
	if opts.Log != nil {
		s.logger.out = log.New(opts.Log, "pipec lsp: ", log.Ltime|log.Lmicroseconds)
	}
	return s
}

// Serve runs the server on a byte stream (for `pipec lsp`, standard input
// and output) until the client sends exit or closes the stream. It returns
// nil after shutdown and exit, and an error otherwise (the process should
// then exit with status 1, as the protocol asks).
func (s *Server) Serve(ctx context.Context, rwc io.ReadWriteCloser) error {
	stream := newStream(rwc, s.logf)
	s.conn = jsonrpc2.NewConn(stream, jsonrpc2.WithCodec(codec{}))
	s.startClientLog(ctx)
	s.conn.Go(ctx, s.handler())
	var err error
	exited := false
	select {
	case <-s.exited:
		exited = true
	case <-s.conn.Done():
		// The client may have sent exit and closed the stream at once: both
		// are then ready, and exit wins.
		select {
		case <-s.exited:
			exited = true
		default:
			err = s.conn.Err()
			if err == nil {
				err = errors.New("the client closed the connection without exit")
			}
		}
	case <-ctx.Done():
		err = ctx.Err()
	}
	if exited {
		s.mu.Lock()
		if !s.shutdown {
			err = errors.New("exit without shutdown")
		}
		s.mu.Unlock()
	}
	s.stopClientLog()
	s.mu.Lock()
	s.closing = true
	for _, d := range s.docs {
		s.stopTimerLocked(d)
	}
	s.mu.Unlock()
	closed := make(chan struct{})
	go func() { s.conn.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Second): // a reader blocked on a terminal
	}
	s.bg.Wait()
	// Validations and indexing (s.vbg) are not waited for: they only
	// compute, and their results are dropped once the server is closing, so
	// that exit is not held up by Argo's validator on a large document.
	return err
}

// handler is the JSON-RPC handler: cancellation, per-request panic recovery,
// lifecycle checks, then the typed LSP dispatch. Requests are read in order;
// a request releases the read loop (jsonrpc2.Async) once it has taken the
// snapshot it works on, so document changes are applied in order and a slow
// request never blocks the next change.
func (s *Server) handler() jsonrpc2.Handler {
	// protocol.CancelHandler is not used: it derives a context from the
	// pooled request context, whose cancellation goroutine can outlive the
	// request and panic. Requests here are short; $/cancelRequest is
	// accepted and ignored.
	typed := protocol.ServerHandler(s, nil)
	return func(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
		method := strings.Clone(req.Method())
		isCall := req.IsCall()
		if isCall && method != protocol.MethodShutdown {
			// Added on the read loop, before the next message is read, so
			// Shutdown (which runs there too) sees every earlier request.
			s.reqs.Add(1)
			defer s.reqs.Done()
		}
		defer func() {
			if r := recover(); r != nil {
				s.logf(levelError, "panic in %s: %v\n%s", method, r, debug.Stack())
				result, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", method, r)
			}
			if !isCall {
				if err != nil {
					s.logf(levelWarning, "notification %s: %v", method, err)
				}
				result, err = nil, nil // a failed notification must not end the session
			}
		}()
		s.mu.Lock()
		initialized, shutdown := s.initialized, s.shutdown
		s.mu.Unlock()
		switch {
		case method == protocol.MethodCancelRequest || strings.HasPrefix(method, "$/") && !isCall:
			return nil, nil
		case method == protocol.MethodExit:
		case !initialized && method != protocol.MethodInitialize:
			if isCall {
				return nil, jsonrpc2.NewError(-32002, "the server is not initialized")
			}
			return nil, nil
		case initialized && method == protocol.MethodInitialize:
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize was already called")
		case shutdown:
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down")
		}
		return typed(ctx, req)
	}
}

// Request answers methods the server does not know.
func (s *Server) Request(_ context.Context, method string, _ any) (any, error) {
	return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
}

// Initialize implements protocol.Server.
func (s *Server) Initialize(_ context.Context, params *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initialized = true
	enc := protocol.PositionEncodingKindUTF16
	if g := params.Capabilities.General; g != nil {
		for _, e := range g.PositionEncodings {
			if e == protocol.PositionEncodingKindUTF8 {
				enc, s.utf8 = e, true
			}
		}
	}
	if folders, ok := params.WorkspaceFolders.Get(); ok {
		for _, f := range folders {
			if p := fsPath(f.URI); p != "" {
				s.folders = append(s.folders, p)
			}
		}
	}
	if len(s.folders) == 0 && params.RootURI != nil {
		if p := fsPath(*params.RootURI); p != "" {
			s.folders = append(s.folders, p)
		}
	}
	yes := true
	change := protocol.TextDocumentSyncKindIncremental
	res := &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding: enc,
			TextDocumentSync: &protocol.TextDocumentSyncOptions{OpenClose: &yes, Change: &change},
			CompletionProvider: &protocol.CompletionOptions{
				TriggerCharacters: []string{"{", ".", " ", ","},
			},
			HoverProvider:              protocol.Boolean(true),
			DefinitionProvider:         protocol.Boolean(true),
			ReferencesProvider:         protocol.Boolean(true),
			RenameProvider:             &protocol.RenameOptions{PrepareProvider: &yes},
			DocumentSymbolProvider:     protocol.Boolean(true),
			DocumentFormattingProvider: protocol.Boolean(true),
			SemanticTokensProvider:     semanticTokensOptions(),
			CodeActionProvider:         &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix}},
		},
		ServerInfo: protocol.ServerInfo{Name: "pipec"},
	}
	if s.opts.Version != "" {
		res.ServerInfo.Version = protocol.NewOptional(s.opts.Version)
	}
	s.logf(levelInfo, "initialized: position encoding %s, workspace %v", enc, s.folders)
	return res, nil
}

// Initialized implements protocol.Server.
func (s *Server) Initialized(context.Context, *protocol.InitializedParams) error { return nil }

// Shutdown implements protocol.Server. The requests before it are answered
// and pending diagnostics computed and published first, so that no result
// is lost.
func (s *Server) Shutdown(context.Context) error {
	s.reqs.Wait()
	s.mu.Lock()
	var pending []*document
	for _, d := range s.docs {
		if d.timer != nil && d.timer.Stop() {
			s.bg.Done()
			pending = append(pending, d)
		}
		d.timer = nil
	}
	s.mu.Unlock()
	for _, d := range pending {
		s.diagnose(d)
	}
	s.bg.Wait()
	// Argo's validator is not waited for (it can take long on a large
	// document): its results are dropped from now on.
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	return nil
}

// Exit implements protocol.Server.
func (s *Server) Exit(context.Context) error {
	s.exitOnce.Do(func() { close(s.exited) })
	return nil
}

// SetTrace implements protocol.Server.
func (s *Server) SetTrace(context.Context, *protocol.SetTraceParams) error { return nil }

// DidChangeConfiguration implements protocol.Server.
func (s *Server) DidChangeConfiguration(context.Context, *protocol.DidChangeConfigurationParams) error {
	return nil
}

// DidSave implements protocol.Server.
func (s *Server) DidSave(context.Context, *protocol.DidSaveTextDocumentParams) error { return nil }

func fsPath(u uri.URI) string {
	if !u.IsFile() {
		return ""
	}
	return filepath.Clean(u.FsPath())
}

// errNoDocument answers requests about documents that are not open.
func errNoDocument(u uri.URI) error {
	return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "document not open: %s", u)
}

// codec marshals messages with the protocol package's union-aware encoder.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return []byte("null"), nil
	case jsonrpc2.RawMessage:
		return v, nil
	}
	return protocol.Marshal(v)
}

func (codec) Unmarshal(data []byte, v any) error {
	if r, ok := v.(*jsonrpc2.RawMessage); ok {
		*r = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	return protocol.Unmarshal(data, v)
}
