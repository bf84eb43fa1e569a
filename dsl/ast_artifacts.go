package dsl

// Artifacts: files and directories a step takes in or hands on, stored in
// an artifact repository (S3, GCS, ...) between steps.

// InputStmt is an input artifact of a step, put at a path before its
// command runs:
//
//	input NAME at "/path" [from SOURCE] [optional] [mode 0644] [sub_path "dir"]
//
// Without `at`, in a pipeline or a template with steps, it is an input
// artifact of the pipeline (the workflow's arguments.artifacts, `from
// LOCATION`) or of the template (given by its caller), which its steps take
// with `from NAME`.
//
// SOURCE is an earlier step's artifact (train.model, or "${train.model}"),
// or a location (s3 {...}, http "https://...", git {...}, raw """text""",
// key "path/in/the/repository", ...). In a template, an input without from
// is given by the step that uses the template: uses t(NAME = train.model).
type InputStmt struct {
	Span
	Name    *Ident            `parser:"'input' @@"`
	Path    *StringLit        `parser:"( 'at' @@ )?"`
	From    *ArtifactFrom     `parser:"( 'from' @@ )?"`
	Options []*ArtifactOption `parser:"@@*"`
}

// ArtifactStmt is an output artifact of a step, taken from a path after
// its command ran:
//
//	artifact NAME at "/path" [to LOCATION] [archive none|tar [level N]|zip]
//	    [optional] [global "name"] [gc on_completion|on_deletion|never]
//
// In a pipeline or a template with steps, an output artifact of the
// pipeline (its entry template) or template, taken from one of its steps:
//
//	artifact NAME from STEP.ARTIFACT
//	artifact NAME = expression("${a.result} == 'x' ? ${a.out} : ${b.out}")
type ArtifactStmt struct {
	Span
	Name    *Ident            `parser:"'artifact' @@"`
	Path    *StringLit        `parser:"( 'at' @@"`
	From    *ArtifactFrom     `parser:"| 'from' @@"`
	Expr    *Call             `parser:"| '=' @@ )?"`
	Options []*ArtifactOption `parser:"@@*"`
}

// ArtifactFrom is where an input artifact comes from: a location, or a
// reference to an artifact of an earlier step.
type ArtifactFrom struct {
	Span
	Location *Location  `parser:"  @@"`
	Ref      *Path      `parser:"| @@"`
	Str      *StringLit `parser:"| @@"`
}

// Location is an artifact's place in a store: `s3 { bucket: "b", key: "k" }`,
// or `KIND "text"` for the location's main field (http "https://...",
// key "path", raw """content""").
type Location struct {
	Span
	Kind   *Ident     `parser:"@@"`
	Main   *StringLit `parser:"( @@"`
	Fields *MapLit    `parser:"| @@ )"`
}

// ArtifactOption is one option of an input or artifact statement; which
// options a statement takes is checked by the compiler.
type ArtifactOption struct {
	Span
	Optional bool       `parser:"  @'optional'"`
	Archive  *Ident     `parser:"| 'archive' @@"`
	Level    *Value     `parser:"  ( 'level' @@ )?"`
	Mode     *Value     `parser:"| 'mode' @@"`
	SubPath  *StringLit `parser:"| 'sub_path' @@"`
	Global   *StringLit `parser:"| 'global' @@"`
	GC       *Ident     `parser:"| 'gc' @@"`
	To       *Location  `parser:"| 'to' @@"`
}

// Keyword is the option's keyword.
func (o *ArtifactOption) Keyword() string {
	switch {
	case o.Optional:
		return "optional"
	case o.Archive != nil:
		return "archive"
	case o.Mode != nil:
		return "mode"
	case o.SubPath != nil:
		return "sub_path"
	case o.Global != nil:
		return "global"
	case o.GC != nil:
		return "gc"
	case o.To != nil:
		return "to"
	}
	return ""
}

// ArtifactRepositoryStmt: `artifact_repository ["config-map"] [key "name"]`
// makes the pipeline's artifacts go to the repository a ConfigMap
// describes (Argo's artifactRepositoryRef) rather than to the
// controller's default. Without a ConfigMap it is the namespace's
// artifact-repositories ConfigMap.
type ArtifactRepositoryStmt struct {
	Span
	ConfigMap *StringLit `parser:"'artifact_repository' @@?"`
	Key       *StringLit `parser:"( 'key' @@ )?"`
}

// ArtifactGCStmt: `artifact_gc on_completion|on_deletion|never`, when the
// pipeline's output artifacts are deleted from their store.
type ArtifactGCStmt struct {
	Span
	Strategy *Ident `parser:"'artifact_gc' @@"`
}

func (*ArtifactRepositoryStmt) pipelineStmt() {}
func (*ArtifactGCStmt) pipelineStmt()         {}
func (*InputStmt) pipelineStmt()              {}
func (*ArtifactStmt) pipelineStmt()           {}
func (*InputStmt) stepStmt()                  {}
func (*ArtifactStmt) stepStmt()               {}
