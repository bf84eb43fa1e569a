package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pipec/pipec/compiler"
)

// fakeNotifier delivers the events a test sends, so that Run can be
// driven exactly.
type fakeNotifier struct {
	events chan fsnotify.Event
	errors chan error
	addErr error
}

func newFakeNotifier() *fakeNotifier {
	return &fakeNotifier{events: make(chan fsnotify.Event), errors: make(chan error)}
}

func (n *fakeNotifier) Add(dir string) error {
	if n.addErr != nil {
		return addError(dir, n.addErr)
	}
	return nil
}
func (n *fakeNotifier) Remove(string) error           { return nil }
func (n *fakeNotifier) Events() <-chan fsnotify.Event { return n.events }
func (n *fakeNotifier) Errors() <-chan error          { return n.errors }
func (n *fakeNotifier) Close() error                  { return nil }

// harness runs Run in the background on dir and collects its reports.
type harness struct {
	t       *testing.T
	dir     string
	n       *fakeNotifier
	reports chan *Report
	notices chan string
	done    chan error
}

const testTimeout = 20 * time.Second

func start(t *testing.T, files map[string]string, opts compiler.Options) *harness {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		write(t, filepath.Join(dir, name), text)
	}
	h := &harness{t: t, dir: dir, n: newFakeNotifier(), reports: make(chan *Report, 100), notices: make(chan string, 100), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		h.done <- Run(ctx, Config{
			Inputs:   []string{dir},
			OutDir:   filepath.Join(dir, "out"),
			Options:  opts,
			Delay:    5 * time.Millisecond,
			Report:   func(r *Report) { h.reports <- r },
			Notice:   func(msg string) { h.notices <- msg },
			notifier: h.n,
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(testTimeout):
			t.Error("Run did not return after cancel")
		}
	})
	return h
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) path(name string) string { return filepath.Join(h.dir, name) }

// report waits for the next report.
func (h *harness) report() *Report {
	h.t.Helper()
	select {
	case r := <-h.reports:
		if r.Result != nil {
			h.t.Logf("%s\n%v", r.Status(), r.Result.Diags)
		} else {
			h.t.Log(r.Status())
		}
		return r
	case <-time.After(testTimeout):
		h.t.Fatal("no report")
		return nil
	}
}

// event sends an event for a file in the test directory.
func (h *harness) event(name string, op fsnotify.Op) {
	h.n.events <- fsnotify.Event{Name: h.path(name), Op: op}
}

func (h *harness) output(name string) string {
	b, err := os.ReadFile(h.path(filepath.Join("out", name)))
	if err != nil {
		return ""
	}
	return string(b)
}

func pipeline(name, msg string) string {
	return fmt.Sprintf("pipeline %s {\n  image \"alpine:3.20\"\n  step a { run [\"echo\", %q] }\n}\n", name, msg)
}

func rel(h *harness, files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i], _ = filepath.Rel(h.dir, f)
	}
	return out
}

func TestOverflowRebuildsEverything(t *testing.T) {
	h := start(t, map[string]string{"a.pipe": pipeline("a", "one"), "b.pipe": pipeline("b", "one")}, compiler.Options{})
	if r := h.report(); !r.Initial || !r.Full || len(r.Built) != 2 || r.Errors() != 0 {
		t.Fatalf("initial build: %s", r.Status())
	}
	// Changes whose events were lost.
	write(t, h.path("a.pipe"), pipeline("a", "two"))
	write(t, h.path("sub/c.pipe"), pipeline("c", "one"))
	os.Remove(h.path("b.pipe"))
	h.n.errors <- fsnotify.ErrEventOverflow

	if msg := <-h.notices; !strings.Contains(msg, "overflow") {
		t.Errorf("notice %q does not mention the overflow", msg)
	}
	r := h.report()
	if !r.Full || strings.Join(rel(h, r.Built), " ") != "a.pipe sub/c.pipe" {
		t.Errorf("after overflow: built %v (full %v), want a.pipe and sub/c.pipe, full", rel(h, r.Built), r.Full)
	}
	if !strings.Contains(h.output("a.yaml"), "two") || h.output("c.yaml") == "" {
		t.Errorf("outputs not rebuilt: a.yaml %q, c.yaml %q", h.output("a.yaml"), h.output("c.yaml"))
	}
	// b.pipe, missing, is only taken as deleted once it is still missing
	// after another delay.
	r = h.report()
	if strings.Join(rel(h, r.Removed), " ") != "b.pipe" {
		t.Errorf("removed %v, want b.pipe", rel(h, r.Removed))
	}
	if h.output("b.yaml") != "" {
		t.Error("b.yaml not removed")
	}
}

