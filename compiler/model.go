package compiler

import (
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// Program is the checked model of a set of .pipe files: what the checker
// proved about the AST, ready to be lowered to Argo objects.
type Program struct {
	Unit      *Unit
	Pipelines []*Pipeline
	// Uses lists every resolved ${...} reference, one entry per occurrence in
	// the source (a template body's references once per step that uses the
	// template), for tools such as the language server that find and rename
	// references without resolving names themselves.
	Uses []*Use
	// texts are the arrays of the checker's Texts (most of them), for
	// releaseLits.
	texts [][]Text
}

// Use is one occurrence of a resolved ${...} reference.
type Use struct {
	Ref *Ref
	// Range is this occurrence: the whole ${...}, or the bare path of a loop
	// source such as `for f in list.files`.
	Range diag.Range
	// Step is the step in whose scope the reference was resolved; nil for
	// pipeline-level text.
	Step *Step
	// Template is set when the reference is in the body of a template.
	Template *dsl.TemplateDecl
}

// Output kinds.
const (
	KindWorkflow         = "Workflow"
	KindWorkflowTemplate = "WorkflowTemplate"
	// KindClusterWorkflowTemplate is a WorkflowTemplate of the whole
	// cluster (no namespace).
	KindClusterWorkflowTemplate = "ClusterWorkflowTemplate"
	KindCronWorkflow            = "CronWorkflow"
)

// Pipeline is one checked pipeline.
type Pipeline struct {
	Decl *dsl.Pipeline
	File *dsl.File
	Name string
	Kind string

	Description    string
	Image          *Text
	Namespace      string
	ServiceAccount string
	Labels         []KV
	Annotations    []KV
	Parallelism    *int64
	Priority       *int32
	TimeoutSeconds *int64
	PodGC          string
	PodGCDelay     string            // pod_gc ... delete_delay
	PodGCSelector  map[string]string // pod_gc ... selector
	TTL            TTL
	NodeSelector   []KV
	Tolerations    []apiv1.Toleration
	PullSecrets    []string
	Schedules      []string
	Timezone       string
	Volumes        []*Volume
	Raw            []*dsl.RawStmt
	RawText        []*Text // Raw's fragments with their ${...} resolved (raw.go)
	Env            []*EnvVar
	Settings       []*Setting // settings of the table in settings.go
	Sync           *wfv1.Synchronization
	// ArtifactRepository and ArtifactGC: artifacts.go.
	ArtifactRepository *wfv1.ArtifactRepositoryRef
	ArtifactGC         string
	// InputArtifacts and OutputArtifacts are the entry (or composite)
	// template's artifacts (artifacts_scope.go).
	InputArtifacts  []*ScopeInput
	OutputArtifacts []*ScopeOutput

	Params []*Param
	Retry  *Retry // default step retry; nil for none
	// Memoize is the pipeline default for memoization (on unless opted out).
	Memoize bool
	MaxAge  string

	Steps     []*Step // the main DAG, in source order
	ExitSteps []*Step // `on exit` and `on failure` steps, in source order
	// Stages and ExitStages are set when the main steps (the handlers)
	// are written in stages: a steps template (stages.go).
	Stages, ExitStages []*Stage
	Hooks              []*Step // workflow lifecycle hooks (spec.hooks), in source order
	// Outputs are the entry template's outputs (outputs.go).
	Outputs []*CompositeOutput
	// Composites are the composite templates the pipeline's steps use,
	// directly or not, in the order first used (composite.go).
	Composites []*Composite
	// Library are the templates a WorkflowTemplate offers by their own
	// names (`library [...]`, library.go).
	Library []*LibraryTemplate
	// EntryName and ExitName are the Argo names of pipec's entry and exit
	// handler templates: main and exit-handler, unless a step or template
	// of the user's has that name (templateNames in library.go).
	EntryName, ExitName string

	stepsByName map[string]*Step
	// freeSteps and freeBodies are the rest of the arrays the pipeline's
	// steps and bodies are taken from (newStep, newStepBody).
	freeSteps  []Step
	freeBodies []Body
	composites map[*dsl.TemplateDecl]*Composite
	// composite is set in the pipeline of a composite's steps, whose root
	// is the pipeline it is checked for.
	composite *Composite
	root      *Pipeline
}

// KV is an ordered key/value pair.
type KV struct{ Key, Value string }

// TTL is the workflow's time to live after it finishes, in seconds.
type TTL struct{ Completion, Success, Failure *int32 }

// Volume is a pipeline volume.
type Volume struct {
	Name   string
	Decl   *dsl.VolumeStmt
	Source apiv1.VolumeSource
	// ClaimSize is set for new_pvc("1Gi"): a volumeClaimTemplate made per run,
	// with its access modes (ReadWriteOnce when none is given) and storage
	// class.
	ClaimSize    string
	AccessModes  []string
	StorageClass string
	// Mounted is set when a step mounts it.
	Mounted bool
}

// Param is a workflow parameter.
type Param struct {
	Name        string
	Decl        *dsl.ParamStmt
	Type        string // string, int, float, bool, json
	Default     *string
	Description string
	Enum        []string
	// Input is set for an input of a composite template (its ${name} is
	// {{inputs.parameters.name}}).
	Input bool
	// FromConfigMap is the ConfigMap key the value comes from at submit
	// (`param x = config_map("name", "key")`), when it has no default.
	FromConfigMap *apiv1.ConfigMapKeySelector
}

// Retry is a resolved retry policy.
type Retry struct {
	Stmt       *dsl.RetryStmt
	Limit      int
	Forever    bool   // retry forever: no limit
	Policy     string // Argo name: Always, OnFailure, OnError, OnTransientError
	Backoff    string // durations in Argo's syntax
	Factor     *int
	Max        string
	Cap        string
	Expression string
	ExprText   *Text // a step's expression, with its references
}

// Step is one checked step.
type Step struct {
	Name     string
	ArgoName string
	Decl     *dsl.StepDecl
	// Handler is the event of `on EVENT step`: "" for a main step, "exit"
	// or "failure" for the workflow's exit handlers, else a lifecycle hook's
	// (hooks.go).
	Handler  string
	Pipeline *Pipeline
	// HookOf is the step whose hook this is (nil for a main step, an exit
	// handler or a workflow hook); Hooks are the step's own hooks.
	HookOf *Step
	Hooks  []*Step
	// HookExpr is a hook's expression (empty for an exit hook).
	HookExpr string

	Deps []*Dep
	// After is the after clause's expression; nil when there is none.
	After *DepExpr
	Loop  *Loop
	When  *Text

	// Exactly one of Body or TemplateRef is set.
	Body        *Body
	TemplateRef *TemplateRef
	// Template is the reusable template the step uses, if any.
	Template *dsl.TemplateDecl
	// Composite is set when the template has steps: the task runs its DAG
	// template with CompositeArgs (and no Body).
	Composite     *Composite
	CompositeArgs []*Arg

	// Stage is the step's stage, nil for a step of a DAG (stages.go).
	Stage *Stage
	// ContinueOn is Argo's continueOn of a staged step.
	ContinueOn *wfv1.ContinueOn

	Retry   *Retry
	Memoize bool
	MaxAge  string
	Outputs []*StepOutput
	// Artifacts are the step's input and output artifacts (artifacts.go).
	Artifacts StepArtifacts
	// ResultUsed is set when another step uses ${step.result}.
	ResultUsed bool
	// UsesRetries is set when the step uses ${retries}.
	UsesRetries bool
	// MemoizeExplicit is set when the step says memoize on or off.
	MemoizeExplicit bool
	// ExitCodeUsed is set when another step uses ${step.exit_code}.
	ExitCodeUsed bool
	// Library is set on the stand-in step of a library template
	// (library.go): its template's parameters are inputs the caller gives.
	Library bool
}

// Dep is one dependency of a step.
type Dep struct {
	Step     *Step
	Outcome  string // "" for the default (succeeded or skipped)
	Implicit bool   // inferred from a ${step.output} reference
	Range    diag.Range
}

// Loop is a step's fan-out.
type Loop struct {
	Var   string
	Decl  *dsl.LoopClause
	Items []any    // a literal list: strings, numbers, bools, maps
	Keys  []string // for a list of maps: keys present in every item
	// Param is a reference to a JSON list: a step output or a parameter.
	Param *Text
	// Seq is a range(...) (loops_range.go).
	Seq *Sequence
}

// TemplateRef is a step that runs a template of an existing WorkflowTemplate.
type TemplateRef struct {
	WorkflowTemplate string
	Template         string
	Cluster          bool
	Args             []*Arg
}

// Arg is a named argument.
type Arg struct {
	Name  string
	Value *Text
}

// StepOutput is an output parameter of a step.
type StepOutput struct {
	Name string
	// Source is the kind of output: "file" (Path), "supplied" (given on
	// resume, one of Enum), "json_path" or "jq_filter" (Expr).
	Source string
	Path   *Text
	Expr   string
	Enum   []string
	// Description is the output's doc comment (shown when a suspend step
	// asks for it).
	Description string
	Default     *string
	Decl        *dsl.OutputStmt
	Global      string // also a workflow output of this name
}

// Body is what a leaf step runs. Its common parts are its own fields; the
// statements few steps use are in its BodyExtra, which it shares with
// every other body that uses none of them (noExtra, read-only): a step's
// Body is the checker's largest allocation per step, and most of what it
// could hold is rare. Read any field directly; write a rare one through
// extra(), which gives the body an extra of its own first. Make a Body
// with newBody.
type Body struct {
	Image       *Text
	Command     []*Text
	Args        []*Text
	Script      *Script
	Env         []*EnvVar
	Requests    []KV
	Limits      []KV
	Timeout     *int64
	TimeoutText *Text // timeout "${t}": Argo's timeout, read at run time

	// Kind is what the step runs when not a container or script:
	// kindSuspend, kindResource, kindHTTP (templates_kinds.go) or kindData
	// (templates_data.go).
	Kind string

	*BodyExtra
}

// BodyExtra holds the parts of a Body that few steps have.
type BodyExtra struct {
	Mounts       []*Mount
	Workdir      *Text
	NodeSelector []*TextKV
	Tolerations  []apiv1.Toleration
	Labels       []KV
	Annotations  []KV
	Raw          []*dsl.RawStmt
	RawText      []*Text               // Raw's fragments with their ${...} resolved (raw.go)
	Settings     []*Setting            // step settings (step_settings.go)
	Sync         *wfv1.Synchronization // mutex and semaphore statements
	DynResources []*DynResource        // cpu "${cpu}": resources known at run time

	// Containers, Sidecars and Inits are the step's container blocks, and
	// Volumes the volumes of its pod only (containers.go).
	Containers []*ContainerSpec
	Sidecars   []*ContainerSpec
	Inits      []*ContainerSpec
	Volumes    []*Volume
	// SetRetry is a container set's own retryStrategy (retry_containers).
	SetRetry *wfv1.ContainerSetRetryStrategy
	setRetry dsl.Node
	// PodSpecPatch is a pod_spec_patch that uses ${...} (containers.go).
	PodSpecPatch *Text
	// MetricTexts are the ${...} strings of a step's metrics, in the
	// order of their placeholders (step_metrics.go).
	MetricTexts []*Text
	// DisplayName is display_name: the name the UI shows for the step's
	// node (the template's workflows.argoproj.io/display-name annotation).
	DisplayName *Text

	// Suspend, Resource, HTTP and Data are set for their Kind.
	Suspend       *SuspendBody
	Resource      *ResourceBody
	HTTP          *HTTPBody
	Data          *DataBody
	Options       KindOptions
	Daemon        bool
	Ready         *apiv1.Probe
	mergeStrategy string
	httpBody      *Text
	// dataTransforms are transformations written before a data statement.
	dataTransforms []string
}

// noExtra is the BodyExtra of every body that has none of its own. Nothing
// writes to it (extra() copies first; TestNoExtraStaysZero).
var noExtra = &BodyExtra{}

// newStep returns a new step of the pipeline, set to st: the steps of a
// pipeline are taken from arrays of n (the number of its steps), one
// allocation for all of them, which live as long as the pipeline.
func (p *Pipeline) newStep(n int, st Step) *Step {
	if len(p.freeSteps) == 0 {
		p.freeSteps = make([]Step, max(n, 1))
	}
	out := &p.freeSteps[0]
	p.freeSteps = p.freeSteps[1:]
	*out = st
	return out
}

// newStepBody returns an empty Body for a step of the pipeline (as
// newBody), taken from arrays of about as many as it has steps.
func (p *Pipeline) newStepBody() *Body {
	if len(p.freeBodies) == 0 {
		p.freeBodies = make([]Body, max(len(p.Steps)+len(p.ExitSteps)+len(p.Hooks), 4))
	}
	b := &p.freeBodies[0]
	p.freeBodies = p.freeBodies[1:]
	b.BodyExtra = noExtra
	return b
}

// newBody returns an empty Body, which shares noExtra.
func newBody() *Body { return &Body{BodyExtra: noExtra} }

// extra returns the body's own BodyExtra, for writing: the shared noExtra
// is replaced by a new one first.
func (b *Body) extra() *BodyExtra {
	if b.BodyExtra == noExtra {
		b.BodyExtra = &BodyExtra{}
	}
	return b.BodyExtra
}

// TextKV is a key with a value that may use references.
type TextKV struct {
	Key   string
	Value *Text
}

// Script is an inline script.
type Script struct {
	Command []string
	Source  *Text
}

// EnvVar is an environment variable.
type EnvVar struct {
	Name      string
	Value     *Text
	SecretRef *apiv1.SecretKeySelector
	ConfigRef *apiv1.ConfigMapKeySelector
	Range     diag.Range
}

// Mount is a volume mount.
type Mount struct {
	Volume   string
	Path     string
	ReadOnly bool
	SubPath  string
}

// Text is a string that may contain ${...} references, each resolved.
type Text struct {
	Value string
	Lit   *dsl.StringLit
	Refs  []TextRef // one for each path, in the order they first occur
}

// TextRef is what one ${path} of a Text refers to.
type TextRef struct {
	Path string
	Ref  *Ref
}

// Ref returns what ${path} in the text refers to, or nil. A text has few
// references: they are looked up in order.
func (t *Text) Ref(path string) *Ref {
	for i := range t.Refs {
		if t.Refs[i].Path == path {
			return t.Refs[i].Ref
		}
	}
	return nil
}

// setRef makes ${path} in the text refer to r.
func (t *Text) setRef(path string, r *Ref) {
	for i := range t.Refs {
		if t.Refs[i].Path == path {
			t.Refs[i].Ref = r
			return
		}
	}
	t.Refs = append(t.Refs, TextRef{Path: path, Ref: r})
}

// RefKind says what a ${...} reference refers to.
type RefKind int

const (
	RefParam RefKind = iota
	RefOutput
	RefResult
	RefLoopVar
	RefTemplateParam
	RefArgo
	// RefAllOutputs is a bare step name as a loop source: the list of the
	// output maps of a looped step's iterations.
	RefAllOutputs
	// RefStepField is a field of a step's node: ${step.status},
	// ${step.exit_code}, ${step.ip}, ${step.started_at}, ...
	RefStepField
	// RefArtifact is a step's artifact in the expression that chooses an
	// artifact of a pipeline or composite (artifacts_scope.go).
	RefArtifact
)

// Ref is a resolved ${...} reference.
type Ref struct {
	Path  string
	Kind  RefKind
	Range diag.Range

	Param  *Param // RefParam
	Step   *Step  // RefOutput, RefResult, RefStepField
	Output string // RefOutput; RefArtifact: the artifact
	Field  string // RefLoopVar: the map key, if any; RefStepField: Argo's name of the field
	// RefTemplateParam: the argument (in the calling step's scope) or default.
	TemplateParam string
	Arg           *Text
	Argo          string // RefArgo: the Argo variable
}
