// Step settings that map to one field of a step's Argo template or
// container (`security_context {...}`, `pod_spec_patch """..."""`,
// `priority_class "high"`, ...), synchronization (`mutex`, `semaphore`,
// in a step or a pipeline), and resources whose quantity comes from a
// reference (`cpu "${cpu}"`), which Argo takes only through a pod spec
// patch. One table, stepSettingDefs, says for each step setting what value
// it takes and where it goes; its keywords are dsl.StepSettingStmt's
// (TestStepSettingKeywords keeps them equal).

package compiler

import (
	"encoding/json"
	"sort"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/dsl"
)

// stepSettingTarget is what a step setting writes to.
type stepSettingTarget struct {
	tmpl      *wfv1.Template
	container *apiv1.Container // the main (or script) container
}

type stepSettingDef struct {
	doc   string
	check func(c *checker, v *dsl.Value, what string) (any, bool)
	apply func(t stepSettingTarget, v any)
}

var stepSettingDefs = map[string]stepSettingDef{
	"security_context": stepStruct("the security context of the step's container (container.securityContext)",
		func(t stepSettingTarget, v *apiv1.SecurityContext) { t.container.SecurityContext = v }),
	"pod_security_context": stepStruct("the security context of the step's pod (template securityContext)",
		func(t stepSettingTarget, v *apiv1.PodSecurityContext) { t.tmpl.SecurityContext = v }),
	"pod_spec_patch": {doc: "a YAML or JSON patch merged into the step's pod spec (template podSpecPatch)", check: checkPodSpecPatch,
		apply: func(t stepSettingTarget, v any) { t.tmpl.PodSpecPatch = v.(string) }},
	"affinity": stepStruct("the scheduling affinity of the step's pod (template affinity)",
		func(t stepSettingTarget, v *apiv1.Affinity) { t.tmpl.Affinity = v }),
	"priority_class": stepString("the PriorityClass of the step's pod (template priorityClassName)",
		func(t stepSettingTarget, v string) { t.tmpl.PriorityClassName = v }),
	"scheduler_name": stepString("the scheduler of the step's pod (template schedulerName)",
		func(t stepSettingTarget, v string) { t.tmpl.SchedulerName = v }),
	"host_aliases": stepStruct("extra /etc/hosts entries of the step's pod (template hostAliases)",
		func(t stepSettingTarget, v *[]apiv1.HostAlias) { t.tmpl.HostAliases = *v }),
	"service_account": stepString("the service account of the step's pod (template serviceAccountName)",
		func(t stepSettingTarget, v string) { t.tmpl.ServiceAccountName = v }),
	"archive_logs": {doc: "archive the step's logs in the artifact repository (template archiveLocation.archiveLogs)",
		check: checkBool,
		apply: func(t stepSettingTarget, v any) {
			b := v.(bool)
			t.tmpl.ArchiveLocation = &wfv1.ArtifactLocation{ArchiveLogs: &b}
		}},
	"metrics": stepStruct("Prometheus metrics of the step, { prometheus: [{ name: ..., help: ..., labels: [{ key: ..., value: \"${x}\" }], counter: { value: \"1\" } }] }; {{status}} and {{duration}} are Argo's (template metrics)",
		func(t stepSettingTarget, v *wfv1.Metrics) { t.tmpl.Metrics = v }),
	"display_name": {doc: "the name Argo's UI and CLI show for the step's node, \"os-${image}\" (template annotations workflows.argoproj.io/display-name)",
		check: checkString, apply: func(stepSettingTarget, any) {}},
	"automount_service_account_token": {doc: "mount the service account token in the step's pod (template automountServiceAccountToken)",
		check: checkBool,
		apply: func(t stepSettingTarget, v any) { b := v.(bool); t.tmpl.AutomountServiceAccountToken = &b }},
}

func checkBool(c *checker, v *dsl.Value, what string) (any, bool) {
	if v.Bool == nil {
		c.errorf(v, "%s takes true or false, got %s", what, v.Kind())
		return nil, false
	}
	return *v.Bool == "true", true
}

func stepStruct[T any](doc string, apply func(stepSettingTarget, *T)) stepSettingDef {
	return stepSettingDef{doc: doc,
		check: func(c *checker, v *dsl.Value, what string) (any, bool) { return decodeStruct[T](c, v, what) },
		apply: func(t stepSettingTarget, v any) { apply(t, v.(*T)) }}
}

func stepString(doc string, apply func(stepSettingTarget, string)) stepSettingDef {
	return stepSettingDef{doc: doc, check: checkString, apply: func(t stepSettingTarget, v any) { apply(t, v.(string)) }}
}

// StepSettingNames lists the step settings, sorted.
func StepSettingNames() []string { return keys(stepSettingDefs) }

// StepSettingDoc is the one-sentence description of a step setting.
func StepSettingDoc(name string) string { return stepSettingDefs[name].doc }

// stepSetting checks one step setting statement into the body.
func (c *checker) stepSetting(b *Body, s *dsl.StepSettingStmt) {
	def := stepSettingDefs[s.Name]
	if def.check == nil {
		c.errorf(s, "pipec does not know the step setting %q", s.Name)
		return
	}
	if v, ok := def.check(c, s.Value, s.Name); ok {
		b.extra().Settings = append(b.Settings, &Setting{Name: s.Name, Value: v})
	}
}

