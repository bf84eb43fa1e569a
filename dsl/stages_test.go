package dsl

import (
	"strings"
	"testing"
)

func TestParseStages(t *testing.T) {
	src := `pipeline p {
  // The first stage.
  stage build {
    // Makes it.
    step a { run ["x"] }
    step b { run ["y"] }
  }
  stage { step c { run ["z"] } }
  on failure stage { step f { run ["page"] } }
}
template t() {
  stage one { step x { run ["x"] } }
}
`
	f, diags := ParseString("p.pipe", src)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	var stages []*StageDecl
	var docs []string
	for _, pi := range f.Items[0].Pipeline.Items {
		if s, ok := pi.Stmt.(*StageDecl); ok {
			stages = append(stages, s)
			docs = append(docs, pi.Doc.Text())
		}
	}
	if len(stages) != 3 || stages[0].Name.Name != "build" || stages[1].Name != nil || stages[2].Handler != "failure" {
		t.Fatalf("stages: %+v", stages)
	}
	if docs[0] != "The first stage." {
		t.Errorf("stage doc %q", docs[0])
	}
	steps := stages[0].Steps()
	if len(steps) != 2 || steps[0].Name.Name != "a" || stages[0].Items[0].Doc.Text() != "Makes it." {
		t.Errorf("steps of build: %+v", steps)
	}
	sub := SubStages(f.Items[1].Template.Items)
	if len(sub) != 1 || sub[0].Name.Name != "one" || len(sub[0].Decl().Steps()) != 1 {
		t.Errorf("template stages: %+v", sub)
	}
	if n := len(NestedBlocks(f.Items[1].Template.Items)); n != 2 {
		t.Errorf("nested blocks of the template: %d, want 2 (the stage's and its step's)", n)
	}
}

// A broken statement in a stage (or in one of its steps) is reported and
// the rest of the file still parses.
func TestParseStagesRecovery(t *testing.T) {
	src := `pipeline p {
  stage {
    stepp a { run ["x"] }
    step b { runn ["y"] }
  }
  stage { step c { run ["z"] } }
}
`
	f, diags := ParseString("p.pipe", src)
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Range.String()+": "+d.Message)
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{`p.pipe:3:5`, `p.pipe:4:14`} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %s:\n%s", want, got)
		}
	}
	n := 0
	for _, pi := range f.Items[0].Pipeline.Items {
		if _, ok := pi.Stmt.(*StageDecl); ok {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d stages parsed, want 2", n)
	}
}

func TestFormatStages(t *testing.T) {
	src := `pipeline p {
  image "a"
  // Build.
  stage   build {
    step a { run ["x"] }   // trailing
    step b uses t()
  }
  on exit stage{ step h { run ["x"] } }
}
template t() {
  stage {
    step x { run ["x"] }
  }
}
`
	out, diags := FormatSource("p.pipe", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := `pipeline p {
  image "a"

  // Build.
  stage build {
    step a {
      run ["x"]
    } // trailing

    step b uses t
  }

  on exit stage {
    step h {
      run ["x"]
    }
  }
}

template t() {
  stage {
    step x {
      run ["x"]
    }
  }
}
`
	if string(out) != want {
		t.Errorf("formatted:\n%s\nwant:\n%s", out, want)
	}
	again, _ := FormatSource("p.pipe", out)
	if string(again) != string(out) {
		t.Errorf("not idempotent:\n%s", again)
	}
}
