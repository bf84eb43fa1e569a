package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

const okBody = `{"jsonrpc":"2.0","id":9,"method":"shutdown"}`

// readAll reads every frame of in, chunked by a reader that returns one
// byte at a time when oneByte is set (the worst case for resynchronising).
func readAll(t testing.TB, in string, oneByte bool, maxB int) (bodies []string, problems []string) {
	var r io.Reader = strings.NewReader(in)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	f := newFrameReader(r)
	if maxB > 0 {
		f.maxB = maxB
	}
	for range 10000 {
		body, p, err := f.next()
		switch {
		case err == io.EOF:
			return
		case err == io.ErrUnexpectedEOF:
			problems = append(problems, "unexpected EOF")
			return
		case err != nil:
			t.Fatalf("next: %v", err)
		case p != nil:
			problems = append(problems, p.msg)
		default:
			bodies = append(bodies, string(body))
		}
	}
	t.Fatalf("no end after 10000 frames")
	return
}

// TestFrameReaderBadHeaders: every kind of bad header is reported and the
// valid message after it is still read.
func TestFrameReaderBadHeaders(t *testing.T) {
	const junkBody = `{"jsonrpc":"2.0","id":1,"method":"x"}`
	for _, tc := range []struct {
		name, in, problem string
	}{
		{"non-numeric", "Content-Length: abc\r\n\r\n" + junkBody, `"abc" is not a positive number`},
		{"negative", "Content-Length: -5\r\n\r\n" + junkBody, `"-5" is not a positive number`},
		{"zero", "Content-Length: 0\r\n\r\n" + junkBody, `"0" is not a positive number`},
		{"empty value", "Content-Length:\r\n\r\n" + junkBody, `"" is not a positive number`},
		{"huge", "Content-Length: 1073741824\r\n\r\n" + junkBody, "more than the"},
		{"overflow", "Content-Length: 99999999999999999999999\r\n\r\n" + junkBody, "more than the"},
		{"missing", "Content-Type: application/json\r\n\r\n" + junkBody, "not a message header were skipped"},
		{"no colon", "Content-Length: 37\r\nbogus line\r\n\r\n" + junkBody, `"bogus line" is not "Name: value"`},
		{"junk before", "hello there\r\n" + frame(junkBody)[:0], "not a message header were skipped"},
		{"body without header", junkBody, "not a message header were skipped"},
		{"two lengths", "Content-Length: 37\r\nContent-Length: 38\r\n\r\n" + junkBody, "two different Content-Length"},
		{"long header", "Content-Length: 37\r\nX-Pad: " + strings.Repeat("a", 9000) + "\r\n\r\n" + junkBody, "a message header of more than"},
	} {
		for _, oneByte := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/oneByte=%v", tc.name, oneByte), func(t *testing.T) {
				bodies, problems := readAll(t, tc.in+frame(okBody), oneByte, 0)
				if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), tc.problem) {
					t.Errorf("problems %q, want one containing %q", problems, tc.problem)
				}
				if len(bodies) == 0 || bodies[len(bodies)-1] != okBody {
					t.Errorf("bodies %q: the valid message after the bad one was not read", bodies)
				}
			})
		}
	}
}

// TestFrameReaderWrongLengths: a Content-Length that miscounts a body that
// is plainly one JSON value is recovered, the next message too.
func TestFrameReaderWrongLengths(t *testing.T) {
	text := `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"text":"ünïcødé 🎉"}}`
	chars := len([]rune(text)) // a client counting characters: too short
	for _, tc := range []struct{ name, in string }{
		{"characters", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", chars, text)},
		{"too long, then a message", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(text)+100, text)},
		{"1 GiB-1, short body", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", 1<<30-1, text)},
	} {
		for _, oneByte := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/oneByte=%v", tc.name, oneByte), func(t *testing.T) {
				bodies, problems := readAll(t, tc.in+frame(okBody), oneByte, 1<<30)
				if len(problems) != 0 {
					t.Errorf("problems: %q", problems)
				}
				if want := []string{text, okBody}; fmt.Sprint(bodies) != fmt.Sprint(want) {
					t.Errorf("bodies\n%q\nwant\n%q", bodies, want)
				}
			})
		}
	}
}

