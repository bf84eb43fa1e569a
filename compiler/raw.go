package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/dsl"
)

// The escape hatch: `raw """yaml"""` fragments are deep-merged into the
// lowered object (maps merge key by key, anything else replaces), then the
// result is decoded strictly back into Argo's types, so a misspelt field is
// an error at the raw statement rather than a surprise on the cluster.

func (l *lowerer) applyRaw(obj *Object) {
	for _, r := range l.p.Raw {
		spec := obj.Spec()
		var merged wfv1.WorkflowSpec
		if err := mergeRaw(spec, r, &merged); err != nil {
			l.diags.Errorf(r.YAML.Range(), "raw: %v", err).WithHint("a pipeline's raw fragment is merged into the workflow spec; check the field names against Argo's WorkflowSpec")
			continue
		}
		*spec = merged
	}
}

func (l *lowerer) applyStepRaw(st *Step, t *wfv1.Template) {
	for _, r := range st.Body.Raw {
		var merged wfv1.Template
		if err := mergeRaw(t, r, &merged); err != nil {
			l.diags.Errorf(r.YAML.Range(), "raw: %v", err).WithHint("a step's raw fragment is merged into its Argo template; check the field names against Argo's Template")
			continue
		}
		*t = merged
	}
}

func mergeRaw(base any, r *dsl.RawStmt, out any) error {
	var patch map[string]any
	if err := yaml.Unmarshal([]byte(r.YAML.Value()), &patch); err != nil {
		return fmt.Errorf("invalid YAML: %v", err)
	}
	if patch == nil {
		return fmt.Errorf("the fragment is empty")
	}
	b, err := json.Marshal(base)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	merged := deepMerge(m, patch)
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
