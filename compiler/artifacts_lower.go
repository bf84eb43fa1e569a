// Artifacts, lowered: a step's artifacts become its leaf template's
// inputs.artifacts and outputs.artifacts, and its DAG task's
// arguments.artifacts (from: "{{tasks.P.outputs.artifacts.A}}").
//
// Memoization (docs/retries.md): Argo's memo key is pipec's expression
// over the template's input parameters, which cannot see an input
// artifact. So a memoized step that takes another step's artifact gets
// one more input parameter, pipec-art-NAME, that identifies the
// artifact's content: the producer's own resolved memo key (which the
// producer hands on as its output parameter pipec-memo-key, and which a
// cache hit restores with the rest of its outputs), or, when the producer
// is not memoized and so runs again in every run, the workflow's UID. An
// input from a fixed location is covered by the template's definition
// hash and by the input parameters its ${...} become.
//
// Fan-in: the artifact of a step that loops is one object per iteration,
// stored unarchived under a key of its own below
// pipec/<pipeline>/<run>/<step>/<artifact>/ in the artifact repository (a
// key-only s3 artifact); a step that takes it gets that whole prefix, a
// directory with one entry per iteration. The run part is the hash of the
// run id, so that a resumed run's iterations, cache hits and reruns
// alike, land in the same directory.

package compiler

