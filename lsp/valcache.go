package lsp

import "sync"

// memCache is the session's compiler.ValidationCache: the keys of what
// Argo's validator accepted (whole pipelines and the chunks a large one is
// validated in), so that an edit revalidates only what it changed. It is
// bounded: when full it starts again empty.
type memCache struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

const maxValidationKeys = 1 << 16

func (c *memCache) Accepted(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.keys[key]
	return ok
}

func (c *memCache) Accept(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= maxValidationKeys {
		c.keys = map[string]struct{}{}
	}
	c.keys[key] = struct{}{}
}

// staleCache is the cache one validation job sees: once the job is stale
// (stale reports true, and stays true, when a later change or a close made
// its result useless) every remaining part counts as accepted, so that the
// validator stops at once, and nothing more is remembered, so that the
// incomplete result, which the caller drops, never enters the cache.
type staleCache struct {
	cache *memCache
	stale func() bool
}

func (c *staleCache) Accepted(key string) bool { return c.stale() || c.cache.Accepted(key) }

func (c *staleCache) Accept(key string) {
	if !c.stale() {
		c.cache.Accept(key)
	}
}
