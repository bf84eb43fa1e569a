package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/fsutil"
	"github.com/pipec/pipec/watch"
	"github.com/spf13/cobra"
)

func init() { register(newWatchCmd) }

func newWatchCmd() *cobra.Command {
	var (
		bf      buildFlags
		poll    time.Duration
		logFile string
	)
	cmd := &cobra.Command{
		Use:   "watch [-o DIR] [-p name=value]... [--poll DURATION] [--log FILE] FILE|DIR...",
		Short: "rebuild .pipe files on every change",
		Long: "Builds the .pipe files (directories are searched for them, recursively) like\n" +
			"pipec build, then rebuilds on every change until interrupted (Ctrl-C; exit\n" +
			"status 0). Only the files that changed and the files that import them are\n" +
			"rebuilt. Directories created later are watched too; hidden directories and the\n" +
			"-o directory are not.\n\n" +
			"Outputs go to -o DIR, or, without -o, next to each source as <pipeline>.yaml\n" +
			"(where pipec build --check looks for them). They are written atomically; a\n" +
			"source with errors keeps its last good output, a deleted or renamed source\n" +
			"takes its output with it.\n\n" +
			"Each rebuild prints a status line on standard output and the diagnostics, if\n" +
			"any, on standard error, as pipec build does:\n\n" +
			"\t18:42:07 rebuilt 2 files: ok (3.1ms)\n\n" +
			"On file systems without change notifications (NFS, SMB, some container\n" +
			"mounts) use --poll 1s.",
		ValidArgsFunction: pipeFileArgs,
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if len(inputs) == 0 {
				return usageErrorf("no input files")
			}
			if err := checkOutDir(bf.outDir); err != nil {
				return err
			}
			if poll < 0 {
				return usageErrorf("--poll must be positive")
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := &watchPrinter{stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr(), color: colorFor(cmd, cmd.ErrOrStderr())}
			return exitStatus(runWatch(ctx, &bf, poll, logFile, inputs, out))
		},
	}
	bf.register(cmd.Flags())
	cmd.RegisterFlagCompletionFunc("argo", completeArgo)
	cmd.Flags().DurationVar(&poll, "poll", 0, "poll the directories every `DURATION` (e.g. 1s) instead of using change notifications")
	cmd.Flags().StringVar(&logFile, "log", "", "also append the status lines and diagnostics to `FILE`")
	return cmd
}

// runWatch is pipec watch once its flags are parsed, until ctx ends; it
// returns the exit status.
func runWatch(ctx context.Context, bf *buildFlags, poll time.Duration, logFile string, inputs []string, out *watchPrinter) int {
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(out.stderr, "pipec watch: %v\n", err)
			return 1
		}
		defer f.Close()
		out.log = f
	}
	if bf.outDir != "" {
		fsutil.RemoveStaleTemps(bf.outDir, ".yaml") // left by a killed build or watch
	}
	err := watch.Run(ctx, watch.Config{
		Inputs:  inputs,
		OutDir:  bf.outDir,
		Options: bf.options(),
		Poll:    poll,
		Report:  out.report,
		Notice:  out.notice,
	})
	if err != nil {
		out.notice(err.Error())
		return 1
	}
	return 0
}

// watchPrinter prints the watcher's reports: status lines on stdout,
// diagnostics and notices on stderr, everything to the log file too.
type watchPrinter struct {
	mu             sync.Mutex
	stdout, stderr io.Writer
	color          bool      // colour the diagnostics on stderr
	log            io.Writer // or nil
}

func (p *watchPrinter) report(r *watch.Report) {
	var diags strings.Builder
	if r.Result != nil {
		diags.WriteString(diagText(r.Result))
	}
	for _, err := range r.WriteErrors {
		fmt.Fprintf(&diags, "pipec watch: %v\n", err)
	}
	status := r.Status() + "\n"
	if r.Initial {
		status += "pipec watch: watching for changes (Ctrl-C to stop)\n"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	text := diags.String()
	if p.color {
		text = diag.Colorize(text)
	}
	io.WriteString(p.stderr, text)
	io.WriteString(p.stdout, status)
	if p.log != nil {
		io.WriteString(p.log, diags.String()+status)
	}
}

func (p *watchPrinter) notice(msg string) {
	msg = "pipec watch: " + msg + "\n"
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.stderr, msg)
	if p.log != nil {
		io.WriteString(p.log, msg)
	}
}
