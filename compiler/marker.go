package compiler

// LabelPipeline is the label every object pipec compiles carries, with the
// pipeline's name as its value. It is how other tools tell pipec's
// workflows from others: pipec resume refuses a workflow without it (its
// retry parameters and memo keys would not follow docs/retries.md), and
// pipec status --run-id lists the workflows that have it. Argo copies a
// workflow's labels to the workflows resubmitted from it, so every attempt of
// a run carries it too. Keep this the one place that names it.
const LabelPipeline = "pipec.dev/pipeline"

// markerLabels returns the object's labels with pipec's marker added; a
// label the user set under the same key is kept.
func markerLabels(labels map[string]string, pipeline string) map[string]string {
	if labels == nil {
		labels = map[string]string{}
	}
	if _, ok := labels[LabelPipeline]; !ok {
		labels[LabelPipeline] = pipeline
	}
	return labels
}
