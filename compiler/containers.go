// Containers of a step's pod beyond its own: a container set (`container
// NAME [after ...] { ... }`: several containers in one pod, each after the
// ones it names), sidecars (`sidecar NAME { ... }`), init containers
// (`init NAME { ... }`), and volumes of one step's pod (`volume` in a step).
// The checker reads them here; containers_lower.go makes the Argo fields.

package compiler

import (
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Container kinds, as written.
const (
	containerInSet = "container"
	containerSide  = "sidecar"
	containerInit  = "init"
)

// ContainerSpec is one container block of a step: a container of its
// container set, a sidecar or an init container.
type ContainerSpec struct {
	Kind   string // container, sidecar or init
	Name   string // the Kubernetes container name
	After  []string
	Body   *Body // image, command, args, env, resources, mounts, workdir, ready, settings
	Mirror bool  // mirror_volume_mounts
	Decl   *dsl.ContainerDecl
}

// reservedContainerNames are the names of the containers Argo adds to a
// pod (its executor's), which a sidecar or init container cannot take;
// "main" is the step's own container.
var reservedContainerNames = []string{"init", "wait"}

// containerDecl checks a container block into the step's body.
func (c *checker) containerDecl(sc *scope, st *Step, d *dsl.ContainerDecl) {
	b := st.Body
	name := containerName(d.Name.Name)
	for _, prev := range b.allContainers() {
		if prev.Name == name {
			c.errorf(d.Name, "container %q is declared twice in step %q (first at %s)", d.Name.Name, st.Name, prev.Decl.Name.Range()).
				WithHint("every container of a pod needs its own name")
			return
		}
	}
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		c.errorf(d.Name, "invalid container name %q: %s", d.Name.Name, errs[0]).WithHint("container names are lower case letters, digits and -")
	}
	switch {
	case contains(reservedContainerNames, name):
		c.errorf(d.Name, "container name %q is Argo's own (its executor's container)", name).WithHint("choose another name")
	case name == "main" && d.Kind != containerInSet:
		c.errorf(d.Name, "container name %q is the step's own container", name).WithHint("choose another name")
	}
	spec := &ContainerSpec{Kind: d.Kind, Name: name, Decl: d, Body: newBody()}
	if len(d.After) > 0 && d.Kind != containerInSet {
		c.errorf(d.After[0], "after applies only to a container of a container set; %s has no dependencies", aKindWord(d.Kind)).
			WithHint("an init container runs before the step's container, a sidecar beside it")
	}
	for _, a := range d.After {
		spec.After = append(spec.After, containerName(a.Name))
	}
	inner := &Step{Name: st.Name + "." + d.Name.Name, ArgoName: st.ArgoName, Decl: st.Decl, Pipeline: st.Pipeline, Body: spec.Body}
	var items []*dsl.StepItem
	for _, it := range d.Items {
		if it.Stmt == nil {
			continue
		}
		if _, ok := it.Stmt.(*dsl.MirrorStmt); ok {
			if d.Kind == containerInSet {
				c.errorf(it.Stmt, "mirror_volume_mounts applies only to a sidecar or an init container").
					WithHint("mount the volumes in this container, or in the step for every container of the set")
			} else if spec.Mirror {
				c.errorf(it.Stmt, "mirror_volume_mounts is set twice in %s %q", kindWord(d.Kind), d.Name.Name)
			}
			spec.Mirror = true
			continue
		}
		if what := notInContainer(it.Stmt); what != "" {
			c.errorf(it.Stmt, "%s does not apply in %s block", what, aBlock(d.Kind)).
				WithHint("%s block takes image, run, args, env, cpu, memory, gpu, mount, workdir, ready and security_context; put %s in the step", aBlock(d.Kind), what)
			continue
		}
		items = append(items, it)
	}
	c.body(sc, inner, items)
	if len(spec.Body.DynResources) > 0 {
		c.errorf(d.Name, "the resources of %s %q take their quantity from a reference, which only the step's own container can", kindWord(d.Kind), d.Name.Name).
			WithHint("give a quantity such as \"500m\", or put the resources into the step's pod_spec_patch")
	}
	switch d.Kind {
	case containerInSet:
		b.extra().Containers = append(b.Containers, spec)
	case containerSide:
		b.extra().Sidecars = append(b.Sidecars, spec)
	case containerInit:
		b.extra().Inits = append(b.Inits, spec)
	}
}

// containerName is the Kubernetes name of a container block: its name
// with _ as -.
func containerName(name string) string { return strings.ReplaceAll(name, "_", "-") }

