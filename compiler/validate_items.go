package compiler

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// Loop items in graph shapes: a task that fans out over a list
// (withItems) costs Argo's validator a deep copy, a JSON round trip and a
// type probe per item, several times over; a fan-out over 10,000 items
// was 0.4 s. The chunk of such a task (validate_graph.go) is validated
// with one item of each item shape instead: the first item of each set of
// scope names it adds.
//
// Why that is Argo's verdict (workflow/validate/validate.go, v3.7.18):
// Argo reads a task's items in exactly three ways.
//
//   - addItemsToScope: each item adds names to the task's scope ("item"
//     for a string, number or bool, "item.[i]" for each index of a list,
//     "item.KEY" for each key of a map), decided by Argo's own
//     Item.GetType, GetListVal and GetMapVal, which itemScope calls (a map
//     read as map[string]json.RawMessage, the same keys). An item that adds
//     the names an earlier one added changes nothing; the unsupported-type
//     error (whose message quotes an item) cannot occur, since GetType
//     always returns one of the five types.
//   - len(WithItems) > 0: the aggregate outputs and the items-based
//     depends outcomes; at least one item is kept.
//   - the text of the task (resolveAllVariables of its JSON, and
//     ProcessArgs' SubstituteParams of the DAG template's JSON): the tags
//     in it. Items are only reduced when no item's JSON can hold "{{" and
//     every tag of the task, of the DAG template's own fields and of the
//     workflow's fields is whole within one string (graphShapes.whole,
//     renameTaskTags), so no tag reaches into an item.
//
// The items marshal (taskJSON succeeded), so none can make a JSON round
// trip fail. TestLoopItemsSameAsFull compares with full validation.

// fewerItems is tasks with the items of each reduced to one per item
// shape; nil if nothing is dropped or an item is not of a form covered.
func fewerItems(tasks []wfv1.DAGTask) []wfv1.DAGTask {
	var out []wfv1.DAGTask
	for i, t := range tasks {
		if len(t.WithItems) < 2 {
			continue
		}
		items, ok := itemsByShape(t.WithItems)
		if !ok {
			return nil
		}
		if len(items) == len(t.WithItems) {
			continue
		}
		if out == nil {
			out = slices.Clone(tasks)
		}
		out[i].WithItems = items
	}
	return out
}

// itemsByShape is the first item of each item shape (itemScope), in
// order; ok is false if an item's JSON might hold "{{".
func itemsByShape(items []wfv1.Item) ([]wfv1.Item, bool) {
	seen := map[string]bool{}
	var out []wfv1.Item
	for i := range items {
		v := items[i].Value
		if mayHoldTag(v) {
			return nil, false
		}
		scope, ok := itemScope(&items[i])
		if !ok {
			return nil, false
		}
		if !seen[scope] {
			seen[scope] = true
			out = append(out, items[i])
		}
	}
	return out, true
}

// mayHoldTag reports whether the compact JSON of a raw value might hold
// "{{": a "{" followed by another, with only spaces between.
func mayHoldTag(v []byte) bool {
	last := byte(0)
	for _, c := range v {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			if last == '{' {
				return true
			}
		}
		last = c
	}
	return false
}

// itemScope is the names addItemsToScope adds to a scope for an item, as
// one string (sorted, NUL-separated).
func itemScope(it *wfv1.Item) (string, bool) {
	v := bytes.TrimSpace(it.Value)
	if len(v) > 0 && v[0] == '{' {
		// GetType: not a number, a bool or a list; a map if it decodes.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil {
			return "", false
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, "item."+k)
		}
		slices.Sort(keys)
		return strings.Join(keys, "\x00"), true
	}
	switch it.GetType() {
	case wfv1.String, wfv1.Number, wfv1.Bool:
		return "item", true
	case wfv1.List:
		return "list " + strconv.Itoa(len(it.GetListVal())), true
	case wfv1.Map:
		keys := make([]string, 0)
		for k := range it.GetMapVal() {
			keys = append(keys, "item."+k)
		}
		slices.Sort(keys)
		return strings.Join(keys, "\x00"), true
	}
	return "", false
}
