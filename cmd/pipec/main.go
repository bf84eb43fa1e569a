// Command pipec compiles .pipe pipelines to Argo Workflows.
//
//	pipec build [-o DIR] [-p name=value]... [--check] FILE|DIR...
//	pipec watch [-o DIR] [-p name=value]... [--poll DURATION] [--log FILE] FILE|DIR...
//	pipec fmt [-w] [-l] [-d] [--check] FILE|DIR...
//	pipec lsp
//	pipec version
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// version is set at link time with -ldflags "-X main.version=...".
var version = ""

// A command runs with its arguments and returns the exit status:
// 0 success, 1 errors in the user's input, 2 usage errors.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by each command's file.
var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{summary: summary, run: run}
}

func init() {
	register("build", "compile .pipe files to Argo Workflows YAML", runBuild)
	register("version", "print pipec's version", runVersion)
	register("help", "show help for a command", runHelp)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "pipec: internal error: %v\nThis is a bug in pipec; please report it with the input that caused it.\n", r)
			status = 3
		}
	}()
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "-version", "--version":
		return runVersion(nil, stdout, stderr)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "pipec: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, "pipec compiles .pipe pipelines to Argo Workflows.\n\nUsage:\n\n\tpipec <command> [arguments]\n\nCommands:\n\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nRun 'pipec help <command>' or 'pipec <command> --help' for a command's flags.\n")
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "pipec help: unknown command %q\n", args[0])
		return 2
	}
	return cmd.run([]string{"--help"}, stdout, stderr)
}

func runVersion(_ []string, stdout, _ io.Writer) int {
	v := version
	if v == "" {
		v = "(devel)"
		if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
			v = info.Main.Version
		}
	}
	fmt.Fprintf(stdout, "pipec %s (Argo Workflows v3.7.18)\n", v)
	return 0
}
