package lsp

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// document is an open text document.
type document struct {
	uri     uri.URI
	path    string // cleaned file path: the compiler's name for it
	version int32
	seq     int64 // the server's change counter at the last change
	text    []byte
	sem     *semState // the last semantic tokens sent, for deltas
	// wantsSem: the client asked for semantic tokens, so each checked state's
	// AST facts are computed in the background too.
	wantsSem bool
	// The last diagnostics published and the text they are of, for quick
	// fixes.
	lastDiags diag.Diagnostics
	lastText  []byte
	// The diagnostics of the last published compile that did not come
	// from loading (the checker's, the lowering's), and the text they are
	// of: a large document's syntax errors are published as soon as it is
	// parsed, with these carried over (see publishEarlyLocked).
	checkDiags diag.Diagnostics
	checkText  []byte
	// The last parse of the document that had no diagnostic in it, with
	// the unit it was loaded in and the snapshot's seqs, for the first
	// pass of the next change (see publishRegionEarly); early is the seq
	// of the last first pass published.
	clean     *dsl.File
	cleanUnit *compiler.Unit
	cleanSeqs map[string]int64
	cleanLoad diag.Diagnostics
	early     int64

	// Diagnostics: one compile at a time per document; a change while it
	// runs asks for another, and the stale result is dropped.
	timer     *time.Timer
	timerWG   *sync.WaitGroup // the one timer's compile counts in
	compiling bool
	again     bool
	published int64 // seq of the last published diagnostics
	deps      map[string]bool

	validating     bool
	nextValidation *validation

	// The latest checked state, for features, and the latest whose index
	// is built (requests answer from it while a newer one is indexed).
	checked *checkedState
	indexed *checkedState
	// pending is the check requests of the current text wait for (one at a
	// time per document, shared by every request that needs it).
	pending *pendingCheck
	// m maps positions of text (built on demand; nil after a change); diff
	// is how text differs from diffFrom's, once computed.
	m        *mapper
	diffFrom *checkedState
	diff     textEdit
}

// mapperLocked is the mapper of the document's current text.
func (d *document) mapperLocked(utf8 bool) *mapper {
	if d.m == nil {
		d.m = newMapper(d.text, utf8)
	}
	return d.m
}

// editSinceLocked is how the current text differs from a checked state's.
func (d *document) editSinceLocked(c *checkedState) textEdit {
	if d.diffFrom != c {
		d.diffFrom, d.diff = c, diffTexts(c.source(), d.text)
	}
	return d.diff
}

// pendingCheck is a parse and check of a snapshot under way; done is
// closed when c is set.
type pendingCheck struct {
	sn   *snapshot
	done chan struct{}
	c    *checkedState
}

// checkedState is what the compiler made of a consistent snapshot of the
// open documents.
type checkedState struct {
	path string           // the document's
	seqs map[string]int64 // open documents' seq by path, at the snapshot
	unit *compiler.Unit
	prog *compiler.Program
	res  *compiler.Result // set when it came from a full compile

	idxOnce  sync.Once
	idxReady chan struct{} // closed once idx is set
	idx      *index

	mOnce sync.Once
	m     *mapper // of source()

	factsOnce sync.Once
	facts     *astFacts // for semantic tokens

	docsOnce sync.Once
	docs     map[*dsl.OutputStmt]string // see outputDocs

	usersOnce sync.Once
	usersOf   map[*compiler.Step][]*compiler.Step // see users
}

func newCheckedState(path string, seqs map[string]int64, unit *compiler.Unit, prog *compiler.Program) *checkedState {
	return &checkedState{path: path, seqs: seqs, unit: unit, prog: prog, idxReady: make(chan struct{})}
}

// source is the text of the document the state was checked on.
func (c *checkedState) source() []byte {
	if f := c.unit.Files[c.path]; f != nil {
		return f.Source
	}
	return nil
}

// mapper maps positions of source().
func (c *checkedState) mapper(utf8 bool) *mapper {
	c.mOnce.Do(func() { c.m = newMapper(c.source(), utf8) })
	return c.m
}

// index builds the state's index (once) and returns it.
func (c *checkedState) index() *index {
	c.idxOnce.Do(func() {
		defer close(c.idxReady)
		defer func() {
			if r := recover(); r != nil {
				c.idx = &index{} // answered as "nothing here"; logged by the caller's recover
				panic(r)
			}
		}()
		c.idx = buildIndex(c.unit, c.prog)
	})
	return c.idx
}

// indexed reports whether the index is built.
func (c *checkedState) indexed() bool {
	select {
	case <-c.idxReady:
		return true
	default:
		return false
	}
}

