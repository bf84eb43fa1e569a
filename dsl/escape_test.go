package dsl

import (
	"strings"
	"testing"
)

// An escape strconv.Unquote rejects is an error at the escape, never a
// string that silently unquotes to "".
func TestInvalidEscapes(t *testing.T) {
	tests := []struct{ str, want, hint string }{
		{`"grep -E '\d+' in.txt"`, `1:32: invalid escape \d in a string`, `write \\d for a backslash`},
		{`"^\w+$"`, `1:24: invalid escape \w in a string`, "use a raw string"},
		{`"it\'s"`, `1:25: invalid escape \' in a string`, "write ' alone"},
		{`"\x4g"`, `1:23: invalid escape \x4 in a string`, `\x needs 2 hex digits`},
		{`"\u12"`, `1:23: invalid escape \u12 in a string`, `\u needs 4 hex digits`},
		{`"\uD800"`, `1:23: invalid escape \uD800 in a string`, "not a Unicode character"},
		{`"\18"`, `1:23: invalid escape \1 in a string`, "octal escape needs 3 digits"},
		{`"é\é"`, `1:24: invalid escape \é in a string`, `write \\é`},
	}
	for _, tt := range tests {
		src := `pipeline p { env X = ` + tt.str + ` }`
		_, ds := ParseString("t.pipe", src)
		if len(ds) != 1 {
			t.Errorf("%s: want one diagnostic, got:\n%s", tt.str, diagLines(ds))
			continue
		}
		if got := strings.TrimSpace(diagLines(ds)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.str, got, tt.want)
		}
		if !strings.Contains(ds[0].Hint, tt.hint) {
			t.Errorf("%s: hint %q, want it to contain %q", tt.str, ds[0].Hint, tt.hint)
		}
	}
	// Valid escapes, and raw strings, are not errors.
	for _, s := range []string{`"a\tb\n\"\\\u00e9\x41\101\U0001F600"`, "`^\\d+$`", `"""C:\data"""`} {
		f, ds := ParseString("t.pipe", `pipeline p { env X = `+s+` }`)
		if len(ds) != 0 {
			t.Errorf("%s: unexpected diagnostics:\n%s", s, diagLines(ds))
			continue
		}
		if v := f.Items[0].Pipeline.Items[0].Stmt.(*EnvStmt).Value.Str.Value(); v == "" {
			t.Errorf("%s: value is empty", s)
		}
	}
}
