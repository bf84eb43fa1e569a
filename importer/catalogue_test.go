package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/pipec/pipec/internal/wfsem"
)

// The catalogue test: every workflow of Argo's own examples/ folder (in the
// argo-workflows module, found through the module cache, never copied) is
// imported, built with the compiler's API (Argo's validator included) and
// compared semantically with the original. It prints two lines that
// `make test` shows, and fails when a count falls below the floor recorded
// in testdata/catalogue-floor.json.

// catalogueEntry is one example file and what became of it.
type catalogueEntry struct {
	rel      string
	equal    bool // every object round-trips equal
	raw      bool // some object needed raw
	verbatim bool // some object's templates are kept verbatim
	inexpr   bool // something cannot be expressed at all
	failure  string
	yamlN    int
	pipeN    int
	raws     []string
}

type catalogueResult struct {
	entries []*catalogueEntry
}

var (
	catalogueOnce sync.Once
	catalogueRes  *catalogueResult
	catalogueErr  error
)

// argoExamplesDir is the examples/ folder of the argo-workflows module.
func argoExamplesDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/argoproj/argo-workflows/v3").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m github.com/argoproj/argo-workflows/v3: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("the argo-workflows module is not downloaded (go mod download)")
	}
	return filepath.Join(dir, "examples"), nil
}

// catalogueFiles lists the example files whose every document is an Argo
// workflow object, with their contents.
func catalogueFiles() (map[string][]byte, []string, error) {
	dir, err := argoExamplesDir()
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	var names []string
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !allWorkflowKinds(b) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		names = append(names, rel)
		return nil
	})
	sort.Strings(names)
	return files, names, err
}

func allWorkflowKinds(b []byte) bool {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	n := 0
	for {
		var v struct{ Kind string }
		if err := dec.Decode(&v); err != nil {
			return err == io.EOF && n > 0
		}
		if v.Kind == "" {
			continue
		}
		if !kinds[v.Kind] {
			return false
		}
		n++
	}
}

func runCatalogue() (*catalogueResult, error) {
	catalogueOnce.Do(func() {
		files, names, err := catalogueFiles()
		if err != nil {
			catalogueErr = err
			return
		}
		res := &catalogueResult{}
		for _, rel := range names {
			res.entries = append(res.entries, roundTripFile(rel, files[rel]))
		}
		catalogueRes = res
	})
	return catalogueRes, catalogueErr
}

// roundTripFile imports one file, builds the .pipe with validation and
// compares each object with its original.
func roundTripFile(rel string, data []byte) *catalogueEntry {
	e := &catalogueEntry{rel: rel}
	res := Import(rel, data, Options{})
	if res.Diags.HasErrors() {
		e.failure = "import: " + res.Diags.Error()
		return e
	}
	for _, o := range res.Objects {
		e.yamlN += o.YAMLLines
		e.pipeN += o.PipeLines
		e.raws = append(e.raws, o.Raw...)
		if len(o.Raw) > 0 {
			e.raw = true
		}
		if o.Verbatim {
			e.verbatim = true
		}
		if len(o.Inexpressible) > 0 {
			e.inexpr = true
		}
	}
	y, errs := Build(strings.TrimSuffix(rel, filepath.Ext(rel))+".pipe", res.Pipe, true)
	if errs != "" {
		e.failure = "pipec build: " + errs
		return e
	}
	built := splitYAML(y)
	if len(built) != len(res.Objects) {
		e.failure = fmt.Sprintf("pipec build wrote %d objects for %d", len(built), len(res.Objects))
		return e
	}
	for i, o := range res.Objects {
		dropMarker(o.Original, built[i])
		diffs, err := wfsem.Compare(o.Original, built[i], 3)
		if err != nil {
			e.failure = err.Error()
			return e
		}
		if len(diffs) > 0 {
			var parts []string
			for _, d := range diffs {
				parts = append(parts, d.String())
			}
			e.failure = o.Name + ": " + strings.Join(parts, "; ")
			return e
		}
	}
	e.equal = true
	return e
}

func splitYAML(y []byte) []map[string]any {
	var out []map[string]any
	for _, part := range strings.Split(string(y), "\n---\n") {
		var m map[string]any
		if err := sigsyaml.Unmarshal([]byte(part+"\n"), &m); err == nil && m != nil {
			out = append(out, m)
		}
	}
	return out
}

// catalogueFloor is the committed minimum of each count.
type catalogueFloor struct {
	Equal  int `json:"equal"`
	Native int `json:"native"`
}

