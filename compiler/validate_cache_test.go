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
	// the object as validated is known (a hit), and then the JSON key too.
	if d := ValidateCached(obj, cache, nil); d.HasErrors() || cache.hits != 2 {
		t.Fatalf("validation by JSON key: %v, %d hits, want 2", d, cache.hits)
	}
	if d := ValidateCached(obj, cache, nil); d.HasErrors() || cache.hits != 3 {
		t.Fatalf("validation by JSON key: %v, %d hits, want 3", d, cache.hits)
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
	// The two chunks without the error were recorded, never the whole.
	if len(cache.keys) != 2 {
		t.Errorf("%d keys recorded, want the 2 valid chunks", len(cache.keys))
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
	if cache.accepted != 3+1 {
		t.Fatalf("%d keys recorded, want 3 chunks and the whole", cache.accepted)
	}
	edited := lowerGenerated(t, n, func(s string) string {
		return strings.Replace(s, "  step s205 {\n", "  step s205 {\n    env EDITED = \"yes\"\n", 1)
	})
	cache.hits, cache.accepted = 0, 0
	if d := ValidateCached(edited, cache, []byte("v2")); d.HasErrors() {
		t.Fatal(d)
	}
	if cache.hits != 2 || cache.accepted != 1+1 {
		t.Errorf("after one edit: %d chunk hits, %d new keys; want 2 hits, 2 keys (the edited chunk and the whole)", cache.hits, cache.accepted)
	}
}
