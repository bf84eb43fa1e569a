package dsl

// The data template kind: a step that lists the files of an artifact
// location (Argo's data template, source.artifactPaths) and transforms the
// list with expr expressions; the list is the step's result.

// DataStmt: `data NAME from LOCATION`: the step lists the files under the
// location (s3 { bucket: "b" }, gcs {...}, key "dir", ...); NAME is the
// artifact's name in the template.
type DataStmt struct {
	Span
	Name *Ident        `parser:"'data' @@"`
	From *ArtifactFrom `parser:"'from' @@"`
}

// TransformStmt is one transformation of a data step's list, applied in
// order: `filter "# endsWith 'main.log'"` (keep the files for which the
// predicate holds: filter(data, {...})), `map "..."` (replace each file:
// map(data, {...})), or `transform "expr"` (any expr expression of data).
type TransformStmt struct {
	Span
	Kind string     `parser:"@('filter' | 'map' | 'transform')"`
	Expr *StringLit `parser:"@@"`
}

func (*DataStmt) stepStmt()      {}
func (*TransformStmt) stepStmt() {}

// dataStmts are the members of the StepStmt union for data steps.
var dataStmts = []StepStmt{&DataStmt{}, &TransformStmt{}}

func init() {
	stepStmtByKeyword["data"] = stepMember[DataStmt]()
	for _, k := range []string{"filter", "map", "transform"} {
		stepStmtByKeyword[k] = stepMember[TransformStmt]()
	}
}

// dataStmt prints a statement of this file; it reports whether n was one.
func (p *printer) dataStmt(n Node) bool {
	switch s := n.(type) {
	case *DataStmt:
		p.tok("data", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		p.artifactFrom(s.From)
	case *TransformStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		p.sp()
		p.str(s.Expr)
	default:
		return false
	}
	return true
}
