package fakekubelet

// Artifacts: what the executor's init container (argoexec init) and wait
// container (argoexec wait) do, following workflow/executor/executor.go
// of Argo v3.7.18: before the command, every input artifact of the pod's
// template is relocated into the template's archiveLocation (key-only
// artifacts), downloaded with Argo's own S3 driver, and untarred,
// unzipped or moved to its path (the pod's private directory stands for
// the container's filesystem); after it, every output artifact is
// archived (tar.gz by default, with the compression level given, zip, or
// none), given the archiveLocation's key plus its file name when it has
// no key, uploaded, and reported in the WorkflowTaskResult.
//
// Only the suite's S3 server and raw artifacts are reachable here. An
// input elsewhere (git, http, gcs, ...) fails the pod when its command
// really runs; when the pod is simulated (its program does not exist
// here) the input is simulated too, and listed in the pod's
// pipec-e2e/kubelet-artifacts annotation. A simulated pod's outputs are
// files saying so, really archived and uploaded.

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/util/archive"
	s3driver "github.com/argoproj/argo-workflows/v3/workflow/artifacts/s3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AnnotationArtifacts lists what the fake kubelet did with the pod's
// artifacts: "in:NAME=loaded|skipped|simulated", "out:NAME=KEY|skipped".
const AnnotationArtifacts = "pipec-e2e/kubelet-artifacts"

// artifactPaths are the container paths of a template's artifacts.
func artifactPaths(tmpl *wfv1.Template) []string {
	var ps []string
	for _, a := range tmpl.Inputs.Artifacts {
		ps = append(ps, a.Path)
	}
	for _, a := range tmpl.Outputs.Artifacts {
		ps = append(ps, a.Path)
	}
	return ps
}

// fsPath is where container path p is in the pod's private directory.
func fsPath(root, p string) string { return filepath.Join(root, "fs", filepath.Clean("/"+p)) }

// loadArtifacts is argoexec init. real says the command will run.
func (k *Kubelet) loadArtifacts(ctx context.Context, pod *corev1.Pod, tmpl *wfv1.Template, root string, real bool, notes *[]string) error {
	for _, art := range tmpl.Inputs.Artifacts {
		if !art.HasLocationOrKey() {
			if art.Optional {
				*notes = append(*notes, "in:"+art.Name+"=skipped")
				continue
			}
			return fmt.Errorf("required artifact '%s' not supplied", art.Name)
		}
		driverArt := art.DeepCopy()
		if err := driverArt.Relocate(tmpl.ArchiveLocation); err != nil {
			return fmt.Errorf("failed to load artifact '%s': %w", art.Name, err)
		}
		artPath := fsPath(root, art.Path)
		tmp := artPath + ".tmp"
		if err := os.MkdirAll(filepath.Dir(tmp), 0o755); err != nil {
			return err
		}
		switch {
		case driverArt.Raw != nil:
			if err := os.WriteFile(tmp, []byte(driverArt.Raw.Data), 0o644); err != nil {
				return err
			}
		case driverArt.S3 != nil && k.reachable(driverArt.S3):
			drv, err := k.s3Driver(ctx, pod.Namespace, driverArt.S3)
			if err != nil {
				return err
			}
			if err := drv.Load(driverArt, tmp); err != nil {
				if art.Optional && isNotFound(err) {
					*notes = append(*notes, "in:"+art.Name+"=skipped")
					continue
				}
				return fmt.Errorf("artifact %s failed to load: %w", art.Name, err)
			}
		default:
			if real {
				return fmt.Errorf("artifact %s: the fake kubelet cannot reach %s", art.Name, locationKind(driverArt))
			}
			*notes = append(*notes, "in:"+art.Name+"=simulated")
			continue
		}
		if err := unpackArtifact(&art, tmp, artPath); err != nil {
			return fmt.Errorf("artifact %s: %w", art.Name, err)
		}
		if art.Mode != nil {
			if err := chmodAll(artPath, os.FileMode(*art.Mode), art.RecurseMode); err != nil {
				return err
			}
		}
		*notes = append(*notes, "in:"+art.Name+"=loaded")
	}
	return nil
}

