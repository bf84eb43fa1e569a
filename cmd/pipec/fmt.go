package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/dsl"
	"github.com/pipec/pipec/internal/fsutil"
)

func init() {
	register("fmt", "format .pipe files in the canonical layout", runFmt)
}

const fmtUsageLine = "[-w] [-l] [-d] [--check] FILE|DIR..."

// runFmt is `pipec fmt`: it formats .pipe files. Exit status: 0 on success,
// 1 when a file has syntax errors, cannot be read or written, or (with
// --check) is not formatted, 2 on usage errors.
func runFmt(args []string, stdout, stderr io.Writer) int {
	var write, list, showDiff, check bool
	fs := newFlagSet("fmt", fmtUsageLine,
		"Formats .pipe files (directories are searched for them, hidden ones skipped)\n"+
			"in pipec's one canonical layout, keeping comments. By default the formatted\n"+
			"text goes to standard output; a file with syntax errors is never formatted:\n"+
			"its errors go to standard error as file:line:col: message and the exit status\n"+
			"is 1.\n\n"+
			"\tpipec fmt -w .          rewrite every .pipe file below the current directory\n"+
			"\tpipec fmt --check .     fail (exit 1) listing the files that need formatting", stderr)
	fs.BoolVar(&write, "w", false, "write the result back to each file (only files that change; atomically, keeping the file mode)")
	fs.BoolVar(&list, "l", false, "list the files whose formatting differs from pipec fmt's")
	fs.BoolVar(&showDiff, "d", false, "print a unified diff of the changes instead of the formatted text")
	fs.BoolVar(&check, "check", false, "exit with status 1 if any file is not formatted, listing them on standard error; change nothing")
	inputs, status, ok := parseFlags(fs, args, stdout)
	if !ok {
		return status
	}
	if len(inputs) == 0 {
		fmt.Fprintf(stderr, "pipec fmt: no input files\nUsage: pipec fmt %s\n", fmtUsageLine)
		return 2
	}
	if write && check {
		fmt.Fprintln(stderr, "pipec fmt: -w and --check cannot be used together")
		return 2
	}
	files, err := compiler.FindPipeFiles(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "pipec fmt: %v\n", err)
		return 1
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "pipec fmt: no .pipe files in %s\n", strings.Join(inputs, ", "))
		return 1
	}
	status = 0
	var unformatted []string
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "pipec fmt: %v\n", err)
			status = 1
			continue
		}
		out, diags := dsl.FormatSource(file, src)
		if diags.HasErrors() {
			for _, d := range diags {
				fmt.Fprintln(stderr, d.String())
			}
			status = 1
			continue
		}
		changed := !bytes.Equal(src, out)
		if changed {
			unformatted = append(unformatted, file)
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
		for _, f := range unformatted {
			fmt.Fprintf(stderr, "%s: not formatted\n", f)
		}
		fmt.Fprintf(stderr, "pipec fmt: %d file(s) need formatting\n\thint: run pipec fmt -w on them\n", len(unformatted))
		return 1
	}
	return status
}
