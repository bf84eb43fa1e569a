package wfsem

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Diff is one difference between two normal forms.
type Diff struct {
	// Path is where in the normal form it is, e.g.
	// entry.dag.tasks.print.call.container.image.
	Path string
	// A and B are the two values, as compact JSON ("" when absent).
	A, B string
}

func (d Diff) String() string {
	return fmt.Sprintf("%s: %s != %s", d.Path, orAbsent(d.A), orAbsent(d.B))
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}

// Compare returns the differences between two Argo objects (at most max of
// them, all if max <= 0), in path order. No difference means they are
// semantically equal.
func Compare(a, b any, max int) ([]Diff, error) {
	na, err := Normalize(a)
	if err != nil {
		return nil, fmt.Errorf("first object: %w", err)
	}
	nb, err := Normalize(b)
	if err != nil {
		return nil, fmt.Errorf("second object: %w", err)
	}
	return DiffNormal(na, nb, max), nil
}

// Equal reports whether two Argo objects are semantically equal.
func Equal(a, b any) (bool, error) {
	d, err := Compare(a, b, 1)
	return len(d) == 0 && err == nil, err
}

// DiffNormal compares two normal forms.
func DiffNormal(a, b map[string]any, max int) []Diff {
	var out []Diff
	diffValue("", a, b, &out, max)
	return out
}

func diffValue(path string, a, b any, out *[]Diff, max int) {
	if max > 0 && len(*out) >= max {
		return
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if _, inA := am[k]; path == "library" && !inA {
				// A template the second object adds to a library (pipec's
				// template of a step) breaks no caller of the first.
				continue
			}
			diffValue(join(path, k), am[k], bm[k], out, max)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			diffValue(fmt.Sprintf("%s[%d]", path, i), al[i], bl[i], out, max)
		}
		return
	}
	ja, jb := compact(a), compact(b)
	if ja != jb {
		*out = append(*out, Diff{Path: path, A: ja, B: jb})
	}
}

func join(path, key string) string {
	if strings.ContainsAny(key, ". ") {
		key = "[" + key + "]"
		return path + key
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func compact(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
