package gen

import (
	"fmt"
	"reflect"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The code of a value, in the writers GenerateYAML prints. A member's
// value (memberValue) follows its "key:" (out[:mark] is before the key's
// line) and ends with n++ if the member is kept or out = out[:mark] if it
// is pruned; n counts the members written, the first (n == 0) inline if
// inline. A sequence item's value (itemValue) follows its "-" (out[:start]
// is before the item's line, i its index) and ends the line. The item or
// member is at indentation ind.

var (
	anyStringType     = reflect.TypeFor[wfv1.AnyString]()
	intOrStringType   = reflect.TypeFor[intstr.IntOrString]()
	timeType          = reflect.TypeFor[metav1.Time]()
	parallelStepsType = reflect.TypeFor[wfv1.ParallelSteps]()
	workflowStepsType = reflect.TypeFor[[]wfv1.WorkflowStep]()
)

// errRet is the return statement of an error in the current writer.
func (y *yamlGen) errRet() string { return y.ret }

// scalar is the code that appends ' ' and the YAML scalar of expr, if t is
// written as a scalar (ok).
func (y *yamlGen) scalar(t reflect.Type, expr string) (code string, ok bool) {
	switch {
	case t == anyStringType:
		return fmt.Sprintf("out = appendYAMLString(append(out, ' '), string(%s), ind+2)\n", expr), true
	case t == intOrStringType:
		return fmt.Sprintf("switch %s.Type {\ncase 0:\nout = strconv.AppendInt(append(out, ' '), int64(%s.IntVal), 10)\ncase 1:\nout = appendYAMLString(append(out, ' '), %s.StrVal, ind+2)\ndefault:\nerr = errUnsupported\n%s\n}\n", expr, expr, expr, y.errRet()), true
	case overrides[t] != nil, t.Kind() == reflect.Interface, t.Kind() == reflect.Pointer, t.Implements(marshalerType):
		return "", false
	case t.Implements(textMarshalerType):
		return y.textScalar(expr), true
	}
	switch t.Kind() {
	case reflect.Bool:
		return fmt.Sprintf("out = strconv.AppendBool(append(out, ' '), bool(%s))\n", expr), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("out = strconv.AppendInt(append(out, ' '), int64(%s), 10)\n", expr), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fmt.Sprintf("out = strconv.AppendUint(append(out, ' '), uint64(%s), 10)\n", expr), true
	case reflect.Float32, reflect.Float64:
		return fmt.Sprintf("if out, err = appendFloat(append(out, ' '), float64(%s), %d); err != nil {\n%s\n}\n", expr, t.Bits(), y.errRet()), true
	case reflect.String:
		if t == numberType {
			return fmt.Sprintf("if out, err = appendNumber(append(out, ' '), string(%s)); err != nil {\n%s\n}\n", expr, y.errRet()), true
		}
		return fmt.Sprintf("out = appendYAMLString(append(out, ' '), string(%s), ind+2)\n", expr), true
	}
	return "", false
}

// textScalar is the code that appends ' ' and the YAML scalar of the text
// expr.MarshalText returns.
func (y *yamlGen) textScalar(expr string) string {
	b := y.g.newTmp("b")
	return fmt.Sprintf("{\n%s, err := %s.MarshalText()\nif err != nil {\n%s\n}\nout = appendYAMLString(append(out, ' '), string(%s), ind+2)\n}\n", b, expr, y.errRet(), b)
}

// isBytes reports whether t is a slice encoding/json writes as base64.
func isBytes(t reflect.Type) bool {
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
		return false
	}
	pe := reflect.PointerTo(t.Elem())
	return !pe.Implements(marshalerType) && !pe.Implements(textMarshalerType)
}

