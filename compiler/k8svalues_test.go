package compiler

import (
	"strings"
	"testing"
	"time"
)

// Values Kubernetes or Argo would reject at submit or run time are errors
// at the value.
func TestCheckKubernetesValues(t *testing.T) {
	step := func(body string) string {
		return "pipeline p {\n  image \"a\"\n  step a {\n    run [\"x\"]\n    " + body + "\n  }\n}\n"
	}
	runCkCases(t, []ckCase{
		{"label key", "pipeline p {\n  image \"a\"\n  label \"bad key!\" = \"v\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:9: invalid label key "bad key!": name part must consist of alphanumeric characters`}},
		{"label value too long", step(`label team = "` + strings.Repeat("x", 64) + `"`),
			[]string{`5:18: invalid label value "` + strings.Repeat("x", 64) + `": must be no more than 63 characters`}},
		{"annotation value is free", step(`annotation note = "any text at all, even with spaces!"`), nil},
		{"node selector value", step(`node_selector disktype = "fast ssd"`),
			[]string{`5:30: invalid node_selector value "fast ssd"`}},
		{"node selector key", "pipeline p {\n  image \"a\"\n  node_selector \"a/b/c\" = \"x\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:17: invalid node_selector key "a/b/c"`}},
		{"negative cpu", step(`cpu "-1"`), []string{`5:9: a cpu quantity cannot be negative, got -1`}},
		{"limit below request", step(`memory "2Gi" limit "1Gi"`), []string{`5:24: the memory limit 1Gi is below the request 2Gi`}},
		{"limit equal to request", step(`memory "1Gi" limit "1024Mi"`), nil},
		{"fractional gpu", step(`gpu 1.5`), []string{`5:9: a gpu count must be a whole number of at least 1, got 1.5`}},
		{"zero gpu", step(`gpu 0`), []string{`5:9: a gpu count must be a whole number of at least 1, got 0`}},
		{"empty command", "pipeline p {\n  image \"a\"\n  step a { run [\"\", \"x\"] }\n}\n", []string{`3:17: the command cannot be empty`}},
		{"empty argument is fine", "pipeline p {\n  image \"a\"\n  step a { run [\"echo\", \"\"] }\n}\n", nil},
		{"empty claim", "pipeline p {\n  image \"a\"\n  volume d = pvc(\"\")\n  step a { run [\"x\"] }\n}\n", []string{`3:18: invalid claim name "": it is empty`}},
		{"bad secret name", "pipeline p {\n  image \"a\"\n  volume d = secret(\"My_Secret\")\n  step a { run [\"x\"] }\n}\n", []string{`3:21: invalid secret name "My_Secret"`}},
		{"mixed loop, string first", "pipeline p {\n  image \"a\"\n  step a for x in [\"a\", {k: \"v\"}] { run [\"x\"] }\n}\n",
			[]string{`3:25: loop item 2 is a map but earlier items are not: all items must be of one kind`}},
		{"mixed loop, map first", "pipeline p {\n  image \"a\"\n  step a for x in [{k: \"v\"}, \"a\"] { run [\"x\"] }\n}\n",
			[]string{`3:30: loop item 2 is a string but earlier items are maps`}},
		{"duration overflow", "pipeline p {\n  image \"a\"\n  timeout 300000d\n  step a { run [\"x\"] }\n}\n", []string{`3:11: invalid duration 300000d: out of range: at most 24855d`}},
		{"longest duration", "pipeline p {\n  image \"a\"\n  timeout 24855d\n  step a { run [\"x\"] }\n}\n", nil},
		{"cron macro", "pipeline p {\n  image \"a\"\n  schedule \"@dayly\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:12: invalid schedule "@dayly": unrecognized descriptor: @dayly | hint: did you mean "@daily"?`}},
		{"cron range", "pipeline p {\n  image \"a\"\n  schedule \"61 25 * * *\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:12: invalid schedule "61 25 * * *": end of range (61) above maximum (59)`}},
		{"cron every", "pipeline p {\n  image \"a\"\n  schedule \"@every 1h30m\" timezone \"America/New_York\"\n  step a { run [\"x\"] }\n}\n", nil},
		{"timezone", "pipeline p {\n  image \"a\"\n  schedule \"0 2 * * *\" timezone \"Europe/Pariss\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:33: unknown timezone "Europe/Pariss" | hint: did you mean "Europe/Paris"?`}},
		{"generated wrapper name", "pipeline p {\n  image \"a\"\n  retry 2\n  step a { run [\"x\"] }\n  step a_with_retry { run [\"x\"] }\n}\n",
			[]string{`5:8: step "a_with_retry" becomes the Argo template "a-with-retry", which pipec generates for the retries of step "a"`}},
		{"unquoted quantities", step("cpu 500m limit 1.5\n    memory 512Mi limit 1Gi\n    gpu 2"), nil},
		{"unquoted quantity, bad unit", step("memory 1Gb"), []string{`5:12: invalid memory quantity "1Gb" | hint: Kubernetes writes sizes without a B`}},
		{"memory in thousandths", step("memory 500m"), []string{`5:12: a memory quantity must be a whole number of bytes, got 500m`}},
		{"unknown duration unit", step("timeout 10y"), []string{`5:13: invalid duration 10y: unknown unit "y"`}},
		{"negative duration", "pipeline p {\n  image \"a\"\n  ttl -1d\n  step a { run [\"x\"] }\n}\n", []string{`3:7: a duration cannot be negative: -1d | hint: write it without the '-': 1d`}},
		{"no wrapper without memoize", "pipeline p {\n  image \"a\"\n  retry 2\n  memoize off\n  step a { run [\"x\"] }\n  step a_with_retry { run [\"x\"] }\n}\n", nil},
	})
}

// Every name of the did-you-mean list is a time zone Go loads.
func TestTimeZoneNames(t *testing.T) {
	names := strings.Split(timeZoneNames, "\n")
	if len(names) < 500 {
		t.Fatalf("only %d time zone names", len(names))
	}
	for _, n := range names {
		if _, err := time.LoadLocation(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// Names with '-' are allowed where Argo allows them, and the input names
// pipec generates for references stay unique.
func TestHyphenNames(t *testing.T) {
	src := `pipeline dash {
  image "alpine"
  param gen-list-my-out = "p"
  param run-date = "2024-01-01"
  step gen-list {
    run ["sh", "-c", "echo ${run-date} > /tmp/o"]
    output my-out = file("/tmp/o")
  }
  step use-it { run ["echo", "${gen-list.my-out}", "${gen-list-my-out}"] }
  step t uses tt(in-put = "${run-date}")
}
template tt(in-put: string) { run ["echo", "${in-put}"] }
`
	res, diags := ckCompile(map[string]string{"p.pipe": src}, "p.pipe")
	if len(diags) != 0 {
		t.Fatalf("diagnostics:\n%s", strings.Join(diags, "\n"))
	}
	y := string(res.Outputs[0].YAML)
	for _, want := range []string{
		"'{{inputs.parameters.gen-list-my-out}}'", "'{{inputs.parameters.gen-list-my-out-2}}'",
		"value: '{{tasks.gen-list.outputs.parameters.my-out}}'", "echo {{inputs.parameters.run-date}} > /tmp/o",
		"'{{inputs.parameters.in-put}}'",
	} {
		if !strings.Contains(y, want) {
			t.Errorf("output lacks %s:\n%s", want, y)
		}
	}
}
