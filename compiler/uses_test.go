package compiler

import (
	"fmt"
	"strings"
	"testing"
)

func TestProgramUses(t *testing.T) {
	lib := `template greet(who: string) {
  run ["echo", "${who}", "${who}"]
}
`
	src := `import "lib.pipe"
pipeline p {
  image "alpine:${workflow.name}"
  param date = "x"
  step a {
    run ["echo", "${date}", "${ date }"]
    output rows = file("/tmp/rows")
  }
  step b for r in a.rows { run ["echo", "${r}", "${a.rows}"] }
  step c uses greet(who = "${date}")
  step d for x in b { run ["echo", "${x.rows}"] }
}
`
	res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src), "lib.pipe": []byte(lib)}}, []string{"p.pipe"}, Options{SkipValidate: true, SkipEmit: true})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	var got []string
	for _, u := range res.Program.Uses {
		step := "-"
		if u.Step != nil {
			step = u.Step.Name
		}
		tmpl := ""
		if u.Template != nil {
			tmpl = " in " + u.Template.Name.Name
		}
		file := map[string]string{"p.pipe": src, "lib.pipe": lib}[u.Range.Filename]
		got = append(got, fmt.Sprintf("%s:%d:%d %q kind=%d step=%s%s", u.Range.Filename, u.Range.Start.Line, u.Range.Start.Column,
			file[u.Range.Start.Offset:u.Range.End.Offset], u.Ref.Kind, step, tmpl))
	}
	want := []string{
		`p.pipe:3:17 "${workflow.name}" kind=5 step=-`,
		`p.pipe:6:19 "${date}" kind=0 step=a`,
		`p.pipe:6:30 "${ date }" kind=0 step=a`,
		`p.pipe:9:19 "a.rows" kind=1 step=b`,
		`p.pipe:9:42 "${r}" kind=3 step=b`,
		`p.pipe:9:50 "${a.rows}" kind=1 step=b`,
		`p.pipe:10:28 "${date}" kind=0 step=c`,
		`lib.pipe:2:17 "${who}" kind=4 step=c in greet`,
		`lib.pipe:2:27 "${who}" kind=4 step=c in greet`,
		`p.pipe:11:19 "b" kind=6 step=d`,
		`p.pipe:11:37 "${x.rows}" kind=3 step=d`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("uses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