// memberValue is the code of the value expr, of type t, of a member; keep
// is the Go condition that the member is kept when its value is empty,
// jsonKey the code that sets w.js to the JSON of `{"key":` for a value
// handed to yamlenc.
func (y *yamlGen) memberValue(t reflect.Type, expr, keep, jsonKey string) string {
	drop := "out = out[:mark]\n"
	switch {
	case t == parallelStepsType:
		return y.memberValue(workflowStepsType, expr+".Steps", keep, jsonKey)
	case t == timeType:
		return fmt.Sprintf("if %s.IsZero() {\n%s} else {\n%s}\n", expr, drop, y.memberFragment(t, expr, jsonKey))
	}
	if code, ok := y.scalar(t, expr); ok {
		return code + "out = append(out, '\\n')\nn++\n"
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := t.Elem()
		var inner string
		switch {
		case overrides[e] != nil:
			inner = y.memberValue(e, "(*"+expr+")", keep, jsonKey)
		case t.Implements(marshalerType):
			inner = y.memberFragment(t, expr, jsonKey)
		case t.Implements(textMarshalerType):
			inner = y.textScalar(expr) + "out = append(out, '\\n')\nn++\n"
		case e.Kind() == reflect.Struct:
			inner = y.memberMapping(e, expr, keep)
		default:
			inner = y.memberValue(e, "(*"+expr+")", keep, jsonKey)
		}
		return fmt.Sprintf("if %s == nil {\n%s} else {\n%s}\n", expr, drop, inner)
	case reflect.Interface:
		return fmt.Sprintf("if %s == nil {\n%s} else {\n%s}\n", expr, drop, y.memberFragment(t, expr, jsonKey))
	}
	if t.Implements(marshalerType) {
		return y.memberFragment(t, expr, jsonKey)
	}
	switch t.Kind() {
	case reflect.Struct:
		return y.memberMapping(t, "&"+expr, keep)
	case reflect.Map:
		return fmt.Sprintf("if %s == nil {\n%s} else {\n%s}\n", expr, drop, y.memberMapping(t, expr, keep))
	case reflect.Slice:
		if isBytes(t) {
			return fmt.Sprintf("if %s == nil {\n%s} else {\nout = appendYAMLString(append(out, ' '), base64String(%s), ind+2)\nout = append(out, '\\n')\nn++\n}\n", expr, drop, expr)
		}
		return fmt.Sprintf("if %s == nil {\n%s} else if len(%s) == 0 {\n%s} else {\nout = append(out, '\\n')\nif out, err = w.%s(out, %s, ind, false); err != nil {\n%s\n}\nn++\n}\n",
			expr, drop, expr, y.keepEmpty(keep, " []\n", "out"), y.seqFunc(t), expr, y.errRet())
	}
	fail("argojson/gen: cannot write a value of type %s as YAML", t)
	return ""
}

// keepEmpty is the code for a member whose value is empty (written
// empty, after "key:" in out[:at]): kept if keep, else dropped.
func (y *yamlGen) keepEmpty(keep, empty, at string) string {
	kept := fmt.Sprintf("out = append(%s, %q...)\nn++\n", at, empty)
	switch keep {
	case "true":
		return kept
	case "false":
		return "out = out[:mark]\n"
	}
	return fmt.Sprintf("if %s {\n%s} else {\nout = out[:mark]\n}\n", keep, kept)
}

// memberMapping is the code of a member whose value is the struct (or map)
// ref of type t: ref is a pointer to the struct, or the map (not nil).
func (y *yamlGen) memberMapping(t reflect.Type, ref, keep string) string {
	// After "key:" the mapping goes on the next lines; if nothing is
	// written, the member is "key: {}" or dropped.
	m := y.g.newTmp("m")
	mk := y.g.newTmp("mk")
	return fmt.Sprintf("{\nout = append(out, '\\n')\n%s := len(out)\n_ = %s\nvar %s int\nif out, %s, err = w.%s(out, %s, ind+2, false); err != nil {\n%s\n}\nif %s == 0 {\n%s} else {\nn++\n}\n}\n",
		mk, mk, m, m, y.mappingFunc(t), ref, y.errRet(), m, y.keepEmpty(keep, " {}\n", "out[:"+mk+"-1]"))
}

