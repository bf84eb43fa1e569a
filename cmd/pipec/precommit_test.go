package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// preCommitHook is an entry of .pre-commit-hooks.yaml.
type preCommitHook struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Entry         string   `json:"entry"`
	Language      string   `json:"language"`
	Files         string   `json:"files"`
	PassFilenames *bool    `json:"pass_filenames"`
	Args          []string `json:"args"`
}

// TestPreCommitHooks runs each hook of the repository's
// .pre-commit-hooks.yaml as pre-commit would (entry, args, then the staged
// files that match files unless pass_filenames is false) on a repository
// that passes and on one that fails.
func TestPreCommitHooks(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	if err := yaml.UnmarshalStrict(data, &hooks); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, h := range hooks {
		ids[h.ID] = true
	}
	for _, id := range []string{"pipec-fmt", "pipec-build", "pipec-fmt-system", "pipec-build-system"} {
		if !ids[id] {
			t.Errorf("no hook %s", id)
		}
	}
	const good = "pipeline p {\n  image \"alpine\"\n\n  step a {\n    run [\"a\"]\n  }\n}\n"
	for _, h := range hooks {
		t.Run(h.ID, func(t *testing.T) {
			if h.Language != "golang" && h.Language != "system" {
				t.Errorf("language %q", h.Language)
			}
			files := regexp.MustCompile(h.Files)
			if !files.MatchString("dir/x.pipe") || files.MatchString("x.yaml") {
				t.Errorf("files %q does not select .pipe files", h.Files)
			}
			argv := strings.Fields(h.Entry)
			if len(argv) < 2 || argv[0] != "pipec" {
				t.Fatalf("entry %q does not run pipec", h.Entry)
			}
			hook := func(staged ...string) (int, string) {
				args := append(append([]string{}, argv[1:]...), h.Args...)
				if h.PassFilenames == nil || *h.PassFilenames {
					args = append(args, staged...)
				}
				var out, errb bytes.Buffer
				status := run(args, &out, &errb)
				return status, out.String() + errb.String()
			}
			t.Chdir(t.TempDir())
			t.Setenv("PIPEC_CACHE_DIR", "off")
			write := func(name, text string) {
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("pipes/p.pipe", good)
			var errb bytes.Buffer
			if status := run([]string{"build", "-o", "pipes", "pipes/p.pipe"}, &bytes.Buffer{}, &errb); status != 0 {
				t.Fatalf("build: %d %s", status, errb.String())
			}
			if status, out := hook("pipes/p.pipe"); status != 0 {
				t.Errorf("on a clean repository: status %d\n%s", status, out)
			}
			// Unformatted, and out of date with its YAML.
			write("pipes/p.pipe", strings.Replace(good, "run [\"a\"]", "run   [\"b\"]", 1))
			if status, out := hook("pipes/p.pipe"); status != 1 {
				t.Errorf("on a change: status %d, want 1\n%s", status, out)
			}
		})
	}
}
