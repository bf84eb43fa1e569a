// Loops: `for x in ...` over lists, ranges, parameters and step outputs.

package compiler

import (
	"sort"

	"github.com/pipec/pipec/dsl"
)

// appendItem appends an item to a loop's items, making room for all n of
// them at the first (Items stays nil until then: no valid item).
func appendItem(items []any, v any, n int) []any {
	if items == nil {
		items = make([]any, 0, n)
	}
	return append(items, v)
}

// commonKeys returns the keys of a loop's map items so far that the map
// item m also has, in common's array: m's keys when m is the first.
func commonKeys(common []string, m map[string]any, first bool) []string {
	if first {
		common = make([]string, 0, len(m))
		for k := range m {
			common = append(common, k)
		}
		return common
	}
	kept := common[:0]
	for _, k := range common {
		if _, ok := m[k]; ok {
			kept = append(kept, k)
		}
	}
	return kept
}

func (c *checker) loop(sc *scope, l *dsl.LoopClause) *Loop {
	lp := c.loops.new()
	lp.Var, lp.Decl = l.Var.Name, l
	src := l.Source
	switch {
	case src.List != nil:
		if len(src.List.Elems) == 0 {
			c.errorf(src, "the loop list is empty: the step would never run")
		}
		mapsSeen := false
		var common []string // the keys of every map item so far
		scalars := 0        // scalar items so far
		for i, e := range src.List.Elems {
			switch {
			case e.Map != nil:
				if scalars > 0 {
					c.errorf(e, "loop item %d is a map but earlier items are not: all items must be of one kind", i+1)
				}
				m := make(map[string]any, len(e.Map.Entries))
				for _, ent := range e.Map.Entries {
					v, err := literal(ent.Value)
					if err != nil {
						c.errorf(ent.Value, "%v", err)
					}
					m[ent.Key.Value()] = v
				}
				common = commonKeys(common, m, !mapsSeen)
				mapsSeen = true
				lp.Items = appendItem(lp.Items, m, len(src.List.Elems))
			case e.Str != nil || e.Int != nil || e.Float != nil || e.Bool != nil:
				v, _ := literal(e)
				lp.Items = appendItem(lp.Items, v, len(src.List.Elems))
				scalars++
				if mapsSeen {
					c.errorf(e, "loop item %d is a %s but earlier items are maps: all items must be of one kind", i+1, e.Kind())
				}
			default:
				c.errorf(e, "a loop item must be a string, number, bool or map, got %s", e.Kind())
			}
		}
		if scalars == 0 && len(common) > 0 { // a scalar item has no keys
			lp.Keys = common
		}
		sort.Strings(lp.Keys)
	case src.Call != nil && src.Call.Name.Name == "range":
		lp.Seq = c.sequence(sc, src.Call) // loops_range.go
	case src.Call != nil:
		c.unknownWord(src.Call.Name, "loop source", []string{"range"}).WithHint("loop over a list [...], range(start, end), a parameter, or a step output such as gen.items")
	case src.Path != nil:
		// A JSON list: a parameter or a step output.
		lit := &dsl.StringLit{Span: src.Span, Raw: `"${` + src.Path.String() + `}"`}
		t := &Text{Value: "${" + src.Path.String() + "}", Lit: lit}
		lp.Param = t
		if target := sc.p.stepsByName[src.Path.String()]; target != nil && len(src.Path.Parts) == 1 {
			// for x in step: one item per iteration of a looped step, a map of its outputs.
			if target == sc.step {
				c.errorf(src, "a step cannot loop over its own outputs")
				return lp
			}
			if !c.checkStageOrder(sc, target, src.Path.String(), src.Range()) {
				return lp
			}
			if target.Decl.Clauses == nil || !hasLoop(target.Decl) {
				c.errorf(src, "step %q does not loop; loop over one of its outputs instead, such as %s.result", target.Name, target.Name)
				return lp
			}
			if rangeLoop(target.Decl) {
				c.errorf(src, "step %q loops over a range: Argo's validator gathers the outputs of a loop over a list or a JSON list only (withItems, withParam), not of a range (withSequence)", target.Name).
					WithHint("make %s loop over a list such as [0, 1, 2] (or a JSON list) instead", target.Name)
				return lp
			}
			ref := &Ref{Path: src.Path.String(), Kind: RefAllOutputs, Step: target, Range: src.Range()}
			t.setRef(src.Path.String(), ref)
			c.use(sc, ref, src.Range())
			lp.Keys = c.outputDecls(target)
			if !sc.step.dependsOn(target) {
				sc.step.Deps = append(sc.step.Deps, &Dep{Step: target, Implicit: true, Range: src.Range()})
			}
			return lp
		}
		if ref := c.resolve(sc, src.Path.String(), src.Range()); ref != nil {
			if ref.Kind == RefLoopVar {
				c.errorf(src, "a loop cannot iterate over its own variable")
			}
			t.setRef(src.Path.String(), ref)
			c.use(sc, ref, src.Range())
		}
		lp.Param = t
	case src.Str != nil:
		// "${gen.items}" in quotes is accepted too.
		lp.Param = c.text(sc, src.Str)
	default:
		c.errorf(src, "cannot loop over %s", src.Kind()).WithHint("loop over a list [...], range(start, end), a parameter, or a step output such as gen.items")
	}
	return lp
}

// rangeLoop reports whether a step loops over a range(...).
func rangeLoop(d *dsl.StepDecl) bool {
	for _, cl := range d.Clauses {
		if cl.Loop != nil && cl.Loop.Source.Call != nil && cl.Loop.Source.Call.Name.Name == "range" {
			return true
		}
	}
	return false
}
