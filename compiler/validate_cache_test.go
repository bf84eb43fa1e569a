package compiler

import (
	"strings"
	"testing"
)

// memoryCache is a ValidationCache in memory that counts its traffic.
type memoryCache struct {
	keys           map[string]bool
	hits, accepted int
}

func (c *memoryCache) Accepted(key string) bool {
	if c.keys[key] {
		c.hits++
		return true
	}
	return false
}

func (c *memoryCache) Accept(key string) {
	if c.keys == nil {
		c.keys = map[string]bool{}
	}
	c.keys[key] = true
	c.accepted++
}

// TestValidationCacheWhole checks that an object validated once is not
// validated again, and that an edited one is.
func TestValidationCacheWhole(t *testing.T) {
	obj := lowerGenerated(t, 10, func(s string) string { return s })
	cache := &memoryCache{}
	if d := ValidateCached(obj, cache, []byte("yaml of obj")); d.HasErrors() {
		t.Fatal(d)
	}
	if cache.accepted == 0 {
		t.Fatal("nothing recorded after a successful validation")
	}
	recorded := len(cache.keys)
	if d := ValidateCached(obj, cache, []byte("yaml of obj")); d.HasErrors() || cache.hits != 1 {
		t.Fatalf("second validation: %v, %d hits, want 1", d, cache.hits)
	}
	if len(cache.keys) != recorded {
		t.Errorf("a cache hit recorded new keys")
	}
	// Without the YAML, the whole key is the object's JSON: a miss, but
	// what was validated is known (the graph's chunks and the shapes of
	// shape-based validation), and then the JSON key too.
	hits := 1 + graphChunks(obj) + 1
	if d := ValidateCached(obj, cache, nil); d.HasErrors() || cache.hits != hits {
		t.Fatalf("validation by JSON key: %v, %d hits, want %d", d, cache.hits, hits)
	}
	if d := ValidateCached(obj, cache, nil); d.HasErrors() || cache.hits != hits+1 {
		t.Fatalf("validation by JSON key: %v, %d hits, want %d", d, cache.hits, hits+1)
	}
}

// TestValidationCacheRejected checks that a rejected object is never
// recorded and is reported every time, with the cache or without.
func TestValidationCacheRejected(t *testing.T) {
	obj := lowerGenerated(t, 2*validateChunkSize+10, func(s string) string {
		return strings.Replace(s, "  step s205 {\n", "  step s205 {\n    raw \"\"\"\nactiveDeadlineSeconds: \"{{workflow.nosuch}}\"\n\"\"\"\n", 1)
	})
	want := Validate(obj)
	if !want.HasErrors() {
		t.Fatal("the edited workflow is valid: the test needs another error")
	}
	cache := &memoryCache{}
	for i := 0; i < 2; i++ {
		got := ValidateCached(obj, cache, []byte("yaml"))
		if len(got) != len(want) || got[0].Message != want[0].Message {
			t.Fatalf("round %d: got %v, want %v", i, got, want)
		}
	}
	// What was accepted was recorded (the graph of shape-based validation,
	// in chunks, which does not see the error in a leaf, and the two
	// chunks of the fallback without it), never the whole.
	if want := graphChunks(obj) + 2; len(cache.keys) != want {
		t.Errorf("%d keys recorded, want %d", len(cache.keys), want)
	}
	if cache.keys[validationKey("yaml", []byte("yaml"))] {
		t.Error("the rejected workflow was recorded")
	}
}

// TestValidationCacheChunks checks that after an edit of one step of a
// large pipeline only the chunk holding it is validated again.
func TestValidationCacheChunks(t *testing.T) {
	n := 3 * validateChunkSize
	cache := &memoryCache{}
	obj := lowerGenerated(t, n, func(s string) string { return s })
	if d := ValidateCached(obj, cache, []byte("v1")); d.HasErrors() {
		t.Fatal(d)
	}
	graph := graphChunks(obj)
	if cache.accepted != graph+1+1 {
		t.Fatalf("%d keys recorded, want %d graph chunks, the shapes and the whole", cache.accepted, graph)
	}
	edited := lowerGenerated(t, n, func(s string) string {
		return strings.Replace(s, "  step s205 {\n", "  step s205 {\n    env EDITED = \"yes\"\n", 1)
	})
	cache.hits, cache.accepted = 0, 0
	if d := ValidateCached(edited, cache, []byte("v2")); d.HasErrors() {
		t.Fatal(d)
	}
	// The edit does not change the graph (what the rest of the workflow
	// sees of the step), only the shapes.
	if cache.hits != graph || cache.accepted != 1+1 {
		t.Errorf("after one edit: %d chunk hits, %d new keys; want %d hits, 2 keys (the shapes and the whole)", cache.hits, cache.accepted, graph)
	}
}

// graphChunks is the number of chunks of the graph validation of a
// generated pipeline: one per task shape, or per graphChunkSize tasks.
func graphChunks(obj *Object) int {
	if _, st := validShapes(withoutRetryExpressions(obj), argoValidate); st.graphShapes > 0 {
		return st.graphShapes // one chunk per task shape (validate_graph.go)
	}
	n := len(obj.Spec().Templates[0].DAG.Tasks)
	if n <= graphChunkSize {
		return 1
	}
	return (n + graphChunkSize - 1) / graphChunkSize
}
