package argojson

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/internal/argojson/gen"
)

// TestGeneratedIsFresh fails when zz_generated.go is not what the
// generator writes for the types as they are (an Argo or k8s bump, an
// edited generator): run `go generate ./internal/argojson`.
func TestGeneratedIsFresh(t *testing.T) {
	want, err := gen.Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zz_generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zz_generated.go is stale: run go generate ./internal/argojson")
	}
}

// same checks that Append writes what json.Marshal does for v, or fails
// as it does.
func same(t *testing.T, name string, v any) {
	t.Helper()
	want, werr := json.Marshal(v)
	prefix := []byte("prefix")
	got, gerr := Append(prefix[:len(prefix):len(prefix)], v)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%s: error %v, encoding/json's %v", name, gerr, werr)
	}
	if werr != nil {
		if string(got) != "prefix" {
			t.Fatalf("%s: on error Append wrote %q", name, got)
		}
		return
	}
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Fatalf("%s: differs from encoding/json\n got: %s\nwant: %s", name, got, want)
	}
}

// rootValues are a new pointer to each root type.
func rootValues() []reflect.Value {
	var out []reflect.Value
	for _, r := range gen.Roots {
		out = append(out, reflect.New(r.Type))
	}
	return out
}

// root is what Append takes of a rootValue: the pointer to a struct, the
// slice itself.
func root(v reflect.Value) any {
	if v.Elem().Kind() == reflect.Slice {
		return v.Elem().Interface()
	}
	return v.Interface()
}

func TestZeroValues(t *testing.T) {
	for _, v := range rootValues() {
		same(t, v.Type().String(), root(v))
		if v.Elem().Kind() != reflect.Slice {
			same(t, "nil "+v.Type().String(), reflect.Zero(v.Type()).Interface())
		}
	}
}

func TestRandomValues(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 30
	}
	for seed := range n {
		f := &filler{src: rand.New(rand.NewPCG(uint64(seed), 7))}
		for _, v := range rootValues() {
			f.fill(v.Elem(), 0)
			same(t, v.Type().String(), root(v))
		}
	}
}

// FuzzDifferential fills every root type from the fuzz bytes and compares
// Append with encoding/json.
func FuzzDifferential(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz<>&\u2028\xff\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl := &filler{bytes: data}
		for _, v := range rootValues() {
			fl.fill(v.Elem(), 0)
			same(t, v.Type().String(), root(v))
		}
	})
}

// A filler sets values of any type at random: nil, empty and zero values,
// strings with every case of escaping, maps of many keys, and valid and
// invalid values of the types with their own MarshalJSON. Its choices
// come from src, or (fuzzing) from bytes, then zeros.
type filler struct {
	src   *rand.Rand
	bytes []byte
}

func (f *filler) intn(n int) int {
	if f.src != nil {
		return f.src.IntN(n)
	}
	if len(f.bytes) == 0 {
		return 0
	}
	b := int(f.bytes[0])
	f.bytes = f.bytes[1:]
	return b % n
}

var specialStrings = []string{
	"", "a", "main", "{{inputs.parameters.x}}", "<b>&amp;</b>", "\u2028\u2029", "\x00\x01\x1f\x7f",
	"\"quoted\" \\back\\", "\b\f\n\r\t", "\xff\xfe", "héllo wörld ✓ 😀", "\xe2\x80", "\xed\xa0\x80",
	"tasks.a.outputs.parameters.b", "{{=sprig.upper('x')}}",
}

func (f *filler) string() string {
	switch f.intn(4) {
	case 0:
		return specialStrings[f.intn(len(specialStrings))]
	case 1:
		b := make([]byte, f.intn(12))
		for i := range b {
			b[i] = byte(f.intn(256))
		}
		return string(b)
	case 2:
		return specialStrings[f.intn(len(specialStrings))] + specialStrings[f.intn(len(specialStrings))]
	}
	return ""
}

var rawJSON = []string{`null`, `1`, `-2.5e3`, `"s"`, `"<&>\u2028"`, ` { "a" : [1, 2, {"b": "c d"}] } `, `[]`, `{}`, `true`, "\"\xe2\x80\xa8\"", `{`, ``, `nope`}

var (
	quantityType = reflect.TypeFor[resource.Quantity]()
	timeType     = reflect.TypeFor[metav1.Time]()
	microType    = reflect.TypeFor[metav1.MicroTime]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	numberType   = reflect.TypeFor[json.Number]()
)

