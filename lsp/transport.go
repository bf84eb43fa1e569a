package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// This file is the server's transport: the LSP base protocol's
// Content-Length framing, read so that no input can end or deafen the
// session. go.lsp.dev/jsonrpc2's header stream ends the connection on the
// first malformed header and allocates whatever length a header claims
// before reading it; this reader instead
//
//   - reads a body as its bytes arrive (never allocating what a header
//     claims), up to MaxMessageBytes;
//   - answers a malformed header (missing, non-numeric, negative, zero or
//     huge Content-Length, a line without a colon, junk between messages)
//     with a JSON-RPC parse error, then resynchronises at the next
//     "Content-Length: N" line;
//   - recovers a message whose Content-Length is wrong when the body is
//     plainly one JSON value: a length that is too short (a client that
//     counts characters instead of bytes) is extended to the end of the
//     value, one that is too long stops at the end of the value or at the
//     next header.
//
// The trick that makes resynchronising safe: "Content-Length: N" followed by
// a raw line break cannot occur inside valid JSON (strings cannot hold raw
// line breaks, and the words are not JSON outside strings).

// MaxMessageBytes caps one message's body. A header that claims more is
// answered with an error and its body skipped.
const MaxMessageBytes = 256 << 20

const (
	maxHeaderBytes = 8 << 10  // one header block, Content-Type and all
	maxHeaderLine  = 256      // how far a Content-Length line's end is looked for
	readChunk      = 64 << 10 // bytes asked of the connection at a time
	headerName     = "content-length:"
)

// frameProblem is a framing defect: it is answered with a JSON-RPC error
// and the stream goes on.
type frameProblem struct{ msg string }

// frameReader splits a byte stream into message bodies.
type frameReader struct {
	r     io.Reader
	buf   []byte // unconsumed input is buf[off:]
	off   int
	err   error  // sticky error of r, returned once the buffer is drained
	maxB  int    // body cap (MaxMessageBytes; tests lower it)
	fixed string // why the last body was read despite its header
	// quiet: the last header was bad, so its body is skipped without a
	// second report.
	quiet bool
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: r, maxB: MaxMessageBytes}
}

// pending is the unconsumed input.
func (f *frameReader) pending() []byte { return f.buf[f.off:] }

// fill reads more input, blocking; it returns false when the connection has
// ended (f.err is then set).
func (f *frameReader) fill() bool {
	if f.err != nil {
		return false
	}
	if f.off > 0 && f.off >= len(f.buf)/2 {
		n := copy(f.buf, f.buf[f.off:])
		f.buf, f.off = f.buf[:n], 0
	}
	if cap(f.buf)-len(f.buf) < readChunk {
		nb := make([]byte, len(f.buf), 2*cap(f.buf)+readChunk)
		copy(nb, f.buf)
		f.buf = nb
	}
	n, err := f.r.Read(f.buf[len(f.buf):cap(f.buf)])
	f.buf = f.buf[:len(f.buf)+n]
	if err != nil {
		f.err = err
	}
	return n > 0 || err == nil
}

// next returns the next message body (a fresh slice the caller owns), or a
// framing problem to answer, or the connection's error (io.EOF at a clean
// end). A problem and a body never come together.
func (f *frameReader) next() (body []byte, problem *frameProblem, err error) {
	p := f.skipToHeader()
	if f.quiet {
		p, f.quiet = nil, false
	}
	if p != nil {
		return nil, p, nil
	}
	if len(f.pending()) == 0 {
		return nil, nil, f.endErr()
	}
	length, p := f.readHeader()
	if p != nil {
		return nil, p, nil
	}
	if length < 0 { // the connection ended inside the header
		return nil, nil, f.endErr()
	}
	return f.readBody(length)
}

func (f *frameReader) endErr() error {
	if f.err == nil || f.err == io.EOF {
		return io.EOF
	}
	return f.err
}

