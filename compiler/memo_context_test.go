package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	apiv1 "k8s.io/api/core/v1"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	argotemplate "github.com/argoproj/argo-workflows/v3/util/template"
)

// memoKeysOf compiles a pipeline and returns the compile-time part of each
// memoized template's key (<step>-<definition hash>), by template name.
func memoKeysOf(t *testing.T, src string) map[string]string {
	t.Helper()
	res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte(src)}}, []string{"p.pipe"}, Options{SkipValidate: true})
	if res.Diags.HasErrors() || len(res.Outputs) != 1 {
		t.Fatalf("%s\n%v", src, res.Diags)
	}
	keys := map[string]string{}
	for _, tmpl := range res.Outputs[0].Object.Spec().Templates {
		if tmpl.Memoize != nil {
			keys[tmpl.Name] = tmpl.Memoize.Key[:strings.Index(tmpl.Memoize.Key, memoKeyHashPrefix)]
		}
	}
	if len(keys) == 0 {
		t.Fatalf("no memoized template in\n%s", src)
	}
	return keys
}

// TestMemoKeyCoversContext: an edit outside a step's template that can
// change what its pod does gives the step a new memo key; one that cannot
// leaves every key as it was.
func TestMemoKeyCoversContext(t *testing.T) {
	const base = `pipeline p {
  image "busybox"
  %s
  volume cfg = config_map("settings")
  volume other = secret("unused")
  step a {
    mount cfg at "/etc/cfg"
    run ["cat", "/etc/cfg/x"]
  }
  step b { run ["true"] }
}
`
	src := func(extra string) string { return strings.Replace(base, "%s", extra, 1) }
	before := memoKeysOf(t, src(""))
	for _, c := range []struct {
		name, extra string
		changed     []string // templates whose key must change; the others must not
	}{
		{"service account", `service_account "etl"`, []string{"a", "b"}},
		{"node selector", `node_selector disktype = "ssd"`, []string{"a", "b"}},
		{"toleration", `toleration "dedicated" = "etl" effect no_schedule`, []string{"a", "b"}},
		{"podSpecPatch", `raw """
podSpecPatch: '{"containers":[{"name":"main","securityContext":{"runAsUser":1000}}]}'
"""`, []string{"a", "b"}},
		{"image pull secret", `image_pull_secret "regcred"`, nil},
		{"parallelism", `parallelism 2`, nil},
		{"label", `label team = "data"`, nil},
		{"pipeline retry", `retry 3 backoff 1s`, nil},
		{"memoize max_age", `memoize max_age 24h`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			after := memoKeysOf(t, src(c.extra))
			for name, k := range before {
				want := contains(c.changed, name)
				if got := after[name] != k; got != want {
					t.Errorf("template %s: key %s -> %s; changed=%v, want %v", name, k, after[name], got, want)
				}
			}
		})
	}
	// The source of a mounted volume is covered; an unmounted one is not.
	t.Run("mounted ConfigMap", func(t *testing.T) {
		after := memoKeysOf(t, strings.Replace(src(""), `config_map("settings")`, `config_map("settings-v2")`, 1))
		if after["a"] == before["a"] || after["b"] != before["b"] {
			t.Errorf("a: %s -> %s (want a change), b: %s -> %s (want none)", before["a"], after["a"], before["b"], after["b"])
		}
	})
	t.Run("unmounted Secret", func(t *testing.T) {
		after := memoKeysOf(t, strings.Replace(src(""), `secret("unused")`, `secret("unused-v2")`, 1))
		if after["a"] != before["a"] || after["b"] != before["b"] {
			t.Errorf("keys changed with a volume no step mounts: %v -> %v", before, after)
		}
	})
	// A step without context keeps the hash of its template alone (keys
	// from before the context was covered still hit).
	t.Run("no context", func(t *testing.T) {
		tmpl := &wfv1.Template{Name: "b", Container: &apiv1.Container{Image: "busybox", Command: []string{"true"}}}
		if got, want := memoDefinitionHash(&Pipeline{}, tmpl), definitionHash(tmpl); got != want {
			t.Errorf("hash %s, want the template's own %s", got, want)
		}
		if got := memoDefinitionHash(&Pipeline{ServiceAccount: "etl"}, tmpl); got == definitionHash(tmpl) {
			t.Errorf("a service account leaves the hash as it is")
		}
	})
}

