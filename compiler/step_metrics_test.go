package compiler

import (
	"strings"
	"testing"
)

// TestStepMetrics: a step's metrics become its template's metrics; a
// ${...} in a label becomes a template input (and, for another step's
// output, a dependency); Argo's {{status}} and {{duration}} are kept.
func TestStepMetrics(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  param tag = "x"
  step a {
    run ["echo"]
    output n = file("/tmp/n")
    metrics { prometheus: [{ name: "a_counter", help: "count", labels: [{ key: "tag", value: "${tag}" }, { key: "status", value: "{{status}}" }], counter: { value: "1" } }] }
  }
  step b {
    run ["echo"]
    metrics { prometheus: [{ name: "b_gauge", help: "g", labels: [{ key: "n", value: "n-${a.n}" }], gauge: { realtime: false, value: "{{duration}}" } }] }
  }
}
`
	res, lines := ckCompile(map[string]string{"p.pipe": src}, "p.pipe")
	if len(lines) > 0 {
		t.Fatal(lines)
	}
	y := string(res.Outputs[0].YAML)
	for _, want := range []string{
		"        - key: tag\n          value: '{{inputs.parameters.tag}}'\n        - key: status\n          value: '{{status}}'\n        name: a_counter\n",
		"        - key: \"n\"\n          value: n-{{inputs.parameters.a-n}}\n        name: b_gauge\n",
		"          value: '{{duration}}'\n",
		"        depends: a\n        name: b\n",
	} {
		if !strings.Contains(y, want) {
			t.Errorf("output lacks %q:\n%s", want, y)
		}
	}
}

// TestStepMetricsErrors: a wrong key and an unknown reference are reported
// at the value.
func TestStepMetricsErrors(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  step a {
    run ["echo"]
    metrics { prometheus: [{ name: "a", help: "h", labls: [], counter: { value: "${nope}" } }] }
  }
}
`
	_, lines := ckCompile(map[string]string{"p.pipe": src}, "p.pipe")
	got := strings.Join(lines, "\n")
	for _, want := range []string{"5:52: metrics.prometheus has no field \"labls\"", "did you mean \"labels\"", "5:82: unknown reference ${nope}"} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
	if !strings.Contains(got, "nope") {
		t.Errorf("the unknown reference is not reported:\n%s", got)
	}
}

// TestEntryMetrics: entry_metrics are the entry template's metrics, of
// stages (a steps template) as of a DAG.
func TestEntryMetrics(t *testing.T) {
	for _, body := range []string{
		`step a { run ["echo"] }`,
		`stage { step a { run ["echo"] } }`,
	} {
		src := "pipeline p {\n  image \"alpine\"\n  entry_metrics { prometheus: [{ name: \"steps_seconds\", help: \"h\", gauge: { realtime: true, value: \"{{duration}}\" } }] }\n  " + body + "\n}\n"
		res, lines := ckCompile(map[string]string{"p.pipe": src}, "p.pipe")
		if len(lines) > 0 {
			t.Fatal(lines)
		}
		y := string(res.Outputs[0].YAML)
		if !strings.Contains(y, "metrics:\n      prometheus:\n      - gauge:\n          realtime: true\n          value: '{{duration}}'\n        help: h\n        name: steps_seconds\n    name: main\n") {
			t.Errorf("%s: the entry template lacks the metrics:\n%s", body, y)
		}
	}
}

// TestDisplayName: display_name is the template's display-name
// annotation, its ${...} the step's inputs; a non-string is an error.
func TestDisplayName(t *testing.T) {
	src := `pipeline p {
  image "alpine"
  param os = "alpine"
  step a for tag in ["3.18", "3.19"] {
    run ["cat", "/etc/os-release"]
    display_name "os-${os}-${tag}"
  }
}
`
	res, lines := ckCompile(map[string]string{"p.pipe": src}, "p.pipe")
	if len(lines) > 0 {
		t.Fatal(lines)
	}
	if y := string(res.Outputs[0].YAML); !strings.Contains(y, "  - annotations:\n      workflows.argoproj.io/display-name: os-{{inputs.parameters.os}}-{{inputs.parameters.tag}}\n") {
		t.Errorf("no display name:\n%s", y)
	}
	_, lines = ckCompile(map[string]string{"p.pipe": "pipeline p {\n  step a {\n    image \"x\"\n    run [\"x\"]\n    display_name 3\n  }\n}\n"}, "p.pipe")
	if got := strings.Join(lines, "\n"); !strings.Contains(got, "5:18: display_name takes a string, got") {
		t.Errorf("diagnostics: %s", got)
	}
}
