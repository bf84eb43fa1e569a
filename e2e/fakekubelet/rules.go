package fakekubelet

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// RulesLabel marks the ConfigMaps (in the kubelet's namespace) whose data
// values are rule lists. Every key of every such ConfigMap is read when a pod
// is handled, in ConfigMap name then key order, so a test adds its own rules
// by creating its own ConfigMap and never edits another test's.
const RulesLabel = "pipec-e2e/kubelet-rules"

// Rule decides the outcome of the pods it matches. The pipelines contain no
// test-only code: the test describes what should happen from outside.
//
// A pod matches when every given selector matches:
//   - Workflow: regular expression, fully anchored, on the workflow name.
//   - Step: regular expression, fully anchored, on the step path (the node
//     name without the "<workflow>." prefix and without the retry suffix
//     "(N)", e.g. "b", "loop(1:x)", "outer.inner"), on its base task name
//     ("loop" for "loop(1:x)") or on the entry DAG's task ("b" for
//     "b(0)[0].run").
//   - Template: regular expression, fully anchored, on the template name.
//   - Attempts: the retry attempt indexes (0 = first attempt) it applies to.
//
// The first matching rule wins.
type Rule struct {
	Workflow string `json:"workflow,omitempty"`
	Step     string `json:"step,omitempty"`
	Template string `json:"template,omitempty"`
	Attempts []int  `json:"attempts,omitempty"`

	// ExitCode, when set, is the main container's exit code. When the
	// command is also run for real, this overrides its exit code.
	ExitCode *int32 `json:"exitCode,omitempty"`
	// Outputs gives output parameter values (override what the command wrote).
	Outputs map[string]string `json:"outputs,omitempty"`
	// Result overrides the captured stdout (outputs.result).
	Result *string `json:"result,omitempty"`
	// Simulate: never run the command, even when it could run here.
	Simulate bool `json:"simulate,omitempty"`
	// Message goes into the terminated state of the main container.
	Message string `json:"message,omitempty"`
	// DelaySeconds holds the pod Running for that long before completing it.
	DelaySeconds float64 `json:"delaySeconds,omitempty"`
}

// ParseRules parses a YAML or JSON list of rules.
func ParseRules(data []byte) ([]Rule, error) {
	var rules []Rule
	if err := yaml.UnmarshalStrict(data, &rules); err != nil {
		return nil, err
	}
	for i, r := range rules {
		for _, re := range []string{r.Workflow, r.Step, r.Template} {
			if _, err := regexp.Compile("^(?:" + re + ")$"); err != nil {
				return nil, fmt.Errorf("rule %d: %w", i, err)
			}
		}
	}
	return rules, nil
}

// PodIdentity is what rules are matched against.
type PodIdentity struct {
	Workflow string
	Step     string // path without workflow prefix and retry suffix
	BaseStep string // last task name without loop suffix
	Task     string // first element of the path: the entry DAG's task
	Template string
	Attempt  int
}

var retrySuffix = regexp.MustCompile(`\((\d+)\)$`)
var stepGroupPrefix = regexp.MustCompile(`^\[\d+\]`)
var retryInPath = regexp.MustCompile(`\((\d+)\)`)
var loopSuffix = regexp.MustCompile(`\([^()]*\)$`)

// Identify derives a PodIdentity from the node name annotation
// ("<wf>.<task>(<attempt>)") and the template name.
func Identify(workflow, nodeName, template string) PodIdentity {
	id := PodIdentity{Workflow: workflow, Template: template}
	step := strings.TrimPrefix(nodeName, workflow)
	// A steps entry template names its nodes "<wf>[<group>].<step>".
	step = stepGroupPrefix.ReplaceAllString(step, "")
	step = strings.TrimPrefix(step, ".")
	if m := retrySuffix.FindStringSubmatch(step); m != nil {
		id.Attempt, _ = strconv.Atoi(m[1])
		step = strings.TrimSuffix(step, m[0])
	}
	id.Step = step
	// A retry of an enclosing template shows as "(N)" inside the path
	// ("b(1)[0].run"): the last such index is the attempt.
	if id.Attempt == 0 {
		if all := retryInPath.FindAllStringSubmatch(step, -1); len(all) > 0 {
			id.Attempt, _ = strconv.Atoi(all[len(all)-1][1])
		}
	}
	id.Task = step
	if i := strings.IndexAny(step, ".(["); i > 0 {
		id.Task = step[:i]
	}
	base := step
	if i := lastDotOutsideParens(base); i >= 0 {
		base = base[i+1:]
	}
	for loopSuffix.MatchString(base) {
		base = loopSuffix.ReplaceAllString(base, "")
	}
	id.BaseStep = base
	return id
}

func lastDotOutsideParens(s string) int {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
		case '.':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func full(re, s string) bool {
	if re == "" {
		return true
	}
	ok, _ := regexp.MatchString("^(?:"+re+")$", s)
	return ok
}

// Matches tells whether r applies to id.
func (r Rule) Matches(id PodIdentity) bool {
	if !full(r.Workflow, id.Workflow) || !full(r.Template, id.Template) {
		return false
	}
	if r.Step != "" && !full(r.Step, id.Step) && !full(r.Step, id.BaseStep) && !full(r.Step, id.Task) {
		return false
	}
	if len(r.Attempts) > 0 {
		found := false
		for _, a := range r.Attempts {
			if a == id.Attempt {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// RuleSet is an ordered collection of named rule lists.
type RuleSet map[string][]Rule

// Find returns the first matching rule, in source-name order.
func (rs RuleSet) Find(id PodIdentity) (Rule, string, bool) {
	names := make([]string, 0, len(rs))
	for n := range rs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for i, r := range rs[n] {
			if r.Matches(id) {
				return r, fmt.Sprintf("%s[%d]", n, i), true
			}
		}
	}
	return Rule{}, "", false
}
