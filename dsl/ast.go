package dsl

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// Span is embedded in every AST node: participle fills Pos with the position
// of the node's first token and EndPos with the position just after its last
// token (exclusive).
type Span struct {
	Pos    lexer.Position
	EndPos lexer.Position
}

// Range converts the span to a diagnostics range.
func (s Span) Range() diag.Range {
	return diag.Range{Filename: s.Pos.Filename, Start: convPos(s.Pos), End: convPos(s.EndPos)}
}

func convPos(p lexer.Position) diag.Pos {
	return diag.Pos{Offset: p.Offset, Line: p.Line, Column: p.Column}
}

// Node is implemented by every AST node.
type Node interface{ Range() diag.Range }

// File is one parsed .pipe file.
type File struct {
	Span
	Items []*TopItem `parser:"@@*"`

	// Filled after parsing, not by the grammar.
	Name     string          `parser:""`
	Source   []byte          `parser:""`
	Comments []*CommentGroup `parser:""`
}

// EachStepBody calls fn with the statements of every step and template body
// of the file, in source order.
func (f *File) EachStepBody(fn func(items []*StepItem)) {
	for _, it := range f.Items {
		if it.Template != nil {
			fn(it.Template.Items)
		}
		if it.Pipeline != nil {
			for _, pi := range it.Pipeline.Items {
				switch s := pi.Stmt.(type) {
				case *StepDecl:
					fn(s.Items)
				case *StageDecl:
					for _, sub := range s.Steps() {
						fn(sub.Items)
					}
				}
			}
		}
	}
}

// TopItem is one top-level declaration.
type TopItem struct {
	Span
	Doc      *CommentGroup `parser:""`
	Import   *Import       `parser:"  @@"`
	Template *TemplateDecl `parser:"| @@"`
	Pipeline *Pipeline     `parser:"| @@"`
	Bad      *BadStmt      `parser:"| @@"`
	Stray    *StrayBrace   `parser:"| @@"`
}

// StrayBrace is a '}' at the top level of a file, where no block is open.
// The parser reports it and goes on.
type StrayBrace struct {
	Span
}

// Import names another .pipe file whose templates this file may use.
type Import struct {
	Span
	Path *StringLit `parser:"'import' @@"`
}

// Pipeline is one pipeline: it compiles to one Argo Workflow (or
// WorkflowTemplate, or CronWorkflow).
type Pipeline struct {
	Span
	Name  *Ident          `parser:"'pipeline' @@"`
	Items []*PipelineItem `parser:"'{' @@* '}'"`
}

// PipelineItem is one statement in a pipeline body.
type PipelineItem struct {
	Span
	Doc  *CommentGroup `parser:""`
	Stmt PipelineStmt  `parser:"  @@"`
	Bad  *BadStmt      `parser:"| @@"`
}

// TemplateDecl declares a reusable step template with typed parameters.
type TemplateDecl struct {
	Span
	Name   *Ident        `parser:"'template' @@"`
	Params []*TParam     `parser:"'(' ( @@ ( ',' @@ )* ','? )? ')'"`
	Items  []*StepItem   `parser:"'{' @@* '}'"`
	Doc    *CommentGroup `parser:""`
}

// TParam is one typed template parameter: `name: type [= default]`.
type TParam struct {
	Span
	Name    *Ident `parser:"@@"`
	Type    *Ident `parser:"':' @@"`
	Default *Value `parser:"( '=' @@ )?"`
}

// StepItem is one statement in a step or template body.
type StepItem struct {
	Span
	Doc  *CommentGroup `parser:""`
	Stmt StepStmt      `parser:"  @@"`
	Bad  *BadStmt      `parser:"| @@"`
}

// PipelineStmt is a statement allowed in a pipeline body.
type PipelineStmt interface {
	Node
	pipelineStmt()
}

// StepStmt is a statement allowed in a step or template body.
type StepStmt interface {
	Node
	stepStmt()
}

// Ident is a name: letters, digits, '_' and '-', not starting with a digit
// or '-'.
type Ident struct {
	Span
	Name string `parser:"@Ident"`
}

// StringLit is a string literal: "double quoted" with Go escapes,
// """triple quoted""" or `back-quoted` (both raw, possibly multi-line).
type StringLit struct {
	Span
	Raw string `parser:"@(String | TripleString | RawString)"`
}

