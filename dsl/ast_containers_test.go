package dsl

import (
	"fmt"
	"strings"
	"testing"
)

// A broken statement inside a container block is reported where it is,
// and the statements around it still parse.
func TestContainerBlockRecovery(t *testing.T) {
	src := `pipeline p {
  step s {
    run ["x"]
    sidecar db {
      imag "postgres"
      cpu
    }
    init prep { run ["y"] }
  }
}
`
	f, diags := ParseString("t.pipe", src)
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s:%d:%d: %s", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, d.Message))
	}
	want := []string{
		`t.pipe:5:7: unknown statement "imag" in a step`,
		`t.pipe:6:7: incomplete statement after "cpu" (expected "limit" or a value)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	step := f.Items[0].Pipeline.Items[0].Stmt.(*StepDecl)
	cs := Containers(step.Items)
	if len(cs) != 2 || cs[0].Kind != "sidecar" || cs[0].Name.Name != "db" || cs[1].Kind != "init" || len(cs[1].Items) != 1 {
		t.Fatalf("containers: %+v", cs)
	}
}

// Doc comments attach to statements inside container blocks.
func TestContainerBlockDocs(t *testing.T) {
	f, diags := ParseString("t.pipe", `pipeline p {
  step s {
    container a after b, c {
      // the command
      run ["x"]
    }
  }
}
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := Containers(f.Items[0].Pipeline.Items[0].Stmt.(*StepDecl).Items)[0]
	if len(c.After) != 2 || c.After[1].Name != "c" {
		t.Errorf("after: %+v", c.After)
	}
	if c.Items[0].Doc.Text() != "the command" {
		t.Errorf("doc %q", c.Items[0].Doc.Text())
	}
}
