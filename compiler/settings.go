// Pipeline settings that map one to one to a field of the Argo object
// (`security_context {...}`, `archive_logs true`, `concurrency_policy
// forbid`, ...): one table, settingDefs, says for each name what value it
// takes and where it goes. Adding such a field is one entry here and its
// keyword in dsl/ast_settings.go (TestSettingKeywords keeps them equal).

package compiler

import (
	"fmt"
	"sort"
	"strings"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/dsl"
)

// Setting is one checked pipeline setting: its statement and its decoded
// value, of the type its definition's check returns.
type Setting struct {
	Name  string
	Stmt  *dsl.SettingStmt
	Value any
}

// settingTarget is what a setting writes to when the pipeline is lowered.
type settingTarget struct {
	meta *metav1.ObjectMeta
	spec *wfv1.WorkflowSpec
	cron *wfv1.CronWorkflowSpec // nil unless the pipeline has a schedule
	// entry is the name of pipec's entry template (Pipeline.EntryName).
	entry string
}

type settingDef struct {
	doc   string // one sentence, for docs/language.md and hover
	cron  bool   // only in a scheduled pipeline (a CronWorkflow)
	check func(c *checker, v *dsl.Value, what string) (any, bool)
	apply func(t settingTarget, v any)
}

// settingDefs is the table of pipeline settings, by keyword.
var settingDefs = map[string]settingDef{
	"security_context": structSetting("the pod security context of every step (spec.securityContext)",
		func(t settingTarget, v *apiv1.PodSecurityContext) { t.spec.SecurityContext = v }),
	"dns_config": structSetting("DNS settings of every pod (spec.dnsConfig)",
		func(t settingTarget, v *apiv1.PodDNSConfig) { t.spec.DNSConfig = v }),
	"dns_policy": enumSetting("the DNS policy of every pod (spec.dnsPolicy)",
		map[string]string{"cluster_first": "ClusterFirst", "cluster_first_with_host_net": "ClusterFirstWithHostNet", "default": "Default", "none": "None"},
		func(t settingTarget, v string) { t.spec.DNSPolicy = (*apiv1.DNSPolicy)(&v) }),
	"host_aliases": structSetting("extra /etc/hosts entries of every pod, a list of { ip: \"...\", hostnames: [...] } (spec.hostAliases)",
		func(t settingTarget, v *[]apiv1.HostAlias) { t.spec.HostAliases = *v }),
	"affinity": structSetting("the scheduling affinity of every pod (spec.affinity)",
		func(t settingTarget, v *apiv1.Affinity) { t.spec.Affinity = v }),
	"scheduler_name": stringSetting("the Kubernetes scheduler of every pod (spec.schedulerName)",
		func(t settingTarget, v string) { t.spec.SchedulerName = v }),
	"priority_class": stringSetting("the PriorityClass of every pod (spec.podPriorityClassName)",
		func(t settingTarget, v string) { t.spec.PodPriorityClassName = v }),
	"host_network": boolSetting("run every pod on the host's network (spec.hostNetwork)",
		func(t settingTarget, v bool) { t.spec.HostNetwork = &v }),
	"automount_service_account_token": boolSetting("mount the service account token in every pod (spec.automountServiceAccountToken)",
		func(t settingTarget, v bool) { t.spec.AutomountServiceAccountToken = &v }),
	"executor_service_account": stringSetting("the service account of the executor containers (spec.executor.serviceAccountName)",
		func(t settingTarget, v string) { t.spec.Executor = &wfv1.ExecutorConfig{ServiceAccountName: v} }),
	"pod_disruption_budget": structSetting("a PodDisruptionBudget for the workflow's pods, e.g. { min_available: 1 } (spec.podDisruptionBudget)",
		func(t settingTarget, v *policyv1.PodDisruptionBudgetSpec) { t.spec.PodDisruptionBudget = v }),
	"pod_spec_patch": {doc: "a YAML or JSON patch merged into every pod's spec (spec.podSpecPatch)", check: checkPodSpecPatch,
		apply: func(t settingTarget, v any) { t.spec.PodSpecPatch = v.(string) }},
	"pod_metadata": structSetting("labels and annotations of every pod, { labels: {...}, annotations: {...} } (spec.podMetadata)",
		func(t settingTarget, v *wfv1.Metadata) { t.spec.PodMetadata = v }),
	"workflow_metadata": structSetting("labels and annotations of the running Workflow, with labels_from expressions (spec.workflowMetadata)",
		func(t settingTarget, v *wfv1.WorkflowMetadata) { t.spec.WorkflowMetadata = v }),
	"template_defaults": structSetting("fields every template of the workflow starts from (spec.templateDefaults)",
		func(t settingTarget, v *wfv1.Template) { t.spec.TemplateDefaults = v }),
	"step_timeout": {doc: "the default timeout of every step that sets none (each step's activeDeadlineSeconds)", check: checkDurationSetting},
	"volume_claim_gc": enumSetting("when the workflow's new_pvc() claims are deleted (spec.volumeClaimGC)",
		map[string]string{"on_workflow_completion": "OnWorkflowCompletion", "on_workflow_success": "OnWorkflowSuccess"},
		func(t settingTarget, v string) {
			t.spec.VolumeClaimGC = &wfv1.VolumeClaimGC{Strategy: wfv1.VolumeClaimGCStrategy(v)}
		}),
	"archive_logs": boolSetting("archive the logs of every step in the artifact repository (spec.archiveLogs)",
		func(t settingTarget, v bool) { t.spec.ArchiveLogs = &v }),
	"shutdown": enumSetting("stop or terminate the workflow (spec.shutdown)",
		map[string]string{"stop": "Stop", "terminate": "Terminate"},
		func(t settingTarget, v string) { t.spec.Shutdown = wfv1.ShutdownStrategy(v) }),
	"metrics": structSetting("Prometheus metrics of the workflow, { prometheus: [{ name: ..., help: ..., gauge: { value: ... } }] } (spec.metrics)",
		func(t settingTarget, v *wfv1.Metrics) { t.spec.Metrics = v }),
	"name": {doc: "a fixed name for the Workflow instead of a generated one (metadata.name)", check: checkObjectName,
		apply: func(t settingTarget, v any) { t.meta.Name, t.meta.GenerateName = v.(string), "" }},
	"workflow_template_ref": stringSetting("run the WorkflowTemplate of this name with the pipeline's parameters (spec.workflowTemplateRef)",
		func(t settingTarget, v string) { t.spec.WorkflowTemplateRef = &wfv1.WorkflowTemplateRef{Name: v} }),
	"cluster_workflow_template_ref": stringSetting("run the ClusterWorkflowTemplate of this name with the pipeline's parameters (spec.workflowTemplateRef)",
		func(t settingTarget, v string) {
			t.spec.WorkflowTemplateRef = &wfv1.WorkflowTemplateRef{Name: v, ClusterScope: true}
		}),
	"suspend": boolSetting("start the Workflow suspended; in a scheduled pipeline, stop scheduling it (spec.suspend, CronWorkflow spec.suspend)",
		func(t settingTarget, v bool) {
			if t.cron != nil {
				t.cron.Suspend = v
			} else {
				t.spec.Suspend = &v
			}
		}),
	"concurrency_policy": {cron: true, doc: "what a scheduled run does while the previous one still runs: allow, forbid or replace (concurrencyPolicy)",
		check: enumCheck(map[string]string{"allow": "Allow", "forbid": "Forbid", "replace": "Replace"}),
		apply: func(t settingTarget, v any) { t.cron.ConcurrencyPolicy = wfv1.ConcurrencyPolicy(v.(string)) }},
	"starting_deadline": {cron: true, doc: "how late a missed scheduled run may still start, 0s for not at all (startingDeadlineSeconds)", check: checkDeadline,
		apply: func(t settingTarget, v any) {
			s := int64(v.(time.Duration).Seconds())
			t.cron.StartingDeadlineSeconds = &s
		}},
	"successful_jobs_history_limit": {cron: true, doc: "how many succeeded runs to keep (successfulJobsHistoryLimit)", check: checkCount,
		apply: func(t settingTarget, v any) { n := int32(v.(int)); t.cron.SuccessfulJobsHistoryLimit = &n }},
	"failed_jobs_history_limit": {cron: true, doc: "how many failed runs to keep (failedJobsHistoryLimit)", check: checkCount,
		apply: func(t settingTarget, v any) { n := int32(v.(int)); t.cron.FailedJobsHistoryLimit = &n }},
	"stop_when": {cron: true, doc: "an expression on cronworkflow.failed and cronworkflow.succeeded that stops scheduling when true (stopStrategy.expression)", check: checkString,
		apply: func(t settingTarget, v any) { t.cron.StopStrategy = &wfv1.StopStrategy{Expression: v.(string)} }},
	"schedule_when": {cron: true, doc: "an expression that decides whether a scheduled run starts (when)", check: checkString,
		apply: func(t settingTarget, v any) { t.cron.When = v.(string) }},
}

