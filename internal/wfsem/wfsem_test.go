package wfsem

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, y string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// argoDiamond is an Argo-style workflow: named templates, dependencies,
// inputs passed as arguments.
const argoDiamond = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: diamond-}
spec:
  entrypoint: diamond
  arguments:
    parameters: [{name: greeting, value: hi}]
  templates:
  - name: diamond
    dag:
      tasks:
      - {name: A, template: echo, arguments: {parameters: [{name: message, value: A}]}}
      - {name: B, dependencies: [A], template: echo, arguments: {parameters: [{name: message, value: "{{workflow.parameters.greeting}}"}]}}
      - {name: C, depends: "B && A", template: echo, arguments: {parameters: [{name: message, value: "{{tasks.B.outputs.result}}"}]}}
  - name: echo
    inputs: {parameters: [{name: message}]}
    retryStrategy: {limit: 2, backoff: {duration: "1"}}
    container: {image: alpine, command: [echo], args: ["{{inputs.parameters.message}}"]}
`

// pipecDiamond is what pipec writes for the same workflow: a main DAG,
// a template per step, inputs for every reference, lower-case names, and
// the retry wiring (parameters, env, memoize, a -with-retry wrapper).
const pipecDiamond = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: diamond-}
spec:
  entrypoint: main
  arguments:
    parameters:
    - {name: greeting, value: hi}
    - {name: run_id, value: ""}
    - {name: retry_run_id, value: ""}
    - {name: retry_indicator, value: ""}
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: a-with-retry, arguments: {parameters: [{name: message, value: A}]}}
      - {name: b, depends: a, template: b-with-retry, arguments: {parameters: [{name: greeting, value: "{{workflow.parameters.greeting}}"}]}}
      - {name: c, depends: "a && b", template: c-with-retry, arguments: {parameters: [{name: b-result, value: "{{tasks.b.outputs.parameters.pipec-result}}"}]}}
  - name: a-with-retry
    retryStrategy: {limit: "2", backoff: {duration: 1s}}
    inputs: {parameters: [{name: message}]}
    steps: [[{name: run, template: a, arguments: {parameters: [{name: message, value: "{{inputs.parameters.message}}"}]}}]]
  - name: a
    inputs: {parameters: [{name: message}]}
    memoize: {key: k, maxAge: 168h, cache: {configMap: {name: pipec-memo-diamond-x, key: memo}}}
    container:
      image: alpine
      command: [echo, "{{inputs.parameters.message}}"]
      env: [{name: RETRY_RUN_ID, value: x}, {name: RETRY_INDICATOR, value: "z"}]
  - name: b-with-retry
    retryStrategy: {limit: "2", backoff: {duration: 1s}}
    inputs: {parameters: [{name: greeting}]}
    steps: [[{name: run, template: b, arguments: {parameters: [{name: greeting, value: "{{inputs.parameters.greeting}}"}]}}]]
  - name: b
    inputs: {parameters: [{name: greeting}]}
    container: {image: alpine, command: [echo, "{{ inputs.parameters.greeting }}"]}
  - name: c-with-retry
    retryStrategy: {limit: "2", backoff: {duration: 1s}}
    inputs: {parameters: [{name: b-result}]}
    steps: [[{name: run, template: c, arguments: {parameters: [{name: b-result, value: "{{inputs.parameters.b-result}}"}]}}]]
  - name: c
    inputs: {parameters: [{name: b-result}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.b-result}}"]}
`