func TestParamOfOtherFile(t *testing.T) {
	// -p names a parameter of a.pipe; rebuilding only b.pipe must not
	// call it unknown. A name no file declares still is.
	a := "pipeline a {\n  image \"alpine:3.20\"\n  param greeting = \"hi\"\n  step s { run [\"echo\", \"${greeting}\"] }\n}\n"
	h := start(t, map[string]string{"a.pipe": a, "b.pipe": pipeline("b", "one")},
		compiler.Options{Params: []compiler.KV{{Key: "greeting", Value: "bonjour"}}})
	if r := h.report(); r.Errors() != 0 {
		t.Fatalf("initial build: %s: %v", r.Status(), r.Result.Diags)
	}
	write(t, h.path("b.pipe"), pipeline("b", "two"))
	h.event("b.pipe", fsnotify.Write)
	if r := h.report(); r.Errors() != 0 || strings.Join(rel(h, r.Built), " ") != "b.pipe" {
		t.Errorf("rebuild of b.pipe: %s: %v", r.Status(), r.Result.Diags)
	}
	if !strings.Contains(h.output("b.yaml"), "two") {
		t.Errorf("b.yaml = %q, want the new one", h.output("b.yaml"))
	}
	// And a's value is still applied when a.pipe alone is rebuilt.
	write(t, h.path("a.pipe"), strings.Replace(a, "step s", "step t", 1))
	h.event("a.pipe", fsnotify.Write)
	if r := h.report(); r.Errors() != 0 || !strings.Contains(h.output("a.yaml"), "bonjour") {
		t.Errorf("rebuild of a.pipe: %s, a.yaml %q", r.Status(), h.output("a.yaml"))
	}
}

func TestUnknownParamStillReported(t *testing.T) {
	h := start(t, map[string]string{"a.pipe": pipeline("a", "one")},
		compiler.Options{Params: []compiler.KV{{Key: "nosuch", Value: "1"}}})
	r := h.report()
	if r.Errors() != 1 || !strings.Contains(r.Result.Diags[0].Message, `unknown parameter "nosuch"`) {
		t.Errorf("initial build: %s: %v", r.Status(), r.Result.Diags)
	}
	write(t, h.path("a.pipe"), pipeline("a", "two"))
	h.event("a.pipe", fsnotify.Write)
	if r := h.report(); r.Errors() != 1 {
		t.Errorf("rebuild: %s: %v", r.Status(), r.Result.Diags)
	}
}

func TestBadParamKeepsOutputs(t *testing.T) {
	// -p greeting is fine until the only pipeline declaring it drops it:
	// then nothing compiles, and every output stays.
	a := "pipeline a {\n  image \"alpine:3.20\"\n  param greeting = \"hi\"\n  step s { run [\"echo\", \"${greeting}\"] }\n}\n"
	h := start(t, map[string]string{"a.pipe": a}, compiler.Options{Params: []compiler.KV{{Key: "greeting", Value: "bonjour"}}})
	if r := h.report(); r.Errors() != 0 || h.output("a.yaml") == "" {
		t.Fatalf("initial build: %s", r.Status())
	}
	write(t, h.path("a.pipe"), pipeline("a", "two"))
	h.event("a.pipe", fsnotify.Write)
	if r := h.report(); r.Errors() != 1 {
		t.Errorf("rebuild: %s", r.Status())
	}
	if !strings.Contains(h.output("a.yaml"), "bonjour") {
		t.Errorf("a.yaml = %q, want the last good one", h.output("a.yaml"))
	}
}

func TestDuplicatePipelineAcrossFiles(t *testing.T) {
	h := start(t, map[string]string{"a.pipe": pipeline("x", "from a")}, compiler.Options{})
	h.report()
	// b.pipe defines x too: an error, and a's output stays.
	write(t, h.path("b.pipe"), pipeline("x", "from b"))
	h.event("b.pipe", fsnotify.Create)
	r := h.report()
	if r.Errors() != 1 || !strings.Contains(r.Result.Diags[0].Message, "also defined in") {
		t.Errorf("duplicate: %s: %v", r.Status(), r.Result.Diags)
	}
	if !strings.Contains(h.output("x.yaml"), "from a") {
		t.Errorf("x.yaml = %q, want a's", h.output("x.yaml"))
	}
	// a.pipe goes: b.pipe takes the output over in the same build.
	os.Remove(h.path("a.pipe"))
	h.event("a.pipe", fsnotify.Remove)
	r = h.report()
	if len(r.Removed) != 1 || len(r.Built) != 1 || r.Errors() != 0 || len(r.Deleted) != 0 {
		t.Errorf("removal: %s (deleted %v)", r.Status(), r.Deleted)
	}
	if !strings.Contains(h.output("x.yaml"), "from b") {
		t.Errorf("x.yaml = %q, want b's", h.output("x.yaml"))
	}
}

