package compiler

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Sources gives the compiler the text of files. The CLI reads the disk; the
// language server overlays the editor's unsaved documents.
type Sources interface {
	ReadFile(path string) ([]byte, error)
}

// DiskSources reads files from the file system.
type DiskSources struct{}

// ReadFile implements Sources.
func (DiskSources) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// Overlay serves the given documents and falls back to Base for others.
type Overlay struct {
	Files map[string][]byte
	Base  Sources
}

// ReadFile implements Sources.
func (o Overlay) ReadFile(path string) ([]byte, error) {
	if b, ok := o.Files[path]; ok {
		return b, nil
	}
	if o.Base == nil {
		return nil, fs.ErrNotExist
	}
	return o.Base.ReadFile(path)
}

// Unit is a set of parsed files: the roots asked for and every file they
// import, transitively, each parsed once.
type Unit struct {
	Roots []string             // root file paths, in the order given
	Files map[string]*dsl.File // by cleaned path
	// Imports maps a file to the files it imports (cleaned paths), in source order.
	Imports map[string][]string
}

// Load parses the root files and everything they import. Missing files,
// unreadable files and import cycles are diagnostics; loading never stops at
// the first problem.
func Load(src Sources, roots []string) (*Unit, diag.Diagnostics) {
	u := &Unit{Files: map[string]*dsl.File{}, Imports: map[string][]string{}}
	var diags diag.Diagnostics
	var load func(path string, from diag.Range)
	load = func(path string, from diag.Range) {
		if _, done := u.Files[path]; done {
			return
		}
		data, err := src.ReadFile(path)
		if err != nil {
			r := from
			if r.Filename == "" {
				r = diag.Range{Filename: path}
			}
			msg := err.Error()
			var perr *fs.PathError
			if errors.As(err, &perr) {
				msg = perr.Err.Error()
			}
			if from.Filename != "" {
				diags.Errorf(r, "cannot read imported file %s: %s", path, msg)
			} else {
				diags.Errorf(r, "cannot read file: %s", msg)
			}
			u.Files[path] = nil
			return
		}
		f, pd := dsl.Parse(path, data)
		diags = append(diags, pd...)
		u.Files[path] = f
		for _, it := range f.Items {
			if it.Import == nil || it.Import.Path == nil {
				continue
			}
			rel := it.Import.Path.Value()
			if !strings.HasSuffix(rel, ".pipe") {
				diags.Errorf(it.Import.Path.Range(), "import %q: only .pipe files can be imported", rel).WithHint(`write import "%s.pipe"`, rel)
				continue
			}
			target := rel
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(path), rel)
			}
			target = filepath.Clean(target)
			if target == path {
				diags.Errorf(it.Import.Path.Range(), "a file cannot import itself")
				continue
			}
			u.Imports[path] = append(u.Imports[path], target)
			load(target, it.Import.Path.Range())
		}
	}
	for _, r := range roots {
		r = filepath.Clean(r)
		u.Roots = append(u.Roots, r)
		load(r, diag.Range{})
	}
	diags = append(diags, u.importCycles()...)
	return u, diags
}

// importCycles reports each import cycle once, at the import that closes it.
func (u *Unit) importCycles() diag.Diagnostics {
	var diags diag.Diagnostics
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(p string)
	visit = func(p string) {
		state[p] = active
		stack = append(stack, p)
		for _, q := range u.Imports[p] {
			switch state[q] {
			case active:
				i := 0
				for stack[i] != q {
					i++
				}
				cycle := append(append([]string{}, stack[i:]...), q)
				if f := u.Files[p]; f != nil {
					for _, it := range f.Items {
						if it.Import != nil && it.Import.Path != nil && filepath.Clean(filepath.Join(filepath.Dir(p), it.Import.Path.Value())) == q {
							diags.Errorf(it.Import.Path.Range(), "import cycle: %s", strings.Join(cycle, " -> "))
							break
						}
					}
				}
			case unvisited:
				visit(q)
			}
		}
		stack = stack[:len(stack)-1]
		state[p] = done
	}
	paths := make([]string, 0, len(u.Files))
	for p := range u.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if state[p] == unvisited {
			visit(p)
		}
	}
	return diags
}

// FindPipeFiles expands directories into the .pipe files below them (hidden
// directories skipped), sorted; plain files are kept as given. A file named
// more than once (examples and examples/etl.pipe, ./a.pipe and a.pipe) is
// listed once, as first named.
func FindPipeFiles(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		key := filepath.Clean(p)
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			add(a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".pipe") && !strings.HasPrefix(d.Name(), ".") {
				add(p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
