package compiler

import (
	"reflect"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// shapeMemo recalls the keys of templates already seen, so that a
// template that is, once abstracted and renamed, deeply equal to an
// earlier one is not marshalled again (most of a generated pipeline's
// templates are).
//
// templateShapeMemo's result is a function of the template as it is
// about to be marshalled (abstracted, edited, inputs renamed), of the
// original names of its inputs (by which the tags are renamed), of
// whether they are renamed and of how many NULs the renaming added. The
// hint holds the last three exactly; reflect.DeepEqual of the first
// implies equal JSON (encoding/json writes a value as a function of it).
// So a recalled key is the key the template has: TestShapeMemo checks it
// on every template of the tests.
type shapeMemo struct {
	seen map[string][]memoEntry
}

type memoEntry struct {
	t      *wfv1.Template
	result shapeResult
}

type shapeResult struct {
	key        string
	ok, rename bool
}

// memoProbes is how many earlier templates of one hint are compared with
// a template before it is marshalled: bounded, so that templates of many
// shapes and one hint do not make the memo quadratic.
const memoProbes = 4

func newShapeMemo() *shapeMemo { return &shapeMemo{seen: map[string][]memoEntry{}} }

// hint is the part of what decides a template's key that is not in the
// template as marshalled: the original names of its inputs (quoted, so
// that the list is read back one way), whether they are renamed and the
// NULs added.
func (m *shapeMemo) hint(inputs []wfv1.Parameter, marks int, rename bool) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(marks))
	if rename {
		b.WriteString("r")
	}
	for _, p := range inputs {
		b.WriteString(strconv.Quote(p.Name))
	}
	return b.String()
}

// recall is the result of an earlier template deeply equal to t with the
// same hint.
func (m *shapeMemo) recall(hint string, t *wfv1.Template) (shapeResult, bool) {
	for _, e := range m.seen[hint] {
		if reflect.DeepEqual(e.t, t) {
			return e.result, true
		}
	}
	return shapeResult{}, false
}

// remember keeps t's result, up to memoProbes templates per hint.
func (m *shapeMemo) remember(hint string, t *wfv1.Template, r shapeResult) {
	if len(m.seen[hint]) < memoProbes {
		m.seen[hint] = append(m.seen[hint], memoEntry{t, r})
	}
}
