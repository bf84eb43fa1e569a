// A step's Prometheus metrics (`metrics { prometheus: [...] }` in a step,
// the template's metrics). Unlike other struct settings, its strings may
// use ${...}: a label such as the task's tag becomes a template input like
// any other step string. Argo's own {{status}}, {{duration}} and
// {{outputs...}} pass through as written.

package compiler

import (
	"encoding/json"
	"fmt"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/dsl"
	"github.com/pipec/pipec/internal/jsontree"
)

// stepMetrics checks a step's metrics setting, resolving the ${...} of its
// strings in the step's scope.
func (c *checker) stepMetrics(sc *scope, b *Body, s *dsl.StepSettingStmt) {
	c.structTexts, c.structScope = &b.extra().MetricTexts, sc
	defer func() { c.structTexts, c.structScope = nil, nil }()
	c.stepSetting(b, s)
}

// structText resolves one ${...} string of a struct literal and returns
// its placeholder.
func (c *checker) structText(s *dsl.StringLit) string {
	*c.structTexts = append(*c.structTexts, c.text(c.structScope, s))
	return metricPlaceholder(len(*c.structTexts) - 1)
}

func metricPlaceholder(i int) string { return fmt.Sprintf("\x00pipec-text-%d\x00", i) }

// resolveMetricTexts replaces the placeholders of the template's metrics
// by the Argo text of their strings.
func resolveMetricTexts(b *Body, tmpl *wfv1.Template, inner func(*Text) string) {
	if len(b.MetricTexts) == 0 || tmpl.Metrics == nil {
		return
	}
	j, err := json.Marshal(tmpl.Metrics)
	if err != nil {
		return
	}
	var tree any
	if json.Unmarshal(j, &tree) != nil {
		return
	}
	tree = jsontree.ReplaceStrings(tree, func(s string) string {
		for i, t := range b.MetricTexts {
			s = strings.ReplaceAll(s, metricPlaceholder(i), inner(t))
		}
		return s
	})
	j, _ = json.Marshal(tree)
	var m wfv1.Metrics
	if json.Unmarshal(j, &m) == nil {
		tmpl.Metrics = &m
	}
}

// displayName checks a step's display_name, a string whose ${...} become
// the step's inputs.
func (c *checker) displayName(sc *scope, b *Body, s *dsl.StepSettingStmt) {
	if s.Value.Str == nil {
		c.errorf(s.Value, "display_name takes a string, got %s", s.Value.Kind()).WithHint(`display_name "load-${day}"`)
		return
	}
	b.extra().DisplayName = c.text(sc, s.Value.Str)
}
