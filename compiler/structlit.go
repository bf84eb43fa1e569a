// Struct literals: a pipec value (`{ run_as_user: 1000, capabilities: {
// add: ["NET_ADMIN"] } }`) decoded into a Kubernetes or Argo Go type by
// the type's own JSON field names, the way gohcl decodes HCL bodies into
// Go structs. Keys are written in snake_case (run_as_user) or as Argo
// writes them (runAsUser); an unknown key is reported at the key, with the
// closest field name; a value of the wrong kind at the value. The result is
// the JSON that encoding/json then decodes into the type, so what pipec
// emits is exactly what the type holds.

package compiler

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

var (
	quantityType = reflect.TypeFor[resource.Quantity]()
	intOrStrType = reflect.TypeFor[intstr.IntOrString]()
	durationType = reflect.TypeFor[metav1.Duration]()
	jsonUnmarsh  = reflect.TypeFor[json.Unmarshaler]()
)

// decodeStruct decodes v into a new value of type T. It reports every
// error it finds and returns false if there was one.
func decodeStruct[T any](c *checker, v *dsl.Value, what string) (*T, bool) {
	before := c.diags.ErrorCount()
	j := c.structJSON(v, reflect.TypeFor[T](), what)
	if c.diags.ErrorCount() > before {
		return nil, false
	}
	b, err := json.Marshal(j)
	if err != nil {
		c.errorf(v, "%s: %v", what, err)
		return nil, false
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		c.errorf(v, "invalid %s: %v", what, strings.TrimPrefix(err.Error(), "json: "))
		return nil, false
	}
	return out, true
}

// structJSON converts v to the JSON value that type t decodes from.
func (c *checker) structJSON(v *dsl.Value, t reflect.Type, what string) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case quantityType:
		s, ok := scalarText(v)
		if !ok {
			c.errorf(v, "%s: expected a quantity such as \"500m\" or \"1Gi\", got %s", what, v.Kind())
			return nil
		}
		if _, err := resource.ParseQuantity(s); err != nil {
			c.errorf(v, "%s: invalid quantity %q", what, s).WithHint(`for example "500m", "2" or "1Gi"`)
			return nil
		}
		return s
	case intOrStrType:
		if v.Int != nil {
			n, _ := literal(v)
			return n
		}
		if v.Str != nil {
			return c.literalOnly(v.Str, what)
		}
		c.errorf(v, "%s: expected a number or a string, got %s", what, v.Kind())
		return nil
	case durationType:
		if d, ok := c.duration(v); ok {
			return argoDuration(d)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if reflect.PointerTo(t).Implements(jsonUnmarsh) {
			x, err := literal(v)
			if err != nil {
				c.errorf(v, "%s: %v", what, err)
			}
			return x
		}
		if v.Map == nil {
			c.errorf(v, "%s: expected { key: value, ... }, got %s", what, v.Kind())
			return nil
		}
		fields := jsonFields(t)
		out := map[string]any{}
		seen := map[string]*dsl.MapEntry{}
		for _, e := range v.Map.Entries {
			name := e.Key.Value()
			f, ok := fields[camelCase(name)]
			if !ok {
				f, ok = fields[name]
			}
			if !ok {
				names := make([]string, 0, len(fields))
				for n := range fields {
					names = append(names, snakeCase(n))
				}
				sort.Strings(names)
				d := c.errorf(e.Key, "%s has no field %q", what, name)
				if s := diag.Suggest(snakeCase(name), names); s != "" {
					d.WithHint("did you mean %q?", s)
				} else {
					d.WithHint("its fields: %s", strings.Join(names, ", "))
				}
				continue
			}
			if prev := seen[f.json]; prev != nil {
				c.errorf(e.Key, "%s: %q is set twice (first at %s)", what, name, prev.Key.Range())
				continue
			}
			seen[f.json] = e
			out[f.json] = c.structJSON(e.Value, f.typ, what+"."+snakeCase(f.json))
		}
		return out
	case reflect.Map:
		if v.Map == nil {
			c.errorf(v, "%s: expected { key: value, ... }, got %s", what, v.Kind())
			return nil
		}
		out := map[string]any{}
		for _, e := range v.Map.Entries {
			out[e.Key.Value()] = c.structJSON(e.Value, t.Elem(), what+"."+e.Key.Value())
		}
		return out
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			break
		}
		if v.List == nil {
			c.errorf(v, "%s: expected a list [...], got %s", what, v.Kind())
			return nil
		}
		out := make([]any, 0, len(v.List.Elems))
		for _, e := range v.List.Elems {
			out = append(out, c.structJSON(e, t.Elem(), what))
		}
		return out
	case reflect.Bool:
		if v.Bool == nil {
			c.errorf(v, "%s: expected true or false, got %s", what, v.Kind())
			return nil
		}
		return *v.Bool == "true"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		if v.Int == nil {
			c.errorf(v, "%s: expected a whole number, got %s", what, v.Kind())
			return nil
		}
		n, err := literal(v)
		if err != nil {
			c.errorf(v, "%s: %v", what, err)
		}
		return n
	case reflect.Float32, reflect.Float64:
		if v.Int == nil && v.Float == nil {
			c.errorf(v, "%s: expected a number, got %s", what, v.Kind())
			return nil
		}
		n, _ := literal(v)
		return n
	case reflect.String:
		if s, ok := scalarText(v); ok && v.Str != nil {
			if c.structTexts != nil && strings.Contains(s, "${") {
				return c.structText(v.Str)
			}
			return c.literalOnly(v.Str, what)
		} else if ok {
			return s
		}
		c.errorf(v, "%s: expected a string, got %s", what, v.Kind())
		return nil
	}
	x, err := literal(v)
	if err != nil {
		c.errorf(v, "%s: %v", what, err)
	}
	return x
}

// scalarText is the text of a string, a bare word, a number or a duration.
func scalarText(v *dsl.Value) (string, bool) {
	switch {
	case v.Str != nil:
		return v.Str.Value(), true
	case v.Path != nil && len(v.Path.Parts) == 1:
		return v.Path.Parts[0].Name, true
	case v.Int != nil:
		return *v.Int, true
	case v.Float != nil:
		return *v.Float, true
	case v.Duration != nil:
		return *v.Duration, true
	}
	return "", false
}

type jsonField struct {
	json string
	typ  reflect.Type
}

// jsonFields lists the JSON fields of a struct type, inlined ones included.
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && (name == "" || strings.Contains(opts, "inline")) {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if strings.Contains(opts, "inline") {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = jsonField{json: name, typ: f.Type}
	}
	return out
}

// camelCase turns run_as_user into runAsUser; a name without '_' is kept.
func camelCase(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// snakeCase turns runAsUser into run_as_user (and hostIPC into host_ipc).
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && !unicode.IsUpper(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1]) && i > 0 && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
