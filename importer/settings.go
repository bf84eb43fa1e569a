package importer

import (
	"fmt"
	"strings"

	"github.com/pipec/pipec/internal/jsontree"
)

// Spec fields that the language's pipeline settings (compiler/settings.go)
// express one to one: `security_context {...}`, `archive_logs true`,
// `concurrency_policy forbid`. Each entry says how the field's value is
// written.

type settingForm int

const (
	structForm settingForm = iota // a { key: value } literal
	stringForm
	boolForm
	enumForm
)

type settingMap struct {
	field, keyword string
	form           settingForm
	enum           map[string]string // Argo value -> pipec word
}

var specSettings = []settingMap{
	{"securityContext", "security_context", structForm, nil},
	{"dnsConfig", "dns_config", structForm, nil},
	{"dnsPolicy", "dns_policy", enumForm, map[string]string{"ClusterFirst": "cluster_first", "ClusterFirstWithHostNet": "cluster_first_with_host_net", "Default": "default", "None": "none"}},
	{"hostAliases", "host_aliases", structForm, nil},
	{"affinity", "affinity", structForm, nil},
	{"schedulerName", "scheduler_name", stringForm, nil},
	{"podPriorityClassName", "priority_class", stringForm, nil},
	{"hostNetwork", "host_network", boolForm, nil},
	{"automountServiceAccountToken", "automount_service_account_token", boolForm, nil},
	{"podDisruptionBudget", "pod_disruption_budget", structForm, nil},
	{"podSpecPatch", "pod_spec_patch", stringForm, nil},
	{"podMetadata", "pod_metadata", structForm, nil},
	{"workflowMetadata", "workflow_metadata", structForm, nil},
	{"templateDefaults", "template_defaults", structForm, nil},
	{"archiveLogs", "archive_logs", boolForm, nil},
	{"shutdown", "shutdown", enumForm, map[string]string{"Stop": "stop", "Terminate": "terminate"}},
	{"metrics", "metrics", structForm, nil},
	{"suspend", "suspend", boolForm, nil},
}

var cronSettings = []settingMap{
	{"concurrencyPolicy", "concurrency_policy", enumForm, map[string]string{"Allow": "allow", "Forbid": "forbid", "Replace": "replace"}},
	{"successfulJobsHistoryLimit", "successful_jobs_history_limit", structForm, nil},
	{"failedJobsHistoryLimit", "failed_jobs_history_limit", structForm, nil},
	{"when", "schedule_when", stringForm, nil},
	{"suspend", "suspend", boolForm, nil},
}

// settingLine writes one setting, or reports that the value has no form.
func settingLine(m settingMap, v any) (string, bool) {
	switch m.form {
	case stringForm:
		s, ok := v.(string)
		return m.keyword + " " + quote(s), ok
	case boolForm:
		b, ok := v.(bool)
		return fmt.Sprintf("%s %t", m.keyword, b), ok
	case enumForm:
		w, ok := m.enum[fmt.Sprint(v)]
		return m.keyword + " " + w, ok
	}
	lit, ok := structLiteral(v)
	return m.keyword + " " + lit, ok
}

// structLiteral writes a JSON value as a pipec value for the settings'
// struct-literal decoder (keys as Argo spells them).
func structLiteral(v any) (string, bool) {
	return literalWith(v, func(x string) (string, bool) {
		if strings.Contains(x, "${") {
			return "", false
		}
		return quote(x), true
	}, nil)
}

// textLiteral is structLiteral whose strings are pipec text: Argo's
// {{inputs.parameters.x}} and the like become ${...} references (a step's
// metrics, whose strings the compiler interpolates).
func (c *conv) textLiteral(v any, sc *scope) (string, bool) {
	return literalWith(v, func(x string) (string, bool) {
		s, err := c.text(x, sc)
		if err != nil {
			return "", false
		}
		return quote(s), true
	}, nil)
}

// literalWith writes a JSON value as a pipec struct literal, its strings
// by str (false: the value cannot be written). field, when not nil, may
// write a map's field itself (handled true), as locationLiteral does for
// secrets.
func literalWith(v any, str func(string) (string, bool), field func(k string, v any) (lit string, handled bool)) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			if field != nil {
				if lit, handled := field(k, x[k]); handled {
					parts = append(parts, key(k)+": "+lit)
					continue
				}
			}
			s, ok := literalWith(x[k], str, field)
			if !ok {
				return "", false
			}
			parts = append(parts, key(k)+": "+s)
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	case []any:
		var parts []string
		for _, e := range x {
			s, ok := literalWith(e, str, field)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case string:
		return str(x)
	}
	return literal(v)
}