// memberFragment is the code of a member whose value yamlenc writes from
// its JSON.
func (y *yamlGen) memberFragment(t reflect.Type, expr, jsonKey string) string {
	return fmt.Sprintf("out = out[:mark]\n%sif w.js, err = %s(w.js, &%s); err != nil {\n%s\n}\nw.js = append(w.js, '}')\n{\nbefore := len(out)\nif out, err = yamlenc.MappingFromJSON(out, w.js, ind, n == 0 && inline, yamlOptions()); err != nil {\n%s\n}\nif len(out) > before {\nn++\n}\n}\n",
		jsonKey, y.fragFunc(t), expr, y.errRet(), y.errRet())
}

// itemValue is the code of the value expr, of type t, of a sequence item.
func (y *yamlGen) itemValue(t reflect.Type, expr string) string {
	null := "out = append(out, \" null\\n\"...)\n"
	switch {
	case t == parallelStepsType:
		return y.itemValue(workflowStepsType, expr+".Steps")
	case t == timeType:
		return fmt.Sprintf("if %s.IsZero() {\n%s} else {\n%s}\n", expr, null, y.itemFragment(t, expr))
	}
	if code, ok := y.scalar(t, expr); ok {
		return code + "out = append(out, '\\n')\n"
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := t.Elem()
		var inner string
		switch {
		case overrides[e] != nil:
			inner = y.itemValue(e, "(*"+expr+")")
		case t.Implements(marshalerType):
			inner = y.itemFragment(t, expr)
		case t.Implements(textMarshalerType):
			inner = y.textScalar(expr) + "out = append(out, '\\n')\n"
		case e.Kind() == reflect.Struct:
			inner = y.itemMapping(e, expr)
		default:
			inner = y.itemValue(e, "(*"+expr+")")
		}
		return fmt.Sprintf("if %s == nil {\n%s} else {\n%s}\n", expr, null, inner)
	case reflect.Interface:
		return fmt.Sprintf("if %s == nil {\n%s} else {\n%s}\n", expr, null, y.itemFragment(t, expr))
	}
	if t.Implements(marshalerType) {
		return y.itemFragment(t, expr)
	}
	switch t.Kind() {
	case reflect.Struct:
		return y.itemMapping(t, "&"+expr)
	case reflect.Map:
		return fmt.Sprintf("if %s == nil {\n%s} else {\n%s}\n", expr, null, y.itemMapping(t, expr))
	case reflect.Slice:
		if isBytes(t) {
			return fmt.Sprintf("if %s == nil {\n%s} else {\nout = appendYAMLString(append(out, ' '), base64String(%s), ind+2)\nout = append(out, '\\n')\n}\n", expr, null, expr)
		}
		return fmt.Sprintf("if %s == nil {\n%s} else if len(%s) == 0 {\nout = append(out, \" []\\n\"...)\n} else if out, err = w.%s(append(out, ' '), %s, ind+2, true); err != nil {\n%s\n}\n",
			expr, null, expr, y.seqFunc(t), expr, y.errRet())
	}
	fail("argojson/gen: cannot write a value of type %s as YAML", t)
	return ""
}

// itemMapping is the code of an item that is the struct (or map) ref of
// type t, its first member on the dash's line.
func (y *yamlGen) itemMapping(t reflect.Type, ref string) string {
	m := y.g.newTmp("m")
	mk := y.g.newTmp("mk")
	return fmt.Sprintf("{\n%s := len(out)\nvar %s int\nif out, %s, err = w.%s(append(out, ' '), %s, ind+2, true); err != nil {\n%s\n}\nif %s == 0 {\nout = append(out[:%s], \" {}\\n\"...)\n}\n}\n",
		mk, m, m, y.mappingFunc(t), ref, y.errRet(), m, mk)
}

// itemFragment is the code of an item that yamlenc writes from its JSON.
func (y *yamlGen) itemFragment(t reflect.Type, expr string) string {
	return fmt.Sprintf("out = out[:start]\nw.js = append(w.js[:0], '[')\nif w.js, err = %s(w.js, &%s); err != nil {\n%s\n}\nw.js = append(w.js, ']')\nif out, err = yamlenc.ItemsFromJSON(out, w.js, ind, i == 0 && inline, yamlOptions()); err != nil {\n%s\n}\n",
		y.fragFunc(t), expr, y.errRet(), y.errRet())
}