// indexCtx is index, but gives up when ctx is done (the index is built
// on regardless, for the next request).
func (c *checkedState) indexCtx(ctx context.Context) (*index, error) {
	if c.indexed() {
		return c.idx, nil
	}
	go func() {
		defer func() { _ = recover() }()
		c.index()
	}()
	select {
	case <-c.idxReady:
		return c.idx, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// astFacts is what the document's AST says about its tokens (semantic
// tokens), computed once.
func (c *checkedState) astFacts() *astFacts {
	c.factsOnce.Do(func() { c.facts = collectFacts(c.unit.Files[c.path]) })
	return c.facts
}

// snapshot is the open documents at one moment.
type snapshot struct {
	files map[string][]byte
	seqs  map[string]int64
	utf8  bool
}

func (s *Server) snapshotLocked() *snapshot {
	sn := &snapshot{files: map[string][]byte{}, seqs: map[string]int64{}, utf8: s.utf8}
	for _, d := range s.docs {
		sn.files[d.path] = d.text
		sn.seqs[d.path] = d.seq
	}
	return sn
}

func (sn *snapshot) sources(base compiler.Sources) compiler.Sources {
	return compiler.Overlay{Files: sn.files, Base: base}
}

// currentLocked reports whether a result computed from snapshot seqs still
// describes the open documents it read.
func (s *Server) currentLocked(seqs map[string]int64, unit *compiler.Unit) bool {
	for _, d := range s.docs {
		if _, used := unit.Files[d.path]; !used {
			continue
		}
		if seqs[d.path] != d.seq {
			return false
		}
	}
	return true
}

// DidOpen implements protocol.Server.
func (s *Server) DidOpen(_ context.Context, p *protocol.DidOpenTextDocumentParams) error {
	path := fsPath(p.TextDocument.URI)
	if path == "" {
		s.logf(levelLog, "ignoring non-file document %s", p.TextDocument.URI)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	d := &document{uri: p.TextDocument.URI, path: path, version: p.TextDocument.Version, seq: s.seq, text: []byte(p.TextDocument.Text)}
	s.docs[d.uri] = d
	s.changedLocked(d)
	return nil
}

// DidChange implements protocol.Server. Changes are applied in the order
// they arrive; a change whose version is not newer than the document's is
// dropped, so an older edit never overwrites a later one.
func (s *Server) DidChange(_ context.Context, p *protocol.DidChangeTextDocumentParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return errNoDocument(p.TextDocument.URI)
	}
	if p.TextDocument.Version <= d.version {
		s.logf(levelLog, "%s: dropping change to version %d: already at version %d", d.path, p.TextDocument.Version, d.version)
		return nil
	}
	text, m := d.text, d.m
	for _, ch := range p.ContentChanges {
		switch ch := ch.(type) {
		case *protocol.TextDocumentContentChangeWholeDocument:
			text, m = []byte(ch.Text), nil
		case *protocol.TextDocumentContentChangePartial:
			if m == nil {
				m = newMapper(text, s.utf8)
			}
			start, end := m.offset(ch.Range.Start), m.offset(ch.Range.End)
			if end < start {
				start, end = end, start
			}
			next := make([]byte, 0, len(text)-(end-start)+len(ch.Text))
			next = append(append(append(next, text[:start]...), ch.Text...), text[end:]...)
			text, m = next, m.edited(next, start, end, ch.Text)
		}
	}
	s.seq++
	d.text, d.version, d.seq = text, p.TextDocument.Version, s.seq
	d.m, d.diffFrom, d.pending = m, nil, nil
	s.changedLocked(d)
	return nil
}

// DidClose implements protocol.Server.
func (s *Server) DidClose(ctx context.Context, p *protocol.DidCloseTextDocumentParams) error {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		s.mu.Unlock()
		return errNoDocument(p.TextDocument.URI)
	}
	s.stopTimerLocked(d)
	delete(s.docs, d.uri)
	// Drop what the document holds; what is still being computed for it is
	// dropped when it finishes (the document is no longer open).
	big := len(d.text) > 1<<20
	d.checked, d.indexed, d.pending, d.sem, d.lastDiags, d.lastText = nil, nil, nil, nil, nil, nil
	d.checkDiags, d.checkText, d.clean, d.cleanUnit, d.cleanSeqs, d.cleanLoad = nil, nil, nil, nil, nil, nil
	d.text, d.m, d.diffFrom = nil, nil, nil
	s.seq++
	d.seq = s.seq // in-flight results for it are stale now
	d.published = s.seq
	for _, o := range s.docs { // files that import it now read it from disk
		if o.deps[d.path] {
			s.scheduleLocked(o)
		}
	}
	s.mu.Unlock()
	if big {
		// A large document's memory (its checked model is many times its
		// size) goes back to the system now rather than at the GC's leisure.
		go debug.FreeOSMemory()
	}
	return s.conn.Notify(ctx, protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{URI: d.uri, Diagnostics: []protocol.Diagnostic{}})
}

// changedLocked schedules diagnostics for a changed document and for every
// open document that imports it.
func (s *Server) changedLocked(d *document) {
	s.scheduleLocked(d)
	for _, o := range s.docs {
		if o != d && o.deps[d.path] {
			s.scheduleLocked(o)
		}
	}
}

func (s *Server) scheduleLocked(d *document) {
	if s.closing || s.shutdown {
		return
	}
	s.stopTimerLocked(d)
	wg := &s.bg
	if s.large(d) {
		wg = &s.bgLarge
	}
	wg.Add(1)
	run := func() {
		defer wg.Done()
		s.publishRegionEarly(d)
		s.diagnose(d)
	}
	if s.opts.Debounce < 0 {
		go run()
		return
	}
	d.timer, d.timerWG = time.AfterFunc(s.opts.Debounce, run), wg
}

// large reports whether a document is large enough that requests answer
// from its last checked state (see atFast) and that shutdown and exit do
// not wait for its compiles.
func (s *Server) large(d *document) bool {
	from := s.opts.fastFrom
	if from == 0 {
		from = defaultFastFrom
	}
	return from > 0 && len(d.text) >= from
}

// stopTimerLocked cancels a pending compile; a stopped timer never runs its
// function, so its share of the WaitGroup is released here.
func (s *Server) stopTimerLocked(d *document) {
	if d.timer != nil && d.timer.Stop() {
		d.timerWG.Done()
	}
	d.timer, d.timerWG = nil, nil
}

// diagnose compiles d (parse, check, lower and Argo's validator) and
// publishes its diagnostics, unless a later change made the result stale.
func (s *Server) diagnose(d *document) {
	s.mu.Lock()
	if s.docs[d.uri] != d || s.closing {
		s.mu.Unlock()
		return
	}
	if d.compiling {
		d.again = true
		s.mu.Unlock()
		return
	}
	d.compiling = true
	for {
		sn := s.snapshotLocked()
		s.mu.Unlock()
		// Fast pass: parse, check and lower, published at once; a later
		// change stops it between phases (its result would be dropped).
		var loadDiags diag.Diagnostics
		loaded := func(unit *compiler.Unit, ds diag.Diagnostics) {
			loadDiags = ds
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.large(d) {
				s.noteParsedLocked(d, sn, unit, ds)
				s.publishEarlyLocked(d, sn, unit, ds)
			}
		}
		res := s.compile(sn, d.path, loaded, func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.closing || s.shutdown || s.docs[d.uri] != d || d.seq != sn.seqs[d.path]
		})
		s.mu.Lock()
		current := s.publishLocked(d, sn, res, res.Diags, false)
		if current {
			d.checkDiags, d.checkText = without(res.Diags, loadDiags), sn.files[d.path]
		}
		// Slow pass: Argo's validator, in the background so that it never
		// delays the next fast pass; one at a time per document, and a stale
		// one is abandoned between pipelines and its result dropped.
		if current && len(res.Outputs) > 0 && !s.closing {
			job := &validation{sn: sn, res: res}
			if d.validating {
				d.nextValidation = job
			} else {
				d.validating = true
				s.vbg.Add(1)
				go s.validateLoop(d, job)
			}
		}
		if !d.again || s.closing {
			d.compiling = false
			s.mu.Unlock()
			return
		}
		d.again = false
	}
}