// TestEqualIgnoresUserMemoize: memoize is pipec's retry wiring, which
// replaces a user's own memoize blocks by its keys; a user's block on
// either side is no difference.
func TestEqualIgnoresUserMemoize(t *testing.T) {
	user := "memoize: {key: mine, maxAge: 1h, cache: {configMap: {name: my-cache}}}\n    container: {image: alpine, command: [echo, \"{{ inputs"
	changed := strings.Replace(pipecDiamond, "container: {image: alpine, command: [echo, \"{{ inputs", user, 1)
	if changed == pipecDiamond {
		t.Fatal("the case does not change the workflow")
	}
	for _, pair := range [][2]string{{argoDiamond, changed}, {changed, argoDiamond}} {
		d, err := Compare(obj(t, pair[0]), obj(t, pair[1]), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range d {
			t.Errorf("unexpected difference: %s", x)
		}
	}
}

func TestEqualIgnoresRetryWiringAndNames(t *testing.T) {
	d, err := Compare(obj(t, argoDiamond), obj(t, pipecDiamond), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range d {
		t.Errorf("unexpected difference: %s", x)
	}
}

// TestReportsDifferences changes one thing at a time; each must be
// reported at its path.
func TestReportsDifferences(t *testing.T) {
	cases := []struct {
		name, old, new, path string
	}{
		{"image", "container: {image: alpine, command: [echo, \"{{inputs.parameters.b-result}}\"]}", "container: {image: busybox, command: [echo, \"{{inputs.parameters.b-result}}\"]}", "entry.dag.tasks.c.call.container.image"},
		{"dependency", `depends: "a && b"`, `depends: "a"`, "entry.dag.tasks.c.depends"},
		{"argument", "arguments: {parameters: [{name: message, value: A}]}", "arguments: {parameters: [{name: message, value: Z}]}", "entry.dag.tasks.a.call.container.command[1]"},
		{"condition", "{name: b, depends: a,", "{name: b, depends: a, when: '{{workflow.parameters.greeting}} == hi',", "entry.dag.tasks.b.when"},
		{"loop", "{name: b, depends: a,", "{name: b, depends: a, withItems: [1, 2],", "entry.dag.tasks.b.withItems"},
		{"retry", "retryStrategy: {limit: \"2\", backoff: {duration: 1s}}\n    inputs: {parameters: [{name: message}]}", "retryStrategy: {limit: \"3\", backoff: {duration: 1s}}\n    inputs: {parameters: [{name: message}]}", "entry.dag.tasks.a.call.retryStrategy.limit"},
		{"spec field", "  entrypoint: main\n", "  entrypoint: main\n  serviceAccountName: robot\n", "spec.serviceAccountName"},
		{"parameter", "- {name: greeting, value: hi}\n    - {name: run_id", "- {name: greeting, value: hello}\n    - {name: run_id", "spec.arguments.parameters.greeting.value"},
		{"output", "  - name: c\n    inputs: {parameters: [{name: b-result}]}\n", "  - name: c\n    outputs: {parameters: [{name: o, valueFrom: {path: /tmp/o}}]}\n    inputs: {parameters: [{name: b-result}]}\n", "entry.dag.tasks.c.call.outputs"},
		{"template kind", "container: {image: alpine, command: [echo, \"{{inputs.parameters.b-result}}\"]}", "suspend: {}", "entry.dag.tasks.c.call"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changed := strings.Replace(pipecDiamond, tc.old, tc.new, 1)
			if changed == pipecDiamond {
				t.Fatalf("the case does not change the workflow")
			}
			d, err := Compare(obj(t, argoDiamond), obj(t, changed), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(d) == 0 {
				t.Fatalf("no difference reported")
			}
			found := false
			for _, x := range d {
				if strings.HasPrefix(x.Path, tc.path) {
					found = true
				}
			}
			if !found {
				t.Errorf("no difference at %s; got %v", tc.path, d)
			}
		})
	}
}

func TestStepsAndDAGDiffer(t *testing.T) {
	steps := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: s
  templates:
  - name: s
    steps: [[{name: a, template: x}], [{name: b, template: x}]]
  - {name: x, container: {image: alpine, command: ["true"]}}
`
	dag := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: s
  templates:
  - name: s
    dag: {tasks: [{name: a, template: x}, {name: b, template: x, depends: a}]}
  - {name: x, container: {image: alpine, command: ["true"]}}
`
	d, err := Compare(obj(t, steps), obj(t, dag), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) == 0 {
		t.Fatal("a steps template and a DAG compare equal")
	}
}

func TestSingleTaskDAGIsItsTemplate(t *testing.T) {
	leaf := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: h-}
spec:
  entrypoint: hello
  templates:
  - {name: hello, container: {image: busybox, command: [echo], args: [hi]}}
`
	wrapped := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: h-}
spec:
  entrypoint: main
  templates:
  - {name: main, dag: {tasks: [{name: hello, template: hello}]}}
  - {name: hello, container: {image: busybox, command: [echo, hi]}}
`
	if ok, err := Equal(obj(t, leaf), obj(t, wrapped)); !ok || err != nil {
		t.Errorf("a DAG of one task differs from its template: %v", err)
	}
	conditional := strings.Replace(wrapped, "template: hello}", "template: hello, when: 'a == b'}", 1)
	if ok, _ := Equal(obj(t, leaf), obj(t, conditional)); ok {
		t.Error("a DAG of one conditional task compares equal to the bare template")
	}
}

func TestRecursionAndUnknownKind(t *testing.T) {
	rec := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: r-}
spec:
  entrypoint: r
  templates:
  - name: r
    steps: [[{name: again, template: r, when: "1 == 2"}]]
`
	n, err := Normalize(obj(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(compact(n), `"recursion":"r"`) {
		t.Errorf("recursion not marked: %s", compact(n))
	}
	if _, err := Normalize(obj(t, "kind: Deployment\n")); err == nil {
		t.Error("a Deployment normalised")
	}
}

func TestQuantitiesDurationsAndScalars(t *testing.T) {
	a := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: q-}
spec:
  entrypoint: q
  parallelism: 2
  templates:
  - name: q
    retryStrategy: {limit: 1, backoff: {duration: "90", maxDuration: 2m}}
    container: {image: a, command: [x], resources: {requests: {cpu: "0.5", memory: 1Gi}}}
`
	b := strings.NewReplacer(`"0.5"`, "500m", `"90"`, "1m30s", "limit: 1", `limit: "1"`, "2m}", "120s}").Replace(a)
	if ok, err := Equal(obj(t, a), obj(t, b)); !ok || err != nil {
		d, _ := Compare(obj(t, a), obj(t, b), 0)
		t.Errorf("equal values differ: %v %v", d, err)
	}
}

