package importer

import (
	"fmt"
	"strings"
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
