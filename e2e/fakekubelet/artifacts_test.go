package fakekubelet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/pipec/pipec/e2e/s3"
)

// TestArtifactsRoundTrip: what saveArtifacts uploads to the S3 server,
// loadArtifacts puts back at the consumer's paths, for every archive
// strategy and for a key-only fan-in directory.
func TestArtifactsRoundTrip(t *testing.T) {
	srv, err := s3.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	kube := fake.NewSimpleClientset(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "argo"},
		Data:       map[string][]byte{"ak": []byte("a"), "sk": []byte("b")},
	})
	k := New(kube, nil, Config{Namespace: "argo", WorkDir: t.TempDir()})
	insecure := true
	repo := &wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{S3Bucket: wfv1.S3Bucket{
		Bucket: s3.Bucket, Endpoint: srv.Endpoint, Insecure: &insecure,
		AccessKeySecret: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "ak"},
		SecretKeySecret: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "sk"},
	}, Key: "wf/pod-1"}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "argo", Name: "pod-1"}}
	level := int32(9)
	producer := &wfv1.Template{ArchiveLocation: repo, Outputs: wfv1.Outputs{Artifacts: []wfv1.Artifact{
		{Name: "dir", Path: "/out/dir"},
		{Name: "level", Path: "/out/file.txt", Archive: &wfv1.ArchiveStrategy{Tar: &wfv1.TarStrategy{CompressionLevel: &level}}},
		{Name: "plain", Path: "/out/file.txt", Archive: &wfv1.ArchiveStrategy{None: &wfv1.NoneStrategy{}}},
		{Name: "zipped", Path: "/out/dir", Archive: &wfv1.ArchiveStrategy{Zip: &wfv1.ZipStrategy{}}},
		{Name: "part", Path: "/out/file.txt", Archive: &wfv1.ArchiveStrategy{None: &wfv1.NoneStrategy{}}, ArtifactLocation: wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{Key: "fan/in/1"}}},
		{Name: "missing", Path: "/out/none", Optional: true},
	}}}
	root := t.TempDir()
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(fsPath(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fsPath(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("/out/dir/a.txt", "A")
	write("/out/dir/sub/b.txt", "B")
	write("/out/file.txt", "F")
	var notes []string
	saved, err := k.saveArtifacts(context.Background(), pod, producer, root, true, &notes)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := srv.Keys("")
	want := []string{"fan/in/1", "wf/pod-1/dir.tgz", "wf/pod-1/file.txt", "wf/pod-1/level.tgz", "wf/pod-1/zipped.zip"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("objects %v, want %v (notes %v)", keys, want, notes)
	}
	if len(saved) != 5 {
		t.Fatalf("saved %d artifacts, want 5 (the optional missing one skipped): %v", len(saved), notes)
	}
	// A second part of the fan-in.
	write("/out/file.txt", "G")
	second := &wfv1.Template{ArchiveLocation: repo, Outputs: wfv1.Outputs{Artifacts: []wfv1.Artifact{producer.Outputs.Artifacts[4]}}}
	second.Outputs.Artifacts[0].S3 = &wfv1.S3Artifact{Key: "fan/in/2"}
	if _, err := k.saveArtifacts(context.Background(), pod, second, root, true, &notes); err != nil {
		t.Fatal(err)
	}

	// The consumer: the saved artifacts as the controller passes them on.
	mode := int32(0o600)
	var ins []wfv1.Artifact
	for _, a := range saved[:4] {
		in := a
		in.Path = "/in/" + a.Name
		if a.Name == "plain" {
			in.Mode = &mode
		}
		ins = append(ins, in)
	}
	ins = append(ins,
		wfv1.Artifact{Name: "parts", Path: "/in/parts", ArtifactLocation: wfv1.ArtifactLocation{S3: &wfv1.S3Artifact{Key: "fan/in"}}},
		wfv1.Artifact{Name: "raw", Path: "/in/raw", ArtifactLocation: wfv1.ArtifactLocation{Raw: &wfv1.RawArtifact{Data: "R"}}},
		wfv1.Artifact{Name: "absent", Path: "/in/absent", Optional: true},
	)
	consumer := &wfv1.Template{ArchiveLocation: repo, Inputs: wfv1.Inputs{Artifacts: ins}}
	croot := t.TempDir()
	notes = nil
	if err := k.loadArtifacts(context.Background(), pod, consumer, croot, true, &notes); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"/in/dir/a.txt": "A", "/in/dir/sub/b.txt": "B", "/in/level": "F", "/in/plain": "F",
		"/in/zipped/a.txt": "A", "/in/zipped/sub/b.txt": "B", "/in/parts/1": "F", "/in/parts/2": "G", "/in/raw": "R",
	} {
		b, err := os.ReadFile(fsPath(croot, p))
		if err != nil || string(b) != want {
			t.Errorf("%s: %q, %v; want %q (notes %v)", p, b, err, want, notes)
		}
	}
	if fi, err := os.Stat(fsPath(croot, "/in/plain")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of /in/plain: %v %v", fi, err)
	}
	// A required input that nobody supplied fails like argoexec init.
	bad := &wfv1.Template{Inputs: wfv1.Inputs{Artifacts: []wfv1.Artifact{{Name: "x", Path: "/x"}}}}
	if err := k.loadArtifacts(context.Background(), pod, bad, t.TempDir(), true, &notes); err == nil || !strings.Contains(err.Error(), "required artifact 'x' not supplied") {
		t.Errorf("missing required input: %v", err)
	}
	// An unreachable location fails a real pod, and is simulated otherwise.
	git := &wfv1.Template{Inputs: wfv1.Inputs{Artifacts: []wfv1.Artifact{{Name: "src", Path: "/src", ArtifactLocation: wfv1.ArtifactLocation{Git: &wfv1.GitArtifact{Repo: "https://example.com/x.git"}}}}}}
	if err := k.loadArtifacts(context.Background(), pod, git, t.TempDir(), true, &notes); err == nil {
		t.Error("a git input loaded")
	}
	notes = nil
	if err := k.loadArtifacts(context.Background(), pod, git, t.TempDir(), false, &notes); err != nil || len(notes) != 1 || notes[0] != "in:src=simulated" {
		t.Errorf("simulated git input: %v %v", err, notes)
	}
}
