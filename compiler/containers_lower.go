// Containers, lowered: a step's container set, sidecars, init containers
// and pod volumes become the fields of its Argo template.

package compiler

import (
	"iter"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
)

// lowerContainers writes a body's container blocks and volumes into its
// template; main is the step's own container, whose mounts are the
// container set's when the step runs one.
func (l *lowerer) lowerContainers(p *Pipeline, b *Body, tmpl *wfv1.Template, main *apiv1.Container, inner func(*Text) string) {
	if len(b.Containers) > 0 {
		set := &wfv1.ContainerSetTemplate{VolumeMounts: main.VolumeMounts, RetryStrategy: b.SetRetry}
		for _, cs := range b.Containers {
			set.Containers = append(set.Containers, wfv1.ContainerNode{Container: l.blockContainer(p, cs, inner), Dependencies: cs.After})
		}
		tmpl.ContainerSet = set
	}
	user := func(cs *ContainerSpec) wfv1.UserContainer {
		u := wfv1.UserContainer{Container: l.blockContainer(p, cs, inner)}
		if cs.Mirror {
			yes := true
			u.MirrorVolumeMounts = &yes
		}
		return u
	}
	for _, cs := range b.Sidecars {
		tmpl.Sidecars = append(tmpl.Sidecars, user(cs))
	}
	for _, cs := range b.Inits {
		tmpl.InitContainers = append(tmpl.InitContainers, user(cs))
	}
	for _, v := range b.Volumes {
		tmpl.Volumes = append(tmpl.Volumes, apiv1.Volume{Name: v.Name, VolumeSource: v.Source})
	}
}

// blockContainer is the container of a container block, with its name,
// readiness probe and security context.
func (l *lowerer) blockContainer(p *Pipeline, cs *ContainerSpec, inner func(*Text) string) apiv1.Container {
	c := l.containerOf(p, cs.Body, inner)
	c.Name = cs.Name
	c.ReadinessProbe = cs.Body.Ready
	for _, s := range cs.Body.Settings {
		if s.Name == "security_context" {
			stepSettingDefs[s.Name].apply(stepSettingTarget{tmpl: &wfv1.Template{}, container: &c}, s.Value)
		}
	}
	return c
}

// podContainers returns pointers to every container of a leaf template
// that runs user code: its container or script, its container set's
// containers, its sidecars and init containers. Each gets pipec's retry
// environment.
//
// It is an iterator, so that walking them allocates nothing.
func podContainers(t *wfv1.Template) iter.Seq[*apiv1.Container] {
	return func(yield func(*apiv1.Container) bool) {
		if t.Container != nil && !yield(t.Container) {
			return
		}
		if t.Script != nil && !yield(&t.Script.Container) {
			return
		}
		if t.ContainerSet != nil {
			for i := range t.ContainerSet.Containers {
				if !yield(&t.ContainerSet.Containers[i].Container) {
					return
				}
			}
		}
		for i := range t.InitContainers {
			if !yield(&t.InitContainers[i].Container) {
				return
			}
		}
		for i := range t.Sidecars {
			if !yield(&t.Sidecars[i].Container) {
				return
			}
		}
	}
}
