package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/renameio/v2"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/fsutil"
	"github.com/pipec/pipec/internal/valcache"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { register(newBuildCmd) }

// paramFlags collects repeated -p name=value flags in order.
type paramFlags []compiler.KV

func (p *paramFlags) String() string { return "" }

// Type is the value's name in help.
func (p *paramFlags) Type() string { return "name=value" }

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
	validate   string          // --validate: shapes or full
	argo       compiler.Target // --argo (argo4)
}

func (b *buildFlags) options() compiler.Options {
	opts := compiler.Options{Params: b.params, SkipValidate: b.noValidate, FullValidation: b.validate == "full"}
	opts.Argo = b.argo // --argo (argo4)
	if !b.noValidate && !b.noCache && !opts.FullValidation {
		if dir := valcache.Default(); dir != nil {
			dir.Prune()
			opts.ValidationCache = dir
		}
	}
	return opts
}

func (b *buildFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&b.outDir, "out-dir", "o", "", "write one `DIR`/<pipeline>.yaml per pipeline instead of printing YAML")
	fs.VarP(&b.params, "param", "p", "set a parameter's default: `name=value` (repeatable); every required parameter then needs one")
	fs.BoolVar(&b.noValidate, "no-validate", false, "skip Argo's own validator (most of the time of a first build of a large pipeline); pipec's checks still run")
	// --argo (argo4): the Argo version to compile for.
	fs.Func("argo", "compile for Argo `VERSION` "+compiler.TargetNames()+" (default "+compiler.DefaultTarget.Name()+"; see docs/retries.md)", func(s string) (err error) {
		b.argo, err = compiler.ParseTarget(s)
		return err
	})
	fs.Func("validate", "how Argo's validator is run: `shapes` (default: one template of each shape and the workflow's graph, then the whole workflow if anything fails) or full (the whole workflow, no cache; slower, the same verdict)", func(s string) error {
		if s != "shapes" && s != "full" {
			return fmt.Errorf("want shapes or full, not %q", s)
		}
		b.validate = s
		return nil
	})
	fs.BoolVar(&b.noCache, "no-cache", false, "validate everything, ignoring and not recording what earlier builds validated (the cache is in $"+valcache.EnvDir+", default <user cache dir>/pipec; "+valcache.EnvDir+"=off turns it off)")
}

