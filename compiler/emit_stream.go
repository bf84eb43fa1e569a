package compiler

import (
	"io"
	"runtime"
	"sync"

	"github.com/pipec/pipec/internal/workpool"
)

// EmitTo writes the YAML of obj, exactly the bytes Emit returns
// (TestEmitTo), to w as it is rendered: a large Workflow or
// WorkflowTemplate part by part, in order, as the workers finish them, so
// that the whole document is never in memory at once (at 10,000 steps it
// is about 26 MB, which Emit holds twice while it joins the parts). A
// worker does not start a part more than emitWindow parts ahead of the
// last one written. If it returns an error, w may have received part of
// the YAML: write to a temporary that is then discarded
// (fsutil.CreateAtomic), never to the file itself.
func EmitTo(w io.Writer, obj *Object) error {
	ep, ok := newEmitParts(obj)
	if !ok {
		y, err := Emit(obj)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	}
	s := &emitStream{ep: ep, w: w, parts: make([][]byte, ep.n), ready: make([]bool, ep.n), window: emitWindow()}
	s.cond = sync.NewCond(&s.mu)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.write()
	}()
	workpool.Run(ep.n, s.head, s.render)
	<-done
	if s.fallback {
		// The head could not be cut (nothing was written): render the
		// object at once, which also reports any error.
		y, err := Emit(obj)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	}
	return s.err
}

// emitWindow is how many parts ahead of the last one written a worker may
// render: enough to keep every core busy while one part is written.
func emitWindow() int { return 2*runtime.GOMAXPROCS(0) + 2 }

// emitStream is one EmitTo of an object rendered in parts: the workers
// render (render, head) and the writer (write) writes, in order, sharing
// the state below under mu.
type emitStream struct {
	ep     *emitParts
	w      io.Writer
	window int

	mu       sync.Mutex
	cond     *sync.Cond
	headDone bool     // head has returned
	parts    [][]byte // the rendered parts not yet written
	ready    []bool   // ready[i]: part i is rendered
	written  int      // parts written
	stop     bool     // a render, the head or a write failed: stop
	fallback bool     // the head failed: Emit at once instead
	err      error    // the first error
	free     [][]byte // the buffers of parts written, for the next ones
}

// buffer returns a buffer for a part: one a written part used, or nil.
func (s *emitStream) buffer() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		b := s.free[n-1]
		s.free = s.free[:n-1]
		return b
	}
	return nil
}

// head renders the head (in the calling goroutine, while the other workers
// start on the parts).
func (s *emitStream) head() bool {
	ok := s.ep.renderHead()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headDone = true
	if !ok {
		s.stop, s.fallback = true, true
	}
	s.cond.Broadcast()
	return ok
}

// render renders part i once it is within the window of the last part
// written. The lowest part not yet written is always within it, so the
// workers never all wait.
func (s *emitStream) render(i int) bool {
	s.mu.Lock()
	for !s.stop && i >= s.written+s.window {
		s.cond.Wait()
	}
	stop := s.stop
	s.mu.Unlock()
	if stop {
		return false
	}
	p, err := s.ep.part(i, s.buffer())
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.fail(err)
		return false
	}
	s.parts[i], s.ready[i] = p, true
	s.cond.Broadcast()
	return true
}

// fail records the first error and stops everyone; mu is held.
func (s *emitStream) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	s.stop = true
	s.cond.Broadcast()
}

// write writes the head's prefix, each part as soon as it and those before
// it are rendered, and the head's suffix; it returns when all is written
// or the stream stopped.
func (s *emitStream) write() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.stop && !s.headDone {
		s.cond.Wait()
	}
	if s.stop || !s.put(s.ep.prefix) {
		return
	}
	for i := range s.parts {
		for !s.stop && !s.ready[i] {
			s.cond.Wait()
		}
		if s.stop {
			return
		}
		p := s.parts[i]
		s.parts[i] = nil
		if !s.put(p) {
			return
		}
		s.free = append(s.free, p[:0]) // for a later part
		s.written++
		s.cond.Broadcast()
	}
	s.put(s.ep.suffix)
}

// put writes b with mu released (the workers go on meanwhile), and
// reports whether it could.
func (s *emitStream) put(b []byte) bool {
	s.mu.Unlock()
	_, err := s.w.Write(b)
	s.mu.Lock()
	if err != nil {
		s.fail(err)
		return false
	}
	return true
}
