package yamlenc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/internal/yamlenc"
	"github.com/pipec/pipec/internal/yamlenc/internal/oldyamlenc"
)

// sameAsOld checks that FromJSON and SequenceFromJSON write what the
// implementation they replaced (internal/oldyamlenc) writes for src, with
// and without pruning, at two indentations: the same bytes, or the same
// error. For an input that is an object it also checks the array of it
// twice, so that SequenceFromJSON sees the corpus too.
func sameAsOld(t testing.TB, name string, src []byte) {
	t.Helper()
	for _, opts := range []yamlenc.Options{{}, pipecOpts} {
		oldOpts := oldyamlenc.Options{Prune: opts.Prune, KeepEmpty: opts.KeepEmpty}
		prefix := []byte("prefix\n")
		got, err := yamlenc.FromJSON(bytes.Clone(prefix), src, opts)
		want, wantErr := oldyamlenc.FromJSON(bytes.Clone(prefix), src, oldOpts)
		compareOld(t, name+" FromJSON", opts, src, got, err, want, wantErr)
		seqs := [][]byte{src}
		if len(src) > 0 && src[0] == '{' {
			seqs = append(seqs, []byte("["+string(src)+",\n"+string(src)+"]"))
		}
		for _, s := range seqs {
			for _, ind := range []int{0, 2} {
				got, err := yamlenc.SequenceFromJSON(bytes.Clone(prefix), s, ind, opts)
				want, wantErr := oldyamlenc.SequenceFromJSON(bytes.Clone(prefix), s, ind, oldOpts)
				compareOld(t, fmt.Sprintf("%s SequenceFromJSON(ind %d)", name, ind), opts, s, got, err, want, wantErr)
			}
		}
	}
}

func compareOld(t testing.TB, what string, opts yamlenc.Options, src, got []byte, err error, want []byte, wantErr error) {
	t.Helper()
	errText := func(e error) string {
		if e == nil {
			return "<nil>"
		}
		return e.Error()
	}
	if errText(err) != errText(wantErr) {
		t.Fatalf("%s (prune %v) of %.300q:\nerror %v\nwant  %v", what, opts.Prune, src, err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s (prune %v) of %.300q:\n%s\nwant\n%s", what, opts.Prune, src, got, want)
	}
}

var (
	argoDocsOnce sync.Once
	argoDocs     map[string][]byte
)

// argoExampleDocs returns the documents of Argo's own examples (the
// argo-workflows module's examples/**/*.yaml) as JSON, if the module is in
// the module cache, else none: a corpus of strings pipec does not write.
func argoExampleDocs(t testing.TB) map[string][]byte {
	argoDocsOnce.Do(func() {
		argoDocs = map[string][]byte{}
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/argoproj/argo-workflows/v3").Output()
		dir := strings.TrimSpace(string(out))
		if err != nil || dir == "" {
			return
		}
		var paths []string
		filepath.WalkDir(filepath.Join(dir, "examples"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
				paths = append(paths, p)
			}
			return nil
		})
		for _, p := range paths {
			y, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			for i, doc := range bytes.Split(y, []byte("\n---")) {
				j, err := yaml.YAMLToJSON(doc)
				if err != nil || len(j) == 0 || j[0] != '{' {
					continue
				}
				argoDocs[fmt.Sprintf("%s#%d", filepath.Base(p), i)] = j
			}
		}
	})
	return argoDocs
}

// TestSameAsOld is the differential test of the conversion against the
// implementation it replaced, on every input the other tests use: the
// committed examples' YAML, the lowered examples as encoding/json marshals
// them, generated pipelines, Argo's own examples, the tricky strings and
// random documents.
func TestSameAsOld(t *testing.T) {
	for name, j := range exampleYAMLDocs(t) {
		sameAsOld(t, name, j)
	}
	for _, l := range loweredExamples(t) {
		sameAsOld(t, l.name, l.json)
	}
	for _, n := range []int{10, 100} {
		obj := generated(t, bench.Pipeline(fmt.Sprintf("gen-%d", n), n))
		j, err := json.Marshal(obj.EmitValue())
		if err != nil {
			t.Fatal(err)
		}
		sameAsOld(t, fmt.Sprintf("gen-%d", n), j)
	}
	argo := argoExampleDocs(t)
	if len(argo) == 0 {
		t.Log("argo-workflows examples not in the module cache: skipped")
	}
	for name, j := range argo {
		sameAsOld(t, name, j)
	}
	for i, d := range trickyDocs() {
		sameAsOld(t, fmt.Sprintf("tricky %d", i), d)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		src, err := json.Marshal(randomObject(rng, 0))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			src = shuffleMembers(rng, src)
		}
		sameAsOld(t, fmt.Sprintf("random %d", i), src)
	}
	for _, s := range jsonStrings {
		j, _ := json.Marshal(s)
		sameAsOld(t, "scalar", j) // not an object: an error
	}
}

// FuzzSameAsOld is TestSameAsOld under the fuzzer: any bytes, valid JSON
// or not.
func FuzzSameAsOld(f *testing.F) {
	for _, j := range exampleYAMLDocs(f) {
		f.Add(j)
	}
	for _, l := range loweredExamples(f) {
		f.Add(l.json)
	}
	for i, d := range trickyDocs() {
		if i%4 == 3 {
			f.Add(d)
		}
	}
	for _, j := range argoExampleDocs(f) {
		f.Add(j)
	}
	for _, s := range []string{`[]`, `[1,"a",{"b":null}]`, `{"a":[{}]}`, `{"a":1,"a":2}`, `{"x":"\ud800"}`, `{`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sameAsOld(t, "fuzz", src)
	})
}
