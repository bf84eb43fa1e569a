package valcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAcceptAccepted(t *testing.T) {
	d := Open(filepath.Join(t.TempDir(), "validated"))
	key := strings.Repeat("ab", 32)
	if d.Accepted(key) {
		t.Fatal("an empty cache has a key")
	}
	d.Accept(key)
	if !d.Accepted(key) {
		t.Fatal("a recorded key is missing")
	}
	if d.Accepted(strings.Repeat("cd", 32)) {
		t.Fatal("another key is found")
	}
	if _, err := os.Stat(filepath.Join(d.Path(), "ab", key)); err != nil {
		t.Fatal(err)
	}
}

func TestBadKeys(t *testing.T) {
	d := Open(t.TempDir())
	for _, key := range []string{"", "ab", "../../etc/passwd", `a\b\c`, "abc.d"} {
		d.Accept(key)
		if d.Accepted(key) {
			t.Errorf("key %q accepted", key)
		}
	}
}

// TestUnwritable checks that a cache that cannot be written behaves as an
// empty one.
func TestUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d := Open(filepath.Join(file, "validated"))
	d.Accept("abcdef")
	if d.Accepted("abcdef") {
		t.Fatal("accepted a key it could not store")
	}
	if n := d.Prune(); n != 0 {
		t.Fatalf("pruned %d", n)
	}
}

func TestPrune(t *testing.T) {
	d := Open(filepath.Join(t.TempDir(), "validated"))
	now := time.Now()
	old, fresh := "aa"+strings.Repeat("0", 62), "bb"+strings.Repeat("1", 62)
	d.Accept(old)
	d.Accept(fresh)
	long := now.Add(-unusedAfter - time.Hour)
	if err := os.Chtimes(filepath.Join(d.Path(), "aa", old), long, long); err != nil {
		t.Fatal(err)
	}
	if n := d.prune(now); n != 1 {
		t.Fatalf("pruned %d entries, want 1", n)
	}
	if d.Accepted(old) || !d.Accepted(fresh) {
		t.Fatal("pruned the wrong entry")
	}
	if _, err := os.Stat(filepath.Join(d.Path(), "aa")); err == nil {
		t.Error("an empty shard directory is left")
	}
	// At most once a day.
	d.Accept(old)
	if err := os.Chtimes(filepath.Join(d.Path(), "aa", old), long, long); err != nil {
		t.Fatal(err)
	}
	if n := d.prune(now.Add(time.Hour)); n != 0 {
		t.Fatalf("pruned again within a day: %d", n)
	}
}

// TestUseRefreshes checks that using an old entry keeps it from pruning.
func TestUseRefreshes(t *testing.T) {
	d := Open(filepath.Join(t.TempDir(), "validated"))
	key := "cc" + strings.Repeat("2", 62)
	d.Accept(key)
	long := time.Now().Add(-unusedAfter - time.Hour)
	p := filepath.Join(d.Path(), "cc", key)
	if err := os.Chtimes(p, long, long); err != nil {
		t.Fatal(err)
	}
	if !d.Accepted(key) {
		t.Fatal("missing")
	}
	if n := d.prune(time.Now()); n != 0 {
		t.Fatalf("pruned an entry just used (%d)", n)
	}
}

func TestDefault(t *testing.T) {
	t.Setenv(EnvDir, "off")
	if Default() != nil {
		t.Fatal("off is not off")
	}
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	if d := Default(); d == nil || d.Path() != filepath.Join(dir, "validated") {
		t.Fatalf("Default() = %v", d)
	}
}