// settingStmts converts the spec (and CronWorkflow) fields that have a
// setting of their own, consuming them.
func (c *conv) settingStmts() []string {
	var out []string
	for _, m := range specSettings {
		v, ok := c.spec[m.field]
		if !ok {
			continue
		}
		if line, ok := settingLine(m, v); ok {
			out = append(out, c.fieldComment(c.sp(m.field)...)+c.treeComments(c.sp(m.field)...)+line)
			delete(c.spec, m.field)
		}
	}
	if v, ok := c.spec["synchronization"]; ok && languageHas(featSync) {
		if lines, ok := syncStmts(v); ok {
			out = append(out, lines...)
			delete(c.spec, "synchronization")
		}
	}
	if ex, ok := c.spec["executor"].(map[string]any); ok && len(ex) == 1 {
		if sa, ok := ex["serviceAccountName"].(string); ok {
			out = append(out, "executor_service_account "+quote(sa))
			delete(c.spec, "executor")
		}
	}
	if vc, ok := c.spec["volumeClaimGC"].(map[string]any); ok && len(vc) == 1 {
		words := map[string]string{"OnWorkflowCompletion": "on_workflow_completion", "OnWorkflowSuccess": "on_workflow_success"}
		if w, ok := words[fmt.Sprint(vc["strategy"])]; ok {
			out = append(out, "volume_claim_gc "+w)
			delete(c.spec, "volumeClaimGC")
		}
	}
	if line, ok := c.artifactGCStmt(); ok {
		out = append(out, line)
	}
	if line, ok := c.artifactRepositoryStmt(); ok {
		out = append(out, line)
	}
	if ref, ok := c.spec["workflowTemplateRef"].(map[string]any); ok {
		name, _ := ref["name"].(string)
		cluster, _ := ref["clusterScope"].(bool)
		if name != "" && len(ref) <= 2 && (len(ref) == 1 || ref["clusterScope"] != nil) {
			kw := "workflow_template_ref"
			if cluster {
				kw = "cluster_workflow_template_ref"
			}
			out = append(out, kw+" "+quote(name))
			delete(c.spec, "workflowTemplateRef")
			c.templateRef = true
			// The entry point is then a template of the referenced one.
			if ep, ok := c.spec["entrypoint"].(string); ok && ep != "" {
				out = append(out, c.fieldComment(c.sp("entrypoint")...)+"entrypoint "+quote(ep))
				delete(c.spec, "entrypoint")
			}
		}
	}
	return out
}

// cronSettingStmts converts the CronWorkflow fields with a setting.
func (c *conv) cronSettingStmts(spec map[string]any, done map[string]bool) []string {
	var out []string
	for _, m := range cronSettings {
		v, ok := spec[m.field]
		if !ok {
			continue
		}
		if line, ok := settingLine(m, v); ok {
			out = append(out, c.fieldComment("spec", m.field)+c.treeComments("spec", m.field)+line)
			done[m.field] = true
		}
	}
	if v, ok := spec["startingDeadlineSeconds"]; ok {
		if d, ok := duration(v); ok {
			out = append(out, "starting_deadline "+d)
			done["startingDeadlineSeconds"] = true
		}
	}
	if ss, ok := spec["stopStrategy"].(map[string]any); ok && len(ss) == 1 {
		if e, ok := ss["expression"].(string); ok {
			out = append(out, "stop_when "+quote(e))
			done["stopStrategy"] = true
		}
	}
	return out
}

// podGC converts spec.podGC: a strategy, a delete delay and a label
// selector by labels.
func (c *conv) podGC(gc map[string]any) (string, bool) {
	st, ok := podGCStrategies[fmt.Sprint(gc["strategy"])]
	if !ok {
		return "", false
	}
	line := "pod_gc " + st
	for _, k := range sortedKeys(gc) {
		switch k {
		case "strategy":
		case "deleteDelayDuration":
			d, ok := duration(gc[k])
			if !ok || c.rawSettings {
				return "", false
			}
			line += " delete_delay " + d
		case "labelSelector":
			ls, _ := gc[k].(map[string]any)
			ml, ok := ls["matchLabels"].(map[string]any)
			if !ok || len(ls) != 1 || c.rawSettings {
				return "", false
			}
			lit, ok := structLiteral(ml)
			if !ok {
				return "", false
			}
			line += " selector " + lit
		default:
			return "", false
		}
	}
	return line, true
}

