package graph

import (
	"fmt"
	"io"
	"strings"
)

// Colours of the states (fill, border), shared by Mermaid and DOT.
var colours = map[string][2]string{
	"succeeded": {"#c8e6c9", "#2e7d32"},
	"cached":    {"#bbdefb", "#1565c0"},
	"failed":    {"#ffcdd2", "#c62828"},
	"running":   {"#fff9c4", "#f9a825"},
	"skipped":   {"#eeeeee", "#9e9e9e"},
}

var classOrder = []string{"succeeded", "cached", "failed", "running", "skipped"}

// lines is a node's label, one entry a line.
func (n *Node) lines() []string {
	l := []string{n.Name}
	if n.Handler == handlerHook {
		l = append(l, "on "+n.Hook)
	}
	if n.Loop != "" {
		l = append(l, n.Loop)
	}
	if n.Ref != "" {
		l = append(l, n.Ref)
	}
	if n.When != "" && !n.whenOnEdges {
		l = append(l, "if "+n.When)
	}
	if s := n.State.Summary(); s != "" {
		l = append(l, s)
	}
	return l
}

func (g *Graph) groups() (main, exit, failure, hooks []*Node) {
	for _, n := range g.Nodes {
		switch n.Handler {
		case handlerHook:
			hooks = append(hooks, n)
		case "exit":
			exit = append(exit, n)
		case "failure":
			failure = append(failure, n)
		default:
			main = append(main, n)
		}
	}
	return
}

// Mermaid writes the graph as a Mermaid flowchart.
func (g *Graph) Mermaid(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %s\n---\nflowchart TD\n", g.Name)
	node := func(indent string, n *Node) {
		label := strings.Join(mapStrings(n.lines(), mermaidEscape), "<br/>")
		open, close := "[\"", "\"]"
		if n.Loop != "" {
			open, close = "[[\"", "\"]]" // a fan-out
		}
		if n.Handler != "" {
			open, close = "([\"", "\"])"
		}
		if n.Hook != "" {
			open, close = ">\"", "\"]" // a hook: a flag
		}
		fmt.Fprintf(&b, "%s%s%s%s%s\n", indent, n.ID, open, label, close)
	}
	main, exit, failure, hooks := g.groups()
	for _, n := range main {
		node("  ", n)
	}
	for _, sg := range []struct {
		id, title string
		nodes     []*Node
	}{{"on_exit", "on exit: after every run", exit}, {"on_failure", "on failure: after a failed run", failure}, {"hooks", "hooks of the workflow", hooks}} {
		if len(sg.nodes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  subgraph %s[\"%s\"]\n", sg.id, sg.title)
		for _, n := range sg.nodes {
			node("    ", n)
		}
		b.WriteString("  end\n")
	}
	for _, e := range g.Edges {
		if l := e.Label(); e.Hook {
			fmt.Fprintf(&b, "  %s -. \"%s\" .-> %s\n", e.From.ID, mermaidEscape(l), e.To.ID)
		} else if l == "" {
			fmt.Fprintf(&b, "  %s --> %s\n", e.From.ID, e.To.ID)
		} else {
			fmt.Fprintf(&b, "  %s -- \"%s\" --> %s\n", e.From.ID, mermaidEscape(l), e.To.ID)
		}
	}
	used := map[string][]string{}
	for _, n := range g.Nodes {
		if c := n.State.Class(); c != "" {
			used[c] = append(used[c], n.ID)
		}
	}
	for _, c := range classOrder {
		if ids := used[c]; len(ids) > 0 {
			fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s\n  class %s %s\n", c, colours[c][0], colours[c][1], strings.Join(ids, ","), c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mermaidEscape(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}

// DOT writes the graph in Graphviz's DOT language.
func (g *Graph) DOT(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(g.Name))
	fmt.Fprintf(&b, "  label=%s;\n  labelloc=t;\n  pad=\"0.4\";\n  fontname=\"Helvetica\";\n", dotQuote(g.Name))
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#607d8b\", fontname=\"Helvetica\", fontsize=11, margin=\"0.3,0.1\"];\n")
	b.WriteString("  edge [color=\"#607d8b\", fontname=\"Helvetica\", fontsize=10];\n")
	node := func(indent string, n *Node) {
		attrs := []string{"label=" + dotQuote(strings.Join(n.lines(), "\n"))}
		if n.Loop != "" {
			attrs = append(attrs, "shape=box3d", "style=filled") // a fan-out
		}
		switch {
		case n.Hook != "":
			attrs = append(attrs, "shape=cds", "style=\"filled,dashed\"")
		case n.Handler != "":
			attrs = append(attrs, "style=\"rounded,filled,dashed\"")
		}
		if c := n.State.Class(); c != "" {
			attrs = append(attrs, "fillcolor=\""+colours[c][0]+"\"", "color=\""+colours[c][1]+"\"")
		}
		fmt.Fprintf(&b, "%s%s [%s];\n", indent, n.ID, strings.Join(attrs, ", "))
	}
	main, exit, failure, hooks := g.groups()
	for _, n := range main {
		node("  ", n)
	}
	for _, sg := range []struct {
		id, title string
		nodes     []*Node
	}{{"cluster_on_exit", "on exit", exit}, {"cluster_on_failure", "on failure", failure}, {"cluster_hooks", "hooks of the workflow", hooks}} {
		if len(sg.nodes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  subgraph %s {\n    label=%s;\n    style=dashed;\n    color=\"#90a4ae\";\n", sg.id, dotQuote(sg.title))
		for _, n := range sg.nodes {
			node("    ", n)
		}
		b.WriteString("  }\n")
	}
	for _, e := range g.Edges {
		switch l := e.Label(); {
		case e.Hook:
			fmt.Fprintf(&b, "  %s -> %s [label=%s, style=dotted, arrowhead=none];\n", e.From.ID, e.To.ID, dotQuote(l))
		case l == "":
			fmt.Fprintf(&b, "  %s -> %s;\n", e.From.ID, e.To.ID)
		case e.Outcome == "":
			fmt.Fprintf(&b, "  %s -> %s [label=%s];\n", e.From.ID, e.To.ID, dotQuote(l))
		default:
			fmt.Fprintf(&b, "  %s -> %s [label=%s, style=dashed];\n", e.From.ID, e.To.ID, dotQuote(l))
		}
	}
	// Handlers run after the steps: draw them below the last ones.
	if len(exit)+len(failure) > 0 {
		hasOut := map[*Node]bool{}
		for _, e := range g.Edges {
			hasOut[e.From] = true
		}
		for _, n := range main {
			if hasOut[n] || n.Hook != "" {
				continue
			}
			for _, h := range [][]*Node{exit, failure} {
				if len(h) > 0 {
					fmt.Fprintf(&b, "  %s -> %s [style=invis];\n", n.ID, h[0].ID)
				}
			}
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
