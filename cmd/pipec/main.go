// Command pipec compiles .pipe pipelines to Argo Workflows.
//
//	pipec build [-o DIR] [-p name=value]... [--check] FILE|DIR...
//	pipec watch [-o DIR] [-p name=value]... [--poll DURATION] [--log FILE] FILE|DIR...
//	pipec fmt [-w] [-l] [-d] [--check] FILE|DIR...
//	pipec lsp
//	pipec version
//
// The command line is built with spf13/cobra (the library kubectl and argo
// use): each command lives in its own file, which registers a constructor
// with register in an init function (see commands.go).
package main

import (
	// First: the collector's policy, set before the packages that
	// allocate at start are initialised (see the package).
	"github.com/pipec/pipec/internal/gcbudget"

	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs pipec with its arguments and returns the exit status: 0 success,
// 1 errors in the user's input, 2 usage errors, 3 an internal error (a
// panic, reported with its message).
func run(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "pipec: internal error: %v\nThis is a bug in pipec; please report it with the input that caused it.\n", r)
			status = 3
		}
	}()
	root := newRoot(stdout, stderr)
	budgetOneShots(root)
	if len(args) == 0 {
		root.SetOut(stderr)
		root.Usage()
		return 2
	}
	root.SetArgs(normalizeArgs(root, args))
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.msg != "" {
			fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), exit.msg)
		}
		if exit.status == 2 {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return exit.status
	}
	// Errors cobra itself returns (unknown commands, bad arguments) are
	// usage errors.
	fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return 2
}

// An exitError ends a command with an exit status; its message, if any, is
// printed after the command's name. Status 2 (a usage error) adds a pointer
// to the command's help.
type exitError struct {
	status int
	msg    string
}

func (e *exitError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("exit status %d", e.status)
}

// exitStatus turns a command's exit status into its RunE result: nil for 0,
// a silent exitError otherwise (the command has printed its messages).
func exitStatus(status int) error {
	if status == 0 {
		return nil
	}
	return &exitError{status: status}
}

// usageErrorf is a usage error (exit status 2) with its message.
func usageErrorf(format string, args ...any) error {
	return &exitError{status: 2, msg: fmt.Sprintf(format, args...)}
}

// oneShotCommands are the commands that read pipelines and end when done:
// the garbage collector gets a one-shot budget (gcbudget.OneShot) for
// them. The others keep Go's defaults: long-lived ones (lsp, watch, and run,
// which may wait for hours on a cluster) and those that read no pipeline.
var oneShotCommands = map[string]bool{"build": true, "fmt": true, "graph": true, "import": true}

// budgetOneShots makes the root's persistent pre-run hook, which cobra runs
// before any command's own RunE (no command has a hook of its own), give
// the one-shot commands their collector's budget.
func budgetOneShots(root *cobra.Command) {
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		if isOneShot(cmd) {
			gcbudget.OneShot()
		}
	}
}

// isOneShot reports whether cmd is one of oneShotCommands (a command of
// the root, not one of the same name further down).
func isOneShot(cmd *cobra.Command) bool {
	return cmd.HasParent() && !cmd.Parent().HasParent() && oneShotCommands[cmd.Name()]
}
