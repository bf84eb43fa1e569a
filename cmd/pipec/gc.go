package main

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for the short-lived commands (build, fmt):
// a build allocates most of what it keeps (the AST, the checked program,
// the Argo objects) and then exits, so collecting while it runs mostly
// wastes CPU: with the default GOGC of 100, a 1,000-step build spent more
// CPU collecting than compiling. The collector is therefore off until the
// heap reaches a soft limit, and then works to keep the heap under it. The
// limit must stay well above the live heap of large builds (about 250 MB
// at 10,000 steps), or the collector runs without pause: at 160 MiB a
// 10,000-step build took twice as long. GOGC and GOMEMLIMIT in the
// environment take precedence (docs/performance.md).
const (
	buildGCPercent   = -1 // off, but for the memory limit
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

// collectAgain turns the collector back on (unless GOGC says otherwise):
// pipec build calls it when Argo's validator starts, which makes hundreds
// of megabytes of short-lived garbage on a large pipeline: collecting it
// costs little time and keeps a first build of 1,000 steps under 200 MB
// instead of 480.
func collectAgain() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(100)
	}
}
