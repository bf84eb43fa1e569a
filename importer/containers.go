package importer

import (
	"fmt"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
)

// The containers of a pod beyond a template's own: a containerSet's
// containers, sidecars and init containers become container blocks; a
// template's volumes become volume statements of the step. Whatever has no
// pipec form stays in raw, field by field.

// containerSetBody converts a containerSet template into container blocks
// and the set's mounts; ok is false when some part has no pipec form (the
// caller then keeps the whole set in raw).
func (c *conv) containerSetBody(tn string, v any, sc *scope) ([]string, bool, error) {
	set, ok := v.(map[string]any)
	if !ok || !languageHas(featContainers) {
		return nil, false, nil
	}
	var out []string
	for k := range set {
		if k != "containers" && k != "volumeMounts" && k != "retryStrategy" {
			return nil, false, nil
		}
	}
	if rs, ok := set["retryStrategy"]; ok {
		line, ok := containerRetryStmt(rs)
		if !ok {
			return nil, false, nil
		}
		out = append(out, line)
	}
	if vm, ok := set["volumeMounts"]; ok {
		lines, ok := mountStmts(vm, c.volNames)
		if !ok || !c.volumes {
			return nil, false, nil
		}
		out = append(out, c.listComments(lines, c.tp(tn, "containerSet", "volumeMounts")...)...)
	}
	list := jsontree.List(set["containers"])
	if len(list) == 0 {
		return nil, false, nil
	}
	for _, ct := range list {
		block, ok, err := c.containerBlock(tn, "container", ct, sc, c.image)
		if err != nil || !ok {
			return nil, false, err
		}
		out = append(out, block)
	}
	return out, true, nil
}

// podExtras converts a container template's sidecars, init containers and
// volumes, deleting from t what it converted. It runs before the
// template's own container, whose mounts may name the template's volumes.
func (c *conv) podExtras(tn string, t map[string]any, sc *scope) ([]string, error) {
	if !languageHas(featContainers) {
		return nil, nil
	}
	var out []string
	// A sidecar or init container without an image takes the step's.
	inherited := c.image
	for _, k := range []string{"container", "script"} {
		if m, ok := t[k].(map[string]any); ok {
			if im, ok := m["image"].(string); ok {
				inherited = im
			}
		}
	}
	if vols := jsontree.List(t["volumes"]); len(vols) > 0 && c.volumes {
		lines, names, ok := c.templateVolumes(vols)
		if ok {
			out = append(out, c.listComments(lines, c.tp(tn, "volumes")...)...)
			for _, n := range names {
				c.volNames[n] = true
				c.tmplVols = append(c.tmplVols, n)
			}
			delete(t, "volumes")
		}
	}
	for _, f := range []struct{ field, kind string }{{"initContainers", "init"}, {"sidecars", "sidecar"}} {
		list := jsontree.List(t[f.field])
		if len(list) == 0 {
			continue
		}
		var blocks []string
		for _, ct := range list {
			block, ok, err := c.containerBlock(tn, f.kind, ct, sc, inherited)
			if err != nil {
				return nil, err
			}
			if !ok {
				blocks = nil
				break
			}
			blocks = append(blocks, block)
		}
		if blocks != nil {
			out = append(out, blocks...)
			delete(t, f.field)
		}
	}
	return out, nil
}

// endPodExtras forgets the template's volumes once its body is converted:
// another template's mounts cannot name them.
func (c *conv) endPodExtras() {
	for _, n := range c.tmplVols {
		delete(c.volNames, n)
	}
	c.tmplVols = nil
}

// templateVolumes converts a template's volumes (the sources spec.volumes
// has too).
func (c *conv) templateVolumes(vols []any) ([]string, []string, bool) {
	var out, names []string
	for _, v := range vols {
		line, name, ok := volumeStmt(v)
		if !ok || c.volNames[name] {
			return nil, nil, false
		}
		out = append(out, line)
		names = append(names, name)
	}
	return out, names, true
}

// containerBlock converts one container of a pod into a block of kind
// container, sidecar or init; ok is false when it has a field without a
// pipec form. A block whose image is inherited (the step's) says none.
func (c *conv) containerBlock(tn, kind string, v any, sc *scope, inherited string) (string, bool, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false, nil
	}
	ct := jsontree.Copy(m).(map[string]any)
	name, _ := ct["name"].(string)
	if !isIdent(name) || strings.Contains(name, "_") {
		return "", false, nil
	}
	delete(ct, "name")
	header := kind + " " + name
	if deps := jsontree.List(ct["dependencies"]); len(deps) > 0 {
		if kind != "container" {
			return "", false, nil
		}
		var names []string
		for _, d := range deps {
			s, _ := d.(string)
			if !isIdent(s) {
				return "", false, nil
			}
			names = append(names, s)
		}
		header += " after " + strings.Join(names, ", ")
	}
	delete(ct, "dependencies")
	var extra []string
	if mv, ok := ct["mirrorVolumeMounts"].(bool); ok && kind != "container" {
		if mv {
			extra = append(extra, "mirror_volume_mounts")
		}
		delete(ct, "mirrorVolumeMounts")
	}
	if p, ok := ct["readinessProbe"]; ok {
		line, ok := readyStmt(p)
		if !ok {
			return "", false, nil
		}
		extra = append(extra, line)
		delete(ct, "readinessProbe")
	}
	if sc2, ok := ct["securityContext"]; ok {
		line, ok := settingLine(settingMap{"securityContext", "security_context", structForm, nil}, sc2)
		if !ok {
			return "", false, nil
		}
		extra = append(extra, line)
		delete(ct, "securityContext")
	}
	image, _ := ct["image"].(string)
	if image == "" {
		return "", false, nil
	}
	lines, rest, err := c.container(tn, "container", ct, sc)
	if err != nil {
		if _, ok := err.(*notNative); ok {
			return "", false, nil
		}
		return "", false, err
	}
	if len(rest) > 0 {
		return "", false, nil
	}
	if image == inherited {
		lines = dropImageLine(lines)
	} else if !hasImageLine(lines) {
		v, err := c.text(image, sc)
		if err != nil {
			return "", false, nil
		}
		lines = append([]string{"image " + quote(v)}, lines...)
	}
	lines = append(lines, extra...)
	return header + " {\n" + strings.Join(lines, "\n") + "\n}", true, nil
}

