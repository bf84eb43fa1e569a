package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestInternalError checks that a panic in a command is exit status 3 with
// the recovered message and a request to report it, not a stack trace.
func TestInternalError(t *testing.T) {
	saved := constructors
	defer func() { constructors = saved }()
	register(func() *cobra.Command {
		return &cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error { panic("the sky fell") }}
	})
	var stdout, stderr bytes.Buffer
	if status := run([]string{"boom"}, &stdout, &stderr); status != 3 {
		t.Errorf("status %d, want 3", status)
	}
	want := "pipec: internal error: the sky fell\nThis is a bug in pipec; please report it with the input that caused it.\n"
	if stderr.String() != want || stdout.Len() > 0 {
		t.Errorf("stderr %q, stdout %q; want stderr %q", stderr.String(), stdout.String(), want)
	}
	if strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("a stack trace: %s", stderr.String())
	}
}

// TestNormalizeArgs checks the rewriting of Go-flag-style single-dash long
// flags.
func TestNormalizeArgs(t *testing.T) {
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	got := normalizeArgs(root, []string{"build", "-check", "-no-validate=true", "-o", "out", "-wl", "-", "-nosuch", "--", "-check"})
	want := []string{"build", "--check", "--no-validate=true", "-o", "out", "-wl", "-", "-nosuch", "--", "-check"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("normalizeArgs = %q, want %q", got, want)
	}
}
