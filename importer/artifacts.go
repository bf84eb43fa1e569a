package importer

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
)

// Artifacts: a template's inputs.artifacts become `input` statements (with
// the task's arguments.artifacts as their `from`), its outputs.artifacts
// `artifact` statements. Written only once the language has them
// (featArtifacts); before, they stay in raw.

// artifactLocations are Argo's artifact location fields.
var artifactLocations = []string{"s3", "gcs", "azure", "http", "git", "artifactory", "oss", "hdfs", "raw"}

var artifactTaskRefRE = regexpMust(`^\{\{\s*(?:tasks|steps)\.([-a-zA-Z0-9]+)\.outputs\.artifacts\.([-a-zA-Z0-9_]+)\s*\}\}$`)

// location writes an artifact's location (`s3 {...}`), if it has one.
func location(a map[string]any) (string, bool, bool) {
	for _, l := range artifactLocations {
		if v, ok := a[l]; ok {
			if l == "raw" {
				rm, _ := v.(map[string]any)
				d, ok := rm["data"].(string)
				if !ok || len(rm) != 1 {
					return "", true, false
				}
				return "raw " + quoteSource(d), true, true
			}
			lit, ok := locationLiteral(v)
			return l + " " + lit, true, ok
		}
	}
	return "", false, true
}

// inputArtifacts converts inputs.artifacts with the task's arguments.
func (c *conv) inputArtifacts(arts []any, args map[string]map[string]any) ([]string, bool) {
	var out []string
	for _, a := range arts {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		path, _ := am["path"].(string)
		if !validParamName(name) || path == "" {
			return nil, false
		}
		line := "input " + name + " at " + quote(path)
		src := am
		if arg := args[name]; arg != nil {
			src = arg
			if from, ok := arg["from"].(string); ok {
				ref, ok := c.artifactRef(from)
				if !ok {
					return nil, false
				}
				line += " from " + ref
			}
			for k := range arg {
				switch k {
				case "name", "from", "subPath":
				default:
					if !contains(artifactLocations, k) {
						return nil, false
					}
				}
			}
		}
		if _, hasFrom := src["from"]; !hasFrom {
			loc, has, ok := location(src)
			if !ok {
				return nil, false
			}
			if has {
				line += " from " + loc
			}
		}
		if o, _ := am["optional"].(bool); o {
			line += " optional"
		}
		if m, ok := intValue(am["mode"]); ok {
			line += fmt.Sprintf(" mode 0%o", m)
		}
		if sp, ok := src["subPath"].(string); ok && args[name] != nil {
			line += " sub_path " + quote(sp)
		}
		for k := range am {
			switch k {
			case "name", "path", "optional", "mode":
			default:
				// Argo replaces an input given by its task with the
				// argument, own location included (common.ProcessArgs).
				if !contains(artifactLocations, k) {
					return nil, false
				}
			}
		}
		out = append(out, line)
	}
	return out, true
}

var gcStrategies = map[string]string{"OnWorkflowCompletion": "on_completion", "OnWorkflowDeletion": "on_deletion", "Never": "never"}

// outputArtifacts converts outputs.artifacts.
func outputArtifacts(arts []any) ([]string, bool) {
	var out []string
	for _, a := range arts {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		path, _ := am["path"].(string)
		if !validParamName(name) || path == "" {
			return nil, false
		}
		line := "artifact " + name + " at " + quote(path)
		loc, has, ok := location(am)
		if !ok {
			return nil, false
		}
		if has {
			line += " to " + loc
		}
		for _, k := range sortedKeys(am) {
			v := am[k]
			switch k {
			case "name", "path":
			case "archive":
				ar, _ := v.(map[string]any)
				switch {
				case len(ar) != 1:
					return nil, false
				case ar["none"] != nil:
					line += " archive none"
				case ar["zip"] != nil:
					line += " archive zip"
				case ar["tar"] != nil:
					line += " archive tar"
					tm, _ := ar["tar"].(map[string]any)
					if lv, ok := intValue(tm["compressionLevel"]); ok {
						line += fmt.Sprintf(" level %d", lv)
					} else if len(tm) > 0 {
						return nil, false
					}
				default:
					return nil, false
				}
			case "optional":
				if b, _ := v.(bool); b {
					line += " optional"
				}
			case "globalName":
				s, _ := v.(string)
				line += " global " + quote(s)
			case "artifactGC":
				gm, _ := v.(map[string]any)
				st, ok := gcStrategies[fmt.Sprint(gm["strategy"])]
				if !ok || len(gm) != 1 {
					return nil, false
				}
				line += " gc " + st
			default:
				if !contains(artifactLocations, k) {
					return nil, false
				}
			}
		}
		out = append(out, line)
	}
	return out, true
}

