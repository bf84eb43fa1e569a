package compiler

import (
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/dsl"
)

// The workflow-level tier of pipec's retry design (docs/retries.md).
//
// The effective run id R is retry_run_id if given, else run_id if given,
// else the workflow's own UID. A parameter's value is copied literally by
// Argo, so a "{{workflow.uid}}" default would never resolve: the fallback is
// an expression evaluated by the controller in each template instead.
//
// A run id given at submit time as "{{workflow.uid}}" or
// "{{workflow.name}}" (argo submit -p run_id='{{workflow.uid}}') is
// expanded by Argo in the parameter, but the first step to run still sees
// the literal text: without care the first step and the later ones would
// use different caches. The expression therefore replaces those two texts
// (wherever they occur in the run id) by their values itself, so every
// step agrees. ("{{" and "}}" cannot appear inside an expression, which
// they would end: the literals are built from pieces.)
const runIDRaw = "(workflow.parameters." + ParamRetryRunID + " != '' ? workflow.parameters." + ParamRetryRunID +
	" : (workflow.parameters." + ParamRunID + " != '' ? workflow.parameters." + ParamRunID + " : workflow.uid))"

const runIDExpr = "sprig.replace('{'+'{workflow.name}'+'}', workflow.name, sprig.replace('{'+'{workflow.uid}'+'}', workflow.uid, " + runIDRaw + "))"

// ExpandedRunIDTexts are the Argo variables a run id may contain and that
// pipec's expressions expand themselves.
var ExpandedRunIDTexts = []string{"{{workflow.uid}}", "{{workflow.name}}"}

// RunIDTemplate is the Argo template text that resolves to R.
const RunIDTemplate = "{{=" + runIDExpr + "}}"

// retryParameters are the three parameters every compiled workflow has.
func retryParameters(values map[string]string) []wfv1.Parameter {
	param := func(name, desc string) wfv1.Parameter {
		v := values[name]
		return wfv1.Parameter{Name: name, Value: anyString(v), Description: anyString(desc)}
	}
	return []wfv1.Parameter{
		param(ParamRunID, "Identity of this run for memoization; empty means the workflow's UID. Submit again with the same run_id to reuse the steps that succeeded."),
		param(ParamRetryRunID, "When resuming, the run_id of the run to resume; it takes precedence over run_id."),
		param(ParamRetryIndicator, "Free-form retry marker (for example the attempt number), passed to every container as RETRY_INDICATOR."),
	}
}

// addRetryWiring gives a leaf template the RETRY_* environment variables
// and, when the step is memoized, its memoize block. It runs last, so the
// definition hash covers everything else in the template.
func addRetryWiring(t *wfv1.Template, st *Step, cacheName string) {
	if st.Memoize {
		t.Memoize = memoize(t, st, cacheName)
	}
	env := []apiv1.EnvVar{
		{Name: EnvRetryRunID, Value: RunIDTemplate},
		{Name: EnvRetryIndicator, Value: "{{workflow.parameters." + ParamRetryIndicator + "}}"},
	}
	for c := range podContainers(t) {
		c.Env = append(c.Env, env...)
	}
}

// memoize builds the memo block of a step. The key is unique per step
// instance and valid for Argo's key rules (^[a-zA-Z0-9][-a-zA-Z0-9]*$, at
// most 253 characters):
//
//	<step>-<definition hash>-<first 20 hex of sha256(json([R, inputs...]))>
//
// The definition hash covers the step's template and its memoContext
// (memo_context.go). The cache ConfigMap is per pipeline, namespace and run,
// so one ConfigMap holds at most one run's entries and never grows with the
// number of runs.
func memoize(t *wfv1.Template, st *Step, cacheName string) *wfv1.Memoize {
	const inPrefix, inSuffix, end = ", inputs.parameters['", "']", "])))}}"
	n := len(st.ArgoName) + 1 + definitionHashLen + len(memoKeyHashPrefix) + len(runIDExpr) + len(end)
	for _, in := range t.Inputs.Parameters {
		n += len(inPrefix) + len(in.Name) + len(inSuffix)
	}
	var hash [definitionHashLen]byte
	memoDefinitionHashHex(&hash, st.Pipeline, t)
	var b strings.Builder
	b.Grow(n)
	b.WriteString(st.ArgoName)
	b.WriteByte('-')
	b.Write(hash[:])
	b.WriteString(memoKeyHashPrefix)
	b.WriteString(runIDExpr)
	for _, in := range t.Inputs.Parameters {
		b.WriteString(inPrefix)
		b.WriteString(in.Name)
		b.WriteString(inSuffix)
	}
	b.WriteString(end)
	// The block, its cache and its ConfigMap selector in one allocation.
	m := &struct {
		memo  wfv1.Memoize
		cache wfv1.Cache
		sel   apiv1.ConfigMapKeySelector
	}{
		memo: wfv1.Memoize{Key: b.String(), MaxAge: st.MaxAge},
		sel:  apiv1.ConfigMapKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: cacheName}, Key: "memo"},
	}
	m.cache.ConfigMap = &m.sel
	m.memo.Cache = &m.cache
	return &m.memo
}