// applyStepSettings writes a body's settings, synchronization and
// parameterised resources into its leaf template.
func applyStepSettings(b *Body, tmpl *wfv1.Template, inner func(*Text) string) {
	t := stepSettingTarget{tmpl: tmpl, container: tmpl.Container}
	if tmpl.Script != nil {
		t.container = &tmpl.Script.Container
	}
	for _, s := range b.Settings {
		stepSettingDefs[s.Name].apply(t, s.Value)
	}
	resolveMetricTexts(b, tmpl, inner)
	if b.DisplayName != nil {
		tmpl.Annotations = map[string]string{string(wfv1.TemplateAnnotationDisplayName): inner(b.DisplayName)}
	}
	tmpl.Synchronization = b.Sync
	if len(b.DynResources) > 0 {
		tmpl.PodSpecPatch = resourcePatch(b.DynResources, inner)
	}
	if b.PodSpecPatch != nil {
		tmpl.PodSpecPatch = inner(b.PodSpecPatch)
	}
}

// DynResource is a resource request or limit whose quantity is a reference,
// known only at run time.
type DynResource struct {
	Name  string // cpu, memory, nvidia.com/gpu
	Limit bool
	Value *Text
}

// resourcePatch is the pod spec patch that sets the main container's
// run-time resources. Argo resolves its {{...}} before patching the pod.
func resourcePatch(rs []*DynResource, inner func(*Text) string) string {
	res := map[string]map[string]string{}
	for _, r := range rs {
		kind := "requests"
		if r.Limit {
			kind = "limits"
		}
		if res[kind] == nil {
			res[kind] = map[string]string{}
		}
		res[kind][r.Name] = inner(r.Value)
	}
	patch := map[string]any{"containers": []any{map[string]any{"name": "main", "resources": res}}}
	out, _ := json.Marshal(patch)
	return string(out)
}

// dynResource reads a resource quantity that uses ${...}; it reports false
// when v is not such a string.
func (c *checker) dynResource(sc *scope, b *Body, name string, limit bool, v *dsl.Value) bool {
	if v == nil || v.Str == nil || !strings.Contains(v.Str.Value(), "${") {
		return false
	}
	b.extra().DynResources = append(b.DynResources, &DynResource{Name: name, Limit: limit, Value: c.text(sc, v.Str)})
	return true
}

// checkStepPatches reports a step that sets pod_spec_patch and also has
// parameterised resources, which need the patch for themselves.
func (c *checker) checkStepPatches(st *Step) {
	b := st.Body
	if b == nil || len(b.DynResources) == 0 {
		return
	}
	if b.PodSpecPatch != nil {
		c.errorf(st.Decl.Name, "step %q sets pod_spec_patch and takes a resource from a reference, which pipec compiles to a pod spec patch of its own", st.Name).
			WithHint("put the resources into the pod_spec_patch, with ${...} references")
		return
	}
	for _, s := range b.Settings {
		if s.Name == "pod_spec_patch" {
			c.errorf(st.Decl.Name, "step %q sets pod_spec_patch and takes a resource from a reference, which pipec compiles to a pod spec patch of its own", st.Name).
				WithHint("put the resources into the pod_spec_patch, with Argo's {{inputs.parameters...}} or {{workflow.parameters...}}")
			return
		}
	}
}

// sync checks a mutex or semaphore statement into *out.
func (c *checker) sync(out **wfv1.Synchronization, s *dsl.SyncStmt) {
	if *out == nil {
		*out = &wfv1.Synchronization{}
	}
	ns := ""
	if s.Namespace != nil {
		ns = c.literalOnly(s.Namespace, "a namespace")
		if !isDNSLabel(ns) {
			c.errorf(s.Namespace, "invalid namespace %q", ns)
		}
	}
	switch s.Kind {
	case "mutex":
		if s.Value.Str == nil {
			c.errorf(s.Value, "a mutex takes a name, got %s", s.Value.Kind()).WithHint(`mutex "nightly-load"`)
			return
		}
		name := c.literalOnly(s.Value.Str, "a mutex name")
		if name == "" {
			c.errorf(s.Value, "a mutex name cannot be empty")
			return
		}
		(*out).Mutexes = append((*out).Mutexes, &wfv1.Mutex{Name: name, Namespace: ns, Database: s.Database})
	case "semaphore":
		ref := &wfv1.SemaphoreRef{Namespace: ns}
		switch {
		case s.Database && s.Value.Str != nil:
			ref.Database = &wfv1.SyncDatabaseRef{Key: c.literalOnly(s.Value.Str, "a semaphore key")}
		case !s.Database && s.Value.Call != nil && s.Value.Call.Name.Name == "config_map":
			args := c.stringArgs(s.Value.Call)
			if len(args) != 2 || args[0] == "" || args[1] == "" {
				c.errorf(s.Value, "config_map takes the ConfigMap's name and the key that holds the limit").WithHint(`semaphore config_map("limits", "etl")`)
				return
			}
			ref.ConfigMapKeyRef = &apiv1.ConfigMapKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
		default:
			c.errorf(s.Value, "a semaphore takes config_map(\"name\", \"key\") (its limit is in a ConfigMap) or database \"key\"").
				WithHint(`semaphore config_map("limits", "etl") or semaphore database "etl"`)
			return
		}
		(*out).Semaphores = append((*out).Semaphores, ref)
	}
}

// stepSettingsDocTable is the Markdown table of docs/language.md's step
// settings (TestStepSettingsDoc keeps it current).
func stepSettingsDocTable() string {
	var b strings.Builder
	b.WriteString("| step setting | value |\n|---|---|\n")
	names := StepSettingNames()
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("| `" + n + "` | " + stepSettingDefs[n].doc + ". |\n")
	}
	return b.String()
}
