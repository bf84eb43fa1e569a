package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTextMateGrammarKnowsEveryKeyword: every literal word of the parser's
// grammar (the 'word's in dsl's parser tags) is highlighted as a keyword by
// editors/textmate/pipe.tmLanguage.json, so that a new statement cannot be
// added without the grammar (and the VS Code extension) knowing it.
func TestTextMateGrammarKnowsEveryKeyword(t *testing.T) {
	files, _ := filepath.Glob("../dsl/*.go")
	tagRe, litRe := regexp.MustCompile(`parser:"([^"]*)"`), regexp.MustCompile(`'([a-z_]+)'`)
	words := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tagRe.FindAllStringSubmatch(string(src), -1) {
			for _, w := range litRe.FindAllStringSubmatch(tag[1], -1) {
				words[w[1]] = true
			}
		}
	}
	if len(words) < 50 {
		t.Fatalf("only %d keywords found in dsl's parser tags", len(words))
	}
	raw, err := os.ReadFile("../editors/textmate/pipe.tmLanguage.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Repository map[string]struct {
			Patterns []struct {
				Match string `json:"match"`
				Name  string `json:"name"`
			} `json:"patterns"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	// The grammar's keywords: the word lists \b(?:a|b)\b of its rules, and
	// the \b(word) that starts a declaration rule.
	listRe, declRe := regexp.MustCompile(`^\\b\(\?:([a-z_|]+)\)\\b$`), regexp.MustCompile(`^\\b\(([a-z_]+)\)`)
	known := map[string]bool{}
	for _, key := range []string{"declaration", "statement", "value"} {
		for _, p := range g.Repository[key].Patterns {
			if m := listRe.FindStringSubmatch(p.Match); m != nil {
				for _, w := range strings.Split(m[1], "|") {
					known[w] = true
				}
			} else if m := declRe.FindStringSubmatch(p.Match); m != nil {
				known[m[1]] = true
			}
		}
	}
	for w := range words {
		if !known[w] {
			t.Errorf("the TextMate grammar does not highlight the keyword %q: add it to editors/textmate/pipe.tmLanguage.json", w)
		}
	}
}
