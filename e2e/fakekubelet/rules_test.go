package fakekubelet

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestIdentify(t *testing.T) {
	for _, c := range []struct {
		node, step, base string
		attempt          int
	}{
		{"wf.b", "b", "b", 0},
		{"wf.b(2)", "b", "b", 2},
		{"wf.fan(1:y)", "fan(1:y)", "fan", 0},
		{"wf.fan(1:y)(3)", "fan(1:y)", "fan", 3},
		{"wf.outer.inner(1)", "outer.inner", "inner", 1},
		{"wf.fan(0:a.b)(0)", "fan(0:a.b)", "fan", 0},
		{"wf.b(1)[0].run", "b(1)[0].run", "run", 1},
		{"wf[1].b(2)", "b", "b", 2},
		{"wf[0].fan(1:y)(0)", "fan(1:y)", "fan", 0},
	} {
		id := Identify("wf", c.node, "t")
		if id.Step != c.step || id.BaseStep != c.base || id.Attempt != c.attempt {
			t.Errorf("%s: got %+v", c.node, id)
		}
	}
}

func TestRules(t *testing.T) {
	rs, err := ParseRules([]byte(`
- workflow: "wf-.*"
  step: b
  attempts: [0, 1]
  exitCode: 1
- workflow: "wf-.*"
  outputs: {out: "x"}
`))
	if err != nil {
		t.Fatal(err)
	}
	set := RuleSet{"a": rs}
	r, name, ok := set.Find(Identify("wf-1", "wf-1.b(1)", ""))
	if !ok || name != "a[0]" || *r.ExitCode != 1 {
		t.Errorf("attempt 1: %v %s %+v", ok, name, r)
	}
	r, name, _ = set.Find(Identify("wf-1", "wf-1.b(2)", ""))
	if name != "a[1]" || r.Outputs["out"] != "x" {
		t.Errorf("attempt 2: %s %+v", name, r)
	}
	if _, _, ok := set.Find(Identify("other", "other.b", "")); ok {
		t.Error("matched another workflow")
	}
	if _, err := ParseRules([]byte(`[{workflow: "(", step: b}]`)); err == nil {
		t.Error("bad regexp accepted")
	}
	if _, err := ParseRules([]byte(`[{wrokflow: x}]`)); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestMainArgv(t *testing.T) {
	c := &corev1.Container{
		Command: []string{"/var/run/argo/argoexec", "emissary", "--loglevel", "info", "--", "sh", "-c"},
		Args:    []string{"echo hi"},
	}
	got := mainArgv(c)
	if len(got) != 3 || got[0] != "sh" || got[2] != "echo hi" {
		t.Errorf("%q", got)
	}
}
