package compiler

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// TestNoExtraStaysZero checks that the BodyExtra that bodies share
// (noExtra) is still empty after every example, every testscript input
// and the fuzz corpus are compiled (with and without Release) and
// lowered: a write to a rare field of a Body must go through extra().
// It also checks that the inputs give some bodies an extra of their own.
func TestNoExtraStaysZero(t *testing.T) {
	var inputs []releaseInput
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		inputs = append(inputs, releaseInput{path, DiskSources{}, []string{path}})
	}
	inputs = append(inputs, testscriptInputs(t)...)
	for i, src := range fuzzCorpus(t) {
		inputs = append(inputs, overlayInput(fmt.Sprintf("fuzz input %d", i), map[string][]byte{"f.pipe": src}))
	}
	shared, own := 0, 0
	for _, in := range inputs {
		for _, release := range []bool{false, true} {
			res := Compile(in.src, in.roots, Options{Release: release})
			if !reflect.DeepEqual(*noExtra, BodyExtra{}) {
				t.Fatalf("%s (release %v): noExtra was written: %+v", in.name, release, *noExtra)
			}
			if release || res.Program == nil {
				continue
			}
			for _, p := range res.Program.Pipelines {
				for _, st := range p.AllSteps() {
					switch {
					case st.Body == nil:
					case st.Body.BodyExtra == noExtra:
						shared++
					default:
						own++
					}
				}
			}
		}
	}
	if shared < 100 || own < 50 {
		t.Errorf("%d bodies share noExtra and %d have their own: the inputs should have more of both", shared, own)
	}
}

// TestBodyExtraCopiesOnWrite checks that extra() gives a body that shares
// noExtra an extra of its own, and keeps it.
func TestBodyExtraCopiesOnWrite(t *testing.T) {
	a, b := newBody(), newBody()
	if a.BodyExtra != noExtra || b.BodyExtra != noExtra {
		t.Fatal("a new body should share noExtra")
	}
	a.extra().Daemon = true
	if a.BodyExtra == noExtra || !a.Daemon || b.Daemon || noExtra.Daemon {
		t.Fatalf("extra() did not copy: a %+v, b %+v", a.BodyExtra, b.BodyExtra)
	}
	if e := a.BodyExtra; a.extra() != e {
		t.Fatal("extra() replaced a body's own extra")
	}
}
