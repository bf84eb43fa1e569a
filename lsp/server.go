// Package lsp is pipec's language server: diagnostics, hover, completion,
// go to definition, references, rename, document symbols and formatting for
// .pipe files, over JSON-RPC with the LSP base-protocol framing. It reuses
// the compiler's parser, checker and resolved model; it resolves no names of
// its own.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"path/filepath"
	"runtime/debug"
	"strconv"
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

	// beforeCheck, if set, runs before each check a request waits for
	// (tests).
	beforeCheck func()

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
	bg          sync.WaitGroup // background compiles of small documents
	bgLarge     sync.WaitGroup // and of large ones (see large), which exit does not wait for
	vbg         sync.WaitGroup // background validations and indexing; see Serve
	reqs        sync.WaitGroup // requests being answered, but shutdown and exit
	answerMu    sync.Mutex
	unanswered  map[string]int // calls read and not yet answered on the wire, by id (awaitAnswers)
	closing     bool
	valCache    memCache                           // what Argo's validator accepted (see validate)
	inflight    map[jsonrpc2.ID]context.CancelFunc // requests being answered, for $/cancelRequest
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
		opts:     opts,
		docs:     map[uri.URI]*document{},
		exited:   make(chan struct{}),
		inflight: map[jsonrpc2.ID]context.CancelFunc{},
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
	stream.answered = s.answeredCall
	stream.beforeEnd = func() { s.awaitAnswers(time.Second) }
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
		s.awaitAnswers(time.Second)
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
	// Compiles of large documents (s.bgLarge), validations and indexing
	// (s.vbg) are not waited for: they only compute, and their results are
	// dropped once the server is closing, so that exit is not held up by a
	// large document.
	return err
}

// handler is the JSON-RPC handler: cancellation, per-request panic recovery,
// lifecycle checks, then the typed LSP dispatch. Requests are read in order;
// a request releases the read loop (jsonrpc2.Async) once it has taken the
// snapshot it works on, so document changes are applied in order and a slow
// request never blocks the next change, and $/cancelRequest is read while
// the request it names is being answered.
func (s *Server) handler() jsonrpc2.Handler {
	typed := protocol.ServerHandler(s, nil)
	return func(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
		method := strings.Clone(req.Method())
		isCall := req.IsCall()
		if isCall {
			s.callRead(req.ID())
		}
		if isCall && method != protocol.MethodShutdown {
			// Added on the read loop, before the next message is read, so
			// Shutdown (which runs there too) sees every earlier request.
			s.reqs.Add(1)
			defer s.reqs.Done()
		}
		var cancelled func() bool
		if isCall {
			ctx, cancelled = s.cancellable(ctx, req.ID())
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
			if isCall && cancelled() && err != nil {
				// The request gave up because it was cancelled; one that
				// finished anyway keeps its answer.
				result, err = nil, protocol.ErrRequestCancelled
			}
		}()
		s.mu.Lock()
		initialized, shutdown := s.initialized, s.shutdown
		s.mu.Unlock()
		switch {
		case method == protocol.MethodCancelRequest:
			s.cancelRequest(json.RawMessage(req.Params()))
			return nil, nil
		case strings.HasPrefix(method, "$/") && !isCall:
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

// Shutdown implements protocol.Server. It answers at once: requests still
// waiting for a check are cancelled (they answer RequestCancelled), pending
// diagnostics of small documents are computed and published first, so that
// no quick result is lost, and large documents' compiles and Argo's
// validator are not waited for (their results are dropped from now on).
func (s *Server) Shutdown(context.Context) error {
	s.mu.Lock()
	for _, cancel := range s.inflight {
		cancel()
	}
	s.mu.Unlock()
	s.reqs.Wait()
	s.mu.Lock()
	var pending []*document
	for _, d := range s.docs {
		if d.timer != nil && !s.large(d) && d.timer.Stop() {
			d.timerWG.Done()
			pending = append(pending, d)
		}
		s.stopTimerLocked(d)
	}
	s.mu.Unlock()
	for _, d := range pending {
		s.diagnose(d)
	}
	s.bg.Wait()
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	return nil
}

// awaitAnswers waits, at most for limit, until every call read has its
// answer written. jsonrpc2 writes an answer after its handler returns, and
// once its reader has failed (the client's end of input: a client that
// sends exit and closes its pipe) or the connection is closing (exit), it
// drops what is not yet written; without this wait, both when the input
// ends and on exit, an answer that Shutdown waited for (it waits for the
// handlers, not for their writes) could be lost.
func (s *Server) awaitAnswers(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		s.answerMu.Lock()
		n := len(s.unanswered)
		s.answerMu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// callRead records a call whose answer is due.
func (s *Server) callRead(id jsonrpc2.ID) {
	var b []byte
	if n, ok := id.Number(); ok {
		b = strconv.AppendInt(nil, n, 10)
	} else if str, ok := id.StringValue(); ok {
		b, _ = json.Marshal(str)
	} else {
		return
	}
	s.answerMu.Lock()
	if s.unanswered == nil {
		s.unanswered = map[string]int{}
	}
	s.unanswered[string(b)]++
	s.answerMu.Unlock()
}

// answeredCall records that the answer to the call of this id (as JSON) is
// written.
func (s *Server) answeredCall(id string) {
	s.answerMu.Lock()
	if s.unanswered[id]--; s.unanswered[id] <= 0 {
		delete(s.unanswered, id)
	}
	s.answerMu.Unlock()
}

// cancellable gives a request a context that $/cancelRequest (and
// shutdown) cancels, and reports whether it was. The context is not
// derived from the request's own (which jsonrpc2 recycles once the request
// is answered); its values, which jsonrpc2.Async needs, are.
func (s *Server) cancellable(ctx context.Context, id jsonrpc2.ID) (context.Context, func() bool) {
	cctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.inflight[id] = cancel
	s.mu.Unlock()
	done := func() bool {
		s.mu.Lock()
		delete(s.inflight, id)
		s.mu.Unlock()
		err := cctx.Err()
		cancel()
		return err != nil
	}
	return requestContext{Context: cctx, values: ctx}, done
}

// requestContext is a request's cancellable context with the values of
// jsonrpc2's request context.
type requestContext struct {
	context.Context
	values context.Context
}

func (c requestContext) Value(key any) any { return c.values.Value(key) }

// cancelRequest handles $/cancelRequest: the request it names, if it is
// still being answered, gives up where it waits and answers
// RequestCancelled (-32800).
func (s *Server) cancelRequest(params json.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(params, &p) != nil {
		return
	}
	var id jsonrpc2.ID
	var n int64
	var str string
	switch {
	case json.Unmarshal(p.ID, &n) == nil:
		id = jsonrpc2.NewNumberID(n)
	case json.Unmarshal(p.ID, &str) == nil:
		id = jsonrpc2.NewStringID(str)
	default:
		return
	}
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		s.logf(levelLog, "request %v cancelled", id)
	}
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
