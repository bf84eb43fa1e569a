// Command release builds pipec's release archives offline, in the layout
// goreleaser uses: for each platform, pipec_VERSION_OS_ARCH.tar.gz (.zip for
// Windows) holding a directory of that name with the pipec binary (version
// stamped with -ldflags -X main.version), README.md, the man pages and the
// shell completion scripts; and SHA256SUMS, in sha256sum's format, over the
// archives. The archives are reproducible: entries are sorted, owned by
// root, and dated SOURCE_DATE_EPOCH (or the Unix epoch).
//
//	go run ./scripts/release -version v1.2.3 [-out dist] [-platforms linux/amd64,...]
//
// make release runs it with the version from git describe.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// defaultPlatforms are the platforms of a release.
const defaultPlatforms = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

func main() {
	var c config
	flag.StringVar(&c.version, "version", "", "the version to stamp into pipec and name the archives by (required)")
	flag.StringVar(&c.out, "out", "dist", "the directory to write the archives and SHA256SUMS into (emptied first)")
	flag.StringVar(&c.platforms, "platforms", defaultPlatforms, "comma-separated GOOS/GOARCH pairs")
	flag.StringVar(&c.pkg, "pkg", "./cmd/pipec", "the package to build")
	flag.BoolVar(&c.trimpath, "trimpath", true, "build with -trimpath (no local paths in the binaries; reproducible)")
	flag.Parse()
	if err := release(c, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "release: %v\n", err)
		os.Exit(1)
	}
}

type config struct {
	version   string
	out       string
	platforms string
	pkg       string
	trimpath  bool
}

// file is one file of an archive.
type file struct {
	name string // inside the archive's directory, with /
	mode fs.FileMode
	data []byte
}

// release builds every platform's archive and the checksums.
func release(c config, log io.Writer) error {
	if c.version == "" || strings.ContainsAny(c.version, "/\\ \t\n") {
		return fmt.Errorf("-version %q: want a version such as v1.2.3", c.version)
	}
	mtime, err := sourceDate()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(c.out); err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "pipec-release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// The man pages and completions come from a pipec for this machine.
	host := filepath.Join(work, "host", "pipec"+exeSuffix(runtime.GOOS))
	if err := build(c, runtime.GOOS, runtime.GOARCH, host); err != nil {
		return err
	}
	shared, err := sharedFiles(host, work, mtime)
	if err != nil {
		return err
	}

	var archives []string
	for _, p := range strings.Split(c.platforms, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok || goos == "" || goarch == "" {
			return fmt.Errorf("-platforms: %q is not GOOS/GOARCH", p)
		}
		name := fmt.Sprintf("pipec_%s_%s_%s", strings.TrimPrefix(c.version, "v"), goos, goarch)
		fmt.Fprintf(log, "release: %s\n", name)
		bin := host // the same flags make the same binary
		if goos != runtime.GOOS || goarch != runtime.GOARCH {
			bin = filepath.Join(work, name, "pipec"+exeSuffix(goos))
			if err := build(c, goos, goarch, bin); err != nil {
				return err
			}
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		files := append([]file{{name: "pipec" + exeSuffix(goos), mode: 0o755, data: data}}, shared...)
		archive := name + ".tar.gz"
		write := writeTarGz
		if goos == "windows" {
			archive, write = name+".zip", writeZip
		}
		var buf bytes.Buffer
		if err := write(&buf, name, files, mtime); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(c.out, archive), buf.Bytes(), 0o644); err != nil {
			return err
		}
		archives = append(archives, archive)
	}
	return writeChecksums(c.out, archives)
}

// build cross-compiles pipec with its version stamped.
func build(c config, goos, goarch, out string) error {
	args := []string{"build", "-ldflags", "-s -w -X main.version=" + c.version, "-o", out}
	if c.trimpath {
		args = append(args, "-trimpath")
	}
	cmd := exec.Command("go", append(args, c.pkg)...)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s/%s: %v", goos, goarch, err)
	}
	return nil
}

// sharedFiles are the files every archive has besides the binary: the
// README, the man pages and the completion scripts, made by host.
func sharedFiles(host, work string, mtime time.Time) ([]file, error) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return nil, err
	}
	files := []file{{name: "README.md", mode: 0o644, data: readme}}
	man := filepath.Join(work, "man")
	cmd := exec.Command(host, "man", "--dir", man)
	cmd.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", mtime.Unix())) // the pages' date
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pipec man: %v: %s", err, out)
	}
	pages, err := filepath.Glob(filepath.Join(man, "*.1"))
	if err != nil || len(pages) == 0 {
		return nil, errors.New("pipec man wrote no pages")
	}
	sort.Strings(pages)
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: "man/man1/" + filepath.Base(p), mode: 0o644, data: data})
	}
	for _, sh := range []struct{ shell, name string }{
		{"bash", "pipec.bash"}, {"zsh", "_pipec"}, {"fish", "pipec.fish"}, {"powershell", "pipec.ps1"},
	} {
		data, err := exec.Command(host, "completion", sh.shell).Output()
		if err != nil {
			return nil, fmt.Errorf("pipec completion %s: %v", sh.shell, err)
		}
		files = append(files, file{name: "completions/" + sh.name, mode: 0o644, data: data})
	}
	return files, nil
}

// sourceDate is the date of every archive entry: SOURCE_DATE_EPOCH, or the
// Unix epoch.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: %v", s, err)
	}
	return time.Unix(n, 0).UTC(), nil
}

func exeSuffix(goos string) string {
	if goos == "windows" {
		return ".exe"
	}
	return ""
}

// writeTarGz writes files under dir/ as a gzipped tar.
func writeTarGz(w io.Writer, dir string, files []file, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	hdr := func(name string, mode fs.FileMode, size int64, typ byte) *tar.Header {
		return &tar.Header{Typeflag: typ, Name: name, Mode: int64(mode), Size: size, ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}
	}
	for _, d := range dirsOf(dir, files) {
		if err := tw.WriteHeader(hdr(d+"/", 0o755, 0, tar.TypeDir)); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(hdr(dir+"/"+f.name, f.mode, int64(len(f.data)), tar.TypeReg)); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip writes files under dir/ as a zip.
func writeZip(w io.Writer, dir string, files []file, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, d := range dirsOf(dir, files) {
		h := &zip.FileHeader{Name: d + "/", Modified: mtime}
		h.SetMode(fs.ModeDir | 0o755)
		if _, err := zw.CreateHeader(h); err != nil {
			return err
		}
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: dir + "/" + f.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(f.mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// dirsOf lists dir and the directories the files are in, sorted.
func dirsOf(dir string, files []file) []string {
	seen := map[string]bool{dir: true}
	for _, f := range files {
		for d := filepath.ToSlash(filepath.Dir(f.name)); d != "."; d = filepath.ToSlash(filepath.Dir(d)) {
			seen[dir+"/"+d] = true
		}
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

// writeChecksums writes SHA256SUMS in sha256sum's format (sha256sum -c
// checks it).
func writeChecksums(out string, archives []string) error {
	sort.Strings(archives)
	var b strings.Builder
	for _, a := range archives {
		data, err := os.ReadFile(filepath.Join(out, a))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(data), a)
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(b.String()), 0o644)
}
