package importer

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/pipec/pipec/internal/jsontree"
)

// regexpMust returns a function that compiles s on first use, so that a
// process that never imports pays nothing for it at start-up.
func regexpMust(s string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(s) })
}

var retryPolicies = map[string]string{"Always": "always", "OnFailure": "on_failure", "OnError": "on_error", "OnTransientError": "on_transient_error"}

// leafBody converts a leaf template into step statements; whatever has no
// pipec form goes into one raw statement, each field with a note.
func (c *conv) leafBody(tn string, sc *scope) ([]string, error) {
	t := jsontree.Copy(c.templates[tn]).(map[string]any)
	delete(t, "name")
	var out []string
	raw := map[string]any{}
	keepRaw := func(field string, v any, path ...any) {
		raw[field] = v
		c.raw("template."+field, c.tp(tn, path...)...)
	}
	txt := func(s string, path ...any) (string, error) {
		v, err := c.text(s, sc)
		if err != nil {
			return "", &notNative{path: c.tp(tn, path...), what: err.Error()}
		}
		return v, nil
	}
	var inParams []any
	if in, ok := t["inputs"].(map[string]any); ok {
		inParams = jsontree.List(in["parameters"])
		delete(in, "parameters")
		if arts := jsontree.List(in["artifacts"]); len(arts) > 0 && languageHas(featArtifacts) {
			arts, args, err := c.artifactTexts(arts, sc)
			if err != nil {
				return nil, &notNative{path: c.tp(tn, "inputs", "artifacts"), what: err.Error()}
			}
			if lines, ok := c.inputArtifacts(arts, args); ok {
				out = append(out, lines...)
				delete(in, "artifacts")
			}
		}
		if len(in) > 0 {
			keepRaw("inputs", in, "inputs")
		}
		delete(t, "inputs")
	}
	kind := leafKind(t)
	var extras []string // sidecars, init containers, volumes (containers.go)
	if kind == "container" || kind == "script" || kind == "containerSet" {
		var err error
		if extras, err = c.podExtras(tn, t, sc); err != nil {
			return nil, err
		}
		defer c.endPodExtras()
	}
	switch kind {
	case "container", "script":
		ct, _ := t[kind].(map[string]any)
		settings := c.stepSettingStmts(t, ct)
		lines, rest, err := c.container(tn, kind, ct, sc)
		if err != nil {
			return nil, err
		}
		out = append(append(out, lines...), settings...)
		if len(rest) > 0 {
			raw[kind] = rest
			for _, k := range sortedKeys(rest) {
				c.raw(kind+"."+k, c.tp(tn, kind, k)...)
			}
		}
		delete(t, kind)
	case "containerSet":
		if lines, ok, err := c.containerSetBody(tn, t[kind], sc); err != nil {
			return nil, err
		} else if ok {
			out = append(out, lines...)
			delete(t, kind)
			break
		}
		fallthrough
	case "resource":
		if languageHas(featResource) {
			if lines, ok, err := c.resourceStmt(tn, t["resource"], sc); err != nil {
				return nil, err
			} else if ok {
				out = append(out, lines...)
				delete(t, "resource")
				break
			}
		}
		fallthrough
	case "http":
		if lines, ok, err := c.httpStmts(tn, t["http"], sc); err != nil {
			return nil, err
		} else if ok {
			out = append(out, lines...)
			delete(t, "http")
			break
		}
		fallthrough
	case "data":
		if lines, ok := dataStmts(t["data"]); ok { // kinds.go
			out = append(out, lines...)
			delete(t, "data")
			break
		}
		fallthrough
	case "suspend":
		if line, ok := suspendStmt(t["suspend"]); ok && languageHas(featSuspend) {
			out = append(out, line)
			delete(t, "suspend")
			break
		}
		fallthrough
	default:
		// No syntax yet for this kind: the step stands in for it with a
		// container that raw removes.
		img := c.image
		if img == "" {
			out = append(out, `image "busybox"`)
		}
		out = append(out, `run ["true"]`, "memoize off")
		raw["container"] = nil
		keepRaw(kind, t[kind], kind)
		delete(t, kind)
	}
	out = append(out, extras...)
	if line, ok := c.podSpecPatchStmt(t, sc); ok {
		out = append(out, line)
	}
	out = append(out, c.suppliedOutputs(tn, t, inParams)...) // kinds.go
	if o, ok := t["outputs"].(map[string]any); ok && len(o) == 0 {
		delete(t, "outputs")
	}
	if o, ok := t["outputs"].(map[string]any); ok {
		lines, ok := c.outputs(o, sc)
		if ok {
			out = append(out, c.withComments(lines, c.tp(tn, "outputs", "parameters")...)...)
			delete(o, "parameters")
		}
		if arts := jsontree.List(o["artifacts"]); len(arts) > 0 && languageHas(featArtifacts) {
			conv, _, err := c.artifactTexts(arts, &scope{inputs: sc.inputs, loop: sc.loop})
			if err != nil {
				return nil, &notNative{path: c.tp(tn, "outputs", "artifacts"), what: err.Error()}
			}
			if lines, ok := outputArtifacts(conv); ok {
				out = append(out, c.withComments(lines, c.tp(tn, "outputs", "artifacts")...)...)
				delete(o, "artifacts")
				if (c.collected(arts) || c.globalTaken(arts)) && !contains(out, "memoize off") {
					// pipec refuses to memoize a step whose artifacts are
					// deleted (a cache hit would hand them out).
					out = append(out, "memoize off")
				}
			}
		}
		if len(o) > 0 {
			keepRaw("outputs", o, "outputs")
		}
		delete(t, "outputs")
	}
	if v, ok := t["activeDeadlineSeconds"]; ok {
		if d, ok := duration(v); ok && d != "0s" {
			out = append(out, "timeout "+d)
			delete(t, "activeDeadlineSeconds")
		}
	}
	if line, ok, err := c.timeoutStmt(tn, t["timeout"], sc); err != nil { // kinds.go
		return nil, err
	} else if ok {
		out = append(out, line)
		delete(t, "timeout")
	}
	if rs, ok := t["retryStrategy"].(map[string]any); ok {
		if line, memoOff, ok := retryStmt(rs, func(s string) (string, bool) { return c.retryExpr(s, sc) }); ok {
			out = append(out, c.fieldComment(c.tp(tn, "retryStrategy")...)+c.treeComments(c.tp(tn, "retryStrategy")...)+line)
			if memoOff && !contains(out, "memoize off") {
				out = append(out, "memoize off")
			}
			delete(t, "retryStrategy")
		}
	}
	if ns, ok := t["nodeSelector"].(map[string]any); ok {
		for _, k := range sortedKeys(ns) {
			v, _ := scalarText(ns[k])
			vt, err := txt(v, "nodeSelector", k)
			if err != nil {
				return nil, err
			}
			out = append(out, c.entryComment(c.tp(tn, "nodeSelector"), k)+"node_selector "+key(k)+" = "+quote(vt))
		}
		delete(t, "nodeSelector")
	}
	if tl, ok := tolerations(t["tolerations"]); ok {
		out = append(out, c.listComments(tl, c.tp(tn, "tolerations")...)...)
		delete(t, "tolerations")
	}
	if md, ok := t["metadata"].(map[string]any); ok {
		for _, f := range []string{"labels", "annotations"} {
			m, _ := md[f].(map[string]any)
			for _, k := range sortedKeys(m) {
				v, _ := scalarText(m[k])
				out = append(out, c.entryComment(c.tp(tn, "metadata", f), k)+strings.TrimSuffix(f, "s")+" "+key(k)+" = "+quote(escapeText(v)))
			}
			delete(md, f)
		}
		if len(md) > 0 {
			keepRaw("metadata", md, "metadata")
		}
		delete(t, "metadata")
	}
	if d, ok := t["daemon"].(bool); ok && d && languageHas(featDaemon) {
		out = append(out, "daemon")
		delete(t, "daemon")
		if ct, ok := raw[kind].(map[string]any); ok {
			if line, ok := readyStmt(ct["readinessProbe"]); ok {
				out = append(out, line)
				delete(ct, "readinessProbe")
				if len(ct) == 0 {
					delete(raw, kind)
				}
				c.dropNote(kind + ".readinessProbe")
			}
		}
	}
	if line, ok := readyOf(raw, kind); ok {
		out = append(out, line)
		c.dropNote(kind + ".readinessProbe")
	}
	if a, ok := t["annotations"].(map[string]any); ok && len(a) == 1 && !c.rawSettings {
		// The one template annotation Argo reads: the node's display name.
		if name, ok := a["workflows.argoproj.io/display-name"].(string); ok {
			if s, err := c.text(name, sc); err == nil {
				out = append(out, "display_name "+quote(s))
				delete(t, "annotations")
			}
		}
	}
	if m, ok := t["metrics"]; ok && !c.rawSettings {
		if lit, ok := c.textLiteral(m, sc); ok {
			out = append(out, "metrics "+lit)
			delete(t, "metrics")
		}
	}
	if m, ok := t["memoize"]; ok {
		// The user's memoize block is replaced by pipec's memo key (the
		// note at the top says so); only its maxAge is kept.
		if line, ok := memoMaxAge(m); ok && !contains(out, "memoize off") {
			out = append(out, line)
		}
		delete(t, "memoize")
	}
	for _, k := range sortedKeys(t) {
		keepRaw(k, t[k], k)
	}
	var refs []string // the pipec text of the arguments raw uses, by marker
	if len(raw) > 0 && sc.argo != nil {
		var bad string
		raw = jsontree.ReplaceStrings(raw, func(s string) string {
			return inputRefRE().ReplaceAllStringFunc(s, func(ref string) string {
				name := inputRefRE().FindStringSubmatch(ref)[1]
				v, ok := sc.argo[name]
				if ok && !strings.Contains(v, "{{") {
					return v
				}
				// An argument the task resolves: a ${...} reference, which
				// pipec interpolates in raw.
				pt, ok := sc.inputs[name]
				if !ok || strings.ContainsAny(pt, "\"\\\n") {
					bad = ref
					return ref
				}
				refs = append(refs, pt)
				return rawRefMarker(len(refs) - 1)
			})
		}).(map[string]any)
		if bad != "" {
			return nil, &notNative{path: c.tp(tn), what: "a raw field that uses " + bad + ", an argument only a DAG task can resolve"}
		}
	}
	if len(raw) > 0 {
		r, err := c.rawBlock(raw, c.tp(tn)...)
		if err != nil {
			return nil, &notNative{path: c.tp(tn), what: "raw: " + err.Error()}
		}
		for i, pt := range refs {
			r = strings.ReplaceAll(r, rawRefMarker(i), pt)
		}
		out = append(out, r)
	}
	return out, nil
}