// skipToHeader discards input up to the next "Content-Length" line. Other
// well-formed header lines (Content-Type) and blank lines are dropped
// silently; anything else is junk, reported once. At the end of input it
// returns with nothing pending.
func (f *frameReader) skipToHeader() *frameProblem {
	var junk []byte // a sample of the junk skipped; nil if none
	note := func(b []byte, complete bool) {
		if junk == nil && !onlyHeaderLines(b, complete) {
			junk = append([]byte{}, b[:min(len(b), 40)]...)
		}
	}
	for {
		in := f.pending()
		if i := indexHeader(in); i >= 0 {
			note(in[:i], true)
			f.off += i
			break
		}
		// No header yet: drop all but a tail that may start one.
		if drop := len(in) - maxHeaderBytes; drop > 0 {
			note(in[:drop], true)
			f.off += drop
		}
		if !f.fill() {
			note(f.pending(), false)
			f.off = len(f.buf)
			break
		}
	}
	if junk != nil {
		return &frameProblem{fmt.Sprintf("bytes that are not a message header were skipped (%q...): each message must start with \"Content-Length: <bytes>\\r\\n\\r\\n\"", junk)}
	}
	return nil
}

// readHeader reads the header block that starts at a "Content-Length" line,
// up to its blank line, and returns the body length. It returns -1 when the
// input ends first.
func (f *frameReader) readHeader() (int, *frameProblem) {
	for {
		in := f.pending()
		end, blank := headerEnd(in)
		if end > maxHeaderBytes {
			f.off += end + blank
			return 0, &frameProblem{fmt.Sprintf("a message header of more than %d bytes", maxHeaderBytes)}
		}
		if end >= 0 {
			block := in[:end]
			f.off += end + blank
			n, p := parseHeader(block, f.maxB)
			f.quiet = p != nil
			return n, p
		}
		if len(in) > maxHeaderBytes {
			f.off++ // past this "Content-Length", to find the next one
			return 0, &frameProblem{fmt.Sprintf("a message header of more than %d bytes (no blank line ends it)", maxHeaderBytes)}
		}
		if !f.fill() {
			f.off = len(f.buf)
			return -1, nil
		}
	}
}

// parseHeader checks a header block (without its blank line).
func parseHeader(block []byte, maxBody int) (int, *frameProblem) {
	length := -1
	block = bytes.TrimSuffix(bytes.TrimSuffix(block, []byte("\n")), []byte("\r"))
	for _, line := range bytes.Split(block, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !isToken(name) {
			return 0, &frameProblem{fmt.Sprintf("message header line %.60q is not \"Name: value\"", line)}
		}
		if !bytes.EqualFold(name, []byte("content-length")) {
			continue
		}
		value = bytes.TrimSpace(value)
		n, ok := parseDecimal(value, maxBody)
		switch {
		case !ok && len(value) > 0 && allDigits(value):
			return 0, &frameProblem{fmt.Sprintf("Content-Length %s is more than the %d bytes a message may have", value, maxBody)}
		case !ok || n == 0:
			return 0, &frameProblem{fmt.Sprintf("Content-Length %.30q is not a positive number of bytes", value)}
		case length >= 0 && n != length:
			return 0, &frameProblem{"two different Content-Length headers in one message"}
		}
		length = n
	}
	return length, nil
}

// readBody reads a body of the declared length, recovering from a wrong
// length where the body shows it (see the file comment).
func (f *frameReader) readBody(length int) ([]byte, *frameProblem, error) {
	scanned := 0 // bytes of the body searched for a header
	for {
		in := f.pending()
		avail := min(len(in), length)
		// A header inside the declared body: the length was too long.
		// (The header may run past the declared end: look a line further.)
		from := max(0, scanned-maxHeaderLine)
		if i := indexHeader(in[from:min(len(in), avail+maxHeaderLine)]); i >= 0 && from+i < avail {
			i += from
			body := bytes.Clone(in[:i])
			f.off += i
			return f.judge(body, "its Content-Length counts more bytes than it has")
		}
		scanned = avail
		if avail == length {
			body := bytes.Clone(in[:length])
			f.off += length
			if !looksComplete(body) {
				if ext := f.extend(body); ext != nil {
					return ext, nil, nil
				}
			}
			return body, nil, nil
		}
		// The body is short so far; if what came is already one whole JSON
		// value, more bytes can only be padding: do not wait for them.
		if avail > 0 && looksComplete(in[:avail]) && json.Valid(in[:avail]) {
			body := bytes.Clone(in[:avail])
			f.off += avail
			f.fixed = "its Content-Length counts more bytes than it has"
			return body, nil, nil
		}
		if !f.fill() {
			f.off = len(f.buf)
			return nil, nil, io.ErrUnexpectedEOF
		}
	}
}

