package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
	"github.com/pipec/pipec/internal/jsontree"
)

// The escape hatch: `raw """yaml"""` fragments are deep-merged into the
// lowered object (maps merge key by key, anything else replaces), then the
// result is decoded strictly back into Argo's types, so a misspelt field is
// an error at the raw statement rather than a surprise on the cluster.
//
// ${...} in a fragment's string values is interpolated like everywhere
// else: in a step's fragment a reference becomes one of the template's
// inputs (so it takes part in the memo key), in a pipeline's it may name
// parameters and Argo variables only. $${ is a literal ${. In a scheduled
// pipeline, the top-level fields of a pipeline's fragment that only a
// CronWorkflow's spec has (concurrencyPolicy, ...) are merged there.

// rawText checks the ${...} references of a raw fragment. atSpec: a
// pipeline's fragment, merged into the workflow spec, where a step's
// outputs and loop variables do not exist.
func (c *checker) rawText(sc *scope, s *dsl.RawStmt, atSpec bool) *Text {
	t := c.text(sc, s.YAML)
	if !atSpec {
		return t
	}
	refs := slices.Clone(t.Refs)
	slices.SortFunc(refs, func(a, b TextRef) int { return strings.Compare(a.Path, b.Path) })
	for _, tr := range refs {
		if r := tr.Ref; r.Kind != RefParam && r.Kind != RefArgo {
			c.diags.Errorf(r.Range, "${%s}: a pipeline's raw fragment is merged into the workflow spec, where only parameters and Argo variables are known", tr.Path).
				WithHint("put the fragment in the step that needs the value: step STEP { raw \"\"\"...\"\"\" }")
		}
	}
	t.Refs = slices.DeleteFunc(t.Refs, func(tr TextRef) bool { return tr.Ref.Kind != RefParam && tr.Ref.Kind != RefArgo })
	return t
}

// pipelineRaw checks the pipeline's raw fragments, once its parameters
// are all declared.
func (c *checker) pipelineRaw(p *Pipeline) {
	sc := &scope{p: p}
	for _, r := range p.Raw {
		p.RawText = append(p.RawText, c.rawText(sc, r, true))
	}
}

// rawPatch is a fragment parsed, with its ${...} replaced by sub (nil
// when the fragment is bad: the error is reported).
type rawPatch map[string]any

// parseRaw parses a fragment and interpolates its string values with repl.
func parseRaw(r *dsl.RawStmt, t *Text, repl func(*Text) string) (rawPatch, error) {
	var patch map[string]any
	if err := yaml.Unmarshal([]byte(r.YAML.Value()), &patch); err != nil {
		return nil, fmt.Errorf("invalid YAML: %v", err)
	}
	if patch == nil {
		return nil, fmt.Errorf("the fragment is empty")
	}
	if t != nil && repl != nil && (len(t.Refs) > 0 || strings.Contains(t.Value, "$${")) {
		patch = jsontree.ReplaceStrings(patch, func(s string) string {
			return repl(&Text{Value: s, Refs: t.Refs})
		}).(map[string]any)
	}
	return patch, nil
}

func (l *lowerer) applyRaw(obj *Object) {
	for i, r := range l.p.Raw {
		var t *Text
		if i < len(l.p.RawText) {
			t = l.p.RawText[i]
		}
		patch, err := parseRaw(r, t, l.taskText)
		if err != nil {
			l.diags.Errorf(r.YAML.Range(), "raw: %v", err)
			continue
		}
		if cw := obj.CronWorkflow; cw != nil {
			if cron := takeCronFields(patch); len(cron) > 0 {
				var merged wfv1.CronWorkflowSpec
				if err := mergeRaw(&cw.Spec, cron, &merged); err != nil {
					l.rawError(r, err, "a scheduled pipeline's raw fields of the CronWorkflow spec are merged into it; check the field names against Argo's CronWorkflowSpec")
					continue
				}
				cw.Spec = merged
			}
			if len(patch) == 0 {
				continue
			}
		}
		spec := obj.Spec()
		var merged wfv1.WorkflowSpec
		if err := mergeRaw(spec, patch, &merged); err != nil {
			l.rawError(r, err, "a pipeline's raw fragment is merged into the workflow spec; check the field names against Argo's WorkflowSpec")
			continue
		}
		*spec = merged
	}
}

