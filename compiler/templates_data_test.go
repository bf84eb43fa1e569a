package compiler

import "testing"

func TestCheckDataSteps(t *testing.T) {
	runCkCases(t, []ckCase{
		{"unlistable location", `pipeline p { image "a"
  step s { data b from http "https://x" } }`, []string{`2:24: Argo cannot list the files of an http location | hint: a data step lists s3, gcs, azure, oss`}},
		{"earlier step's artifact", `pipeline p { image "a"
  step s { data b from t.out } }`, []string{`2:24: a data step lists the files of an artifact location; it cannot take an earlier step's artifact`}},
		{"container statement", `pipeline p { image "a"
  step s { data b from s3 { bucket: "x" } run ["x"] } }`, []string{`2:43: a data step runs no container of yours: run does not apply`}},
		{"memoize on", `pipeline p { image "a"
  step s { data b from s3 { bucket: "x" } memoize on } }`, []string{`2:43: a data step is never memoized`}},
		{"bad expression", `pipeline p { image "a"
  step s { data b from s3 { bucket: "x" } filter "# ==" } }`, []string{`2:54: invalid filter expression`}},
		{"references", `pipeline p { image "a"
  step s { data b from s3 { bucket: "x" } map "${x}" } }`, []string{`2:47: a data step's expression is evaluated by Argo as it is`}},
		{"empty", `pipeline p { image "a"
  step s { data b from s3 { bucket: "x" } transform "" } }`, []string{`2:53: the transform expression is empty`}},
		{"filter in a container step", `pipeline p { image "a"
  step s { run ["x"] filter "true" } }`, []string{`2:22: filter applies only to a data step, and "s" is a container step`}},
		{"two kinds", `pipeline p { image "a"
  step s { suspend data b from s3 { bucket: "x" } } }`, []string{`2:20: step "s" is already a suspend step; a step runs one thing`}},
		{"file output", `pipeline p { image "a"
  step s { data b from s3 { bucket: "x" } output o = file("/o") } }`, []string{`file() outputs are for a container step, and "s" is a data step | hint: a data step's output is its transformed list, ${step.result}`}},
	})
}

func TestLowerDataSteps(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  param bucket = "logs"
  retry 2
  step list {
    filter "# endsWith 'main.log'"
    data files from s3 { bucket: "${bucket}" }
    map "# + '!'"
    transform "sort(data)"
    node_selector disk = "ssd"
  }
  step use { run ["echo", "${list.result}"] }
}`)
	spec := obj.Spec()
	l := template(t, spec, "list")
	if l.Data == nil || l.Container != nil || l.Memoize != nil || l.RetryStrategy == nil || l.NodeSelector["disk"] != "ssd" {
		t.Fatalf("list: %+v", l)
	}
	ap := l.Data.Source.ArtifactPaths
	if ap == nil || ap.Name != "files" || ap.S3 == nil || ap.S3.Bucket != "{{inputs.parameters.bucket}}" {
		t.Errorf("source: %+v", l.Data.Source)
	}
	want := []string{"filter(data, {# endsWith 'main.log'})", "map(data, {# + '!'})", "sort(data)"}
	if len(l.Data.Transformation) != len(want) {
		t.Fatalf("transformation: %+v", l.Data.Transformation)
	}
	for i, w := range want {
		if got := l.Data.Transformation[i].Expression; got != w {
			t.Errorf("transformation %d = %q, want %q", i, got, w)
		}
	}
	u := template(t, spec, "use")
	if len(u.Inputs.Parameters) != 1 {
		t.Errorf("use inputs: %+v", u.Inputs.Parameters)
	}
}

func TestTransformStmtOf(t *testing.T) {
	for _, c := range []struct{ expr, kind, src string }{
		{`filter(data, {# endsWith "main.log"})`, "filter", `# endsWith "main.log"`},
		{`map(data, {# + "x"})`, "map", `# + "x"`},
		{`filter(data, {# > 1}) + map(data, {#})`, "transform", `filter(data, {# > 1}) + map(data, {#})`},
		{`sort(data)`, "transform", `sort(data)`},
	} {
		if k, s := TransformStmtOf(c.expr); k != c.kind || s != c.src {
			t.Errorf("TransformStmtOf(%q) = %q, %q", c.expr, k, s)
		}
	}
}