func TestSequenceCountIsARange(t *testing.T) {
	wf := func(seq string) string {
		return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: m
  templates:
  - name: m
    dag:
      tasks:
      - {name: a, template: c, withSequence: ` + seq + `}
      - {name: b, template: c}
  - name: c
    container: {image: a, command: [x]}
`
	}
	if ok, err := Equal(obj(t, wf(`{count: "10"}`)), obj(t, wf(`{start: "0", end: "9"}`))); !ok || err != nil {
		t.Errorf("count 10 and 0..9 differ (%v)", err)
	}
	if ok, _ := Equal(obj(t, wf(`{count: "10", start: "1"}`)), obj(t, wf(`{start: "1", end: "10"}`))); !ok {
		t.Errorf("count 10 from 1 and 1..10 differ")
	}
	if ok, _ := Equal(obj(t, wf(`{count: "10"}`)), obj(t, wf(`{start: "1", end: "10"}`))); ok {
		t.Errorf("count 10 and 1..10 are equal")
	}
	for _, eq := range [][2]string{
		{`{count: "5", format: "u%02X"}`, `{start: "0", end: "4", format: "u%02X"}`},
		{`{end: "{{workflow.parameters.n}}"}`, `{start: "0", end: "{{workflow.parameters.n}}"}`},
		{`{start: "1", end: "3", count: "7"}`, `{start: "1", end: "3"}`},
		{`{start: "1", end: "3", format: ""}`, `{start: "1", end: "3"}`},
	} {
		if ok, err := Equal(obj(t, wf(eq[0])), obj(t, wf(eq[1]))); !ok || err != nil {
			t.Errorf("%s and %s differ (%v)", eq[0], eq[1], err)
		}
	}
	for _, ne := range [][2]string{
		{`{count: "5", format: "u%02X"}`, `{start: "0", end: "4"}`},
		{`{start: "5", end: "0"}`, `{start: "0", end: "5"}`},
		{`{count: "{{workflow.parameters.n}}"}`, `{end: "{{workflow.parameters.n}}"}`},
	} {
		if ok, _ := Equal(obj(t, wf(ne[0])), obj(t, wf(ne[1]))); ok {
			t.Errorf("%s and %s are equal", ne[0], ne[1])
		}
	}
}

func TestLibraryTemplatesByContent(t *testing.T) {
	lib := func(tmpls string) string {
		return `
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  entrypoint: main
  templates:
` + tmpls
	}
	leaf := "  - {name: main, inputs: {parameters: [{name: d}]}, container: {image: a, command: [echo, '{{inputs.parameters.d}}']}}\n"
	dag := "  - {name: main, dag: {tasks: [{name: run, template: run}]}}\n  - {name: run, container: {image: a, command: [echo, '{{workflow.parameters.d}}']}}\n"
	if ok, _ := Equal(obj(t, lib(leaf)), obj(t, lib(dag))); ok {
		t.Errorf("a library template with an input and one reading a workflow parameter are equal")
	}
	extra := leaf + "  - {name: more, container: {image: a, command: [x]}}\n"
	if ok, err := Equal(obj(t, lib(leaf)), obj(t, lib(extra))); !ok || err != nil {
		d, _ := Compare(obj(t, lib(leaf)), obj(t, lib(extra)), 0)
		t.Errorf("a template added to a library is a difference: %v", d)
	}
	if ok, _ := Equal(obj(t, lib(extra)), obj(t, lib(leaf))); ok {
		t.Errorf("a template missing from a library is not a difference")
	}
}

// pipec's composite naming (<template>-<step>, the pipec-instance input)
// is the same as Argo's nested template; another step name is not.
func TestCompositePrefix(t *testing.T) {
	argoSrc := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: n-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag: {tasks: [{name: a, template: group}, {name: b, depends: a, template: leaf}]}
  - name: group
    steps:
    - [{name: p, template: leaf}]
    - [{name: q, template: leaf, when: "{{steps.p.outputs.result}} == 1"}]
  - {name: leaf, container: {image: alpine, command: ["true"]}}
`
	pipecSrc := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: n-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag: {tasks: [{name: a, template: group, arguments: {parameters: [{name: pipec-instance, value: a}]}}, {name: b, depends: a, template: b}]}
  - name: group
    inputs: {parameters: [{name: pipec-instance}]}
    steps:
    - [{name: group-p, template: group-p, arguments: {parameters: [{name: pipec-instance, value: "{{inputs.parameters.pipec-instance}}"}]}}]
    - [{name: group-q, template: group-q, when: "{{steps.group-p.outputs.result}} == 1", arguments: {parameters: [{name: pipec-instance, value: "{{inputs.parameters.pipec-instance}}"}]}}]
  - {name: group-p, inputs: {parameters: [{name: pipec-instance}]}, container: {image: alpine, command: ["true"]}}
  - {name: group-q, inputs: {parameters: [{name: pipec-instance}]}, container: {image: alpine, command: ["true"]}}
  - {name: b, container: {image: alpine, command: ["true"]}}
`
	diffs, err := Compare(obj(t, argoSrc), obj(t, pipecSrc), 5)
	if err != nil || len(diffs) != 0 {
		t.Fatalf("diffs %v, err %v", diffs, err)
	}
	other := strings.Replace(pipecSrc, "{name: group-q, template: group-q,", "{name: other-q, template: group-q,", 1)
	if diffs, _ := Compare(obj(t, argoSrc), obj(t, other), 5); len(diffs) == 0 {
		t.Error("a step not named after its template compared equal")
	}
}

// An input artifact's location built from a template's input parameter is
// the location built from the argument the task passes (Argo resolves the
// template's parameters in its input artifacts).
func TestInputArtifactLocationFromAnInput(t *testing.T) {
	inTask := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: m-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: map, template: map, withItems: [a, b], arguments: {artifacts: [{name: part, s3: {key: "parts/{{item}}.json"}}]}}
  - {name: map, inputs: {artifacts: [{name: part, path: /in}]}, container: {image: busybox, command: [cat, /in]}}
`
	inTemplate := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: m-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: map, template: map, withItems: [a, b], arguments: {parameters: [{name: item, value: "{{item}}"}]}}
  - {name: map, inputs: {parameters: [{name: item}], artifacts: [{name: part, path: /in, s3: {key: "parts/{{inputs.parameters.item}}.json"}}]}, container: {image: busybox, command: [cat, /in]}}
`
	if ok, err := Equal(obj(t, inTask), obj(t, inTemplate)); !ok || err != nil {
		d, _ := Compare(obj(t, inTask), obj(t, inTemplate), 3)
		t.Errorf("the same location differs: %v %v", err, d)
	}
	other := strings.Replace(inTemplate, "parts/{{inputs", "other/{{inputs", 1)
	if ok, _ := Equal(obj(t, inTask), obj(t, other)); ok {
		t.Error("another location compares equal")
	}
}

func TestHTTPWithoutMethodIsGET(t *testing.T) {
	wf := func(method string) string {
		return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: h-}
spec:
  entrypoint: h
  templates:
  - name: h
    http: {url: "https://example.com"` + method + `}
`
	}
	if ok, err := Equal(obj(t, wf("")), obj(t, wf(", method: GET"))); !ok || err != nil {
		d, _ := Compare(obj(t, wf("")), obj(t, wf(", method: GET")), 0)
		t.Errorf("no method and GET differ: %v %v", d, err)
	}
	if ok, _ := Equal(obj(t, wf("")), obj(t, wf(", method: POST"))); ok {
		t.Error("no method and POST compare equal")
	}
}