// taskArtifactArgs indexes a task's arguments.artifacts by name.
func taskArtifactArgs(t task) map[string]map[string]any {
	am, _ := t.m["arguments"].(map[string]any)
	out := map[string]map[string]any{}
	for _, a := range jsontree.List(am["artifacts"]) {
		m, _ := a.(map[string]any)
		if n, ok := m["name"].(string); ok {
			out[n] = m
		}
	}
	return out
}

// locationLiteral is structLiteral with secrets written secret("n", "k")
// (the fields ending in Secret, at any depth: oauth2 {clientIDSecret: ...}).
func locationLiteral(v any) (string, bool) {
	// Strings are converted text (artifactTexts): a location is interpolated.
	return literalWith(v, func(x string) (string, bool) { return quote(x), true }, secretField)
}

// secretField writes a location's field NAMESecret: {name, key} as
// secret("name", "key").
func secretField(k string, v any) (string, bool) {
	sec, ok := v.(map[string]any)
	if !ok || !strings.HasSuffix(k, "Secret") {
		return "", false
	}
	n, _ := sec["name"].(string)
	kk, _ := sec["key"].(string)
	if len(sec) != 2 || n == "" || kk == "" {
		return "", false
	}
	return "secret(" + quote(n) + ", " + quote(kk) + ")", true
}

// artifactRepositoryStmt converts spec.artifactRepositoryRef.
func (c *conv) artifactRepositoryStmt() (string, bool) {
	ref, ok := c.spec["artifactRepositoryRef"].(map[string]any)
	if !ok || !languageHas(featArtifacts) {
		return "", false
	}
	cm, _ := ref["configMap"].(string)
	k, _ := ref["key"].(string)
	for f := range ref {
		if f != "configMap" && f != "key" {
			return "", false
		}
	}
	line := "artifact_repository"
	if cm != "" {
		line += " " + quote(cm)
	}
	if k != "" {
		line += " key " + quote(k)
	}
	delete(c.spec, "artifactRepositoryRef")
	return line, true
}

// artifactGCStmt converts spec.artifactGC when it is a strategy alone.
func (c *conv) artifactGCStmt() (string, bool) {
	gm, ok := c.spec["artifactGC"].(map[string]any)
	if !ok || len(gm) != 1 || !languageHas(featArtifacts) {
		return "", false
	}
	s, _ := gm["strategy"].(string)
	w, ok := gcStrategies[s]
	if !ok {
		return "", false
	}
	c.artifactGC = s
	delete(c.spec, "artifactGC")
	return "artifact_gc " + w, true
}

// collected reports whether an output artifact is garbage-collected, by
// its own artifactGC or by the pipeline's.
func (c *conv) collected(arts []any) bool {
	for _, a := range arts {
		am, _ := a.(map[string]any)
		s := c.artifactGC
		if gm, ok := am["artifactGC"].(map[string]any); ok {
			s, _ = gm["strategy"].(string)
		}
		if s != "" && s != "Never" {
			return true
		}
	}
	return false
}

