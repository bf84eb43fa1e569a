package compiler

import (
	"testing"
)

func TestCheckContainers(t *testing.T) {
	runCkCases(t, []ckCase{
		{"duplicate container", `pipeline p { image "a"
  step s {
    container a { run ["x"] }
    container a { run ["y"] }
  } }`, []string{`4:15: container "a" is declared twice in step "s" (first at p.pipe:3:15)`}},
		{"sidecar and init share a name", `pipeline p { image "a"
  step s { run ["x"] sidecar db { run ["y"] } init db { run ["z"] } } }`, []string{`2:52: container "db" is declared twice`}},
		{"unknown dependency", `pipeline p { image "a"
  step s {
    container build { run ["x"] }
    container test after biuld { run ["y"] }
  } }`, []string{`4:26: unknown container "biuld" in step "s" | hint: did you mean "build"?`}},
		{"self dependency", `pipeline p { image "a"
  step s { container a after a { run ["x"] } } }`, []string{`2:30: container "a" cannot run after itself`}},
		{"cycle", `pipeline p { image "a"
  step s {
    container a after b { run ["x"] }
    container b after a { run ["y"] }
  } }`, []string{`4:23: container dependency cycle in step "s": a -> b -> a`}},
		{"after on a sidecar", `pipeline p { image "a"
  step s { run ["x"] sidecar db after x { run ["y"] } } }`, []string{`2:39: after applies only to a container of a container set; a sidecar has no dependencies`}},
		{"reserved name", `pipeline p { image "a"
  step s { run ["x"] init wait { run ["y"] } } }`, []string{`2:27: container name "wait" is Argo's own`}},
		{"main as a sidecar", `pipeline p { image "a"
  step s { run ["x"] sidecar main { run ["y"] } } }`, []string{`2:30: container name "main" is the step's own container`}},
		{"mount of an unknown volume", `pipeline p { image "a"
  volume data = empty_dir()
  step s { run ["x"] sidecar db { mount dta at "/d" } } }`, []string{`3:41: unknown volume "dta" | hint: did you mean "data"?`}},
		{"mount of a step volume", `pipeline p { image "a"
  step s { run ["x"] mount w at "/w" volume w = empty_dir() sidecar db { mount w at "/w" } } }`, nil},
		{"run in a container set step", `pipeline p { image "a"
  step s { run ["x"] container a { run ["y"] } } }`, []string{`2:12: step "s" runs a container set: run belongs in one of its container blocks`}},
		{"statement not in a container", `pipeline p { image "a"
  step s { container a { run ["y"] retry 2 } } }`, []string{`2:36: retry does not apply in a container block`}},
		{"script in a sidecar", `pipeline p { image "a"
  step s { run ["x"] sidecar a { script sh "echo" } } }`, []string{`2:34: script does not apply in a sidecar block`}},
		{"mirror in a container set", `pipeline p { image "a"
  step s { container a { run ["y"] mirror_volume_mounts } } }`, []string{`2:36: mirror_volume_mounts applies only to a sidecar or an init container`}},
		{"mirror in a step", `pipeline p { image "a"
  step s { run ["y"] mirror_volume_mounts } }`, []string{`2:22: mirror_volume_mounts applies only in a sidecar or init block`}},
		{"outputs without main", `pipeline p { image "a"
  step s { container a { run ["y"] } output o = file("/tmp/o") } }`, []string{`2:8: step "s" has outputs but its container set has no container named main`}},
		{"no image", `pipeline p {
  step s { image "a" run ["x"] } 
  step t { container a { run ["y"] } } }`, []string{`3:22: container "a" has no image`}},
		{"new_pvc in a step", `pipeline p { image "a"
  step s { run ["x"] volume v = new_pvc("1Gi") } }`, []string{`2:33: new_pvc() makes a claim for the whole run: declare it in the pipeline`}},
		{"bad access mode", `pipeline p { image "a"
  volume v = new_pvc("1Gi", "ReadWriteMnay")
  step s { run ["x"] mount v at "/v" } }`, []string{`2:29: unknown access mode "ReadWriteMnay" | hint: did you mean "ReadWriteMany"?`}},
		{"storage class on a pvc", `pipeline p { image "a"
  volume v = pvc("x") storage_class "fast"
  step s { run ["x"] mount v at "/v" } }`, []string{`2:37: storage_class applies only to new_pvc(...)`}},
		{"dynamic resources in a sidecar", `pipeline p { image "a"
  param c = "1"
  step s { run ["x"] sidecar db { cpu "${c}" } } }`, []string{`3:30: the resources of sidecar "db" take their quantity from a reference`}},
		{"gpu limit alone", `pipeline p { image "a"
  step s { run ["x"] gpu limit 1 } }`, []string{`2:32: a gpu count is already a limit`}},
		{"container set daemon", `pipeline p { image "a"
  step s { daemon container a { run ["y"] } } }`, []string{`2:12: a container set step cannot be a daemon`}},
		{"retry_containers without a set", `pipeline p { image "a"
  step s { run ["x"] retry_containers 2 } }`, []string{`2:22: retry_containers applies only to a container set step`}},
		{"retry_containers in a container", `pipeline p { image "a"
  step s { container a { run ["x"] retry_containers 2 } } }`, []string{`2:36: retry_containers does not apply in a container block`}},
		{"retry_containers zero", `pipeline p { image "a"
  step s { retry_containers 0 container a { run ["x"] } } }`, []string{`2:29: retry_containers takes 1 or more retries, got 0`}},
		{"bad container name", `pipeline p { image "a"
  step s { run ["x"] sidecar Web { run ["y"] } } }`, []string{`2:30: invalid container name "Web"`}},
	})
}