func TestSuppliedOutputTakesItsInputsDefault(t *testing.T) {
	wf := func(def string) string {
		return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: s-}
spec:
  entrypoint: s
  templates:
  - name: s
    suspend: {}
    inputs: {parameters: [{name: approve, default: "NO", enum: ["YES", "NO"]}]}
    outputs: {parameters: [{name: approve, valueFrom: {supplied: {}` + def + `}}]}
`
	}
	if ok, err := Equal(obj(t, wf("")), obj(t, wf(`, default: "NO"`))); !ok || err != nil {
		d, _ := Compare(obj(t, wf("")), obj(t, wf(`, default: "NO"`)), 0)
		t.Errorf("the input's default and the same output default differ: %v %v", d, err)
	}
	if ok, _ := Equal(obj(t, wf("")), obj(t, wf(`, default: "YES"`))); ok {
		t.Error("another output default compares equal")
	}
}

func TestEmptyRetryStrategyRetriesForever(t *testing.T) {
	wf := func(rs string) string {
		return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: r-}
spec:
  entrypoint: r
  templates:
  - name: r` + rs + `
    container: {image: a, command: [x]}
`
	}
	if ok, _ := Equal(obj(t, wf("\n    retryStrategy: {}")), obj(t, wf(""))); ok {
		t.Error("retryStrategy: {} (retry without a limit) and no retryStrategy compare equal")
	}
}