// fill sets v (settable) to a random value of its type.
func (f *filler) fill(v reflect.Value, depth int) {
	if !v.CanSet() {
		return
	}
	// Past some depth, mostly zero values, so that values stay small.
	if depth > 3 && f.intn(depth) > 1 {
		v.SetZero()
		return
	}
	switch v.Type() {
	case quantityType:
		qs := []string{"0", "1", "100m", "1.5Gi", "2e3", "-1k"}
		v.Set(reflect.ValueOf(resource.MustParse(qs[f.intn(len(qs))])))
		return
	case timeType:
		if f.intn(2) == 0 {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(metav1.NewTime(time.Date(2026, 12, 1, 23, 0, f.intn(60), 0, time.FixedZone("x", 3600)))))
		}
		return
	case microType:
		v.Set(reflect.ValueOf(metav1.NewMicroTime(time.Date(2026, 1, 2, 3, 4, 5, f.intn(1e6)*1000, time.UTC))))
		return
	case rawType:
		if f.intn(3) == 0 {
			v.SetZero()
		} else {
			v.SetBytes([]byte(rawJSON[f.intn(len(rawJSON)-3)]))
			if f.intn(20) == 0 {
				v.SetBytes([]byte(rawJSON[len(rawJSON)-1-f.intn(3)])) // invalid
			}
		}
		return
	case numberType:
		ns := []string{"", "0", "1.5", "-3e-7", "1e", "x", "01"}
		v.SetString(ns[f.intn(4)])
		if f.intn(20) == 0 {
			v.SetString(ns[4+f.intn(3)]) // invalid
		}
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(f.intn(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		vals := []int64{0, 1, -1, 42, math.MaxInt32, math.MinInt32}
		v.SetInt(vals[f.intn(len(vals))])
		if v.Type().Name() == "Type" {
			v.SetInt(int64(f.intn(2))) // intstr.Type: Int or String
			if f.intn(20) == 0 {
				v.SetInt(2) // invalid
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.intn(300)))
	case reflect.Float32, reflect.Float64:
		vals := []float64{0, 1, -0.5, 1e21, 1e-7, 123456789.125, 3.4e38}
		v.SetFloat(vals[f.intn(len(vals))])
		if f.intn(20) == 0 {
			v.SetFloat(math.NaN())
		}
	case reflect.String:
		v.SetString(f.string())
	case reflect.Pointer:
		if f.intn(3) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch f.intn(4) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + f.intn(3)
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				f.fill(s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		switch f.intn(4) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for range 1 + f.intn(12) {
				k := reflect.New(v.Type().Key()).Elem()
				f.fill(k, depth+1)
				e := reflect.New(v.Type().Elem()).Elem()
				f.fill(e, depth+1)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth+1)
			}
		}
	}
}

func TestStrings(t *testing.T) {
	for _, s := range specialStrings {
		got := appendString(nil, s)
		want, _ := json.Marshal(s)
		if !bytes.Equal(got, want) {
			t.Errorf("%q: %s, want %s", s, got, want)
		}
	}
	for i := range 0x800 {
		s := string(rune(i)) + "\u2027\u2028\u2029\u202a" + string([]byte{byte(i)})
		got := appendString(nil, s)
		want, _ := json.Marshal(s)
		if !bytes.Equal(got, want) {
			t.Errorf("%q: %s, want %s", s, got, want)
		}
	}
}

func TestMarshaled(t *testing.T) {
	for _, s := range rawJSON {
		got, gerr := appendMarshaled(nil, []byte(s))
		want, werr := json.Marshal(json.RawMessage(s))
		if (gerr == nil) != (werr == nil) || werr == nil && !bytes.Equal(got, want) {
			t.Errorf("%q: %s %v, want %s %v", s, got, gerr, want, werr)
		}
	}
}

func TestFloats(t *testing.T) {
	vals := []float64{0, 1, -1, 0.1, 1e20, 1e21, 1e-6, 1e-7, 5e-324, math.MaxFloat64, 123.456, -0.0}
	for _, x := range vals {
		for _, bits := range []int{32, 64} {
			var want []byte
			if bits == 32 {
				want, _ = json.Marshal(float32(x))
				x = float64(float32(x))
			} else {
				want, _ = json.Marshal(x)
			}
			got, _ := appendFloat(nil, x, bits)
			if !bytes.Equal(got, want) {
				t.Errorf("%v/%d: %s, want %s", x, bits, got, want)
			}
		}
	}
}