// Value returns the string's content with quotes removed and escapes
// processed.
func (s *StringLit) Value() string {
	v, _ := Unquote(s.Raw)
	return v
}

// ContentOffset is the number of bytes of quoting before the content in Raw.
func (s *StringLit) ContentOffset() int {
	if strings.HasPrefix(s.Raw, `"""`) {
		return 3
	}
	return 1
}

// Unquote returns the content of a string token.
func Unquote(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, `"""`) && len(raw) >= 6:
		return raw[3 : len(raw)-3], nil
	case strings.HasPrefix(raw, "`") && len(raw) >= 2:
		return raw[1 : len(raw)-1], nil
	default:
		return strconv.Unquote(raw)
	}
}

// Key is a map or label key: a name or a quoted string.
type Key struct {
	Span
	Ident string     `parser:"  @Ident"`
	Str   *StringLit `parser:"| @@"`
}

// Value returns the key text.
func (k *Key) Value() string {
	if k.Str != nil {
		return k.Str.Value()
	}
	return k.Ident
}

// Value is any literal value, a call such as secret("name", "key"), or a
// reference path such as extract.rows.
type Value struct {
	Span
	Str      *StringLit `parser:"  @@"`
	Quantity *Quantity  `parser:"| @@"`
	Duration *string    `parser:"| @Duration"`
	Float    *string    `parser:"| @Float"`
	Int      *string    `parser:"| @Int"`
	Bool     *string    `parser:"| @('true' | 'false')"`
	List     *ListLit   `parser:"| @@"`
	Map      *MapLit    `parser:"| @@"`
	Call     *Call      `parser:"| @@"`
	Path     *Path      `parser:"| @@"`
}

// Kind names what sort of value v is, for messages.
func (v *Value) Kind() string {
	switch {
	case v.Str != nil:
		return "string"
	case v.Quantity != nil:
		return "quantity"
	case v.Duration != nil:
		return "duration"
	case v.Float != nil:
		return "float"
	case v.Int != nil:
		return "int"
	case v.Bool != nil:
		return "bool"
	case v.List != nil:
		return "list"
	case v.Map != nil:
		return "map"
	case v.Call != nil:
		return v.Call.Name.Name + "(...)"
	case v.Path != nil:
		return "reference"
	}
	return "value"
}

// ListLit is `[v, v, ...]`.
type ListLit struct {
	Span
	Elems []*Value `parser:"'[' ( @@ ( ',' @@ )* ','? )? ']'"`
}

// MapLit is `{ key: v, key: v }`.
type MapLit struct {
	Span
	Entries []*MapEntry `parser:"'{' ( @@ ( ',' @@ )* ','? )? '}'"`
}

// MapEntry is one `key: value` of a map literal.
type MapEntry struct {
	Span
	Key   *Key   `parser:"@@ ':'"`
	Value *Value `parser:"@@"`
}

// Call is a built-in function call such as secret("s", "k"), file("/p"),
// range(0, 10), pvc("claim"): positional arguments, then named ones
// (range(1, through = n, format = "%02d")).
type Call struct {
	Span
	Name  *Ident   `parser:"@@ '('"`
	Args  []*Value `parser:"( (?! Ident '=') @@ ( ',' (?! Ident '=') @@ )* )?"`
	Named []*Arg   `parser:"( ','? @@ ( ',' @@ )* )? ','? ')'"`
}

// NamedArg returns the named argument called name, or nil.
func (c *Call) NamedArg(name string) *Arg {
	for _, a := range c.Named {
		if a.Name.Name == name {
			return a
		}
	}
	return nil
}

// Path is a dotted reference such as extract.rows or targets.
type Path struct {
	Span
	Parts []*Ident `parser:"@@ ( '.' @@ )*"`
}

// String joins the parts with dots.
func (p *Path) String() string {
	names := make([]string, len(p.Parts))
	for i, part := range p.Parts {
		names[i] = part.Name
	}
	return strings.Join(names, ".")
}

// BadStmt is a statement the parser could not understand. Parsing resumes
// after it, at the next line (or after its block), so that one broken
// statement does not hide the rest of the file. The parser reports an error
// for it.
type BadStmt struct {
	Span
	Tokens []lexer.Token `parser:""`
}

