package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scope says what Argo references mean where a string is converted.
type scope struct {
	// inputs maps an input parameter of the template being converted to
	// its pipec text (an inlined argument, or ${p} in a template).
	inputs map[string]string
	// argo maps an inlined input to its value in Argo's syntax (for raw
	// fragments, which pipec does not interpolate); nil in a template,
	// whose inputs keep their names.
	argo map[string]string
	// loop is set inside a looped step: {{item}} is ${item}.
	loop bool
	// artifacts are the task's arguments.artifacts, by name (inlined
	// templates only).
	artifacts map[string]map[string]any
}

var argoRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`) })

// notNative is returned when something has no pipec form.
type notNative struct {
	path []any
	what string
}

func (e *notNative) Error() string { return e.what }

// text converts an Argo string to the content of a pipec string: Argo's
// {{...}} references become ${...} where pipec has a name for them, a
// literal ${ is escaped as $${, and everything else is kept.
func (c *conv) text(s string, sc *scope) (string, error) {
	s = strings.ReplaceAll(s, "${", "$${")
	var err error
	out := argoRefRE().ReplaceAllStringFunc(s, func(m string) string {
		inner := argoRefRE().FindStringSubmatch(m)[1]
		if strings.HasPrefix(inner, "=") {
			return m
		}
		parts := strings.Split(inner, ".")
		switch {
		case len(parts) == 3 && parts[0] == "inputs" && parts[1] == "parameters":
			if sc != nil {
				if v, ok := sc.inputs[parts[2]]; ok {
					return v
				}
			}
			err = &notNative{what: "a reference to an undeclared input " + m}
			return m
		case len(parts) == 3 && parts[0] == "workflow" && parts[1] == "parameters" && c.params[parts[2]]:
			return "${" + parts[2] + "}"
		case len(parts) == 5 && isNodeScope(parts[0]) && parts[2] == "outputs" && parts[3] == "parameters":
			if st, ok := c.stepNames[parts[1]]; ok && isIdent(parts[4]) {
				return "${" + st + "." + parts[4] + "}"
			}
		case len(parts) == 3 && isNodeScope(parts[0]) && stepFields[parts[2]] != "" && languageHas(featStepFields):
			if st, ok := c.stepNames[parts[1]]; ok {
				return "${" + st + "." + stepFields[parts[2]] + "}"
			}
		case len(parts) == 4 && isNodeScope(parts[0]) && parts[2] == "outputs" && parts[3] == "result":
			if st, ok := c.stepNames[parts[1]]; ok {
				return "${" + st + ".result}"
			}
		case parts[0] == "item" && sc != nil && sc.loop:
			if len(parts) == 1 {
				return "${item}"
			}
			if len(parts) == 2 && isIdent(parts[1]) {
				return "${item." + parts[1] + "}"
			}
		case len(parts) == 2 && parts[0] == "workflow" && argoVars[parts[1]]:
			return "${" + inner + "}"
		}
		return m
	})
	return out, err
}

// stepFields are the fields of a task pipec names: {{tasks.x.exitCode}} is
// ${x.exit_code}.
var stepFields = map[string]string{"status": "status", "exitCode": "exit_code", "ip": "ip", "startedAt": "started_at", "finishedAt": "finished_at"}

// argoVars are the workflow variables written ${workflow.x} in pipec.
var argoVars = map[string]bool{"name": true, "namespace": true, "uid": true, "status": true}

var identRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`) })

func isIdent(s string) bool { return identRE().MatchString(s) }

// paramNameRE is what pipec accepts as a parameter or output name;
// dashParamNameRE once the language takes Argo's names with '-'.
var (
	paramNameRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
	dashParamNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][-A-Za-z0-9_]*$`) })
)

func validParamName(s string) bool {
	if languageHas(featDashNames) {
		return dashParamNameRE().MatchString(s)
	}
	return paramNameRE().MatchString(s)
}

// quote writes s as a pipec string literal: one line with Go escapes, or
// triple-quoted when it spans lines (kept exactly).
func quote(s string) string {
	if strings.Contains(s, "\n") && !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`) {
		return `"""` + s + `"""`
	}
	return strconv.Quote(s)
}

// key writes a label, annotation or map key: a name, or a quoted string.
func key(s string) string {
	if isIdent(s) && !keywords[s] {
		return s
	}
	return strconv.Quote(s)
}

// keywords that cannot stand as a bare key.
var keywords = map[string]bool{"true": true, "false": true}

// duration converts an Argo duration (a Go duration, or a number of
// seconds) to a pipec duration literal.
func duration(v any) (string, bool) {
	var d time.Duration
	switch x := v.(type) {
	case float64:
		if x != float64(int64(x)) || x < 0 {
			return "", false
		}
		d = time.Duration(x) * time.Second
	case string:
		if n, err := strconv.Atoi(x); err == nil && n >= 0 {
			d = time.Duration(n) * time.Second
		} else if pd, err := time.ParseDuration(x); err == nil && pd >= 0 {
			d = pd
		} else {
			return "", false
		}
	default:
		return "", false
	}
	if d == 0 {
		return "0s", true
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if d != 0 {
		return "", false
	}
	return b.String(), true
}

// intValue reads a whole number given as a number or a string.
func intValue(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n, true
		}
	}
	return 0, false
}

// literal writes a JSON value (a loop item) as a pipec value.
func literal(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return quote(x), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case []any:
		var parts []string
		for _, e := range x {
			s, ok := literal(e)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			s, ok := literal(x[k])
			if !ok {
				return "", false
			}
			parts = append(parts, key(k)+": "+s)
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}

// scalarText is a parameter value as Argo reads it: text.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// docComment renders text as // lines (with the given indent).
func docComment(text, indent string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if l == "" {
			b.WriteString(indent + "//\n")
			continue
		}
		b.WriteString(indent + "// " + l + "\n")
	}
	return b.String()
}
