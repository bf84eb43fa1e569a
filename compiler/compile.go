// Package compiler turns .pipe files into Argo Workflows: Load parses the
// files and their imports, Check resolves and checks them into a Program,
// Lower builds the typed Argo objects, Validate runs Argo's own validator on
// them and Emit renders YAML. Compile runs all of it; the CLI, watch mode and
// the language server all go through this package.
package compiler

import (
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pipec/pipec/diag"
)

// Options tune a compilation.
type Options struct {
	// Params are -p name=value overrides of parameter defaults, in the order given.
	Params []KV
	// SkipValidate turns off Argo's validator (faster; for the language
	// server's keystroke checks).
	SkipValidate bool
	// FullValidation runs Argo's validator on each whole object as lowered
	// (ValidateFull), without the shortcuts of Validate or the cache.
	FullValidation bool
	// SkipEmit produces no YAML.
	SkipEmit bool
	// ValidationCache, if set, remembers what Argo's validator accepted in
	// earlier compilations, which are then not validated again.
	ValidationCache ValidationCache
	// Argo is the Argo version to compile for (the zero Target is
	// DefaultTarget, the newest).
	Argo Target
	// OtherParams are parameters declared by pipelines outside the roots
	// (watch mode compiles only the files that changed): -p may name them.
	OtherParams []string
	// Cancelled, if set, is asked between phases (after loading, after
	// checking, before lowering each pipeline); once it reports true the
	// compilation stops there and its Result is incomplete. The language
	// server uses it to drop a compile that a later edit made stale.
	Cancelled func() bool
	// Loaded, if set, is called with the loaded unit and its diagnostics
	// (syntax errors, imports) as soon as loading is done, before checking:
	// the language server publishes syntax errors from it at once.
	Loaded func(*Unit, diag.Diagnostics)
	// Release makes Compile keep of the AST, the checked program and each
	// pipeline only what a one-shot build reads afterwards (release.go),
	// dropping each as soon as the next phase has what it needs: `pipec
	// build`, not the language server or watch mode, which read the
	// Result's Unit and Program.
	Release bool
	// EmitTo, if set, is where each pipeline's YAML goes, written part by
	// part as it is rendered (EmitTo), instead of into Output.YAML, which
	// is then nil: the whole document is never in memory. It is called
	// once per pipeline that lowered without errors, before rendering; a
	// pipeline whose YAML was written but which then fails validation has
	// no Output, so the writer must be a temporary that only an Output
	// makes the real file (fsutil.CreateAtomic), and that is removed
	// otherwise.
	EmitTo func(*Pipeline) (io.Writer, error)
}

func (o Options) cancelled() bool { return o.Cancelled != nil && o.Cancelled() }

// Output is one compiled pipeline.
type Output struct {
	Pipeline *Pipeline
	Object   *Object
	YAML     []byte
}

// FileName is the name of the output file of a pipeline.
func (o *Output) FileName() string { return o.Pipeline.Name + ".yaml" }

// Result is everything a compilation produced.
type Result struct {
	Unit    *Unit
	Program *Program
	Outputs []*Output
	Diags   diag.Diagnostics
	// Timings is the time each phase took, summed over pipelines, in the
	// order the phases ran.
	Timings []Timing
}

// Timing is the wall time one phase of a compilation took.
type Timing struct {
	Phase    string // load, check, lower, emit, validate
	Duration time.Duration
}

// timer adds up the time of phases into Result.Timings.
type timer struct {
	res   *Result
	start time.Time
}

func (t *timer) begin() { t.start = time.Now() }

func (t *timer) end(phase string) {
	d := time.Since(t.start)
	for i := range t.res.Timings {
		if t.res.Timings[i].Phase == phase {
			t.res.Timings[i].Duration += d
			return
		}
	}
	t.res.Timings = append(t.res.Timings, Timing{Phase: phase, Duration: d})
}

