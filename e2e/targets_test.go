package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Why pipec has a target per Argo version: each controller's own tools
// reject the other version's output (docs/retries.md, "Argo versions").
// Argo 3.7's full CRD schema requires memoize.cache.configMap.key; Argo 4's
// argo CLI rejects it when decoding strictly.
func TestTargetsDiffer(t *testing.T) {
	needCluster(t)
	if pipecBin() == "" {
		t.Skip("needs pipec")
	}
	other := map[string]string{"3.7": "4", "4": "3.7"}[cl.Opts.Target]
	src := filepath.Join(os.Getenv("PIPEC_E2E_ROOT"), "examples", "hello-world.pipe")
	dir := t.TempDir()
	if b, err := exec.Command(pipecBin(), "build", "--argo", other, "-o", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("pipec build --argo %s: %v\n%s", other, err, b)
	}
	file := filepath.Join(dir, "hello-world.yaml")
	switch cl.Opts.Target {
	case "3.7":
		out, err := cl.Kubectl(tctx(t, time.Minute), "create", "--dry-run=server", "-n", ns, "-f", file)
		if err == nil || !strings.Contains(out, "key: Required value") {
			t.Errorf("Argo 3.7's CRD accepted (or rejected for another reason) the Argo 4 output: %v\n%s", err, out)
		}
	case "4":
		out, err := cl.Argo(tctx(t, time.Minute), "submit", file, "--dry-run", "-o", "name")
		if err == nil || !strings.Contains(out, `unknown field "spec.templates[1].memoize.cache.configMap.key"`) {
			t.Errorf("Argo 4's argo submit accepted (or rejected for another reason) the Argo 3.7 output: %v\n%s", err, out)
		}
	}
}
