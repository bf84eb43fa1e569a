package compiler

import "testing"

func TestLowerPipelineOutputs(t *testing.T) {
	spec := compileOne(t, `
pipeline p {
  image "alpine"
  // The side.
  output side = expression("${flip.result} == 'heads' ? ${heads.out} : 'tails'")
  output first = value("${flip.result}")
  step flip { run ["x"] }
  step heads when "${flip.result} == heads" { run ["x"] output out = file("/o") }
}
`).Spec()
	outs := template(t, spec, EntryTemplate).Outputs.Parameters
	if len(outs) != 2 {
		t.Fatalf("outputs: %+v", outs)
	}
	if e := outs[0].ValueFrom.Expression; e != "tasks['flip'].outputs.result == 'heads' ? tasks['heads'].outputs.parameters['out'] : 'tails'" {
		t.Errorf("expression: %s", e)
	}
	if outs[0].Description == nil || outs[0].Description.String() != "The side." {
		t.Errorf("description: %v", outs[0].Description)
	}
	if v := outs[1].ValueFrom.Parameter; v != "{{tasks.flip.outputs.result}}" {
		t.Errorf("value: %s", v)
	}
}

func TestCheckPipelineOutputs(t *testing.T) {
	runCkCases(t, []ckCase{
		{"bad outputs", `pipeline p { image "a"
  output a = value("${b.nope}")
  output a = file("/x")
  output c = value("${e.result}") global "g"
  step b { run ["x"] }
  on exit step e { run ["x"] }
}`, []string{
			`2:21: step "b" has no output "nope"`,
			`3:10: output "a" is declared twice in pipeline "p"`,
			`3:14: unknown output source of a pipeline "file"`,
			`4:21: ${e.result}: an output of the pipeline is computed from its main steps; "e" is a handler or a hook`,
			`4:42: global applies to a step's outputs`,
		}},
	})
}
