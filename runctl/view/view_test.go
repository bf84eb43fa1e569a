package view

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pipec/pipec/runctl"
)

func one(n int) *int { return &n }

func TestPlainPrintsEachFinishedStepOnce(t *testing.T) {
	var b bytes.Buffer
	p := &Plain{W: &b}
	run := &runctl.Run{Workflow: "w", Steps: []runctl.Step{
		{Name: "a", Phase: "Running", Attempts: 1},
		{Name: "b"},
	}}
	p.Update(run)
	run.Steps[0].Phase = "Succeeded"
	p.Update(run)
	run.Steps[1] = runctl.Step{Name: "b", Phase: "Failed", Attempts: 3, ExitCode: one(2), Message: "Error (exit code 2)"}
	p.Update(run)
	p.Update(run)
	run.Steps = append(run.Steps, runctl.Step{Name: "notify", Phase: "Succeeded", CacheHit: true, Handler: true})
	p.Update(run)
	want := "a                        Succeeded  1 attempt\n" +
		"b                        Failed     3 attempts  exit 2  Error (exit code 2)\n" +
		"notify                   Succeeded  cache hit  (handler)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestLiveRedraws(t *testing.T) {
	var b bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Live{W: &b, Now: func() time.Time { return t0.Add(5 * time.Second) }}
	run := &runctl.Run{Workflow: "w", Phase: "Running", StartedAt: &t0, Steps: []runctl.Step{{Name: "a", Phase: "Running", Attempts: 1, StartedAt: &t0}}}
	l.Update(run)
	l.Update(run)
	out := b.String()
	if !strings.Contains(out, "w  Running  5s\n") || !strings.Contains(out, "… a") || !strings.Contains(out, "\x1b[2A\x1b[J") {
		t.Errorf("live view:\n%q", out)
	}
}

func TestTableAndResult(t *testing.T) {
	var b bytes.Buffer
	Table(&b, &runctl.Run{Workflow: "w", Phase: "Failed", RunID: "r", RetryIndicator: "2", ResubmittedFrom: "v", Message: "child failed", DurationSeconds: 9,
		Steps: []runctl.Step{{Name: "a", Phase: "Succeeded", CacheHit: true}, {Name: "b", Phase: "Failed", Attempts: 2, Pod: "w-b-1", DurationSeconds: 3, ExitCode: one(1), Message: "boom"}}})
	want := "w  Failed  9s  run id r  retry_indicator 2  resubmitted from v\n" +
		"  child failed\n" +
		"  STEP  PHASE      ATTEMPTS  CACHE/POD  DURATION  EXIT  MESSAGE\n" +
		"  a     Succeeded  0         cache hit  -         -     -\n" +
		"  b     Failed     2         w-b-1      3s        1     boom\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if got := Result(&runctl.Run{Workflow: "w", Phase: "Failed", DurationSeconds: 61, Message: "m"}); got != "w Failed in 1m1s: m" {
		t.Errorf("Result: %q", got)
	}
}
