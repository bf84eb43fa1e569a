package compiler

import (
	"testing"
)

func TestCheckComposites(t *testing.T) {
	runCkCases(t, []ckCase{
		{"unconditional recursion", `pipeline p { image "a" step s uses loop() }
template loop() {
  step a { run ["x"] }
  step again after a uses loop()
}`, []string{`4:27: step "again" calls "loop", the template it is part of, without a when condition`}},
		{"arguments", `pipeline p { image "a" step s uses g(nn = 1) }
template g(n: int) {
  step a { run ["echo", "${n}"] }
}`, []string{`1:36: template "g" needs argument "n" (int)`, `1:38: template "g" has no parameter "nn"`}},
		{"typed argument", `pipeline p { image "a" step s uses g(n = "x") }
template g(n: int) {
  step a { run ["echo", "${n}"] }
}`, []string{`1:42: argument "n" of template "g" must be of type int, got string`}},
		{"a composite sees only its inputs", `pipeline p { image "a" param date = "d" step s uses g() }
template g() {
  step a { run ["echo", "${date}"] }
}`, []string{`3:26: unknown reference ${date}: no parameter, step or loop variable "date" | hint: a template sees only its own parameters () and Argo's variables; pass values as arguments`}},
		{"unknown step output in an output", `pipeline p { image "a" step s uses g() }
template g() {
  step a { run ["x"] }
  output o = value("${a.out}")
}`, []string{`4:21: step "a" has no output "out"`}},
		{"bad output source and statement", `pipeline p { image "a" step s uses g() }
template g() {
  step a { run ["x"] }
  output o = file("/tmp/o")
  image "x"
}`, []string{`4:14: unknown output source of a template with steps "file"`, `5:3: a template with steps holds only steps, inputs, outputs, artifacts and step_parallelism`}},
		{"step_parallelism", `pipeline p {
  image "a"
  step s uses g()
  step one for x in [1, 2] {
    step_parallelism 1
    run ["x"]
  }
}
template g() {
  step_parallelism 0
  step a for x in [1, 2] { run ["x"] }
}`, []string{`5:5: step_parallelism applies to a pipeline or a template with steps, not to one step`, `10:20: step_parallelism must be at least 1, got 0`}},
		{"no result, no body", `pipeline p { image "a"
  step s uses g() { run ["x"] }
  step t { run ["echo", "${s.result}"] } }
template g() { step a { run ["x"] } }`, []string{`2:21: step "s" uses the composite template "g", which runs its own steps; it cannot have a body`, `3:26: ${s.result}: step "s" is a composite step and has no standard output`}},
		{"outputs of a composite", `pipeline p { image "a"
  step s uses g()
  step t { run ["echo", "${s.o}", "${s.status}"] } }
template g() { step a { run ["x"] } output o = value("${a.result}") }`, nil},
		{"template name collision", `pipeline p { image "a"
  step g-a { run ["x"] }
  step s uses g() }
template g() { step a { run ["x"] } }`, []string{`4:21: step "g-a" and step "a" of template "g" both become the Argo template "g-a"`}},
		{"cycle inside", `pipeline p { image "a" step s uses g() }
template g() { step a after b { run ["x"] } step b after a { run ["x"] } }`, []string{`dependency cycle: a -> b -> a`}},
	})
}

func TestLowerComposite(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  param n = "3"
  step outer for x in ["a", "b"] uses inner(x = "${x}", n = "${n}")
  step use { run ["echo", "${outer.total}"] }
}
// Loops inside a loop.
template inner(x: string, n: int = 1) {
  step each for i in range(0, 2) { run ["echo", "${x}", "${i}", "${n}"] }
  step sum after each { run ["echo", "${each.result}"] }
  step deeper when "${n} > 1" uses inner(x = "${x}", n = 1)
  output total = value("${sum.result}")
  output pick = expression("${n} == '1' ? ${sum.result} : ${deeper.total}")
}`)
	spec := obj.Spec()
	outer := task(t, spec, "outer")
	args := map[string]string{}
	for _, p := range outer.Arguments.Parameters {
		args[p.Name] = p.Value.String()
	}
	if outer.Template != "inner" || args["x"] != "{{item}}" || args["n"] != "{{workflow.parameters.n}}" || args[InstanceParam] != "outer({{item}})" {
		t.Errorf("outer: template %q, args %v", outer.Template, args)
	}
	inner := template(t, spec, "inner")
	if inner.DAG == nil || len(inner.Inputs.Parameters) != 3 || inner.Inputs.Parameters[2].Name != InstanceParam {
		t.Fatalf("inner: %+v", inner)
	}
	if o := inner.Outputs.Parameters; len(o) != 2 || o[0].ValueFrom.Parameter != "{{tasks.inner-sum.outputs.result}}" ||
		o[1].ValueFrom.Expression != "inputs.parameters['n'] == '1' ? tasks['inner-sum'].outputs.result : tasks['inner-deeper'].outputs.parameters['total']" {
		t.Errorf("inner outputs: %+v %+v", o[0].ValueFrom, o[1].ValueFrom)
	}
	var deeper, each *string
	for i := range inner.DAG.Tasks {
		tk := &inner.DAG.Tasks[i]
		for _, p := range tk.Arguments.Parameters {
			if p.Name == InstanceParam {
				v := p.Value.String()
				switch tk.Name {
				case "inner-deeper":
					deeper = &v
				case "inner-each":
					each = &v
				}
			}
		}
	}
	if deeper == nil || *deeper != "{{inputs.parameters.pipec-instance}}/deeper" || each == nil || *each != "{{inputs.parameters.pipec-instance}}" {
		t.Errorf("instances: deeper %v, each %v", deeper, each)
	}
	leaf := template(t, spec, "inner-each")
	if leaf.Memoize == nil {
		t.Fatal("inner-each is not memoized")
	}
	found := false
	for _, p := range leaf.Inputs.Parameters {
		found = found || p.Name == InstanceParam
	}
	if !found {
		t.Errorf("inner-each has no %s input: %+v", InstanceParam, leaf.Inputs.Parameters)
	}
}
