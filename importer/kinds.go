package importer

import (
	"fmt"
	"strings"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/internal/jsontree"
)

// Template kinds other than containers whose Argo form maps onto one pipec
// statement and its options: HTTP requests (suspend and resource steps are
// in leaf.go).

// httpMethods are the methods pipec's http statement takes.
var httpMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// httpStmts converts an http template. Argo's agent sends a request without
// a method as GET (Go's net/http default), which pipec writes out.
func (c *conv) httpStmts(tn string, v any, sc *scope) ([]string, bool, error) {
	h, _ := v.(map[string]any)
	url, _ := h["url"].(string)
	if url == "" {
		return nil, false, nil
	}
	method := "GET"
	if m, ok := h["method"].(string); ok && m != "" {
		method = strings.ToUpper(m)
	}
	if !httpMethods[method] {
		return nil, false, nil
	}
	txt := func(s string, path ...any) (string, error) {
		t, err := c.text(s, sc)
		if err != nil {
			return "", &notNative{path: c.tp(tn, append([]any{"http"}, path...)...), what: err.Error()}
		}
		return t, nil
	}
	u, err := txt(url, "url")
	if err != nil {
		return nil, false, err
	}
	out := []string{c.fieldComment(c.tp(tn, "http", "url")...) + "http " + method + " " + quote(u)}
	for _, k := range sortedKeys(h) {
		cm := c.fieldComment(c.tp(tn, "http", k)...)
		switch k {
		case "url", "method":
		case "successCondition":
			s, _ := h[k].(string)
			t, err := txt(s, k)
			if err != nil {
				return nil, false, err
			}
			out = append(out, cm+"success "+quote(t))
		case "body":
			s, _ := h[k].(string)
			t, err := txt(s, k)
			if err != nil {
				return nil, false, err
			}
			out = append(out, cm+"body "+quote(t))
		case "insecureSkipVerify":
			if b, _ := h[k].(bool); b {
				out = append(out, cm+"insecure_skip_verify")
			}
		case "timeoutSeconds":
			d, ok := duration(h[k])
			if !ok || d == "0s" {
				return nil, false, nil
			}
			out = append(out, cm+"timeout "+d)
		case "headers":
			lines, ok, err := c.httpHeaders(tn, h[k], txt)
			if err != nil || !ok {
				return nil, false, err
			}
			out = append(out, lines...)
		default:
			return nil, false, nil
		}
	}
	return out, true, nil
}

// httpHeaders converts an http template's headers: a value, or a secret's
// key.
func (c *conv) httpHeaders(tn string, v any, txt func(string, ...any) (string, error)) ([]string, bool, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, false, nil
	}
	var out []string
	seen := map[string]bool{}
	for i, e := range list {
		m, _ := e.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" || seen[strings.ToLower(name)] {
			return nil, false, nil
		}
		seen[strings.ToLower(name)] = true
		switch {
		case len(m) == 2 && m["value"] != nil:
			s, ok := m["value"].(string)
			if !ok {
				return nil, false, nil
			}
			t, err := txt(s, "headers", i, "value")
			if err != nil {
				return nil, false, err
			}
			out = append(out, "header "+key(name)+" = "+quote(t))
		case len(m) == 2 && m["valueFrom"] != nil:
			vf, _ := m["valueFrom"].(map[string]any)
			ref, _ := vf["secretKeyRef"].(map[string]any)
			sn, _ := ref["name"].(string)
			sk, _ := ref["key"].(string)
			if len(vf) != 1 || len(ref) != 2 || sn == "" || sk == "" {
				return nil, false, nil
			}
			out = append(out, fmt.Sprintf("header %s = secret(%s, %s)", key(name), quote(sn), quote(sk)))
		default:
			return nil, false, nil
		}
	}
	return out, true, nil
}

