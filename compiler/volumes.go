// Volumes: `volume name = pvc(...)|empty_dir()|...` declarations.

package compiler

import (
	"strings"

	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/pipec/pipec/diag"
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
	p.Volumes = append(p.Volumes, c.volumeOf(s))
}

// accessModes are the access modes of a PersistentVolumeClaim.
var accessModes = []string{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}

// volumeOf checks a volume declaration.
func (c *checker) volumeOf(s *dsl.VolumeStmt) *Volume {
	name := s.Name.Name
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
		if len(args) == 0 {
			c.errorf(s.Source, `new_pvc() takes a size and, optionally, access modes: new_pvc("1Gi", "ReadWriteMany")`)
			break
		}
		if _, err := resource.ParseQuantity(args[0]); err != nil {
			c.errorf(s.Source.Args[0], "invalid size %q: %v", args[0], err).WithHint(`for example "1Gi"`)
		}
		vol.ClaimSize = args[0]
		for i, m := range args[1:] {
			if !contains(accessModes, m) {
				d := c.errorf(s.Source.Args[i+1], "unknown access mode %q", m)
				if sug := diag.Suggest(m, accessModes); sug != "" {
					d.WithHint("did you mean %q?", sug)
				} else {
					d.WithHint("one of: %s", strings.Join(accessModes, ", "))
				}
			}
			vol.AccessModes = append(vol.AccessModes, m)
		}
		if s.StorageClass != nil {
			vol.StorageClass = s.StorageClass.Value()
			c.objectName(s.StorageClass, vol.StorageClass, "storage class")
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
	if s.StorageClass != nil && call != "new_pvc" {
		c.errorf(s.StorageClass, "storage_class applies only to new_pvc(...)")
	}
	return vol
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

// claimSpec is the spec of a new_pvc volume's claim template.
func claimSpec(v *Volume) apiv1.PersistentVolumeClaimSpec {
	spec := apiv1.PersistentVolumeClaimSpec{
		Resources: apiv1.VolumeResourceRequirements{Requests: apiv1.ResourceList{apiv1.ResourceStorage: resource.MustParse(v.ClaimSize)}},
	}
	for _, m := range v.AccessModes {
		spec.AccessModes = append(spec.AccessModes, apiv1.PersistentVolumeAccessMode(m))
	}
	if len(spec.AccessModes) == 0 {
		spec.AccessModes = []apiv1.PersistentVolumeAccessMode{apiv1.ReadWriteOnce}
	}
	if v.StorageClass != "" {
		sc := v.StorageClass
		spec.StorageClassName = &sc
	}
	return spec
}
