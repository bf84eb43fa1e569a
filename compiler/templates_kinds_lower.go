// Template kinds, lowered: a suspend, resource or HTTP step's template, a
// daemon's container, and outputs that are not files.

package compiler

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
)

// kindTemplate fills in the template of a step of a kind other than a
// container and reports whether it did; for a container step it adds what
// a daemon needs to the container.
func kindTemplate(st *Step, tmpl *wfv1.Template, c *apiv1.Container, inner func(*Text) string) bool {
	b := st.Body
	switch b.Kind {
	case kindSuspend:
		tmpl.Suspend = &wfv1.SuspendTemplate{}
		if b.Suspend.Duration != nil {
			tmpl.Suspend.Duration = inner(b.Suspend.Duration)
		}
	case kindResource:
		r := &wfv1.ResourceTemplate{
			Action:            b.Resource.Action,
			Manifest:          inner(b.Resource.Manifest),
			MergeStrategy:     b.Resource.MergeStrategy,
			SetOwnerReference: b.Options.OwnerRef,
		}
		if b.Options.Success != nil {
			r.SuccessCondition = inner(b.Options.Success)
		}
		if b.Options.Failure != nil {
			r.FailureCondition = inner(b.Options.Failure)
		}
		for _, f := range b.Options.Flags {
			r.Flags = append(r.Flags, inner(f))
		}
		tmpl.Resource = r
	case kindHTTP:
		h := &wfv1.HTTP{Method: b.HTTP.Method, URL: inner(b.HTTP.URL), InsecureSkipVerify: b.Options.Insecure}
		if b.HTTP.Body != nil {
			h.Body = inner(b.HTTP.Body)
		}
		if b.Options.Success != nil {
			h.SuccessCondition = inner(b.Options.Success)
		}
		for _, hd := range b.Options.Headers {
			header := wfv1.HTTPHeader{Name: hd.Name}
			if hd.Secret != nil {
				header.ValueFrom = &wfv1.HTTPHeaderSource{SecretKeyRef: hd.Secret}
			} else {
				header.Value = inner(hd.Value)
			}
			h.Headers = append(h.Headers, header)
		}
		if b.Timeout != nil {
			// The request's own timeout; a deadline would stop Argo's agent.
			h.TimeoutSeconds = b.Timeout
			tmpl.ActiveDeadlineSeconds = nil
		}
		tmpl.HTTP = h
	case kindData:
		dataTemplate(b, tmpl, inner)
	default:
		if b.Daemon {
			yes := true
			tmpl.Daemon = &yes
		}
		if b.Ready != nil {
			c.ReadinessProbe = b.Ready
		}
		return false
	}
	return true
}

// outputParam is a step's output parameter, whose value comes from vf (a
// zero ValueFrom, filled here).
func outputParam(o *StepOutput, inner func(*Text) string, vf *wfv1.ValueFrom) wfv1.Parameter {
	switch o.Source {
	case "supplied":
		vf.Supplied = &wfv1.SuppliedValueFrom{}
	case "json_path":
		vf.JSONPath = o.Expr
	case "jq_filter":
		vf.JQFilter = o.Expr
	default:
		vf.Path = inner(o.Path)
	}
	if o.Default != nil {
		vf.Default = anyString(*o.Default)
	}
	return wfv1.Parameter{Name: o.Name, ValueFrom: vf}
}

// suppliedInputs are the input parameters that describe the values a
// suspend step asks for (Argo's UI offers their enum and default when the
// step is resumed); they share the outputs' names.
func suppliedInputs(st *Step) []wfv1.Parameter {
	var out []wfv1.Parameter
	for _, o := range st.Outputs {
		if o.Source != "supplied" || (o.Default == nil && len(o.Enum) == 0) {
			continue
		}
		p := wfv1.Parameter{Name: o.Name}
		if o.Default != nil {
			p.Default = anyString(*o.Default)
		}
		for _, e := range o.Enum {
			p.Enum = append(p.Enum, wfv1.AnyString(e))
		}
		if o.Description != "" { // set from the output's doc comment
			p.Description = anyString(o.Description)
		}
		out = append(out, p)
	}
	return out
}
