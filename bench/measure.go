package bench

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// EnvMaxSteps names the environment variable that caps the size of the
// generated pipelines the benchmarks use (the 10,000-step ones take
// minutes in all).
const EnvMaxSteps = "PIPEC_BENCH_MAX_STEPS"

// SizesToRun is Sizes without the sizes above PIPEC_BENCH_MAX_STEPS.
func SizesToRun() []int {
	limit := 0
	if s := os.Getenv(EnvMaxSteps); s != "" {
		fmt.Sscan(s, &limit)
	}
	var out []int
	for _, n := range Sizes {
		if limit <= 0 || n <= limit {
			out = append(out, n)
		}
	}
	return out
}

// Measure runs op in b's loop. Besides wall time (ns/op) it reports the
// process's CPU time per operation (cpu-ns/op: user and system, every
// thread, so the garbage collector's and parallel parts' work too), which
// other load on a shared machine disturbs much less than wall time.
func Measure(b *testing.B, op func()) {
	runtime.GC()
	start := cpuTime()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
