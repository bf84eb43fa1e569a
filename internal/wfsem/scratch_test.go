package wfsem

import (
	"os"
	"testing"

	"sigs.k8s.io/yaml"
)

func load(t *testing.T, p string) map[string]any {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestScratch(t *testing.T) {
	D := os.Getenv("ARGO")
	for _, n := range []string{"hello-world", "dag-diamond", "loops-maps", "retry-backoff", "steps"} {
		d, err := Compare(load(t, D+"/examples/"+n+".yaml"), load(t, "../../examples/"+n+".yaml"), 10)
		t.Log(n, err)
		for _, x := range d {
			t.Log("  ", x)
		}
	}
}
