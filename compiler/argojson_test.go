package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pipec/pipec/internal/argojson"
	"github.com/pipec/pipec/internal/argojson/argoshape"
)

// argojsonObjects are the lowered objects of the differential test of
// internal/argojson: keyObjects (examples, testscript inputs, the fuzz
// corpus, generated pipelines and their mutations), the imported Argo
// examples (examples/argo) and the e2e suite's pipelines.
func argojsonObjects(t *testing.T) map[string]*Object {
	out := keyObjects(t)
	argo, _ := filepath.Glob("../examples/argo/*.pipe")
	for _, path := range argo {
		res := Compile(DiskSources{}, []string{path}, Options{SkipValidate: true, SkipEmit: true})
		for _, o := range res.Outputs {
			out[path+": "+o.Pipeline.Name] = o.Object
		}
	}
	var e2e []string
	filepath.WalkDir("../e2e/testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && filepath.Ext(path) == ".pipe" {
			e2e = append(e2e, path)
		}
		return nil
	})
	for _, path := range e2e {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Alone, and with the files of its directory (a library's users).
		sets := []map[string][]byte{{filepath.Base(path): data}}
		dir := map[string][]byte{}
		siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.pipe"))
		for _, s := range siblings {
			b, _ := os.ReadFile(s)
			dir[filepath.Base(s)] = b
		}
		sets = append(sets, dir)
		for n, set := range sets {
			for _, o := range compileSources(set) {
				out[fmt.Sprintf("%s/%d: %s", path, n, o.Pipeline.Name)] = o.Object
			}
		}
	}
	if len(argo) == 0 || len(e2e) == 0 {
		t.Fatal("no examples/argo or e2e pipelines found")
	}
	return out
}

// sameJSON fails unless argojson wrote what encoding/json writes for v.
func sameJSON(t *testing.T, name string, v any, got []byte, gerr error) {
	t.Helper()
	want, werr := json.Marshal(v)
	if (gerr == nil) != (werr == nil) || werr != nil && gerr.Error() != werr.Error() {
		t.Fatalf("%s: argojson error %v, encoding/json's %v", name, gerr, werr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: argojson differs from encoding/json\n got: %.400s\nwant: %.400s", name, got, want)
	}
}

// TestArgoJSONSameAsEncodingJSON checks internal/argojson byte for byte
// against encoding/json on everything pipec marshals of every object of
// the tests: the object in both targets' shapes, its templates one by one
// and as lists (emit's parts), its DAG tasks and emit's head.
func TestArgoJSONSameAsEncodingJSON(t *testing.T) {
	objs := argojsonObjects(t)
	defer func(n int) { emitParallelTemplates = n }(emitParallelTemplates)
	emitParallelTemplates = 0 // every object's head
	for name, obj := range objs {
		for _, target := range Targets {
			o := *obj
			o.Target = target
			v := o.EmitValue()
			got, err := argojson.Marshal(v)
			sameJSON(t, name+" "+target.String(), v, got, err)
			tv := target.templates(o.Spec().Templates)
			got, err = argojson.Marshal(tv)
			sameJSON(t, name+" templates "+target.String(), tv, got, err)
		}
		got, err := argojson.Marshal(obj.Value())
		sameJSON(t, name, obj.Value(), got, err)
		spec := obj.Spec()
		for i := range spec.Templates {
			tm := &spec.Templates[i]
			got, err := argojson.AppendTemplate(nil, tm)
			sameJSON(t, name+" template "+tm.Name, tm, got, err)
			if tm.DAG != nil {
				for j := range tm.DAG.Tasks {
					task := &tm.DAG.Tasks[j]
					got, err := argojson.AppendDAGTask(nil, task)
					sameJSON(t, name+" task "+task.Name, task, got, err)
				}
			}
		}
		if ep, ok := newEmitParts(obj); ok {
			head := &argoshape.Head{Kind: ep.kind, APIVersion: ep.version, Metadata: ep.meta, Spec: spec}
			got, err := argojson.AppendHead(nil, head)
			sameJSON(t, name+" head", head, got, err)
		}
	}
}