// unpackArtifact moves a downloaded artifact to its path as the executor
// does: untarred when it is a tarball (or says it is), unzipped when it
// says it is a zip, else as it is.
func unpackArtifact(art *wfv1.Artifact, tmp, dest string) error {
	a := art.GetArchive()
	isTar, isZip := false, false
	switch {
	case a.None != nil:
	case a.Tar != nil:
		isTar = true
	case a.Zip != nil:
		isZip = true
	default:
		isTar = isTarball(tmp)
	}
	switch {
	case isTar:
		defer os.Remove(tmp)
		return unpack(tmp, dest, untar)
	case isZip:
		defer os.Remove(tmp)
		return unpack(tmp, dest, unzip)
	}
	return os.Rename(tmp, dest)
}

func isTarball(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	defer gz.Close()
	_, err = tar.NewReader(gz).Next()
	return err == nil
}

// unpack extracts src into a temporary directory and makes its single
// entry, or the directory itself, dest.
func unpack(src, dest string, extract func(src, dir string) error) error {
	dir := dest + ".tmpdir"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := extract(src, dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 1 {
		if err := os.Rename(filepath.Join(dir, entries[0].Name()), dest); err != nil {
			return err
		}
		return os.Remove(dir)
	}
	return os.Rename(dir, dest)
}

// inside joins name below dir, refusing paths that leave it.
func inside(dir, name string) (string, error) {
	p := filepath.Join(dir, filepath.Clean("/"+name))
	if !strings.HasPrefix(p, filepath.Clean(dir)+string(os.PathSeparator)) {
		return "", fmt.Errorf("illegal file path: %s", name)
	}
	return p, nil
}

func untar(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		target, err := inside(dir, h.Name)
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr, os.FileMode(h.Mode)); err != nil {
				return err
			}
		}
	}
}

