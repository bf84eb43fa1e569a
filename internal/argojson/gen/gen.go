// Package gen writes internal/argojson's encoders: it walks Argo's types
// (and argoshape's) by reflection, resolves each struct's JSON members as
// encoding/json does (tags, omitempty, "-", embedded structs and Go's
// dominance rules, sorted by index), and prints plain Go that appends
// those bytes with no reflection at run time. Generate is called by
// `go generate ./internal/argojson` (argojson-gen) and by the test that
// fails when the generated file is stale.
package gen

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"go/format"
	"reflect"
	"sort"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/internal/argojson/argoshape"
)

// A Root is a type with an exported encoder, AppendName(dst, v *T) (or
// v []E for a slice).
type Root struct {
	Name string
	Type reflect.Type
}

// Roots are the types pipec marshals (see argojson's doc comment).
var Roots = []Root{
	{"Workflow", reflect.TypeFor[wfv1.Workflow]()},
	{"WorkflowTemplate", reflect.TypeFor[wfv1.WorkflowTemplate]()},
	{"ClusterWorkflowTemplate", reflect.TypeFor[wfv1.ClusterWorkflowTemplate]()},
	{"CronWorkflow", reflect.TypeFor[wfv1.CronWorkflow]()},
	{"WorkflowSpec", reflect.TypeFor[wfv1.WorkflowSpec]()},
	{"Template", reflect.TypeFor[wfv1.Template]()},
	{"Templates", reflect.TypeFor[[]wfv1.Template]()},
	{"DAGTask", reflect.TypeFor[wfv1.DAGTask]()},
	{"WorkflowStep", reflect.TypeFor[wfv1.WorkflowStep]()},
	{"ObjectMeta", reflect.TypeFor[metav1.ObjectMeta]()},
	{"WorkflowV4", reflect.TypeFor[argoshape.WorkflowV4]()},
	{"WorkflowTemplateV4", reflect.TypeFor[argoshape.WorkflowTemplateV4]()},
	{"ClusterWorkflowTemplateV4", reflect.TypeFor[argoshape.ClusterWorkflowTemplateV4]()},
	{"CronWorkflowV4", reflect.TypeFor[argoshape.CronWorkflowV4]()},
	{"TemplatesV4", reflect.TypeFor[[]argoshape.TemplateV4]()},
	{"Head", reflect.TypeFor[argoshape.Head]()},
	{"MemoContext", reflect.TypeFor[argoshape.MemoContext]()},
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

// overrides are types whose MarshalJSON is written out here instead of
// called, each proven equal by argojson's differential tests:
// AnyString's is json.Marshal(string(s)), metav1.Time's null for the zero time, ParallelSteps' json.Marshal of
// its Steps, IntOrString's json.Marshal of its int32 or string.
var overrides map[reflect.Type]func(g *generator, expr string) string

func init() {
	overrides = map[reflect.Type]func(g *generator, expr string) string{
		reflect.TypeFor[wfv1.AnyString](): func(g *generator, expr string) string {
			return fmt.Sprintf("dst = appendString(dst, string(%s))\n", expr)
		},
		// metav1.Time's MarshalJSON writes null for the zero time.
		reflect.TypeFor[metav1.Time](): func(g *generator, expr string) string {
			b := g.newTmp("b")
			return fmt.Sprintf("if %s.IsZero() {\ndst = append(dst, \"null\"...)\n} else {\n%s, err := %s.MarshalJSON()\nif err != nil {\nreturn dst, err\n}\nif dst, err = appendMarshaled(dst, %s); err != nil {\nreturn dst, err\n}\n}\n", expr, b, expr, b)
		},
		reflect.TypeFor[wfv1.ParallelSteps](): func(g *generator, expr string) string {
			return g.value(reflect.TypeFor[[]wfv1.WorkflowStep](), expr+".Steps")
		},
		reflect.TypeFor[intstr.IntOrString](): func(g *generator, expr string) string {
			return fmt.Sprintf("if dst, err = appendIntOrString(dst, %s.Type == 0, %s.Type == 1, int64(%s.IntVal), %s.StrVal); err != nil {\nreturn dst, err\n}\n", expr, expr, expr, expr)
		},
	}
}

// A generator holds the state of one Generate.
type generator struct {
	imports map[string]string // package path -> name in the generated file
	funcs   map[reflect.Type]string
	queue   []reflect.Type
	anon    int
	tmp     int
	out     bytes.Buffer
}

// Generate returns the generated file, formatted.
func Generate() ([]byte, error) {
	g := &generator{imports: map[string]string{}, funcs: map[reflect.Type]string{}}
	var body bytes.Buffer
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				if e, ok := r.(genError); ok {
					err = e
					return
				}
				panic(r)
			}
		}()
		for _, r := range Roots {
			fmt.Fprintf(&body, "// Append%s appends the JSON of v, exactly as json.Marshal writes it.\n", r.Name)
			if r.Type.Kind() == reflect.Slice {
				te := g.typeExpr(r.Type)
				g.tmp = 0
				fmt.Fprintf(&body, "func Append%s(dst []byte, v %s) ([]byte, error) {\nn := len(dst)\nout, err := enc%s(dst, v)\nif err != nil {\nreturn fallback(dst[:n], v)\n}\nreturn out, nil\n}\n\n", r.Name, te, r.Name)
				fmt.Fprintf(&body, "func enc%s(dst []byte, v %s) ([]byte, error) {\nvar err error\n_ = err\n%sreturn dst, nil\n}\n\n", r.Name, te, g.value(r.Type, "v"))
				continue
			}
			fn := g.structFunc(r.Type)
			fmt.Fprintf(&body, "func Append%s(dst []byte, v *%s) ([]byte, error) {\nif v == nil {\nreturn append(dst, \"null\"...), nil\n}\nn := len(dst)\nout, err := %s(dst, v)\nif err != nil {\nreturn fallback(dst[:n], v)\n}\nreturn out, nil\n}\n\n", r.Name, g.typeExpr(r.Type), fn)
		}
		for len(g.queue) > 0 {
			t := g.queue[0]
			g.queue = g.queue[1:]
			g.writeStruct(&body, t)
		}
		// The type switch of Append.
		fmt.Fprintf(&body, "// appendAny appends the JSON of v if it is of a root type; ok is false otherwise.\nfunc appendAny(dst []byte, v any) (out []byte, err error, ok bool) {\nswitch v := v.(type) {\n")
		for _, r := range Roots {
			if r.Type.Kind() == reflect.Slice {
				fmt.Fprintf(&body, "case %s:\nout, err = Append%s(dst, v)\n", g.typeExpr(r.Type), r.Name)
			} else {
				fmt.Fprintf(&body, "case *%s:\nout, err = Append%s(dst, v)\n", g.typeExpr(r.Type), r.Name)
			}
		}
		fmt.Fprintf(&body, "default:\nreturn dst, nil, false\n}\nreturn out, err, true\n}\n")
	}()
	if err != nil {
		return nil, err
	}
	var f bytes.Buffer
	f.WriteString("// Code generated by internal/argojson/gen; DO NOT EDIT.\n\npackage argojson\n\nimport (\n\"strconv\"\n\n")
	paths := make([]string, 0, len(g.imports))
	for p := range g.imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(&f, "%s %q\n", g.imports[p], p)
	}
	f.WriteString(")\n\n")
	f.Write(body.Bytes())
	src, ferr := format.Source(f.Bytes())
	if ferr != nil {
		return f.Bytes(), fmt.Errorf("gofmt of the generated code: %v", ferr)
	}
	return src, nil
}

