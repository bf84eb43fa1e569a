package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pipec/pipec/lsp"
)

func init() {
	register("lsp", "run the language server (LSP over standard input and output)", runLSP)
}

func runLSP(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pipec lsp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	debounce := fs.Duration("debounce", lsp.DefaultDebounce, "wait this long after a change before compiling")
	quiet := fs.Bool("quiet", false, "do not log to standard error")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: pipec lsp [--debounce 30ms] [--quiet]\n\nRuns the pipec language server on standard input and output\n(JSON-RPC with Content-Length framing). Logs go to standard error.\nSee docs/editors.md for editor set-up.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		// Editors often pass --stdio; standard input and output is the only transport.
		for _, a := range fs.Args() {
			if a != "--stdio" && a != "-stdio" {
				fmt.Fprintf(stderr, "pipec lsp: unexpected argument %q\n", a)
				return 2
			}
		}
	}
	if *debounce <= 0 {
		*debounce = -1 * time.Nanosecond
	}
	var logw io.Writer = stderr
	if *quiet {
		logw = nil
	}
	v := version
	if v == "" {
		v = "(devel)"
	}
	srv := lsp.NewServer(lsp.Options{Debounce: *debounce, Log: logw, Version: v})
	if err := srv.Serve(context.Background(), stdio{Reader: os.Stdin, Writer: stdout}); err != nil {
		fmt.Fprintf(stderr, "pipec lsp: %v\n", err)
		return 1
	}
	return 0
}

// stdio joins standard input and output into the stream the server runs on.
type stdio struct {
	io.Reader
	io.Writer
}

// Close closes standard input, which unblocks a pending read of a pipe.
func (s stdio) Close() error {
	if f, ok := s.Reader.(*os.File); ok {
		return f.Close()
	}
	return nil
}
