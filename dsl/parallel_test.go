package dsl

import (
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"testing"

	"github.com/pipec/pipec/bench"
)

// smallParts makes parseInParts cut any file it can, into parts of a few
// tokens, on at least 4 workers, for the rest of the test.
func smallParts(tb testing.TB) {
	minTokens, segTokens := parallelMinTokens, parallelSegmentTokens
	procs := runtime.GOMAXPROCS(4)
	parallelMinTokens, parallelSegmentTokens = 1, 8
	tb.Cleanup(func() {
		parallelMinTokens, parallelSegmentTokens = minTokens, segTokens
		runtime.GOMAXPROCS(procs)
	})
}

// TestParallelSameAsSequential checks that parsing in parts gives exactly
// what one parse gives (the reference implementation's AST and
// diagnostics), on the reference corpus and mutations of it, with parts
// small enough that most files with a pipeline are cut.
func TestParallelSameAsSequential(t *testing.T) {
	smallParts(t)
	files := referenceCorpus(t)
	for _, n := range []int{30, 200} {
		files[fmt.Sprintf("bench-%d", n)] = []byte(bench.Pipeline("gen", n))
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	r := rand.New(rand.NewSource(2))
	cut, failures := 0, 0
	check := func(name string, src []byte) {
		toks, _, _ := lex("t.pipe", src)
		if _, ok := parseInParts(toks); ok {
			cut++
		}
		if d := sameAsReference("t.pipe", src); d != "" {
			t.Errorf("%s:\n%s\n%s", name, src, d)
			failures++
		}
	}
	for _, name := range names {
		check(name, files[name])
		for i := 0; i < 4 && failures < 10; i++ {
			check(name+", mutated", mutate(r, files[name]))
		}
		if failures >= 10 {
			t.Fatal("too many failures")
		}
	}
	// Most inputs are fragments without a pipeline of several statements;
	// the files that have one must be cut.
	if cut < 150 {
		t.Errorf("only %d inputs were parsed in parts", cut)
	}
	t.Logf("%d of %d inputs parsed in parts", cut, 5*len(names))
}

// TestParallelThresholds checks that the generated pipelines the
// benchmarks use are parsed in parts with the real thresholds, and the
// same as at once.
func TestParallelThresholds(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	src := []byte(bench.Pipeline("gen", 1000))
	toks, _, _ := lex("t.pipe", src)
	if _, ok := parseInParts(toks); !ok {
		t.Fatal("a 1,000-step pipeline is not parsed in parts")
	}
	if d := sameAsReference("t.pipe", src); d != "" {
		t.Fatal(d)
	}
	small := []byte(bench.Pipeline("gen", 10))
	toks, _, _ = lex("t.pipe", small)
	if _, ok := parseInParts(toks); ok {
		t.Error("a 10-step pipeline is parsed in parts")
	}
}

// A statement that starts on the line where a multi-line string ends is not
// first on its line: no segment starts there (the raw statement before it
// would end at the body's closing brace instead).
func TestParallelNoCutAfterMultilineString(t *testing.T) {
	smallParts(t)
	src := []byte("pipeline raw {\n  image \"alpine\"\n  raw \"\"\"\nhostNetwork: true\n\"\"\"step a {\n    run [\"a\"]\n  }\n  step b { run [\"b\"] }\n}\n")
	if d := sameAsReference("t.pipe", src); d != "" {
		t.Error(d)
	}
}
