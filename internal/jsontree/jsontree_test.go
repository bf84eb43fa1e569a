package jsontree

import (
	"reflect"
	"strings"
	"testing"
)

func TestCopyIsDeep(t *testing.T) {
	src := map[string]any{"a": []any{map[string]any{"b": "x"}}, "n": 1.0}
	c := Copy(src).(map[string]any)
	c["a"].([]any)[0].(map[string]any)["b"] = "y"
	if src["a"].([]any)[0].(map[string]any)["b"] != "x" {
		t.Error("Copy shares a nested map")
	}
}

func TestReplaceStrings(t *testing.T) {
	v := map[string]any{"k": []any{"a", 1.0, map[string]any{"m": "b"}}}
	got := ReplaceStrings(v, strings.ToUpper)
	want := map[string]any{"k": []any{"A", 1.0, map[string]any{"m": "B"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if List("x") != nil || len(List([]any{1})) != 1 {
		t.Error("List")
	}
}
