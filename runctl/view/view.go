// Package view shows the progress and result of a run (runctl.Run) to a
// person: plain lines for logs and pipes, a live table on a terminal, and
// the table of pipec status.
package view

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pipec/pipec/runctl"
)

// Follower is told each state of a run as it is read.
type Follower interface {
	Update(r *runctl.Run)
}

// Plain prints one line per step instance when it finishes, in the order
// they finish (the pipeline's order among those seen finished at once): what
// a log or a pipe can keep. Nothing in a line depends on timing.
type Plain struct {
	W       io.Writer
	printed map[string]bool
}

// Update prints the steps that finished since the last update.
func (p *Plain) Update(r *runctl.Run) {
	if p.printed == nil {
		p.printed = map[string]bool{}
	}
	for _, s := range r.Steps {
		if !runctl.Done(s.Phase) || p.printed[s.Name] {
			continue
		}
		p.printed[s.Name] = true
		fmt.Fprintf(p.W, "%-24s %s\n", s.Name, outcome(s))
	}
}

// outcome describes a step's state in a few words.
func outcome(s runctl.Step) string {
	phase := s.Phase
	if phase == "" {
		phase = "Waiting"
	}
	parts := []string{fmt.Sprintf("%-9s", phase)}
	switch {
	case s.Copied:
		parts = append(parts, "copied from the resumed run")
	case s.CacheHit:
		parts = append(parts, "cache hit")
	case s.Attempts == 1:
		parts = append(parts, "1 attempt")
	case s.Attempts > 1:
		parts = append(parts, fmt.Sprintf("%d attempts", s.Attempts))
	}
	if s.Phase == "Failed" || s.Phase == "Error" {
		if s.ExitCode != nil {
			parts = append(parts, fmt.Sprintf("exit %d", *s.ExitCode))
		}
		if s.Message != "" {
			parts = append(parts, s.Message)
		}
	}
	if s.Handler {
		parts = append(parts, "(handler)")
	}
	return strings.TrimRight(strings.Join(parts, "  "), " ")
}

// Live redraws a table of every step on a terminal at each update.
type Live struct {
	W     io.Writer
	Now   func() time.Time // time.Now when nil
	lines int
}

// Update redraws the table.
func (l *Live) Update(r *runctl.Run) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	var b strings.Builder
	if l.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", l.lines) // up over the last table, clear to the end
	}
	phase := r.Phase
	if phase == "" {
		phase = "Pending"
	}
	fmt.Fprintf(&b, "%s  %s  %s\n", r.Workflow, phase, elapsed(r.StartedAt, r.FinishedAt, now()))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, s := range r.Steps {
		mark := " "
		switch {
		case s.CacheHit:
			mark = "="
		case s.Phase == "Succeeded":
			mark = "✓"
		case s.Phase == "Failed" || s.Phase == "Error":
			mark = "✗"
		case s.Phase == "Running" || s.Phase == "Pending":
			mark = "…"
		}
		d := ""
		if s.StartedAt != nil {
			d = elapsed(s.StartedAt, s.FinishedAt, now())
		}
		fmt.Fprintf(tw, " %s %s\t%s\t%s\n", mark, s.Name, outcome(s), d)
	}
	tw.Flush()
	out := b.String()
	l.lines = strings.Count(out, "\n")
	io.WriteString(l.W, out)
}

func elapsed(start, end *time.Time, now time.Time) string {
	if start == nil {
		return ""
	}
	e := now
	if end != nil {
		e = *end
	}
	return e.Sub(*start).Round(time.Second).String()
}

// Result is the last line of a followed run.
func Result(r *runctl.Run) string {
	s := fmt.Sprintf("%s %s", r.Workflow, r.Phase)
	if r.DurationSeconds > 0 {
		s += fmt.Sprintf(" in %s", time.Duration(r.DurationSeconds)*time.Second)
	}
	if r.Message != "" && r.Phase != "Succeeded" {
		s += ": " + r.Message
	}
	return s
}

// Table prints a run as pipec status does: every step with its phase,
// attempts, cache hit or pod, duration, and a failed step's exit code and
// message.
func Table(w io.Writer, r *runctl.Run) {
	fmt.Fprintf(w, "%s  %s", r.Workflow, r.Phase)
	if r.DurationSeconds > 0 {
		fmt.Fprintf(w, "  %s", time.Duration(r.DurationSeconds)*time.Second)
	}
	fmt.Fprintf(w, "  run id %s", r.RunID)
	if r.RetryIndicator != "" {
		fmt.Fprintf(w, "  retry_indicator %s", r.RetryIndicator)
	}
	if r.ResubmittedFrom != "" {
		fmt.Fprintf(w, "  resubmitted from %s", r.ResubmittedFrom)
	}
	fmt.Fprintln(w)
	if r.Message != "" && r.Phase != "Succeeded" {
		fmt.Fprintf(w, "  %s\n", r.Message)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  STEP\tPHASE\tATTEMPTS\tCACHE/POD\tDURATION\tEXIT\tMESSAGE")
	for _, s := range r.Steps {
		phase := s.Phase
		if phase == "" {
			phase = "-"
		}
		where := s.Pod
		if s.CacheHit {
			where = "cache hit"
		}
		if s.Copied {
			where = "copied"
		}
		if where == "" {
			where = "-"
		}
		d := "-"
		if s.DurationSeconds > 0 || s.FinishedAt != nil {
			d = (time.Duration(s.DurationSeconds) * time.Second).String()
		}
		exit, msg := "-", "-"
		if s.ExitCode != nil {
			exit = fmt.Sprint(*s.ExitCode)
		}
		if s.Message != "" {
			msg = s.Message
		}
		name := s.Name
		if s.Handler {
			name += " (handler)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", name, phase, s.Attempts, where, d, exit, msg)
	}
	tw.Flush()
}
