// Package watch rebuilds .pipe files as they change: it watches the
// directories that hold them, debounces bursts of events into one rebuild,
// rebuilds only the files that changed and the files that import them,
// and keeps the outputs on disk in step (written atomically; removed or
// renamed with their sources; kept, last good, while a source has errors).
// The pipec watch command is a thin front end to Run.
package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/fsutil"
)

// DefaultDelay is how long the watcher waits after the last event before
// rebuilding.
const DefaultDelay = 30 * time.Millisecond

// Config is what to watch and how to build it.
type Config struct {
	// Inputs are .pipe files and directories (watched recursively; hidden
	// directories and OutDir are skipped). A .pipe file that does not exist
	// yet is allowed: it is built when it appears.
	Inputs []string
	// OutDir receives <pipeline>.yaml for every pipeline; when empty, each
	// output goes next to its source.
	OutDir string
	// Options are the compiler's (-p parameters).
	Options compiler.Options
	// Poll, when positive, polls the directories at that interval instead
	// of using the operating system's notifications.
	Poll time.Duration
	// Delay is the debounce delay (DefaultDelay when zero).
	Delay time.Duration
	// Report is called after every build that did something, from one
	// goroutine at a time.
	Report func(*Report)
	// Notice is called with messages about the watching itself (a
	// directory that cannot be watched, an event queue overflow). It may
	// be called concurrently with Report.
	Notice func(msg string)

	notifier notifier // for tests
}

// A Report describes one build.
type Report struct {
	Start    time.Time
	Duration time.Duration
	// Initial is set on the first build; Full on every build of all the
	// sources (the first, and after an event queue overflow).
	Initial, Full bool
	// Built are the source files compiled; Removed the sources that were
	// deleted (or renamed away).
	Built, Removed []string
	// Written are the outputs written; Deleted the outputs removed.
	Written, Deleted []string
	// Result holds the diagnostics of the build, with the sources to
	// print them with (nil when nothing was compiled).
	Result *compiler.Result
	// WriteErrors are failures to write or remove outputs.
	WriteErrors []error
	// OtherErrors counts the errors still standing in sources this build
	// did not compile, in OtherFiles files.
	OtherErrors, OtherFiles int
}

// Errors counts the errors of the build.
func (r *Report) Errors() int {
	n := len(r.WriteErrors)
	if r.Result != nil {
		n += r.Result.Diags.ErrorCount()
	}
	return n
}