// suppliedNames are the inputs of a suspend template that describe one of
// its supplied outputs (Argo's intermediate parameters: same name, the
// default and choices Argo's UI offers). pipec writes them as part of the
// output statement, not as inputs.
func suppliedNames(tm map[string]any) map[string]bool {
	if _, ok := tm["suspend"]; !ok {
		return nil
	}
	o, _ := tm["outputs"].(map[string]any)
	names := map[string]bool{}
	for _, p := range jsontree.List(o["parameters"]) {
		pm, _ := p.(map[string]any)
		vf, _ := pm["valueFrom"].(map[string]any)
		if _, ok := vf["supplied"]; ok {
			if n, _ := pm["name"].(string); n != "" {
				names[n] = true
			}
		}
	}
	return names
}

// suppliedOutputs converts the supplied outputs of a suspend template (with
// the input of the same name, if any, for their default, choices and
// description) and removes them from its outputs. It converts all of them
// or none.
func (c *conv) suppliedOutputs(tn string, t map[string]any, inputs []any) []string {
	if _, ok := c.templates[tn]["suspend"]; !ok || !languageHas(featSuspend) {
		return nil
	}
	o, _ := t["outputs"].(map[string]any)
	byName := map[string]map[string]any{}
	for _, p := range inputs {
		pm, _ := p.(map[string]any)
		if n, _ := pm["name"].(string); n != "" {
			byName[n] = pm
		}
	}
	var out []string
	var rest []any
	for _, p := range jsontree.List(o["parameters"]) {
		pm, _ := p.(map[string]any)
		vf, _ := pm["valueFrom"].(map[string]any)
		if _, ok := vf["supplied"]; !ok {
			rest = append(rest, p)
			continue
		}
		name, _ := pm["name"].(string)
		line, ok := suppliedStmt(name, pm, vf, byName[name])
		if !ok {
			return nil
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil
	}
	if len(rest) == 0 {
		delete(o, "parameters")
	} else {
		o["parameters"] = rest
	}
	return c.withCommentsIfWhole(out, len(rest) == 0, c.tp(tn, "outputs", "parameters")...)
}

// withCommentsIfWhole attaches the list items' comments when every item
// became one line.
func (c *conv) withCommentsIfWhole(lines []string, whole bool, path ...any) []string {
	if !whole {
		return lines
	}
	return c.withComments(lines, path...)
}

// suppliedStmt writes one supplied output: output NAME = supplied()
// [default "X"] [one_of [...]], with the input's description as its doc
// comment.
func suppliedStmt(name string, out, vf, in map[string]any) (string, bool) {
	if !validParamName(name) || len(out) != 2 {
		return "", false
	}
	def, hasDef := vf["default"]
	for k := range vf {
		if k != "supplied" && k != "default" {
			return "", false
		}
	}
	if sup, _ := vf["supplied"].(map[string]any); len(sup) > 0 {
		return "", false
	}
	var doc string
	var enum []any
	if in != nil {
		for k, v := range in {
			switch k {
			case "name":
			case "default":
				// The output's own default wins in Argo; pipec has one.
				if hasDef && fmt.Sprint(def) != fmt.Sprint(v) {
					return "", false
				}
				def, hasDef = v, true
			case "enum":
				enum = jsontree.List(v)
				if len(enum) == 0 {
					return "", false
				}
			case "description":
				d, ok := v.(string)
				if !ok {
					return "", false
				}
				doc = d
			default:
				return "", false
			}
		}
		// pipec declares the input only for a default or choices.
		if !hasDef && len(enum) == 0 {
			return "", false
		}
	}
	line := "output " + name + " = supplied()"
	if hasDef {
		s, ok := scalarText(def)
		if !ok {
			return "", false
		}
		line += " default " + quote(escapeText(s))
	}
	if len(enum) > 0 {
		lit, ok := literal(enum)
		if !ok {
			return "", false
		}
		line += " one_of " + lit
	}
	if doc != "" {
		line = docComment(doc, "") + line
	}
	return line, true
}

// timeoutStmt converts a template's timeout given by a reference
// (timeout: "{{inputs.parameters.t}}"): timeout "${t}". A literal one has
// no pipec form (pipec's timeout 20s is activeDeadlineSeconds).
func (c *conv) timeoutStmt(tn string, v any, sc *scope) (string, bool, error) {
	s, ok := v.(string)
	if !ok || !strings.Contains(s, "{{") || !languageHas(featTimeoutText) {
		return "", false, nil
	}
	t, err := c.text(s, sc)
	if err != nil {
		return "", false, &notNative{path: c.tp(tn, "timeout"), what: err.Error()}
	}
	if !strings.Contains(t, "${") {
		return "", false, nil // an argument inlined as a literal
	}
	return c.fieldComment(c.tp(tn, "timeout")...) + "timeout " + quote(t), true, nil
}

// notTextValue is what Argo reads for a parameter value that is a list or
// a map in the YAML: its AnyString decoder keeps no text for them.
func notTextValue(v any) (string, bool) {
	switch v.(type) {
	case []any, map[string]any:
		if _, ok := literal(v); ok {
			return "", true
		}
	}
	return "", false
}

// configMapCall converts a parameter's valueFrom that reads a ConfigMap's
// key: config_map("name", "key").
func configMapCall(v any) (string, bool) {
	vf, _ := v.(map[string]any)
	ref, _ := vf["configMapKeyRef"].(map[string]any)
	name, _ := ref["name"].(string)
	k, _ := ref["key"].(string)
	if len(vf) != 1 || len(ref) != 2 || name == "" || k == "" {
		return "", false
	}
	return "config_map(" + quote(name) + ", " + quote(k) + ")", true
}

// retryExpr converts a retry expression: as written when it holds no
// {{...}}, else with the template's inputs as pipec references (a
// step's retry expression may use them; a pipeline's may not).
func (c *conv) retryExpr(s string, sc *scope) (string, bool) {
	if !strings.Contains(s, "{{") {
		return s, !strings.Contains(s, "${")
	}
	if sc == nil || !languageHas(featRetryRefs) {
		return "", false
	}
	t, err := c.text(s, sc)
	return t, err == nil
}

// flagsList converts a resource template's kubectl flags, whose
// {{inputs.parameters.x}} become references.
func (c *conv) flagsList(tn string, v any, sc *scope) (string, bool, error) {
	list, ok := v.([]any)
	if !ok {
		return "", false, nil
	}
	var parts []string
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return "", false, nil
		}
		t, err := c.text(s, sc)
		if err != nil {
			return "", false, &notNative{path: c.tp(tn, "resource", "flags", i), what: err.Error()}
		}
		parts = append(parts, quote(t))
	}
	return "[" + strings.Join(parts, ", ") + "]", true, nil
}

