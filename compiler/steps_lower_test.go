package compiler

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// TestLoopItemsAsUnmarshal: loopItems keeps for each item what json.Marshal
// then json.Unmarshal into an Item did, one item at a time.
func TestLoopItemsAsUnmarshal(t *testing.T) {
	items := []any{
		"a", "", "<b>&\"quoted\"\u2028", "é", 1, 2.5, -3, true, false, nil,
		map[string]any{"k": "v", "n": 1, "<": []any{"x", 2}},
		[]any{}, map[string]any{},
		math.NaN(), // cannot be encoded: the item stays empty, as before
		"after",
	}
	want := make([]wfv1.Item, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it)
		_ = json.Unmarshal(b, &want[i])
	}
	got := loopItems(items)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loopItems:\n got %q\nwant %q", got, want)
	}
	// Each item's bytes are its own: appending to one does not change the next.
	_ = append(got[0].Value, 'x')
	if string(got[1].Value) != `""` {
		t.Fatalf("items share their bytes: %q", got[1].Value)
	}
}