// TestInputArtifactsAsArgoPassesThem: the workflow's artifacts are the
// entry template's arguments; passing an input artifact on
// ({{inputs.artifacts.x}}) is passing its source; and an argument replaces
// the input it is given for, the input's own location included (Argo's
// common.ProcessArgs), only its path and mode kept.
func TestInputArtifactsAsArgoPassesThem(t *testing.T) {
	leaf := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: a-}
spec:
  entrypoint: use
  arguments: {artifacts: [{name: k, http: {url: "https://x/k"}}]}
  templates:
  - name: use
    inputs: {artifacts: [{name: k, path: /k, mode: 493}]}
    container: {image: busybox, command: [cat, /k]}
`
	passed := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: a-}
spec:
  entrypoint: main
  arguments: {artifacts: [{name: k, http: {url: "https://x/k"}}]}
  templates:
  - name: main
    inputs: {artifacts: [{name: k}]}
    dag: {tasks: [{name: use, template: use, arguments: {artifacts: [{name: k, from: "{{inputs.artifacts.k}}"}]}}]}
  - name: use
    inputs: {artifacts: [{name: k, path: /k, mode: 493}]}
    container: {image: busybox, command: [cat, /k]}
`
	if d, err := Compare(obj(t, leaf), obj(t, passed), 0); len(d) > 0 || err != nil {
		t.Errorf("passing the workflow's artifact on differs: %v %v", d, err)
	}
	other := strings.Replace(passed, "https://x/k\"}}]}\n  templates", "https://x/other\"}}]}\n  templates", 1)
	if ok, _ := Equal(obj(t, leaf), obj(t, other)); ok {
		t.Errorf("another workflow artifact compares equal")
	}
	// The task's from replaces the template's own location.
	withLoc := strings.Replace(passed, "inputs: {artifacts: [{name: k, path: /k, mode: 493}]}", "inputs: {artifacts: [{name: k, path: /k, mode: 493, s3: {key: ignored}}]}", 1)
	if d, err := Compare(obj(t, leaf), obj(t, withLoc), 0); len(d) > 0 || err != nil {
		t.Errorf("an input's location overridden by its argument differs: %v %v", d, err)
	}
	// A loop item in the input's location is the task's argument.
	itemArg := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: a-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag: {tasks: [{name: use, template: use, withItems: [a, b], arguments: {artifacts: [{name: f, s3: {key: "{{item}}"}}]}}]}
  - name: use
    inputs: {artifacts: [{name: f, path: /f}]}
    container: {image: busybox, command: [cat, /f]}
`
	itemParam := `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: a-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag: {tasks: [{name: use, template: use, withItems: [a, b], arguments: {parameters: [{name: item, value: "{{item}}"}]}}]}
  - name: use
    inputs: {parameters: [{name: item}], artifacts: [{name: f, path: /f, s3: {key: "{{inputs.parameters.item}}"}}]}
    container: {image: busybox, command: [cat, /f]}
`
	if d, err := Compare(obj(t, itemArg), obj(t, itemParam), 0); len(d) > 0 || err != nil {
		t.Errorf("a location from the loop item differs: %v %v", d, err)
	}
}