// Status is the one-line summary of the build, such as
//
//	18:42:07 rebuilt 2 files: ok (3.1ms)
//	18:42:09 rebuilt 1 file: 3 errors (2.0ms)
func (r *Report) Status() string {
	var b strings.Builder
	b.WriteString(r.Start.Format("15:04:05 "))
	verb := "rebuilt"
	if r.Full {
		verb = "built"
	}
	switch {
	case len(r.Built) > 0 || len(r.Removed) == 0:
		fmt.Fprintf(&b, "%s %s", verb, plural(len(r.Built), "file"))
		if len(r.Removed) > 0 {
			fmt.Fprintf(&b, ", removed %d", len(r.Removed))
		}
	default:
		fmt.Fprintf(&b, "removed %s", plural(len(r.Removed), "file"))
	}
	b.WriteString(": ")
	if n := r.Errors(); n > 0 {
		b.WriteString(plural(n, "error"))
	} else {
		b.WriteString("ok")
	}
	if r.OtherErrors > 0 {
		verb := "remain"
		if r.OtherErrors == 1 {
			verb = "remains"
		}
		fmt.Fprintf(&b, "; %s %s in %s", plural(r.OtherErrors, "error"), verb, plural(r.OtherFiles, "other file"))
	}
	fmt.Fprintf(&b, " (%s)", formatDuration(r.Duration))
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 100*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

// Run builds every source once, then rebuilds on change until ctx is
// done. Errors in the sources never stop it; it returns an error only when
// it cannot start (an input that does not exist, no way to watch).
func Run(ctx context.Context, cfg Config) error {
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Report == nil {
		cfg.Report = func(*Report) {}
	}
	if cfg.Notice == nil {
		cfg.Notice = func(string) {}
	}
	w := &watcher{
		cfg:        cfg,
		fileInputs: map[string]bool{},
		pending:    map[string]bool{},
		watched:    map[string]bool{},
		graph:      NewGraph(),
		roots:      map[string]bool{},
		outputs:    map[string]map[string]bool{},
		owner:      map[string]string{},
		blocked:    map[string]map[string]bool{},
		params:     map[string][]string{},
		errs:       map[string]int{},
		suspect:    map[string]bool{},
		noticed:    map[string]bool{},
		started:    make(chan error, 1),
	}
	if cfg.OutDir != "" {
		abs, err := filepath.Abs(cfg.OutDir)
		if err != nil {
			return err
		}
		w.absOut = abs
	}
	for _, in := range cfg.Inputs {
		in = filepath.Clean(in)
		st, err := os.Stat(in)
		switch {
		case err == nil && st.IsDir():
			w.dirInputs = append(w.dirInputs, in)
		case err == nil || errors.Is(err, fs.ErrNotExist) && isPipeName(filepath.Base(in)):
			w.fileInputs[in] = true
		default:
			return err
		}
	}
	var err error
	switch {
	case cfg.notifier != nil:
		w.n = cfg.notifier
	case cfg.Poll > 0:
		w.n = newPollNotifier(cfg.Poll)
	default:
		if w.n, err = newFSNotifier(); err != nil {
			return err
		}
	}
	defer w.n.Close()

	w.deb = NewDebouncer(cfg.Delay, w.build)
	defer w.deb.Stop()
	w.full, w.initial = true, true
	w.deb.Trigger()
	select {
	case err := <-w.started:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.n.Events():
			if !ok {
				return nil
			}
			w.event(ev)
		case err, ok := <-w.n.Errors():
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				cfg.Notice("too many changes at once (event queue overflow): rebuilding everything")
				w.mu.Lock()
				w.full = true
				w.mu.Unlock()
				w.deb.Trigger()
				continue
			}
			cfg.Notice(err.Error())
		}
	}
}

type watcher struct {
	cfg        Config
	n          notifier
	deb        *Debouncer
	absOut     string          // absolute OutDir, "" for none
	dirInputs  []string        // directories watched recursively
	fileInputs map[string]bool // files given by name

	// Shared by the event loop and the builds.
	mu      sync.Mutex
	pending map[string]bool // paths with events since the last build
	full    bool            // rebuild everything
	watched map[string]bool // directories being watched

	// Owned by the builds (the debouncer never runs two at once).
	initial bool
	started chan error                 // receives once the first build is done
	graph   *Graph                     // imports of every file compiled
	roots   map[string]bool            // sources that are built
	outputs map[string]map[string]bool // source -> its outputs on disk
	owner   map[string]string          // output -> its source
	blocked map[string]map[string]bool // output -> sources that could not write it (another owned it)
	params  map[string][]string        // source -> parameters its pipelines declare
	errs    map[string]int             // file -> errors at its last compile
	noticed map[string]bool            // directories of imported files that could not be watched
	suspect map[string]bool            // sources missing (or emptied) at the last build: taken as such if still so at the next
}

// isPipeName reports whether a file name is a source: *.pipe, not hidden
// (editor swap, backup and probe files never match).
func isPipeName(name string) bool {
	return strings.HasSuffix(name, ".pipe") && len(name) > len(".pipe") && !strings.HasPrefix(name, ".")
}

// event handles one file-system event: it notes the path and (re)starts
// the debounce timer if the event can matter.
func (w *watcher) event(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	switch {
	case ev.Op == fsnotify.Chmod:
		return
	case isPipeName(filepath.Base(name)):
	case ev.Has(fsnotify.Create):
		// Perhaps a new directory to watch.
		if st, err := os.Lstat(name); err != nil || !st.IsDir() || !w.recursiveDir(name) {
			return
		}
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		// Perhaps a watched directory gone: its watches (and those below
		// it, which inotify keeps under their old names after a rename)
		// go now, before the directory's new name is walked.
		w.mu.Lock()
		watched := w.watched[name]
		w.mu.Unlock()
		if !watched {
			return
		}
		w.unwatchTree(name)
	default:
		return
	}
	w.mu.Lock()
	w.pending[name] = true
	w.mu.Unlock()
	w.deb.Trigger()
}

