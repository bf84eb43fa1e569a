// Settings of the pipeline's entry template (the DAG of its steps, or the
// steps template of its stages): fail_fast, target, step_parallelism and
// entry_metrics.
// They are rows of settingDefs (settings.go) that write to the `main`
// template instead of the WorkflowSpec. And entrypoint, which names the
// entry template itself when pipec does not make it: a template of the
// WorkflowTemplate a workflow_template_ref runs.

package compiler

import (
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

func init() {
	settingDefs["fail_fast"] = boolSetting("false lets the other branches of the steps run on after a step failed, true stops starting new ones (the entry template's dag.failFast, or failFast of stages)",
		func(t settingTarget, v bool) {
			if m := entryTemplate(t); m != nil && m.DAG != nil {
				m.DAG.FailFast = &v
			} else if m != nil {
				m.FailFast = &v
			}
		})
	settingDefs["target"] = settingDef{doc: `the steps to run, with what they need, separated by spaces: "deploy test" or "${target}" (the entry template's dag.target)`,
		check: checkTargetSyntax,
		apply: func(t settingTarget, v any) {
			if m := entryTemplate(t); m != nil && m.DAG != nil {
				m.DAG.Target = v.(string)
			}
		}}
	settingDefs["entrypoint"] = settingDef{doc: `the template to start from when it is not the pipeline's steps: with workflow_template_ref, a template of the referenced WorkflowTemplate (spec.entrypoint)`,
		check: checkTemplateName,
		apply: func(t settingTarget, v any) { t.spec.Entrypoint = v.(string) }}
	settingDefs["entry_metrics"] = structSetting("Prometheus metrics of the pipeline's own steps as a whole, like a step's metrics, with {{status}} and {{duration}} of the entry template (the entry template's metrics)",
		func(t settingTarget, v *wfv1.Metrics) {
			if m := entryTemplate(t); m != nil {
				m.Metrics = v
			}
		})
	settingDefs["step_parallelism"] = settingDef{doc: "at most N of the pipeline's own steps run at once (the entry template's parallelism; parallelism N limits the whole workflow)",
		check: checkPositive,
		apply: func(t settingTarget, v any) {
			if m := entryTemplate(t); m != nil {
				n := int64(v.(int))
				m.Parallelism = &n
			}
		}}
}

// entryTemplate is the lowered entry template (`main`), or nil.
func entryTemplate(t settingTarget) *wfv1.Template {
	for i := range t.spec.Templates {
		if t.spec.Templates[i].Name == t.entry {
			return &t.spec.Templates[i]
		}
	}
	return nil
}

func checkPositive(c *checker, v *dsl.Value, what string) (any, bool) {
	n, ok := c.intValue(v, what)
	if ok && n < 1 {
		c.errorf(v, "%s must be at least 1, got %d", what, n)
		return nil, false
	}
	return n, ok
}

// checkTemplateName accepts a string that can be an Argo template name.
func checkTemplateName(c *checker, v *dsl.Value, what string) (any, bool) {
	s, ok := checkString(c, v, what)
	if !ok {
		return nil, false
	}
	if name := s.(string); !isArgoName(name) || len(name) > 128 {
		c.errorf(v, "%q cannot be an Argo template name", name).WithHint("use letters, digits and '-', at most 128 characters, starting with a letter or digit")
		return nil, false
	}
	return s, true
}

// checkTargetSyntax accepts a non-empty string; checkEntrySettings checks
// its names once the steps are known.
func checkTargetSyntax(c *checker, v *dsl.Value, what string) (any, bool) {
	if v.Str == nil {
		c.errorf(v, "%s takes a string of step names, got %s", what, v.Kind()).WithHint(`for example target "deploy"`)
		return nil, false
	}
	if strings.TrimSpace(v.Str.Value()) == "" {
		c.errorf(v, "%s cannot be empty", what)
		return nil, false
	}
	return v.Str.Value(), true
}

// checkEntrySettings checks the entry template's settings against the
// pipeline: target names main steps (or is a parameter: ${name}), and
// becomes their Argo names; target needs a DAG.
func (c *checker) checkEntrySettings(p *Pipeline) {
	for _, s := range p.Settings {
		switch s.Name {
		case "entrypoint":
			if p.setting("workflow_template_ref", "cluster_workflow_template_ref", "library") == nil {
				c.errorf(s.Stmt, "entrypoint names a template of the WorkflowTemplate a workflow_template_ref runs, or of the library of a workflow_template; the entry point of a pipeline's own steps is pipec's").
					WithHint(`add workflow_template_ref "NAME", or remove the entrypoint`)
			}
		case "target":
			if len(p.Stages) > 0 {
				c.errorf(s.Stmt, "target applies to steps in a DAG; stages run one after another").WithHint("remove target, or write the steps without stages")
				continue
			}
			s.Value = c.targetNames(p, s.Stmt.Value.Str, s.Value.(string))
		}
	}
}

// targetNames checks the words of a target and returns Argo's text.
func (c *checker) targetNames(p *Pipeline, lit *dsl.StringLit, v string) string {
	var out []string
	var names []string
	for _, st := range p.Steps {
		names = append(names, st.Name)
	}
	for _, w := range strings.Fields(v) {
		if strings.HasPrefix(w, "${") && strings.HasSuffix(w, "}") {
			name := w[2 : len(w)-1]
			found := false
			for _, prm := range p.Params {
				found = found || prm.Name == name
			}
			if !found {
				c.errorf(lit, "target: ${%s} is not a parameter of pipeline %q", name, p.Name).WithHint(`declare it: param %s = "step-name"`, name)
			}
			out = append(out, "{{workflow.parameters."+name+"}}")
			continue
		}
		st := p.stepsByName[w]
		if st == nil || st.Handler != "" {
			dd := c.errorf(lit, "target: %q is not a step of pipeline %q", w, p.Name)
			if s := diag.Suggest(w, names); s != "" {
				dd.WithHint("did you mean %q?", s)
			}
			continue
		}
		out = append(out, st.ArgoName)
	}
	return strings.Join(out, " ")
}
