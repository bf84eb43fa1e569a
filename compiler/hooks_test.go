package compiler

import (
	"strings"
	"testing"
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
}`, []string{`2:35: invalid hook expression: unexpected token EOF`, `3:16: a hook's expression is evaluated by Argo as it is: ${...} and {{...}} are not substituted in it`}},
		{"hooks exchange no outputs", `pipeline p { image "a"
  step a { run ["x"] on succeeded step h { run ["y", "${a.result}"] } }
  step b { run ["${h.result}"] }
}`, []string{`2:55: ${a.result}: hooks run beside the steps`, `3:18: ${h.result}: hooks run beside the steps`}},
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
