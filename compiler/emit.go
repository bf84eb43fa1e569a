package compiler

import (
	"encoding/json"

	"github.com/pipec/pipec/internal/yamlenc"
)

// emitOptions are the pruning rules of pipec's YAML: no
// creationTimestamp: null, status: {}, nulls, empty maps or lists, except
// a volume's "emptyDir: {}", which is its source.
var emitOptions = yamlenc.Options{Prune: true, KeepEmpty: []string{"emptyDir"}}

// Emit renders an object as YAML: deterministic (keys sorted, same input
// gives the same bytes), without the empty noise Go structs carry
// (creationTimestamp: null, status: {}, empty maps). encoding/json
// marshals the object; internal/yamlenc turns the JSON into YAML.
func Emit(obj *Object) ([]byte, error) {
	b, err := json.Marshal(obj.Value())
	if err != nil {
		return nil, err
	}
	return yamlenc.FromJSON(make([]byte, 0, len(b)), b, emitOptions)
}
