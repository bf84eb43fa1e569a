package compiler

import (
	"strings"
	"time"
	_ "time/tzdata" // timezones are checked the same on every machine

	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Values that Kubernetes or Argo would reject only when the workflow is
// submitted or run are checked here, each at its value, with Kubernetes'
// and Argo's own functions (apimachinery's validation and resource
// packages, robfig/cron as Argo's validator uses it, time.LoadLocation as
// its cron controller does).

// labelKV checks a label or annotation: the key is a qualified name
// (`app`, `example.com/team`), a label's value a label value.
func (c *checker) labelKV(s *dsl.LabelStmt, value string) {
	c.qualifiedKey(s.Key, s.Kind)
	if refs, _ := dsl.Interpolations(s.Value); s.Kind == "label" && len(refs) == 0 { // refs: an error already
		c.labelValue(s.Value, value, "label")
	}
}

// qualifiedKey checks a label, annotation or node selector key.
func (c *checker) qualifiedKey(k *dsl.Key, what string) {
	if errs := validation.IsQualifiedName(k.Value()); len(errs) > 0 {
		c.errorf(k, "invalid %s key %q: %s", what, k.Value(), strings.Join(errs, "; ")).
			WithHint("a key is an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit: app, example.com/team")
	}
}

// labelValue checks the value of a label or node selector (unless it has
// references, known only at run time).
func (c *checker) labelValue(n dsl.Node, value, what string) {
	if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
		c.errorf(n, "invalid %s value %q: %s", what, value, strings.Join(errs, "; ")).
			WithHint("a %s value is empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", what)
	}
}

// nodeSelector checks a node selector's key and, when it has no
// references, its value.
func (c *checker) nodeSelector(s *dsl.NodeSelectorStmt, t *Text) {
	c.qualifiedKey(s.Key, "node_selector")
	if t == nil || len(t.Refs) == 0 {
		c.labelValue(s.Value, s.Value.Value(), "node_selector")
	}
}

// objectName checks the name of a Kubernetes object a volume refers to
// (a claim, config map or secret): a DNS subdomain, not empty.
func (c *checker) objectName(n dsl.Node, name, what string) {
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		msg := strings.Join(errs, "; ")
		if name == "" {
			msg = "it is empty"
		}
		c.errorf(n, "invalid %s name %q: %s", what, name, msg).
			WithHint("a name is at most 253 lower case letters, digits, '-' or '.', starting and ending with a letter or digit")
	}
}

// resourceQuantity checks a resource quantity already parsed by quantity:
// cpu and memory are not negative, a gpu count is a whole number above 0.
func (c *checker) resourceQuantity(v *dsl.Value, kind, q string, qty resource.Quantity) bool {
	switch {
	case qty.Sign() < 0:
		c.errorf(v, "a %s quantity cannot be negative, got %s", kind, q)
		return false
	case kind == "memory" && qty.MilliValue()%1000 != 0:
		c.errorf(v, "a memory quantity must be a whole number of bytes, got %s", q).WithHint("m means thousandths: for mebibytes write %sMi", strings.TrimSuffix(q, "m"))
		return false
	case kind == "gpu" && (qty.Sign() == 0 || qty.MilliValue()%1000 != 0):
		c.errorf(v, "a gpu count must be a whole number of at least 1, got %s", q).WithHint("Kubernetes schedules whole GPUs only")
		return false
	}
	return true
}

// limitNotBelow checks that a limit is at least its request (Kubernetes
// rejects the pod otherwise).
func (c *checker) limitNotBelow(limit *dsl.Value, kind, req, lim string, r, l resource.Quantity) {
	if l.Cmp(r) < 0 {
		c.errorf(limit, "the %s limit %s is below the request %s: Kubernetes rejects the pod", kind, lim, req).
			WithHint("raise the limit to at least %s, or lower the request", req)
	}
}

// schedule checks a cron schedule as Argo's validator does.
func (c *checker) schedule(s *dsl.StringLit) {
	spec := s.Value()
	if _, err := cron.ParseStandard(spec); err != nil {
		d := c.errorf(s, "invalid schedule %q: %v", spec, err)
		if strings.HasPrefix(spec, "@") {
			macro, _, _ := strings.Cut(spec, " ")
			if m := diag.Suggest(macro, cronMacros); m != "" {
				d.WithHint("did you mean %q? (one of: %s, or @every 1h30m)", m, strings.Join(cronMacros, ", "))
			} else {
				d.WithHint("one of: %s, or @every 1h30m", strings.Join(cronMacros, ", "))
			}
		} else {
			d.WithHint(`5 fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-6); for example "0 2 * * *" runs at 02:00 every day`)
		}
	}
}

var cronMacros = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

// timezone checks a schedule's timezone as Argo's cron controller loads it.
func (c *checker) timezone(s *dsl.StringLit) {
	tz := s.Value()
	if _, err := time.LoadLocation(tz); err == nil {
		return
	}
	d := c.errorf(s, "unknown timezone %q", tz)
	if m := diag.Suggest(tz, strings.Split(timeZoneNames, "\n")); m != "" {
		d.WithHint("did you mean %q?", m)
	} else {
		d.WithHint(`an IANA time zone name such as "Europe/Paris", "America/New_York" or "UTC"`)
	}
}