func TestErrorsInOtherFiles(t *testing.T) {
	h := start(t, map[string]string{"a.pipe": "pipeline a {\n  stepp x\n}\n", "b.pipe": pipeline("b", "one")}, compiler.Options{})
	if r := h.report(); r.Errors() == 0 {
		t.Fatalf("initial build: %s", r.Status())
	}
	write(t, h.path("b.pipe"), pipeline("b", "two"))
	h.event("b.pipe", fsnotify.Write)
	r := h.report()
	if r.Errors() != 0 || r.OtherFiles != 1 || r.OtherErrors == 0 || !strings.Contains(r.Status(), "in 1 other file") {
		t.Errorf("rebuild of b.pipe: %s", r.Status())
	}
	// Fixing a.pipe clears them.
	write(t, h.path("a.pipe"), pipeline("a", "one"))
	h.event("a.pipe", fsnotify.Write)
	if r := h.report(); r.Errors() != 0 || r.OtherErrors != 0 || h.output("a.yaml") == "" {
		t.Errorf("after the fix: %s", r.Status())
	}
}

func TestIgnoredNames(t *testing.T) {
	h := start(t, map[string]string{"a.pipe": pipeline("a", "one")}, compiler.Options{})
	h.report()
	for _, name := range []string{".a.pipe.swp", "a.pipe~", "4913", ".pipe", ".hidden.pipe", "out/z.pipe"} {
		write(t, h.path(name), "broken")
		h.event(name, fsnotify.Create)
	}
	write(t, h.path("a.pipe"), pipeline("a", "two"))
	h.event("a.pipe", fsnotify.Write)
	if r := h.report(); strings.Join(rel(h, r.Built), " ") != "a.pipe" || r.Errors() != 0 {
		t.Errorf("built %v: %s", rel(h, r.Built), r.Status())
	}
	select {
	case r := <-h.reports:
		t.Errorf("unexpected build: %s", r.Status())
	case <-time.After(50 * time.Millisecond):
	}
}

func TestWatchLimitAtStart(t *testing.T) {
	dir := t.TempDir()
	n := newFakeNotifier()
	n.addErr = fmt.Errorf("add: %w", syscall.ENOSPC)
	err := Run(context.Background(), Config{Inputs: []string{dir}, notifier: n})
	var lim *LimitError
	if !errors.As(err, &lim) {
		t.Fatalf("Run = %v, want a *LimitError", err)
	}
	msg := err.Error()
	for _, want := range []string{"cannot watch " + dir, "fs.inotify.max_user_watches", "sudo sysctl fs.inotify.max_user_watches=524288", "--poll"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Error("LimitError does not unwrap to ENOSPC")
	}
}

func TestStatus(t *testing.T) {
	at := time.Date(2024, 5, 1, 18, 42, 7, 0, time.UTC)
	tests := []struct {
		r    Report
		want string
	}{
		{Report{Start: at, Full: true, Initial: true, Built: []string{"a", "b", "c"}, Duration: 120 * time.Millisecond}, "18:42:07 built 3 files: ok (120ms)"},
		{Report{Start: at, Built: []string{"a", "b"}, Duration: 3100 * time.Microsecond}, "18:42:07 rebuilt 2 files: ok (3.1ms)"},
		{Report{Start: at, Built: []string{"a"}, Duration: 2 * time.Millisecond, WriteErrors: []error{errors.New("x")}}, "18:42:07 rebuilt 1 file: 1 error (2ms)"},
		{Report{Start: at, Built: []string{"a"}, Removed: []string{"b"}, Duration: 2 * time.Millisecond}, "18:42:07 rebuilt 1 file, removed 1: ok (2ms)"},
		{Report{Start: at, Removed: []string{"b"}, Duration: 40 * time.Microsecond}, "18:42:07 removed 1 file: ok (40µs)"},
		{Report{Start: at, Built: []string{"a"}, Duration: 2 * time.Millisecond, OtherErrors: 3, OtherFiles: 1}, "18:42:07 rebuilt 1 file: ok; 3 errors remain in 1 other file (2ms)"},
		{Report{Start: at, Built: []string{"a"}, Duration: 2 * time.Millisecond, OtherErrors: 1, OtherFiles: 1}, "18:42:07 rebuilt 1 file: ok; 1 error remains in 1 other file (2ms)"},
	}
	for _, tt := range tests {
		if got := tt.r.Status(); got != tt.want {
			t.Errorf("Status() = %q, want %q", got, tt.want)
		}
	}
}
