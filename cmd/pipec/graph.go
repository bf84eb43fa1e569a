package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pipec/pipec/graph"
)

func init() { register(newGraphCmd) }

// graphHelper is the program that lays out SVG: pipec does not link
// Graphviz itself (see graph/svg).
const graphHelper = "pipec-graphviz"

func newGraphCmd() *cobra.Command {
	var (
		bf       buildFlags
		pipeline string
		outFile  string
		format   *choice
	)
	cmd := &cobra.Command{
		Use:   "graph FILE.pipe [--format mermaid|dot|svg] [--output FILE]",
		Short: "draw a pipeline's DAG as Mermaid, DOT or SVG",
		Long: "Draws the DAG of a pipeline: its steps, loops as fan-outs (a stacked box),\n" +
			"the outcome a step waits for and its condition on the edges, lifecycle hooks as\n" +
			"flags beside their step (dotted edges name the event), and the exit and\n" +
			"failure handlers in boxes of their own. Mermaid renders in GitHub and GitLab\n" +
			"Markdown; DOT is Graphviz's language; SVG is DOT laid out by Graphviz compiled\n" +
			"to WebAssembly, in the helper " + graphHelper + " (install it next to pipec:\n" +
			"go install ./cmd/...), with no Graphviz installed.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: pipeFileArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := bf.options()
			opts.SkipEmit = true
			out, err := compileOne(cmd, "graph", args[0], pipeline, opts)
			if err != nil {
				return err
			}
			g, err := graph.FromWorkflow(out.Pipeline.Name, out.Object.Spec())
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "pipec graph: %v\n", err)
				return exitStatus(1)
			}
			return writeGraph(cmd, g, format.value, outFile, "graph")
		},
	}
	bf.registerCompile(cmd.Flags())
	cmd.Flags().StringVar(&pipeline, "pipeline", "", "the pipeline `NAME` to draw, when FILE has several")
	cmd.Flags().StringVar(&outFile, "output", "", "write to `FILE` instead of standard output")
	format = addChoiceFlag(cmd, cmd.Flags(), "format", "the drawing's format: mermaid, dot or svg", "mermaid", "dot", "svg")
	return cmd
}

// writeGraph writes g in format to outFile (standard output if empty).
func writeGraph(cmd *cobra.Command, g *graph.Graph, format, outFile, name string) error {
	stderr := cmd.ErrOrStderr()
	var buf bytes.Buffer
	switch format {
	case "mermaid":
		_ = g.Mermaid(&buf)
	case "dot":
		_ = g.DOT(&buf)
	case "svg":
		var dot bytes.Buffer
		_ = g.DOT(&dot)
		if err := renderSVG(dot.Bytes(), &buf, stderr); err != nil {
			fmt.Fprintf(stderr, "pipec %s: %v\n", name, err)
			return exitStatus(1)
		}
	}
	if outFile == "" {
		_, err := cmd.OutOrStdout().Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(outFile, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "pipec %s: %v\n", name, err)
		return exitStatus(1)
	}
	return nil
}

// renderSVG lays out dot with the helper: $PIPEC_GRAPHVIZ, else the one
// next to pipec's executable, else the one on PATH.
func renderSVG(dot []byte, w, stderr io.Writer) error {
	path := os.Getenv("PIPEC_GRAPHVIZ")
	if path != "" && !isExecutable(path) {
		return fmt.Errorf("PIPEC_GRAPHVIZ=%s is not an executable file\n\thint: go install ./cmd/%s and point PIPEC_GRAPHVIZ at it, or unset it", path, graphHelper)
	}
	if exe, err := os.Executable(); err == nil && path == "" {
		if p := filepath.Join(filepath.Dir(exe), graphHelper); isExecutable(p) {
			path = p
		}
	}
	if path == "" {
		p, err := exec.LookPath(graphHelper)
		if err != nil {
			return fmt.Errorf("SVG needs %s, which is neither next to pipec nor on PATH\n\thint: go install ./cmd/%s (or make build); or write DOT with --format dot and lay it out with Graphviz's dot -Tsvg", graphHelper, graphHelper)
		}
		path = p
	}
	var errBuf bytes.Buffer
	c := exec.Command(path, "-T", "svg")
	c.Stdin, c.Stdout, c.Stderr = bytes.NewReader(dot), w, &errBuf
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s failed: %v %s", path, err, strings.TrimSpace(errBuf.String()))
	}
	return nil
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
