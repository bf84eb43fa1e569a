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

	"github.com/pipec/pipec/watch"
)

func init() {
	register("watch", "rebuild .pipe files on every change", runWatch)
}

func runWatch(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return watchMain(ctx, args, stdout, stderr)
}

const watchUsage = "[-o DIR] [-p name=value]... [--poll DURATION] [--log FILE] FILE|DIR..."

// watchMain is pipec watch with a context that ends it.
func watchMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		bf      buildFlags
		poll    time.Duration
		logFile string
	)
	fs := newFlagSet("watch", watchUsage,
		"Builds the .pipe files (directories are searched for them, recursively) like\n"+
			"pipec build, then rebuilds on every change until interrupted (Ctrl-C; exit\n"+
			"status 0). Only the files that changed and the files that import them are\n"+
			"rebuilt. Directories created later are watched too; hidden directories and the\n"+
			"-o directory are not.\n\n"+
			"Outputs go to -o DIR, or, without -o, next to each source as <pipeline>.yaml\n"+
			"(where pipec build --check looks for them). They are written atomically; a\n"+
			"source with errors keeps its last good output, a deleted or renamed source\n"+
			"takes its output with it.\n\n"+
			"Each rebuild prints a status line on standard output and the diagnostics, if\n"+
			"any, on standard error, as pipec build does:\n\n"+
			"\t18:42:07 rebuilt 2 files: ok (3.1ms)\n\n"+
			"On file systems without change notifications (NFS, SMB, some container\n"+
			"mounts) use --poll 1s.", stderr)
	bf.register(fs)
	fs.DurationVar(&poll, "poll", 0, "poll the directories every `DURATION` (e.g. 1s) instead of using change notifications")
	fs.StringVar(&logFile, "log", "", "also append the status lines and diagnostics to `FILE`")
	inputs, status, ok := parseFlags(fs, args, stdout)
	if !ok {
		return status
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "pipec watch: no input files\nUsage: pipec watch "+watchUsage)
		return 2
	}
	if poll < 0 {
		fmt.Fprintln(stderr, "pipec watch: --poll must be positive")
		return 2
	}

	out := &watchPrinter{stdout: stdout, stderr: stderr}
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "pipec watch: %v\n", err)
			return 1
		}
		defer f.Close()
		out.log = f
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
	log            io.Writer // or nil
}

func (p *watchPrinter) report(r *watch.Report) {
	var diags strings.Builder
	if r.Result != nil {
		printDiags(&diags, r.Result)
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
	io.WriteString(p.stderr, diags.String())
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