// publishLocked publishes diagnostics computed from a snapshot, unless a
// later change made them stale. Publishing under the lock keeps results in
// the order of the changes.
func (s *Server) publishLocked(d *document, sn *snapshot, res *compiler.Result, ds diag.Diagnostics, again bool) bool {
	if s.docs[d.uri] != d || s.closing || s.shutdown || !s.currentLocked(sn.seqs, res.Unit) {
		return false
	}
	seq := sn.seqs[d.path]
	if seq < d.published || seq == d.published && !again {
		return false
	}
	d.published = seq
	d.deps = map[string]bool{}
	for p := range res.Unit.Files {
		d.deps[p] = true
	}
	if d.checked == nil || d.checked.seqs[d.path] < seq {
		c := newCheckedState(d.path, sn.seqs, res.Unit, res.Program)
		c.res = res
		s.setCheckedLocked(d, c)
	}
	d.lastDiags, d.lastText = ds, sn.files[d.path]
	params := &protocol.PublishDiagnosticsParams{URI: d.uri, Version: protocol.NewOptional(d.version),
		Diagnostics: toDiagnostics(ds, d.path, newMapper(sn.files[d.path], sn.utf8))}
	if err := s.conn.Notify(context.Background(), protocol.MethodTextDocumentPublishDiagnostics, params); err != nil {
		s.logf(levelWarning, "publishing diagnostics: %v", err)
	}
	return true
}

