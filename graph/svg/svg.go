// Package svg lays out a DOT graph with Graphviz compiled to WebAssembly
// (github.com/goccy/go-graphviz, no cgo, no Graphviz installed). It is
// linked only into cmd/pipec-graphviz: go-graphviz compiles and starts its
// WebAssembly module in a package init (about 3.5 s the first time on this
// machine, then 0.1 s and 20 MB from its compilation cache in the temporary
// directory), which every pipec command would otherwise pay at start-up.
package svg

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/goccy/go-graphviz"
)

// Formats are the output formats Render supports.
var Formats = map[string]graphviz.Format{"svg": graphviz.SVG, "png": graphviz.PNG}

// Render lays out dot and writes it in format (svg or png).
func Render(ctx context.Context, dot []byte, format string, w io.Writer) error {
	f, ok := Formats[format]
	if !ok {
		return fmt.Errorf("unknown format %q: want svg or png", format)
	}
	g, err := graphviz.New(ctx)
	if err != nil {
		return fmt.Errorf("cannot start Graphviz: %v", err)
	}
	defer g.Close()
	graph, err := graphviz.ParseBytes(dot)
	if err != nil {
		return fmt.Errorf("cannot read the DOT graph: %v", err)
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := g.Render(ctx, graph, f, &buf); err != nil {
		return fmt.Errorf("cannot lay out the graph: %v", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