// argoEval resolves a text the way the controller does, with Argo's own
// template package, for a workflow with these globals.
func argoEval(t *testing.T, text string, globals map[string]string) string {
	t.Helper()
	m := map[string]any{}
	for k, v := range globals {
		m[k] = v
	}
	// Argo replaces in the JSON of a template.
	j, _ := json.Marshal(text)
	out, err := argotemplate.Replace(string(j), m, false)
	if err != nil {
		t.Fatalf("Argo cannot resolve %s: %v", text, err)
	}
	var s string
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func sha12(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:12]
}

// TestRunIDExpressions evaluates the run id, the cache ConfigMap name and a
// memo key with Argo's own template package.
func TestRunIDExpressions(t *testing.T) {
	const uid, name = "0f6c3d2e-1111-2222-3333-444455556666", "p-abcde"
	globals := func(ns, runID, retryRunID string) map[string]string {
		return map[string]string{
			"workflow.uid": uid, "workflow.name": name, "workflow.namespace": ns,
			"workflow.parameters.run_id": runID, "workflow.parameters.retry_run_id": retryRunID,
		}
	}
	for _, c := range []struct{ runID, retryRunID, want string }{
		{"", "", uid},
		{"nightly-001", "", "nightly-001"},
		{"nightly-001", "nightly-000", "nightly-000"},
		// What Argo expands itself in later steps, the first step sees
		// literally: both must give the same run id.
		{"{{workflow.uid}}", "", uid},
		{uid, "", uid},
		{"{{workflow.name}}", "", name},
		{"run-{{workflow.name}}", "", "run-" + name},
		{"", "{{workflow.uid}}", uid},
	} {
		g := globals("argo", c.runID, c.retryRunID)
		if got := argoEval(t, RunIDTemplate, g); got != c.want {
			t.Errorf("run_id=%q retry_run_id=%q: RETRY_RUN_ID %q, want %q", c.runID, c.retryRunID, got, c.want)
		}
		if got, want := argoEval(t, CacheConfigMapTemplate("p"), g), "pipec-memo-p-"+sha12("argo/"+c.want); got != want {
			t.Errorf("run_id=%q: cache ConfigMap %q, want %q", c.runID, got, want)
		}
	}
	// The namespace scopes the cache: same pipeline, same run id, two
	// namespaces, two ConfigMaps.
	a := argoEval(t, CacheConfigMapTemplate("p"), globals("team-a", "nightly-001", ""))
	b := argoEval(t, CacheConfigMapTemplate("p"), globals("team-b", "nightly-001", ""))
	if a == b {
		t.Errorf("namespaces team-a and team-b share the cache ConfigMap %s", a)
	}
	// A memo key resolves to a valid key, the same for the literal and the
	// expanded uid.
	res := Compile(Overlay{Files: map[string][]byte{"p.pipe": []byte("pipeline p {\n  image \"busybox\"\n  step a { run [\"true\"] }\n}\n")}}, []string{"p.pipe"}, Options{SkipValidate: true})
	var key string
	for _, tmpl := range res.Outputs[0].Object.Spec().Templates {
		if tmpl.Memoize != nil {
			key = tmpl.Memoize.Key
		}
	}
	k1 := argoEval(t, key, globals("argo", "{{workflow.uid}}", ""))
	k2 := argoEval(t, key, globals("argo", uid, ""))
	if k1 != k2 || strings.Contains(k1, "{") {
		t.Errorf("memo key with the literal uid %q, with the expanded one %q", k1, k2)
	}
}
