package dsl

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// stepStmtByKeyword must say, for each keyword, which member of the StepStmt
// union matches a statement starting with it: the members' productions
// must each start with keywords of their own (no optional prefix, no
// keyword shared), and the table must have exactly those.
func TestStepStmtByKeyword(t *testing.T) {
	rules := map[string]string{}
	for _, line := range strings.Split(strictStepParser().String(), "\n") {
		if name, rhs, ok := strings.Cut(line, " = "); ok {
			rules[name] = rhs
		}
	}
	first := regexp.MustCompile(`^(?:"([a-z_]+)"|\(((?:"[a-z_]+"(?: \| )?)+)\)) `)
	want := map[string]reflect.Type{}
	for _, m := range stepStmts {
		typ := reflect.TypeOf(m)
		rhs, ok := rules[typ.Elem().Name()]
		if !ok {
			t.Fatalf("no production for %s in:\n%s", typ.Elem().Name(), strictStepParser().String())
		}
		sub := first.FindStringSubmatch(rhs)
		if sub == nil {
			t.Fatalf("%s = %s: does not start with keywords; parseStepStmt cannot dispatch on it", typ.Elem().Name(), rhs)
		}
		kws := []string{sub[1]}
		if sub[1] == "" {
			kws = strings.Split(strings.ReplaceAll(sub[2], `"`, ""), " | ")
		}
		for _, k := range kws {
			if other, dup := want[k]; dup {
				t.Fatalf("%q starts both %s and %s", k, other, typ)
			}
			want[k] = typ
		}
	}
	got := map[string]reflect.Type{}
	for k, p := range stepStmtByKeyword {
		got[k] = p.typ
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stepStmtByKeyword:\n%v\nwant:\n%v", got, want)
	}
}
