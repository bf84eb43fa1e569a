package compiler

import (
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

func TestLowerHooks(t *testing.T) {
	src := `
pipeline p {
  image "alpine"
  param who = "ana"
  on running step started { run ["echo", "${who}", "${workflow.status}"] }
  on late when "workflow.status == 'Running' && workflow.duration > 60" step late_hook { run ["echo", "late"] }
  step build-it {
    run ["make"]
    on running step build_running { run ["echo", "running"] }
    on failed step build_failed { run ["echo", "failed"] }
    on exit step build_exit { run ["echo", "${who}"] }
  }
  step test after build-it {
    run ["test"]
    on succeeded step test_ok { run ["echo", "ok"] retry 2 }
    on slow when "tasks.test.status == 'Running'" step test_slow { run ["echo", "slow"] }
  }
}
`
	obj := compileOne(t, src)
	spec := obj.Spec()
	if got := spec.Hooks["running"]; got.Template != "started" || got.Expression != `workflow.status == "Running"` {
		t.Errorf("workflow running hook: %+v", got)
	}
	if got := spec.Hooks["late"]; got.Template != "late-hook" || got.Expression != "workflow.status == 'Running' && workflow.duration > 60" {
		t.Errorf("workflow expression hook: %+v", got)
	}
	b := task(t, spec, "build-it")
	if got := b.Hooks["running"]; got.Template != "build-running" || got.Expression != `tasks["build-it"].status == "Running"` {
		t.Errorf("task running hook: %+v", got)
	}
	if got := b.Hooks["failed"]; got.Expression != `tasks["build-it"].status == "Failed"` {
		t.Errorf("task failed hook: %+v", got)
	}
	ex := b.Hooks["exit"]
	if ex.Template != "build-exit" || ex.Expression != "" {
		t.Errorf("task exit hook: %+v", ex)
	}
	if cmd := strings.Join(template(t, spec, "build-exit").Container.Command, " "); !strings.Contains(cmd, "{{workflow.parameters.who}}") && !strings.Contains(cmd, "{{inputs.parameters.") {
		t.Errorf("exit hook does not get parameter who: %s", cmd)
	}
	tt := task(t, spec, "test")
	if got := tt.Hooks["succeeded"]; got.Expression != `tasks.test.status == "Succeeded"` || got.Template != "test-ok" {
		t.Errorf("task succeeded hook: %+v", got)
	}
	if rs := template(t, spec, "test-ok").RetryStrategy; rs == nil || rs.Limit.IntValue() != 2 {
		t.Errorf("hook retry: %+v", rs)
	}
	if got := tt.Hooks["slow"]; got.Expression != "tasks.test.status == 'Running'" {
		t.Errorf("task expression hook: %+v", got)
	}
	// Hooks are never memoized, and get the retry environment.
	for _, name := range []string{"started", "late-hook", "build-running", "build-failed", "build-exit", "test-ok", "test-slow"} {
		tm := template(t, spec, name)
		if tm.Memoize != nil {
			t.Errorf("hook template %s is memoized", name)
		}
		env := map[string]bool{}
		for _, e := range tm.Container.Env {
			env[e.Name] = true
		}
		if !env[EnvRetryRunID] || !env[EnvRetryIndicator] {
			t.Errorf("hook template %s lacks the retry environment: %v", name, tm.Container.Env)
		}
	}
	// Only the two main steps are tasks of main.
	if n := len(template(t, spec, EntryTemplate).DAG.Tasks); n != 2 {
		t.Errorf("main has %d tasks, want 2", n)
	}
	// A hook does not change its step's memo key.
	plain := compileOne(t, `
pipeline p {
  image "alpine"
  param who = "ana"
  step build-it { run ["make"] }
  step test after build-it { run ["test"] }
}
`).Spec()
	for _, name := range []string{"build-it", "test"} {
		if a, b := template(t, spec, name).Memoize.Key, template(t, plain, name).Memoize.Key; a != b {
			t.Errorf("memo key of %s changed by its hooks:\n%s\n%s", name, a, b)
		}
	}
}

func TestLowerHooksInComposite(t *testing.T) {
	spec := compileOne(t, `
template group() {
  step inner {
    run ["echo"]
    on exit step inner_done { run ["echo", "done"] }
  }
}
pipeline p {
  image "alpine"
  step g uses group() { on running step g_running { run ["echo"] } }
}
`).Spec()
	if got := task(t, spec, "g").Hooks["running"]; got.Template != "g-running" {
		t.Errorf("hook of a composite call: %+v", got)
	}
	if got := task(t, spec, "group-inner").Hooks["exit"]; got.Template != "group-inner-done" {
		t.Errorf("hook in a composite: %+v", got)
	}
	template(t, spec, "group-inner-done")
}

func TestCheckHooks(t *testing.T) {
	runCkCases(t, []ckCase{
		{"unknown event", `pipeline p { image "a"
  step a { run ["x"] on runing step h { run ["y"] } }
}`, []string{`2:25: unknown event "runing": a hook named "runing" needs an expression that says when it runs | hint: did you mean "running"?`}},
		{"unknown workflow event", `pipeline p { image "a"
  step a { run ["x"] }
  on exitt step h { run ["y"] }
}`, []string{`3:6: unknown event "exitt"`}},
		{"two hooks of one event", `pipeline p { image "a"
  step a { run ["x"] on running step h { run ["y"] } on running step i { run ["y"] } }
}`, []string{`2:57: step "a" has two on running hooks (first at p.pipe:2:25)`}},
		{"hook clauses", `pipeline p { image "a"
  step a { run ["x"] }
  on running step h for x in ["1"] after a when "1 == 1" { run ["y"] }
}`, []string{`3:21: hook "h" runs once, when its event happens: it cannot loop`, `3:36: hook "h" runs when its event happens, not after other steps`, `3:44: hook "h" cannot have a when clause after its name`}},
		{"exit takes no expression", `pipeline p { image "a"
  step a { run ["x"] on exit when "true" step h { run ["y"] } }
  on failure when "true" step f { run ["y"] }
}`, []string{`2:35: on exit runs whatever the outcome of step a: it takes no expression`, `3:19: on failure runs whatever the outcome: it takes no expression`}},
		{"bad expression", `pipeline p { image "a"
  step a { run ["x"] on slow when "tasks.a.status ==" step h { run ["y"] } }
  on late when "${a.result} == 'x'" step g { run ["y"] }
}`, []string{`2:52: invalid hook expression: unexpected token EOF`, `3:16: a hook's expression is evaluated by Argo as it is: ${...} and {{...}} are not substituted in it`}},
		{"hooks exchange no outputs", `pipeline p { image "a"
  step a { run ["x"] output o = file("/o") on succeeded step h { run ["y", "${a.o}"] } }
  step b { run ["${h.result}"] }
  step c { run ["x"] on exit step ch { run ["${a.o}"] } }
}`, []string{`2:77: ${a.o}: hook "h" (on succeeded) cannot read the outputs of step "a": Argo gives a step's outputs only to its exit hook`,
			`3:18: ${h.result}: hooks run beside the steps`, `4:46: ${a.o}: hooks run beside the steps`}},
		{"an exit hook reads what Argo gives it", `pipeline p { image "a"
  step a { run ["x"] on exit step h { run ["y", "${a.result}", "${a.status}"] } }
  step l for i in [1, 2] { run ["x"] output o = file("/o") on exit step lh { run ["${l.o}"] } }
  step b { run ["x"] artifact m at "/m" on running step bh { input m at "/m" from b.m run ["y"] } }
}`, []string{`2:50: ${a.result}: Argo gives the exit hook of step "a" its output parameters and artifacts, not its standard output`,
			`2:65: ${a.status}: the exit hook of step "a" gets its output parameters and artifacts, not ${a.status}`,
			`3:84: ${l.o}: step "l" loops, and its exit hook runs once for all its iterations`,
			`4:83: b.m: hook "bh" (on running) cannot read the outputs of step "b"`}},
		{"hook expression errors point inside the string", `pipeline p { image "a"
  step a { run ["x"] on slow when "tasks.a.status == )" step h { run ["y"] } }
}`, []string{`2:54: invalid hook expression: unexpected token Bracket(")")`}},
		{"no hooks of hooks", `pipeline p { image "a"
  step a { run ["x"] }
  on running step h { run ["y"] on exit step i { run ["z"] } }
}`, []string{`3:36: hook "h" cannot have hooks of its own`}},
		{"hook names are step names", `pipeline p { image "a"
  step a { run ["x"] on running step a { run ["y"] } }
  step b { run ["x"] on running step b_1 { run ["y"] } }
  step b-1 { run ["x"] }
}`, []string{`2:38: step "a" is defined twice`, `3:38: steps "b-1" and "b_1" both become the Argo name "b-1"`}},
		{"hooks are never memoized", `pipeline p { image "a"
  step a { run ["x"] on running step h { run ["y"] memoize on } }
}`, []string{`2:52: exit and failure handlers and hooks are never memoized`}},
	})
}

func TestLowerExitHookReadsItsStep(t *testing.T) {
	for _, tc := range []struct{ name, src, kind string }{
		{"dag", `pipeline p {
  image "alpine"
  step a {
    run ["x"]
    output result = file("/tmp/r")
    artifact log at "/tmp/log"
    on exit step done {
      input log at "/tmp/in" from a.log
      run ["echo", "${a.result}"]
    }
  }
}`, "tasks"},
		{"stage", `pipeline p {
  image "alpine"
  stage {
    step a {
      run ["x"]
      output result = file("/tmp/r")
      artifact log at "/tmp/log"
      on exit step done {
        input log at "/tmp/in" from a.log
        run ["echo", "${a.result}"]
      }
    }
  }
}`, "steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := compileOne(t, tc.src).Spec()
			main := template(t, spec, EntryTemplate)
			var hooks map[string]string
			var arts map[string]string
			var depends string
			collect := func(h wfv1.LifecycleHooks) {
				ex := h["exit"]
				hooks, arts = map[string]string{}, map[string]string{}
				for _, p := range ex.Arguments.Parameters {
					hooks[p.Name] = p.Value.String()
				}
				for _, a := range ex.Arguments.Artifacts {
					arts[a.Name] = a.From
				}
			}
			if main.DAG != nil {
				collect(main.DAG.Tasks[0].Hooks)
				depends = main.DAG.Tasks[0].Depends
			} else {
				collect(main.Steps[0].Steps[0].Hooks)
			}
			found := false
			for _, v := range hooks {
				found = found || v == "{{"+tc.kind+".a.outputs.parameters.result}}"
			}
			if !found {
				t.Errorf("exit hook parameters %v do not read {{%s.a.outputs.parameters.result}}", hooks, tc.kind)
			}
			if arts["log"] != "{{"+tc.kind+".a.outputs.artifacts.log}}" {
				t.Errorf("exit hook artifacts: %v", arts)
			}
			if depends != "" {
				t.Errorf("the step depends on its own hook: %q", depends)
			}
			// The declared output called result is a parameter.
			if out := template(t, spec, "a").Outputs.Parameters; len(out) == 0 || out[0].Name != "result" {
				t.Errorf("outputs of a: %+v", out)
			}
		})
	}
}
