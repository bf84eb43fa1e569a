package compiler

import (
	"context"
	"regexp"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
	"github.com/pipec/pipec/internal/argojson"
)

// Validate runs Argo's own validator (the one behind `argo lint` and the
// API server's admission) on a lowered object, and reports what it rejects
// at the source construct responsible.
//
// Large pipelines are validated in chunks, each workflow-sized and checked
// by Argo's validator, which is quadratic in the size of a DAG; any error
// is the whole workflow's (see validate_chunks.go), made deterministic:
// of several failing DAG tasks, the first in source order
// (validate_first.go).
func Validate(obj *Object) diag.Diagnostics {
	return ValidateCached(obj, nil, nil)
}

// ValidateCached is Validate with a cache of what the validator accepted
// before (nil: none). emitted is the object's YAML if it has been rendered
// already (nil: it is marshalled here when the cache needs it): when the
// cache has it, the object is not validated again; otherwise each chunk
// the cache has is skipped.
func ValidateCached(obj *Object, cache ValidationCache, emitted []byte) diag.Diagnostics {
	key := ""
	if cache != nil && emitted != nil {
		key = validationKey("yaml", emitted)
	}
	return validateCachedKey(obj, cache, key)
}

// validateCachedKey is ValidateCached with the key of the YAML pipec
// writes (validationKey("yaml", YAML)) already computed, or "".
func validateCachedKey(obj *Object, cache ValidationCache, wholeKey string) diag.Diagnostics {
	check := argoValidate // the validator, or the cache where it has the answer
	if cache != nil {
		if wholeKey == "" {
			if b, err := argojson.Marshal(obj.Value()); err == nil {
				wholeKey = validationKey("json", b)
			}
		}
		if wholeKey != "" && cache.Accepted(wholeKey) {
			return nil
		}
		check = func(o *Object) error {
			b, err := argojson.Marshal(o.Value())
			if err != nil {
				return argoValidate(o)
			}
			key := validationKey("chunk", b)
			if cache.Accepted(key) {
				return nil
			}
			if err := argoValidate(o); err != nil {
				return err
			}
			cache.Accept(key)
			return nil
		}
	}
	accepted := func() diag.Diagnostics {
		if wholeKey != "" {
			cache.Accept(wholeKey)
		}
		return nil
	}
	// Shape-based validation copies only the templates it validates; the
	// fallbacks need every template without pipec's expressions.
	if ok, _ := validShapes(obj, check); ok {
		return accepted()
	}
	obj = withoutRetryExpressions(obj)
	if validChunks(obj, check) {
		return accepted()
	}
	if err := check(obj); err != nil {
		return argoDiagnostics(obj, firstFailure(obj, err, argoValidate))
	}
	return accepted()
}

// ValidateFull runs Argo's validator on the whole object as lowered, with
// none of the shortcuts of Validate (shapes, chunks, stand-ins for pipec's
// expressions, the cache): `pipec build --validate=full`, and what the
// tests compare the shortcuts with. Like Validate, it reports of several
// failing DAG tasks the first in source order (firstFailure,
// validate_first.go), which it finds by validating again.
func ValidateFull(obj *Object) diag.Diagnostics {
	return argoDiagnostics(obj, firstFailure(obj, argoValidate(obj), argoValidate))
}

// argoDiagnostics is the diagnostic of an error of Argo's validator (none
// for nil).
func argoDiagnostics(obj *Object, err error) diag.Diagnostics {
	if err == nil {
		return nil
	}
	var diags diag.Diagnostics
	diags.Errorf(blame(obj.Pipeline, err.Error()), "Argo rejects the compiled %s: %v", obj.Pipeline.Kind, err).
		WithHint("a raw fragment or an Argo {{...}} variable written in the source is the usual cause; if neither is involved, this is a pipec bug")
	return diags
}

// withoutRetryExpressions is a copy of obj for Argo's validator in which
// the three expressions pipec adds to every leaf template (the run id of
// RETRY_RUN_ID, the memo key's hash and the cache ConfigMap's name) are
// replaced by plain text of the same role. The validator compiles each
// {{=...}} expression anew every time it substitutes a template's
// parameters, three times per template: they were two thirds of its cost.
// The expressions are fixed text, the same in every template but for the
// names of its own inputs; the tests validate them as emitted, with Argo's
// validator, in every example (compiler/examples_test.go).
//
// It copies every template: shape-based validation, which validates only
// a few of them, makes its copies one template at a time
// (plainTemplates.of) and leaves this to the fallbacks.
func withoutRetryExpressions(obj *Object) *Object {
	spec := *obj.Spec()
	plain := newPlainTemplates(obj)
	spec.Templates = append([]wfv1.Template(nil), spec.Templates...)
	for i := range spec.Templates {
		spec.Templates[i] = plain.of(&spec.Templates[i])
	}
	return withSpec(obj, spec)
}