// memoKeyHashPrefix starts the expression part of a memo key.
const memoKeyHashPrefix = "-{{=sprig.substr(0, 20, sprig.sha256sum(toJson(["

// CacheConfigMapTemplate is the name of a pipeline's cache ConfigMap for one
// run, as an Argo template. Argo keeps every cache in the controller's
// namespace and looks entries up by key alone, so the name carries the
// pipeline's name and a hash of the workflow's namespace and the run id:
// pipelines of the same name in two namespaces never share entries, even
// under the same run id.
func CacheConfigMapTemplate(pipeline string) string {
	return "pipec-memo-" + pipeline + "-{{=sprig.substr(0, 12, sprig.sha256sum(workflow.namespace + '/' + " + runIDExpr + "))}}"
}

func dslSubstitute(value string, repl func(string) string) string { return dsl.Substitute(value, repl) }

// retry checks a retry statement: a pipeline's (sc nil), whose expression
// is literal, or a step's, whose expression may read the step's references
// (`when "${check.result} == true && lastRetry.exitCode > 1"`): they become
// inputs of the step's template, on which the retryStrategy then lives.
func (c *checker) retry(sc *scope, s *dsl.RetryStmt) *Retry {
	if s.Off {
		return nil
	}
	r := &Retry{Stmt: s}
	if v := s.Limit; v != nil && v.Path != nil && len(v.Path.Parts) == 1 && v.Path.Parts[0].Name == "forever" {
		// retry forever: a retryStrategy without a limit, which Argo
		// retries until it succeeds (or its policy, expression or
		// backoff.maxDuration stops it).
		r.Forever = true
	} else if v != nil && v.Int == nil {
		c.errorf(v, "the retry limit must be a whole number, got %s", v.Kind()).WithHint("write retry 3, or retry forever to retry until the step succeeds")
	} else if n, ok := c.intValue(s.Limit, "the retry limit"); ok {
		if n < 0 {
			c.errorf(s.Limit, "the retry limit must be 0 or more, got %d", n)
		}
		r.Limit = n
	}
	seen := map[string]bool{}
	var maxOpt, capOpt *dsl.RetryOption
	for _, o := range s.Options {
		if seen[o.Name] {
			c.errorf(o, "retry option %q is given twice", o.Name)
			continue
		}
		seen[o.Name] = true
		switch o.Name {
		case "backoff":
			if d, ok := c.duration(o.Value); ok {
				r.Backoff = argoDuration(d)
			}
		case "max":
			maxOpt = o
			if d, ok := c.duration(o.Value); ok {
				r.Max = argoDuration(d)
			}
		case "cap":
			capOpt = o
			if d, ok := c.duration(o.Value); ok {
				r.Cap = argoDuration(d)
			}
		case "factor":
			if o.Value.Float != nil {
				c.errorf(o.Value, "the backoff factor must be a whole number: Argo rejects %s", *o.Value.Float).WithHint("use 2 or 3")
				continue
			}
			if n, ok := c.intValue(o.Value, "the backoff factor"); ok {
				if n < 1 {
					c.errorf(o.Value, "the backoff factor must be at least 1, got %d", n)
				}
				r.Factor = &n
			}
		case "policy":
			if o.Value.Path == nil || len(o.Value.Path.Parts) != 1 {
				c.errorf(o.Value, "the retry policy must be one of: %s", strings.Join(keys(retryPolicies), ", "))
				continue
			}
			word := o.Value.Path.Parts[0]
			if v, ok := retryPolicies[word.Name]; ok {
				r.Policy = v
			} else {
				c.unknownWord(word, "retry policy", keys(retryPolicies))
			}
		case "when":
			if o.Value.Str == nil {
				c.errorf(o.Value, "retry when takes an Argo expression in quotes, got %s", o.Value.Kind()).WithHint(`for example: retry 3 when "lastRetry.exitCode == 1"`)
				continue
			}
			if sc == nil {
				r.Expression = c.literalOnly(o.Value.Str, "a pipeline's retry expression (it is evaluated by Argo with retries and lastRetry.exitCode, .status, .duration, .message)")
			} else {
				r.ExprText = c.text(sc, o.Value.Str)
				r.Expression = r.ExprText.Value
			}
			if strings.TrimSpace(r.Expression) == "" {
				c.errorf(o.Value, "the retry expression is empty")
			}
		}
	}
	if !seen["backoff"] {
		for _, o := range []*dsl.RetryOption{maxOpt, capOpt} {
			if o != nil {
				c.errorf(o, "retry %s needs a backoff: Argo fails at run time on a backoff without a duration", o.Name).WithHint("add backoff 10s")
			}
		}
		if seen["factor"] {
			c.errorf(s, "retry factor needs a backoff duration").WithHint("add backoff 10s")
		}
	}
	return r
}

