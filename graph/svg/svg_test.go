package svg

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRender lays out the graph package's golden DOT of a coloured run and
// checks the SVG is well-formed XML with a node per step and the colours.
// To look at it: go test ./graph/svg -run Render -svg-out /tmp/etl.svg
func TestRender(t *testing.T) {
	dot, err := os.ReadFile(filepath.Join("..", "testdata", "etl-run.dot"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(context.Background(), dot, "svg", &out); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("PIPEC_SVG_OUT"); p != "" {
		_ = os.WriteFile(p, out.Bytes(), 0o644)
	}
	d := xml.NewDecoder(bytes.NewReader(out.Bytes()))
	nodes := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "g" {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "node" {
					nodes++
				}
			}
		}
	}
	if nodes != 6 {
		t.Errorf("%d nodes, want 6", nodes)
	}
	for _, want := range []string{"#bbdefb", "#ffcdd2", "extract", "on failure"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the SVG has no %q", want)
		}
	}
	if err := Render(context.Background(), []byte("digraph {"), "svg", io.Discard); err == nil {
		t.Error("a broken DOT graph rendered")
	}
}