// artifactTexts converts the Argo references in the locations of
// artifacts (and of the task's arguments for them) to pipec text: the
// compiler interpolates location fields ("{{item}}" is "${item}").
func (c *conv) artifactTexts(arts []any, sc *scope) ([]any, map[string]map[string]any, error) {
	var err error
	conv := func(v any) any {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = e
			if contains(artifactLocations, k) {
				out[k] = jsontree.ReplaceStrings(jsontree.Copy(e), func(s string) string {
					t, e := c.text(s, sc)
					if e != nil && err == nil {
						err = e
					}
					return t
				})
			}
		}
		return out
	}
	outArts := make([]any, len(arts))
	for i, a := range arts {
		outArts[i] = conv(a)
	}
	var args map[string]map[string]any
	if sc != nil && sc.artifacts != nil {
		args = map[string]map[string]any{}
		for n, a := range sc.artifacts {
			args[n], _ = conv(a).(map[string]any)
		}
	}
	return outArts, args, err
}

var artifactGlobalRefRE = regexpMust(`^\{\{\s*workflow\.outputs\.artifacts\.([-a-zA-Z0-9_]+)\s*\}\}$`)

var artifactInputRefRE = regexpMust(`^\{\{\s*inputs\.artifacts\.([-a-zA-Z0-9_]+)\s*\}\}$`)

// artifactRef converts an artifact's from: a step's artifact (step.art) or
// an input artifact of the scope (its name).
func (c *conv) artifactRef(from string) (string, bool) {
	if m := artifactTaskRefRE().FindStringSubmatch(from); m != nil && c.stepNames[m[1]] != "" {
		return c.stepNames[m[1]] + "." + m[2], true
	}
	if m := artifactInputRefRE().FindStringSubmatch(from); m != nil && c.scopeArts[m[1]] {
		return m[1], true
	}
	if m := artifactGlobalRefRE().FindStringSubmatch(from); m != nil {
		return "workflow.outputs.artifacts." + m[1], true
	}
	return "", false
}

// workflowArtifacts converts spec.arguments.artifacts: input artifacts of
// the pipeline, `input NAME from LOCATION`.
func (c *conv) workflowArtifacts(arts []any) ([]string, error) {
	var out []string
	c.scopeArts = map[string]bool{}
	for i, a := range arts {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		bad := &notNative{path: c.sp("arguments", "artifacts", i), what: "a workflow artifact other than a name and a location"}
		loc, has, ok := location(am)
		if !validParamName(name) || !has || !ok || strings.Contains(loc, "{{") || strings.Contains(loc, "${") {
			return nil, bad
		}
		line := "input " + name + " from " + loc
		for k, v := range am {
			switch {
			case k == "name" || contains(artifactLocations, k):
			case k == "optional" && v == true:
				line += " optional"
			default:
				return nil, bad
			}
		}
		out = append(out, line)
		c.scopeArts[name] = true
	}
	return out, nil
}

// entryArtifactInputs reports whether the input artifacts of the
// entrypoint dag or steps template are the workflow's artifacts (the
// inputs pipec gives its entry template for the pipeline's).
func (c *conv) entryArtifactInputs(v any) bool {
	for _, a := range jsontree.List(v) {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		if len(am) != 1 || !c.scopeArts[name] {
			return false
		}
	}
	return true
}

// entryArtifactArgs gives the input artifacts of the entrypoint leaf that
// the workflow's arguments supply their source: the pipeline's input of
// that name.
func (c *conv) entryArtifactArgs(tm map[string]any, args map[string]map[string]any) {
	in, _ := tm["inputs"].(map[string]any)
	for _, a := range jsontree.List(in["artifacts"]) {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		if args[name] == nil && c.scopeArts[name] {
			args[name] = map[string]any{"name": name, "from": "{{inputs.artifacts." + name + "}}"}
		}
	}
}

// compositeInputArtifacts converts the inputs.artifacts of a dag or steps
// template: `input NAME [from LOCATION]`, given by its callers.
func (c *conv) compositeInputArtifacts(tn string, arts []any) ([]string, map[string]bool, error) {
	var out []string
	names := map[string]bool{}
	for i, a := range arts {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		bad := &notNative{path: c.tp(tn, "inputs", "artifacts", i), what: "an input artifact of a dag or steps template other than a name and a location"}
		if !validParamName(name) {
			return nil, nil, bad
		}
		line := "input " + name
		loc, has, ok := location(am)
		if !ok || strings.Contains(loc, "{{") {
			return nil, nil, bad
		}
		if has {
			line += " from " + loc
		}
		for k, v := range am {
			switch {
			case k == "name" || contains(artifactLocations, k):
			case k == "optional" && v == true:
				line += " optional"
			default:
				return nil, nil, bad
			}
		}
		out = append(out, line)
		names[name] = true
	}
	return out, names, nil
}