// dataStmts converts a data template: `data NAME from LOCATION` and its
// transformations (filter/map when the expression is one of those of
// data, as the compiler writes them back; transform otherwise).
func dataStmts(v any) ([]string, bool) {
	d, _ := v.(map[string]any)
	src, _ := d["source"].(map[string]any)
	ap, _ := src["artifactPaths"].(map[string]any)
	if len(d) > 2 || len(src) != 1 || ap == nil {
		return nil, false
	}
	if _, ok := d["source"]; !ok {
		return nil, false
	}
	name, _ := ap["name"].(string)
	if !validParamName(name) {
		return nil, false
	}
	loc, has, ok := location(ap)
	if !has || !ok || strings.Contains(loc, "{{") {
		return nil, false
	}
	for k := range ap {
		if k != "name" && !strings.HasPrefix(loc, k+" ") {
			return nil, false
		}
	}
	out := []string{"data " + name + " from " + loc}
	trs, _ := d["transformation"].([]any)
	if _, ok := d["transformation"]; ok && trs == nil && len(d) == 2 {
		return nil, false
	}
	for _, t := range trs {
		tm, _ := t.(map[string]any)
		e, _ := tm["expression"].(string)
		if len(tm) != 1 || strings.TrimSpace(e) == "" || strings.Contains(e, "{{") || strings.Contains(e, "${") {
			return nil, false
		}
		kind, s := compiler.TransformStmtOf(e)
		out = append(out, kind+" "+quote(s))
	}
	return out, true
}