// Compile compiles the root files. Outputs are produced only for pipelines
// without errors; Diags holds every problem in every file, sorted.
func Compile(src Sources, roots []string, opts Options) *Result {
	res := &Result{}
	tm := &timer{res: res}
	tm.begin()
	unit, diags := Load(src, roots)
	tm.end("load")
	res.Unit = unit
	if opts.Loaded != nil {
		opts.Loaded(unit, diags)
	}
	if opts.cancelled() {
		res.Diags = diags.Sort()
		return res
	}
	tm.begin()
	prog, cd := Check(unit)
	tm.end("check")
	diags = append(diags, cd...)
	if !cd.HasErrors() {
		diags = append(diags, checkLibraryRefs(unit, prog)...)
	}
	res.Program = prog
	params := map[string]string{}
	for _, kv := range opts.Params {
		params[kv.Key] = kv.Value
	}
	badParams := false
	if len(opts.Params) > 0 {
		pd := checkParamOverrides(prog, opts.Params, opts.OtherParams)
		diags = append(diags, pd...)
		// A bad -p value is not tied to one file: lower nothing, rather
		// than have Argo's validator report it again.
		badParams = pd.HasErrors()
	}
	// A pipeline with an error in its own file is not lowered.
	broken := map[string]bool{}
	for _, d := range diags {
		if d.Severity == diag.Error {
			broken[d.Range.Filename] = true
		}
	}
	pipelines := prog.Pipelines
	if opts.Release {
		pipelines = append([]*Pipeline(nil), pipelines...)
		res.Unit = releasedUnit(unit)
		res.Program = &Program{Unit: res.Unit, Pipelines: make([]*Pipeline, len(pipelines))}
		releaseLits(prog)
		steps := 0
		for _, p := range pipelines {
			releaseAST(p)
			steps += len(p.AllSteps())
		}
		unit, prog = res.Unit, nil
		releaseGC(steps)
	}
	for i, p := range pipelines {
		if opts.cancelled() {
			break
		}
		if opts.Release {
			// The slim copy stands in for the pipeline from here on,
			// whether it is lowered or not.
			pipelines[i] = nil
			res.Program.Pipelines[i] = releasedPipeline(p)
		}
		if badParams || broken[p.File.Name] || importsBroken(unit, p.File.Name, broken) {
			continue
		}
		tm.begin()
		obj, ld := Lower(p, params)
		tm.end("lower")
		diags = append(diags, ld...)
		if ld.HasErrors() {
			continue
		}
		if opts.Release {
			obj.Pipeline = res.Program.Pipelines[i]
			p = obj.Pipeline
			releaseGC(len(obj.Spec().Templates))
		}
		obj.Target = opts.Argo.or()
		out := &Output{Pipeline: p, Object: obj}
		yamlKey := "" // the validation cache's key of the YAML
		if !opts.SkipEmit {
			// Rendered first: the validation cache's key is the YAML.
			tm.begin()
			var err error
			yamlKey, err = emitOutput(out, opts)
			tm.end("emit")
			if err != nil {
				diags.Errorf(p.Decl.Name.Range(), "%v", err)
				continue
			}
		}
		if !opts.SkipValidate {
			tm.begin()
			var vd diag.Diagnostics
			if opts.FullValidation {
				vd = ValidateFull(obj)
			} else {
				vd = validateCachedKey(obj, opts.ValidationCache, yamlKey)
			}
			tm.end("validate")
			diags = append(diags, vd...)
			if vd.HasErrors() {
				continue
			}
		}
		res.Outputs = append(res.Outputs, out)
	}
	res.Diags = diags.Sort()
	return res
}

// emitOutput renders out's object into out.YAML, or into opts.EmitTo's
// writer, and returns the validation cache's key of the YAML (if there is
// a cache).
func emitOutput(out *Output, opts Options) (key string, err error) {
	if opts.EmitTo == nil {
		out.YAML, err = Emit(out.Object)
		if err != nil {
			return "", fmt.Errorf("cannot render YAML: %w", err)
		}
		if opts.ValidationCache != nil {
			key = validationKey("yaml", out.YAML)
		}
		return key, nil
	}
	w, err := opts.EmitTo(out.Pipeline)
	if err != nil {
		return "", fmt.Errorf("cannot write YAML: %w", err)
	}
	var h hash.Hash
	if opts.ValidationCache != nil {
		h = validationKeyHash("yaml")
		w = io.MultiWriter(w, h)
	}
	if err := EmitTo(w, out.Object); err != nil {
		return "", fmt.Errorf("cannot write YAML: %w", err)
	}
	if h != nil {
		key = validationKeySum(h)
	}
	return key, nil
}