func (c *checker) memoize(s *dsl.MemoizeStmt) (bool, string) {
	on := s.Mode != "off"
	maxAge := ""
	if s.MaxAge != nil {
		if s.Mode == "off" {
			c.errorf(s.MaxAge, "max_age has no effect when memoization is off")
		}
		if d, ok := c.duration(s.MaxAge); ok {
			maxAge = argoDuration(d)
		}
	}
	return on, maxAge
}

// RetryWrapped reports whether a step's retries live on a wrapper template
// around its memoized template. Argo v3.7 mishandles a cache hit on a
// template that also has a retryStrategy: the hit becomes a Retry node with
// no children, the DAG never links the steps after it, and the workflow
// stays Running forever (found by the e2e suite; see docs/retries.md). So a
// step that is both retried and memoized is two templates: the DAG task
// runs "<step>-with-retry", a steps template with the retryStrategy whose one
// step runs "<step>", the memoized leaf.
func (st *Step) RetryWrapped() bool {
	return st.Body != nil && st.Retry != nil && st.Memoize
}

// retryWrapper is the retry wrapper of a step whose leaf template is leaf,
// with the retry strategy rs.
func retryWrapper(st *Step, leaf *wfv1.Template, rs *wfv1.RetryStrategy) wfv1.Template {
	w := wfv1.Template{Name: st.TemplateName() + wrapperSuffix, RetryStrategy: rs}
	// The wrapper's one step, and its list of one, in one allocation.
	body := &struct {
		steps [1]wfv1.ParallelSteps
		call  [1]wfv1.WorkflowStep
	}{}
	call := &body.call[0]
	*call = wfv1.WorkflowStep{Name: "run", Template: leaf.Name}
	nIn, nOut := len(leaf.Inputs.Parameters), len(leaf.Outputs.Parameters)
	if st.ResultUsed {
		nOut++
	}
	// The inputs, the call's arguments and the outputs in one array; the
	// texts they point to in one string, and the arguments' values are
	// the first of those texts.
	params := make([]wfv1.Parameter, 2*nIn+nOut)
	texts := wrapperTexts(leaf, st.ResultUsed)
	if nIn > 0 {
		w.Inputs.Parameters = params[:nIn:nIn]
		call.Arguments.Parameters = params[nIn : 2*nIn : 2*nIn]
		for i, in := range leaf.Inputs.Parameters {
			w.Inputs.Parameters[i] = wfv1.Parameter{Name: in.Name}
			call.Arguments.Parameters[i] = wfv1.Parameter{Name: in.Name, Value: &texts[i]}
		}
	}
	if nOut > 0 {
		w.Outputs.Parameters = params[2*nIn:]
		from := make([]wfv1.ValueFrom, nOut)
		for i, out := range leaf.Outputs.Parameters {
			from[i] = wfv1.ValueFrom{Parameter: string(texts[nIn+i])}
			w.Outputs.Parameters[i] = wfv1.Parameter{Name: out.Name, ValueFrom: &from[i]}
		}
		if st.ResultUsed {
			from[nOut-1] = wfv1.ValueFrom{Parameter: string(texts[len(texts)-1])}
			w.Outputs.Parameters[nOut-1] = wfv1.Parameter{Name: ResultOutput, ValueFrom: &from[nOut-1]}
		}
	}
	wrapArtifacts(&w, call, leaf, st)
	body.steps[0].Steps = body.call[:]
	w.Steps = body.steps[:]
	return w
}