// aKindWord is kindWord with its article.
func aKindWord(kind string) string {
	if kind == containerInit {
		return "an init container"
	}
	return "a " + kindWord(kind)
}

// aBlock names a container block with its article: "an init block".
func aBlock(kind string) string {
	if kind == containerInit {
		return "an init block"
	}
	return "a " + kind + " block"
}

// kindWord names a container kind in messages.
func kindWord(kind string) string {
	switch kind {
	case containerSide:
		return "sidecar"
	case containerInit:
		return "init container"
	}
	return "container"
}

// notInContainer names a statement that has no meaning in a container
// block, or returns "".
func notInContainer(n dsl.StepStmt) string {
	switch s := n.(type) {
	case *dsl.RunStmt, *dsl.ImageStmt, *dsl.EnvStmt, *dsl.ResourceStmt, *dsl.MountStmt, *dsl.WorkdirStmt, *dsl.ReadyStmt:
		return ""
	case *dsl.StepSettingStmt:
		if s.Name == "security_context" {
			return ""
		}
		return s.Name
	case *dsl.ScriptStmt:
		return "script"
	case *dsl.ContainerDecl:
		return s.Kind
	}
	if k := stmtKeyword(n); k != "" {
		return k
	}
	return "this statement"
}

// stmtKeyword is the keyword a statement starts with.
func stmtKeyword(n dsl.StepStmt) string {
	switch s := n.(type) {
	case *dsl.OutputStmt:
		return "output"
	case *dsl.RetryStmt:
		return "retry"
	case *dsl.MemoizeStmt:
		return "memoize"
	case *dsl.TimeoutStmt:
		return "timeout"
	case *dsl.LabelStmt:
		return s.Kind
	case *dsl.NodeSelectorStmt:
		return "node_selector"
	case *dsl.TolerationStmt:
		return "toleration"
	case *dsl.RawStmt:
		return "raw"
	case *dsl.SyncStmt:
		return s.Kind
	case *dsl.InputStmt:
		return "input"
	case *dsl.ArtifactStmt:
		return "artifact"
	case *dsl.VolumeStmt:
		return "volume"
	case *dsl.SwitchStmt:
		return s.Kind
	case *dsl.SubStep:
		return "step"
	case *dsl.SubStage:
		return "stage"
	case *dsl.ContainerRetryStmt:
		return "retry_containers"
	}
	return ""
}

// containerRetry checks a container set's retry_containers statement.
func (c *checker) containerRetry(b *Body, s *dsl.ContainerRetryStmt) {
	b.extra().setRetry = s
	r := &wfv1.ContainerSetRetryStrategy{}
	if n, ok := c.intValue(s.Limit, "the number of container retries"); ok {
		if n < 1 {
			c.errorf(s.Limit, "retry_containers takes 1 or more retries, got %d", n)
		}
		v := intstr.FromInt(n)
		r.Retries = &v
	}
	if s.Backoff != nil {
		if d, ok := c.duration(s.Backoff); ok {
			r.Duration = d.String()
		}
	}
	b.extra().SetRetry = r
}

// allContainers returns a body's container blocks of every kind.
func (b *Body) allContainers() []*ContainerSpec {
	out := append(append([]*ContainerSpec{}, b.Containers...), b.Sidecars...)
	return append(out, b.Inits...)
}

// stepVolume checks a volume of one step's pod (template volumes).
func (c *checker) stepVolume(sc *scope, st *Step, s *dsl.VolumeStmt) {
	name := argoName(s.Name.Name)
	for _, v := range append(append([]*Volume{}, sc.p.Volumes...), st.Body.Volumes...) {
		if v.Name == name {
			c.errorf(s.Name, "volume %q is declared twice (first at %s)", s.Name.Name, v.Decl.Name.Range())
			return
		}
	}
	v := c.volumeOf(s)
	if v.ClaimSize != "" {
		c.errorf(s.Source, "new_pvc() makes a claim for the whole run: declare it in the pipeline").
			WithHint(`a step's own volume is one of pvc("claim"), empty_dir(), config_map("name"), secret("name")`)
		return
	}
	st.Body.extra().Volumes = append(st.Body.Volumes, v)
}

// stepVolumeNames are the names of the volumes a step body declares.
func stepVolumeNames(items []*dsl.StepItem) []string {
	var out []string
	for _, it := range items {
		if v, ok := it.Stmt.(*dsl.VolumeStmt); ok {
			out = append(out, argoName(v.Name.Name))
		}
	}
	return out
}

