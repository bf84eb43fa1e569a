// Command argojson-gen writes internal/argojson's generated encoders
// (go generate ./internal/argojson).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/google/renameio/v2"

	"github.com/pipec/pipec/internal/argojson/gen"
)

func main() {
	out := flag.String("o", "zz_generated.go", "file to write")
	flag.Parse()
	src, err := gen.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := renameio.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
