// Artifacts, checked: a step's input artifacts (input NAME at "/path" from
// SOURCE) and output artifacts (artifact NAME at "/path" ...), their
// locations, references from one step's input to another's artifact, and
// the pipeline's artifact repository and garbage collection. Lowered in
// artifacts_lower.go; the locations are in artifacts_locations.go.

package compiler

import (
	"regexp"
	"strconv"
	"strings"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// StepArtifacts are a step's artifacts.
type StepArtifacts struct {
	Inputs  []*ArtifactIn
	Outputs []*ArtifactOut
	// Consumed is set when a later step takes one of the step's artifacts.
	Consumed bool
}

// ArtifactIn is an input artifact of a step.
type ArtifactIn struct {
	Name     string
	Path     string
	Decl     *dsl.InputStmt
	Optional bool
	Mode     *int32
	SubPath  string
	// Exactly one of From (another step's artifact), FromInput (an input
	// artifact of the pipeline or composite) or Location is set.
	From         *Step
	FromArtifact *ArtifactOut
	FromInput    *ScopeInput
	// FromGlobal is a workflow output artifact, from
	// workflow.outputs.artifacts.NAME (a step's artifact ... global "NAME").
	FromGlobal string
	Location   *Location
}

// ArtifactOut is an output artifact of a step.
type ArtifactOut struct {
	Name     string
	Path     string
	Decl     *dsl.ArtifactStmt
	Optional bool
	Global   string
	Archive  *wfv1.ArchiveStrategy
	GC       string // Argo's strategy; "" for the pipeline's
	GCNode   dsl.Node
	Location *Location // nil: the artifact repository's default key
}

// ArtifactGCStrategies maps pipec's words to Argo's strategies.
var artifactGCStrategies = map[string]wfv1.ArtifactGCStrategy{
	"on_completion": wfv1.ArtifactGCOnWorkflowCompletion,
	"on_deletion":   wfv1.ArtifactGCOnWorkflowDeletion,
	"never":         wfv1.ArtifactGCNever,
}

// argoArtifactNameRE is what Argo accepts as an artifact, parameter or
// global name.
var argoArtifactNameRE = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)

// artifactRepository checks `artifact_repository "cm" [key "k"]`.
func (c *checker) artifactRepository(p *Pipeline, s *dsl.ArtifactRepositoryStmt) {
	ref := &wfv1.ArtifactRepositoryRef{}
	if s.ConfigMap != nil {
		// Without one, Argo reads the namespace's artifact-repositories.
		ref.ConfigMap = c.literalOnly(s.ConfigMap, "an artifact repository")
		if !isDNSLabel(ref.ConfigMap) && !dnsSubdomain(ref.ConfigMap) {
			c.errorf(s.ConfigMap, "%q is not a ConfigMap name", ref.ConfigMap).WithHint("lower-case letters, digits, '-' and '.'")
		}
	} else if s.Key == nil {
		c.errorf(s, "artifact_repository names a ConfigMap, a key of the namespace's artifact-repositories ConfigMap, or both").
			WithHint(`artifact_repository "my-repos" key "team-bucket", or artifact_repository key "team-bucket"`)
	}
	if s.Key != nil {
		ref.Key = c.literalOnly(s.Key, "an artifact repository key")
	}
	p.ArtifactRepository = ref
}

func dnsSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !isDNSLabel(part) {
			return false
		}
	}
	return true
}

// artifactGC checks `artifact_gc WHEN` (pipeline level) or an artifact's
// `gc WHEN`.
func (c *checker) artifactGC(id *dsl.Ident) string {
	s, ok := artifactGCStrategies[id.Name]
	if !ok {
		c.unknownWord(id, "artifact gc strategy", keys(artifactGCStrategies))
	}
	return string(s)
}

