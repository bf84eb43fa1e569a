package dsl

import (
	"strings"
	"testing"
)

// A statement whose prefix parses and whose tail does not is reported once,
// as one broken statement, at the token that breaks it.
func TestBrokenTailMergedIntoStatement(t *testing.T) {
	src := `pipeline tails {
  image "alpine"
  retry 3 bogus 2
  step c after { run ["echo"] }
  step d {
    cpu "1" lots
    run ["echo"]
  }
}
`
	f, diags := ParseString("t.pipe", src)
	var got []string
	for _, d := range diags {
		got = append(got, d.Range.String()+": "+d.Message)
	}
	want := []string{
		`t.pipe:3:11: unexpected token "bogus"`,
		`t.pipe:4:16: unexpected token "{" (expected a step name)`,
		`t.pipe:6:13: unexpected token "lots"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	items := f.Items[0].Pipeline.Items
	if len(items) != 4 || items[1].Bad == nil || items[2].Bad == nil {
		t.Fatalf("want image, bad retry, bad step c, step d; got %d items", len(items))
	}
	d := items[3].Stmt.(*StepDecl)
	if len(d.Items) != 2 || d.Items[0].Bad == nil || d.Items[1].Stmt == nil {
		t.Errorf("step d: want a bad cpu statement then run")
	}
}

func TestStrayBraceAtTopLevel(t *testing.T) {
	src := "pipeline a { image \"x\" }\n}\npipeline b { image \"y\" }\n"
	f, diags := ParseString("s.pipe", src)
	if len(diags) != 1 || diags[0].Range.String() != "s.pipe:2:1" || !strings.Contains(diags[0].Message, "no block is open") {
		t.Fatalf("diagnostics: %v", diags)
	}
	n := 0
	for _, it := range f.Items {
		if it.Pipeline != nil {
			n++
		}
	}
	if n != 2 {
		t.Errorf("want both pipelines parsed, got %d", n)
	}
}
