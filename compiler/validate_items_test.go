package compiler

import (
	"encoding/json"
	"fmt"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// TestLoopItemsSameAsFull is the differential test of validating a loop
// with one item per item shape: Validate against ValidateFull on fan-outs
// whose items are of every kind Argo distinguishes, and with items and
// arguments that Argo rejects.
func TestLoopItemsSameAsFull(t *testing.T) {
	lower := func(src string) *Object {
		res := Compile(Overlay{Files: map[string][]byte{"loop.pipe": []byte(src)}}, []string{"loop.pipe"}, Options{SkipValidate: true, SkipEmit: true})
		if res.Diags.HasErrors() || len(res.Outputs) != 1 {
			t.Fatalf("%v", res.Diags)
		}
		return res.Outputs[0].Object
	}
	base := lower(loopPipeline(20))
	sameAsFull(t, "20 items", base)
	fan := -1
	for i, task := range mutatedTasksOf(base) {
		if task.Name == "fan" {
			fan = i
		}
	}
	if fan < 0 {
		t.Fatal("no task fan")
	}
	if got := fewerItems(mutatedTasksOf(base)); got == nil || len(got[fan].WithItems) != 1 {
		t.Fatalf("the items of 20 maps of the same keys are not reduced to one: %v", got)
	}
	items := func(raw ...string) []wfv1.Item {
		var out []wfv1.Item
		for _, r := range raw {
			out = append(out, wfv1.Item{Value: json.RawMessage(r)})
		}
		return out
	}
	maps := func(n int, last ...string) []wfv1.Item {
		var raw []string
		for i := range n {
			raw = append(raw, fmt.Sprintf(`{"region":"r%d","size":%d}`, i, i))
		}
		return items(append(raw, last...)...)
	}
	cases := map[string]struct {
		items []wfv1.Item
		arg   string // an argument added to the task, if not ""
	}{
		"maps":                             {items: maps(5)},
		"a map without a key used":         {items: maps(5, `{"region":"x"}`)},
		"only the last map has a key used": {items: maps(5, `{"region":"x","size":1,"zone":"z"}`), arg: "{{item.zone}}"},
		"no map has a key used":            {items: maps(5), arg: "{{item.zone}}"},
		"a tag in an item":                 {items: maps(5, `{"region":"{{workflow.name}}","size":1}`)},
		"a custom tag in an item":          {items: maps(5, `{"region":"{{nosuch}}","size":1}`)},
		"an unknown tag in an item":        {items: maps(5, `{"region":"{{workflow.nosuch}}","size":1}`)},
		"an unknown input in an item":      {items: maps(5, `{"region":"x","size":"{{inputs.parameters.nosuch}}"}`)},
		"an unclosed tag in an item":       {items: maps(5, `{"region":"{{nosuch","size":1}`)},
		"braces in an item":                {items: maps(5, `{"region":"a{ {b}}","size":1}`)},
		"scalars and maps":                 {items: maps(3, `"s"`, `1`, `true`, `2.5`, `"t"`)},
		"scalars only, item used":          {items: items(`"a"`, `"b"`, `3`, `false`, `null`), arg: "{{item}}"},
		"lists":                            {items: items(`[1,2]`, `[3,4]`, `[5]`, `[]`), arg: "{{item.[1]}}"},
		"lists, index too far":             {items: items(`[1,2]`, `[3,4]`), arg: "{{item.[2]}}"},
		"nested maps":                      {items: items(`{"region":{"a":1},"size":2}`, `{"region":{"b":{"c":3}},"size":4}`, ` {"region":"x", "size":1}`)},
		"null":                             {items: items(`null`, `null`), arg: "{{item}}"},
		"item used, maps only":             {items: maps(4), arg: "{{item}}"},
	}
	for name, c := range cases {
		obj := mutatedTasks(base, func(tasks []wfv1.DAGTask) {
			tasks[fan].WithItems = c.items
			if c.arg != "" {
				addArg(&tasks[fan], "extra", c.arg)
			}
		})
		sameAsFull(t, name, obj)
	}
	// A tag left open in the DAG's own fields, or in the workflow's, keeps
	// every item.
	for name, edit := range map[string]func(*wfv1.WorkflowSpec){
		"workflow": func(s *wfv1.WorkflowSpec) { s.ServiceAccountName = "{{workflow.name" },
		"dag": func(s *wfv1.WorkflowSpec) {
			for i := range s.Templates {
				if s.Templates[i].Name == s.Entrypoint {
					s.Templates[i].NodeSelector = map[string]string{"a": "{{workflow.name"}
				}
			}
		},
	} {
		obj := mutatedTasks(base, func(tasks []wfv1.DAGTask) { tasks[fan].WithItems = maps(5, `{"region":{"a":{"b":"x"}},"size":1}`) })
		spec := *obj.Spec()
		spec.Templates = append([]wfv1.Template(nil), spec.Templates...)
		edit(&spec)
		sameAsFull(t, "open tag in the "+name, withSpec(obj, spec))
	}
}

// mutatedTasksOf is the entry DAG's tasks of obj.
func mutatedTasksOf(obj *Object) []wfv1.DAGTask {
	spec := obj.Spec()
	for _, tm := range spec.Templates {
		if tm.Name == spec.Entrypoint {
			return tm.DAG.Tasks
		}
	}
	return nil
}

func TestItemScope(t *testing.T) {
	for raw, want := range map[string]string{
		`{"b":1,"a":2}`:  "item.a\x00item.b",
		` {"a":{"x":1}}`: "item.a",
		`{}`:             "",
		`"s"`:            "item",
		`1.5`:            "item",
		`true`:           "item",
		`[1,[2]]`:        "list 2",
		`null`:           "list 0",
	} {
		got, ok := itemScope(&wfv1.Item{Value: json.RawMessage(raw)})
		if !ok || got != want {
			t.Errorf("itemScope(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for raw, want := range map[string]bool{`"a{{b"`: true, `"a{ {b"`: true, `{"a":{"b":1}}`: false, `{ "a": 1}`: false} {
		if got := mayHoldTag([]byte(raw)); got != want {
			t.Errorf("mayHoldTag(%s) = %v", raw, got)
		}
	}
}
