package compiler

import (
	"strings"
	"testing"

	apiv1 "k8s.io/api/core/v1"
)

func TestCheckTemplateKinds(t *testing.T) {
	runCkCases(t, []ckCase{
		{"suspend with a container statement", `pipeline p { image "a"
  step s { suspend run ["x"] } }`, []string{`2:20: a suspend step runs no container of yours: run does not apply`}},
		{"two kinds", `pipeline p { image "a"
  step s { suspend http GET "https://x" } }`, []string{`2:20: step "s" is already a suspend step; a step runs one thing`}},
		{"suspend memoize on", `pipeline p { image "a"
  step s { suspend memoize on } }`, []string{`2:20: a suspend step is never memoized: a resumed run must ask again`}},
		{"suspend retry", `pipeline p { image "a"
  step s { suspend retry 2 } }`, []string{`2:20: a suspend step cannot be retried`}},
		{"bad suspend duration", `pipeline p { image "a"
  step s { suspend 0s } }`, []string{`2:12: a duration must be greater than zero`}},
		{"supplied outside suspend", `pipeline p { image "a"
  step s { run ["x"] output o = supplied() } }`, []string{`2:33: supplied() outputs are for a suspend step, and "s" is a container step | hint: a container step's outputs are files`}},
		{"default not in enum", `pipeline p { image "a"
  step s { suspend output o = supplied() default "x" one_of ["a", "b"] } }`, []string{`2:50: the default "x" is not one of a, b`}},
		{"one_of on a file output", `pipeline p { image "a"
  step s { run ["x"] output o = file("/tmp/o") one_of ["a"] } }`, []string{`2:55: one_of applies only to supplied() outputs`}},
		{"result of a suspend step", `pipeline p { image "a"
  step s { suspend }
  step t { run ["echo", "${s.result}"] } }`, []string{`3:26: ${s.result}: step "s" is a suspend step and has no standard output`}},
		{"exit code of an http step", `pipeline p { image "a"
  step s { http GET "https://x" }
  step t { run ["echo", "${s.exit_code}"] } }`, []string{`3:26: ${s.exit_code}: step "s" is an HTTP step and has no exit code`}},
		{"unknown action", `pipeline p { image "a"
  step r { resource crate """
apiVersion: v1
kind: ConfigMap
metadata: {name: x}
""" } }`, []string{`2:21: unknown resource action "crate" | hint: did you mean "create"?`}},
		{"manifest without a name", `pipeline p { image "a"
  step r { resource apply """
apiVersion: v1
kind: ConfigMap
""" } }`, []string{`2:27: the manifest has no metadata.name`}},
		{"json patch is a list", `pipeline p { image "a"
  step r { resource patch """{op: add}""" flags ["pod", "x"] merge_strategy json } }`, []string{`2:27: a JSON patch (merge_strategy json) is a list of operations`}},
		{"patch without a name in flags", `pipeline p { image "a"
  step r { resource patch """{metadata: {labels: {a: b}}}""" } }`, []string{`2:27: the manifest has no apiVersion, kind, metadata.name`}},
		{"manifest not yaml", `pipeline p { image "a"
  step r { resource apply "a: [" } }`, []string{`2:27: the manifest is not valid YAML`}},
		{"resource options elsewhere", `pipeline p { image "a"
  step r { run ["x"] success "a" flags ["-x"] } }`, []string{`2:22: success applies only to a resource or an HTTP step, and "r" is a container step`, `2:34: flags applies only to a resource step`}},
		{"merge strategy needs patch", `pipeline p { image "a"
  step r { resource apply """{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}""" merge_strategy json } }`, []string{`merge_strategy applies only to resource patch`}},
		{"json_path on http", `pipeline p { image "a"
  step h { http GET "https://x" output o = json_path("{.a}") } }`, []string{`json_path() outputs are for a resource step, and "h" is an HTTP step | hint: an HTTP step's output is the response body`}},
		{"bad method and url", `pipeline p { image "a"
  step h { http GETT "x" } }`, []string{`2:17: unknown HTTP method "GETT" | hint: did you mean "GET"?`, `2:22: the URL "x" must start with http:// or https://`}},
		{"failure on http", `pipeline p { image "a"
  step h { http GET "https://x" failure "x" } }`, []string{`2:33: failure applies only to a resource step`}},
		{"ready on a suspend step", `pipeline p { image "a"
  step d { suspend ready tcp port 80 } }`, []string{`2:20: ready applies only to a container step, and "d" is a suspend step`}},
		{"bad probes", `pipeline p { image "a"
  step d { image "x" daemon ready http port 80 }
  step e { image "x" daemon ready tcp port 99999 } }`, []string{`2:29: an HTTP readiness probe takes a path and a port`, `3:29: port 99999 is not a TCP port`}},
		{"daemon memoize on", `pipeline p { image "a"
  step d { image "redis" daemon memoize on } }`, []string{`2:33: a daemon step is never memoized`}},
		{"daemoned after a daemon is fine, and its ip", `pipeline p { image "a"
  step d { image "redis" daemon }
  step e after d daemoned { run ["echo", "${d.ip}"] } }`, nil},
		{"entrypoint needs an image", `pipeline p { image "a"
  step d { env A = "1" } }`, []string{`2:8: step "d" has nothing to run | hint: add run ["cmd", "arg"] or script python """...""", or an image "..." of its own`}},
		{"entrypoint", `pipeline p { image "a"
  step d { image "nginx" } }`, nil},
		{"suspend node selector", `pipeline p { image "a"
  step s { suspend node_selector a = "b" } }`, []string{`2:20: a suspend step runs no pod`}},
		{"timeout from a parameter", `pipeline p { image "a" param t = "30s"
  step s { run ["x"] timeout "${t}" } }`, nil},
		{"timeout literal in quotes", `pipeline p { image "a"
  step s { run ["x"] timeout "20s" } }`, []string{`2:30: a timeout known at compile time is written without quotes | hint: write timeout 20s`}},
		{"timeout not a duration", `pipeline p { image "a"
  step s { run ["x"] timeout "soon" } }`, []string{`2:30: timeout "soon" is not a duration`}},
		{"timeout parameter default not a duration", `pipeline p { image "a" param t = "20"
  step s { run ["x"] timeout "${t}" } }`, []string{`1:24: "20" is not a duration, and parameter "t" is the timeout of a step | hint: Argo reads it as a Go duration`}},
		{"timeout template argument not a duration", `pipeline p { image "a"
  step s uses w(t = "1d") }
template w(t: string) { run ["x"] timeout "${t}" }`, []string{`2:21: "1d" is not a duration, and it is the timeout of a step (${t})`}},
		{"timeout of an http step from a parameter", `pipeline p { image "a" param t = "20s"
  step h { http GET "https://x" timeout "${t}" } }`, []string{`2:41: an HTTP step's timeout is its request's timeoutSeconds, a number fixed at compile time`}},
		{"suspend seconds in quotes", `pipeline p { image "a"
  step s { suspend "30" } }`, nil},
		{"suspend text not a duration", `pipeline p { image "a"
  step s { suspend "later" } }`, []string{`2:20: suspend "later" is not a duration`}},
	})
}

