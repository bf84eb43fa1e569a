package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCommands["lspframe"] = lspFrame
}

// lspFrame is a testscript command: lspframe IN OUT reads JSON-RPC messages,
// one per line (blank lines and # comments skipped, $WORK expanded), and
// writes them to OUT with LSP Content-Length framing. A line "!raw TEXT"
// frames TEXT that is not JSON; a line "!bytes "GO-QUOTED"" writes the
// unquoted bytes as they are, with no framing (bad headers).
func lspFrame(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lspframe IN OUT")
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile(args[0])))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.ReplaceAll(line, "$WORK", ts.Getenv("WORK"))
		if q, ok := strings.CutPrefix(line, "!bytes "); ok {
			b, err := strconv.Unquote(q)
			ts.Check(err)
			out.WriteString(b)
			continue
		}
		if !json.Valid([]byte(line)) && !strings.HasPrefix(line, "!raw ") {
			ts.Fatalf("not JSON: %s", line)
		}
		line = strings.TrimPrefix(line, "!raw ") // deliberately malformed
		fmt.Fprintf(&out, "Content-Length: %d\r\n\r\n%s", len(line), line)
	}
	ts.Check(sc.Err())
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out.Bytes(), 0o644))
}