// judge returns a truncated body if it is a JSON value, else a problem.
func (f *frameReader) judge(body []byte, why string) ([]byte, *frameProblem, error) {
	if json.Valid(body) {
		f.fixed = why
		return body, nil, nil
	}
	return nil, &frameProblem{"a message was cut short: " + why + " and is not JSON"}, nil
}

// extend tries to complete a body whose declared length was too short (a
// client that counts characters, not bytes): it reads on, up to the next
// header and no more than a UTF-8 encoding could add, until the body is
// one JSON value. It returns nil if it does not become one.
func (f *frameReader) extend(body []byte) []byte {
	limit := 3*len(body) + 16 // a UTF-16 unit is at most 3 UTF-8 bytes
	for {
		in := f.pending()
		end := indexHeader(in)
		stop := end >= 0
		if !stop {
			end = len(in)
		}
		if end > limit {
			end, stop = limit, true
		}
		if end > 0 && looksComplete(in[:end]) {
			cand := bytes.TrimRight(append(bytes.Clone(body), in[:end]...), " \t\r\n")
			if json.Valid(cand) {
				f.off += end
				f.fixed = "its Content-Length counts fewer bytes than it has (characters instead of bytes?)"
				return cand
			}
		}
		if stop || !f.fill() {
			return nil
		}
	}
}

// indexHeader finds a "Content-Length:" line (any case): the name, then
// up to a line break a value with no quote or brace. Such a line cannot be
// inside a JSON body (strings hold no raw line breaks, and the name is not
// JSON outside strings), so it is where a frame starts. A bad value
// (Content-Length: abc) still starts a frame, to be reported by parseHeader.
// It returns -1 if there is none (or its line has not ended yet).
func indexHeader(b []byte) int {
	for i := 0; i+len(headerName) <= len(b); i++ {
		if c := b[i]; c != 'c' && c != 'C' {
			continue
		}
		if !bytes.EqualFold(b[i:i+len(headerName)], []byte(headerName)) {
			continue
		}
		for j := i + len(headerName); j < len(b) && j < i+maxHeaderLine; j++ {
			if c := b[j]; c == '\n' {
				return i
			} else if c == '"' || c == '{' || c == '}' {
				break
			}
		}
	}
	return -1
}

// headerEnd finds the blank line ending a header block: it returns the
// block's length and the blank line's, or -1.
func headerEnd(b []byte) (int, int) {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		rest := b[i+1:]
		switch {
		case len(rest) >= 2 && rest[0] == '\r' && rest[1] == '\n':
			return i + 1, 2
		case len(rest) >= 1 && rest[0] == '\n':
			return i + 1, 1
		}
	}
	return -1, 0
}

// onlyHeaderLines reports whether skipped input is nothing but whitespace
// and complete "Name: value" lines (a Content-Type before Content-Length).
func onlyHeaderLines(b []byte, beforeHeader bool) bool {
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte("\n"))
		t := bytes.TrimSpace(line)
		if len(t) > 0 {
			name, _, ok := bytes.Cut(t, []byte(":"))
			if !ok || !isToken(name) || (!found && !beforeHeader) {
				return false
			}
		}
		b = rest
	}
	return true
}

func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseDecimal parses a non-negative decimal no greater than limit.
func parseDecimal(b []byte, limit int) (int, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > limit {
			return 0, false
		}
	}
	return n, true
}

