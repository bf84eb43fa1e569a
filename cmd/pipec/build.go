package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/fsutil"
	"github.com/pipec/pipec/internal/valcache"
)

// paramFlags collects repeated -p name=value flags in order.
type paramFlags []compiler.KV

func (p *paramFlags) String() string { return "" }

func (p *paramFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	*p = append(*p, compiler.KV{Key: name, Value: value})
	return nil
}

// buildFlags are the flags build and watch share.
type buildFlags struct {
	outDir     string
	params     paramFlags
	noValidate bool
	noCache    bool
}

func (b *buildFlags) options() compiler.Options {
	opts := compiler.Options{Params: b.params, SkipValidate: b.noValidate}
	if !b.noValidate && !b.noCache {
		if dir := valcache.Default(); dir != nil {
			dir.Prune()
			opts.ValidationCache = dir
		}
	}
	return opts
}

func (b *buildFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.outDir, "o", "", "write one `DIR`/<pipeline>.yaml per pipeline instead of printing YAML")
	fs.Var(&b.params, "p", "set a parameter's default: `name=value` (repeatable); every required parameter then needs one")
	fs.BoolVar(&b.noValidate, "no-validate", false, "skip Argo's own validator (most of the time of a first build of a large pipeline); pipec's checks still run")
	fs.BoolVar(&b.noCache, "no-cache", false, "validate everything, ignoring and not recording what earlier builds validated (the cache is in $"+valcache.EnvDir+", default <user cache dir>/pipec; "+valcache.EnvDir+"=off turns it off)")
}

var usageText = map[*flag.FlagSet]func(io.Writer){}

func newFlagSet(name, usageLine, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("pipec "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The flag package prints Usage itself on -help and on errors; parseFlags
	// prints it once, to stdout for -help and stderr for errors.
	fs.Usage = func() {}
	usageText[fs] = func(w io.Writer) {
		fmt.Fprintf(w, "Usage: pipec %s %s\n\n%s\n\nFlags:\n", name, usageLine, about)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	return fs
}

// parseFlags parses flags anywhere on the command line; it returns the exit
// status to use when parsing ends the command (help or a usage error).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, int, bool) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usageText[fs](stdout)
				return nil, 0, false
			}
			usageText[fs](fs.Output())
			return nil, 2, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, true
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func runBuild(args []string, stdout, stderr io.Writer) int {
	var bf buildFlags
	var check, timings bool
	fs := newFlagSet("build", "[-o DIR] [-p name=value]... [--check] FILE|DIR...",
		"Compiles .pipe files (directories are searched for them) to Argo Workflows YAML.\n"+
			"With one pipeline and no -o, the YAML goes to standard output:\n\n"+
			"\tpipec build etl.pipe | kubectl create -f -\n\n"+
			"Errors go to standard error as file:line:col: message; the exit status is 1 on\n"+
			"errors in the sources and 2 on usage errors.", stderr)
	bf.register(fs)
	fs.BoolVar(&timings, "timings", false, "print the time each phase took (load, check, lower, emit, validate, write) to standard error")
	fs.BoolVar(&check, "check", false, "compile, then compare with the YAML already in -o DIR (default: next to each source) and fail with a diff if it differs")
	inputs, status, ok := parseFlags(fs, args, stdout)
	if !ok {
		return status
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "pipec build: no input files\nUsage: pipec build [-o DIR] [-p name=value]... [--check] FILE|DIR...")
		return 2
	}
	files, err := compiler.FindPipeFiles(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "pipec build: %v\n", err)
		return 1
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "pipec build: no .pipe files in %s\n", strings.Join(inputs, ", "))
		return 1
	}
	opts := bf.options()
	res := compiler.Compile(compiler.DiskSources{}, files, opts)
	if timings {
		writeStart := time.Now()
		defer func() { printTimings(stderr, res.Timings, time.Since(writeStart)) }()
	}
	printDiags(stderr, res)
	failed := res.Diags.HasErrors()
	if !failed && len(res.Program.Pipelines) == 0 {
		fmt.Fprintf(stderr, "pipec build: no pipeline in %s: nothing to compile\n\thint: a file needs a pipeline NAME { ... } block; files with only templates are used through import\n", strings.Join(files, ", "))
		return 1
	}
	switch {
	case check:
		if !checkOutputs(res, bf.outDir, stdout, stderr) {
			failed = true
		}
	case bf.outDir != "":
		if err := os.MkdirAll(bf.outDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "pipec build: %v\n", err)
			return 1
		}
		for _, out := range res.Outputs {
			path := filepath.Join(bf.outDir, out.FileName())
			if err := fsutil.WriteFileAtomic(path, out.YAML, 0o644); err != nil {
				fmt.Fprintf(stderr, "pipec build: %v\n", err)
				failed = true
			}
		}
	default:
		if failed {
			break // never print part of a multi-document stream
		}
		for i, out := range res.Outputs {
			if i > 0 {
				fmt.Fprintln(stdout, "---")
			}
			stdout.Write(out.YAML)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// printTimings prints the phases' times, and the time spent after
// compiling (printing diagnostics, writing or comparing the output).
func printTimings(w io.Writer, phases []compiler.Timing, write time.Duration) {
	var total time.Duration
	for _, t := range append(phases, compiler.Timing{Phase: "write", Duration: write}) {
		fmt.Fprintf(w, "pipec: %-8s %8.1f ms\n", t.Phase, float64(t.Duration.Microseconds())/1000)
		total += t.Duration
	}
	fmt.Fprintf(w, "pipec: %-8s %8.1f ms\n", "total", float64(total.Microseconds())/1000)
}

// printDiags prints the diagnostics with source excerpts and a count.
func printDiags(w io.Writer, res *compiler.Result) {
	if len(res.Diags) == 0 {
		return
	}
	diag.Print(w, res.Diags, func(name string) []byte {
		if f := res.Unit.Files[name]; f != nil {
			return f.Source
		}
		return nil
	})
	if n := res.Diags.ErrorCount(); res.Diags.Truncated() {
		fmt.Fprintf(w, "more than %d errors\n", n)
	} else if n > 1 {
		fmt.Fprintf(w, "%d errors\n", n)
	}
}

// checkOutputs compares compiled YAML with the files on disk.
func checkOutputs(res *compiler.Result, outDir string, stdout, stderr io.Writer) bool {
	ok := true
	for _, out := range res.Outputs {
		dir := outDir
		if dir == "" {
			dir = filepath.Dir(out.Pipeline.File.Name)
		}
		path := filepath.Join(dir, out.FileName())
		old, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "%s: missing: pipeline %q compiles to it\n\thint: run pipec build -o %s and commit the result\n", path, out.Pipeline.Name, dir)
			ok = false
			continue
		}
		if !bytes.Equal(old, out.YAML) {
			fmt.Fprintf(stderr, "%s: out of date with %s\n", path, out.Pipeline.File.Name)
			stdout.Write(diff.Diff(path, old, path+" (compiled)", out.YAML))
			fmt.Fprintf(stderr, "\thint: run pipec build -o %s and commit the result\n", dir)
			ok = false
		}
	}
	return ok
}
