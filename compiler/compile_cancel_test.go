package compiler

import "testing"

// TestCompileCancelled: a compilation whose Cancelled reports true stops
// after loading; one asked later stops before lowering.
func TestCompileCancelled(t *testing.T) {
	src := Overlay{Files: map[string][]byte{"a.pipe": []byte("pipeline a {\n  image \"alpine\"\n  step s { run [\"true\"] }\n}\n")}}
	if res := Compile(src, []string{"a.pipe"}, Options{SkipValidate: true}); len(res.Outputs) != 1 || res.Program == nil {
		t.Fatalf("not cancelled: %d outputs, diagnostics %v", len(res.Outputs), res.Diags)
	}
	res := Compile(src, []string{"a.pipe"}, Options{SkipValidate: true, Cancelled: func() bool { return true }})
	if res.Unit == nil || res.Program != nil || len(res.Outputs) != 0 {
		t.Fatalf("cancelled at once: unit %v, program %v, %d outputs", res.Unit != nil, res.Program != nil, len(res.Outputs))
	}
	asked := 0
	res = Compile(src, []string{"a.pipe"}, Options{SkipValidate: true, Cancelled: func() bool { asked++; return asked > 1 }})
	if res.Program == nil || len(res.Outputs) != 0 {
		t.Fatalf("cancelled before lowering: program %v, %d outputs", res.Program != nil, len(res.Outputs))
	}
}
