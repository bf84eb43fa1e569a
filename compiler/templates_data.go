// The data template kind: a step that lists the files of an artifact
// location and transforms the list with expr expressions (Argo's data
// template); its result, ${step.result}, is the list as JSON. The checker
// reads `data NAME from LOCATION` and `filter`/`map`/`transform` here, and
// dataTemplate makes the template's data field.

package compiler

import (
	"errors"
	"strings"
	"unicode/utf8"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/expr-lang/expr/file"
	exprparser "github.com/expr-lang/expr/parser"

	"github.com/pipec/pipec/dsl"
)

const kindData = "data"

// DataBody is a data step: the location whose files it lists, and the
// transformations of the list, in order.
type DataBody struct {
	Name      string
	Location  *Location
	Transform []string // expr expressions of data
	stmt      *dsl.DataStmt
}

// dataListable are the location kinds whose files Argo's executor can list
// (the others' drivers answer "ListObjects is currently not supported").
var dataListable = []string{"s3", "gcs", "azure", "oss"}

// dataSource checks `data NAME from LOCATION`.
func (c *checker) dataSource(sc *scope, st *Step, s *dsl.DataStmt) {
	d := &DataBody{Name: s.Name.Name, stmt: s}
	st.Body.extra().Data = d
	if !argoArtifactNameRE().MatchString(d.Name) {
		c.errorf(s.Name, "artifact name %q is not valid for Argo", d.Name).WithHint("use letters, digits, '-' and '_'")
	}
	l := s.From.Location
	if l == nil {
		c.errorf(s.From, "a data step lists the files of an artifact location; it cannot take an earlier step's artifact").
			WithHint(`give the location: data %s from s3 { bucket: "my-bucket" } (or gcs, azure, oss)`, d.Name)
		return
	}
	if locationKindsByName[l.Kind.Name] != nil && !contains(dataListable, l.Kind.Name) {
		c.errorf(l.Kind, "Argo cannot list the files of %s location", aLoc(l.Kind.Name)).
			WithHint("a data step lists %s", strings.Join(dataListable, ", "))
		return
	}
	d.Location = c.locationOf(sc, l, false, false)
}

func aLoc(kind string) string {
	if strings.ContainsRune("aeiou", rune(kind[0])) || kind == "http" || kind == "hdfs" {
		return "an " + kind
	}
	return "a " + kind
}

// transform checks one transformation of a data step's list: `filter "P"`
// is filter(data, {P}), `map "E"` is map(data, {E}), `transform "X"` is X.
func (c *checker) transform(st *Step, s *dsl.TransformStmt) {
	b := st.Body
	if b.Options.nodes == nil {
		b.extra().Options.nodes = map[string]dsl.Node{}
	}
	if _, ok := b.Options.nodes[s.Kind]; !ok {
		b.extra().Options.order = append(b.Options.order, s.Kind)
		b.extra().Options.nodes[s.Kind] = s
	}
	src := s.Expr.Value()
	if strings.TrimSpace(src) == "" {
		c.errorf(s.Expr, "the %s expression is empty", s.Kind).WithHint(`for example filter "# endsWith 'main.log'"`)
		return
	}
	if strings.Contains(src, "${") || strings.Contains(src, "{{") {
		c.errorf(s.Expr, "a data step's expression is evaluated by Argo as it is: ${...} and {{...}} are not substituted in it").
			WithHint("the list is data; in filter and map, # is the file at hand")
		return
	}
	prefix, suffix := transformWrap(s.Kind)
	expr := prefix + src + suffix
	if _, err := exprparser.Parse(expr); err != nil {
		msg := err.Error()
		rng := s.Expr.Range()
		var fe *file.Error
		if errors.As(err, &fe) {
			msg = fe.Message
			if fe.From-utf8.RuneCountInString(prefix) >= utf8.RuneCountInString(src) {
				msg = "it ends too early"
			}
			shifted := *fe
			n := utf8.RuneCountInString(prefix)
			shifted.From, shifted.To = clampInt(fe.From-n, 0, utf8.RuneCountInString(src)), clampInt(fe.To-n, 0, utf8.RuneCountInString(src))
			if r, ok := exprErrorRange(s.Expr, src, &shifted); ok {
				rng = r
			}
		} else if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		c.diags.Errorf(rng, "invalid %s expression: %s", s.Kind, msg).WithHint("Argo evaluates it with expr (https://expr-lang.org); in filter and map, # is the file at hand")
	}
	if b.Data != nil {
		b.Data.Transform = append(b.Data.Transform, expr)
	} else {
		b.extra().dataTransforms = append(b.dataTransforms, expr)
	}
}

// transformWrap is what a transformation's expression is wrapped in.
func transformWrap(kind string) (string, string) {
	switch kind {
	case "filter", "map":
		return kind + "(data, {", "})"
	}
	return "", ""
}

// TransformStmtOf is how a transformation expression is written in the
// language: filter or map when it is one of those of data, else transform
// (for the importer).
func TransformStmtOf(expr string) (kind, src string) {
	for _, k := range []string{"filter", "map"} {
		p, s := transformWrap(k)
		if inner, ok := strings.CutPrefix(expr, p); ok {
			if inner, ok := strings.CutSuffix(inner, s); ok && !strings.ContainsAny(inner, "{}") {
				return k, inner
			}
		}
	}
	return "transform", expr
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// finishData puts a data step's transformations in order once its body is
// read (those written before the data statement first).
func (c *checker) finishData(st *Step) {
	if b := st.Body; b.Data != nil {
		b.Data.Transform = append(b.dataTransforms, b.Data.Transform...)
	}
}

// dataTemplate lowers a data step's body.
func dataTemplate(b *Body, tmpl *wfv1.Template, inner func(*Text) string) {
	d := &wfv1.Data{}
	if b.Data.Location != nil {
		d.Source.ArtifactPaths = &wfv1.ArtifactPaths{Artifact: wfv1.Artifact{Name: b.Data.Name, ArtifactLocation: lowerLocation(b.Data.Location, inner)}}
	}
	for _, e := range b.Data.Transform {
		d.Transformation = append(d.Transformation, wfv1.TransformationStep{Expression: e})
	}
	tmpl.Data = d
}
