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
	fs.Bool("quiet", true, "accepted for compatibility: standard error is quiet unless -v")
	verbose := fs.Bool("v", false, "copy the log to standard error")
	logFile := fs.String("log", "", "copy the log to `FILE` (appended)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: pipec lsp [--debounce 30ms] [--log FILE] [-v]\n\nRuns the pipec language server on standard input and output\n(JSON-RPC with Content-Length framing). The log goes to the client\n(window/logMessage); --log and -v copy it to a file or standard error.\nSee docs/editors.md for editor set-up.\n\n")
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
	var logw io.Writer
	if *verbose {
		logw = stderr
	}
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "pipec lsp: %v\n", err)
			return 2
		}
		defer f.Close()
		logw = f
		if *verbose {
			logw = io.MultiWriter(f, stderr)
		}
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