func dropImageLine(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "image ") {
			out = append(out, l)
		}
	}
	return out
}

func hasImageLine(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "image ") {
			return true
		}
	}
	return false
}

// volumeStmt converts one volume of a pod to a volume statement.
func volumeStmt(v any) (string, string, bool) {
	vm, _ := v.(map[string]any)
	name, _ := vm["name"].(string)
	if len(vm) != 2 || !isIdent(name) {
		return "", "", false
	}
	var src string
	switch {
	case vm["persistentVolumeClaim"] != nil:
		pvc, _ := vm["persistentVolumeClaim"].(map[string]any)
		cn, ok := pvc["claimName"].(string)
		if !ok || len(pvc) != 1 {
			return "", "", false
		}
		src = "pvc(" + quote(cn) + ")"
	case vm["emptyDir"] != nil:
		if ed, _ := vm["emptyDir"].(map[string]any); len(ed) != 0 {
			return "", "", false
		}
		src = "empty_dir()"
	case vm["configMap"] != nil:
		cm, _ := vm["configMap"].(map[string]any)
		n, ok := cm["name"].(string)
		if !ok || len(cm) != 1 {
			return "", "", false
		}
		src = "config_map(" + quote(n) + ")"
	case vm["secret"] != nil:
		sm, _ := vm["secret"].(map[string]any)
		n, ok := sm["secretName"].(string)
		if !ok || len(sm) != 1 {
			return "", "", false
		}
		src = "secret(" + quote(n) + ")"
	default:
		return "", "", false
	}
	return "volume " + name + " = " + src, name, true
}

// claimStmt converts one of spec.volumeClaimTemplates to a new_pvc volume:
// its size, access modes and storage class.
func claimStmt(v any) (string, string, bool) {
	vm, _ := v.(map[string]any)
	md, _ := vm["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	spec, _ := vm["spec"].(map[string]any)
	res, _ := spec["resources"].(map[string]any)
	req, _ := res["requests"].(map[string]any)
	size, _ := scalarText(req["storage"])
	if len(vm) != 2 || len(md) != 1 || !isIdent(name) || len(res) != 1 || len(req) != 1 || size == "" {
		return "", "", false
	}
	args := []string{quote(size)}
	modes := jsontree.List(spec["accessModes"])
	for _, m := range modes {
		s, _ := m.(string)
		if s == "" {
			return "", "", false
		}
		args = append(args, quote(s))
	}
	if len(modes) == 1 && modes[0] == "ReadWriteOnce" {
		args = args[:1] // the default
	}
	line := "volume " + name + " = new_pvc(" + strings.Join(args, ", ") + ")"
	for k, v := range spec {
		switch k {
		case "resources":
		case "accessModes":
			if len(modes) == 0 {
				return "", "", false
			}
		case "storageClassName":
			s, _ := v.(string)
			if s == "" {
				return "", "", false
			}
			line += " storage_class " + quote(s)
		default:
			return "", "", false
		}
	}
	if len(modes) == 0 {
		return "", "", false // pipec writes ReadWriteOnce when none is given
	}
	if (len(args) > 1 || strings.Contains(line, "storage_class")) && !languageHas(featContainers) {
		return "", "", false
	}
	return line, name, true
}

// podSpecPatchStmt converts a template's podSpecPatch that uses Argo's
// references: pipec interpolates ${...} in it.
func (c *conv) podSpecPatchStmt(t map[string]any, sc *scope) (string, bool) {
	s, ok := t["podSpecPatch"].(string)
	if !ok || !strings.Contains(s, "{{") || c.rawSettings || !languageHas(featContainers) || !languageHas(featStepSettings) {
		return "", false
	}
	v, err := c.text(s, sc)
	if err != nil || strings.Contains(v, "{{") {
		return "", false
	}
	delete(t, "podSpecPatch")
	return "pod_spec_patch " + quoteSource(v), true
}

// readyOf converts the readiness probe left in raw of a container that is
// not a daemon's (a daemon's is converted with its daemon statement),
// deleting it from raw.
func readyOf(raw map[string]any, kind string) (string, bool) {
	ct, ok := raw[kind].(map[string]any)
	if !ok || ct["readinessProbe"] == nil || !languageHas(featContainers) {
		return "", false
	}
	line, ok := readyStmt(ct["readinessProbe"])
	if !ok {
		return "", false
	}
	delete(ct, "readinessProbe")
	if len(ct) == 0 {
		delete(raw, kind)
	}
	return line, true
}

// containerRetryStmt converts a containerSet's retryStrategy (retries and
// the duration between them).
func containerRetryStmt(v any) (string, bool) {
	rs, _ := v.(map[string]any)
	n, ok := intValue(rs["retries"])
	if !ok || n < 1 {
		return "", false
	}
	line := fmt.Sprintf("retry_containers %d", n)
	for k, v := range rs {
		switch k {
		case "retries":
		case "duration":
			d, ok := duration(v)
			if !ok {
				return "", false
			}
			line += " backoff " + d
		default:
			return "", false
		}
	}
	return line, true
}