// completeArgo completes --argo with the targets' names.
func completeArgo(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	names := make([]string, len(compiler.Targets))
	for i, t := range compiler.Targets {
		names[i] = t.Name()
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// pipeFileArgs completes .pipe files and directories in the shell.
func pipeFileArgs(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"pipe"}, cobra.ShellCompDirectiveFilterFileExt
}

func newBuildCmd() *cobra.Command {
	var (
		bf             buildFlags
		check, timings bool
		stdinFilename  string
		format         *choice
	)
	cmd := &cobra.Command{
		Use:   "build [-o DIR] [-p name=value]... [--check] FILE|DIR|-...",
		Short: "compile .pipe files to Argo Workflows YAML",
		Long: "Compiles .pipe files (directories are searched for them) to Argo Workflows YAML.\n" +
			"With one pipeline and no -o, the YAML goes to standard output:\n\n" +
			"\tpipec build etl.pipe | kubectl create -f -\n\n" +
			"A - reads a source from standard input (cat etl.pipe | pipec build -).\n" +
			"Errors go to standard error as file:line:col: message; the exit status is 1 on\n" +
			"errors in the sources and 2 on usage errors.",
		ValidArgsFunction: pipeFileArgs,
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if len(inputs) == 0 {
				return usageErrorf("no input files")
			}
			if err := checkOutDir(bf.outDir); err != nil {
				return err
			}
			in, err := gatherInputs("build", inputs, cmd.InOrStdin(), stdinFilename, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			rep := newReporter(cmd, format)
			if rep.machine() && !check && bf.outDir == "" {
				return usageErrorf("--format %s writes its report to standard output, where the YAML would go\n\thint: write the YAML with -o DIR, or compare it with --check", rep.format)
			}
			return exitStatus(runBuild(&bf, check, timings, in, rep))
		},
	}
	bf.register(cmd.Flags())
	cmd.RegisterFlagCompletionFunc("argo", completeArgo)
	cmd.Flags().BoolVar(&timings, "timings", false, "print the time each phase took (load, check, lower, emit, validate, write) to standard error")
	cmd.Flags().BoolVar(&check, "check", false, "compile, then compare with the YAML already in -o DIR (default: next to each source) and fail with a diff if it differs")
	cmd.Flags().StringVar(&stdinFilename, "stdin-filename", "", "the `FILE` standard input (-) stands for, in positions and for its imports (default <stdin>, imports relative to the current directory)")
	format = addFormatFlag(cmd)
	return cmd
}

// runBuild is pipec build once its flags are parsed; it returns the exit
// status.
func runBuild(bf *buildFlags, check, timings bool, in *inputs, rep *reporter) int {
	stdout, stderr := rep.stdout, rep.stderr
	files := in.files
	opts := bf.options()
	opts.Release = true // the AST, model and objects dropped once used
	var pending *pendingOutputs
	if bf.outDir != "" && !check {
		// The YAML goes to temporaries as it is rendered, each renamed
		// over its file once its pipeline is compiled and validated.
		if err := os.MkdirAll(bf.outDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "pipec build: %v\n", err)
			return 1
		}
		fsutil.RemoveStaleTemps(bf.outDir, ".yaml") // left by a killed build
		pending = &pendingOutputs{dir: bf.outDir, files: map[*compiler.Pipeline]*renameio.PendingFile{}}
		defer pending.cleanup()
		opts.EmitTo = pending.create
	}
	res := compiler.Compile(in.src, files, opts)
	if timings {
		writeStart := time.Now()
		defer func() { printTimings(stderr, res.Timings, time.Since(writeStart)) }()
	}
	if rep.machine() {
		defer rep.finish()
		rep.report(res.Diags, noSource)
	} else if len(res.Diags) > 0 {
		rep.writeText(diagText(res))
	}
	failed := res.Diags.HasErrors()
	if !failed && len(res.Program.Pipelines) == 0 {
		fmt.Fprintf(stderr, "pipec build: no pipeline in %s: nothing to compile\n\thint: a file needs a pipeline NAME { ... } block; files with only templates are used through import\n", strings.Join(files, ", "))
		return 1
	}
	switch {
	case check:
		diffs := stdout
		if rep.machine() {
			diffs = stderr // stdout has the report
		}
		if ds := checkOutputs(res, bf.outDir, diffs); len(ds) > 0 {
			rep.report(ds, noSource)
			failed = true
		}
	case pending != nil:
		for _, out := range res.Outputs {
			if err := pending.commit(out); err != nil {
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

// pendingOutputs are the output files of a build with -o DIR while it
// compiles: a temporary for each pipeline whose YAML is being written
// (compiler.Options.EmitTo), renamed over DIR/<pipeline>.yaml once the
// pipeline has an Output (it compiled and validated), removed otherwise:
// a file is replaced whole or not at all.
type pendingOutputs struct {
	dir   string
	files map[*compiler.Pipeline]*renameio.PendingFile
}

// create starts the output file of p.
func (po *pendingOutputs) create(p *compiler.Pipeline) (io.Writer, error) {
	path := filepath.Join(po.dir, p.Name+".yaml")
	f, err := fsutil.CreateAtomic(path, 0o644)
	if err != nil {
		return nil, err
	}
	po.files[p] = f
	return errorPath{f, path}, nil
}

// commit makes out's file the real one.
func (po *pendingOutputs) commit(out *compiler.Output) error {
	f := po.files[out.Pipeline]
	if f == nil {
		return fmt.Errorf("%s: not written", filepath.Join(po.dir, out.FileName()))
	}
	delete(po.files, out.Pipeline)
	defer f.Cleanup()
	return f.CloseAtomicallyReplace()
}

// cleanup removes the temporaries not committed.
func (po *pendingOutputs) cleanup() {
	for _, f := range po.files {
		f.Cleanup()
	}
}

// errorPath names the output file, not its temporary, in write errors.
type errorPath struct {
	w    io.Writer
	path string
}

func (e errorPath) Write(b []byte) (int, error) {
	n, err := e.w.Write(b)
	if pe, ok := err.(*fs.PathError); ok {
		err = &fs.PathError{Op: pe.Op, Path: e.path, Err: pe.Err}
	}
	return n, err
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

// diagText is a result's diagnostics as the CLI prints them: with source
// excerpts (diag.Print), and a count when there is more than one error.
func diagText(res *compiler.Result) string {
	if len(res.Diags) == 0 {
		return ""
	}
	var b strings.Builder
	diag.Print(&b, res.Diags, func(name string) []byte {
		if f := res.Unit.Files[name]; f != nil {
			return f.Source
		}
		return nil
	})
	if n := res.Diags.ErrorCount(); res.Diags.Truncated() {
		fmt.Fprintf(&b, "more than %d errors\n", n)
	} else if n > 1 {
		fmt.Fprintf(&b, "%d errors\n", n)
	}
	return b.String()
}

// checkOutputs compares compiled YAML with the files on disk, writing a
// diff of each file that differs to diffs; it returns a diagnostic for each
// file missing or out of date.
func checkOutputs(res *compiler.Result, outDir string, diffs io.Writer) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, out := range res.Outputs {
		dir := outDir
		if dir == "" {
			dir = filepath.Dir(out.Pipeline.File.Name)
		}
		path := filepath.Join(dir, out.FileName())
		hint := fmt.Sprintf("run pipec build -o %s and commit the result", dir)
		old, err := os.ReadFile(path)
		if err != nil {
			ds.Errorf(diag.Range{Filename: path}, "missing: pipeline %q compiles to it", out.Pipeline.Name).WithHint("%s", hint)
			continue
		}
		if !bytes.Equal(old, out.YAML) {
			diffs.Write(diff.Diff(path, old, path+" (compiled)", out.YAML))
			ds.Errorf(diag.Range{Filename: path, Start: firstChange(old, out.YAML)}, "out of date with %s", out.Pipeline.File.Name).WithHint("%s", hint)
		}
	}
	return ds
}
