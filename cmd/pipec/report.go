package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/pipec/pipec/diag"
)

// choice is a flag value that must be one of a few words.
type choice struct {
	value   string
	choices []string
}

func (c *choice) String() string { return c.value }
func (c *choice) Type() string   { return strings.Join(c.choices, "|") }

func (c *choice) Set(s string) error {
	for _, v := range c.choices {
		if s == v {
			c.value = s
			return nil
		}
	}
	msg := "want " + strings.Join(c.choices[:len(c.choices)-1], ", ") + " or " + c.choices[len(c.choices)-1]
	if sug := diag.Suggest(s, c.choices); sug != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sug)
	}
	return fmt.Errorf("%s", msg)
}

// addChoiceFlag defines a choice flag on cmd, with shell completion of its
// words.
func addChoiceFlag(cmd *cobra.Command, fs *pflag.FlagSet, name, usage string, choices ...string) *choice {
	c := &choice{value: choices[0], choices: choices}
	fs.Var(c, name, usage)
	cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return choices, cobra.ShellCompDirectiveNoFileComp
	})
	return c
}

// addColorFlag defines --color on the root, for every command.
func addColorFlag(root *cobra.Command) {
	addChoiceFlag(root, root.PersistentFlags(), "color",
		"colour diagnostics: auto (on a terminal, unless $NO_COLOR is set or $TERM is dumb), always or never",
		"auto", "always", "never")
}

// colorFor reports whether diagnostics written to w get colour, by
// --color: always, never, or auto: when w is a terminal, NO_COLOR is unset
// or empty (no-color.org) and TERM is not dumb.
func colorFor(cmd *cobra.Command, w io.Writer) bool {
	mode := "auto"
	if f := cmd.Flags().Lookup("color"); f != nil {
		mode = f.Value.String()
	}
	return colorMode(mode, w, os.Getenv)
}

// colorMode decides colour for mode, w and the environment.
func colorMode(mode string, w io.Writer, getenv func(string) string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// addFormatFlag defines --format on a command that reports diagnostics.
func addFormatFlag(cmd *cobra.Command) *choice {
	names := make([]string, len(diag.Formats))
	for i, f := range diag.Formats {
		names[i] = string(f)
	}
	return addChoiceFlag(cmd, cmd.Flags(), "format",
		"write diagnostics as text (on standard error), or as one json, sarif (SARIF 2.1.0) or github (Actions workflow commands) report on standard output",
		names...)
}

// reporter writes a command's diagnostics: as text on stderr while it
// runs (coloured if asked), or, in a machine-readable format, gathered and
// written once to stdout at the end.
type reporter struct {
	format diag.Format
	color  bool
	stdout io.Writer
	stderr io.Writer
	all    diag.Diagnostics // gathered, for a machine-readable format
}

func newReporter(cmd *cobra.Command, format *choice) *reporter {
	f := diag.FormatText
	if format != nil {
		f = diag.Format(format.value)
	}
	return &reporter{format: f, color: colorFor(cmd, cmd.ErrOrStderr()), stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr()}
}

// machine reports whether the report is machine-readable (on stdout).
func (r *reporter) machine() bool { return r.format != diag.FormatText }

// report prints (text) or gathers (other formats) diagnostics; source gives
// a file's text for excerpts (nil if unknown).
func (r *reporter) report(ds diag.Diagnostics, source func(string) []byte) {
	if len(ds) == 0 {
		return
	}
	if r.machine() {
		r.all = append(r.all, ds...)
		return
	}
	var b strings.Builder
	diag.Print(&b, ds, source)
	r.writeText(b.String())
}

// writeText writes text diagnostics (Print's layout) to stderr.
func (r *reporter) writeText(s string) {
	if r.color {
		s = diag.Colorize(s)
	}
	io.WriteString(r.stderr, s)
}

// finish writes a machine-readable report to stdout.
func (r *reporter) finish() {
	switch r.format {
	case diag.FormatJSON:
		diag.WriteJSON(r.stdout, r.all)
	case diag.FormatSARIF:
		diag.WriteSARIF(r.stdout, r.all, diag.Tool{Name: "pipec", Version: versionString()})
	case diag.FormatGitHub:
		diag.WriteGitHub(r.stdout, r.all, "pipec")
	}
}

// noSource is the source of files a report has no text for.
func noSource(string) []byte { return nil }

// firstChange is the position of the first line where a and b differ.
func firstChange(a, b []byte) diag.Pos {
	line, off := 1, 0
	for {
		i := bytes.IndexByte(a[off:], '\n')
		j := bytes.IndexByte(b[off:], '\n')
		if i < 0 || i != j || !bytes.Equal(a[off:off+i], b[off:off+j]) {
			return diag.Pos{Offset: off, Line: line, Column: 1}
		}
		off += i + 1
		line++
	}
}
