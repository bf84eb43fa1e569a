package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// A notifier reports changes to the entries of the directories it watches
// (one level: recursion is the watcher's job). Watching directories rather
// than files means a file replaced by a rename (how editors save) is still
// seen.
type notifier interface {
	Add(dir string) error
	Remove(dir string) error
	Events() <-chan fsnotify.Event
	Errors() <-chan error
	Close() error
}

// fsNotifier is the fsnotify (inotify, kqueue, ...) notifier.
type fsNotifier struct{ w *fsnotify.Watcher }

func newFSNotifier() (notifier, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		if errors.Is(err, syscall.EMFILE) {
			return nil, &LimitError{Setting: "fs.inotify.max_user_instances", Suggested: 1024, Err: err}
		}
		return nil, err
	}
	return &fsNotifier{w: w}, nil
}

func (n *fsNotifier) Add(dir string) error { return addError(dir, n.w.Add(dir)) }

// addError explains running out of inotify watches: inotify_add_watch
// fails with ENOSPC, "no space left on device", which misleads.
func addError(dir string, err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return &LimitError{Dir: dir, Setting: "fs.inotify.max_user_watches", Suggested: 524288, Err: err}
	}
	return err
}

func (n *fsNotifier) Remove(dir string) error       { return n.w.Remove(dir) }
func (n *fsNotifier) Events() <-chan fsnotify.Event { return n.w.Events }
func (n *fsNotifier) Errors() <-chan error          { return n.w.Errors }
func (n *fsNotifier) Close() error                  { return n.w.Close() }

// LimitError is a kernel limit on file-system watches being reached.
type LimitError struct {
	Dir       string // the directory that could not be watched ("" when starting)
	Setting   string // the sysctl to raise
	Suggested int
	Err       error
}

func (e *LimitError) Error() string {
	var b strings.Builder
	if e.Dir != "" {
		fmt.Fprintf(&b, "cannot watch %s: ", e.Dir)
	} else {
		b.WriteString("cannot start watching: ")
	}
	fmt.Fprintf(&b, "the limit %s", e.Setting)
	if v := readSysctl(e.Setting); v != "" {
		fmt.Fprintf(&b, " (now %s)", v)
	}
	fmt.Fprintf(&b, " is reached (%v)\n", e.Err)
	fmt.Fprintf(&b, "\thint: raise it with: sudo sysctl %s=%d (and add that setting to /etc/sysctl.conf to keep it), or use --poll 1s", e.Setting, e.Suggested)
	return b.String()
}

func (e *LimitError) Unwrap() error { return e.Err }

func readSysctl(name string) string {
	b, err := os.ReadFile(filepath.Join("/proc/sys", strings.ReplaceAll(name, ".", "/")))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// pollNotifier polls the watched directories at an interval, for file
// systems where inotify sees nothing (NFS, SMB, some container mounts). It
// compares listings and file metadata (size, modification time, identity),
// so a file replaced by a rename is seen even when those match.
type pollNotifier struct {
	interval time.Duration
	events   chan fsnotify.Event
	errors   chan error
	done     chan struct{}
	wg       sync.WaitGroup

	mu   sync.Mutex
	dirs map[string]map[string]os.FileInfo // dir -> entry name -> info
}

func newPollNotifier(interval time.Duration) *pollNotifier {
	p := &pollNotifier{
		interval: interval,
		events:   make(chan fsnotify.Event),
		errors:   make(chan error),
		done:     make(chan struct{}),
		dirs:     map[string]map[string]os.FileInfo{},
	}
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *pollNotifier) Add(dir string) error {
	snap, err := snapshot(dir)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if _, ok := p.dirs[dir]; !ok {
		p.dirs[dir] = snap
	}
	p.mu.Unlock()
	return nil
}

func (p *pollNotifier) Remove(dir string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.dirs[dir]; !ok {
		return fsnotify.ErrNonExistentWatch
	}
	delete(p.dirs, dir)
	return nil
}

func (p *pollNotifier) Events() <-chan fsnotify.Event { return p.events }
func (p *pollNotifier) Errors() <-chan error          { return p.errors }

func (p *pollNotifier) Close() error {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	p.wg.Wait()
	return nil
}

func (p *pollNotifier) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		for _, ev := range p.poll() {
			select {
			case p.events <- ev:
			case <-p.done:
				return
			}
		}
	}
}

// poll lists every watched directory once and returns what changed.
func (p *pollNotifier) poll() []fsnotify.Event {
	p.mu.Lock()
	dirs := make([]string, 0, len(p.dirs))
	for d := range p.dirs {
		dirs = append(dirs, d)
	}
	p.mu.Unlock()
	var evs []fsnotify.Event
	for _, dir := range dirs {
		snap, err := snapshot(dir)
		p.mu.Lock()
		old, ok := p.dirs[dir]
		if !ok { // removed meanwhile
			p.mu.Unlock()
			continue
		}
		if err != nil {
			// The directory is gone: report it like inotify does.
			delete(p.dirs, dir)
			p.mu.Unlock()
			evs = append(evs, fsnotify.Event{Name: dir, Op: fsnotify.Remove})
			continue
		}
		p.dirs[dir] = snap
		p.mu.Unlock()
		for name, fi := range snap {
			path := filepath.Join(dir, name)
			prev, ok := old[name]
			switch {
			case !ok:
				evs = append(evs, fsnotify.Event{Name: path, Op: fsnotify.Create})
			case !os.SameFile(prev, fi) || prev.IsDir() != fi.IsDir():
				evs = append(evs, fsnotify.Event{Name: path, Op: fsnotify.Create})
			case !fi.IsDir() && (prev.Size() != fi.Size() || !prev.ModTime().Equal(fi.ModTime())):
				evs = append(evs, fsnotify.Event{Name: path, Op: fsnotify.Write})
			}
		}
		for name := range old {
			if _, ok := snap[name]; !ok {
				evs = append(evs, fsnotify.Event{Name: filepath.Join(dir, name), Op: fsnotify.Remove})
			}
		}
	}
	return evs
}

func snapshot(dir string) (map[string]os.FileInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	snap := make(map[string]os.FileInfo, len(entries))
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue // removed since the listing
		}
		snap[e.Name()] = fi
	}
	return snap, nil
}
