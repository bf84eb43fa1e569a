package importer

import (
	"strings"
	"testing"
)

// Container sets (with their own retries and mounts), sidecars, init
// containers and a template's volumes import natively and round-trip.
func TestImportContainers(t *testing.T) {
	res := importString(t, `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: pods-
spec:
  entrypoint: main
  volumes:
  - name: data
    emptyDir: {}
  templates:
  - name: main
    dag:
      tasks:
      - name: set
        template: set
      - name: web
        template: web
        depends: set
  - name: set
    containerSet:
      retryStrategy: {retries: "2", duration: 10s}
      volumeMounts: [{name: data, mountPath: /data}]
      containers:
      - {name: a, image: alpine, command: [echo, a]}
      - {name: main, image: alpine, command: [echo, main], dependencies: [a]}
  - name: web
    volumes:
    - name: cfg
      configMap: {name: web}
    container:
      image: alpine
      command: [wget, "http://127.0.0.1/"]
      volumeMounts: [{name: cfg, mountPath: /etc/web}]
      resources: {limits: {memory: 32Mi}}
    initContainers:
    - {name: prep, image: alpine, command: ["true"], mirrorVolumeMounts: true}
    sidecars:
    - name: nginx
      image: nginx
      command: [nginx]
      readinessProbe: {httpGet: {path: /, port: 80}, timeoutSeconds: 2}
`, Options{})
	if len(res.Diags) > 0 {
		t.Fatalf("diagnostics: %v", res.Diags)
	}
	got := string(res.Pipe)
	for _, want := range []string{
		"retry_containers 2 backoff 10s",
		"mount data at \"/data\"",
		"container a {\n      run [\"echo\", \"a\"]\n    }",
		"container main after a {",
		"volume cfg = config_map(\"web\")",
		"memory limit \"32Mi\"",
		"init prep {\n      run [\"true\"]\n      mirror_volume_mounts\n    }",
		"sidecar nginx {\n      image \"nginx\"\n      run [\"nginx\"]\n      ready http \"/\" port 80 timeout 2s\n    }",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if o := res.Objects[0]; !o.Native() || o.Verbatim {
		t.Errorf("not native: raw %v, inexpressible %v", o.Raw, o.Inexpressible)
	}
}
