package compiler

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// What pipec writes must mean exactly what it validated: Emit prunes
// only the empty noise of Go's zero values, never an empty object or list
// that a construct set. encoding/json writes a struct field that is not a
// pointer as {} even when it is zero (omitempty does not apply to
// structs), and decoding {} or nothing into it gives the same zero value:
// such members are noise. A pointer, map, slice or interface field set to
// an empty value is not: "suspend: {}" makes a suspend template,
// "archive: {none: {}}" turns archiving off, "valueFrom: {supplied: {}}"
// makes a parameter supplied by a user; dropping them changes what Argo
// reads. keepEmpty derives, from Argo's own types, every member name that
// is such a field in some object an Argo document can hold; yamlenc keeps
// those when they are {} or []. A name that is a plain struct in one type
// and a pointer in another is kept everywhere: at worst an extra "{}"
// that decodes to the same value (TestEmitRoundTrip checks the meaning of
// every example's YAML against its lowered objects).

var (
	keepEmptyOnce sync.Once
	keepEmptySet  map[string]bool
)

// keepEmpty returns the names of the members whose empty value Emit keeps.
func keepEmpty() map[string]bool {
	keepEmptyOnce.Do(func() {
		keepEmptySet = map[string]bool{}
		// A document's status is never written.
		seen := map[reflect.Type]bool{
			reflect.TypeFor[wfv1.WorkflowStatus]():     true,
			reflect.TypeFor[wfv1.CronWorkflowStatus](): true,
		}
		for _, v := range []any{wfv1.Workflow{}, wfv1.WorkflowTemplate{}, wfv1.ClusterWorkflowTemplate{}, wfv1.CronWorkflow{}} {
			collectKeepEmpty(reflect.TypeOf(v), keepEmptySet, seen)
		}
	})
	return keepEmptySet
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

// collectKeepEmpty adds to keep the JSON names of the fields of t, and of
// every type reachable from it, whose empty value is not their zero value.
func collectKeepEmpty(t reflect.Type, keep map[string]bool, seen map[reflect.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		collectKeepEmpty(t.Elem(), keep, seen)
		return
	case reflect.Struct:
	default:
		return
	}
	if customJSON(t) {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// Promoted members (metav1.TypeMeta's kind, apiVersion...).
			collectKeepEmpty(f.Type, keep, seen)
			continue
		}
		if name == "" {
			name = f.Name
		}
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			keep[name] = true
		case reflect.Struct:
			if customJSON(f.Type) {
				keep[name] = true
			}
		}
		collectKeepEmpty(f.Type, keep, seen)
	}
}

// customJSON reports whether values of t marshal themselves.
func customJSON(t reflect.Type) bool {
	return t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler)
}