// finishContainers checks a step's container blocks once its whole body is
// read: a container set's dependencies and images, what a container set
// step cannot have of its own, and the images of sidecars and init
// containers.
func (c *checker) finishContainers(st *Step) {
	b := st.Body
	if b == nil {
		return
	}
	p := st.Pipeline
	image := b.Image
	if image == nil {
		image = p.Image
	}
	for _, cs := range b.allContainers() {
		if cs.Body.Image == nil {
			if image == nil {
				c.errorf(cs.Decl.Name, "%s %q has no image", kindWord(cs.Kind), cs.Decl.Name.Name).
					WithHint(`set image "..." in it, in the step, or a default image in the pipeline`)
			}
			cs.Body.Image = image
		}
		for _, ev := range p.Env {
			if !hasEnv(cs.Body.Env, ev.Name) {
				cs.Body.Env = append([]*EnvVar{ev}, cs.Body.Env...)
			}
		}
	}
	if len(b.Containers) == 0 {
		if b.setRetry != nil {
			c.errorf(b.setRetry, "retry_containers applies only to a container set step").
				WithHint("retry retries a step's pod; retry_containers restarts a failed container of a container set")
		}
		return
	}
	if b.Kind != "" {
		c.errorf(b.Containers[0].Decl, "step %q is %s step; a container set runs containers of yours", st.Name, aKind(b.Kind)).WithHint("split it into two steps")
		return
	}
	for _, it := range c.stepItems(st) {
		switch s := it.Stmt.(type) {
		case *dsl.RunStmt, *dsl.ScriptStmt, *dsl.EnvStmt, *dsl.ResourceStmt, *dsl.WorkdirStmt, *dsl.ReadyStmt:
			c.errorf(s, "step %q runs a container set: %s belongs in one of its container blocks", st.Name, containerStmtWord(s)).
				WithHint("move it into the container that needs it")
		case *dsl.StepSettingStmt:
			if s.Name == "security_context" {
				c.errorf(s, "step %q runs a container set: security_context belongs in its container blocks", st.Name).
					WithHint("set it in each container (pod_security_context is the pod's)")
			}
		case *dsl.SwitchStmt:
			if s.Kind == "daemon" {
				c.errorf(s, "a container set step cannot be a daemon").WithHint("make the daemon a step of its own")
			}
		}
	}
	names := map[string]*ContainerSpec{}
	var all []string
	for _, cs := range b.Containers {
		names[cs.Name] = cs
		all = append(all, cs.Name)
	}
	for _, cs := range b.Containers {
		for i, a := range cs.After {
			switch {
			case a == cs.Name:
				c.errorf(cs.Decl.After[i], "container %q cannot run after itself", cs.Decl.Name.Name)
			case names[a] == nil:
				d := c.errorf(cs.Decl.After[i], "unknown container %q in step %q", cs.Decl.After[i].Name, st.Name)
				if s := diag.Suggest(a, all); s != "" {
					d.WithHint("did you mean %q?", s)
				} else {
					d.WithHint("the containers of this step are: %s", strings.Join(all, ", "))
				}
			}
		}
	}
	c.containerCycle(st, names)
	if names["main"] == nil && (len(st.Outputs) > 0 || len(st.Artifacts.Outputs) > 0) {
		c.errorf(st.Decl.Name, "step %q has outputs but its container set has no container named main, whose outputs Argo collects", st.Name).
			WithHint("call the container that writes the outputs main")
	}
}

// containerStmtWord is the keyword of a container statement.
func containerStmtWord(n dsl.StepStmt) string {
	if w := containerStmt(n); w != "" {
		return w
	}
	if _, ok := n.(*dsl.ReadyStmt); ok {
		return "ready"
	}
	return "this statement"
}

// containerCycle reports a dependency cycle among a container set's
// containers, where it closes.
func (c *checker) containerCycle(st *Step, names map[string]*ContainerSpec) {
	state := map[string]int{} // 1: on the path, 2: done
	var path []string
	var visit func(cs *ContainerSpec) bool
	visit = func(cs *ContainerSpec) bool {
		state[cs.Name] = 1
		path = append(path, cs.Name)
		for i, a := range cs.After {
			next := names[a]
			if next == nil || a == cs.Name {
				continue
			}
			switch state[a] {
			case 1:
				start := 0
				for j, n := range path {
					if n == a {
						start = j
					}
				}
				cycle := append(append([]string{}, path[start:]...), a)
				c.errorf(cs.Decl.After[i], "container dependency cycle in step %q: %s", st.Name, strings.Join(cycle, " -> "))
				return true
			case 0:
				if visit(next) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		state[cs.Name] = 2
		return false
	}
	for _, cs := range st.Body.Containers {
		if state[cs.Name] == 0 && visit(cs) {
			return
		}
	}
}