// setCheckedLocked makes c the document's latest checked state and indexes
// it in the background, so that the requests after the next edit can
// answer from it at once (see atFast); until then they answer from the
// last indexed state.
func (s *Server) setCheckedLocked(d *document, c *checkedState) {
	d.checked = c
	if c.indexed() {
		s.noteIndexedLocked(d, c)
		return
	}
	s.vbg.Add(1)
	go func() {
		defer s.vbg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.logf(levelError, "panic indexing %s: %v\n%s", d.path, r, debug.Stack())
			}
		}()
		start := time.Now()
		c.index()
		c.mapper(s.utf8) // and what requests from it use
		c.users()
		s.logf(levelLog, "indexed %s in %v", filepath.Base(d.path), time.Since(start).Round(time.Microsecond))
		s.mu.Lock()
		s.noteIndexedLocked(d, c)
		sem := d.wantsSem && s.docs[d.uri] == d
		s.mu.Unlock()
		if sem {
			c.astFacts()
		}
	}()
}

// noteIndexedLocked records that c's index is built.
func (s *Server) noteIndexedLocked(d *document, c *checkedState) {
	if s.docs[d.uri] != d {
		return // closed: keep nothing
	}
	if d.indexed == nil || d.indexed.seqs[d.path] < c.seqs[d.path] {
		d.indexed = c
	}
}

var validateMu sync.Mutex

type validation struct {
	sn  *snapshot
	res *compiler.Result
}

func (s *Server) validateLoop(d *document, job *validation) {
	defer s.vbg.Done()
	for job != nil {
		all, stale := append(diag.Diagnostics(nil), job.res.Diags...), false
		isStale := func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.closing || s.shutdown || s.docs[d.uri] != d || !s.currentLocked(job.sn.seqs, job.res.Unit)
		}
		for _, out := range job.res.Outputs {
			if stale = isStale(); stale {
				break
			}
			all = append(all, s.validate(out, isStale)...)
		}
		stale = stale || isStale()
		s.mu.Lock()
		if !stale && !s.shutdown {
			s.publishLocked(d, job.sn, job.res, all.Sort(), true)
		}
		job, d.nextValidation = d.nextValidation, nil
		if job == nil || s.closing {
			d.validating = false
			job = nil
		}
		s.mu.Unlock()
	}
}

// validate runs Argo's validator on one pipeline. It remembers what the
// validator accepted (s.valCache), so that after an edit only the parts of
// a large pipeline that changed are validated again; a validation that
// became stale (stale()) stops at its next part, and its result, which the
// caller drops, is then incomplete.
func (s *Server) validate(out *compiler.Output, stale func() bool) (ds diag.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			s.logf(levelError, "panic in Argo's validator: %v", r)
		}
	}()
	// Argo's validator uses global state: one validation at a time.
	validateMu.Lock()
	defer validateMu.Unlock()
	start := time.Now()
	ds = compiler.ValidateCached(out.Object, &staleCache{cache: &s.valCache, stale: stale}, nil)
	s.logf(levelLog, "validated %s in %v", out.Pipeline.Name, time.Since(start).Round(time.Microsecond))
	return ds
}

func (s *Server) compile(sn *snapshot, path string, loaded func(*compiler.Unit, diag.Diagnostics), stale func() bool) (res *compiler.Result) {
	defer func() {
		if r := recover(); r != nil {
			s.logf(levelError, "panic compiling %s: %v", path, r)
			res = &compiler.Result{Unit: &compiler.Unit{Files: map[string]*dsl.File{}}, Program: &compiler.Program{}}
			res.Diags.Errorf(diag.Range{Filename: path}, "internal error in pipec: %v", r)
		}
	}()
	start := time.Now()
	res = compiler.Compile(sn.sources(s.opts.Base), []string{path}, compiler.Options{SkipValidate: true, SkipEmit: true, Loaded: loaded, Cancelled: stale})
	s.logf(levelLog, "compiled %s in %v: %d diagnostics", filepath.Base(path), time.Since(start).Round(time.Microsecond), len(res.Diags))
	return res
}

