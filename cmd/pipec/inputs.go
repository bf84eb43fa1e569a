package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pipec/pipec/compiler"
)

// stdinName is the file name of standard input in positions, unless
// --stdin-filename gives a real one.
const stdinName = "<stdin>"

// inputs are the sources a command reads: files named on the command line
// (directories searched for .pipe files) and, for -, standard input.
type inputs struct {
	files []string         // to compile or format, in order, each once
	src   compiler.Sources // the disk, with standard input overlaid
	stdin string           // the name standard input goes by, or ""
}

// gatherInputs expands the command line's arguments. "-" reads standard
// input, named stdinFilename (or <stdin>) in positions; imports in it are
// relative to that name's directory (or the current directory). It returns
// a usage error for misuse, and prints and returns status 1 for files that
// cannot be found.
func gatherInputs(name string, args []string, stdin io.Reader, stdinFilename string, stderr io.Writer) (*inputs, error) {
	in := &inputs{src: compiler.DiskSources{}}
	dashes := 0
	for _, a := range args {
		if a == "-" {
			dashes++
		}
	}
	switch {
	case dashes > 1:
		return nil, usageErrorf("- (standard input) can be named only once")
	case dashes == 0 && stdinFilename != "":
		return nil, usageErrorf("--stdin-filename names standard input: use it with - (pipec %s --stdin-filename %s -)", name, stdinFilename)
	}
	if dashes == 1 {
		in.stdin = stdinName
		if stdinFilename != "" {
			if st, err := os.Stat(stdinFilename); err == nil && st.IsDir() {
				return nil, usageErrorf("--stdin-filename %s is a directory: it must name a .pipe file", stdinFilename)
			}
			in.stdin = filepath.Clean(stdinFilename)
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "pipec %s: reading standard input: %v\n", name, err)
			return nil, exitStatus(1)
		}
		in.src = compiler.Overlay{Files: map[string][]byte{in.stdin: data}, Base: compiler.DiskSources{}}
	}
	expanded := make([]string, len(args))
	for i, a := range args {
		expanded[i] = a
		if a == "-" {
			expanded[i] = in.stdin
		}
	}
	files, err := compiler.FindPipeFiles(expanded)
	if err != nil {
		fmt.Fprintf(stderr, "pipec %s: %v\n", name, err)
		return nil, exitStatus(1)
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "pipec %s: no .pipe files in %s\n", name, strings.Join(args, ", "))
		return nil, exitStatus(1)
	}
	in.files = files
	return in, nil
}

// kubectlFormats are the values of kubectl's and argo's -o (output format):
// as pipec's -o (output directory) they are almost surely a mistake.
var kubectlFormats = []string{"json", "yaml", "wide", "name"}

// checkOutDir refuses an output directory that looks like an output format
// (pipec build -o json), which would quietly create a directory named json,
// standard output's usual name (-o -), which would create a directory named
// -, and a path that exists and is not a directory (-o /dev/null, -o
// out.yaml), which would fail later with mkdir's error.
func checkOutDir(dir string) error {
	for _, f := range kubectlFormats {
		if dir == f {
			return usageErrorf("-o %s: pipec's -o is the output directory (--out-dir), not an output format\n\thint: pipec build prints YAML on standard output without -o; for a directory named %s, write -o ./%s", dir, dir, dir)
		}
	}
	for _, f := range []string{"jsonpath=", "go-template=", "custom-columns=", "template="} {
		if strings.HasPrefix(dir, f) {
			return usageErrorf("-o %s: pipec's -o is the output directory (--out-dir), not an output format\n\thint: pipec build prints YAML on standard output without -o", dir)
		}
	}
	if dir == "-" {
		return usageErrorf("-o -: pipec's -o is the output directory (--out-dir), not an output file\n\thint: pipec build prints YAML on standard output without -o; for a directory named -, write -o ./-")
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageErrorf("-o %s: not a directory: pipec's -o is the output directory (--out-dir), where each pipeline's YAML goes as <pipeline>.yaml\n\thint: pipec build prints YAML on standard output without -o (redirect it: > %s)", dir, dir)
	}
	return nil
}
