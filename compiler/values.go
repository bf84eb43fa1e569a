package compiler

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pipec/pipec/dsl"
)

var durationPartRE = regexp.MustCompile(`([0-9]+)(ms|s|m|h|d)`)

// duration reads a duration literal such as 10s, 5m, 1h30m or 2d.
func (c *checker) duration(v *dsl.Value) (time.Duration, bool) {
	if v == nil {
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

func parseDuration(s string) (time.Duration, error) {
	var total time.Duration
	for _, m := range durationPartRE.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > 1<<31 {
			return 0, fmt.Errorf("out of range")
		}
		unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
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
