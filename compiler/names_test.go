package compiler

import (
	"regexp"
	"testing"
)

// The regexps the hand-written name checks of check.go stand for.
var (
	argoNameRE = regexp.MustCompile(`^[a-zA-Z0-9][-a-zA-Z0-9]*$`)
	dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	envNameRE  = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)
)

var nameSeeds = []string{"", "a", "A", "0", "-", "_", ".", "a-", "-a", "a-b", "a_b", "a.b", "A1", "1a", "s0", "step-1",
	"Step_One", "x\n", "\na", "é", "aé", "a b", "a--b", "9-", "_x", ".x", "x.", "x_", "a\x00", "ab-cd-ef"}

func checkNames(t *testing.T, s string) {
	t.Helper()
	if got, want := isArgoName(s), argoNameRE.MatchString(s); got != want {
		t.Errorf("isArgoName(%q) = %v, the regexp says %v", s, got, want)
	}
	if got, want := isDNSLabel(s), dnsLabelRE.MatchString(s); got != want {
		t.Errorf("isDNSLabel(%q) = %v, the regexp says %v", s, got, want)
	}
	if got, want := isEnvName(s), envNameRE.MatchString(s); got != want {
		t.Errorf("isEnvName(%q) = %v, the regexp says %v", s, got, want)
	}
}

// TestNameChecksMatchRegexps: every string of up to three characters of
// an alphabet that has each class the checks tell apart, and the seeds.
func TestNameChecksMatchRegexps(t *testing.T) {
	for _, s := range nameSeeds {
		checkNames(t, s)
	}
	alphabet := []string{"a", "Z", "5", "-", "_", ".", " ", "\n", "é"}
	var walk func(prefix string, n int)
	walk = func(prefix string, n int) {
		checkNames(t, prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			walk(prefix+c, n-1)
		}
	}
	walk("", 3)
}

func FuzzNameChecksMatchRegexps(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add(s)
	}
	f.Fuzz(checkNames)
}
