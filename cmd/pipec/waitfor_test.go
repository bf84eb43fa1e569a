package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCommands["waitfor"] = cmdWaitfor
	scriptCommands["atomicwrite"] = cmdAtomicwrite
}

// waitforTimeout is waitfor's default timeout: generous, because a loaded
// CI machine can be slow, and waitfor returns as soon as the wait is over.
const waitforTimeout = 20 * time.Second

// cmdWaitfor waits for a file (or stdout or stderr) to match a regular
// expression, polling it, instead of sleeping:
//
//	waitfor [-count N] FILE|stdout|stderr PATTERN [TIMEOUT]
//
// waits until PATTERN (multi-line mode, as in grep) matches at least N
// times (default 1); with !, waits until it matches fewer than N times
// (a missing file matches nothing): "! waitfor out/x.yaml ." waits for
// out/x.yaml to go. It fails, showing the file, after TIMEOUT (a Go
// duration, default 20s).
//
// A background command's stdout and stderr are only available after
// wait: to follow a running command, have it write to a file.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	count := 1
	if len(args) > 0 && args[0] == "-count" || len(args) > 0 && strings.HasPrefix(args[0], "-count=") {
		var v string
		if n, ok := strings.CutPrefix(args[0], "-count="); ok {
			v, args = n, args[1:]
		} else if len(args) > 1 {
			v, args = args[1], args[2:]
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			ts.Fatalf("waitfor: bad -count %q", v)
		}
		count = n
	}
	if len(args) != 2 && len(args) != 3 {
		ts.Fatalf("usage: waitfor [-count N] FILE|stdout|stderr PATTERN [TIMEOUT]")
	}
	name, pattern := args[0], args[1]
	re, err := regexp.Compile("(?m)" + pattern)
	ts.Check(err)
	timeout := waitforTimeout
	if len(args) == 3 {
		timeout, err = time.ParseDuration(args[2])
		ts.Check(err)
	}
	read := func() string {
		if name == "stdout" || name == "stderr" {
			return ts.ReadFile(name)
		}
		b, err := os.ReadFile(ts.MkAbs(name))
		if err != nil && !os.IsNotExist(err) {
			ts.Fatalf("waitfor: %v", err)
		}
		return string(b)
	}
	deadline := time.Now().Add(timeout)
	for {
		text := read()
		n := len(re.FindAllStringIndex(text, -1))
		if n >= count != neg {
			return
		}
		if time.Now().After(deadline) {
			ts.Logf("[%s]\n%s", name, text)
			want := fmt.Sprintf("%d match(es)", count)
			if neg {
				want = fmt.Sprintf("fewer than %d match(es)", count)
			}
			ts.Fatalf("waitfor: %s: %q: %d match(es) after %v, want %s", name, pattern, n, timeout, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cmdAtomicwrite replaces a file the way editors save: it writes a
// temporary file next to it and renames it over the original.
//
//	atomicwrite SRC DST
func cmdAtomicwrite(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: atomicwrite SRC DST")
	}
	data := ts.ReadFile(args[0])
	dst := ts.MkAbs(args[1])
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".swp")
	ts.Check(os.WriteFile(tmp, []byte(data), 0o644))
	ts.Check(os.Rename(tmp, dst))
}