// check parses and checks the current text of a document (no lowering or
// validation), reusing the latest result when nothing it read has changed.
func (s *Server) check(ctx context.Context, u uri.URI) (*document, *checkedState, *mapper, error) {
	return s.checkDoc(ctx, u, true)
}

func (s *Server) checkDoc(ctx context.Context, u uri.URI, async bool) (*document, *checkedState, *mapper, error) {
	s.mu.Lock()
	d := s.docs[u]
	if d == nil {
		s.mu.Unlock()
		return nil, nil, nil, errNoDocument(u)
	}
	if c := d.checked; c != nil && s.currentLocked(c.seqs, c.unit) && c.seqs[d.path] == d.seq {
		m := d.mapperLocked(s.utf8)
		s.mu.Unlock()
		if async {
			jsonrpc2.Async(ctx)
		}
		return d, c, m, nil
	}
	pc := d.pending
	if pc == nil || !s.snapshotCurrentLocked(pc.sn) {
		pc = &pendingCheck{sn: s.snapshotLocked(), done: make(chan struct{})}
		d.pending = pc
		s.vbg.Add(1)
		go s.runCheck(d, pc)
	}
	s.mu.Unlock()
	// The snapshot is taken: let the next messages be read meanwhile.
	if async {
		jsonrpc2.Async(ctx)
	}
	select {
	case <-pc.done:
	case <-ctx.Done():
		return nil, nil, nil, ctx.Err() // the check goes on, for the next request
	}
	return d, pc.c, pc.c.mapper(pc.sn.utf8), nil
}

// runCheck parses and checks a snapshot for the requests waiting on pc.
func (s *Server) runCheck(d *document, pc *pendingCheck) {
	defer s.vbg.Done()
	defer close(pc.done)
	defer func() {
		if r := recover(); r != nil {
			s.logf(levelError, "panic checking %s: %v\n%s", d.path, r, debug.Stack())
			pc.c = newCheckedState(d.path, pc.sn.seqs, &compiler.Unit{Files: map[string]*dsl.File{}}, &compiler.Program{})
		}
	}()
	if s.opts.beforeCheck != nil {
		s.opts.beforeCheck()
	}
	c := s.checkSnapshot(pc.sn, d.path)
	pc.c = c
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.pending == pc {
		d.pending = nil
	}
	if s.docs[d.uri] == d && s.currentLocked(pc.sn.seqs, c.unit) && (d.checked == nil || d.checked.seqs[d.path] <= pc.sn.seqs[d.path]) {
		s.setCheckedLocked(d, c)
	}
}

// snapshotCurrentLocked reports whether a snapshot still has the text of
// every open document.
func (s *Server) snapshotCurrentLocked(sn *snapshot) bool {
	if len(sn.seqs) != len(s.docs) {
		return false
	}
	for _, d := range s.docs {
		if seq, ok := sn.seqs[d.path]; !ok || seq != d.seq {
			return false
		}
	}
	return true
}

func (s *Server) checkSnapshot(sn *snapshot, path string) *checkedState {
	unit, _ := compiler.Load(sn.sources(s.opts.Base), []string{path})
	prog, _ := compiler.Check(unit)
	return newCheckedState(path, sn.seqs, unit, prog)
}

// toDiagnostics converts the diagnostics of one file.
func toDiagnostics(ds diag.Diagnostics, path string, m *mapper) []protocol.Diagnostic {
	out := []protocol.Diagnostic{}
	for _, d := range ds {
		if d.Range.Filename != path && d.Range.Filename != "" {
			continue
		}
		sev := protocol.DiagnosticSeverityError
		switch d.Severity {
		case diag.Warning:
			sev = protocol.DiagnosticSeverityWarning
		case diag.Info:
			sev = protocol.DiagnosticSeverityInformation
		}
		msg := d.Message
		if d.Hint != "" {
			msg += "\nhint: " + d.Hint
		}
		var r protocol.Range
		if d.Range.Start.IsValid() {
			end := d.Range.End.Offset
			if !d.Range.End.IsValid() || end < d.Range.Start.Offset {
				end = d.Range.Start.Offset
			}
			r = m.rng(d.Range.Start.Offset, end)
		}
		out = append(out, protocol.Diagnostic{Range: r, Severity: sev, Source: protocol.NewOptional("pipec"), Message: protocol.String(msg)})
	}
	return out
}