// Texts of a retry wrapper (wrapperTexts).
const (
	wrapperInPrefix  = "{{inputs.parameters."
	wrapperOutPrefix = "{{steps.run.outputs.parameters."
	wrapperResult    = "{{steps.run.outputs.result}}"
	wrapperEnd       = "}}"
)

// wrapperTexts are the texts a retry wrapper passes on: each input of its
// leaf as "{{inputs.parameters.NAME}}", each output as
// "{{steps.run.outputs.parameters.NAME}}", then, if result, the leaf's
// result; all in one string, cut into one array.
func wrapperTexts(leaf *wfv1.Template, result bool) []wfv1.AnyString {
	n, count := 0, len(leaf.Inputs.Parameters)+len(leaf.Outputs.Parameters)
	for _, in := range leaf.Inputs.Parameters {
		n += len(wrapperInPrefix) + len(in.Name) + len(wrapperEnd)
	}
	for _, out := range leaf.Outputs.Parameters {
		n += len(wrapperOutPrefix) + len(out.Name) + len(wrapperEnd)
	}
	if result {
		n += len(wrapperResult)
		count++
	}
	if count == 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(n)
	for _, in := range leaf.Inputs.Parameters {
		b.WriteString(wrapperInPrefix)
		b.WriteString(in.Name)
		b.WriteString(wrapperEnd)
	}
	for _, out := range leaf.Outputs.Parameters {
		b.WriteString(wrapperOutPrefix)
		b.WriteString(out.Name)
		b.WriteString(wrapperEnd)
	}
	if result {
		b.WriteString(wrapperResult)
	}
	// Cut the string where each text ends, by the same lengths.
	all, texts := b.String(), make([]wfv1.AnyString, 0, count)
	next := func(length int) {
		texts = append(texts, wfv1.AnyString(all[:length]))
		all = all[length:]
	}
	for _, in := range leaf.Inputs.Parameters {
		next(len(wrapperInPrefix) + len(in.Name) + len(wrapperEnd))
	}
	for _, out := range leaf.Outputs.Parameters {
		next(len(wrapperOutPrefix) + len(out.Name) + len(wrapperEnd))
	}
	if result {
		next(len(wrapperResult))
	}
	return texts
}

func retryStrategy(r *Retry) *wfv1.RetryStrategy {
	// The strategy, its backoff and their two numbers in one allocation.
	a := &struct {
		rs            wfv1.RetryStrategy
		backoff       wfv1.Backoff
		limit, factor intstr.IntOrString
	}{rs: wfv1.RetryStrategy{RetryPolicy: wfv1.RetryPolicy(r.Policy), Expression: r.Expression}}
	rs := &a.rs
	if !r.Forever {
		a.limit = intstr.FromString(strconv.Itoa(r.Limit))
		rs.Limit = &a.limit
	}
	if r.Backoff != "" {
		a.backoff = wfv1.Backoff{Duration: r.Backoff, MaxDuration: r.Max, Cap: r.Cap}
		rs.Backoff = &a.backoff
		if r.Factor != nil {
			a.factor = intstr.FromString(strconv.Itoa(*r.Factor))
			rs.Backoff.Factor = &a.factor
		}
	}
	return rs
}

// wrapperSuffix ends the name of a retry wrapper template (RetryWrapped).
const wrapperSuffix = "-with-retry"

// checkGeneratedNames reports a step whose Argo name is the name of a
// template pipec generates for another step (a retry wrapper): Argo would
// see two templates of one name.
func (c *checker) checkGeneratedNames(p *Pipeline) {
	all := p.AllSteps()
	byArgoName := make(map[string]*Step, len(all))
	for _, st := range all {
		byArgoName[st.TemplateName()] = st
	}
	for _, st := range all {
		if !st.RetryWrapped() {
			continue
		}
		if other := byArgoName[st.TemplateName()+wrapperSuffix]; other != nil {
			c.errorf(other.Decl.Name, "step %q becomes the Argo template %q, which pipec generates for the retries of step %q", other.Name, other.ArgoName, st.Name).
				WithHint("rename step %q", other.Name)
		}
	}
}