type genError struct{ msg string }

func (e genError) Error() string { return e.msg }

func fail(format string, args ...any) {
	panic(genError{fmt.Sprintf(format, args...)})
}

// pkgName is the name of a package in the generated file: its last path
// elements joined, made unique.
func (g *generator) pkgName(path string) string {
	if n, ok := g.imports[path]; ok {
		return n
	}
	parts := strings.Split(path, "/")
	name := parts[len(parts)-1]
	if len(parts) > 1 && (strings.HasPrefix(name, "v") && len(name) > 1 && name[1] >= '0' && name[1] <= '9') {
		name = parts[len(parts)-2] + name
	}
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, name)
	base := name
	for i := 2; ; i++ {
		taken := false
		for _, n := range g.imports {
			taken = taken || n == name
		}
		if !taken && name != "json" && name != "strconv" {
			break
		}
		name = base + strconv.Itoa(i)
	}
	g.imports[path] = name
	return name
}

// typeExpr is t written in the generated file.
func (g *generator) typeExpr(t reflect.Type) string {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name()
		}
		if !token(t.Name()) {
			fail("argojson/gen: type %s is not exported", t)
		}
		return g.pkgName(t.PkgPath()) + "." + t.Name()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + g.typeExpr(t.Elem())
	case reflect.Slice:
		return "[]" + g.typeExpr(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), g.typeExpr(t.Elem()))
	case reflect.Map:
		return "map[" + g.typeExpr(t.Key()) + "]" + g.typeExpr(t.Elem())
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any"
		}
	case reflect.Struct:
		var b strings.Builder
		b.WriteString("struct {\n")
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				fail("argojson/gen: unexported field %s of %s", f.Name, t)
			}
			if !f.Anonymous {
				b.WriteString(f.Name + " ")
			}
			b.WriteString(g.typeExpr(f.Type))
			if f.Tag != "" {
				b.WriteString(" " + strconv.Quote(string(f.Tag)))
			}
			b.WriteString("\n")
		}
		b.WriteString("}")
		return b.String()
	}
	fail("argojson/gen: cannot write type %s", t)
	return ""
}

