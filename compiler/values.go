package compiler

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

var durationPartRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([0-9]+)(ms|s|m|h|d)`) })

// duration reads a duration literal such as 10s, 5m, 1h30m or 2d.
func (c *checker) duration(v *dsl.Value) (time.Duration, bool) {
	if v == nil {
		return 0, false
	}
	if v.Quantity != nil { // 10y, -1d
		c.badDurationUnit(v)
		return 0, false
	}
	if v.Duration == nil {
		hint := "write it with a unit: 30s, 5m, 2h or 1d"
		if v.Int != nil {
			hint = fmt.Sprintf("write %ss for seconds or %sm for minutes", *v.Int, *v.Int)
		}
		if v.Str != nil {
			hint = fmt.Sprintf("write it without quotes: %s", v.Str.Value())
		}
		c.errorf(v, "expected a duration, got %s", v.Kind()).WithHint("%s", hint)
		return 0, false
	}
	d, err := parseDuration(*v.Duration)
	if err != nil {
		c.errorf(v, "invalid duration %s: %v", *v.Duration, err)
		return 0, false
	}
	if d <= 0 {
		c.errorf(v, "a duration must be greater than zero")
		return 0, false
	}
	return d, true
}

// badDurationUnit reports a number with a suffix where a duration is
// expected: a negative duration (-1d) or an unknown unit (10y).
func (c *checker) badDurationUnit(v *dsl.Value) {
	text := v.Quantity.Text
	digits := strings.TrimLeft(text, "-0123456789.")
	if strings.HasPrefix(text, "-") && durationPartRE().MatchString(strings.TrimPrefix(text, "-")) {
		c.errorf(v, "a duration cannot be negative: %s", text).WithHint("write it without the '-': %s", strings.TrimPrefix(text, "-"))
		return
	}
	c.errorf(v, "invalid duration %s: unknown unit %q", text, digits).
		WithHint("the units are ms, s, m, h and d (days), combined as in 1h30m; for a year write 365d")
}

// maxDuration is the longest duration pipec accepts: Argo's longest
// deadline field, ttl's 32-bit seconds, is about 68 years.
const maxDuration = time.Duration(1<<31-1) * time.Second

func parseDuration(s string) (time.Duration, error) {
	var total time.Duration
	for rest := s; ; {
		digits, unit, tail, ok := nextDurationPart(rest)
		if !ok {
			break
		}
		rest = tail
		n, err := strconv.ParseInt(digits, 10, 64)
		// At most about 290 years (Go's and Argo's durations), in whole
		// seconds for the fields Argo keeps as 32-bit seconds.
		if err != nil || n > int64(maxDuration/unit) || total > maxDuration-time.Duration(n)*unit {
			return 0, fmt.Errorf("out of range: at most %dd", int64(maxDuration/(24*time.Hour)))
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

// argoDuration formats a duration the way Argo (Go's time.ParseDuration)
// reads it, compactly: 90s becomes 1m30s, 2d becomes 48h.
func argoDuration(d time.Duration) string {
	if d%time.Second != 0 {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	var b strings.Builder
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	s := d / time.Second
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// literal converts a literal value to Go data (for loop items).
func literal(v *dsl.Value) (any, error) {
	switch {
	case v.Str != nil:
		return v.Str.Value(), nil
	case v.Int != nil:
		n, err := strconv.ParseInt(*v.Int, 10, 64)
		return n, err
	case v.Float != nil:
		f, err := strconv.ParseFloat(*v.Float, 64)
		return f, err
	case v.Bool != nil:
		return *v.Bool == "true", nil
	case v.Duration != nil:
		return *v.Duration, nil
	case v.List != nil:
		out := make([]any, 0, len(v.List.Elems))
		for _, e := range v.List.Elems {
			x, err := literal(e)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case v.Map != nil:
		out := map[string]any{}
		for _, e := range v.Map.Entries {
			x, err := literal(e.Value)
			if err != nil {
				return nil, err
			}
			out[e.Key.Value()] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a literal value", v.Kind())
}

func literalJSON(v *dsl.Value) (string, error) {
	x, err := literal(v)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(x)
	return string(b), err
}

// literalString is the text of a scalar literal.
func literalString(v *dsl.Value) string {
	switch {
	case v.Str != nil:
		return v.Str.Value()
	case v.Int != nil:
		return *v.Int
	case v.Float != nil:
		return *v.Float
	case v.Bool != nil:
		return *v.Bool
	case v.Duration != nil:
		return *v.Duration
	}
	return ""
}
func (c *checker) unknownWord(id *dsl.Ident, what string, allowed []string) *diag.Diagnostic {
	sort.Strings(allowed)
	dd := c.errorf(id, "unknown %s %q", what, id.Name)
	if s := diag.Suggest(id.Name, allowed); s != "" {
		dd.WithHint("did you mean %q? (one of: %s)", s, strings.Join(allowed, ", "))
	} else {
		dd.WithHint("one of: %s", strings.Join(allowed, ", "))
	}
	return dd
}

func (c *checker) intValue(v *dsl.Value, what string) (int, bool) {
	if v == nil {
		return 0, false
	}
	if v.Int == nil {
		c.errorf(v, "%s must be a whole number, got %s", what, v.Kind())
		return 0, false
	}
	n, err := strconv.Atoi(*v.Int)
	if err != nil {
		c.errorf(v, "%s: %s is out of range", what, *v.Int)
		return 0, false
	}
	return n, true
}

func (c *checker) quantity(v *dsl.Value, what string) (string, resource.Quantity, bool) {
	var s string
	switch {
	case v.Str != nil:
		s = v.Str.Value()
	case v.Int != nil:
		s = *v.Int
	case v.Float != nil:
		s = *v.Float
	case v.Quantity != nil: // 1Gi
		s = v.Quantity.Text
	case v.Duration != nil: // 500m reads as a duration, and is a quantity
		s = *v.Duration
	default:
		c.errorf(v, "%s must be a quantity such as 500m or 1Gi, got %s", what, v.Kind())
		return "", resource.Quantity{}, false
	}
	qty, err := resource.ParseQuantity(s)
	if err != nil {
		d := c.errorf(v, "invalid %s quantity %q", what, s).WithHint(`for example 500m or 2 for cpu, 512Mi or 1Gi for memory`)
		if strings.HasSuffix(strings.ToLower(s), "b") {
			d.WithHint("Kubernetes writes sizes without a B: Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T: 512Mi, 1Gi")
		}
		return "", resource.Quantity{}, false
	}
	return s, qty, true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// argoName maps a pipec name to an Argo name deterministically: '_'
// becomes '-', and letters are
// lower case (pod names include template names and must be lower case).
func argoName(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", "-")) }

// taskName is the Argo task (or step) name of a pipec step: '_' becomes
// '-', and the case is kept (Argo task names may be upper case, and a
// dag.target or a depends given at submit time names them as written).
func taskName(name string) string { return strings.ReplaceAll(name, "_", "-") }

// TemplateName is the Argo name of the step's own template: its task name
// in lower case (Argo makes pod names of template names).
func (st *Step) TemplateName() string { return strings.ToLower(st.ArgoName) }

// ArgoVariables lists the Argo workflow variables that ${...} may use (some
// only in exit and failure handlers).
func ArgoVariables() []string { return append([]string(nil), argoVariables...) }

// nextDurationPart finds the first match of durationPartRE in s, as
// FindAllStringSubmatch does, without a regexp: the digits, the unit
// ("ms" before "m") and what follows the match.
func nextDurationPart(s string) (digits string, unit time.Duration, rest string, ok bool) {
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j < len(s) {
			switch c := s[j]; {
			case c == 'm' && j+1 < len(s) && s[j+1] == 's':
				return s[i:j], time.Millisecond, s[j+2:], true
			case c == 's' || c == 'm' || c == 'h' || c == 'd':
				return s[i:j], durationUnits[c], s[j+1:], true
			}
		}
		i = j // no match starts inside these digits either
	}
	return "", 0, "", false
}

var durationUnits = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}