// stepRawPatches parses a step's fragments, their ${...} made inputs of
// its template by inner.
func (l *lowerer) stepRawPatches(st *Step, inner func(*Text) string) []rawPatch {
	var out []rawPatch
	for i, r := range st.Body.Raw {
		var t *Text
		if i < len(st.Body.RawText) {
			t = st.Body.RawText[i]
		}
		patch, err := parseRaw(r, t, inner)
		if err != nil {
			l.diags.Errorf(r.YAML.Range(), "raw: %v", err)
		}
		out = append(out, patch)
	}
	return out
}

func (l *lowerer) applyStepRaw(st *Step, t *wfv1.Template, patches []rawPatch) {
	for i, r := range st.Body.Raw {
		if i >= len(patches) || patches[i] == nil {
			continue
		}
		var merged wfv1.Template
		if err := mergeRaw(t, patches[i], &merged); err != nil {
			l.rawError(r, err, "a step's raw fragment is merged into its Argo template; check the field names against Argo's Template")
			continue
		}
		*t = merged
	}
}

var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]+)"`)

// rawError reports a fragment that does not decode: at the misspelt
// field's line when the error names one, else at the fragment.
func (l *lowerer) rawError(r *dsl.RawStmt, err error, hint string) {
	rng := r.YAML.Range()
	if m := unknownFieldRE.FindStringSubmatch(err.Error()); m != nil {
		field := m[1][strings.LastIndexByte(m[1], '.')+1:]
		if kr, ok := rawKeyRange(r, field); ok {
			rng = kr
		}
		if cronOnlyFields()[field] && l.p.Kind != KindCronWorkflow {
			hint = fmt.Sprintf("%s is a field of a CronWorkflow's spec: it applies to a scheduled pipeline (add a schedule)", field)
		}
	}
	l.diags.Errorf(rng, "raw: %v", err).WithHint("%s", hint)
}

// rawKeyRange is the range of the first occurrence of key as a YAML key in
// the fragment.
func rawKeyRange(r *dsl.RawStmt, key string) (diag.Range, bool) {
	re, err := regexp.Compile(`(?m)^[ \t]*(?:-[ \t]+)?(["']?)` + regexp.QuoteMeta(key) + `(["']?)[ \t]*:`)
	if err != nil {
		return diag.Range{}, false
	}
	v := r.YAML.Value()
	m := re.FindStringSubmatchIndex(v)
	if m == nil {
		return diag.Range{}, false
	}
	start := m[3] // after the opening quote, if any
	return r.YAML.ValueRange(start, start+len(key))
}

// rawBlame is the range of the fragment field an Argo validation message
// is about: a top-level key of one of raws named in msg after prefix
// ("templates.NAME." for a step's, "" for a pipeline's).
func rawBlame(raws []*dsl.RawStmt, msg, prefix string) (diag.Range, bool) {
	for _, r := range raws {
		var patch map[string]any
		if yaml.Unmarshal([]byte(r.YAML.Value()), &patch) != nil {
			continue
		}
		keys := make([]string, 0, len(patch))
		for k := range patch {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			re := regexp.MustCompile(`(?:^|[\s.])` + regexp.QuoteMeta(prefix+k) + `(?:$|[\s.\[:])`)
			if prefix == "" {
				re = regexp.MustCompile(`(?:^|[\s]|spec\.)` + regexp.QuoteMeta(k) + `(?:$|[\s.\[:])`)
			}
			if re.MatchString(msg) {
				if kr, ok := rawKeyRange(r, k); ok {
					return kr, true
				}
				return r.YAML.Range(), true
			}
		}
	}
	return diag.Range{}, false
}

// takeCronFields removes from patch, and returns, the fields only a
// CronWorkflow's spec has.
func takeCronFields(patch rawPatch) map[string]any {
	out := map[string]any{}
	for k, v := range patch {
		if cronOnlyFields()[k] {
			out[k] = v
			delete(patch, k)
		}
	}
	return out
}

// cronOnlyFields are the JSON fields of CronWorkflowSpec that
// WorkflowSpec does not have (suspend and workflowMetadata, in both, are
// the workflow's).
var cronOnlyFields = sync.OnceValue(func() map[string]bool {
	wf := jsonFields(reflect.TypeFor[wfv1.WorkflowSpec]())
	out := map[string]bool{}
	for f := range jsonFields(reflect.TypeFor[wfv1.CronWorkflowSpec]()) { // structlit.go
		if _, both := wf[f]; !both && f != "workflowSpec" {
			out[f] = true
		}
	}
	return out
})

func mergeRaw(base any, patch map[string]any, out any) error {
	b, err := json.Marshal(base)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	merged := deepMerge(m, jsontree.Copy(patch).(map[string]any))
	b, err = json.Marshal(merged)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func deepMerge(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}
