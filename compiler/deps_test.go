package compiler

import (
	"testing"
)

func TestLowerDependsExpressions(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  step a { run ["sh"] output rows = file("/tmp/rows") }
  step b { run ["echo"] }
  step l for x in ["1", "2"] { run ["echo"] }
  step c after (a failed || b) && b succeeded { run ["echo"] }
  step d after a || b, l all_failed { run ["echo"] }
  step e after a omitted || b errored || b skipped { run ["echo"] }
  step f after b || a { run ["echo", "${a.rows}"] }
  step g { run ["echo", "${a.status}", "${b.exit_code}", "${a.started_at}", "${a.finished_at}", "${a.id}"] }
  step h after a when "${a.status} == Succeeded" { run ["echo"] }
}`)
	spec := obj.Spec()
	for name, want := range map[string]string{
		"c": "(a.Failed || b) && b.Succeeded",
		"d": "(a || b) && l.AllFailed",
		"e": "a.Omitted || b.Errored || b.Skipped",
		"f": "b || a",
		"g": "(a.Succeeded || a.Failed || a.Errored) && (b.Succeeded || b.Failed || b.Errored)",
		"h": "a",
	} {
		if got := task(t, spec, name).Depends; got != want {
			t.Errorf("%s depends = %q, want %q", name, got, want)
		}
	}
	args := map[string]string{}
	for _, p := range task(t, spec, "g").Arguments.Parameters {
		args[p.Name] = p.Value.String()
	}
	for name, want := range map[string]string{
		"a-status": "{{tasks.a.status}}", "b-exit_code": "{{tasks.b.exitCode}}", "a-started_at": "{{tasks.a.startedAt}}",
		"a-finished_at": "{{tasks.a.finishedAt}}", "a-id": "{{tasks.a.id}}",
	} {
		if args[name] != want {
			t.Errorf("g argument %s = %q, want %q (all: %v)", name, args[name], want, args)
		}
	}
	if got := task(t, spec, "h").When; got != "{{tasks.a.status}} == Succeeded" {
		t.Errorf("h when = %q", got)
	}
}

func TestCheckDependencies(t *testing.T) {
	runCkCases(t, []ckCase{
		{"unknown step in an expression", `pipeline p { image "a"
  step alpha { run ["x"] }
  step b after (alph || alpha failed) { run ["x"] } }`, []string{`3:17: unknown step "alph" | hint: did you mean "alpha"?`}},
		{"daemoned needs a daemon", `pipeline p { image "a"
  step a { run ["x"] }
  step b after a daemoned { run ["x"] } }`, []string{`3:16: "daemoned" applies only to a daemon step, and "a" is not one`}},
		{"all_failed needs a loop", `pipeline p { image "a"
  step a { run ["x"] }
  step b after a all_failed || a { run ["x"] } }`, []string{`3:16: "all_failed" applies only to a step that loops`}},
		{"output of a failed step", `pipeline p { image "a"
  step a { run ["x"] output o = file("/tmp/o") }
  step b after a failed { run ["echo", "${a.o}"] } }`, []string{`3:41: ${a.o}: step "b" runs after a failed, when it has no outputs | hint: outputs exist only when a step succeeds`}},
		{"output of a step that may have failed is fine", `pipeline p { image "a"
  step a { run ["x"] output o = file("/tmp/o") }
  step b after a failed || a succeeded { run ["echo", "${a.o}"] } }`, nil},
		{"exit code of a ref step is allowed", `pipeline p { image "a"
  step a uses ref("wt", "t")
  step b { run ["echo", "${a.exit_code}"] } }`, nil},
		{"ip needs a daemon", `pipeline p { image "a"
  step a { run ["x"] }
  step b { run ["echo", "${a.ip}"] } }`, []string{`3:26: ${a.ip}: only a daemon step has an IP, and "a" is not one | hint: add daemon to step a`}},
		{"did you mean a step field", `pipeline p { image "a"
  step a { run ["x"] }
  step b { run ["echo", "${a.statu}"] } }`, []string{`3:26: step "a" has no output "statu" | hint: did you mean ${a.status}?`}},
		{"reserved output names", `pipeline p { image "a"
  step a { run ["x"] output status = file("/tmp/s") } }`, []string{`2:29: output name "status" is reserved: ${a.status} is a field of every step`}},
		{"a handler cannot see a main step's status", `pipeline p { image "a"
  step a { run ["x"] }
  on exit step n { run ["echo", "${a.status}"] } }`, []string{`3:34: ${a.status}: exit and failure handlers run after the main steps`}},
	})
}

func TestExitCodeOfARetriedStepIsNotMemoized(t *testing.T) {
	res, got := ckCompile(map[string]string{"p.pipe": `pipeline p { image "a" retry 2
  step a { run ["x"] }
  step b after a completed { run ["echo", "${a.exit_code}"] } }`}, "p.pipe")
	if len(got) != 1 || got[0] != `2:8: step "a" is not memoized: another step reads its ${a.exit_code}, which needs the retryStrategy on the step's own template, and Argo v3.7 cannot memoize such a template | hint: add memoize off to the step to say so and silence this warning` {
		t.Fatalf("diagnostics: %q", got)
	}
	for _, o := range res.Outputs {
		for _, tmpl := range o.Object.Spec().Templates {
			if tmpl.Name == "a" && (tmpl.Memoize != nil || tmpl.RetryStrategy == nil) {
				t.Errorf("a: memoize %v, retryStrategy %v", tmpl.Memoize, tmpl.RetryStrategy)
			}
			if tmpl.Name == "a-with-retry" {
				t.Errorf("a is wrapped")
			}
		}
	}
}