// rawRefMarker stands in a raw fragment for the i-th reference until the
// fragment is written (rawBlock escapes the ${ of Argo's own text).
func rawRefMarker(i int) string { return fmt.Sprintf("pipec-raw-ref-%d-pipec", i) }

// container converts a container (or script) and returns the fields left
// for raw.
func (c *conv) container(tn, kind string, ct map[string]any, sc *scope) ([]string, map[string]any, error) {
	var out []string
	txt := func(s string, path ...any) (string, error) {
		v, err := c.text(s, sc)
		if err != nil {
			return "", &notNative{path: c.tp(tn, append([]any{kind}, path...)...), what: err.Error()}
		}
		return v, nil
	}
	// list writes the list literal of a field; cmts are the comments of
	// its items, each written on the line above its item.
	list := func(field string, cmts []string) (string, error) {
		var parts []string
		for i, a := range jsontree.List(ct[field]) {
			s, ok := scalarText(a)
			if !ok {
				return "", &notNative{path: c.tp(tn, kind, field, i), what: kind + "." + field + " that is not text"}
			}
			v, err := txt(s, field, i)
			if err != nil {
				return "", err
			}
			if i < len(cmts) && cmts[i] != "" {
				parts = append(parts, "\n"+cmts[i]+quote(v))
				continue
			}
			parts = append(parts, quote(v))
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	image, _ := ct["image"].(string)
	if im, ok := ct["image"].(string); ok {
		if im != c.image {
			v, err := txt(im, "image")
			if err != nil {
				return nil, nil, err
			}
			out = append(out, "image "+quote(v))
		}
		delete(ct, "image")
	} else if c.image != "" {
		return nil, nil, &notNative{path: c.tp(tn, kind), what: "a container without an image next to a pipeline default image"}
	}
	if kind == "script" {
		src, _ := ct["source"].(string)
		s, err := txt(src, "source")
		if err != nil {
			return nil, nil, err
		}
		lang := ""
		if cmd := jsontree.List(ct["command"]); len(cmd) == 1 {
			if l, _ := cmd[0].(string); scriptLangs[l] {
				lang = l
			}
		}
		if lang == "" {
			if len(jsontree.List(ct["command"])) == 0 {
				return nil, nil, &notNative{path: c.tp(tn, kind), what: "a script without a command"}
			}
			l, err := list("command", c.itemComments(c.tp(tn, kind, "command")...))
			if err != nil {
				return nil, nil, err
			}
			lang = l
		}
		out = append(out, c.fieldComment(c.tp(tn, kind, "command")...)+c.fieldComment(c.tp(tn, kind, "source")...)+"script "+lang+" "+quoteSource(s))
		delete(ct, "source")
		delete(ct, "command")
		if len(jsontree.List(ct["args"])) > 0 {
			return nil, nil, &notNative{path: c.tp(tn, kind, "args"), what: "script.args"}
		}
	} else {
		if len(jsontree.List(ct["command"])) == 0 && len(jsontree.List(ct["args"])) == 0 {
			if !languageHas(featEntrypoint) {
				return nil, nil, &notNative{path: c.tp(tn, kind), what: "a container that runs its image's entrypoint (no command, no args)"}
			}
			// It runs its image's entrypoint: the image says so.
			if image != "" && image == c.image {
				out = append(out, "image "+quote(image))
			}
		}
		// One argument vector when a command is given (the same thing
		// to Kubernetes); args alone keep the image's entrypoint.
		comment := c.fieldComment(c.tp(tn, kind, "command")...) + c.fieldComment(c.tp(tn, kind, "args")...)
		// The items' comments, in the order of the one argument vector.
		cmts := append(c.itemComments(c.tp(tn, kind, "command")...), c.itemComments(c.tp(tn, kind, "args")...)...)
		if len(jsontree.List(ct["command"])) > 0 {
			ct["command"] = append(jsontree.List(ct["command"]), jsontree.List(ct["args"])...)
			delete(ct, "args")
		}
		for _, f := range []string{"command", "args"} {
			if len(jsontree.List(ct[f])) == 0 {
				continue
			}
			l, err := list(f, cmts)
			if err != nil {
				return nil, nil, err
			}
			stmt := "run"
			if f == "args" {
				stmt = "args"
			}
			out = append(out, comment+stmt+" "+l)
			comment = ""
			delete(ct, f)
		}
	}
	if wd, ok := ct["workingDir"].(string); ok {
		v, err := txt(wd, "workingDir")
		if err != nil {
			return nil, nil, err
		}
		out = append(out, "workdir "+quote(v))
		delete(ct, "workingDir")
	}
	if env, ok := c.envStmts(tn, kind, ct, sc); ok {
		out = append(out, c.listComments(env, c.tp(tn, kind, "env")...)...)
		delete(ct, "env")
	}
	if res, ok := resourceStmts(ct["resources"]); ok {
		res[0] = c.fieldComment(c.tp(tn, kind, "resources")...) + res[0]
		out = append(out, res...)
		delete(ct, "resources")
	}
	if c.volumes {
		if m, ok := mountStmts(ct["volumeMounts"], c.volNames); ok {
			out = append(out, c.listComments(m, c.tp(tn, kind, "volumeMounts")...)...)
			delete(ct, "volumeMounts")
		}
	}
	if res, ok := ct["resources"].(map[string]any); ok && len(res) == 0 {
		delete(ct, "resources")
	}
	return out, ct, nil
}

var scriptLangs = map[string]bool{"python": true, "python3": true, "bash": true, "sh": true, "node": true, "ruby": true, "perl": true}

func quoteSource(s string) string {
	if !strings.Contains(s, `"""`) && !strings.HasSuffix(s, `"`) {
		return `"""` + s + `"""`
	}
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return quote(s)
}

func (c *conv) envStmts(tn, kind string, ct map[string]any, sc *scope) ([]string, bool) {
	env := jsontree.List(ct["env"])
	if len(env) == 0 {
		return nil, false
	}
	var out []string
	for _, e := range env {
		em, _ := e.(map[string]any)
		name, _ := em["name"].(string)
		line := "env " + key(name) + " = "
		switch {
		case em["value"] != nil && len(em) == 2:
			s, _ := scalarText(em["value"])
			v, err := c.text(s, sc)
			if err != nil {
				return nil, false
			}
			line += quote(v)
		case em["valueFrom"] != nil && len(em) == 2:
			vf, _ := em["valueFrom"].(map[string]any)
			if len(vf) != 1 {
				return nil, false
			}
			var fn string
			var ref map[string]any
			if r, ok := vf["secretKeyRef"].(map[string]any); ok {
				fn, ref = "secret", r
			} else if r, ok := vf["configMapKeyRef"].(map[string]any); ok {
				fn, ref = "config_map", r
			} else {
				return nil, false
			}
			n, _ := ref["name"].(string)
			k, _ := ref["key"].(string)
			if len(ref) != 2 || n == "" || k == "" {
				return nil, false
			}
			line += fn + "(" + quote(n) + ", " + quote(k) + ")"
		default:
			return nil, false
		}
		out = append(out, line)
	}
	return out, true
}

func resourceStmts(v any) ([]string, bool) {
	res, ok := v.(map[string]any)
	if !ok || len(res) == 0 {
		return nil, false
	}
	req, _ := res["requests"].(map[string]any)
	lim, _ := res["limits"].(map[string]any)
	for k := range res {
		if k != "requests" && k != "limits" {
			return nil, false
		}
	}
	var out []string
	for _, r := range []string{"cpu", "memory"} {
		rv, hasReq := req[r]
		lv, hasLim := lim[r]
		if !hasReq {
			if hasLim && languageHas(featContainers) {
				ls, _ := scalarText(lv)
				out = append(out, r+" limit "+quote(ls))
			} else if hasLim {
				return nil, false
			}
			continue
		}
		rs, _ := scalarText(rv)
		line := r + " " + quote(rs)
		if hasLim {
			ls, _ := scalarText(lv)
			line += " limit " + quote(ls)
		}
		out = append(out, line)
	}
	for k := range req {
		if k != "cpu" && k != "memory" {
			return nil, false
		}
	}
	for k := range lim {
		if k != "cpu" && k != "memory" {
			return nil, false
		}
	}
	return out, len(out) > 0
}

func mountStmts(v any, declared map[string]bool) ([]string, bool) {
	list := jsontree.List(v)
	if len(list) == 0 {
		return nil, false
	}
	var out []string
	for _, m := range list {
		mm, _ := m.(map[string]any)
		name, _ := mm["name"].(string)
		path, _ := mm["mountPath"].(string)
		if !isIdent(name) || path == "" || !declared[name] {
			return nil, false
		}
		line := "mount " + name + " at " + quote(path)
		for _, k := range sortedKeys(mm) {
			v := mm[k]
			switch k {
			case "name", "mountPath":
			case "readOnly":
				if b, _ := v.(bool); b {
					line += " readonly"
				}
			case "subPath":
				s, _ := v.(string)
				line += " sub_path " + quote(s)
			default:
				return nil, false
			}
		}
		out = append(out, line)
	}
	return out, true
}

// outputs converts output parameters read from files.
func (c *conv) outputs(o map[string]any, sc *scope) ([]string, bool) {
	ps := jsontree.List(o["parameters"])
	if len(ps) == 0 {
		return nil, false
	}
	var out []string
	for _, p := range ps {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		vf, _ := pm["valueFrom"].(map[string]any)
		path, _ := vf["path"].(string)
		global, fields := "", 2
		if g, ok := pm["globalName"].(string); ok && path != "" && validParamName(g) {
			global, fields = " global "+quote(g), 3
		}
		if len(pm) != fields || !validParamName(name) {
			return nil, false
		}
		var line string
		if path == "" && languageHas(featResource) {
			// A resource step's outputs, read from its object.
			jp, isJP := vf["jsonPath"].(string)
			jq, isJQ := vf["jqFilter"].(string)
			switch {
			case len(vf) == 1 && isJP:
				line = "output " + name + " = json_path(" + quote(jp) + ")"
			case len(vf) == 1 && isJQ:
				line = "output " + name + " = jq_filter(" + quote(jq) + ")"
			default:
				return nil, false
			}
			out = append(out, line)
			continue
		}
		if path == "" {
			return nil, false
		}
		pt, err := c.text(path, sc)
		if err != nil {
			return nil, false
		}
		line = "output " + name + " = file(" + quote(pt) + ")"
		for _, k := range sortedKeys(vf) {
			v := vf[k]
			switch k {
			case "path":
			case "default":
				s, _ := scalarText(v)
				line += " default " + quote(escapeText(s))
			default:
				return nil, false
			}
		}
		out = append(out, line+global)
	}
	return out, true
}

// retryStmt converts a retryStrategy; memoOff is set when pipec keeps it
// on the step's own template (a when expression), which is then not
// memoized.
func retryStmt(rs map[string]any, expr func(string) (string, bool)) (line string, memoOff, ok bool) {
	limit, ok := intValue(rs["limit"])
	switch {
	case rs["limit"] == nil && languageHas(featRetryForever):
		line = "retry forever" // no limit: Argo retries until it succeeds
	case !ok || limit < 0:
		return "", false, false
	default:
		line = fmt.Sprintf("retry %d", limit)
	}
	for _, k := range sortedKeys(rs) {
		v := rs[k]
		switch k {
		case "limit":
		case "retryPolicy":
			p, ok := retryPolicies[fmt.Sprint(v)]
			if !ok {
				return "", false, false
			}
			line += " policy " + p
		case "expression":
			s, _ := v.(string)
			if s, ok = expr(s); !ok {
				return "", false, false
			}
			line += " when " + quote(s)
			memoOff = true
		case "backoff":
			b, _ := v.(map[string]any)
			d, ok := duration(b["duration"])
			if !ok {
				return "", false, false
			}
			line += " backoff " + d
			for _, bk := range sortedKeys(b) {
				bv := b[bk]
				switch bk {
				case "duration":
				case "factor":
					f, ok := intValue(bv)
					if !ok {
						return "", false, false
					}
					line += fmt.Sprintf(" factor %d", f)
				case "maxDuration", "cap":
					d, ok := duration(bv)
					if !ok {
						return "", false, false
					}
					name := "max"
					if bk == "cap" {
						name = "cap"
					}
					line += " " + name + " " + d
				default:
					return "", false, false
				}
			}
		default:
			return "", false, false
		}
	}
	return line, memoOff, true
}

var inputRefRE = regexpMust(`\{\{\s*inputs\.parameters\.([-a-zA-Z0-9_]+)\s*\}\}`)

// suspendStmt converts a suspend template: until resumed, or for a
// duration.
func suspendStmt(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) > 1 {
		return "", false
	}
	d, has := m["duration"]
	if !has {
		return "suspend", len(m) == 0
	}
	if lit, ok := duration(d); ok {
		return "suspend " + lit, true
	}
	if s, ok := d.(string); ok {
		return "suspend " + quote(s), true
	}
	return "", false
}

var resourceActions = map[string]bool{"create": true, "apply": true, "patch": true, "replace": true, "delete": true, "get": true}

// resourceStmt converts a resource template.
func (c *conv) resourceStmt(tn string, v any, sc *scope) ([]string, bool, error) {
	r, _ := v.(map[string]any)
	action, _ := r["action"].(string)
	manifest, hasManifest := r["manifest"].(string)
	// delete and get may name their objects by flags alone (kinds.go).
	flagsOnly := !hasManifest && r["manifest"] == nil && (action == "delete" || action == "get") && r["flags"] != nil && languageHas(featResourceFlagsOnly)
	if !resourceActions[action] || (!hasManifest && !flagsOnly) || strings.HasPrefix(manifest, "\n") {
		return nil, false, nil
	}
	stmt := "resource " + action
	if hasManifest {
		m, err := c.text(manifest, sc)
		if err != nil {
			return nil, false, &notNative{path: c.tp(tn, "resource", "manifest"), what: err.Error()}
		}
		stmt += " " + quoteSource(m)
	}
	out := []string{c.fieldComment(c.tp(tn, "resource", "action")...) + c.fieldComment(c.tp(tn, "resource", "manifest")...) + stmt}
	for _, k := range sortedKeys(r) {
		cm := c.fieldComment(c.tp(tn, "resource", k)...)
		switch k {
		case "action", "manifest":
		case "successCondition", "failureCondition":
			s, _ := r[k].(string)
			word := map[string]string{"successCondition": "success", "failureCondition": "failure"}[k]
			out = append(out, cm+word+" "+quote(s))
		case "setOwnerReference":
			if b, _ := r[k].(bool); b {
				out = append(out, "set_owner_reference")
			}
		case "flags":
			lit, ok, err := c.flagsList(tn, r[k], sc)
			if err != nil || !ok {
				return nil, false, err
			}
			out = append(out, cm+"flags "+lit)
		case "mergeStrategy":
			s, _ := r[k].(string)
			if !isIdent(s) {
				return nil, false, nil
			}
			out = append(out, cm+"merge_strategy "+s)
		default:
			return nil, false, nil
		}
	}
	return out, true, nil
}

// readyStmt converts a daemon's readiness probe.
func readyStmt(v any) (string, bool) {
	p, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	var line string
	for _, k := range sortedKeys(p) {
		switch k {
		case "httpGet":
			h, _ := p[k].(map[string]any)
			path, _ := h["path"].(string)
			port, ok := intValue(h["port"])
			if path == "" || !ok || len(h) != 2 {
				return "", false
			}
			line = fmt.Sprintf("ready http %s port %d", quote(path), port) + line
		case "tcpSocket":
			h, _ := p[k].(map[string]any)
			port, ok := intValue(h["port"])
			if !ok || len(h) != 1 {
				return "", false
			}
			line = fmt.Sprintf("ready tcp port %d", port) + line
		case "exec":
			h, _ := p[k].(map[string]any)
			lit, ok := literal(h["command"])
			if !ok || len(h) != 1 {
				return "", false
			}
			line = "ready exec " + lit + line
		case "initialDelaySeconds", "periodSeconds", "timeoutSeconds":
			d, ok := duration(p[k])
			if !ok || (k == "timeoutSeconds" && !languageHas(featContainers)) {
				return "", false
			}
			word := map[string]string{"initialDelaySeconds": "delay", "periodSeconds": "period", "timeoutSeconds": "timeout"}[k]
			line += " " + word + " " + d
		default:
			return "", false
		}
	}
	return line, strings.HasPrefix(line, "ready ")
}

// durationRE is a duration the language reads (`10s`, `1h30m`).
var durationRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+(h|m|s))+$`) })

// memoMaxAge is the `memoize max_age` statement that keeps a memoize
// block's maxAge, unless it is pipec's default.
func memoMaxAge(m any) (string, bool) {
	mm, _ := m.(map[string]any)
	age, _ := mm["maxAge"].(string)
	if age == "" || age == "168h" || !durationRE().MatchString(age) {
		return "", false
	}
	return "memoize max_age " + age, true
}
