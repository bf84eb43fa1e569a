// Package jsontree holds the few operations pipec needs on decoded JSON
// trees (map[string]any, []any and scalars, as encoding/json and
// sigs.k8s.io/yaml produce them): the importer and the semantic comparison
// (internal/wfsem) both walk Argo objects in that form.
package jsontree

// List returns v as a list, or nil when it is not one.
func List(v any) []any {
	l, _ := v.([]any)
	return l
}

// Copy returns a deep copy of v: its maps and lists are new, its scalars
// shared.
func Copy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = Copy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = Copy(e)
		}
		return l
	}
	return v
}

// ReplaceStrings replaces, in place, every string of v (not map keys) by
// fn of it, and returns v (or the new string when v is one).
func ReplaceStrings(v any, fn func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = ReplaceStrings(e, fn)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = ReplaceStrings(e, fn)
		}
		return x
	case string:
		return fn(x)
	}
	return v
}