func TestLowerTemplateKinds(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  retry 2
  step approve {
    suspend
    // Choose YES to deploy.
    output go = supplied() default "NO" one_of ["YES", "NO"]
  }
  step wait { suspend 90s }
  step job {
    resource create """
apiVersion: batch/v1
kind: Job
metadata: {generateName: pi-}
"""
    success "status.succeeded > 0"
    failure "status.failed > 3"
    set_owner_reference
    flags ["--validate=false"]
    output name = json_path("{.metadata.name}")
  }
  step ping {
    http POST "https://example.com"
    header Authorization = secret("tok", "value")
    body """{"a": 1}"""
    success "response.statusCode == 201"
    timeout 20s
  }
  step db { image "redis:7" daemon ready http "/" port 80 period 3s }
}`)
	spec := obj.Spec()
	a := template(t, spec, "approve")
	if a.Suspend == nil || a.Suspend.Duration != "" || a.Memoize != nil || a.RetryStrategy != nil {
		t.Errorf("approve: %+v", a)
	}
	if in := a.Inputs.Parameters; len(in) != 1 || in[0].Name != "go" || in[0].Default.String() != "NO" || len(in[0].Enum) != 2 || in[0].Description.String() != "Choose YES to deploy." {
		t.Errorf("approve inputs: %+v", in)
	}
	if out := a.Outputs.Parameters; len(out) != 1 || out[0].ValueFrom.Supplied == nil {
		t.Errorf("approve outputs: %+v", out)
	}
	if w := template(t, spec, "wait"); w.Suspend.Duration != "1m30s" {
		t.Errorf("wait duration %q", w.Suspend.Duration)
	}
	j := template(t, spec, "job")
	if r := j.Resource; r == nil || r.Action != "create" || !strings.HasPrefix(r.Manifest, "apiVersion") || r.SuccessCondition != "status.succeeded > 0" ||
		r.FailureCondition != "status.failed > 3" || !r.SetOwnerReference || len(r.Flags) != 1 || j.Memoize != nil || j.RetryStrategy == nil {
		t.Errorf("job: %+v %+v", j, j.Resource)
	}
	if out := j.Outputs.Parameters; len(out) != 1 || out[0].ValueFrom.JSONPath != "{.metadata.name}" {
		t.Errorf("job outputs: %+v", out)
	}
	h := template(t, spec, "ping")
	if h.HTTP == nil || h.HTTP.Method != "POST" || h.HTTP.Body != `{"a": 1}` || h.HTTP.TimeoutSeconds == nil || *h.HTTP.TimeoutSeconds != 20 ||
		h.ActiveDeadlineSeconds != nil || len(h.HTTP.Headers) != 1 || h.HTTP.Headers[0].ValueFrom.SecretKeyRef.Name != "tok" {
		t.Errorf("ping: %+v", h.HTTP)
	}
	d := template(t, spec, "db")
	if d.Daemon == nil || !*d.Daemon || d.Memoize != nil || d.Container.ReadinessProbe.HTTPGet.Path != "/" || d.Container.ReadinessProbe.PeriodSeconds != 3 || len(d.Container.Command) != 0 {
		t.Errorf("db: %+v", d)
	}
	if !hasEnvVar(d.Container.Env, EnvRetryRunID) {
		t.Errorf("db has no %s", EnvRetryRunID)
	}
}

func TestEmitKeepsSuspendAndSupplied(t *testing.T) {
	res, diags := ckCompile(map[string]string{"p.pipe": `pipeline p { step s { suspend output o = supplied() } }`}, "p.pipe")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	y := string(res.Outputs[0].YAML)
	if !strings.Contains(y, "supplied: {}") || !strings.Contains(y, "suspend: {}") {
		t.Errorf("no suspend: {} or supplied: {} in:\n%s", y)
	}
}

func hasEnvVar(env []apiv1.EnvVar, name string) bool {
	for _, e := range env {
		if e.Name == name {
			return true
		}
	}
	return false
}

func TestCheckContinueOn(t *testing.T) {
	runCkCases(t, []ckCase{
		{"continue_on", `pipeline p { image "a"
  step s { run ["x"] continue_on failed } }`, []string{`2:22: continue_on cannot be compiled: Argo rejects continueOn in a DAG whose tasks use depends, as pipec's do | hint: let the steps after s run after s completed (or failed): a failed step does not fail the pipeline when every branch after it ends with a step that ran`}},
	})
}

// timeout "${t}" is Argo's template timeout, read at run time; timeout 20s
// stays the pod's activeDeadlineSeconds.
func TestLowerTimeoutFromParameter(t *testing.T) {
	spec := compileOne(t, `
pipeline p {
  image "alpine"
  step a uses sleep(t = "20s")
  step b { run ["sleep", "1"] timeout 20s }
}
template sleep(t: string) { run ["sleep", "30"] timeout "${t}" }`).Spec()
	a := template(t, spec, "a")
	if a.Timeout != "{{inputs.parameters.t}}" || a.ActiveDeadlineSeconds != nil {
		t.Errorf("a: timeout %q, activeDeadlineSeconds %v", a.Timeout, a.ActiveDeadlineSeconds)
	}
	b := template(t, spec, "b")
	if b.Timeout != "" || b.ActiveDeadlineSeconds == nil || b.ActiveDeadlineSeconds.IntValue() != 20 {
		t.Errorf("b: timeout %q, activeDeadlineSeconds %v", b.Timeout, b.ActiveDeadlineSeconds)
	}
}