// artifactStmt checks an input or artifact statement of a step body.
func (c *checker) artifactStmt(sc *scope, st *Step, n dsl.StepStmt) {
	switch s := n.(type) {
	case *dsl.InputStmt:
		c.inputArtifact(sc, st, s)
	case *dsl.ArtifactStmt:
		c.outputArtifact(sc, st, s)
	}
}

// artifactName checks the name of an artifact of st. Inputs and outputs
// are apart, as in Argo ({{inputs.artifacts.x}}, {{outputs.artifacts.x}}):
// a step may read an input and write an output of one name.
func (c *checker) artifactName(st *Step, id *dsl.Ident, what string) bool {
	name := id.Name
	if !argoArtifactNameRE.MatchString(name) {
		c.errorf(id, "%s name %q is not valid for Argo", what, name).WithHint("use letters, digits, '-' and '_'")
		return false
	}
	if what == "input artifact" {
		for _, a := range st.Artifacts.Inputs {
			if a.Name == name {
				c.errorf(id, "input artifact %q is declared twice in step %q (first at %s)", name, st.Name, a.Decl.Name.Range())
				return false
			}
		}
		return true
	}
	for _, a := range st.Artifacts.Outputs {
		if a.Name == name {
			c.errorf(id, "artifact %q is declared twice in step %q (first at %s)", name, st.Name, a.Decl.Name.Range())
			return false
		}
	}
	return true
}

// artifactPath checks an artifact's path.
func (c *checker) artifactPath(s *dsl.StringLit) string {
	p := c.literalOnly(s, "an artifact path")
	if !strings.HasPrefix(p, "/") {
		c.errorf(s, "artifact path %q must be absolute", p).WithHint(`for example "/tmp/%s"`, strings.TrimLeft(p, "./"))
	}
	return p
}

func (c *checker) inputArtifact(sc *scope, st *Step, s *dsl.InputStmt) {
	if s.Path == nil {
		c.errorf(s.Name, "input %q of step %q has no path", s.Name.Name, st.Name).WithHint(`put it at a path: input %s at "/tmp/%s"`, s.Name.Name, s.Name.Name)
		return
	}
	in := &ArtifactIn{Name: s.Name.Name, Decl: s, Path: c.artifactPath(s.Path)}
	ok := c.artifactName(st, s.Name, "input artifact")
	for _, o := range s.Options {
		switch {
		case o.Optional:
			in.Optional = true
		case o.Mode != nil:
			in.Mode = c.fileMode(o.Mode)
		case o.SubPath != nil:
			in.SubPath = c.literalOnly(o.SubPath, "a sub_path")
			if strings.HasPrefix(in.SubPath, "/") || strings.Contains("/"+in.SubPath+"/", "/../") {
				c.errorf(o.SubPath, "sub_path %q must be relative, inside the artifact", in.SubPath)
			}
		default:
			c.errorf(o, "%s applies to an output artifact, not to an input", o.Keyword()).WithHint("input takes: from, optional, mode, sub_path")
		}
	}
	from := s.From
	if from == nil && sc.template != nil {
		from = c.templateArtifactArg(sc, s)
	}
	switch {
	case from == nil && sc.template != nil:
		// Reported by templateArtifactArg.
	case from == nil:
		c.errorf(s, "input artifact %q has no source", in.Name).WithHint(`add from STEP.ARTIFACT, or a location such as from s3 "path/key" or from http "https://..."`)
	case from.Location != nil:
		in.Location = c.location(sc, from.Location, false)
		if in.SubPath != "" && in.Location != nil {
			c.errorf(s, "sub_path applies to an artifact taken from a step; put the path in the location instead")
		}
	default:
		c.artifactRef(sc, st, in, from)
	}
	if ok {
		st.Artifacts.Inputs = append(st.Artifacts.Inputs, in)
	}
}

