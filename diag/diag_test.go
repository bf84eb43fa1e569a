package diag

import "testing"

func TestSuggest(t *testing.T) {
	cases := []struct {
		name  string
		cands []string
		want  string
	}{
		{"retyr", []string{"retry", "run"}, "retry"},
		{"mgs", []string{"msg"}, "msg"},
		{"greting", []string{"greeting", "date"}, "greeting"},
		{"zz", []string{"a", "b"}, ""},
		{"y", []string{"a"}, ""},
		{"imagee", []string{"image", "mount"}, "image"},
		{"completely-different", []string{"extract"}, ""},
	}
	for _, c := range cases {
		if got := Suggest(c.name, c.cands); got != c.want {
			t.Errorf("Suggest(%q, %v) = %q, want %q", c.name, c.cands, got, c.want)
		}
	}
}

func TestSortDedupes(t *testing.T) {
	a := Diagnostic{Range: Range{Filename: "a", Start: Pos{Offset: 5, Line: 1, Column: 6}}, Message: "x"}
	b := Diagnostic{Range: Range{Filename: "a", Start: Pos{Offset: 1, Line: 1, Column: 2}}, Message: "y"}
	ds := Diagnostics{a, b, a}.Sort()
	if len(ds) != 2 || ds[0].Message != "y" {
		t.Errorf("Sort = %v", ds)
	}
}
