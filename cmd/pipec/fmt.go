package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
	"github.com/pipec/pipec/internal/fsutil"
	"github.com/spf13/cobra"
)

func init() { register(newFmtCmd) }

// fmtFlags are pipec fmt's flags.
type fmtFlags struct {
	write, list, showDiff, check bool
	stdinFilename                string
	format                       *choice
}

func newFmtCmd() *cobra.Command {
	var ff fmtFlags
	cmd := &cobra.Command{
		Use:   "fmt [-w] [-l] [-d] [--check] FILE|DIR|-...",
		Short: "format .pipe files in the canonical layout",
		Long: "Formats .pipe files (directories are searched for them, hidden ones skipped)\n" +
			"in pipec's one canonical layout, keeping comments. By default the formatted\n" +
			"text goes to standard output; a file with syntax errors is never formatted:\n" +
			"its errors go to standard error as file:line:col: message and the exit status\n" +
			"is 1.\n\n" +
			"\tpipec fmt -w .          rewrite every .pipe file below the current directory\n" +
			"\tpipec fmt --check .     fail (exit 1) listing the files that need formatting\n" +
			"\tpipec fmt - < x.pipe    format standard input to standard output",
		ValidArgsFunction: pipeFileArgs,
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if len(inputs) == 0 {
				return usageErrorf("no input files")
			}
			if ff.write && ff.check {
				return usageErrorf("-w and --check cannot be used together")
			}
			in, err := gatherInputs("fmt", inputs, cmd.InOrStdin(), ff.stdinFilename, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if ff.write && in.stdin != "" {
				return usageErrorf("-w cannot write back standard input (-): the formatted text goes to standard output without -w")
			}
			rep := newReporter(cmd, ff.format)
			if rep.machine() && (!ff.check || ff.list || ff.showDiff) {
				return usageErrorf("--format %s is for --check alone: its report goes to standard output", rep.format)
			}
			return exitStatus(runFmt(&ff, in, rep))
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&ff.write, "write", "w", false, "write the result back to each file (only files that change; atomically, keeping the file mode)")
	fs.BoolVarP(&ff.list, "list", "l", false, "list the files whose formatting differs from pipec fmt's")
	fs.BoolVarP(&ff.showDiff, "diff", "d", false, "print a unified diff of the changes instead of the formatted text")
	fs.BoolVar(&ff.check, "check", false, "exit with status 1 if any file is not formatted, listing them on standard error; change nothing")
	fs.StringVar(&ff.stdinFilename, "stdin-filename", "", "the `FILE` standard input (-) stands for in positions and listings (default <stdin>)")
	ff.format = addFormatFlag(cmd)
	return cmd
}

// runFmt is `pipec fmt` once its flags are parsed: it formats .pipe files.
// Exit status: 0 on success, 1 when a file has syntax errors, cannot be read
// or written, or (with --check) is not formatted.
func runFmt(ff *fmtFlags, in *inputs, rep *reporter) int {
	write, list, showDiff, check := ff.write, ff.list, ff.showDiff, ff.check
	stdout, stderr := rep.stdout, rep.stderr
	if rep.machine() {
		defer rep.finish()
	}
	status := 0
	var unformatted diag.Diagnostics
	for _, file := range in.files {
		src, err := in.src.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "pipec fmt: %v\n", err)
			status = 1
			continue
		}
		out, diags := dsl.FormatSource(file, src)
		if diags.HasErrors() {
			rep.report(diags, func(string) []byte { return src })
			status = 1
			continue
		}
		if !bytes.Equal(src, out) {
			unformatted.Errorf(diag.Range{Filename: file, Start: firstChange(src, out)}, "not formatted").WithHint("run pipec fmt -w %s", file)
			if list {
				fmt.Fprintln(stdout, file)
			}
			if showDiff {
				stdout.Write(diff.Diff(file+".orig", src, file, out))
			}
			if write {
				if err := fsutil.WriteFileAtomic(file, out, 0o644); err != nil {
					fmt.Fprintf(stderr, "pipec fmt: %v\n", err)
					status = 1
				}
			}
		}
		if !write && !list && !showDiff && !check {
			stdout.Write(out)
		}
	}
	if check && len(unformatted) > 0 {
		if rep.machine() {
			rep.report(unformatted, noSource)
			return 1
		}
		var b strings.Builder
		for _, d := range unformatted {
			fmt.Fprintf(&b, "%s: not formatted\n", d.Range.Filename)
		}
		rep.writeText(b.String())
		fmt.Fprintf(stderr, "pipec fmt: %d file(s) need formatting\n\thint: run pipec fmt -w on them\n", len(unformatted))
		return 1
	}
	return status
}
