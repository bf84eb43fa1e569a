// Package valcache is pipec's on-disk record of the objects Argo's
// validator accepted, so that a build validates again only what changed
// since an earlier build on the same machine (pipec watch, repeated CI
// builds with a kept cache directory). It stores one empty file per key;
// keys are content hashes computed by the compiler (see
// compiler.ValidationCache), so an entry can never be stale, only unused.
package valcache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnvDir names the environment variable that overrides the cache
// directory; "off" turns the cache off.
const EnvDir = "PIPEC_CACHE_DIR"

// unusedAfter is how long an entry no build used is kept.
const unusedAfter = 30 * 24 * time.Hour

// touchAfter is how old an entry's time gets before a use refreshes it.
const touchAfter = 24 * time.Hour

// Dir is a cache directory. Its methods never fail: a cache that cannot
// be read or written behaves as an empty one.
type Dir struct {
	path string
}

// Open returns the cache in path; the directory is made on first write.
func Open(path string) *Dir { return &Dir{path: path} }

// Default returns the cache directory of PIPEC_CACHE_DIR, or else
// <user cache dir>/pipec/validated; nil if it is off or there is no user
// cache directory.
func Default() *Dir {
	if p := os.Getenv(EnvDir); p != "" {
		if p == "off" {
			return nil
		}
		return Open(filepath.Join(p, "validated"))
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	return Open(filepath.Join(base, "pipec", "validated"))
}

// Path is the cache's directory.
func (d *Dir) Path() string { return d.path }

func (d *Dir) entry(key string) (string, bool) {
	if len(key) < 3 || strings.ContainsAny(key, `/\.`) {
		return "", false
	}
	return filepath.Join(d.path, key[:2], key), true
}

// Accepted reports whether key was recorded.
func (d *Dir) Accepted(key string) bool {
	p, ok := d.entry(key)
	if !ok {
		return false
	}
	st, err := os.Stat(p)
	if err != nil {
		return false
	}
	if now := time.Now(); now.Sub(st.ModTime()) > touchAfter {
		_ = os.Chtimes(p, now, now)
	}
	return true
}

// Accept records key.
func (d *Dir) Accept(key string) {
	p, ok := d.entry(key)
	if !ok {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	f.Close()
}

// Prune removes the entries no build used for 30 days. It does its work at
// most once a day (it leaves a marker file) and returns how many entries it
// removed.
func (d *Dir) Prune() int {
	return d.prune(time.Now())
}

func (d *Dir) prune(now time.Time) int {
	marker := filepath.Join(d.path, "last-prune")
	if st, err := os.Stat(marker); err == nil && now.Sub(st.ModTime()) < touchAfter {
		return 0
	} else if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(d.path); err != nil {
			return 0 // no cache yet
		}
	}
	removed := 0
	shards, _ := os.ReadDir(d.path)
	for _, shard := range shards {
		if !shard.IsDir() {
			continue
		}
		dir := filepath.Join(d.path, shard.Name())
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			info, err := e.Info()
			if err == nil && now.Sub(info.ModTime()) > unusedAfter && os.Remove(filepath.Join(dir, e.Name())) == nil {
				removed++
			}
		}
		_ = os.Remove(dir) // only if empty
	}
	if f, err := os.Create(marker); err == nil {
		f.Close()
		_ = os.Chtimes(marker, now, now)
	}
	return removed
}