func token(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }

// structFunc is the name of the encoder of struct type t, queued for
// writing if it is new.
func (g *generator) structFunc(t reflect.Type) string {
	if n, ok := g.funcs[t]; ok {
		return n
	}
	var n string
	if t.Name() != "" {
		n = "enc" + strings.ToUpper(g.pkgName(t.PkgPath())[:1]) + g.pkgName(t.PkgPath())[1:] + t.Name()
	} else {
		g.anon++
		n = "encStruct" + strconv.Itoa(g.anon)
	}
	g.funcs[t] = n
	g.queue = append(g.queue, t)
	return n
}

// fieldPath writes the nil checks of the embedded pointers on the way to
// field f of struct type t and returns the field's expression (from "v")
// and the number of blocks the checks opened.
func fieldPath(w *bytes.Buffer, t reflect.Type, f field) (expr string, closes int) {
	expr = "v"
	cur := t
	for i, idx := range f.index {
		sf := cur.Field(idx)
		if !sf.IsExported() {
			fail("argojson/gen: field %s of %s is not exported", sf.Name, cur)
		}
		expr += "." + sf.Name
		if i == len(f.index)-1 {
			break
		}
		cur = sf.Type
		if cur.Kind() == reflect.Pointer {
			fmt.Fprintf(w, "if %s != nil {\n", expr)
			closes++
			cur = cur.Elem()
		}
	}
	return expr, closes
}

// writeStruct writes the encoder of struct type t.
func (g *generator) writeStruct(w *bytes.Buffer, t reflect.Type) {
	g.tmp = 0
	fmt.Fprintf(w, "func %s(dst []byte, v *%s) ([]byte, error) {\nvar err error\n_ = err\ndst = append(dst, '{')\nstart := len(dst)\n_ = start\n", g.funcs[t], g.typeExpr(t))
	for _, f := range typeFields(t) {
		expr, closes := fieldPath(w, t, f)
		if f.omitZero {
			fail("argojson/gen: omitzero (field %s of %s) is not supported", f.name, t)
		}
		if f.quoted {
			fail("argojson/gen: ,string (field %s of %s) is not supported", f.name, t)
		}
		if f.omitEmpty {
			if cond := nonEmpty(f.typ, expr); cond != "" {
				fmt.Fprintf(w, "if %s {\n", cond)
				closes++
			}
		}
		fmt.Fprintf(w, "if len(dst) > start {\ndst = append(dst, ',')\n}\ndst = append(dst, %s...)\n", strconv.Quote(`"`+htmlEscape(f.name)+`":`))
		w.WriteString(g.value(f.typ, expr))
		w.WriteString(strings.Repeat("}\n", closes))
	}
	w.WriteString("return append(dst, '}'), nil\n}\n\n")
}

// nonEmpty is the Go condition that a value is not empty in
// encoding/json's sense (omitempty), "" if it never is.
func nonEmpty(t reflect.Type, expr string) string {
	switch t.Kind() {
	case reflect.Bool:
		return expr
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return expr + " != 0"
	case reflect.String:
		return expr + ` != ""`
	case reflect.Pointer, reflect.Interface:
		return expr + " != nil"
	case reflect.Slice, reflect.Map, reflect.Array:
		return "len(" + expr + ") != 0"
	}
	return ""
}

func (g *generator) newTmp(prefix string) string {
	g.tmp++
	return prefix + strconv.Itoa(g.tmp)
}

