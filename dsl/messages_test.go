package dsl

import "testing"

// Parser errors say what was expected in the language's words, with a
// did-you-mean for a misspelt keyword, at the token at fault.
func TestParserMessages(t *testing.T) {
	tests := []struct{ stmt, want, hint string }{
		{`step b aftr a`, `4:10: unexpected token "aftr"`, `did you mean "after"?`},
		{`step b after a, { run ["y"] }`, `4:19: unexpected token "{" (expected a step name)`, ``},
		{`image "a" paralelism 2`, `4:13: unknown statement "paralelism" in a pipeline`, `did you mean "parallelism"?`},
		{`step c { run ["x"] } stepp d { run ["y"] }`, `4:24: unknown statement "stepp" in a pipeline`, `did you mean "step"?`},
		{`step b { run ["x"] imagee "a" }`, `4:22: unknown statement "imagee" in a step`, `did you mean "image"?`},
		{`env 1BAD = "v"`, `4:7: invalid name "1BAD": a name starts with a letter or '_'`, `names are letters, digits, '_' and '-', starting with a letter or '_'`},
		{`param x = `, `4:11: incomplete statement after "=" (expected a value)`, ``},
		{`label = "x"`, `4:9: unexpected token "=" (expected a name or a quoted string)`, ``},
		{`retry 3 backof 2s`, `4:11: unexpected token "backof"`, `did you mean "backoff"?`},
		{`schedule "x" timezon "y"`, `4:16: unexpected token "timezon"`, `did you mean "timezone"?`},
		{`step b { mount v "/x" }`, `4:20: unexpected token "\"/x\"" (expected "at")`, ``},
		{`memoize max_ag 1h`, `4:11: unexpected token "max_ag" (expected "off", "on" or "max_age")`, `did you mean "max_age"?`},
		{`step b when x`, `4:15: unexpected token "x" (expected a quoted string)`, ``},
		{`on running step`, `4:14: incomplete statement after "step" (expected a name)`, ``},
		{`step b { on exit run ["x"] }`, `4:20: unexpected token "run" (expected "step")`, ``},
	}
	for _, tt := range tests {
		_, ds := ParseString("t.pipe", "pipeline p {\n  image \"a\"\n  step a { run [\"x\"] }\n  "+tt.stmt+"\n}\n")
		if len(ds) != 1 {
			t.Errorf("%s: want one diagnostic, got\n%s", tt.stmt, diagLines(ds))
			continue
		}
		if got := diagLines(ds); got != tt.want+"\n" || ds[0].Hint != tt.hint {
			t.Errorf("%s:\ngot  %s     hint %q\nwant %s\n     hint %q", tt.stmt, got, ds[0].Hint, tt.want, tt.hint)
		}
	}
}

func TestFirstAtoms(t *testing.T) {
	for expr, want := range map[string]string{
		`Dep ("," Dep)*`: "Dep",
		`(("off" | "on") ("max_age" Value)?) | ("max_age" Value)`: `"off" "on" "max_age"`,
		`"readonly"? ("sub_path" StringLit)? "}"`:                 `"readonly" "sub_path" "}"`,
	} {
		got := ""
		for i, a := range firstAtoms(expr) {
			if i > 0 {
				got += " "
			}
			got += a
		}
		if got != want {
			t.Errorf("firstAtoms(%s) = %s, want %s", expr, got, want)
		}
	}
}
