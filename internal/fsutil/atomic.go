// Package fsutil holds the file-system helpers the commands share: atomic
// writes (through github.com/google/renameio/v2) and the clean-up of the
// temporaries an interrupted write leaves behind.
package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/renameio/v2"
)

// StaleAfter is how old a temporary of pipec's naming must be before a later
// write removes it: a live write takes milliseconds, so an older one was
// left by a write that was killed.
const StaleAfter = time.Minute

// WriteFileAtomic writes data to path so that readers see either the old
// content or the new, never a half-written file: it writes a temporary file
// in the same directory, syncs it and renames it over path. An existing
// file keeps its permissions; a new one gets perm less the umask. A symbolic
// link is followed: the file it points to is replaced, the link stays.
// Stale temporaries an earlier, killed write of the same file left are
// removed first.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := CreateAtomic(path, perm)
	if err != nil {
		return err
	}
	defer f.Cleanup()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.CloseAtomicallyReplace()
}

// CreateAtomic starts an atomic write of path, for content written in
// parts as it is produced: the file returned is a temporary in the
// directory of path (of the file a symbolic link points to), which
// CloseAtomicallyReplace syncs and renames over path, and Cleanup removes
// (after CloseAtomicallyReplace, Cleanup does nothing; call it in every
// case). Until then, readers of path see its old content. Permissions and
// stale temporaries are as for WriteFileAtomic.
func CreateAtomic(path string, perm os.FileMode) (*renameio.PendingFile, error) {
	target, err := resolveLinks(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(target)
	removeStaleTemps(dir, func(name string) bool { return isTempOf(name, filepath.Base(target)) })
	return renameio.NewPendingFile(target, renameio.WithPermissions(perm), renameio.WithExistingPermissions(), renameio.WithTempDir(dir))
}

// RemoveStaleTemps removes, from dir, the temporaries of pipec's naming
// (.NAME<digits>, and .NAME.tmp-<digits> from older versions) of files whose
// names end in suffix, when they are older than StaleAfter. It is for an
// output directory, whose files may belong to pipelines that no longer
// exist; errors are ignored (a temporary that cannot be removed is harmless).
func RemoveStaleTemps(dir, suffix string) {
	removeStaleTemps(dir, func(name string) bool {
		base, ok := tempBase(name)
		return ok && strings.HasSuffix(base, suffix) && len(base) > len(suffix)
	})
}

func removeStaleTemps(dir string, match func(name string) bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !match(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < StaleAfter {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// tempName matches a temporary's name: renameio's .NAME<digits>, or
// .NAME.tmp-<digits> (os.CreateTemp's, which pipec used before).
var tempName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\.(.+?)(\.tmp-)?[0-9]+$`) })

// tempBase returns the name of the file a temporary's name is for.
func tempBase(name string) (string, bool) {
	m := tempName().FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// isTempOf reports whether name is a temporary of pipec's naming for base.
func isTempOf(name, base string) bool {
	rest, ok := strings.CutPrefix(name, "."+base)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, ".tmp-")
	if rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// resolveLinks follows symbolic links from path to the file they lead to,
// which need not exist yet (a link to a file not yet written).
func resolveLinks(path string) (string, error) {
	for range 40 {
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", &fs.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}