// TestFrameReaderNoAllocationFromHeader: a 1 GiB Content-Length (within the
// cap here) with a short body allocates what arrives, not what it claims.
func TestFrameReaderNoAllocationFromHeader(t *testing.T) {
	in := fmt.Sprintf("Content-Length: %d\r\n\r\n{\"a\":", 1<<30-1)
	f := newFrameReader(strings.NewReader(in))
	f.maxB = 1 << 30
	_, _, err := f.next()
	if err != io.ErrUnexpectedEOF {
		t.Errorf("err %v, want unexpected EOF", err)
	}
	if cap(f.buf) > 1<<20 {
		t.Errorf("buffer of %d bytes for a %d-byte input", cap(f.buf), len(in))
	}
}

// TestFrameReaderValid: well-formed input, with and without Content-Type and
// with bare LF line ends, reads back exactly.
func TestFrameReaderValid(t *testing.T) {
	in := frame(okBody) + "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(`{"a":1}`) +
		"content-length: 7\n\n[1,2,3]" + frame(`{"s":"Content-Length: 5\r\n"}`)
	bodies, problems := readAll(t, in, false, 0)
	if want := []string{okBody, `{"a":1}`, `[1,2,3]`, `{"s":"Content-Length: 5\r\n"}`}; fmt.Sprint(bodies) != fmt.Sprint(want) || len(problems) != 0 {
		t.Errorf("bodies %q problems %q", bodies, problems)
	}
}

// FuzzFrameReader: any input ends in bounded time without a panic, no body
// is larger than the cap, and a valid frame after any junk that does not
// name Content-Length is read intact.
func FuzzFrameReader(f *testing.F) {
	for _, s := range []string{
		"", "Content-Length: abc\r\n\r\n{}", "Content-Length: 5\r\n\r\n{\"a\":1}", "Content-Length: -1\r\n\r\n",
		"Content-Length: 1073741824\r\n\r\n{", "x\r\ny: z\r\n\r\n", "Content-Length: 3\r\nbad\r\n\r\n{}}",
		"Content-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n{}", strings.Repeat("{", 10000), "\r\n\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, junk []byte) {
		in := string(junk) + frame(okBody)
		bodies, _ := readAll(t, in, false, 1<<16)
		for _, b := range bodies {
			if len(b) > 1<<16+len(okBody) {
				t.Fatalf("a body of %d bytes", len(b))
			}
		}
		if !bytes.Contains(bytes.ToLower(junk), []byte("content-length")) {
			if len(bodies) == 0 || bodies[len(bodies)-1] != okBody {
				t.Fatalf("the frame after the junk was lost: %q", bodies)
			}
		}
	})
}

// TestServerSurvivesBadHeaders runs a whole session over a pipe with each
// bad header in it: the server answers each with a null-id error and goes
// on to answer the requests after it (before the framing was its own, any
// of these ended the session).
func TestServerSurvivesBadHeaders(t *testing.T) {
	bad := []string{
		"Content-Length: abc\r\n\r\n{}", "Content-Length: -5\r\n\r\n{}", "Content-Length: 0\r\n\r\n",
		"Content-Length: 1073741824\r\n\r\n{\"jsonrpc\"", "no colon here\r\n\r\n", "Content-Type: x\r\n\r\n{}",
		"Content-Length: 2\r\n\r\n{\"a\":\"é\"}",
	}
	serverSide, clientSide := net.Pipe()
	srv := NewServer(Options{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(t.Context(), serverSide) }()
	go func() {
		var in strings.Builder
		in.WriteString(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`))
		for i, b := range bad {
			in.WriteString(b)
			in.WriteString(frame(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"pipec/nosuch"}`, 100+i)))
		}
		in.WriteString(frame(`{"jsonrpc":"2.0","id":8,"method":"shutdown"}`) + frame(`{"jsonrpc":"2.0","method":"exit"}`))
		clientSide.Write([]byte(in.String()))
	}()
	var replies []map[string]any
	f := newFrameReader(clientSide)
	clientSide.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		body, p, err := f.next()
		if err != nil || p != nil {
			t.Fatalf("reading replies: %v %v (so far %v)", err, p, replies)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		replies = append(replies, m)
		if m["id"] == float64(8) {
			break
		}
	}
	go io.Copy(io.Discard, clientSide)
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	nullErrors, answered := 0, map[float64]bool{}
	for _, m := range replies {
		if _, has := m["id"]; has && m["id"] == nil && m["error"] != nil {
			nullErrors++
		}
		if id, ok := m["id"].(float64); ok {
			answered[id] = true
		}
	}
	for i := range bad {
		if !answered[float64(100+i)] {
			t.Errorf("request %d after %q was not answered", 100+i, bad[i])
		}
	}
	if nullErrors < len(bad)-1 { // the miscounted é is recovered, not an error
		t.Errorf("%d null-id errors for %d bad headers", nullErrors, len(bad))
	}
}