func importsBroken(u *Unit, file string, broken map[string]bool) bool {
	seen := map[string]bool{}
	var walk func(f string) bool
	walk = func(f string) bool {
		if seen[f] {
			return false
		}
		seen[f] = true
		for _, q := range u.Imports[f] {
			if broken[q] || walk(q) {
				return true
			}
		}
		return false
	}
	return walk(file)
}

// checkParamOverrides checks -p values: each must name a parameter of some
// pipeline, and, once values are being given, every required parameter of
// every pipeline must have one.
func checkParamOverrides(prog *Program, overrides []KV, others []string) diag.Diagnostics {
	var diags diag.Diagnostics
	known := map[string]bool{ParamRunID: true, ParamRetryRunID: true, ParamRetryIndicator: true}
	for _, name := range others {
		known[name] = true
	}
	var names []string
	for _, p := range prog.Pipelines {
		for _, prm := range p.Params {
			known[prm.Name] = true
			names = append(names, prm.Name)
		}
	}
	sort.Strings(names)
	given := map[string]bool{}
	for _, kv := range overrides {
		given[kv.Key] = true
		if msg := checkRunIDValue(kv.Key, kv.Value); msg != "" {
			diags.Errorf(diag.Range{Filename: "-p"}, "%s", msg).
				WithHint("use a plain run id, or {{workflow.uid}} or {{workflow.name}}, which pipec's expressions expand themselves (docs/retries.md)")
		}
		if !known[kv.Key] {
			d := diags.Errorf(diag.Range{Filename: "-p"}, "unknown parameter %q", kv.Key)
			if s := diag.Suggest(kv.Key, names); s != "" {
				d.WithHint("did you mean -p %s=%s?", s, kv.Value)
			} else if len(names) > 0 {
				d.WithHint("the parameters are: %s", strings.Join(names, ", "))
			}
		}
	}
	for _, p := range prog.Pipelines {
		for _, prm := range p.Params {
			if prm.Default == nil && prm.FromConfigMap == nil && !given[prm.Name] {
				diags.Errorf(prm.Decl.Name.Range(), "required parameter %q has no value", prm.Name).
					WithHint("add -p %s=VALUE (values given with -p must cover every required parameter)", prm.Name)
			}
			if v, ok := lookup(overrides, prm.Name); ok {
				if msg := checkParamValue(prm, v); msg != "" {
					diags.Errorf(diag.Range{Filename: "-p"}, "parameter %q: %s", prm.Name, msg)
				}
			}
		}
	}
	return diags
}

// checkRunIDValue rejects a run id with Argo template text other than
// ExpandedRunIDTexts: the first step would hash the literal text and later
// steps its expansion, splitting the run's cache.
func checkRunIDValue(name, v string) string {
	if name != ParamRunID && name != ParamRetryRunID {
		return ""
	}
	rest := v
	for _, s := range ExpandedRunIDTexts {
		rest = strings.ReplaceAll(rest, s, "")
	}
	if strings.Contains(rest, "{{") {
		return fmt.Sprintf("parameter %q: %q has Argo template text pipec cannot expand: the first step would see it literally and the later ones expanded, splitting the run's cache", name, v)
	}
	return ""
}

func lookup(kvs []KV, key string) (string, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

func checkParamValue(prm *Param, v string) string {
	switch prm.Type {
	case "int":
		var n int64
		if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != v {
			return fmt.Sprintf("%q is not an int", v)
		}
	case "bool":
		if v != "true" && v != "false" {
			return fmt.Sprintf("%q is not a bool (true or false)", v)
		}
	}
	if len(prm.Enum) > 0 && !contains(prm.Enum, v) {
		return fmt.Sprintf("%q is not one of %s", v, strings.Join(prm.Enum, ", "))
	}
	return ""
}