import (
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// MemoKeyOutput is the output parameter through which a memoized step
// whose artifacts others take hands on its resolved memo key.
const MemoKeyOutput = "pipec-memo-key"

// memoKeyPath is where the executor looks for pipec-memo-key: nothing
// writes it, so the parameter is always its default, the resolved key.
const memoKeyPath = "/tmp/pipec-memo-key-unset"

// leafArtifacts adds a step's artifacts to its leaf template; sub turns a
// Text into the template's text (references become input parameters,
// added to ins). It runs before the input parameters are listed.
func (l *lowerer) leafArtifacts(st *Step, tmpl *wfv1.Template, sub func(*Text) string, ins *inputSet) {
	for _, in := range st.Artifacts.Inputs {
		a := wfv1.Artifact{Name: in.Name, Path: in.Path, Mode: in.Mode, Optional: in.Optional}
		switch {
		case in.Location != nil:
			a.ArtifactLocation = lowerLocation(in.Location, sub)
		case in.From != nil && loops(in.From):
			a.S3 = &wfv1.S3Artifact{Key: fanInPrefix(st.Pipeline, in.From, in.FromArtifact)}
		}
		if in.From != nil && st.Memoize {
			ins.add(inputKey{kind: "art", a: in.Name}, "pipec-art-"+in.Name, artifactIdentity(in.From))
		}
		if in.FromGlobal != "" && st.Memoize {
			ins.add(inputKey{kind: "art", a: in.Name}, "pipec-art-"+in.Name, "{{workflow.uid}}")
		}
		if in.FromInput != nil && st.Memoize {
			ins.add(inputKey{kind: "art", a: in.Name}, "pipec-art-"+in.Name, scopeInputIdentity(in.FromInput))
		}
		tmpl.Inputs.Artifacts = append(tmpl.Inputs.Artifacts, a)
	}
	for _, out := range st.Artifacts.Outputs {
		a := wfv1.Artifact{Name: out.Name, Path: out.Path, Optional: out.Optional, GlobalName: out.Global, Archive: out.Archive}
		if out.GC != "" {
			a.ArtifactGC = &wfv1.ArtifactGC{Strategy: wfv1.ArtifactGCStrategy(out.GC)}
		}
		switch {
		case out.Location != nil:
			a.ArtifactLocation = lowerLocation(out.Location, sub)
		case loops(st) && st.Artifacts.Consumed:
			var item string
			if name, ok := ins.lookup(inputKey{kind: "loop", a: st.Loop.Var}); ok {
				item = name
			} else {
				item = ins.add(inputKey{kind: "loop-item"}, "pipec-item", "{{item}}")
			}
			a.S3 = &wfv1.S3Artifact{Key: fanInPrefix(st.Pipeline, st, out) + "/{{=sprig.substr(0, 16, sprig.sha256sum(inputs.parameters['" + item + "']))}}"}
			a.Archive = &wfv1.ArchiveStrategy{None: &wfv1.NoneStrategy{}}
		}
		tmpl.Outputs.Artifacts = append(tmpl.Outputs.Artifacts, a)
	}
}

// addMemoKeyOutput gives a memoized step whose artifacts others take the
// output parameter pipec-memo-key. It runs after the retry wiring, which
// made the memo key.
func addMemoKeyOutput(tmpl *wfv1.Template, st *Step) {
	if tmpl.Memoize == nil || !st.Artifacts.Consumed {
		return
	}
	tmpl.Outputs.Parameters = append(tmpl.Outputs.Parameters, wfv1.Parameter{
		Name:      MemoKeyOutput,
		ValueFrom: &wfv1.ValueFrom{Path: memoKeyPath, Default: anyString(tmpl.Memoize.Key)},
	})
}

// artifactIdentity is the task argument that identifies the content of an
// artifact of step p in a consumer's memo key.
func artifactIdentity(p *Step) string {
	switch {
	case !p.Memoize || p.Body == nil:
		return "{{workflow.uid}}"
	case loops(p):
		return "{{" + p.nodeScope() + "." + p.ArgoName + ".outputs.parameters}}"
	default:
		return "{{" + p.nodeScope() + "." + p.ArgoName + ".outputs.parameters." + MemoKeyOutput + "}}"
	}
}

// taskArtifacts are the arguments.artifacts of a step's DAG task.
func taskArtifacts(st *Step) []wfv1.Artifact {
	var out []wfv1.Artifact
	for _, in := range st.Artifacts.Inputs {
		if in.FromInput != nil {
			out = append(out, wfv1.Artifact{Name: in.Name, From: "{{inputs.artifacts." + in.FromInput.Name + "}}"})
			continue
		}
		if in.FromGlobal != "" {
			out = append(out, wfv1.Artifact{Name: in.Name, From: "{{workflow.outputs.artifacts." + in.FromGlobal + "}}"})
			continue
		}
		if in.From == nil || loops(in.From) {
			continue
		}
		out = append(out, wfv1.Artifact{
			Name:    in.Name,
			From:    "{{" + in.From.nodeScope() + "." + in.From.ArgoName + ".outputs.artifacts." + in.FromArtifact.Name + "}}",
			SubPath: in.SubPath,
		})
	}
	return out
}

// wrapArtifacts passes a leaf's artifacts through its retry wrapper: the
// inputs its task gives, and every output.
func wrapArtifacts(w *wfv1.Template, call *wfv1.WorkflowStep, leaf *wfv1.Template, st *Step) {
	for _, a := range taskArtifacts(st) {
		w.Inputs.Artifacts = append(w.Inputs.Artifacts, wfv1.Artifact{Name: a.Name})
		call.Arguments.Artifacts = append(call.Arguments.Artifacts, wfv1.Artifact{Name: a.Name, From: "{{inputs.artifacts." + a.Name + "}}"})
	}
	for _, a := range leaf.Outputs.Artifacts {
		w.Outputs.Artifacts = append(w.Outputs.Artifacts, wfv1.Artifact{Name: a.Name, From: "{{steps.run.outputs.artifacts." + a.Name + "}}", Optional: a.Optional})
	}
}

// fanInPrefix is the repository key under which the iterations of looped
// step p store artifact a.
func fanInPrefix(pl *Pipeline, p *Step, a *ArtifactOut) string {
	return "pipec/" + pl.Name + "/{{=sprig.substr(0, 12, sprig.sha256sum(" + runIDExpr + "))}}/" + p.ArgoName + "/" + strings.ToLower(a.Name)
}

func loops(st *Step) bool { return st.Loop != nil || hasLoop(st.Decl) }

// lowerArtifactSettings sets the pipeline's artifact repository and
// artifact garbage collection.
func (l *lowerer) lowerArtifactSettings(spec *wfv1.WorkflowSpec) {
	spec.ArtifactRepositoryRef = l.p.ArtifactRepository
	if l.p.ArtifactGC != "" {
		spec.ArtifactGC = &wfv1.WorkflowLevelArtifactGC{ArtifactGC: wfv1.ArtifactGC{Strategy: wfv1.ArtifactGCStrategy(l.p.ArtifactGC)}}
	}
}