// recursiveDir reports whether dir is one of the input directories or
// below one, not hidden and not in the output directory.
func (w *watcher) recursiveDir(dir string) bool {
	if w.absOut != "" {
		if abs, err := filepath.Abs(dir); err == nil && within(abs, w.absOut) {
			return false
		}
	}
	for _, root := range w.dirInputs {
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if rel == "." {
			return true
		}
		hidden := false
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			if strings.HasPrefix(part, ".") {
				hidden = true
				break
			}
		}
		if !hidden {
			return true
		}
	}
	return false
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// eligible reports whether file is a source to build.
func (w *watcher) eligible(file string) bool {
	return w.fileInputs[file] || isPipeName(filepath.Base(file)) && w.recursiveDir(filepath.Dir(file))
}

// watchDir starts watching dir (one level).
func (w *watcher) watchDir(dir string) error {
	w.mu.Lock()
	done := w.watched[dir]
	w.mu.Unlock()
	if done {
		return nil
	}
	if err := w.n.Add(dir); err != nil {
		return err
	}
	w.mu.Lock()
	w.watched[dir] = true
	w.mu.Unlock()
	return nil
}

// unwatchTree stops watching dir and the directories below it; all
// directories if dir is "".
func (w *watcher) unwatchTree(dir string) {
	w.mu.Lock()
	var gone []string
	for d := range w.watched {
		if dir == "" || within(d, dir) {
			gone = append(gone, d)
			delete(w.watched, d)
		}
	}
	w.mu.Unlock()
	for _, d := range gone {
		w.n.Remove(d) // the watch may be gone already
	}
}

