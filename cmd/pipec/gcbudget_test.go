package main

import (
	"io"
	"testing"

	"github.com/spf13/cobra"
)

// The one-shot commands that read pipelines get the collector's budget;
// the long-lived ones (lsp, watch, run) and the rest keep Go's defaults.
func TestOneShotCommands(t *testing.T) {
	root := newRoot(io.Discard, io.Discard)
	budgetOneShots(root)
	want := map[string]bool{
		"build": true, "fmt": true, "graph": true, "import": true,
		"lsp": false, "watch": false, "run": false, "resume": false, "status": false,
		"version": false, "man": false, "help": false, "completion": false,
	}
	for name, oneShot := range want {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd == root {
			t.Errorf("no command %q", name)
			continue
		}
		if got := isOneShot(cmd); got != oneShot {
			t.Errorf("isOneShot(%s) = %v, want %v", name, got, oneShot)
		}
	}
	for name := range oneShotCommands {
		if _, ok := want[name]; !ok {
			t.Errorf("one-shot command %q not in the test's list", name)
		}
	}
	if isOneShot(root) {
		t.Error("the root is one-shot")
	}
}

// cobra runs only the nearest persistent pre-run hook: a command with its
// own would skip the root's, and so the budget.
func TestNoOtherPreRunHooks(t *testing.T) {
	root := newRoot(io.Discard, io.Discard)
	budgetOneShots(root)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.PersistentPreRun != nil || sub.PersistentPreRunE != nil {
				t.Errorf("%s has its own persistent pre-run hook: the root's (the collector's budget) would not run", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
	if root.PersistentPreRunE != nil {
		t.Error("the root has a PersistentPreRunE, which cobra runs instead of PersistentPreRun")
	}
}
