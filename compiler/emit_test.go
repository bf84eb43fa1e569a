package compiler

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"runtime"
	"testing"
)

// TestEmitInParts checks that marshalling the templates in parts gives
// exactly the YAML of one json.Marshal, on every example and on generated
// pipelines, with parts of a few templates.
func TestEmitInParts(t *testing.T) {
	old := emitParallelTemplates
	procs := runtime.GOMAXPROCS(3)
	t.Cleanup(func() { emitParallelTemplates = old; runtime.GOMAXPROCS(procs) })
	var objs []*Object
	paths, _ := filepath.Glob("../examples/*.pipe")
	for _, p := range paths {
		res := Compile(DiskSources{}, []string{p}, Options{SkipValidate: true, SkipEmit: true})
		for _, out := range res.Outputs {
			objs = append(objs, out.Object)
		}
	}
	for _, n := range []int{1, 7, 250} {
		objs = append(objs, lowerGenerated(t, n, func(s string) string { return s }))
	}
	inParts := 0
	for _, obj := range objs {
		emitParallelTemplates = 1 << 30
		want, err := Emit(obj)
		if err != nil {
			t.Fatal(err)
		}
		emitParallelTemplates = 1
		got, err := Emit(obj)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: YAML differs when marshalled in parts:\n%s\nwant:\n%s", obj.Pipeline.Name, got, want)
		}
		j, err := marshalObject(obj)
		if err != nil || !json.Valid(j) {
			t.Errorf("%s: invalid JSON in parts: %v", obj.Pipeline.Name, err)
		}
		if obj.CronWorkflow == nil {
			inParts++
		}
	}
	if inParts < 20 {
		t.Errorf("only %d objects marshalled in parts", inParts)
	}
}
