// Step behaviour: how a step's task behaves in the DAG. continue_on is
// parsed so that it gets a clear error: Argo rejects continueOn with
// depends, which pipec's DAG uses.

package compiler

import "github.com/pipec/pipec/dsl"

// behaviourStmt checks a step-behaviour statement; it reports whether n
// was one.
func (c *checker) behaviourStmt(st *Step, n dsl.StepStmt, single func(string, dsl.Node) bool) bool {
	switch s := n.(type) {
	case *dsl.ContinueOnStmt:
		if !single("continue_on", s) || c.continueOn(st, s) {
			return true
		}
		// Argo rejects continueOn in a DAG that uses depends, as pipec's
		// does: the steps after this one say what they need instead.
		c.errorf(s, "continue_on cannot be compiled: Argo rejects continueOn in a DAG whose tasks use depends, as pipec's do").
			WithHint("let the steps after %s run after %s completed (or failed): a failed step does not fail the pipeline when every branch after it ends with a step that ran; or write the steps in stages, where continue_on is allowed", st.Name, st.Name)
	default:
		return false
	}
	return true
}