// ---- pipeline settings ----

// DescriptionStmt: `description "text"`.
type DescriptionStmt struct {
	Span
	Text *StringLit `parser:"'description' @@"`
}

// ImageStmt: `image "ref"`; the default image in a pipeline, the image in a step.
type ImageStmt struct {
	Span
	Image *StringLit `parser:"'image' @@"`
}

// NamespaceStmt: `namespace "ns"`.
type NamespaceStmt struct {
	Span
	Namespace *StringLit `parser:"'namespace' @@"`
}

// ServiceAccountStmt: `service_account "name"`.
type ServiceAccountStmt struct {
	Span
	Name *StringLit `parser:"'service_account' @@"`
}

// LabelStmt: `label key = "value"` or `annotation key = "value"`.
type LabelStmt struct {
	Span
	Kind  string     `parser:"@('label' | 'annotation')"`
	Key   *Key       `parser:"@@ '='"`
	Value *StringLit `parser:"@@"`
}

// IntStmt: `parallelism 4` or `priority 10`.
type IntStmt struct {
	Span
	Kind  string `parser:"@('parallelism' | 'priority')"`
	Value *Value `parser:"@@"`
}

// TimeoutStmt: `timeout 2h`: the whole workflow's deadline in a pipeline,
// the step's deadline in a step.
type TimeoutStmt struct {
	Span
	Value *Value `parser:"'timeout' @@"`
}

// PodGCStmt: `pod_gc on_pod_success [delete_delay 30s] [selector { app: "x" }]`.
type PodGCStmt struct {
	Span
	Strategy *Ident         `parser:"'pod_gc' @@"`
	Options  []*PodGCOption `parser:"@@*"`
}

// PodGCOption is one option of a pod_gc statement.
type PodGCOption struct {
	Span
	Name  string `parser:"@('delete_delay' | 'selector')"`
	Value *Value `parser:"@@"`
}

// TTLStmt: `ttl 1d`, `ttl success 1h`, `ttl failure 7d`.
type TTLStmt struct {
	Span
	When  string `parser:"'ttl' @('success' | 'failure')?"`
	Value *Value `parser:"@@"`
}

// NodeSelectorStmt: `node_selector disktype = "ssd"`.
type NodeSelectorStmt struct {
	Span
	Key   *Key       `parser:"'node_selector' @@ '='"`
	Value *StringLit `parser:"@@"`
}

// TolerationStmt: `toleration "key" = "value" effect no_schedule` or
// `toleration "key" exists`.
type TolerationStmt struct {
	Span
	Key    *Key       `parser:"'toleration' @@"`
	Exists bool       `parser:"( @'exists'"`
	Value  *StringLit `parser:"| '=' @@ )"`
	Effect *Ident     `parser:"( 'effect' @@ )?"`
}

// PullSecretStmt: `image_pull_secret "regcred"`.
type PullSecretStmt struct {
	Span
	Name *StringLit `parser:"'image_pull_secret' @@"`
}

// ParamStmt declares a workflow parameter: `param date = "2024-01-01"`, or
// `param region` for one that must be given at submit. A doc comment above
// it becomes its description.
type ParamStmt struct {
	Span
	Name    *Ident   `parser:"'param' @@"`
	Type    *Ident   `parser:"( ':' @@ )?"`
	Default *Value   `parser:"( '=' @@ )?"`
	Enum    *ListLit `parser:"( 'one_of' @@ )?"`
}

// RetryStmt: `retry 3 backoff 10s factor 2 max 5m cap 1m policy on_failure
// when "expr"`, or `retry off`.
type RetryStmt struct {
	Span
	Off     bool           `parser:"'retry' ( @'off'"`
	Limit   *Value         `parser:"| @@"`
	Options []*RetryOption `parser:"  @@* )"`
}

// RetryOption is one option of a retry statement.
type RetryOption struct {
	Span
	Name  string `parser:"@('backoff' | 'factor' | 'max' | 'cap' | 'policy' | 'when')"`
	Value *Value `parser:"@@"`
}

// MemoizeStmt: `memoize off`, `memoize on`, `memoize max_age 24h`.
type MemoizeStmt struct {
	Span
	Mode   string `parser:"'memoize' ( @('off' | 'on')"`
	MaxAge *Value `parser:"  ( 'max_age' @@ )? | 'max_age' @@ )"`
}

