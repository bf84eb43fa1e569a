package importer

import (
	"fmt"
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
				m := artifactTaskRefRE.FindStringSubmatch(from)
				if m == nil || c.stepNames[m[1]] == "" {
					return nil, false
				}
				line += " from " + m[1] + "." + m[2]
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
				if !contains(artifactLocations, k) || args[name] != nil {
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
	if s, ok := v.(string); ok {
		return quote(s), true // pipec text already (artifactTexts): ${...} is interpolated in locations
	}
	m, ok := v.(map[string]any)
	if !ok {
		return structLiteral(v)
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		if sec, ok := m[k].(map[string]any); ok && strings.HasSuffix(k, "Secret") {
			n, _ := sec["name"].(string)
			kk, _ := sec["key"].(string)
			if len(sec) == 2 && n != "" && kk != "" {
				parts = append(parts, key(k)+": secret("+quote(n)+", "+quote(kk)+")")
				continue
			}
		}
		lit, ok := locationLiteral(m[k])
		if !ok {
			return "", false
		}
		parts = append(parts, key(k)+": "+lit)
	}
	return "{" + strings.Join(parts, ", ") + "}", true
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
