// The step graph: dependencies and cycles.

package compiler

import (
	"sort"
	"strings"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

func (st *Step) dependsOn(t *Step) bool {
	for _, d := range st.Deps {
		if d.Step == t {
			return true
		}
	}
	return false
}

// checkCycles reports each dependency cycle once, naming it.
func (c *checker) checkCycles(p *Pipeline) {
	const (
		unvisited = iota
		active
		done
	)
	all := p.AllSteps()
	state := make(map[*Step]int, len(all))
	var stack []*Step
	var visit func(s *Step)
	visit = func(s *Step) {
		state[s] = active
		stack = append(stack, s)
		for _, d := range s.Deps {
			switch state[d.Step] {
			case active:
				i := 0
				for stack[i] != d.Step {
					i++
				}
				var names []string
				for _, x := range stack[i:] {
					names = append(names, x.Name)
				}
				names = append(names, d.Step.Name)
				c.diags.Errorf(d.Range, "dependency cycle: %s", strings.Join(names, " -> ")).WithHint("a step cannot (even indirectly) wait for itself; remove one of these dependencies")
			case unvisited:
				visit(d.Step)
			}
		}
		stack = stack[:len(stack)-1]
		state[s] = done
	}
	for _, s := range all {
		if state[s] == unvisited {
			visit(s)
		}
	}
}

func (c *checker) unknownStep(p *Pipeline, id *dsl.Ident) {
	var names []string
	for n := range p.stepsByName {
		names = append(names, n)
	}
	sort.Strings(names)
	dd := c.errorf(id, "unknown step %q", id.Name)
	if s := diag.Suggest(id.Name, names); s != "" {
		dd.WithHint("did you mean %q?", s)
	}
}
