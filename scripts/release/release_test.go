package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestRelease runs the release for this machine's platform and checks the
// archive (its entries, a binary that runs and reports the stamped version)
// and SHA256SUMS. It builds as make release does (CGO_ENABLED=0,
// -trimpath), so it compiles pipec and its dependencies afresh once: a few
// minutes on two cores with a cold cache; -short skips it.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles pipec for release")
	}
	t.Chdir("../..")
	out := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1704067200")
	platform := runtime.GOOS + "/" + runtime.GOARCH
	var log bytes.Buffer
	if err := release(config{version: "v9.8.7-test", out: out, platforms: platform, pkg: "./cmd/pipec", trimpath: true}, &log); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("pipec_9.8.7-test_%s_%s", runtime.GOOS, runtime.GOARCH)
	archive := name + ".tar.gz"
	if runtime.GOOS == "windows" {
		archive = name + ".zip"
	}
	data, err := os.ReadFile(filepath.Join(out, archive))
	if err != nil {
		t.Fatal(err)
	}
	entries := readArchive(t, archive, data)
	for _, want := range []string{"pipec" + exeSuffix(runtime.GOOS), "README.md", "man/man1/pipec.1", "man/man1/pipec-build.1", "completions/pipec.bash", "completions/_pipec", "completions/pipec.fish", "completions/pipec.ps1"} {
		if _, ok := entries[name+"/"+want]; !ok {
			t.Errorf("%s has no %s/%s", archive, name, want)
		}
	}
	if !bytes.Contains(entries[name+"/man/man1/pipec.1"], []byte(`"Jan 2024" "pipec v9.8.7-test"`)) {
		t.Errorf("the man page is not dated SOURCE_DATE_EPOCH or lacks the version")
	}
	bin := filepath.Join(t.TempDir(), "pipec"+exeSuffix(runtime.GOOS))
	if err := os.WriteFile(bin, entries[name+"/pipec"+exeSuffix(runtime.GOOS)], 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "pipec v9.8.7-test (Argo Workflows v4.0.5, v3.7.18 with --argo 3.7)\n"; string(got) != want {
		t.Errorf("pipec version = %q, want %q", got, want)
	}
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%x  %s\n", sha256.Sum256(data), archive); string(sums) != want {
		t.Errorf("SHA256SUMS = %q, want %q", sums, want)
	}
	if sha, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(sha, "-c", "SHA256SUMS")
		cmd.Dir = out
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, b)
		}
	}
}

func TestReleaseBadInput(t *testing.T) {
	for _, c := range []config{{version: ""}, {version: "v1 2"}, {version: "v1", platforms: "linux", out: t.TempDir()}} {
		if c.platforms == "" {
			c.platforms = "linux/amd64"
		}
		if err := release(c, io.Discard); err == nil {
			t.Errorf("release(%+v) succeeded", c)
		}
	}
}

// TestArchivesReproducible checks that the same files make the same bytes,
// and what each archive holds: sorted directories first, files with their
// modes and the fixed date.
func TestArchivesReproducible(t *testing.T) {
	files := []file{
		{name: "pipec", mode: 0o755, data: []byte("binary")},
		{name: "man/man1/pipec.1", mode: 0o644, data: []byte("page")},
	}
	mtime := time.Unix(1704067200, 0).UTC()
	for _, w := range []struct {
		ext   string
		write func(io.Writer, string, []file, time.Time) error
	}{{".tar.gz", writeTarGz}, {".zip", writeZip}} {
		var a, b bytes.Buffer
		if err := w.write(&a, "pipec_1_x_y", files, mtime); err != nil {
			t.Fatal(err)
		}
		if err := w.write(&b, "pipec_1_x_y", files, mtime); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes differ", w.ext)
		}
		entries := readArchive(t, "x"+w.ext, a.Bytes())
		if string(entries["pipec_1_x_y/pipec"]) != "binary" || string(entries["pipec_1_x_y/man/man1/pipec.1"]) != "page" {
			t.Errorf("%s: entries %v", w.ext, entries)
		}
		for _, d := range []string{"pipec_1_x_y/", "pipec_1_x_y/man/", "pipec_1_x_y/man/man1/"} {
			if _, ok := entries[d]; !ok {
				t.Errorf("%s: no directory %s", w.ext, d)
			}
		}
	}
}

// readArchive returns a .tar.gz's or .zip's entries by name (directories
// with a trailing /), checking binaries are executable.
func readArchive(t *testing.T, name string, data []byte) map[string][]byte {
	t.Helper()
	entries := map[string][]byte{}
	if strings.HasSuffix(name, ".zip") {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			entries[f.Name] = b
		}
		return entries
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		entries[h.Name] = b
		if filepath.Base(h.Name) == "pipec" && h.Mode&0o111 == 0 {
			t.Errorf("%s is not executable (mode %o)", h.Name, h.Mode)
		}
		if h.Uname != "root" || h.Gname != "root" || !h.ModTime.Equal(time.Unix(1704067200, 0)) && !strings.HasPrefix(filepath.Base(name), "x") {
			t.Errorf("%s: owner %s:%s, date %v", h.Name, h.Uname, h.Gname, h.ModTime)
		}
	}
	return entries
}
