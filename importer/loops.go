package importer

import (
	"strconv"

	"encoding/json"
	"github.com/pipec/pipec/internal/jsontree"
	"strings"
)

// loopParam converts a withParam: a workflow parameter, an input of the
// template the task is in, a step's output or all the outputs of a looped
// step are a bare reference (for item in gen.files); a literal JSON list
// or an {{=...}} expression is a quoted string.
func (c *conv) loopParam(t task, p string, sc *scope) (string, error) {
	bad := &notNative{path: append(t.path, "withParam"), what: "withParam " + p}
	if m := argoRefRE().FindStringSubmatch(p); m != nil && m[0] == p {
		parts := strings.Split(m[1], ".")
		switch {
		case len(parts) == 3 && parts[0] == "workflow" && parts[1] == "parameters" && c.params[parts[2]]:
			return "for item in " + parts[2], nil
		case len(parts) == 4 && isNodeScope(parts[0]) && parts[2] == "outputs" && parts[3] == "result" && c.stepNames[parts[1]] != "":
			return "for item in " + parts[1] + ".result", nil
		case len(parts) == 4 && isNodeScope(parts[0]) && parts[2] == "outputs" && parts[3] == "parameters" && c.stepNames[parts[1]] != "":
			// The fan-in of a looped step: one map of its outputs per iteration.
			return "for item in " + parts[1], nil
		case len(parts) == 5 && isNodeScope(parts[0]) && parts[2] == "outputs" && parts[3] == "parameters" && c.stepNames[parts[1]] != "":
			return "for item in " + parts[1] + "." + parts[4], nil
		case len(parts) == 3 && parts[0] == "inputs" && parts[1] == "parameters":
			v, ok := sc.inputs[parts[2]]
			if ok && strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") && isPath(v[2:len(v)-1]) {
				return "for item in " + v[2:len(v)-1], nil
			}
		}
		if strings.HasPrefix(m[1], "=") {
			return "for item in " + quote(p), nil
		}
		return "", bad
	}
	if strings.HasPrefix(p, "{{=") && strings.HasSuffix(p, "}}") && strings.Count(p, "{{") == 1 {
		// An expression whose value is the list: the language passes it on.
		return "for item in " + quote(p), nil
	}
	var list []any
	if json.Unmarshal([]byte(p), &list) == nil && !strings.Contains(p, "{{") && !strings.Contains(p, "${") {
		// A literal JSON list, kept as Argo reads it (withParam, not withItems).
		return "for item in " + quote(p), nil
	}
	return "", bad
}

// isPath reports whether s is a dotted pipec reference such as gen.files.
func isPath(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !isIdent(part) {
			return false
		}
	}
	return true
}

// dropUndeclared removes the arguments a task passes to a template that
// does not declare them as inputs. Argo ignores such an argument (it binds
// arguments to the template's inputs by name, and substitutes nothing
// else); the language rejects it as a mistake. The import keeps what Argo
// does and says what it dropped, in a comment above the step.
func dropUndeclared(args taskArgs, tm map[string]any, tn string) (taskArgs, string) {
	inputs, _ := tm["inputs"].(map[string]any)
	declared := map[string]bool{}
	for _, p := range jsontree.List(inputs["parameters"]) {
		if pm, _ := p.(map[string]any); pm != nil {
			if n, ok := pm["name"].(string); ok {
				declared[n] = true
			}
		}
	}
	var kept, dropped []string
	for _, n := range args.names {
		if declared[n] {
			kept = append(kept, n)
		} else {
			dropped = append(dropped, n+": "+strconv.Quote(args.argo[n]))
		}
	}
	if len(dropped) == 0 {
		return args, ""
	}
	args.names = kept
	return args, "// Argo ignores the arguments that template " + tn + " does not declare; dropped: " + strings.Join(dropped, ", ") + "\n"
}

// loopSequence converts a withSequence to a range: literal bounds as
// range(start, end) with the end excluded (counting down when end < start),
// a bound Argo reads at run time as range(start, through = last) or
// range(start, count = n), and a format as format = "...".
func (c *conv) loopSequence(t task, seq map[string]any, sc *scope) (string, error) {
	bad := func(k string, what string) error {
		return &notNative{path: append(append([]any{}, t.path...), "withSequence", k), what: "withSequence " + what}
	}
	var args []string
	bound := func(k string) (string, *int, error) {
		v, ok := seq[k]
		if !ok {
			return "", nil, nil
		}
		if n, ok := intValue(v); ok {
			return strconv.Itoa(n), &n, nil
		}
		s, ok := v.(string)
		if !ok {
			return "", nil, bad(k, k+" that is not a number or a reference")
		}
		txt, err := c.text(s, sc)
		if err != nil || !strings.HasPrefix(txt, "${") || !strings.HasSuffix(txt, "}") || !isPath(txt[2:len(txt)-1]) {
			return "", nil, bad(k, k+" "+s)
		}
		return txt[2 : len(txt)-1], nil, nil
	}
	for k := range seq {
		if k != "start" && k != "end" && k != "count" && k != "format" {
			return "", bad(k, "field "+k)
		}
	}
	start, startN, err := bound("start")
	if err != nil {
		return "", err
	}
	end, endN, err := bound("end")
	if err != nil {
		return "", err
	}
	count, countN, err := bound("count")
	if err != nil {
		return "", err
	}
	from := 0
	if startN != nil {
		from = *startN
	}
	switch {
	case end != "" && endN != nil && (start == "" || startN != nil):
		// Argo reads end before count; both literal: the end excluded.
		last := *endN + 1
		if *endN < from {
			last = *endN - 1
		}
		if from == 0 && last > 0 {
			args = append(args, strconv.Itoa(last))
		} else {
			args = append(args, strconv.Itoa(from), strconv.Itoa(last))
		}
	case end != "":
		if start != "" {
			args = append(args, start)
		}
		args = append(args, "through = "+end)
	case count != "" && countN != nil && (start == "" || startN != nil):
		if *countN <= 0 {
			return "", bad("count", "count "+count+" (no items)")
		}
		if from == 0 {
			args = append(args, strconv.Itoa(*countN))
		} else {
			args = append(args, strconv.Itoa(from), strconv.Itoa(from+*countN))
		}
	case count != "":
		if start != "" {
			args = append(args, start)
		}
		args = append(args, "count = "+count)
	default:
		return "", bad("end", "without end or count")
	}
	if f, ok := seq["format"]; ok {
		fs, ok := f.(string)
		if !ok {
			return "", bad("format", "format that is not text")
		}
		if fs != "" {
			args = append(args, "format = "+quote(fs))
		}
	}
	return "for item in range(" + strings.Join(args, ", ") + ")", nil
}
