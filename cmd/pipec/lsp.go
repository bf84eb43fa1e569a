package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pipec/pipec/lsp"
	"github.com/spf13/cobra"
)

func init() { register(newLSPCmd) }

func newLSPCmd() *cobra.Command {
	var (
		debounce time.Duration
		verbose  bool
		logFile  string
	)
	cmd := &cobra.Command{
		Use:   "lsp [--debounce 30ms] [--log FILE] [-v]",
		Short: "run the language server (LSP over standard input and output)",
		Long: "Runs the pipec language server on standard input and output\n" +
			"(JSON-RPC with Content-Length framing). The log goes to the client\n" +
			"(window/logMessage); --log and -v copy it to a file or standard error.\n" +
			"See docs/editors.md for editor set-up.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitStatus(runLSP(debounce, verbose, logFile, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	cmd.Flags().DurationVar(&debounce, "debounce", lsp.DefaultDebounce, "wait this long after a change before compiling")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "copy the log to standard error")
	cmd.Flags().StringVar(&logFile, "log", "", "copy the log to `FILE` (appended)")
	cmd.Flags().Bool("quiet", true, "accepted for compatibility: standard error is quiet unless -v")
	cmd.Flags().MarkHidden("quiet")
	// Editors often pass --stdio; standard input and output is the only
	// transport.
	cmd.Flags().Bool("stdio", true, "talk over standard input and output (the only transport)")
	cmd.Flags().MarkHidden("stdio")
	return cmd
}

// runLSP serves LSP on standard input and stdout until the client exits;
// it returns the exit status. The log goes to the client; -v copies it to
// stderr, --log FILE to a file.
func runLSP(debounce time.Duration, verbose bool, logFile string, stdout, stderr io.Writer) int {
	if debounce <= 0 {
		debounce = -1 * time.Nanosecond
	}
	var logw io.Writer
	if verbose {
		logw = stderr
	}
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "pipec lsp: %v\n", err)
			return 2
		}
		defer f.Close()
		logw = f
		if verbose {
			logw = io.MultiWriter(f, stderr)
		}
	}
	v := versionString()
	srv := lsp.NewServer(lsp.Options{Debounce: debounce, Log: logw, Version: v})
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
