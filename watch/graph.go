package watch

import "sort"

// Graph is the import graph of the sources being watched: for each file,
// the files it imports (forward edges, as compiler.Unit.Imports gives them)
// and the files that import it (reverse edges), so that a change to a file
// rebuilds it and everything that imports it, directly or not.
//
// A Graph is not safe for concurrent use.
type Graph struct {
	imports   map[string][]string
	importers map[string]map[string]bool
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{imports: map[string][]string{}, importers: map[string]map[string]bool{}}
}

// Set records that file imports exactly the given files, replacing what
// was recorded for it before.
func (g *Graph) Set(file string, imports []string) {
	g.unlink(file)
	if len(imports) == 0 {
		// Keep the node: a file that imports nothing is still known.
		g.imports[file] = nil
		return
	}
	deps := make([]string, 0, len(imports))
	for _, dep := range imports {
		if g.importers[dep] == nil {
			g.importers[dep] = map[string]bool{}
		}
		if !g.importers[dep][file] {
			g.importers[dep][file] = true
			deps = append(deps, dep)
		}
	}
	g.imports[file] = deps
}

// Remove forgets what file imports (it no longer exists). The files that
// import it keep their edges to it until they are Set again: they still
// name it, and must be rebuilt if it comes back.
func (g *Graph) Remove(file string) {
	g.unlink(file)
	delete(g.imports, file)
}

func (g *Graph) unlink(file string) {
	for _, dep := range g.imports[file] {
		delete(g.importers[dep], file)
		if len(g.importers[dep]) == 0 {
			delete(g.importers, dep)
		}
	}
}

// Known reports whether file is in the graph: it was Set, or some file
// imports it.
func (g *Graph) Known(file string) bool {
	_, set := g.imports[file]
	return set || len(g.importers[file]) > 0
}

// Files returns every file in the graph, sorted.
func (g *Graph) Files() []string {
	out := make([]string, 0, len(g.imports)+len(g.importers))
	for f := range g.imports {
		out = append(out, f)
	}
	for f := range g.importers {
		if _, dup := g.imports[f]; !dup {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// Imports returns the files file imports, in the order Set gave them.
func (g *Graph) Imports(file string) []string {
	return append([]string(nil), g.imports[file]...)
}

// Importers returns the files that import file directly, sorted.
func (g *Graph) Importers(file string) []string {
	out := make([]string, 0, len(g.importers[file]))
	for f := range g.importers[file] {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Affected returns the given files and every file that imports one of
// them, transitively, sorted and without duplicates. Import cycles are
// fine.
func (g *Graph) Affected(files ...string) []string {
	seen := map[string]bool{}
	stack := append([]string(nil), files...)
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[f] {
			continue
		}
		seen[f] = true
		for imp := range g.importers[f] {
			if !seen[imp] {
				stack = append(stack, imp)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Closure returns file and every file it imports, transitively.
func (g *Graph) Closure(file string) map[string]bool {
	seen := map[string]bool{}
	var walk func(f string)
	walk = func(f string) {
		if seen[f] {
			return
		}
		seen[f] = true
		for _, dep := range g.imports[f] {
			walk(dep)
		}
	}
	walk(file)
	return seen
}
