package compiler

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestSliceSlabKeepsNeighbours checks that slices from one sliceSlab
// behave as slices of their own: appends within and beyond the capacity
// asked for never change another slice's elements.
func TestSliceSlabKeepsNeighbours(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var s sliceSlab[int]
	var got, want [][]int
	for i := 0; i < 5000; i++ {
		n := rng.Intn(sliceSlabLongest + 8)
		sl := s.make(n)
		if n == 0 && sl != nil {
			t.Fatalf("make(0) = %v, want nil", sl)
		}
		if len(sl) != 0 || cap(sl) != n {
			t.Fatalf("make(%d): len %d, cap %d", n, len(sl), cap(sl))
		}
		got, want = append(got, sl), append(want, nil)
		// Grow a few of the slices so far, some beyond their capacity.
		for k := 0; k < 3; k++ {
			j := rng.Intn(len(got))
			for m := rng.Intn(4); m >= 0; m-- {
				v := rng.Int()
				got[j], want[j] = append(got[j], v), append(want[j], v)
			}
		}
	}
	for j := range got {
		if len(got[j]) != len(want[j]) || (len(want[j]) > 0 && !reflect.DeepEqual(got[j], want[j])) {
			t.Fatalf("slice %d = %v, want %v", j, got[j], want[j])
		}
	}
}

// TestDeclaresOutputMatchesList checks declaresOutput against what it
// replaces, contains(outputDecls(st), name), for every step of the
// examples, the testscripts' inputs and the fuzz corpus, with every name
// they declare and some they do not.
func TestDeclaresOutputMatchesList(t *testing.T) {
	var inputs []releaseInput
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		inputs = append(inputs, releaseInput{path, DiskSources{}, []string{path}})
	}
	inputs = append(inputs, testscriptInputs(t)...)
	for i, src := range fuzzCorpus(t) {
		inputs = append(inputs, overlayInput(fmt.Sprintf("fuzz input %d", i), map[string][]byte{"f.pipe": src}))
	}
	checked := 0
	for _, in := range inputs {
		unit, _ := Load(in.src, in.roots)
		if unit == nil {
			continue
		}
		prog, _ := Check(unit)
		c := &checker{unit: unit, prog: &Program{Unit: unit}}
		for _, p := range prog.Pipelines {
			for _, st := range p.AllSteps() {
				if st.Decl == nil || st.Pipeline == nil || st.Pipeline.File == nil {
					continue
				}
				decls := c.outputDecls(st)
				for _, name := range append(decls, "result", "no_such_output", "") {
					if got, want := c.declaresOutput(st, name), contains(decls, name); got != want {
						t.Errorf("%s: step %s: declaresOutput(%q) = %v, want %v", in.name, st.Name, name, got, want)
					}
					checked++
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d names checked: the inputs should have more steps", checked)
	}
}

// TestLoopKeysMatchCounting checks a loop's Keys (the keys every item
// has) against the counting they replace: a key's count among the map
// items equal to the number of items, on random lists of maps and
// scalars.
func TestLoopKeysMatchCounting(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	keys := []string{"a", "b", "c", "d"}
	withKeys, without := 0, 0
	for i := 0; i < 300; i++ {
		var items []string
		for n := rng.Intn(5); n >= 0; n-- {
			if rng.Intn(5) == 0 {
				items = append(items, `"s"`)
				continue
			}
			var ents []string
			for _, k := range keys {
				if rng.Intn(3) > 0 {
					ents = append(ents, k+": 1")
				}
			}
			if rng.Intn(4) == 0 && len(ents) > 0 {
				ents = append(ents, ents[0]) // a key twice
			}
			items = append(items, "{"+strings.Join(ents, ", ")+"}")
		}
		src := fmt.Sprintf("pipeline p {\n  image \"alpine\"\n  step s for x in [%s] {\n    run [\"echo\"]\n  }\n}\n", strings.Join(items, ", "))
		unit, _ := Load(Overlay{Files: map[string][]byte{"f.pipe": []byte(src)}}, []string{"f.pipe"})
		if unit == nil {
			continue
		}
		prog, _ := Check(unit)
		for _, p := range prog.Pipelines {
			for _, st := range p.AllSteps() {
				if st.Loop == nil {
					continue
				}
				count := map[string]int{}
				for _, it := range st.Loop.Items {
					if m, ok := it.(map[string]any); ok {
						for k := range m {
							count[k]++
						}
					}
				}
				var want []string
				for k, n := range count {
					if n == len(st.Loop.Items) {
						want = append(want, k)
					}
				}
				sort.Strings(want)
				if len(want) > 0 {
					withKeys++
				} else {
					without++
				}
				if !reflect.DeepEqual(st.Loop.Keys, want) {
					t.Errorf("%s: Keys = %#v, want %#v", src, st.Loop.Keys, want)
				}
			}
		}
	}
	if withKeys < 50 || without < 20 {
		t.Errorf("%d loops with common keys and %d without: the inputs should have more of both", withKeys, without)
	}
}