func TestLowerContainers(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  env TEAM = "data"
  param cpu = "250m"
  volume shared = new_pvc("1Gi", "ReadWriteMany") storage_class "fast"
  step set {
    mount shared at "/shared"
    retry 2
    retry_containers 3 backoff 5s
    container a { run ["echo", "a"] }
    container main after a {
      image "busybox"
      run ["sh", "-c", "echo hi > /tmp/o"]
      memory limit 32Mi
      security_context { run_as_user: 1000 }
    }
    output o = file("/tmp/o")
  }
  step web {
    run ["wget", "http://127.0.0.1/"]
    pod_spec_patch """{"containers":[{"name":"main","resources":{"limits":{"cpu":"${cpu}"}}}]}"""
    volume cfg = config_map("web")
    mount cfg at "/etc/web"
    init prep { run ["true"] mirror_volume_mounts }
    sidecar nginx { image "nginx" ready http "/" port 80 timeout 2s }
  }
}`)
	spec := obj.Spec()
	s := template(t, spec, "set")
	cs := s.ContainerSet
	if cs == nil || len(cs.Containers) != 2 || s.Container != nil {
		t.Fatalf("set: %+v", s)
	}
	if a, m := cs.Containers[0], cs.Containers[1]; a.Name != "a" || a.Image != "alpine" || m.Name != "main" || m.Image != "busybox" ||
		len(m.Dependencies) != 1 || m.Dependencies[0] != "a" || m.Resources.Limits.Memory().String() != "32Mi" ||
		m.SecurityContext == nil || *m.SecurityContext.RunAsUser != 1000 {
		t.Errorf("set containers: %+v", cs.Containers)
	}
	if r := cs.RetryStrategy; r == nil || r.Retries.String() != "3" || r.Duration != "5s" {
		t.Errorf("set retry strategy: %+v", r)
	}
	if len(cs.VolumeMounts) != 1 || cs.VolumeMounts[0].Name != "shared" {
		t.Errorf("set mounts: %+v", cs.VolumeMounts)
	}
	for _, c := range cs.Containers {
		if !hasEnvVar(c.Env, EnvRetryRunID) || !hasEnvVar(c.Env, EnvRetryIndicator) || !hasEnvVar(c.Env, "TEAM") {
			t.Errorf("container %s env: %+v", c.Name, c.Env)
		}
	}
	// A container set is memoized like a container; its retries are on a
	// wrapper template, as for every memoized, retried step.
	if s.Memoize == nil {
		t.Errorf("set is not memoized")
	}
	template(t, spec, "set-with-retry")
	w := template(t, spec, "web")
	if len(w.InitContainers) != 1 || w.InitContainers[0].MirrorVolumeMounts == nil || !*w.InitContainers[0].MirrorVolumeMounts || w.InitContainers[0].Image != "alpine" {
		t.Errorf("init: %+v", w.InitContainers)
	}
	if len(w.Sidecars) != 1 || w.Sidecars[0].ReadinessProbe.TimeoutSeconds != 2 || w.Sidecars[0].Image != "nginx" {
		t.Errorf("sidecars: %+v", w.Sidecars)
	}
	for _, c := range append(w.InitContainers, w.Sidecars...) {
		if !hasEnvVar(c.Env, EnvRetryRunID) || !hasEnvVar(c.Env, EnvRetryIndicator) {
			t.Errorf("%s has no retry env: %+v", c.Name, c.Env)
		}
	}
	if w.PodSpecPatch != `{"containers":[{"name":"main","resources":{"limits":{"cpu":"{{inputs.parameters.cpu}}"}}}]}` {
		t.Errorf("pod spec patch %q", w.PodSpecPatch)
	}
	if len(w.Volumes) != 1 || w.Volumes[0].ConfigMap == nil || w.Volumes[0].Name != "cfg" {
		t.Errorf("volumes: %+v", w.Volumes)
	}
	if len(spec.VolumeClaimTemplates) != 1 {
		t.Fatalf("claims: %+v", spec.VolumeClaimTemplates)
	}
	if c := spec.VolumeClaimTemplates[0].Spec; len(c.AccessModes) != 1 || c.AccessModes[0] != "ReadWriteMany" || *c.StorageClassName != "fast" {
		t.Errorf("claim: %+v", c)
	}
}

func TestCheckContainersInTemplates(t *testing.T) {
	runCkCases(t, []ckCase{
		{"run beside a template's container set", `template pair() {
  run ["x"]
  container a { image "x" run ["a"] }
}
pipeline p { step s uses pair() }`, []string{`2:3: step "s" runs a container set: run belongs in one of its container blocks`}},
		{"a template's sidecar uses its parameter", `template db(name: string) {
  image "alpine"
  run ["x"]
  sidecar pg { image "postgres" env DB = "${name}" }
}
pipeline p { step s uses db(name = "app") }`, nil},
	})
}
