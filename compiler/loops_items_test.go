package compiler

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// marshalItems is loopItems as it was before its shortcut: json.Marshal
// of each item (nil for one that does not marshal).
func marshalItems(items []any) [][]byte {
	out := make([][]byte, len(items))
	for i, it := range items {
		if b, err := json.Marshal(it); err == nil {
			out[i] = b
		}
	}
	return out
}

// checkItemsAsMarshal fails t unless loopItems gives json.Marshal's bytes
// for every item.
func checkItemsAsMarshal(t *testing.T, items []any) {
	t.Helper()
	got, want := loopItems(items), marshalItems(items)
	if len(got) != len(want) {
		t.Fatalf("loopItems gave %d items, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Value, want[i]) {
			t.Errorf("item %d (%#v): loopItems gives %q, json.Marshal %q", i, items[i], got[i].Value, want[i])
		}
	}
}

func TestLoopItemsAsMarshal(t *testing.T) {
	checkItemsAsMarshal(t, []any{
		"plain", "", "with \"quotes\"", `back\slash`, "<html> & co", "tab\there", "new\nline",
		"é unicode", "\u2028 separator", "bad \xff utf-8", "\x7f del",
		int64(0), int64(-42), int64(math.MaxInt64), int64(math.MinInt64),
		true, false, 1.5, 1e21, 1e-7, math.NaN(), nil,
		map[string]any{"b": int64(2), "a": "x", "c": true},
		map[string]any{}, map[string]any(nil), []any{}, []any(nil),
		map[string]any{"nested": map[string]any{"z": []any{"a", int64(1), false}, "y": 2.5}},
		map[string]any{"key<": "v"}, map[string]any{"k": "v&"},
		[]any{"a", map[string]any{"b": "c"}, []any{int64(1)}},
		[]any{"a", 1.25}, "1.0s",
	})
}

func TestLoopItemsEmptyAndFailing(t *testing.T) {
	checkItemsAsMarshal(t, nil)
	// A value json.Marshal refuses stays empty, and the items after it keep
	// their own bytes.
	got := loopItems([]any{"a", math.Inf(1), "b"})
	if string(got[0].Value) != `"a"` || got[1].Value != nil || string(got[2].Value) != `"b"` {
		t.Errorf("loopItems = %q, %q, %q", got[0].Value, got[1].Value, got[2].Value)
	}
}

// FuzzLoopItems checks loopItems against json.Marshal on items of every
// kind a literal list holds, built from fuzzed strings and numbers.
func FuzzLoopItems(f *testing.F) {
	f.Add("x", "key", int64(3), 0.5, true)
	f.Add("<a & b>", "\"", int64(-1), 1e300, false)
	f.Add("\xff\u2028", "é", int64(0), -0.0, true)
	f.Fuzz(func(t *testing.T, s, k string, n int64, x float64, b bool) {
		checkItemsAsMarshal(t, []any{
			s, k, n, x, b,
			map[string]any{k: s, s: n, "b": b},
			map[string]any{k: map[string]any{s: []any{n, b, s}}},
			[]any{s, n, b, x},
			[]any{map[string]any{k: x}},
		})
	})
}
