package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
		Condition:           scriptCondition,
		Setup: func(env *testscript.Env) error {
			// $PIPEC_REPO is this repository, for tests of its own files
			// (.pre-commit-hooks.yaml through pre-commit).
			repo, err := filepath.Abs("../..")
			env.Setenv("PIPEC_REPO", repo)
			return err
		},
	})
}

// scriptCondition adds testscript conditions: [bashcompletion] holds where
// bash and the bash-completion package (which bash completion scripts
// need; .ci/run installs it) are installed.
func scriptCondition(cond string) (bool, error) {
	switch cond {
	case "bashcompletion":
		if _, err := exec.LookPath("bash"); err != nil {
			return false, nil
		}
		_, err := os.Stat("/usr/share/bash-completion/bash_completion")
		return err == nil, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// scriptCommands are extra testscript commands (see waitfor_test.go and
// others); files may add to it in init.
var scriptCommands = map[string]func(ts *testscript.TestScript, neg bool, args []string){}