// walk watches dir and the directories below it and returns the sources
// in them. Each directory is watched before it is listed, so that no file
// created meanwhile is missed.
func (w *watcher) walk(dir string, problems *[]error) []string {
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && !errors.Is(err, fs.ErrNotExist) {
				*problems = append(*problems, err)
			}
			return nil
		}
		if d.IsDir() {
			if !w.recursiveDir(p) {
				return filepath.SkipDir
			}
			if err := w.watchDir(p); err != nil {
				*problems = append(*problems, err)
			}
			return nil
		}
		if isPipeName(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// build is one debounced build: it works out which sources changed, were
// created or were deleted, compiles them and their importers, and updates
// the outputs.
func (w *watcher) build() {
	rep := &Report{Start: time.Now()}
	w.mu.Lock()
	pending, full := w.pending, w.full
	w.pending, w.full = map[string]bool{}, false
	w.mu.Unlock()
	initial := w.initial
	w.initial = false
	rep.Initial, rep.Full = initial, full

	var problems []error
	cands := map[string]bool{}
	if full {
		if !initial {
			// Events were lost (an overflow): so may watches have been,
			// with directories removed and created again. Watch afresh.
			w.unwatchTree("")
		}
		for _, dir := range w.dirInputs {
			for _, f := range w.walk(dir, &problems) {
				cands[f] = true
			}
		}
		for f := range w.fileInputs {
			if err := w.watchDir(filepath.Dir(f)); err != nil {
				problems = append(problems, err)
			}
			cands[f] = true
		}
		for f := range w.roots {
			cands[f] = true
		}
	}
	for p := range pending {
		if isPipeName(filepath.Base(p)) {
			cands[p] = true
			continue
		}
		// A directory: created, or removed or renamed with what is in it.
		for f := range w.roots {
			if within(f, p) {
				cands[f] = true
			}
		}
		for _, f := range w.graph.Files() {
			if within(f, p) {
				cands[f] = true
			}
		}
		if st, err := os.Stat(p); err == nil && st.IsDir() && w.recursiveDir(p) {
			for _, f := range w.walk(p, &problems) {
				cands[f] = true
			}
		}
	}
	if initial {
		// Cannot start without watching (a limit reached, say).
		for _, err := range problems {
			var lim *LimitError
			if errors.As(err, &lim) {
				w.started <- err
				return
			}
		}
	}
	for _, err := range problems {
		w.cfg.Notice(err.Error())
	}

	// Re-stat now, after the debounce: a file missing in the middle of a
	// rename is not deleted.
	var changed, deleted, retry []string
	for f := range cands {
		st, err := os.Stat(f)
		if err == nil && st.Mode().IsRegular() && st.Size() == 0 && len(w.outputs[f]) > 0 && !w.suspect[f] {
			// Most likely truncated by an editor that is about to write it:
			// look again after another delay before taking its outputs away.
			w.suspect[f] = true
			retry = append(retry, f)
			continue
		}
		if err == nil && !st.IsDir() || err != nil && !errors.Is(err, fs.ErrNotExist) {
			delete(w.suspect, f)
			if w.eligible(f) {
				w.roots[f] = true
			}
			if w.roots[f] || w.graph.Known(f) {
				changed = append(changed, f)
			}
			continue
		}
		if !w.roots[f] && !w.graph.Known(f) {
			continue
		}
		if w.fileInputs[f] {
			// Named on the command line: stays a root, compiled to a
			// "cannot read" error, its outputs kept.
			changed = append(changed, f)
			continue
		}
		if !w.suspect[f] {
			w.suspect[f] = true
			retry = append(retry, f)
			continue
		}
		delete(w.suspect, f)
		deleted = append(deleted, f)
	}
	if len(retry) > 0 {
		w.mu.Lock()
		for _, f := range retry {
			w.pending[f] = true
		}
		w.mu.Unlock()
		w.deb.Trigger() // runs again after this build
	}

	// Deleted sources give up their outputs; the outputs are removed
	// below unless another source (the same file, renamed) claims them.
	released := map[string]bool{}
	for _, f := range deleted {
		if w.roots[f] {
			rep.Removed = append(rep.Removed, f)
		}
		for out := range w.outputs[f] {
			if w.owner[out] == f {
				delete(w.owner, out)
				released[out] = true
			}
		}
		delete(w.outputs, f)
		delete(w.roots, f)
		delete(w.params, f)
		delete(w.errs, f)
		w.graph.Remove(f)
	}
	sort.Strings(rep.Removed)
	// Sources that could not write an output another source owned get it
	// now, in this build, rather than the output going and coming back.
	for out := range released {
		for f := range w.blocked[out] {
			if w.roots[f] {
				changed = append(changed, f)
			}
		}
		delete(w.blocked, out)
	}

	var affected []string
	for _, f := range w.graph.Affected(append(changed, deleted...)...) {
		if w.roots[f] {
			affected = append(affected, f)
		}
	}
	loaded := map[string]bool{}
	if len(affected) > 0 {
		loaded = w.compile(affected, rep, released)
	}
	for out := range released {
		if _, claimed := w.owner[out]; claimed {
			continue
		}
		if err := os.Remove(out); err == nil {
			rep.Deleted = append(rep.Deleted, out)
		} else if !errors.Is(err, fs.ErrNotExist) {
			rep.WriteErrors = append(rep.WriteErrors, err)
		}
		w.unblock(out)
	}
	sort.Strings(rep.Deleted)

	for f, n := range w.errs {
		if n > 0 && !loaded[f] && (w.roots[f] || len(w.graph.Importers(f)) > 0) {
			rep.OtherErrors += n
			rep.OtherFiles++
		}
	}
	rep.Duration = time.Since(rep.Start)
	if initial {
		w.started <- nil
	}
	if initial || len(rep.Built) > 0 || len(rep.Removed) > 0 || len(rep.Written) > 0 || len(rep.Deleted) > 0 || len(rep.WriteErrors) > 0 {
		w.cfg.Report(rep)
	}
}

func contains(list []string, s string) bool {
	i := sort.SearchStrings(list, s)
	return i < len(list) && list[i] == s
}

// unblock schedules a rebuild of the sources that could not write out
// because another source owned it.
func (w *watcher) unblock(out string) {
	srcs := w.blocked[out]
	if len(srcs) == 0 {
		return
	}
	delete(w.blocked, out)
	w.mu.Lock()
	for f := range srcs {
		w.pending[f] = true
	}
	w.mu.Unlock()
	w.deb.Trigger()
}

// outPath is where a source's output goes.
func (w *watcher) outPath(src, name string) string {
	if w.cfg.OutDir != "" {
		return filepath.Join(w.cfg.OutDir, name)
	}
	return filepath.Join(filepath.Dir(src), name)
}

// compile compiles the given sources (sorted) and updates the outputs. It
// returns the files it read: the sources and what they import.
func (w *watcher) compile(files []string, rep *Report, released map[string]bool) map[string]bool {
	rep.Built = files
	// -p may name a parameter of a pipeline not compiled now.
	opts := w.cfg.Options
	if len(opts.Params) > 0 {
		opts.OtherParams = append([]string(nil), opts.OtherParams...)
		for f, names := range w.params {
			if !contains(files, f) {
				opts.OtherParams = append(opts.OtherParams, names...)
			}
		}
	}
	res := compiler.Compile(compiler.DiskSources{}, files, opts)

	// The import graph, and the directories of imported files (which may
	// lie outside the inputs).
	for f := range res.Unit.Files {
		w.graph.Set(f, res.Unit.Imports[f])
		dir := filepath.Dir(f)
		if err := w.watchDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) && !w.noticed[dir] {
			w.noticed[dir] = true // once, not at every build
			w.cfg.Notice(err.Error())
		}
	}

	for _, f := range files {
		delete(w.params, f)
	}
	for _, p := range res.Program.Pipelines {
		for _, prm := range p.Params {
			w.params[p.File.Name] = append(w.params[p.File.Name], prm.Name)
		}
	}
	diags := append(diag.Diagnostics(nil), res.Diags...)

	errsIn := map[string]int{}
	for _, d := range diags {
		if d.Severity == diag.Error {
			errsIn[d.Range.Filename]++
		}
	}
	byFile := map[string][]*compiler.Output{}
	for _, out := range res.Outputs {
		byFile[out.Pipeline.File.Name] = append(byFile[out.Pipeline.File.Name], out)
	}
	// An error not in a file (a bad -p) stops every pipeline.
	global := false
	for name, n := range errsIn {
		if _, isFile := res.Unit.Files[name]; !isFile && n > 0 {
			global = true
		}
	}
	for _, f := range files {
		clean := !global
		for g := range w.graph.Closure(f) {
			if errsIn[g] > 0 {
				clean = false
			}
		}
		outs := map[string]bool{}
		for _, out := range byFile[f] {
			path := w.outPath(f, out.FileName())
			if o, ok := w.owner[path]; ok && o != f && w.roots[o] && !w.suspect[o] {
				diags.Errorf(out.Pipeline.Decl.Name.Range(), "pipeline %q is also defined in %s: both would write %s", out.Pipeline.Name, o, path).
					WithHint("pipeline names must be unique: each becomes one output file")
				errsIn[f]++
				clean = false
				if w.blocked[path] == nil {
					w.blocked[path] = map[string]bool{}
				}
				w.blocked[path][f] = true
				continue
			}
			outs[path] = true
			w.owner[path] = f
			delete(w.blocked[path], f)
			delete(released, path)
			if wrote, err := writeIfChanged(path, out.YAML); err != nil {
				rep.WriteErrors = append(rep.WriteErrors, err)
			} else if wrote {
				rep.Written = append(rep.Written, path)
			}
		}
		if w.outputs[f] == nil {
			w.outputs[f] = map[string]bool{}
		}
		if clean {
			// Outputs of pipelines no longer in the file go.
			for path := range w.outputs[f] {
				if !outs[path] && w.owner[path] == f {
					delete(w.owner, path)
					released[path] = true
				}
			}
			w.outputs[f] = outs
		} else {
			// Errors: the last good outputs stay.
			for path := range outs {
				w.outputs[f][path] = true
			}
		}
	}
	loaded := map[string]bool{}
	for f := range res.Unit.Files {
		w.errs[f] = errsIn[f]
		loaded[f] = true
	}
	rep.Result = &compiler.Result{Unit: res.Unit, Program: res.Program, Outputs: res.Outputs, Diags: diags.Sort()}
	return loaded
}

// writeIfChanged writes an output atomically, unless it already holds
// data (so that tools watching the outputs see only real changes).
func writeIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	return true, fsutil.WriteFileAtomic(path, data, 0o644)
}
