// Command runstat runs a command and reports what scripts/bench-process.sh
// tables: its wall time, its CPU time (user + system, of the process and
// the children it waited for) and its peak resident set size, from the
// kernel's resource usage at exit. GNU time prints CPU time to 10 ms,
// which is a seventh of a 1,000-step build; runstat prints microseconds.
//
//	runstat -o stats.txt -- pipec build -o out big.pipe
//
// The report is one line, "wall_s cpu_s maxrss_kb". The command's standard
// streams are runstat's; its exit status is runstat's too.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "file for the report (default standard error)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: runstat [-o FILE] -- COMMAND [ARG...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	code, report, err := run(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "runstat:", err)
		os.Exit(127)
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, report)
	} else if err := os.WriteFile(*out, []byte(report+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "runstat:", err)
		os.Exit(127)
	}
	os.Exit(code)
}

// run runs args and returns its exit code and the report.
func run(args []string) (int, string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return 0, "", err
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, "", fmt.Errorf("no resource usage on this system")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// Linux reports ru_maxrss in kilobytes.
	return cmd.ProcessState.ExitCode(), fmt.Sprintf("%.6f %.6f %d", wall.Seconds(), cpu.Seconds(), ru.Maxrss), nil
}
