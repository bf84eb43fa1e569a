package dsl

import (
	"testing"
	"time"
)

// FuzzFormat: for any input that parses without errors, formatting must not
// panic, must give text that parses without errors to the same AST, and must
// be idempotent. Seeded from the golden inputs and examples/*.pipe; found
// crashers are kept in testdata/fuzz/FuzzFormat.
//
//	go test ./dsl -run XXX -fuzz FuzzFormat -fuzztime 3m
func FuzzFormat(f *testing.F) {
	for _, src := range corpus(f) {
		f.Add(src)
	}
	for _, src := range hostileSeeds() {
		f.Add(src)
	}
	f.Add([]byte("pipeline p {\n  step a { run [\"x\"] } // c\n}\n"))
	f.Add([]byte("// d\ntemplate t() {}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// A hang would stall the fuzzer silently: crash instead, so that
		// the input is saved.
		tm := time.AfterFunc(time.Minute, func() { panic("format hangs on: " + string(src)) })
		defer tm.Stop()
		checkFormat(t, "fuzz.pipe", src)
	})
}
