package compiler

import (
	"encoding/json"

	"sigs.k8s.io/yaml"
)

// Emit renders an object as YAML: deterministic (keys sorted, same input
// gives the same bytes), without the empty noise Go structs carry
// (creationTimestamp: null, status: {}, empty maps).
func Emit(obj *Object) ([]byte, error) {
	b, err := json.Marshal(obj.Value())
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if meta, ok := m["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	prune(m)
	return yaml.Marshal(m)
}

// keepEmpty are fields whose empty map is a value: a volume's
// "emptyDir: {}" is its source.
var keepEmpty = map[string]bool{"emptyDir": true}

// prune drops null values, empty maps and empty lists, recursively, except
// the empty maps of keepEmpty.
func prune(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		if x["name"] == "" && x["image"] != nil { // a template's container has no name
			delete(x, "name")
		}
		for k, e := range x {
			if prune(e) && !keepEmpty[k] {
				delete(x, k)
			}
		}
		return len(x) == 0
	case []any:
		for _, e := range x {
			prune(e)
		}
		return len(x) == 0
	}
	return false
}