// plainTemplates makes the copies of withoutRetryExpressions, one template
// at a time.
type plainTemplates struct{ cacheName string }

func newPlainTemplates(obj *Object) plainTemplates {
	if obj.Pipeline == nil {
		return plainTemplates{}
	}
	return plainTemplates{cacheName: CacheConfigMapTemplate(obj.Pipeline.Name)}
}

// The plain text withoutRetryExpressions puts in place of pipec's three
// expressions. Shape keys (keyScratch.appendShape) make the same changes in
// their scratch copy with these same rules.
const (
	plainRunIDValue  = "{{workflow.uid}}"
	plainMemoSuffix  = "-{{workflow.uid}}"
	plainCacheMapFor = "pipec-memo-{{workflow.uid}}"
)

// isPlainRunID reports whether e is RETRY_RUN_ID with pipec's expression.
func isPlainRunID(e *apiv1.EnvVar) bool {
	return e.Name == EnvRetryRunID && e.Value == RunIDTemplate
}

// memoHashAt is where the definition hash starts in a memo key (> 0), or
// -1: the key is then left as it is.
func memoHashAt(key string) int {
	if i := strings.Index(key, memoKeyHashPrefix); i > 0 {
		return i
	}
	return -1
}

// isPipecCache reports whether a memo cache is the pipeline's ConfigMap.
func (p plainTemplates) isPipecCache(c *wfv1.Cache) bool {
	return c != nil && c.ConfigMap != nil && c.ConfigMap.Name == p.cacheName
}

// of is a copy of t with pipec's three expressions replaced by plain text
// (t unchanged; a template without them is copied as it is).
func (p plainTemplates) of(src *wfv1.Template) wfv1.Template {
	t := *src
	if t.Container != nil {
		c := *t.Container
		c.Env = plainRunID(c.Env)
		t.Container = &c
	}
	if t.Script != nil {
		s := *t.Script
		s.Env = plainRunID(s.Env)
		t.Script = &s
	}
	if m := t.Memoize; m != nil {
		mc := *m
		if i := memoHashAt(mc.Key); i > 0 {
			mc.Key = mc.Key[:i] + plainMemoSuffix
		}
		if p.isPipecCache(mc.Cache) {
			cache := *mc.Cache
			cm := *cache.ConfigMap
			cm.Name = plainCacheMapFor
			cache.ConfigMap = &cm
			mc.Cache = &cache
		}
		t.Memoize = &mc
	}
	return t
}

// plainRunID is env with RETRY_RUN_ID's expression replaced by a plain
// variable.
func plainRunID(env []apiv1.EnvVar) []apiv1.EnvVar {
	for i := range env {
		if isPlainRunID(&env[i]) {
			out := append([]apiv1.EnvVar(nil), env...)
			out[i].Value = plainRunIDValue
			return out
		}
	}
	return env
}

// argoValidate runs Argo's validator on an object.
func argoValidate(obj *Object) error {
	getter := &stubTemplates{spec: obj.Spec()}
	switch {
	case obj.Workflow != nil:
		return validate.ValidateWorkflow(getter, getter.cluster(), obj.Workflow, nil, validate.ValidateOpts{Lint: true})
	case obj.WorkflowTemplate != nil:
		return validate.ValidateWorkflowTemplate(getter, getter.cluster(), obj.WorkflowTemplate, nil, validate.ValidateOpts{Lint: true})
	case obj.ClusterWorkflowTemplate != nil:
		return validate.ValidateClusterWorkflowTemplate(getter, getter.cluster(), obj.ClusterWorkflowTemplate, nil, validate.ValidateOpts{Lint: true})
	case obj.CronWorkflow != nil:
		return validate.ValidateCronWorkflow(context.Background(), getter, getter.cluster(), obj.CronWorkflow, nil)
	}
	return nil
}

