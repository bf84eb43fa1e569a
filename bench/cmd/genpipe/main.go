// Command genpipe writes a generated benchmark pipeline (bench.Pipeline) to
// standard output or to a file:
//
//	go run ./bench/cmd/genpipe -n 1000 -o /tmp/p1000.pipe
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pipec/pipec/bench"
)

func main() {
	n := flag.Int("n", 100, "number of steps")
	name := flag.String("name", "", "pipeline name (default gen-N)")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "genpipe: -n must be at least 1")
		os.Exit(2)
	}
	if *name == "" {
		*name = fmt.Sprintf("gen-%d", *n)
	}
	src := bench.Pipeline(*name, *n)
	if *out == "" {
		os.Stdout.WriteString(src)
		return
	}
	if err := os.WriteFile(*out, []byte(src), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genpipe:", err)
		os.Exit(1)
	}
}