// SettingNames lists the pipeline settings, sorted.
func SettingNames() []string { return keys(settingDefs) }

// SettingDoc is the one-sentence description of a pipeline setting.
func SettingDoc(name string) string { return settingDefs[name].doc }

func structSetting[T any](doc string, apply func(settingTarget, *T)) settingDef {
	return settingDef{doc: doc,
		check: func(c *checker, v *dsl.Value, what string) (any, bool) { return decodeStruct[T](c, v, what) },
		apply: func(t settingTarget, v any) { apply(t, v.(*T)) }}
}

func boolSetting(doc string, apply func(settingTarget, bool)) settingDef {
	return settingDef{doc: doc, check: func(c *checker, v *dsl.Value, what string) (any, bool) {
		if v.Bool == nil {
			c.errorf(v, "%s takes true or false, got %s", what, v.Kind())
			return nil, false
		}
		return *v.Bool == "true", true
	}, apply: func(t settingTarget, v any) { apply(t, v.(bool)) }}
}

func stringSetting(doc string, apply func(settingTarget, string)) settingDef {
	return settingDef{doc: doc, check: checkString, apply: func(t settingTarget, v any) { apply(t, v.(string)) }}
}

func enumSetting(doc string, values map[string]string, apply func(settingTarget, string)) settingDef {
	return settingDef{doc: doc, check: enumCheck(values), apply: func(t settingTarget, v any) { apply(t, v.(string)) }}
}