// ScheduleStmt: `schedule "0 2 * * *" [timezone "Europe/Paris"]`; makes the
// pipeline a CronWorkflow.
type ScheduleStmt struct {
	Span
	Cron     *StringLit `parser:"'schedule' @@"`
	Timezone *StringLit `parser:"( 'timezone' @@ )?"`
}

// KindStmt: `kind workflow_template` emits a WorkflowTemplate instead of a
// Workflow.
type KindStmt struct {
	Span
	Kind *Ident `parser:"'kind' @@"`
}

// VolumeStmt: `volume data = pvc("claim")`; also empty_dir(), config_map("n"),
// secret("n"), new_pvc("1Gi" [, "ReadWriteMany", ...]) [storage_class "fast"].
// In a step, a volume of that step's pod only.
type VolumeStmt struct {
	Span
	Name         *Ident     `parser:"'volume' @@ '='"`
	Source       *Call      `parser:"@@"`
	StorageClass *StringLit `parser:"( 'storage_class' @@ )?"`
}

// RawStmt: `raw """yaml"""`: a YAML fragment merged into the workflow spec
// (in a pipeline) or into the step's Argo template (in a step).
type RawStmt struct {
	Span
	YAML *StringLit `parser:"'raw' @@"`
}

// EnvStmt: `env NAME = "value"`, `env NAME = secret("s", "k")`,
// `env NAME = config_map("c", "k")`.
type EnvStmt struct {
	Span
	Name  *Key   `parser:"'env' @@ '='"`
	Value *Value `parser:"@@"`
}

// StepDecl declares a step:
//
//	[on EVENT [when "EXPR"]] step NAME [for VAR in SOURCE] [after DEP, ...] [when "cond"] [uses TARGET] [{ ... }]
type StepDecl struct {
	Span
	// On is the event of `on EVENT step ...`: exit or failure (the
	// workflow's exit handler), or a workflow lifecycle hook (ast_hooks.go).
	On       *Ident        `parser:"( 'on' @@"`
	HookWhen *StringLit    `parser:"  ( 'when' @@ )? )?"`
	Name     *Ident        `parser:"'step' @@"`
	Clauses  []*StepClause `parser:"@@*"`
	Items    []*StepItem   `parser:"( '{' @@* '}' )?"`
}

// Handler returns the event of `on EVENT step ...`, or "" for a plain step.
func (s *StepDecl) Handler() string {
	if s.On == nil {
		return ""
	}
	return s.On.Name
}

// StepClause is one clause of a step header.
type StepClause struct {
	Span
	Loop  *LoopClause  `parser:"  @@"`
	After *AfterClause `parser:"| @@"`
	When  *StringLit   `parser:"| 'when' @@"`
	Uses  *UsesClause  `parser:"| @@"`
}

// LoopClause: `for x in ["a", "b"]`, `for i in range(0, 10)`,
// `for f in list.files`.
type LoopClause struct {
	Span
	Var    *Ident `parser:"'for' @@ 'in'"`
	Source *Value `parser:"@@"`
}

// UsesClause: `uses train(model = "x")` for a template of this or an imported
// file, `uses ref("workflow-template", "template")(arg = "v")` for an
// existing WorkflowTemplate, or ref("...", "...", cluster) for a
// ClusterWorkflowTemplate.
type UsesClause struct {
	Span
	Ref      *RefTarget `parser:"'uses' ( @@"`
	Template *Ident     `parser:"| @@ )"`
	Args     []*Arg     `parser:"( '(' ( @@ ( ',' @@ )* ','? )? ')' )?"`
}

// RefTarget is `ref("workflow-template", "template" [, cluster])`.
type RefTarget struct {
	Span
	WorkflowTemplate *StringLit `parser:"'ref' '(' @@"`
	Template         *StringLit `parser:"',' @@"`
	Cluster          bool       `parser:"( ',' @'cluster' )? ')'"`
}

// Arg is `name = value` in a template call.
type Arg struct {
	Span
	Name  *Ident `parser:"@@ '='"`
	Value *Value `parser:"@@"`
}

// ---- step statements ----

