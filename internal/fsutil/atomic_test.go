package fsutil

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.yaml")
	if err := WriteFileAtomic(path, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(b) != "two" || st.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v: want %q and the existing mode 0600", b, st.Mode().Perm(), "two")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), 0o644); err == nil {
		t.Errorf("writing into a missing directory should fail")
	}
}

// TestWriteFileAtomicSymlink checks that writing through a symbolic link
// replaces the file it points to and keeps the link (it replaced the link
// with a regular file and left the target as it was).
func TestWriteFileAtomicSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real", "x.pipe")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pipe")
	if err := os.Symlink(filepath.Join("real", "x.pipe"), link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	// A chain of two links, the second absolute.
	link2 := filepath.Join(dir, "link2.pipe")
	if err := os.Symlink(link, link2); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link2, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link, link2} {
		if st, err := os.Lstat(l); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link (%v)", l, err)
		}
	}
	b, _ := os.ReadFile(target)
	st, _ := os.Stat(target)
	if string(b) != "new" || st.Mode().Perm() != 0o640 {
		t.Errorf("target: content %q mode %v, want %q and its mode 0640", b, st.Mode().Perm(), "new")
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the target: %v", entries)
	}
}

// TestStaleTemps checks that the temporaries a killed write left (they were
// never removed) are removed by the next write of the same file, and by
// RemoveStaleTemps for any file of the directory, once they are stale;
// fresh ones (a write in progress) and other files stay.
func TestStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * StaleAfter)
	files := map[string]bool{ // name: removed by the end
		".out.yaml.tmp-123456": true,  // os.CreateTemp's naming (older pipec)
		".out.yaml8812345":     true,  // renameio's naming
		".gone.yaml.tmp-99":    true,  // of a pipeline that no longer exists
		".gone.yaml77":         true,  //
		".fresh.yaml.tmp-1":    false, // a write in progress
		".out.yaml.tmp-x":      false, // not pipec's naming
		".notes.txt123":        false, // not a .yaml file
		"keep.yaml":            false,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if name != ".fresh.yaml.tmp-1" {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "out.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".out.yaml.tmp-123456", ".out.yaml8812345"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("WriteFileAtomic left the stale %s", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".gone.yaml77")); err != nil {
		t.Errorf("WriteFileAtomic of out.yaml removed another file's temporary")
	}
	RemoveStaleTemps(dir, ".yaml")
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := err != nil; gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
		}
	}
}
