// Volumes: `volume name = pvc(...)|empty_dir()|...` declarations.

package compiler

import (
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/pipec/pipec/dsl"
)

func (c *checker) volume(p *Pipeline, s *dsl.VolumeStmt) {
	name := s.Name.Name
	for _, v := range p.Volumes {
		if v.Name == name {
			c.errorf(s.Name, "volume %q is declared twice", name)
			return
		}
	}
	vol := &Volume{Name: argoName(name), Decl: s}
	args := c.stringArgs(s.Source)
	call := s.Source.Name.Name
	need := func(n int) bool {
		if len(args) != n {
			c.errorf(s.Source, "%s() takes %d argument(s), got %d", call, n, len(args))
			return false
		}
		return true
	}
	switch call {
	case "pvc":
		if need(1) {
			c.objectName(s.Source.Args[0], args[0], "claim")
			vol.Source.PersistentVolumeClaim = &apiv1.PersistentVolumeClaimVolumeSource{ClaimName: args[0]}
		}
	case "new_pvc":
		if need(1) {
			if _, err := resource.ParseQuantity(args[0]); err != nil {
				c.errorf(s.Source.Args[0], "invalid size %q: %v", args[0], err).WithHint(`for example "1Gi"`)
			}
			vol.ClaimSize = args[0]
		}
	case "empty_dir":
		if need(0) {
			vol.Source.EmptyDir = &apiv1.EmptyDirVolumeSource{}
		}
	case "config_map":
		if need(1) {
			c.objectName(s.Source.Args[0], args[0], "config map")
			vol.Source.ConfigMap = &apiv1.ConfigMapVolumeSource{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}}
		}
	case "secret":
		if need(1) {
			c.objectName(s.Source.Args[0], args[0], "secret")
			vol.Source.Secret = &apiv1.SecretVolumeSource{SecretName: args[0]}
		}
	default:
		c.unknownWord(s.Source.Name, "volume source", []string{"pvc", "new_pvc", "empty_dir", "config_map", "secret"})
	}
	p.Volumes = append(p.Volumes, vol)
}

func (c *checker) stringArgs(call *dsl.Call) []string {
	out := make([]string, 0, len(call.Args))
	for _, a := range call.Args {
		if a.Str == nil {
			c.errorf(a, "%s(): arguments must be strings, got %s", call.Name.Name, a.Kind())
			out = append(out, "")
			continue
		}
		out = append(out, a.Str.Value())
	}
	return out
}