func checkString(c *checker, v *dsl.Value, what string) (any, bool) {
	if v.Str == nil {
		c.errorf(v, "%s takes a string, got %s", what, v.Kind()).WithHint(`write it in quotes: %s "..."`, what)
		return nil, false
	}
	s := c.literalOnly(v.Str, what)
	if strings.TrimSpace(s) == "" {
		c.errorf(v, "%s cannot be empty", what)
		return nil, false
	}
	return s, true
}

// enumCheck accepts one of the words of values (or Argo's own spelling of
// one, in quotes) and returns Argo's spelling.
func enumCheck(values map[string]string) func(*checker, *dsl.Value, string) (any, bool) {
	return func(c *checker, v *dsl.Value, what string) (any, bool) {
		word, ok := scalarText(v)
		if ok {
			if argo, found := values[word]; found {
				return argo, true
			}
			for _, argo := range values {
				if argo == word {
					return argo, true
				}
			}
		}
		allowed := keys(values)
		sort.Strings(allowed)
		if v.Path != nil && len(v.Path.Parts) == 1 {
			c.unknownWord(v.Path.Parts[0], what, allowed)
		} else {
			c.errorf(v, "%s takes one of: %s", what, strings.Join(allowed, ", "))
		}
		return nil, false
	}
}

func checkDurationSetting(c *checker, v *dsl.Value, what string) (any, bool) {
	d, ok := c.duration(v)
	return d, ok
}

// checkDeadline accepts a duration, or 0s.
func checkDeadline(c *checker, v *dsl.Value, what string) (any, bool) {
	if v.Duration != nil {
		if d, err := parseDuration(*v.Duration); err == nil && d == 0 {
			return time.Duration(0), true
		}
	}
	return checkDurationSetting(c, v, what)
}

func checkCount(c *checker, v *dsl.Value, what string) (any, bool) {
	n, ok := c.intValue(v, what)
	if ok && n < 0 {
		c.errorf(v, "%s cannot be negative", what)
		return nil, false
	}
	return n, ok
}

func checkObjectName(c *checker, v *dsl.Value, what string) (any, bool) {
	s, ok := checkString(c, v, what)
	if !ok {
		return nil, false
	}
	if name := s.(string); !isDNSLabel(name) || len(name) > 63 {
		c.errorf(v, "%q is not a valid Workflow name", name).WithHint("use at most 63 lower case letters, digits and '-', starting and ending with a letter or digit")
		return nil, false
	}
	return s, true
}

