package compiler

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"3.7": Argo37, "v3.7": Argo37, "3.7.18": Argo37, "v3.7.18": Argo37,
		"4": Argo4, "v4": Argo4, "4.0": Argo4, "4.0.5": Argo4, " 4 ": Argo4,
	} {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3", "3.6", "3.70", "5", "40", "latest"} {
		if got, err := ParseTarget(in); err == nil {
			t.Errorf("ParseTarget(%q) = %v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "3.7 (Argo v3.7.18) or 4 (Argo v4.0.5)") {
			t.Errorf("ParseTarget(%q): error %q does not list the targets", in, err)
		}
	}
	if (Target{}).Name() != DefaultTarget.Name() || DefaultTarget != Targets[len(Targets)-1] {
		t.Errorf("the zero Target is %v, DefaultTarget %v: want the newest, %v", Target{}, DefaultTarget, Targets[len(Targets)-1])
	}
}

// TestTargetMemoCache checks the one difference of the targets'
// output: Argo 3.7's memoize.cache.configMap has a key, Argo 4's has not,
// and nothing else differs.
func TestTargetMemoCache(t *testing.T) {
	for _, kind := range []string{"", "  kind workflow_template\n", "  kind cluster_workflow_template\n", "  schedule \"0 2 * * *\"\n"} {
		src := "pipeline p {\n" + kind + "  image \"busybox\"\n  step a { run [\"echo\", \"key: memo\"] }\n  step b after a { run [\"true\"] }\n}\n"
		res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{Argo: Argo37})
		if res.Diags.HasErrors() || len(res.Outputs) != 1 {
			t.Fatalf("%q: %v", src, res.Diags)
		}
		v3 := res.Outputs[0].YAML
		obj := *res.Outputs[0].Object
		obj.Target = Argo4
		v4, err := Emit(&obj)
		if err != nil {
			t.Fatal(err)
		}
		keyLine := regexp.MustCompile(`(?m)^ +key: memo\n`)
		if n := len(keyLine.FindAll(v3, -1)); n != 2 {
			t.Errorf("Argo 3.7 output has %d cache keys, want 2:\n%s", n, v3)
		}
		if keyLine.Match(v4) {
			t.Errorf("Argo 4 output has a cache key:\n%s", v4)
		}
		if got := keyLine.ReplaceAll(v3, nil); !bytes.Equal(got, v4) {
			t.Errorf("the targets' outputs differ in more than the cache key:\nArgo 3.7 without it:\n%s\nArgo 4:\n%s", got, v4)
		}
		def := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{})
		if !bytes.Equal(def.Outputs[0].YAML, v4) {
			t.Errorf("the default target's output is not Argo 4's")
		}
	}
}
