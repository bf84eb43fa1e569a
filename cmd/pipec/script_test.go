package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pipec": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI tests in testscripts/*.txtar with pipec as a
// command.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testscripts",
		RequireExplicitExec: false,
		Cmds:                scriptCommands,
	})
}

// scriptCommands are extra testscript commands (see waitfor_test.go and
// others); files may add to it in init.
var scriptCommands = map[string]func(ts *testscript.TestScript, neg bool, args []string){}
