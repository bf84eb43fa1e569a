package main

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openTerminal opens a pseudo-terminal's two ends; the second is a
// terminal as a user's shell would give pipec.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skip("no pseudo-terminals:", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skip("cannot unlock a pseudo-terminal:", err)
	}
	n, err := unix.IoctlGetUint32(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skip("no pseudo-terminal number:", err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skip("cannot open the pseudo-terminal:", err)
	}
	t.Cleanup(func() { pts.Close() })
	return pts
}

// TestColorMode checks --color's decision on a real terminal, a pipe and
// under NO_COLOR and TERM=dumb.
func TestColorMode(t *testing.T) {
	tty := openTerminal(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		mode string
		w    *os.File
		env  func(string) string
		want bool
	}{
		{"auto", tty, env("TERM", "xterm"), true},
		{"auto", tty, env(), true},
		{"auto", w, env("TERM", "xterm"), false},
		{"auto", tty, env("NO_COLOR", "1"), false},
		{"auto", tty, env("NO_COLOR", ""), true},
		{"auto", tty, env("TERM", "dumb"), false},
		{"never", tty, env(), false},
		{"always", w, env("NO_COLOR", "1"), true},
	} {
		if got := colorMode(c.mode, c.w, c.env); got != c.want {
			t.Errorf("colorMode(%s, tty=%v, env) = %v, want %v", c.mode, c.w == tty, got, c.want)
		}
	}
}
