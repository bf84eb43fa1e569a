package compiler

import (
	"bytes"
	"path/filepath"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/bench"
)

// TestSharedValuesUnchanged checks that what lowering shares between
// templates (shared_lower.go) is not changed by what reads the objects
// later: each pipeline of every example, every testscript input and a
// generated pipeline large enough to be lowered in parts is compiled,
// validated (the shortcuts and, separately, Argo's validator on the whole
// workflow) and emitted, and then lowered again; the second object must
// emit the same YAML as the first did, and the same YAML again once the
// first has been emitted and validated.
func TestSharedValuesUnchanged(t *testing.T) {
	var inputs []releaseInput
	examples, _ := filepath.Glob("../examples/*.pipe")
	for _, path := range examples {
		inputs = append(inputs, releaseInput{path, DiskSources{}, []string{path}})
	}
	inputs = append(inputs, overlayInput("gen", map[string][]byte{"gen.pipe": []byte(bench.Pipeline("gen", 3*lowerParallelSteps))}))
	inputs = append(inputs, testscriptInputs(t)...)
	pipelines := 0
	for _, in := range inputs {
		for _, full := range []bool{false, true} {
			res := Compile(in.src, in.roots, Options{FullValidation: full})
			for _, o := range res.Outputs {
				pipelines++
				again, diags := Lower(o.Pipeline, nil)
				if diags.HasErrors() {
					continue
				}
				again.Target = o.Object.Target
				got, err := Emit(again)
				if err != nil {
					t.Fatalf("%s: %v", in.name, err)
				}
				if !bytes.Equal(got, o.YAML) {
					t.Errorf("%s (full validation %v): pipeline %s lowered again emits other YAML", in.name, full, o.Pipeline.Name)
				}
				first, err := Emit(o.Object)
				if err != nil || !bytes.Equal(first, o.YAML) {
					t.Errorf("%s (full validation %v): pipeline %s changed once emitted and validated", in.name, full, o.Pipeline.Name)
				}
			}
		}
	}
	if pipelines < 50 {
		t.Errorf("only %d pipelines compiled", pipelines)
	}
}

// TestSharedValuesAreShared checks that the templates of a pipeline's
// steps do share its retry strategy and its env variables' sources (so
// that TestSharedValuesUnchanged tests something), and that a step's own
// retry and env are its own.
func TestSharedValuesAreShared(t *testing.T) {
	obj := compileOne(t, `pipeline p {
  image "alpine"
  retry 3 backoff 10s
  env TOKEN = secret("api", "token")
  step a { run ["true"] }
  step b {
    run ["true"]
    env OWN = secret("own", "key")
  }
  step c {
    run ["true"]
    retry 2
  }
  step d {
    run ["true"]
    memoize off
  }
}`)
	spec := obj.Spec()
	// Steps are memoized unless they say otherwise: a, b and c have retry
	// wrappers, d (memoize off) has its retries on its leaf.
	a, b, d := template(t, spec, "a"), template(t, spec, "b"), template(t, spec, "d")
	aw, bw, cw := template(t, spec, "a"+wrapperSuffix), template(t, spec, "b"+wrapperSuffix), template(t, spec, "c"+wrapperSuffix)
	if aw.RetryStrategy == nil || aw.RetryStrategy != bw.RetryStrategy || aw.RetryStrategy != d.RetryStrategy {
		t.Errorf("the pipeline's retry strategy is not shared")
	}
	if cw.RetryStrategy == aw.RetryStrategy || cw.RetryStrategy.Limit.String() != "2" {
		t.Errorf("step c's own retry: %+v", cw.RetryStrategy)
	}
	source := func(tmpl *wfv1.Template, name string) *apiv1.EnvVarSource {
		for _, e := range tmpl.Container.Env {
			if e.Name == name {
				return e.ValueFrom
			}
		}
		t.Fatalf("template %s has no env %s", tmpl.Name, name)
		return nil
	}
	if source(a, "TOKEN") != source(b, "TOKEN") {
		t.Errorf("the pipeline's env source is not shared")
	}
	if source(b, "OWN") == source(b, "TOKEN") {
		t.Errorf("step b's own env source is the pipeline's")
	}
}
