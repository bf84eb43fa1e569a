package compiler

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/pipec/pipec/internal/argojson"
)

// shapeGraphOf is the graph workflow validShapes validates for obj (after
// withoutRetryExpressions) and the names of its stubs; ok is false where
// shape-based validation does not apply.
func shapeGraphOf(obj *Object) (*Object, map[string]bool, bool) {
	obj = withoutRetryExpressions(obj)
	spec := obj.Spec()
	us, ok := shapeUnits(obj)
	if !ok {
		return nil, nil, false
	}
	roles := newUnitRoles(len(spec.Templates))
	var kept []shapeUnit
	for _, u := range us {
		k, ok := unitShape(spec, u)
		if ok && strings.Contains(k, "{{=") || !ok && unitHasExpression(spec, u) {
			continue
		}
		kept = append(kept, u)
		roles.add(u)
	}
	if len(kept) == 0 {
		return nil, nil, false
	}
	return shapeGraph(obj, kept, roles, newPlainTemplates(obj))
}

// BenchmarkGraphShapeKeys is the graph side of shape-based validation
// without Argo's validator: newGraphShapes and the key of every task's
// chunk, on generated pipelines.
func BenchmarkGraphShapeKeys(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) {
			graph, stubs, ok := shapeGraphOf(lowerGenerated(b, n, func(s string) string { return s }))
			if !ok {
				b.Fatal("no graph")
			}
			b.ReportAllocs()
			for b.Loop() {
				g, ok := newGraphShapes(graph, stubs)
				if !ok {
					b.Fatal("graph shapes do not apply")
				}
				seen := map[string]bool{}
				for i := range g.c.tasks {
					if key, _ := g.scratchKey(i); !seen[string(key)] {
						seen[string(key)] = true
					}
				}
				if len(seen) > 16 {
					b.Fatalf("%d keys", len(seen))
				}
			}
		})
	}
}

// referenceTaskJSON is taskJSON as first written: the task (stubTask's
// stub for a stub) copied, its arguments renamed by renameArgs, marshalled.
func referenceTaskJSON(g *graphShapes, m taskRef) []byte {
	t := g.c.tasks[m.i]
	if m.stub {
		t = stubTask(t)
	}
	tk := g.templateKey(t.Template)
	if tk.key[0] == '\x00' {
		return nil
	}
	if tk.renamed {
		inputs := g.c.spec.Templates[g.c.tmpls[t.Template]].Inputs.Parameters
		args, renamed := renameArgs(t.Arguments.Parameters, inputs)
		if len(args) > 0 && !renamed {
			return nil
		}
		t.Arguments.Parameters = args
	}
	t.Name, t.Template, t.Depends = "", "", ""
	b, err := argojson.Marshal(&t)
	if err != nil {
		return nil
	}
	return b
}

// TestTaskJSONSameAsReference checks taskJSON against referenceTaskJSON
// on every task, as itself and as a stub, of the graph of every object of
// the differential tests.
func TestTaskJSONSameAsReference(t *testing.T) {
	tasks := 0
	for name, obj := range keyObjects(t) {
		graph, stubs, ok := shapeGraphOf(obj)
		if !ok {
			continue
		}
		g, ok := newGraphShapes(graph, stubs)
		if !ok {
			continue
		}
		for i := range g.c.tasks {
			for _, stub := range []bool{false, true} {
				tasks++
				m := taskRef{i, stub}
				got, want := g.taskJSON(m), referenceTaskJSON(g, m)
				if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
					t.Errorf("%s: task %s (stub %v): taskJSON\n%s\nreference\n%s", name, g.c.tasks[i].Name, stub, got, want)
				}
				if again := g.taskJSON(m); !bytes.Equal(again, want) {
					t.Errorf("%s: task %s (stub %v): memo %s", name, g.c.tasks[i].Name, stub, again)
				}
			}
		}
	}
	if tasks < 1000 {
		t.Errorf("only %d tasks compared", tasks)
	}
}
