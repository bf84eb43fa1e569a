// Command pipec-graphviz lays out a DOT graph read from standard input as
// SVG (or PNG with -T png) on standard output. pipec graph --format svg and
// pipec status --graph --format svg run it: it carries Graphviz compiled to
// WebAssembly, which would slow down every pipec command if pipec linked it
// (see graph/svg). Install it next to pipec: go install ./cmd/...
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pipec/pipec/graph/svg"
)

func main() {
	format := flag.String("T", "svg", "output `format`: svg or png")
	flag.Parse()
	dot, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = svg.Render(context.Background(), dot, *format, os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pipec-graphviz: %v\n", err)
		os.Exit(1)
	}
}
