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
		quiet    bool
	)
	cmd := &cobra.Command{
		Use:   "lsp [--debounce 30ms] [--quiet]",
		Short: "run the language server (LSP over standard input and output)",
		Long: "Runs the pipec language server on standard input and output\n" +
			"(JSON-RPC with Content-Length framing). Logs go to standard error.\n" +
			"See docs/editors.md for editor set-up.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitStatus(runLSP(debounce, quiet, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	cmd.Flags().DurationVar(&debounce, "debounce", lsp.DefaultDebounce, "wait this long after a change before compiling")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "do not log to standard error")
	// Editors often pass --stdio; standard input and output is the only
	// transport.
	cmd.Flags().Bool("stdio", true, "talk over standard input and output (the only transport)")
	cmd.Flags().MarkHidden("stdio")
	return cmd
}

// runLSP serves LSP on standard input and stdout until the client exits;
// it returns the exit status.
func runLSP(debounce time.Duration, quiet bool, stdout, stderr io.Writer) int {
	if debounce <= 0 {
		debounce = -1 * time.Nanosecond
	}
	var logw io.Writer = stderr
	if quiet {
		logw = nil
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