// looksComplete is a cheap test that a body may be a whole JSON object or
// array: it ends with its closing bracket.
func looksComplete(b []byte) bool {
	b = bytes.TrimRight(b, " \t\r\n")
	return len(b) > 0 && (b[len(b)-1] == '}' || b[len(b)-1] == ']')
}

// stream is the jsonrpc2.Stream the server runs on: frameReader for input,
// one locked write per framed message for output. Framing problems and
// bodies that are not JSON-RPC are answered with an error (id null), as
// JSON-RPC asks, and reading goes on.
type stream struct {
	rwc  io.ReadWriteCloser
	in   *frameReader
	logf func(level logLevel, format string, args ...any)
	wmu  sync.Mutex
	wbuf []byte
	// answered, when set, is told the id (as JSON) of every answer written,
	// so that exit can wait for every call's answer to be on the wire
	// before the connection closes (Server.awaitAnswers).
	answered func(id string)
	// beforeEnd, when set, runs when the input ends (or fails), before
	// the reader reports it (Server.awaitAnswers).
	beforeEnd func()
}

// responseID is the id, as JSON, of an encoded message that answers a call
// ({"jsonrpc":"2.0","id":ID,"result"|"error":...}), and false for a
// request, a notification or an answer with a null id. Only the message's
// first tokens are read.
func responseID(data []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	var id any
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch k {
		case "jsonrpc":
			if _, err := dec.Token(); err != nil {
				return "", false
			}
		case "id":
			if err := dec.Decode(&id); err != nil || id == nil {
				return "", false
			}
		case "result", "error":
			if id == nil {
				return "", false
			}
			b, _ := json.Marshal(id)
			return string(b), true
		default: // "method", "params": a request or a notification
			return "", false
		}
	}
	return "", false
}

func newStream(rwc io.ReadWriteCloser, logf func(logLevel, string, ...any)) *stream {
	return &stream{rwc: rwc, in: newFrameReader(rwc), logf: logf}
}

// Read implements jsonrpc2.Stream.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, problem, err := s.in.next()
		if err != nil {
			if s.beforeEnd != nil {
				// jsonrpc2 writes nothing once its reader has failed, not
				// even answers already computed: let them out first.
				s.beforeEnd()
			}
			return nil, 0, err
		}
		if problem != nil {
			s.logf(levelWarning, "malformed message header: %s", problem.msg)
			if err := s.replyError(jsonrpc2.ParseError, "malformed message header: "+problem.msg); err != nil {
				return nil, 0, err
			}
			continue
		}
		if s.in.fixed != "" {
			s.logf(levelWarning, "a message was read although %s", s.in.fixed)
			s.in.fixed = ""
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, int64(len(body)), nil
		}
		s.logf(levelWarning, "malformed message (%v): %.200q", err, body)
		code := jsonrpc2.ParseError
		if json.Valid(body) {
			code = jsonrpc2.InvalidRequest
		}
		if err := s.replyError(code, err.Error()); err != nil {
			return nil, 0, err
		}
	}
}

func (s *stream) replyError(code jsonrpc2.Code, msg string) error {
	reply := fmt.Sprintf(`{"jsonrpc":"2.0","id":null,"error":{"code":%d,"message":%s}}`, code, jsonString(msg))
	_, err := s.writeFrame([]byte(reply))
	return err
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Write implements jsonrpc2.Stream.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	data, err := jsonrpc2.EncodeMessage(msg)
	if err != nil {
		return 0, err
	}
	n, err := s.writeFrame(data)
	if s.answered != nil {
		if id, ok := responseID(data); ok {
			s.answered(id)
		}
	}
	return n, err
}

func (s *stream) writeFrame(data []byte) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.wbuf = fmt.Appendf(s.wbuf[:0], "Content-Length: %d\r\n\r\n", len(data))
	s.wbuf = append(s.wbuf, data...)
	n, err := s.rwc.Write(s.wbuf)
	if cap(s.wbuf) > 1<<20 {
		s.wbuf = nil // do not keep a large reply's buffer
	}
	return int64(n), err
}

// Close implements jsonrpc2.Stream.
func (s *stream) Close() error { return s.rwc.Close() }