// compositeArtifactArgs converts the arguments.artifacts of a task that
// calls a dag or steps template: `NAME = step.art` in its uses clause.
func (c *conv) compositeArtifactArgs(tn string, t task) ([]string, error) {
	in, _ := c.templates[tn]["inputs"].(map[string]any)
	declared := map[string]bool{}
	for _, a := range jsontree.List(in["artifacts"]) {
		am, _ := a.(map[string]any)
		n, _ := am["name"].(string)
		declared[n] = true
	}
	args := taskArtifactArgs(t)
	var out []string
	for _, n := range sortedKeys(anyMap(args)) {
		arg := args[n]
		from, _ := arg["from"].(string)
		ref, ok := c.artifactRef(from)
		if !declared[n] || !ok || len(arg) != 2 {
			return nil, &notNative{path: append(t.path, "arguments", "artifacts"), what: "an artifact argument of a dag or steps template other than from a step's artifact"}
		}
		out = append(out, n+" = "+ref)
	}
	return out, nil
}

// withArtifactArgs adds artifact arguments to a uses argument list.
func withArtifactArgs(list string, arts []string) string {
	if len(arts) == 0 {
		return list
	}
	if list == "" {
		return "(" + strings.Join(arts, ", ") + ")"
	}
	return strings.TrimSuffix(list, ")") + ", " + strings.Join(arts, ", ") + ")"
}

// dagOutputArtifacts converts the outputs.artifacts of a dag or steps
// template (a composite's, or the entrypoint's): `artifact NAME from
// step.art`, or `artifact NAME = expression("...")` for a fromExpression.
func (c *conv) dagOutputArtifacts(arts []any, path []any) ([]string, error) {
	var out []string
	for i, a := range arts {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		bad := &notNative{path: append(append([]any{}, path...), i), what: "an output artifact of a dag or steps template other than from or fromExpression"}
		if !validParamName(name) || len(am) != 2 {
			return nil, bad
		}
		switch {
		case am["from"] != nil:
			from, _ := am["from"].(string)
			ref, ok := c.artifactRef(from)
			if !ok || strings.Count(ref, ".") != 1 {
				return nil, bad
			}
			out = append(out, "artifact "+name+" from "+ref)
		case am["fromExpression"] != nil:
			e, _ := am["fromExpression"].(string)
			if e == "" || strings.Contains(e, "{{") {
				return nil, bad
			}
			out = append(out, "artifact "+name+" = expression("+quote(escapeText(e))+")")
		default:
			return nil, bad
		}
	}
	return out, nil
}

// takesArtifactOf reports whether converted statements take an artifact of
// step name (from name.art, or name.art as an argument of a template),
// which implies the dependency as ${name.x} does.
func takesArtifactOf(used, name string) bool {
	return strings.Contains(used, "from "+name+".") || strings.Contains(used, "= "+name+".")
}

// globalTaken reports whether another template takes one of these output
// artifacts by its global name ({{workflow.outputs.artifacts.NAME}}):
// pipec refuses to memoize its producer, since a cache hit does not set
// the workflow's global outputs.
func (c *conv) globalTaken(arts []any) bool {
	for _, a := range arts {
		am, _ := a.(map[string]any)
		g, _ := am["globalName"].(string)
		if g == "" {
			continue
		}
		ref := regexp.MustCompile(`\{\{\s*workflow\.outputs\.artifacts\.` + regexp.QuoteMeta(g) + `\s*\}\}`)
		for _, t := range c.templates {
			if y, err := yamlText(t); err == nil && ref.MatchString(y) {
				return true
			}
		}
	}
	return false
}