// TestCatalogue is the measurement of issues 10 and 11.
func TestCatalogue(t *testing.T) {
	res, err := runCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	m := len(res.entries)
	var equal, withRaw, native, needRaw, notExpr, yamlN, pipeN, nativeYAML, nativePipe int
	var failures []*catalogueEntry
	rawCounts := map[string]int{}
	for _, e := range res.entries {
		yamlN += e.yamlN
		pipeN += e.pipeN
		switch {
		case e.equal && !e.raw && !e.inexpr:
			equal++
			native++
			nativeYAML += e.yamlN
			nativePipe += e.pipeN
		case e.equal && !e.inexpr:
			equal++
			withRaw++
			needRaw++
		case e.equal:
			equal++
			if e.raw {
				withRaw++
			}
			notExpr++
		default:
			notExpr++
			failures = append(failures, e)
		}
		seen := map[string]bool{}
		for _, r := range e.raws {
			k := rawKind(r)
			if !seen[k] {
				seen[k] = true
				rawCounts[k]++
			}
		}
	}
	// fmt, not t.Log: make test shows these lines without -v.
	fmt.Printf("argo catalogue round trip: %d of %d equal, %d with raw, %d failed\n", equal, m, withRaw, m-equal)
	fmt.Printf("argo examples: %d of %d expressed natively, %d need raw, %d not expressible\n", native, m, needRaw, notExpr)
	if pipeN > 0 {
		fmt.Printf("argo catalogue lines: %d of YAML, %d of .pipe (ratio %.2f); natively imported: %d of YAML, %d of .pipe (ratio %.2f)\n",
			yamlN, pipeN, float64(yamlN)/float64(pipeN), nativeYAML, nativePipe, float64(nativeYAML)/float64(max(nativePipe, 1)))
	}
	for i, f := range failures {
		if i == 5 {
			fmt.Printf("  ... and %d more failures\n", len(failures)-5)
			break
		}
		fmt.Printf("  failed: %s: %s\n", f.rel, firstLine(f.failure))
	}
	if os.Getenv("PIPEC_CATALOGUE_VERBOSE") != "" {
		var keys []string
		for k := range rawCounts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if rawCounts[keys[i]] != rawCounts[keys[j]] {
				return rawCounts[keys[i]] > rawCounts[keys[j]]
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			fmt.Printf("  raw: %3d %s\n", rawCounts[k], k)
		}
		for _, f := range failures {
			fmt.Printf("  failed: %s: %s\n", f.rel, f.failure)
		}
	}
	b, err := os.ReadFile("testdata/catalogue-floor.json")
	if err != nil {
		t.Fatal(err)
	}
	var floor catalogueFloor
	if err := json.Unmarshal(b, &floor); err != nil {
		t.Fatal(err)
	}
	if equal < floor.Equal {
		t.Errorf("catalogue round trip regressed: %d equal, the floor is %d (testdata/catalogue-floor.json)", equal, floor.Equal)
	}
	if native < floor.Native {
		t.Errorf("catalogue native imports regressed: %d native, the floor is %d (testdata/catalogue-floor.json)", native, floor.Native)
	}
	if os.Getenv("PIPEC_CATALOGUE_FLOOR") == "write" {
		b, _ := json.MarshalIndent(catalogueFloor{Equal: equal, Native: native}, "", "  ")
		if err := os.WriteFile("testdata/catalogue-floor.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rawKind reduces a raw note to the construct it names.
func rawKind(r string) string {
	if strings.HasPrefix(r, "the templates: ") {
		r = strings.TrimPrefix(r, "the templates: ")
		if i := strings.Index(r, " ("); i > 0 && !strings.HasPrefix(r, "the native import") {
			r = r[:i]
		}
		if strings.HasPrefix(r, "the native import") {
			return "verbatim: the native import did not round-trip"
		}
		return "verbatim: " + r
	}
	return r
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 240 {
		s = s[:240] + "..."
	}
	return s
}

// BenchmarkImportCatalogue imports every workflow of Argo's catalogue
// (without the round-trip check's build, which BenchmarkImportCatalogueVerified
// includes).
func BenchmarkImportCatalogue(b *testing.B) {
	files, names, err := catalogueFiles()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			Import(n, files[n], Options{NoVerify: true})
		}
	}
	b.ReportMetric(float64(len(names)), "files")
}

// BenchmarkImportCatalogueVerified is what pipec import does: import, then
// build and compare each object (falling back to raw where needed).
func BenchmarkImportCatalogueVerified(b *testing.B) {
	files, names, err := catalogueFiles()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			Import(n, files[n], Options{})
		}
	}
	b.ReportMetric(float64(len(names)), "files")
}

var _ = strconv.Itoa

func TestCatalogueReasons(t *testing.T) {
	if os.Getenv("PIPEC_CATALOGUE_VERBOSE") == "" {
		t.Skip()
	}
	res, _ := runCatalogue()
	for _, e := range res.entries {
		if e.equal && !e.raw && !e.inexpr {
			fmt.Printf("native: %s (%d -> %d lines)\n", e.rel, e.yamlN, e.pipeN)
		}
		for _, r := range e.raws {
			if strings.Contains(r, "native import does not") {
				fmt.Printf("%s: %s\n", e.rel, firstLine(r))
			}
		}
	}
}
