package dsl

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

// The reference of the language, docs/language.md, shows the grammar as
// participle prints it, between these markers.
const (
	grammarDoc   = "../docs/language.md"
	grammarBegin = "<!-- grammar:begin -->"
	grammarEnd   = "<!-- grammar:end -->"
)

func init() {
	// -update is shared with the formatter's golden tests; define it here
	// only if no other test file of the package did.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// grammarBlock is the text between the markers: the EBNF in a fenced block.
func grammarBlock() string {
	return "\n```ebnf\n" + strings.TrimSpace(Parser().String()) + "\n```\n"
}

// TestGrammarDoc fails when the grammar in docs/language.md differs from
// the parser's. Rewrite it with
//
//	go test ./dsl -run Grammar -update
func TestGrammarDoc(t *testing.T) {
	doc, err := os.ReadFile(grammarDoc)
	if err != nil {
		t.Fatal(err)
	}
	begin := bytes.Index(doc, []byte(grammarBegin))
	end := bytes.Index(doc, []byte(grammarEnd))
	if begin < 0 || end < begin {
		t.Fatalf("%s: no %s ... %s block", grammarDoc, grammarBegin, grammarEnd)
	}
	begin += len(grammarBegin)
	got, want := string(doc[begin:end]), grammarBlock()
	if got == want {
		return
	}
	if updating() {
		var b bytes.Buffer
		b.Write(doc[:begin])
		b.WriteString(want)
		b.Write(doc[end:])
		if err := os.WriteFile(grammarDoc, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the grammar in %s is out of date (-doc +parser):\n%s\nrun: go test ./dsl -run Grammar -update",
		grammarDoc, diff.Diff("doc", []byte(got), "parser", []byte(want)))
}

// TestGrammarKeywords checks that the keyword lists used for messages and
// completion name every keyword that can start a statement.
func TestGrammarKeywords(t *testing.T) {
	ebnf := Parser().String()
	for _, kw := range append(append(append([]string{}, TopKeywords...), PipelineKeywords...), StepKeywords...) {
		if !strings.Contains(ebnf, `"`+kw+`"`) {
			t.Errorf("keyword %q is not in the grammar", kw)
		}
	}
}