// artifactRef resolves `from step.artifact` (or "${step.artifact}") and
// records the dependency it implies.
func (c *checker) artifactRef(sc *scope, st *Step, in *ArtifactIn, from *dsl.ArtifactFrom) {
	var path string
	var node dsl.Node
	if from.Ref != nil {
		path, node = from.Ref.String(), from.Ref
	} else {
		v := from.Str.Value()
		if !strings.HasPrefix(v, "${") || !strings.HasSuffix(v, "}") || strings.Count(v, "${") != 1 {
			c.errorf(from.Str, "an input artifact comes from one reference, such as from train.model or from \"${train.model}\"").WithHint(`for a location write from http "https://..." or from s3 "key"`)
			return
		}
		path, node = v[2:len(v)-1], from.Str
	}
	parts := strings.Split(path, ".")
	if len(parts) == 1 {
		c.scopeInputRef(sc, st, in, parts[0], node)
		return
	}
	if parts[0] == "workflow" {
		if len(parts) != 4 || parts[1] != "outputs" || parts[2] != "artifacts" {
			c.errorf(node, "%s is not an artifact; a workflow output artifact is workflow.outputs.artifacts.NAME", path).
				WithHint(`a step makes one with artifact NAME at "/path" global "NAME"`)
			return
		}
		in.FromGlobal = parts[3]
		return
	}
	target := sc.p.stepsByName[parts[0]]
	if target == nil || len(parts) != 2 {
		var names []string
		for n := range sc.p.stepsByName {
			names = append(names, n)
		}
		if target == nil {
			dd := c.errorf(node, "unknown step %q in artifact reference %s", parts[0], path)
			if s := diag.Suggest(parts[0], names); s != "" {
				dd.WithHint("did you mean %s?", strings.Replace(path, parts[0], s, 1))
			} else if _, isLoc := locationKindsByName[parts[0]]; isLoc {
				dd.WithHint(`a location takes its value after the kind: from %s "..." or from %s { ... }`, parts[0], parts[0])
			}
		} else {
			c.errorf(node, "an artifact reference is STEP.ARTIFACT, got %s", path).WithHint("for example from %s.%s", parts[0], firstOr(c.artifactDecls(target), "model"))
		}
		return
	}
	if target == st {
		c.errorf(node, "step %q cannot take its own artifact %s", st.Name, path)
		return
	}
	ofParent := st.HookOf == target
	switch {
	case ofParent:
		if !c.checkHookReadsParent(st, parts[1], true, path, node.Range()) {
			return
		}
	case target.IsHook() || st.IsHook():
		c.errorf(node, "%s: hooks run beside the steps, when an event happens, and cannot exchange artifacts with them", path).
			WithHint("only a step's own on exit hook can take that step's artifacts")
		return
	case target.Handler != "" || st.Handler != "":
		c.errorf(node, "%s: exit and failure handlers run after the main steps and cannot exchange artifacts with them", path)
		return
	case !c.checkStageOrder(sc, target, path, node.Range()):
		return
	}
	decls := c.artifactDecls(target)
	if usesRef(target.Decl) {
		// pipec cannot see a WorkflowTemplate's outputs (as for ${step.x}).
		if hasLoop(target.Decl) {
			c.errorf(node, "step %q loops over a template of a WorkflowTemplate: pipec cannot collect its iterations' artifacts", target.Name).WithHint("collect them in the WorkflowTemplate")
			return
		}
	} else if !contains(decls, parts[1]) {
		dd := c.errorf(node, "step %q has no artifact %q", target.Name, parts[1])
		switch {
		case c.declaresOutput(target, parts[1]):
			dd.WithHint("%s is an output parameter: use ${%s} in a string instead", path, path)
		case diag.Suggest(parts[1], decls) != "":
			dd.WithHint("did you mean %s.%s?", target.Name, diag.Suggest(parts[1], decls))
		default:
			dd.WithHint(`declare it in step %s: artifact %s at "/tmp/%s"`, target.Name, parts[1], parts[1])
		}
		return
	}
	in.From = target
	in.FromArtifact = &ArtifactOut{Name: parts[1]} // completed by resolveArtifactRefs
	target.Artifacts.Consumed = true
	if sc.step != nil && !ofParent && !sc.step.dependsOn(target) {
		sc.step.Deps = append(sc.step.Deps, &Dep{Step: target, Implicit: true, Range: node.Range()})
	}
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// artifactDecls lists the output artifacts a step declares, from its
// declaration (it may not have been checked yet).
func (c *checker) artifactDecls(st *Step) []string {
	return c.declaredNames(st, func(n dsl.StepStmt) (string, bool) {
		a, ok := n.(*dsl.ArtifactStmt)
		if !ok {
			return "", false
		}
		return a.Name.Name, true
	})
}

func (c *checker) outputArtifact(sc *scope, st *Step, s *dsl.ArtifactStmt) {
	if s.Path == nil {
		c.errorf(s.Name, "artifact %q of step %q has no path", s.Name.Name, st.Name).WithHint(`take it from the path the step writes: artifact %s at "/tmp/%s"`, s.Name.Name, s.Name.Name)
		return
	}
	// An output parameter may have the artifact's name, as in Argo: a
	// parameter is used in strings (${step.name}), an artifact only by
	// from (from step.name), so each reference says which it means.
	out := &ArtifactOut{Name: s.Name.Name, Decl: s, Path: c.artifactPath(s.Path)}
	ok := c.artifactName(st, s.Name, "artifact")
	for _, o := range s.Options {
		switch {
		case o.Optional:
			out.Optional = true
		case o.Archive != nil:
			out.Archive = c.archive(o)
		case o.Global != nil:
			out.Global = c.globalName(o.Global)
		case o.GC != nil:
			out.GC, out.GCNode = c.artifactGC(o.GC), o
		case o.To != nil:
			out.Location = c.location(sc, o.To, true)
		default:
			c.errorf(o, "%s applies to an input artifact, not to an output", o.Keyword()).WithHint("artifact takes: to, archive, optional, global, gc")
		}
	}
	if ok {
		st.Artifacts.Outputs = append(st.Artifacts.Outputs, out)
	}
}

// archive checks `archive none`, `archive tar [level N]`, `archive zip`.
func (c *checker) archive(o *dsl.ArtifactOption) *wfv1.ArchiveStrategy {
	a := &wfv1.ArchiveStrategy{}
	switch o.Archive.Name {
	case "none":
		a.None = &wfv1.NoneStrategy{}
	case "tar":
		a.Tar = &wfv1.TarStrategy{}
		if o.Level != nil {
			if n, ok := c.intValue(o.Level, "the compression level"); ok {
				if n < 0 || n > 9 {
					c.errorf(o.Level, "the compression level must be 0 (none) to 9 (best), got %d", n)
				}
				l := int32(n)
				a.Tar.CompressionLevel = &l
			}
		}
		return a
	case "zip":
		a.Zip = &wfv1.ZipStrategy{}
	default:
		c.unknownWord(o.Archive, "archive", []string{"none", "tar", "zip"})
	}
	if o.Level != nil {
		c.errorf(o.Level, "a compression level applies to archive tar only")
	}
	return a
}

// globalName checks a `global "name"` of an output or artifact.
func (c *checker) globalName(s *dsl.StringLit) string {
	g := c.literalOnly(s, "a global name")
	if !argoArtifactNameRE.MatchString(g) {
		c.errorf(s, "global name %q is not valid for Argo", g).WithHint("use letters, digits, '-' and '_'")
	}
	return g
}

// fileMode checks an input artifact's `mode 0644` (octal with a leading 0).
func (c *checker) fileMode(v *dsl.Value) *int32 {
	if v.Int == nil {
		c.errorf(v, "mode is a file mode such as 0644, got %s", v.Kind())
		return nil
	}
	n, err := strconv.ParseInt(*v.Int, 0, 32)
	if err != nil || n < 0 || n > 0o7777 {
		c.errorf(v, "invalid file mode %s", *v.Int).WithHint("write it in octal with a leading 0, such as 0644 or 0755")
		return nil
	}
	if !strings.HasPrefix(*v.Int, "0") && n > 7 {
		c.errorf(v, "file mode %s is decimal; modes are written in octal", *v.Int).WithHint("write 0%s if you meant octal, as in chmod", *v.Int)
	}
	m := int32(n)
	return &m
}

// outputGlobal checks `output NAME = file(...) global "name"`.
func (c *checker) outputGlobal(out *StepOutput, s *dsl.OutputStmt) {
	if s.Global != nil {
		out.Global = c.globalName(s.Global)
	}
}

// checkArtifacts completes the artifact references of a pipeline's steps
// and checks what involves several steps: each reference against the
// artifact it names, memoized artifacts against garbage collection, and
// global names.
func (c *checker) checkArtifacts(p *Pipeline) {
	globals := map[string]dsl.Node{}
	global := func(name string, n dsl.Node) {
		if name == "" {
			return
		}
		if prev := globals[name]; prev != nil {
			c.errorf(n, "global name %q is used twice (first at %s)", name, prev.Range()).WithHint("each workflow output needs a name of its own")
			return
		}
		globals[name] = n
	}
	var globalRefs []*ArtifactIn
	globalArts := map[string]*Step{} // the step of each global artifact
	defer func() {
		var names []string
		for n := range globals {
			names = append(names, n)
		}
		for _, in := range globalRefs {
			if st := globalArts[in.FromGlobal]; st != nil && st.Memoize {
				// Seen on the real controller (e2e TestArtifactsScope): a
				// cache hit restores the node's outputs but does not set
				// the workflow's global outputs.
				c.errorf(in.Decl, "workflow.outputs.artifacts.%s comes from step %q, which is memoized: on a cache hit Argo does not set the workflow's global outputs, and this step would fail (Unable to resolve)", in.FromGlobal, st.Name).
					WithHint("take it from the step itself (from %s.ARTIFACT), or add memoize off to step %s", st.Name, st.Name)
			}
			if globals[in.FromGlobal] == nil {
				dd := c.errorf(in.Decl, "no artifact of the pipeline has the global name %q", in.FromGlobal)
				if s := diag.Suggest(in.FromGlobal, names); s != "" {
					dd.WithHint("did you mean workflow.outputs.artifacts.%s?", s)
				} else {
					dd.WithHint(`give it to the artifact of the step that makes it: artifact NAME at "/path" global %q`, in.FromGlobal)
				}
			}
		}
	}()
	steps := p.AllSteps()
	for _, comp := range p.Composites {
		steps = append(steps, comp.Inner.AllSteps()...)
	}
	for _, st := range steps {
		for _, o := range st.Outputs {
			if o.Decl != nil {
				global(o.Global, o.Decl.Global)
			}
		}
		for _, a := range st.Artifacts.Outputs {
			global(a.Global, a.Decl.Name)
			if a.Global != "" {
				globalArts[a.Global] = st
			}
			gc := a.GC
			if gc == "" {
				gc = p.ArtifactGC
			}
			if st.Memoize && gc != "" && gc != string(wfv1.ArtifactGCNever) {
				var at dsl.Node = a.Decl
				if a.GCNode != nil {
					at = a.GCNode
				}
				c.errorf(at, "artifact %q of step %q is garbage-collected, but the step is memoized: a cache hit in a later run hands out the artifact after it is deleted", a.Name, st.Name).
					WithHint("add gc never to the artifact, or memoize off to the step")
			}
		}
		for _, in := range st.Artifacts.Inputs {
			if in.FromGlobal != "" {
				globalRefs = append(globalRefs, in)
			}
			if in.From == nil {
				continue
			}
			if in.From.Composite != nil {
				// An artifact of a composite, checked there.
				continue
			}
			var src *ArtifactOut
			for _, a := range in.From.Artifacts.Outputs {
				if a.Name == in.FromArtifact.Name {
					src = a
				}
			}
			if src == nil {
				if !usesRef(in.From.Decl) {
					in.From = nil // reported where the artifact was declared
				}
				continue
			}
			in.FromArtifact = src
			c.checkArtifactRef(st, in, src)
		}
	}
}

// checkArtifactRef checks what Argo would only fail on when the consumer
// runs.
func (c *checker) checkArtifactRef(st *Step, in *ArtifactIn, src *ArtifactOut) {
	archived := src.Archive == nil || src.Archive.Tar != nil || src.Archive.Zip != nil
	if in.SubPath != "" && archived {
		c.errorf(in.Decl, "sub_path %q needs the artifact unarchived, but %s.%s is stored as a %s archive", in.SubPath, in.From.Name, src.Name, archiveName(src.Archive)).
			WithHint("add archive none to artifact %s of step %s", src.Name, in.From.Name)
	}
	if in.From.Loop != nil || hasLoop(in.From.Decl) {
		if src.Location != nil {
			c.errorf(in.Decl, "step %q loops, so %s.%s is one artifact per iteration, but its location is fixed: each iteration overwrites the last", in.From.Name, in.From.Name, src.Name).
				WithHint("drop the to location: pipec then keys each iteration's artifact in the repository and hands the consumer them all, as a directory")
		}
		if src.Archive != nil && src.Archive.None == nil {
			c.errorf(src.Decl, "artifact %q of looped step %q is taken as a whole by step %q: every iteration's artifact is stored unarchived, one entry per iteration", src.Name, in.From.Name, st.Name).
				WithHint("drop the archive option, or write archive none")
		}
		if in.SubPath != "" {
			c.errorf(in.Decl, "sub_path cannot pick inside the artifacts of a looped step").WithHint("take the whole directory and pick in the command")
		}
	}
	if src.Optional && !in.Optional {
		c.diags.Warnf(in.Decl.Range(), "artifact %s.%s is optional, but input %q is not: the step fails when the artifact was not produced", in.From.Name, src.Name, in.Name).
			WithHint("add optional to the input")
	}
}

func archiveName(a *wfv1.ArchiveStrategy) string {
	if a != nil && a.Zip != nil {
		return "zip"
	}
	return "tar.gz"
}

// templateArtifactArg is where an input without from in a template body
// comes from: the calling step's argument of the same name, a reference
// to an artifact (uses t(data = prep.out)) or a location.
func (c *checker) templateArtifactArg(sc *scope, s *dsl.InputStmt) *dsl.ArtifactFrom {
	if sc.uses != nil {
		for _, a := range sc.uses.Args {
			if a.Name.Name != s.Name.Name {
				continue
			}
			v := a.Value
			switch {
			case v.Path != nil:
				return &dsl.ArtifactFrom{Span: v.Span, Ref: v.Path}
			case v.Str != nil:
				return &dsl.ArtifactFrom{Span: v.Span, Str: v.Str}
			}
			c.errorf(v, "argument %q is input artifact %q of template %q: give it a step's artifact, such as %s = train.model", a.Name.Name, s.Name.Name, sc.template.Name.Name, a.Name.Name)
			return nil
		}
	}
	c.errorf(sc.uses, "template %q needs input artifact %q", sc.template.Name.Name, s.Name.Name).WithHint("add %s = STEP.ARTIFACT to the call, or give the input a from in the template", s.Name.Name)
	return nil
}

// templateArtifactInputs names the inputs without from of a template:
// the artifacts its callers give as arguments.
func templateArtifactInputs(t *dsl.TemplateDecl) map[string]bool {
	var names map[string]bool
	for _, it := range t.Items {
		if in, ok := it.Stmt.(*dsl.InputStmt); ok && in.From == nil {
			if names == nil {
				names = map[string]bool{}
			}
			names[in.Name.Name] = true
		}
	}
	return names
}
