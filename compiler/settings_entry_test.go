package compiler

import "testing"

func TestLowerEntrySettings(t *testing.T) {
	spec := compileOne(t, `
pipeline p {
  image "alpine"
  param tgt = "c-d"
  fail_fast false
  target "b ${tgt}"
  step_parallelism 2
  step a { run ["x"] }
  step b after a { run ["x"] }
  step c_d after a { run ["x"] }
}
`).Spec()
	m := template(t, spec, EntryTemplate)
	if m.DAG.FailFast == nil || *m.DAG.FailFast {
		t.Errorf("failFast: %v", m.DAG.FailFast)
	}
	if m.DAG.Target != "b {{workflow.parameters.tgt}}" {
		t.Errorf("target: %q", m.DAG.Target)
	}
	if m.Parallelism == nil || *m.Parallelism != 2 || spec.Parallelism != nil {
		t.Errorf("parallelism: template %v, spec %v", m.Parallelism, spec.Parallelism)
	}
	staged := compileOne(t, `
pipeline p {
  image "alpine"
  fail_fast true
  stage { step a { run ["x"] } }
}
`).Spec()
	if m := template(t, staged, EntryTemplate); m.FailFast == nil || !*m.FailFast {
		t.Errorf("failFast of stages: %v", m.FailFast)
	}
}

func TestCheckEntrySettings(t *testing.T) {
	runCkCases(t, []ckCase{
		{"target names", `pipeline p { image "a"
  target "bild ${nope}"
  step build { run ["x"] }
  on exit step e { run ["x"] }
}`, []string{`2:10: target: "bild" is not a step of pipeline "p" | hint: did you mean "build"?`, `2:10: target: ${nope} is not a parameter of pipeline "p"`}},
		{"target of stages", `pipeline p { image "a"
  target "a"
  stage { step a { run ["x"] } }
}`, []string{`2:3: target applies to steps in a DAG`}},
		{"values", `pipeline p { image "a"
  fail_fast "no"
  step_parallelism 0
  target ""
  step a { run ["x"] }
}`, []string{`2:13: fail_fast takes true or false`, `3:20: step_parallelism must be at least 1, got 0`, `4:10: target cannot be empty`}},
	})
}
