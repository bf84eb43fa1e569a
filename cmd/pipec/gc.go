package main

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for the short-lived commands (build, fmt):
// a build allocates most of what it keeps (the AST, the checked program,
// the Argo objects), so the default GOGC of 100 spends a third of a
// build's CPU collecting little. With GOGC 400 the heap may grow to five
// times what is live; the soft memory limit makes the collector work
// harder instead when that would pass it. The limit must stay well above
// the live heap of large builds (about 250 MB at 10,000 steps), or the
// collector runs without pause: at 160 MiB a 10,000-step build took twice
// as long. GOGC and GOMEMLIMIT in the environment take precedence
// (docs/performance.md).
const (
	buildGCPercent   = 400
	buildMemoryLimit = 512 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(buildGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(buildMemoryLimit)
	}
}