func unzip(src, dir string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		target, err := inside(dir, f.Name)
		if err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = writeFile(target, rc, f.Mode())
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func writeFile(p string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func chmodAll(p string, mode os.FileMode, recurse bool) error {
	if !recurse {
		return os.Chmod(p, mode)
	}
	return filepath.Walk(p, func(q string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chmod(q, mode)
	})
}

// errUnreachable is a location other than the suite's S3 server.
var errUnreachable = errors.New("the fake kubelet cannot reach")

// errArtifactMissing is an output artifact whose path the command did
// not write.
var errArtifactMissing = errors.New("no such file or directory")

// saveArtifacts is argoexec wait's part for artifacts. real says the
// command ran; a simulated pod's outputs are written first.
func (k *Kubelet) saveArtifacts(ctx context.Context, pod *corev1.Pod, tmpl *wfv1.Template, root string, real bool, notes *[]string) ([]wfv1.Artifact, error) {
	var saved []wfv1.Artifact
	var errs []string
	for _, a := range tmpl.Outputs.Artifacts {
		art := *a.DeepCopy()
		local := fsPath(root, art.Path)
		if !real {
			if _, err := os.Stat(local); err != nil {
				_ = os.MkdirAll(filepath.Dir(local), 0o755)
				_ = os.WriteFile(local, []byte("simulated artifact "+art.Name+"\n"), 0o644)
			}
		}
		fileName, staged, err := stageArchive(&art, local, filepath.Join(root, "outart"))
		if errors.Is(err, errArtifactMissing) && art.Optional {
			*notes = append(*notes, "out:"+art.Name+"=skipped")
			continue
		}
		if err == nil {
			err = k.upload(ctx, pod, tmpl, &art, fileName, staged)
			if errors.Is(err, errUnreachable) && !real {
				*notes = append(*notes, "out:"+art.Name+"=simulated")
				saved = append(saved, art)
				continue
			}
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", art.Name, err))
			continue
		}
		*notes = append(*notes, "out:"+art.Name+"="+artifactKey(&art))
		saved = append(saved, art)
	}
	if len(errs) > 0 {
		return saved, errors.New(strings.Join(errs, "; "))
	}
	return saved, nil
}

// stageArchive is the executor's stageArchiveFile: the file to upload and
// its name.
func stageArchive(art *wfv1.Artifact, local, outDir string) (string, string, error) {
	if _, err := os.Stat(local); err != nil {
		return "", "", fmt.Errorf("%s: %w", art.Path, errArtifactMissing)
	}
	strategy := art.Archive
	if strategy == nil {
		strategy = &wfv1.ArchiveStrategy{Tar: &wfv1.TarStrategy{}}
	}
	if strategy.None != nil {
		return filepath.Base(art.Path), local, nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", "", err
	}
	if strategy.Zip != nil {
		name := art.Name + ".zip"
		p := filepath.Join(outDir, name)
		f, err := os.Create(p)
		if err != nil {
			return "", "", err
		}
		zw := zip.NewWriter(f)
		err = archive.ZipToWriter(local, zw)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return name, p, err
	}
	level := gzip.DefaultCompression
	if l := strategy.Tar.CompressionLevel; l != nil {
		level = int(*l)
	}
	name := art.Name + ".tgz"
	p := filepath.Join(outDir, name)
	f, err := os.Create(p)
	if err != nil {
		return "", "", err
	}
	w := bufio.NewWriter(f)
	err = archive.TarGzToWriter(local, level, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return name, p, err
}

// saveLog is the executor's saveContainerLogs for the main container: its
// log uploaded as main.log under the archiveLocation's key, the output
// artifact main-logs.
func (k *Kubelet) saveLog(ctx context.Context, pod *corev1.Pod, tmpl *wfv1.Template, root, log string) (*wfv1.Artifact, error) {
	dir := filepath.Join(root, "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "main.log")
	if err := os.WriteFile(p, []byte(log), 0o644); err != nil {
		return nil, err
	}
	art := &wfv1.Artifact{Name: "main-logs"}
	if err := k.upload(ctx, pod, tmpl, art, "main.log", p); err != nil {
		return nil, fmt.Errorf("main-logs: %w", err)
	}
	return art, nil
}

// upload is the executor's saveArtifactFromFile.
func (k *Kubelet) upload(ctx context.Context, pod *corev1.Pod, tmpl *wfv1.Template, art *wfv1.Artifact, fileName, local string) error {
	if !art.HasKey() {
		if tmpl.ArchiveLocation == nil {
			return errors.New("no artifact repository: the template has no archiveLocation")
		}
		key, err := tmpl.ArchiveLocation.GetKey()
		if err != nil {
			return err
		}
		loc, err := tmpl.ArchiveLocation.Get()
		if err != nil {
			return err
		}
		if err := art.SetType(loc); err != nil {
			return err
		}
		if err := art.SetKey(path.Join(key, fileName)); err != nil {
			return err
		}
	}
	driverArt := art.DeepCopy()
	if err := driverArt.Relocate(tmpl.ArchiveLocation); err != nil {
		return err
	}
	if driverArt.S3 == nil || !k.reachable(driverArt.S3) {
		return fmt.Errorf("%w %s", errUnreachable, locationKind(driverArt))
	}
	drv, err := k.s3Driver(ctx, pod.Namespace, driverArt.S3)
	if err != nil {
		return err
	}
	return drv.Save(local, driverArt)
}

// reachable: the suite's own S3 server (on this machine).
func (k *Kubelet) reachable(s *wfv1.S3Artifact) bool {
	return strings.HasPrefix(s.Endpoint, "127.0.0.1:") || strings.HasPrefix(s.Endpoint, "localhost:")
}

// s3Driver is Argo's S3 driver with the credentials of the location's
// secrets.
func (k *Kubelet) s3Driver(ctx context.Context, ns string, s *wfv1.S3Artifact) (*s3driver.ArtifactDriver, error) {
	secret := func(sel *corev1.SecretKeySelector) (string, error) {
		if sel == nil {
			return "", nil
		}
		sec, err := k.kube.CoreV1().Secrets(ns).Get(ctx, sel.Name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		return string(sec.Data[sel.Key]), nil
	}
	ak, err := secret(s.AccessKeySecret)
	if err != nil {
		return nil, err
	}
	sk, err := secret(s.SecretKeySecret)
	if err != nil {
		return nil, err
	}
	return &s3driver.ArtifactDriver{
		Endpoint: s.Endpoint, Region: s.Region, Secure: s.Insecure == nil || !*s.Insecure,
		AccessKey: ak, SecretKey: sk, Context: ctx,
	}, nil
}

func isNotFound(err error) bool {
	return strings.Contains(err.Error(), "not found") || strings.Contains(err.Error(), "NoSuchKey") || strings.Contains(err.Error(), "does not exist")
}

func locationKind(a *wfv1.Artifact) string {
	switch {
	case a.S3 != nil:
		return "s3 endpoint " + a.S3.Endpoint
	case a.Git != nil:
		return "git"
	case a.HTTP != nil:
		return "http"
	case a.GCS != nil:
		return "gcs"
	case a.Azure != nil:
		return "azure"
	case a.OSS != nil:
		return "oss"
	case a.HDFS != nil:
		return "hdfs"
	case a.Artifactory != nil:
		return "artifactory"
	}
	return "this location"
}

func artifactKey(a *wfv1.Artifact) string {
	if k, err := a.GetKey(); err == nil {
		return k
	}
	return "?"
}
