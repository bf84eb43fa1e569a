package main

import (
	"fmt"
	"github.com/pipec/pipec/compiler"
	"io"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipec/pipec/diag"
)

// Adding a command: write one file, cmd/pipec/NAME.go, with a constructor
// that returns the *cobra.Command (Use, Short, Long, flags, RunE) and an
// init function that registers it:
//
//	func init() { register(newRunCmd) }
//
//	func newRunCmd() *cobra.Command {
//		cmd := &cobra.Command{Use: "run [flags] FILE", Short: "...", RunE: ...}
//		cmd.Flags().StringVar(...)
//		return cmd
//	}
//
// RunE writes to cmd.OutOrStdout() and cmd.ErrOrStderr() and returns nil
// (exit 0), exitStatus(n), or usageErrorf(...) (exit 2). Help, did-you-mean,
// shell completion and the man page pick the command up by themselves.

// constructors are the registered commands' constructors; run builds a
// fresh command tree from them each time (flags hold per-run state).
var constructors []func() *cobra.Command

// register adds a command to pipec; call it from an init function.
func register(newCmd func() *cobra.Command) {
	constructors = append(constructors, newCmd)
}

// argoVersion names the Argo Workflows releases pipec's output targets:
// the default first, then the others with their --argo value.
var argoVersion = func() string {
	v := compiler.DefaultTarget.Release()
	for _, t := range compiler.Targets {
		if t != compiler.DefaultTarget {
			v += ", " + t.Release() + " with --argo " + t.Name()
		}
	}
	return v
}()

// version is set at link time with -ldflags "-X main.version=...".
var version = ""

// versionString is pipec's version: the one stamped at link time, the
// module's when installed with go install, or (devel).
func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// newRoot builds pipec's command tree, writing to stdout and stderr.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "pipec",
		Short: "compile .pipe pipelines to Argo Workflows",
		Long:  "pipec compiles .pipe pipelines to Argo Workflows.",
		// Runnable, so that arguments reach unknownCommand rather than
		// cobra's own message.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			if v, _ := cmd.Flags().GetBool("version"); v {
				fmt.Fprintf(cmd.OutOrStdout(), "pipec %s (Argo Workflows %s)\n", versionString(), argoVersion)
				return nil
			}
			return cmd.Help()
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		// Generated docs (the man page) carry no date: reproducible.
		DisableAutoGenTag: true,
	}
	root.Flags().Bool("version", false, "print pipec's version")
	addColorFlag(root)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetHelpCommand(newHelpCmd(root))
	root.SuggestionsMinimumDistance = 2
	for _, newCmd := range constructors {
		cmd := newCmd()
		// Each command's Use spells out its flags.
		cmd.DisableFlagsInUseLine = true
		root.AddCommand(cmd)
	}
	// cobra adds these when it runs; add them now so that the usage
	// printed without running (pipec with no arguments) lists them too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Short = "print the shell completion script for bash, zsh, fish or powershell"
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown shell %q: want bash, zsh, fish or powershell", args[0])
			}
			return cmd.Help()
		}
	}
	return root
}

// unknownCommand is the root's argument check: an argument where a command
// belongs is an unknown command, with a did-you-mean.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("\n\thint: did you mean %q?", s[0])
	}
	return usageErrorf("%s", msg)
}

// flagError turns pflag's parse errors into usage errors, with a
// did-you-mean for an unknown flag close to a known one.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		if s := closestFlag(cmd, name); s != "" {
			msg += fmt.Sprintf("\n\thint: did you mean --%s?", s)
		}
	}
	return usageErrorf("%s", msg)
}

// closestFlag is the name of cmd's flag closest to name, if any is close:
// a likely typo (diag.Suggest), or name is the start of it.
func closestFlag(cmd *cobra.Command, name string) string {
	var names []string
	prefixed := ""
	visit := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		names = append(names, f.Name)
		if len(name) >= 2 && strings.HasPrefix(f.Name, name) && (prefixed == "" || f.Name < prefixed) {
			prefixed = f.Name
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	if s := diag.Suggest(name, names); s != "" {
		return s
	}
	return prefixed
}

// singleDashLong matches -name and -name=value.
var singleDashLong = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-([a-z][a-z0-9-]+)(=.*)?$`) })

// normalizeArgs accepts the single-dash long flags pipec took before it
// used cobra (-check, -no-validate, -help, -version: Go's flag package
// style) by rewriting them to --name, when name is a long flag of some
// command. Arguments after -- are left alone.
func normalizeArgs(root *cobra.Command, args []string) []string {
	long := map[string]bool{"help": true, "version": true}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if m := singleDashLong().FindStringSubmatch(a); m != nil && long[m[1]] {
			out[i] = "-" + a
		}
	}
	return out
}

// newHelpCmd is pipec help [command]: help on standard output, and an
// unknown command is a usage error (cobra's own help command exits 0).
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "show help for a command",
		Long:  "Shows help for a command, or the list of commands.",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
					names = append(names, c.Name())
				}
			}
			sort.Strings(names)
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			target, rest, err := root.Find(args)
			if err != nil || target == root || len(rest) > 0 {
				msg := fmt.Sprintf("unknown command %q", args[0])
				if s := root.SuggestionsFor(args[0]); len(s) > 0 {
					msg += fmt.Sprintf("\n\thint: did you mean %q?", s[0])
				}
				return &exitError{status: 2, msg: msg}
			}
			return target.Help()
		},
	}
}

func init() { register(newVersionCmd) }

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print pipec's version",
		Long:  "Prints pipec's version and the Argo Workflows version its output targets.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "pipec %s (Argo Workflows %s)\n", versionString(), argoVersion)
			return nil
		},
	}
}