// value is the code that appends the JSON of expr, an addressable
// expression of type t, to dst (returning dst, err on error).
func (g *generator) value(t reflect.Type, expr string) string {
	if o, ok := overrides[t]; ok {
		return o(g, expr)
	}
	if t.Kind() == reflect.Pointer {
		if o, ok := overrides[t.Elem()]; ok {
			return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\n%s}\n", expr, o(g, "(*"+expr+")"))
		}
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		if pt.Implements(marshalerType) && !t.Implements(marshalerType) || pt.Implements(textMarshalerType) && !t.Implements(textMarshalerType) && !t.Implements(marshalerType) {
			// encoding/json calls these only on addressable values.
			fail("argojson/gen: %s has a pointer-receiver marshaler", t)
		}
	}
	if t.Implements(marshalerType) && t.Kind() != reflect.Interface {
		b := g.newTmp("b")
		code := fmt.Sprintf("%s, err := %s.MarshalJSON()\nif err != nil {\nreturn dst, err\n}\nif dst, err = appendMarshaled(dst, %s); err != nil {\nreturn dst, err\n}\n", b, expr, b)
		if t.Kind() == reflect.Pointer {
			return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\n%s}\n", expr, code)
		}
		return "{\n" + code + "}\n"
	}
	if t.Implements(textMarshalerType) && t.Kind() != reflect.Interface {
		b := g.newTmp("b")
		code := fmt.Sprintf("%s, err := %s.MarshalText()\nif err != nil {\nreturn dst, err\n}\ndst = appendString(dst, %s)\n", b, expr, b)
		if t.Kind() == reflect.Pointer {
			return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\n%s}\n", expr, code)
		}
		return "{\n" + code + "}\n"
	}
	switch t.Kind() {
	case reflect.Bool:
		return fmt.Sprintf("dst = strconv.AppendBool(dst, bool(%s))\n", expr)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("dst = strconv.AppendInt(dst, int64(%s), 10)\n", expr)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fmt.Sprintf("dst = strconv.AppendUint(dst, uint64(%s), 10)\n", expr)
	case reflect.Float32, reflect.Float64:
		return fmt.Sprintf("if dst, err = appendFloat(dst, float64(%s), %d); err != nil {\nreturn dst, err\n}\n", expr, t.Bits())
	case reflect.String:
		if t == numberType {
			return fmt.Sprintf("if dst, err = appendNumber(dst, string(%s)); err != nil {\nreturn dst, err\n}\n", expr)
		}
		return fmt.Sprintf("dst = appendString(dst, string(%s))\n", expr)
	case reflect.Struct:
		return fmt.Sprintf("if dst, err = %s(dst, &%s); err != nil {\nreturn dst, err\n}\n", g.structFunc(t), expr)
	case reflect.Pointer:
		e := t.Elem()
		if e.Kind() == reflect.Struct && !e.Implements(marshalerType) && !e.Implements(textMarshalerType) {
			if _, ok := overrides[e]; !ok {
				return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else if dst, err = %s(dst, %s); err != nil {\nreturn dst, err\n}\n", expr, g.structFunc(e), expr)
			}
		}
		return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\n%s}\n", expr, g.value(e, "(*"+expr+")"))
	case reflect.Interface:
		return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else if dst, err = appendInterface(dst, %s); err != nil {\nreturn dst, err\n}\n", expr, expr)
	case reflect.Slice:
		e := t.Elem()
		if e.Kind() == reflect.Uint8 {
			pe := reflect.PointerTo(e)
			if !pe.Implements(marshalerType) && !pe.Implements(textMarshalerType) {
				return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\ndst = appendBase64(dst, []byte(%s))\n}\n", expr, expr)
			}
		}
		i := g.newTmp("i")
		return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\ndst = append(dst, '[')\nfor %s := range %s {\nif %s > 0 {\ndst = append(dst, ',')\n}\n%s}\ndst = append(dst, ']')\n}\n", expr, i, expr, i, g.value(e, expr+"["+i+"]"))
	case reflect.Array:
		i := g.newTmp("i")
		return fmt.Sprintf("dst = append(dst, '[')\nfor %s := range %s {\nif %s > 0 {\ndst = append(dst, ',')\n}\n%s}\ndst = append(dst, ']')\n", i, expr, i, g.value(t.Elem(), expr+"["+i+"]"))
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			fail("argojson/gen: map key type %s is not supported", t.Key())
		}
		// Map values are not addressable: encoding/json calls no
		// pointer-receiver method on them (value checks there are none).
		k, m, mv := g.newTmp("k"), g.newTmp("m"), g.newTmp("mv")
		return fmt.Sprintf("if %s == nil {\ndst = append(dst, \"null\"...)\n} else {\n%s := %s\ndst = append(dst, '{')\nfor %s, %s := range sortedKeys(%s) {\nif %s > 0 {\ndst = append(dst, ',')\n}\ndst = appendString(dst, string(%s))\ndst = append(dst, ':')\n%s := %s[%s]\n%s}\ndst = append(dst, '}')\n}\n",
			expr, m, expr, k+"i", k, m, k+"i", k, mv, m, k, g.value(t.Elem(), mv))
	}
	return "return dst, errUnsupported\n"
}

// htmlEscape escapes a member name as encoding/json does.
func htmlEscape(s string) string {
	var b bytes.Buffer
	json.HTMLEscape(&b, []byte(s))
	return b.String()
}
