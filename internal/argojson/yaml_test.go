package argojson

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/internal/argojson/argoshape"
	"github.com/pipec/pipec/internal/argojson/gen"
	"github.com/pipec/pipec/internal/yamlenc"
)

// TestYAMLIsFresh fails when zz_yaml.go is not what the generator writes
// for the types as they are: run go generate ./internal/argojson.
func TestYAMLIsFresh(t *testing.T) {
	want, err := gen.GenerateYAML()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zz_yaml.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zz_yaml.go is stale: run go generate ./internal/argojson")
	}
}

// YAMLViaJSON is what the AppendYAML functions replace: the JSON of v
// written by yamlenc at indentation ind.
func yamlViaJSON(v any, ind int) ([]byte, error) {
	js, err := Append(nil, v)
	if err != nil {
		return nil, err
	}
	return yamlenc.SequenceFromJSON([]byte("prefix"), js, ind, YAMLOptions())
}

// appendYAML calls the AppendYAML function of v's type.
func appendYAML(dst []byte, v any, ind int) ([]byte, error) {
	switch v := v.(type) {
	case []wfv1.Template:
		return AppendYAMLTemplates(dst, v, ind)
	case []argoshape.TemplateV4:
		return AppendYAMLTemplatesV4(dst, v, ind)
	}
	panic(fmt.Sprintf("no AppendYAML for %T", v))
}

// sameYAML checks that the direct YAML of v is the YAML of its JSON, or
// that the direct writer failed (its caller then takes the JSON path);
// it reports whether the direct writer succeeded.
func sameYAML(t *testing.T, name string, v any, ind int) bool {
	t.Helper()
	prefix := []byte("prefix")
	got, gerr := appendYAML(prefix[:len(prefix):len(prefix)], v, ind)
	if gerr != nil {
		if string(got) != "prefix" {
			t.Fatalf("%s: on error AppendYAML wrote %q", name, got)
		}
		return false
	}
	want, werr := yamlViaJSON(v, ind)
	if werr != nil {
		t.Fatalf("%s: the direct YAML succeeded where the JSON path fails: %v", name, werr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: direct YAML differs\n got: %s\nwant: %s", name, got, want)
	}
	return true
}

// yamlRoots are a new pointer to each of gen.YAMLRoots' slices.
func yamlRoots() []reflect.Value {
	var out []reflect.Value
	for _, r := range gen.YAMLRoots {
		out = append(out, reflect.New(r.Type))
	}
	return out
}

// yamlStrings are strings whose YAML is not plain, or names the pruning
// rules look at.
var yamlStrings = []string{
	"", "name", "image", "status", "metadata", "creationTimestamp", "suspend", "emptyDir", "a: b", "a #b", "yes", "off",
	"~", "null", "1e3", "0x1F", "1_000", "1:20", "2024-01-01", ".inf", "-", "- a", "---", "...", "@x", "'q'",
	"line\nline", "line\n", "line\n\n", " lead\nx", "\nx", "trail \nx", "x ", "x:", "\u0085", "\ufeff", "\t", "é\u2028",
}

// spice replaces, at random, strings in v (map keys too) by yamlStrings.
func spice(v reflect.Value, r *rand.Rand) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && r.IntN(3) == 0 {
			v.SetString(yamlStrings[r.IntN(len(yamlStrings))])
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			spice(v.Elem(), r)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			spice(v.Index(i), r)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				spice(v.Field(i), r)
			}
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		m := reflect.MakeMap(v.Type())
		for it := v.MapRange(); it.Next(); {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(it.Key())
			spice(k, r)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			spice(e, r)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

func TestYAMLZeroAndEmpty(t *testing.T) {
	for _, v := range yamlRoots() {
		sameYAML(t, "nil "+v.Type().String(), v.Elem().Interface(), 2)
		v.Elem().Set(reflect.MakeSlice(v.Elem().Type(), 0, 0))
		sameYAML(t, "empty "+v.Type().String(), v.Elem().Interface(), 2)
		v.Elem().Set(reflect.MakeSlice(v.Elem().Type(), 3, 3))
		sameYAML(t, "zeros "+v.Type().String(), v.Elem().Interface(), 0)
	}
}

func TestYAMLRandomValues(t *testing.T) {
	n := 600
	if testing.Short() {
		n = 60
	}
	direct := 0
	for seed := range n {
		f := &filler{src: rand.New(rand.NewPCG(uint64(seed), 11))}
		r := rand.New(rand.NewPCG(uint64(seed), 12))
		for _, v := range yamlRoots() {
			f.fill(v.Elem(), 0)
			if seed%2 == 1 {
				spice(v.Elem(), r)
			}
			if sameYAML(t, fmt.Sprintf("seed %d %s", seed, v.Type()), v.Elem().Interface(), seed%3*2) {
				direct++
			}
		}
	}
	// Most values are written directly (the others hold a value the JSON
	// path also rejects or writes through encoding/json).
	if direct < n/2 {
		t.Errorf("only %d of %d values written directly", direct, 2*n)
	}
}

// FuzzYAMLDifferential fills gen.YAMLRoots' slices from the fuzz bytes
// and compares the direct YAML with the YAML of the JSON.
func FuzzYAMLDifferential(f *testing.F) {
	f.Add([]byte{}, uint8(2))
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz<>&\u2028\xff\x00\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, ind uint8) {
		fl := &filler{bytes: data}
		r := rand.New(rand.NewPCG(uint64(len(data)), uint64(ind)))
		for _, v := range yamlRoots() {
			fl.fill(v.Elem(), 0)
			spice(v.Elem(), r)
			sameYAML(t, v.Type().String(), v.Elem().Interface(), int(ind%8))
		}
	})
}
