// Command argojson-gen writes the files generated from Argo's types:
// internal/argojson's encoders (go generate ./internal/argojson) and, with
// -table keepempty, compiler's table of the members whose empty value
// Emit keeps (go generate ./compiler), and with -table yaml
// internal/argojson's YAML writers (zz_yaml.go).
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
	table := flag.String("table", "encoders", "what to generate: encoders, keepempty or yaml")
	flag.Parse()
	generate := map[string]func() ([]byte, error){
		"encoders":  gen.Generate,
		"keepempty": gen.GenerateKeepEmpty,
		"yaml":      gen.GenerateYAML,
	}[*table]
	if generate == nil {
		fmt.Fprintf(os.Stderr, "argojson-gen: -table %q: want encoders, keepempty or yaml\n", *table)
		os.Exit(2)
	}
	src, err := generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := renameio.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