// syncStmts converts a synchronization block (pipeline or step) into mutex
// and semaphore statements; the singular forms of Argo 3.5 and the plural
// lists alike.
func syncStmts(v any) ([]string, bool) {
	sync, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	var mutexes, sems []any
	for _, k := range sortedKeys(sync) {
		switch k {
		case "mutex":
			mutexes = append(mutexes, sync[k])
		case "mutexes":
			mutexes = append(mutexes, jsontree.List(sync[k])...)
		case "semaphore":
			sems = append(sems, sync[k])
		case "semaphores":
			sems = append(sems, jsontree.List(sync[k])...)
		default:
			return nil, false
		}
	}
	var out []string
	for _, m := range mutexes {
		mm, _ := m.(map[string]any)
		name, _ := mm["name"].(string)
		if name == "" {
			return nil, false
		}
		line := "mutex "
		if db, _ := mm["database"].(bool); db {
			line += "database "
		}
		line += quote(name)
		for k := range mm {
			if k != "name" && k != "database" && k != "namespace" {
				return nil, false
			}
		}
		if ns, ok := mm["namespace"].(string); ok {
			line += " namespace " + quote(ns)
		}
		out = append(out, line)
	}
	for _, s := range sems {
		sm, _ := s.(map[string]any)
		line := "semaphore "
		switch {
		case sm["configMapKeyRef"] != nil:
			ref, _ := sm["configMapKeyRef"].(map[string]any)
			n, _ := ref["name"].(string)
			k, _ := ref["key"].(string)
			if n == "" || k == "" || len(ref) != 2 {
				return nil, false
			}
			line += "config_map(" + quote(n) + ", " + quote(k) + ")"
		case sm["database"] != nil:
			db, _ := sm["database"].(map[string]any)
			k, _ := db["key"].(string)
			if k == "" || len(db) != 1 {
				return nil, false
			}
			line += "database " + quote(k)
		default:
			return nil, false
		}
		for k := range sm {
			if k != "configMapKeyRef" && k != "database" && k != "namespace" {
				return nil, false
			}
		}
		if ns, ok := sm["namespace"].(string); ok {
			line += " namespace " + quote(ns)
		}
		out = append(out, line)
	}
	return out, len(out) > 0
}

// stepSettings are the template fields that a step setting writes.
var stepSettings = []settingMap{
	{"securityContext", "pod_security_context", structForm, nil},
	{"podSpecPatch", "pod_spec_patch", stringForm, nil},
	{"affinity", "affinity", structForm, nil},
	{"priorityClassName", "priority_class", stringForm, nil},
	{"schedulerName", "scheduler_name", stringForm, nil},
	{"hostAliases", "host_aliases", structForm, nil},
	{"serviceAccountName", "service_account", stringForm, nil},
	{"automountServiceAccountToken", "automount_service_account_token", boolForm, nil},
}

// stepSettingStmts converts a template's fields that have a step setting,
// consuming them (the container's securityContext too).
func (c *conv) stepSettingStmts(t, ct map[string]any) []string {
	if c.rawSettings || !languageHas(featStepSettings) {
		return nil
	}
	var out []string
	for _, m := range stepSettings {
		v, ok := t[m.field]
		if !ok {
			continue
		}
		if s, isStr := v.(string); isStr && strings.Contains(s, "{{") {
			continue
		}
		if line, ok := settingLine(m, v); ok {
			out = append(out, line)
			delete(t, m.field)
		}
	}
	if ct != nil {
		if v, ok := ct["securityContext"]; ok {
			if line, ok := settingLine(settingMap{"securityContext", "security_context", structForm, nil}, v); ok {
				out = append(out, line)
				delete(ct, "securityContext")
			}
		}
	}
	if al, ok := t["archiveLocation"].(map[string]any); ok && len(al) == 1 {
		// archiveLogs alone: the step setting archive_logs (artifacts.go).
		if b, ok := al["archiveLogs"].(bool); ok {
			out = append(out, fmt.Sprintf("archive_logs %t", b))
			delete(t, "archiveLocation")
		}
	}
	if v, ok := t["synchronization"]; ok && languageHas(featSync) {
		if lines, ok := syncStmts(v); ok {
			out = append(out, lines...)
			delete(t, "synchronization")
		}
	}
	return out
}
