// Template kinds: what a step runs. A container or script (body.go),
// a template of a WorkflowTemplate (ref), or one of Argo's other kinds.

package compiler

import "github.com/pipec/pipec/dsl"

// Step kinds, for messages and checks.
const (
	kindContainer = "container"
	kindRef       = "ref(...)"
)

// declKind says what kind of template a step runs, from its declaration
// alone (references may point at steps not checked yet).
func declKind(d *dsl.StepDecl) string {
	if usesRef(d) {
		return kindRef
	}
	return kindContainer
}

// declIsDaemon reports whether a step is a daemon step.
func declIsDaemon(d *dsl.StepDecl) bool {
	return false
}