// namedRE finds the names of templates, tasks and steps in an Argo error
// message, for blame. It is compiled on first use: most builds have no
// error to blame.
var namedRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:templates|tasks|steps)[.\[]([a-zA-Z0-9-]+)`)
})

// firstStatement is the first statement of a step's body (not a bad one:
// a step with one is not lowered), nil if it has none. A released step
// keeps of its statements only this one's span (releasedDecl).
func firstStatement(d *dsl.StepDecl) *dsl.StepItem {
	for _, it := range d.Items {
		if it.Bad == nil {
			return it
		}
	}
	return nil
}

// blame finds the step an Argo error message is about, falling back to the
// pipeline's name.
func blame(p *Pipeline, msg string) diag.Range {
	for _, m := range namedRE().FindAllStringSubmatch(msg, -1) {
		for _, st := range p.AllSteps() {
			if st.ArgoName == m[1] {
				var raws []*dsl.RawStmt
				if st.Body != nil {
					raws = st.Body.Raw // a released pipeline keeps these (release.go)
				} else {
					for _, it := range st.Decl.Items {
						if r, ok := it.Stmt.(*dsl.RawStmt); ok {
							raws = append(raws, r)
						}
					}
				}
				if r, ok := rawBlame(raws, msg, "templates."+st.ArgoName+"."); ok {
					return r
				}
				if it := firstStatement(st.Decl); it != nil && strings.Contains(msg, "raw") {
					return it.Range()
				}
				return st.Decl.Name.Range()
			}
		}
	}
	if r, ok := rawBlame(p.Raw, msg, ""); ok {
		return r
	}
	return p.Decl.Name.Range()
}

// stubTemplates stands in for the cluster's WorkflowTemplates when a step
// uses ref(...): it offers a template of the requested name that accepts the
// arguments the step passes, so the rest of the workflow is still validated.
type stubTemplates struct{ spec *wfv1.WorkflowSpec }

func (s *stubTemplates) stub(name string) wfv1.WorkflowSpec {
	spec := wfv1.WorkflowSpec{}
	if ref := s.spec.WorkflowTemplateRef; ref != nil && ref.Name == name {
		// A pipeline that only runs a WorkflowTemplate: its entry point
		// (main, or the one a raw entrypoint names).
		spec.Entrypoint = EntryTemplate
		if s.spec.Entrypoint != "" {
			spec.Entrypoint = s.spec.Entrypoint
		}
		spec.Templates = append(spec.Templates, wfv1.Template{Name: spec.Entrypoint, Container: &apiv1.Container{Image: "stub"}})
	}
	seen := map[string]bool{}
	add := func(task string, ref *wfv1.TemplateRef, args wfv1.Arguments) {
		if ref == nil || ref.Name != name || seen[ref.Template] {
			return
		}
		seen[ref.Template] = true
		tmpl := wfv1.Template{Name: ref.Template, Container: &apiv1.Container{Image: "stub"}}
		for _, a := range args.Parameters {
			tmpl.Inputs.Parameters = append(tmpl.Inputs.Parameters, wfv1.Parameter{Name: a.Name})
		}
		// The outputs other tasks read from this one.
		for _, out := range s.outputsUsed(task, "parameters") {
			tmpl.Outputs.Parameters = append(tmpl.Outputs.Parameters, wfv1.Parameter{Name: out, ValueFrom: &wfv1.ValueFrom{Path: "/stub"}})
		}
		for _, out := range s.outputsUsed(task, "artifacts") {
			tmpl.Outputs.Artifacts = append(tmpl.Outputs.Artifacts, wfv1.Artifact{Name: out, Path: "/stub/" + out})
		}
		spec.Templates = append(spec.Templates, tmpl)
	}
	for _, t := range s.spec.Templates {
		if t.DAG != nil {
			for _, task := range t.DAG.Tasks {
				add(task.Name, task.TemplateRef, task.Arguments)
			}
		}
		// Steps templates come from raw (pipec import keeps them there).
		for _, group := range t.Steps {
			for _, st := range group.Steps {
				add(st.Name, st.TemplateRef, st.Arguments)
			}
		}
	}
	return spec
}

// outputsUsed lists the output parameters (or artifacts) of a task that
// other tasks use.
func (s *stubTemplates) outputsUsed(task, kind string) []string {
	re := regexp.MustCompile(`tasks\.` + regexp.QuoteMeta(task) + `\.outputs\.` + kind + `\.([-a-zA-Z0-9_]+)`)
	b, _ := argojson.Marshal(s.spec.Templates)
	seen := map[string]bool{}
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func (s *stubTemplates) Get(name string) (*wfv1.WorkflowTemplate, error) {
	return &wfv1.WorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: s.stub(name)}, nil
}

type clusterGetter struct{ *stubTemplates }

func (s *stubTemplates) cluster() clusterGetter { return clusterGetter{s} }

func (c clusterGetter) Get(name string) (*wfv1.ClusterWorkflowTemplate, error) {
	return &wfv1.ClusterWorkflowTemplate{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: c.stub(name)}, nil
}
