package compiler

import (
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

const artHead = `pipeline p { image "a"
  step make { run ["x"] artifact model at "/tmp/model" artifact report at "/tmp/r" archive none }
`

func TestCheckArtifacts(t *testing.T) {
	runCkCases(t, []ckCase{
		{"ok", artHead + `step use { run ["y"] input model at "/m" from make.model input r at "/r" from "${make.report}" sub_path "x" } }`, nil},
		{"unknown step", artHead + `step use { run ["y"] input model at "/m" from mak.model } }`,
			[]string{`3:47: unknown step "mak" in artifact reference mak.model | hint: did you mean make.model?`}},
		{"unknown artifact", artHead + `step use { run ["y"] input model at "/m" from make.modle } }`,
			[]string{`3:47: step "make" has no artifact "modle" | hint: did you mean make.model?`}},
		{"an output parameter, not an artifact", `pipeline p { image "a"
  step make { run ["x"] output n = file("/tmp/n") }
  step use { run ["y"] input n at "/n" from make.n } }`,
			[]string{`3:45: step "make" has no artifact "n" | hint: make.n is an output parameter: use ${make.n} in a string instead`}},
		{"an artifact in a string", artHead + `step use { run ["${make.model}"] } }`,
			[]string{`step "make" has no output "model" | hint: make.model is an artifact (a file, not a value): take it as an input, input model at "/tmp/model" from make.model`}},
		{"no source", artHead + `step use { run ["y"] input model at "/m" } }`,
			[]string{`3:22: input artifact "model" has no source | hint: add from STEP.ARTIFACT`}},
		{"relative path", artHead + `step use { run ["y"] input model at "m" from make.model } }`,
			[]string{`3:37: artifact path "m" must be absolute | hint: for example "/tmp/m"`}},
		{"sub_path of an archive", artHead + `step use { run ["y"] input model at "/m" from make.model sub_path "a/b" } }`,
			[]string{`3:22: sub_path "a/b" needs the artifact unarchived, but make.model is stored as a tar.gz archive | hint: add archive none to artifact model of step make`}},
		{"own artifact", artHead + `step use { run ["y"] artifact a at "/a" input b at "/b" from use.a } }`,
			[]string{`step "use" cannot take its own artifact use.a`}},
		{"twice", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" artifact a at "/b" } }`,
			[]string{`artifact "a" is declared twice in step "s"`}},
		{"options of the other side", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" mode 0644 input b at "/b" from raw "x" archive none } }`,
			[]string{`mode applies to an input artifact, not to an output`, `archive applies to an output artifact, not to an input`}},
		{"decimal mode", `pipeline p { image "a" step s { run ["x"] input b at "/b" from raw "x" mode 644 } }`,
			[]string{`file mode 644 is decimal; modes are written in octal | hint: write 0644 if you meant octal, as in chmod`}},
		{"compression level", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" archive tar level 12 artifact b at "/b" archive zip level 1 } }`,
			[]string{`the compression level must be 0 (none) to 9 (best), got 12`, `a compression level applies to archive tar only`}},
		{"unknown archive", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" archive tgz } }`,
			[]string{`unknown archive "tgz" | hint: one of: none, tar, zip`}},
		{"location fields", `pipeline p { image "a" step s { run ["x"] input a at "/a" from s3 { bucket: "b", kye: "k", insecure: "yes", access_key_secret: "s" } } }`,
			[]string{`the s3 location needs key | hint: s3 { key: "..." }, or s3 "..." for the key alone`, `s3 has no field "kye" | hint: did you mean key?`, `insecure is true or false, got string`, `access_key_secret is a secret: write secret("name", "key")`}},
		{"unknown location", `pipeline p { image "a" step s { run ["x"] input a at "/a" from s4 "k" } }`,
			[]string{`unknown artifact location "s4" | hint: did you mean "s3"?`}},
		{"read-only location", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" to git "https://x" } }`,
			[]string{`Argo cannot store an output artifact in git`}},
		{"memoized and collected", `pipeline p { image "a" artifact_gc on_completion step s { run ["x"] artifact a at "/a" artifact b at "/b" gc never } }`,
			[]string{`artifact "a" of step "s" is garbage-collected, but the step is memoized`}},
		{"memo off and collected", `pipeline p { image "a" artifact_gc on_completion step s { run ["x"] artifact a at "/a" memoize off } }`, nil},
		{"unknown gc", `pipeline p { image "a" artifact_gc on_success step s { run ["x"] } }`,
			[]string{`unknown artifact gc strategy "on_success"`}},
		{"global names", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" global "m" output o = file("/o") global "m" } }`,
			[]string{`global name "m" is used twice`}},
		{"loop with a fixed location", `pipeline p { image "a"
  step s for i in ["1", "2"] { run ["x"] artifact a at "/a" to s3 "fixed" }
  step t { run ["y"] input a at "/a" from s.a } }`,
			[]string{`step "s" loops, so s.a is one artifact per iteration, but its location is fixed`}},
		{"optional source", `pipeline p { image "a" step s { run ["x"] artifact a at "/a" optional } step t { run ["y"] input a at "/a" from s.a } }`,
			[]string{`artifact s.a is optional, but input "a" is not: the step fails when the artifact was not produced | hint: add optional to the input`}},
		{"from a WorkflowTemplate's step", `pipeline p { image "a" step s uses ref("wt", "t") step t { run ["y"] input a at "/a" from s.anything } }`, nil},
		{"template input given by the call", `template t() { run ["y"] input data at "/d" }
pipeline p { image "a" step s { run ["x"] artifact a at "/a" } step u uses t(data = s.a) step v uses t() }`,
			[]string{`template "t" needs input artifact "data"`}},
	})
}

// TestLowerArtifacts checks the Argo objects of the artifact constructs.
func TestLowerArtifacts(t *testing.T) {
	res, diags := ckCompile(map[string]string{"p.pipe": `template t() { run ["y"] input data at "/d" }
pipeline p { image "a" artifact_repository "repos" key "k"
  step make { retry 2 run ["x"] artifact model at "/m" archive tar level 1 global "model" }
  step loop for i in ["a", "b"] { run ["x"] artifact part at "/p" }
  step use { run ["y"] input model at "/m" from make.model mode 0755 input parts at "/parts" from loop.part }
  step tpl uses t(data = make.model)
  step off { run ["y"] input model at "/m" from make.model memoize off }
}`}, "p.pipe")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	spec := res.Outputs[0].Object.Spec()
	if spec.ArtifactRepositoryRef == nil || spec.ArtifactRepositoryRef.ConfigMap != "repos" || spec.ArtifactRepositoryRef.Key != "k" {
		t.Errorf("artifactRepositoryRef = %+v", spec.ArtifactRepositoryRef)
	}
	tasks := map[string]wfv1.DAGTask{}
	for _, tk := range spec.Templates[0].DAG.Tasks {
		tasks[tk.Name] = tk
	}
	tmpls := map[string]*wfv1.Template{}
	for i := range spec.Templates {
		tmpls[spec.Templates[i].Name] = &spec.Templates[i]
	}
	use := tasks["use"]
	if use.Depends != "make && loop" && use.Depends != "loop && make" {
		t.Errorf("use depends %q", use.Depends)
	}
	if len(use.Arguments.Artifacts) != 1 || use.Arguments.Artifacts[0].From != "{{tasks.make.outputs.artifacts.model}}" {
		t.Errorf("use's artifact arguments %+v", use.Arguments.Artifacts)
	}
	params := map[string]string{}
	for _, p := range use.Arguments.Parameters {
		params[p.Name] = p.Value.String()
	}
	if params["pipec-art-model"] != "{{tasks.make.outputs.parameters.pipec-memo-key}}" || params["pipec-art-parts"] != "{{tasks.loop.outputs.parameters}}" {
		t.Errorf("use's identity parameters %v", params)
	}
	ut := tmpls["use"]
	if !strings.Contains(ut.Memoize.Key, "inputs.parameters['pipec-art-model']") || !strings.Contains(ut.Memoize.Key, "inputs.parameters['pipec-art-parts']") {
		t.Errorf("use's memo key does not cover its artifacts: %s", ut.Memoize.Key)
	}
	if in := ut.Inputs.Artifacts[1]; in.S3 == nil || !strings.HasPrefix(in.S3.Key, "pipec/p/") || !strings.HasSuffix(in.S3.Key, "/loop/part") {
		t.Errorf("fan-in input %+v", in)
	}
	if m := ut.Inputs.Artifacts[0].Mode; m == nil || *m != 0o755 {
		t.Errorf("mode %v", m)
	}
	lt := tmpls["loop"]
	if out := lt.Outputs.Artifacts[0]; out.S3 == nil || !strings.Contains(out.S3.Key, "/loop/part/{{=") || out.Archive == nil || out.Archive.None == nil {
		t.Errorf("looped output %+v", out)
	}
	// make is retried and memoized: the wrapper hands the artifact on.
	w := tmpls["make-with-retry"]
	if w == nil || len(w.Outputs.Artifacts) != 1 || w.Outputs.Artifacts[0].From != "{{steps.run.outputs.artifacts.model}}" {
		t.Fatalf("retry wrapper %+v", w)
	}
	mk := tmpls["make"]
	var key *wfv1.Parameter
	for i, p := range mk.Outputs.Parameters {
		if p.Name == MemoKeyOutput {
			key = &mk.Outputs.Parameters[i]
		}
	}
	if key == nil || key.ValueFrom.Default.String() != mk.Memoize.Key {
		t.Errorf("make's %s output %+v, memo key %s", MemoKeyOutput, key, mk.Memoize.Key)
	}
	if a := mk.Outputs.Artifacts[0]; a.GlobalName != "model" || *a.Archive.Tar.CompressionLevel != 1 {
		t.Errorf("make's artifact %+v", a)
	}
	if tk := tasks["tpl"]; len(tk.Arguments.Artifacts) != 1 || tk.Arguments.Artifacts[0].Name != "data" {
		t.Errorf("template call's artifacts %+v", tk.Arguments.Artifacts)
	}
	for _, p := range tasks["off"].Arguments.Parameters {
		if strings.HasPrefix(p.Name, "pipec-art-") {
			t.Errorf("an unmemoized step gets %s", p.Name)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"accessKeySecret": "access_key_secret", "roleARN": "role_arn", "useSDKCreds": "use_sdk_creds", "key": "key", "sshPrivateKeySecret": "ssh_private_key_secret"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
