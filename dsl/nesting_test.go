package dsl

import (
	"strings"
	"testing"
)

// Deep nesting is an error at the first bracket too deep, not a stack
// overflow; the statements after a balanced deep value still parse.
func TestNestingCap(t *testing.T) {
	deep := "pipeline p {\n  step b for x in " + strings.Repeat("[", 150000) + "\n}\n"
	_, ds := ParseString("t.pipe", deep)
	if got := diagLines(ds); got != "2:118: too deeply nested: more than 100 levels of brackets\n" {
		t.Errorf("150,000 '[': got\n%s", got)
	}

	balanced := "pipeline p {\n  step b for x in " + strings.Repeat("[", 150) + `"a"` + strings.Repeat("]", 150) + " { run [\"y\"] }\n  step c { runn [\"z\"] }\n}\n"
	_, ds = ParseString("t.pipe", balanced)
	want := "2:118: too deeply nested: more than 100 levels of brackets\n3:12: unknown statement \"runn\" in a step\n"
	if got := diagLines(ds); got != want {
		t.Errorf("balanced: got\n%s\nwant\n%s", got, want)
	}

	// Exactly MaxNesting levels, the pipeline and step blocks included, parse.
	ok := "pipeline p { step b { run " + strings.Repeat("[", MaxNesting-2) + `"a"` + strings.Repeat("]", MaxNesting-2) + " } }"
	if _, ds := ParseString("t.pipe", ok); len(ds) != 0 {
		t.Errorf("%d levels: %s", MaxNesting, diagLines(ds))
	}
	tooDeep := "pipeline p { step b { run " + strings.Repeat("[", MaxNesting-1) + `"a"` + strings.Repeat("]", MaxNesting-1) + " } }"
	if _, ds := ParseString("t.pipe", tooDeep); len(ds) != 1 {
		t.Errorf("%d levels: want one error, got %s", MaxNesting+1, diagLines(ds))
	}
}
