package importer

import (
	"sync"

	"github.com/pipec/pipec/compiler"
)

// The language grows while Argo's catalogue stays: a construct is written
// natively only if the compiler in this build accepts it, which a small
// probe pipeline tells once per process. Without it the importer keeps the
// construct in raw, as before the language had it.

type feature int

const (
	featSuspend           feature = iota // suspend [D]
	featAfterExpr                        // after a failed || b
	featEntrypoint                       // a step with only an image
	featStepSettings                     // pod_spec_patch and the like in a step
	featSync                             // mutex and semaphore
	featDashNames                        // parameter and output names with -
	featArtifacts                        // input and artifact statements
	featResource                         // resource steps
	featDaemon                           // daemon steps with ready probes
	featStepFields                       // ${step.status}, exit_code, ip, ...
	featContainers                       // container sets, sidecars, init containers (containers.go)
	featTimeoutText                      // timeout "${t}" (kinds.go)
	featRetryRefs                        // retry 1 when "${s.result} == x" (kinds.go)
	featRetryForever                     // retry forever
	featResourceFlagsOnly                // resource delete flags [...] (no manifest)
	featureCount
)

var featureProbes = [featureCount]string{
	featSuspend:           `pipeline p { step s { suspend } }`,
	featAfterExpr:         `pipeline p { image "x" step a { run ["x"] } step b { run ["x"] } step c after a failed || b { run ["x"] } }`,
	featEntrypoint:        `pipeline p { step s { image "x" } }`,
	featStepSettings:      `pipeline p { step s { image "x" run ["x"] priority_class "p" } }`,
	featDashNames:         `pipeline p { param a-b = "x" step s { image "x" run ["${a-b}"] output o-p = file("/o") } step t { image "x" run ["${s.o-p}"] } }`,
	featArtifacts:         `pipeline p { image "x" step s { run ["x"] artifact a at "/a" } step t { run ["x"] input a at "/a" from s.a } }`,
	featResource:          "pipeline p { step s { resource create \"\"\"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n\"\"\" output o = json_path(\"{.metadata.name}\") } }",
	featDaemon:            `pipeline p { step s { image "x" daemon ready tcp port 80 delay 5s } step t after s { image "x" run ["${s.ip}"] } }`,
	featStepFields:        `pipeline p { step s { image "x" run ["x"] } step t after s { image "x" run ["${s.status}", "${s.exit_code}"] } }`,
	featSync:              `pipeline p { mutex "m" step s { image "x" run ["x"] semaphore config_map("c", "k") } }`,
	featTimeoutText:       `pipeline p { param t = "1m" step s { image "x" run ["x"] timeout "${t}" } }`,
	featRetryRefs:         `pipeline p { param t = "1" step s { image "x" run ["x"] retry 1 when "${t} == 1" memoize off } }`,
	featRetryForever:      `pipeline p { step s { image "x" run ["x"] retry forever } }`,
	featResourceFlagsOnly: `pipeline p { step s { resource delete flags ["configmap", "x"] } }`,
	featContainers:        `pipeline p { image "x" step s { run ["x"] memory limit "1Gi" volume v = empty_dir() sidecar a { ready tcp port 1 timeout 1s mount v at "/v" } } step t { container a { image "y" } container b after a { image "y" } } }`,
}

var (
	featureOnce sync.Once
	featureOK   [featureCount]bool
)

// languageHas reports whether the language accepts a construct.
func languageHas(f feature) bool {
	featureOnce.Do(func() {
		for i, src := range featureProbes {
			res := compiler.Compile(compiler.Overlay{Files: map[string][]byte{"probe.pipe": []byte(src)}},
				[]string{"probe.pipe"}, compiler.Options{SkipValidate: true, SkipEmit: true})
			featureOK[i] = !res.Diags.HasErrors()
		}
	})
	return featureOK[f]
}