// RunStmt: `run ["cmd", "arg"]` sets the container's command; `args [...]`
// sets only its arguments.
type RunStmt struct {
	Span
	Kind string   `parser:"@('run' | 'args')"`
	List *ListLit `parser:"@@"`
}

// ScriptStmt: `script python """..."""`, or `script ["perl"] "..."`.
type ScriptStmt struct {
	Span
	Lang    *Ident     `parser:"'script' ( @@"`
	Command *ListLit   `parser:"| @@ )"`
	Source  *StringLit `parser:"@@"`
}

// ResourceStmt: `cpu "500m" [limit "1"]`, `memory "1Gi" [limit "2Gi"]`,
// `gpu 1`, or a limit alone: `memory limit 32Mi`.
type ResourceStmt struct {
	Span
	Kind      string `parser:"@('cpu' | 'memory' | 'gpu')"`
	LimitOnly *Value `parser:"( 'limit' @@"`
	Request   *Value `parser:"| @@"`
	Limit     *Value `parser:"  ( 'limit' @@ )? )"`
}

// MountStmt: `mount data at "/data" [readonly] [sub_path "x"]`.
type MountStmt struct {
	Span
	Volume   *Ident     `parser:"'mount' @@"`
	Path     *StringLit `parser:"'at' @@"`
	ReadOnly bool       `parser:"@'readonly'?"`
	SubPath  *StringLit `parser:"( 'sub_path' @@ )?"`
}

// WorkdirStmt: `workdir "/app"`.
type WorkdirStmt struct {
	Span
	Dir *StringLit `parser:"'workdir' @@"`
}

// OutputStmt: `output rows = file("/tmp/rows.txt") [default "0"]`; in a
// suspend step `output ok = supplied() [default "no"] [one_of [...]]`.
type OutputStmt struct {
	Span
	Name    *Ident     `parser:"'output' @@ '='"`
	Source  *Call      `parser:"@@"`
	Default *StringLit `parser:"( 'default' @@ )?"`
	Enum    *ListLit   `parser:"( 'one_of' @@ )?"`
	// Global makes it a workflow output too: `global "name"` (artifacts.go).
	Global *StringLit `parser:"( 'global' @@ )?"`
}

func (*DescriptionStmt) pipelineStmt()    {}
func (*ImageStmt) pipelineStmt()          {}
func (*NamespaceStmt) pipelineStmt()      {}
func (*ServiceAccountStmt) pipelineStmt() {}
func (*LabelStmt) pipelineStmt()          {}
func (*IntStmt) pipelineStmt()            {}
func (*TimeoutStmt) pipelineStmt()        {}
func (*PodGCStmt) pipelineStmt()          {}
func (*TTLStmt) pipelineStmt()            {}
func (*NodeSelectorStmt) pipelineStmt()   {}
func (*TolerationStmt) pipelineStmt()     {}
func (*PullSecretStmt) pipelineStmt()     {}
func (*ParamStmt) pipelineStmt()          {}
func (*RetryStmt) pipelineStmt()          {}
func (*MemoizeStmt) pipelineStmt()        {}
func (*ScheduleStmt) pipelineStmt()       {}
func (*KindStmt) pipelineStmt()           {}
func (*VolumeStmt) pipelineStmt()         {}
func (*RawStmt) pipelineStmt()            {}
func (*EnvStmt) pipelineStmt()            {}
func (*StepDecl) pipelineStmt()           {}
func (*OutputStmt) pipelineStmt()         {} // an output of the pipeline's entry template

func (*ImageStmt) stepStmt()        {}
func (*LabelStmt) stepStmt()        {}
func (*TimeoutStmt) stepStmt()      {}
func (*NodeSelectorStmt) stepStmt() {}
func (*TolerationStmt) stepStmt()   {}
func (*RetryStmt) stepStmt()        {}
func (*MemoizeStmt) stepStmt()      {}
func (*RawStmt) stepStmt()          {}
func (*EnvStmt) stepStmt()          {}
func (*RunStmt) stepStmt()          {}
func (*ScriptStmt) stepStmt()       {}
func (*ResourceStmt) stepStmt()     {}
func (*MountStmt) stepStmt()        {}
func (*WorkdirStmt) stepStmt()      {}
func (*OutputStmt) stepStmt()       {}