// checkPodSpecPatch accepts YAML or JSON that decodes strictly into a pod
// spec; a patch that uses Argo's {{...}} is checked by Argo at run time.
func checkPodSpecPatch(c *checker, v *dsl.Value, what string) (any, bool) {
	s, ok := checkString(c, v, what)
	if !ok {
		return nil, false
	}
	patch := s.(string)
	if !strings.Contains(patch, "{{") {
		var ps apiv1.PodSpec
		if err := yaml.UnmarshalStrict([]byte(patch), &ps); err != nil {
			c.errorf(v, "invalid %s: %v", what, strings.TrimPrefix(err.Error(), "error unmarshaling JSON: while decoding JSON: json: ")).
				WithHint(`write the fields of a pod spec, e.g. containers: [{name: main, resources: {limits: {cpu: "1"}}}]`)
			return nil, false
		}
	}
	return patch, true
}

// setting checks one setting statement of pipeline p.
func (c *checker) setting(p *Pipeline, s *dsl.SettingStmt) {
	def, ok := settingDefs[s.Name]
	if !ok {
		c.errorf(s, "pipec does not know the setting %q", s.Name) // the grammar and the table disagree
		return
	}
	v, ok := def.check(c, s.Value, s.Name)
	if !ok {
		return
	}
	p.Settings = append(p.Settings, &Setting{Name: s.Name, Stmt: s, Value: v})
}

// checkSettings checks what depends on the whole pipeline: settings only
// a scheduled pipeline has, and the defaults settings give steps.
func (c *checker) checkSettings(p *Pipeline) {
	for _, st := range p.AllSteps() {
		c.checkStepPatches(st)
	}
	c.checkEntrySettings(p)
	for _, s := range p.Settings {
		if settingDefs[s.Name].cron && p.Kind != KindCronWorkflow {
			c.errorf(s.Stmt, "%s applies only to a scheduled pipeline", s.Name).WithHint(`add a schedule: schedule "0 2 * * *"`)
		}
		if s.Name == "name" && p.Kind != KindWorkflow {
			c.errorf(s.Stmt, "name applies only to a Workflow; a %s is named after its pipeline", p.Kind)
		}
		if s.Name == "step_timeout" {
			secs := int64(s.Value.(time.Duration).Seconds())
			for _, st := range p.AllSteps() {
				if st.Body != nil && st.Body.Timeout == nil && st.Body.TimeoutText == nil {
					st.Body.Timeout = &secs
				}
			}
		}
	}
	if ref := p.setting("workflow_template_ref", "cluster_workflow_template_ref"); ref != nil {
		for _, st := range p.AllSteps() {
			c.errorf(st.Decl.Name, "a pipeline that runs %s %q has no steps of its own", ref.Name, ref.Value).WithHint("remove the step, or the %s", ref.Name)
		}
	}
}

// setting returns the first of the named settings the pipeline has.
func (p *Pipeline) setting(names ...string) *Setting {
	for _, s := range p.Settings {
		for _, n := range names {
			if s.Name == n {
				return s
			}
		}
	}
	return nil
}

// applySettings writes every setting into the lowered object.
func applySettings(p *Pipeline, obj *Object) {
	t := settingTarget{spec: obj.Spec(), entry: p.EntryName}
	switch {
	case obj.Workflow != nil:
		t.meta = &obj.Workflow.ObjectMeta
	case obj.WorkflowTemplate != nil:
		t.meta = &obj.WorkflowTemplate.ObjectMeta
	case obj.ClusterWorkflowTemplate != nil:
		t.meta = &obj.ClusterWorkflowTemplate.ObjectMeta
	default:
		t.meta = &obj.CronWorkflow.ObjectMeta
		t.cron = &obj.CronWorkflow.Spec
	}
	for _, s := range p.Settings {
		if apply := settingDefs[s.Name].apply; apply != nil {
			apply(t, s.Value)
		}
	}
}

// settingsDocTable is the Markdown table of docs/language.md's settings
// section (TestSettingsDoc keeps it current).
func settingsDocTable() string {
	var b strings.Builder
	b.WriteString("| setting | value |\n|---|---|\n")
	for _, n := range SettingNames() {
		d := settingDefs[n]
		cron := ""
		if d.cron {
			cron = " Scheduled pipelines only."
		}
		fmt.Fprintf(&b, "| `%s` | %s.%s |\n", n, d.doc, cron)
	}
	return b.String()
}
