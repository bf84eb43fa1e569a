// Artifact locations, table-driven: each kind (s3, gcs, azure, http, git,
// artifactory, oss, hdfs, raw) is one Argo struct, and its fields are
// written as that struct's JSON fields in snake_case:
//
//	s3 { bucket: "data", key: "in/${date}.csv", endpoint: "s3.amazonaws.com",
//	     access_key_secret: secret("s3-creds", "access-key") }
//	git { repo: "https://github.com/argoproj/argo-workflows.git", revision: "v3.7.18", depth: 1 }
//	http "https://example.com/data.csv"     the kind's main field (url)
//
// The fields are found in Argo's types by reflection, so every field Argo
// has is available, with did-you-mean hints for misspelt ones; secrets are
// secret("name", "key"). Strings may use ${...}: they become the leaf
// template's input parameters, so the memo key covers them.

package compiler

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"unicode"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

// locationKind is one kind of artifact location.
type locationKind struct {
	name string       // pipec's word, also the ArtifactLocation JSON field
	main string       // the field `KIND "text"` sets, which is required
	typ  reflect.Type // Argo's struct
	// output: Argo can store an output artifact there (git and raw are
	// read-only).
	output bool
}

var locationKinds = []locationKind{
	{"s3", "key", reflect.TypeFor[wfv1.S3Artifact](), true},
	{"gcs", "key", reflect.TypeFor[wfv1.GCSArtifact](), true},
	{"azure", "blob", reflect.TypeFor[wfv1.AzureArtifact](), true},
	{"http", "url", reflect.TypeFor[wfv1.HTTPArtifact](), true},
	{"git", "repo", reflect.TypeFor[wfv1.GitArtifact](), false},
	{"artifactory", "url", reflect.TypeFor[wfv1.ArtifactoryArtifact](), true},
	{"oss", "key", reflect.TypeFor[wfv1.OSSArtifact](), true},
	{"hdfs", "path", reflect.TypeFor[wfv1.HDFSArtifact](), true},
	{"raw", "data", reflect.TypeFor[wfv1.RawArtifact](), false},
}

var locationKindsByName = func() map[string]*locationKind {
	m := map[string]*locationKind{}
	for i := range locationKinds {
		m[locationKinds[i].name] = &locationKinds[i]
	}
	return m
}()

// LocationKinds lists the artifact location kinds (for the language server).
func LocationKinds() []string { return keys(locationKindsByName) }

// Location is a checked artifact location.
type Location struct {
	Kind   string
	Fields *locValue // an object
}

// locValue is a location's value: a string (which may use ${...}), another
// literal, an object (JSON names in source order) or a list.
type locValue struct {
	text    *Text
	literal any
	members []locMember
	list    []*locValue
	isObj   bool
}

type locMember struct {
	name string
	v    *locValue
}

// location checks a location; output says it is where an output artifact
// goes.
func (c *checker) location(sc *scope, l *dsl.Location, output bool) *Location {
	return c.locationOf(sc, l, output, true)
}

// locationOf is location; needMain says the kind's main field is required
// (a data step lists a bucket, and needs no key).
func (c *checker) locationOf(sc *scope, l *dsl.Location, output, needMain bool) *Location {
	k := locationKindsByName[l.Kind.Name]
	if k == nil {
		c.unknownWord(l.Kind, "artifact location", keys(locationKindsByName))
		return nil
	}
	if output && !k.output {
		c.errorf(l.Kind, "Argo cannot store an output artifact in %s: %s is only a source of inputs", k.name, k.name).WithHint("use s3, gcs, azure, oss, hdfs, artifactory or http")
		return nil
	}
	var fields *locValue
	if l.Main != nil {
		fields = &locValue{isObj: true, members: []locMember{{k.main, &locValue{text: c.locText(sc, l.Main)}}}}
	} else {
		fields = c.locValue(sc, &dsl.Value{Span: l.Fields.Span, Map: l.Fields}, k.typ, k.name)
		if fields == nil {
			return nil
		}
	}
	main := locFields(k.typ)[normField(k.main)]
	found := false
	for _, m := range fields.members {
		if m.name == main.json {
			found = true
		}
	}
	if !found && needMain {
		c.errorf(l, "the %s location needs %s", k.name, snake(main.json)).WithHint(`%s { %s: "..." }, or %s "..." for the %s alone`, k.name, snake(main.json), k.name, snake(main.json))
	}
	return &Location{Kind: k.name, Fields: fields}
}

// locText is a location string, in the step's scope (or the pipeline's).
func (c *checker) locText(sc *scope, s *dsl.StringLit) *Text {
	if sc == nil {
		return c.plainText(s, "an artifact location")
	}
	return c.text(sc, s)
}

var secretSelectorType = reflect.TypeFor[apiv1.SecretKeySelector]()

// locValue checks v against the Go type t of the field it sets (what
// names the field, for messages).
func (c *checker) locValue(sc *scope, v *dsl.Value, t reflect.Type, what string) *locValue {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == secretSelectorType:
		if v.Call == nil || v.Call.Name.Name != "secret" {
			c.errorf(v, "%s is a secret: write secret(\"name\", \"key\")", what)
			return nil
		}
		args := c.stringArgs(v.Call)
		if len(args) != 2 {
			c.errorf(v.Call, `secret() takes a name and a key: secret("name", "key")`)
			return nil
		}
		return &locValue{isObj: true, members: []locMember{{"name", &locValue{literal: args[0]}}, {"key", &locValue{literal: args[1]}}}}
	case t.Kind() == reflect.String:
		if v.Str == nil {
			c.errorf(v, "%s is a string, got %s", what, v.Kind()).WithHint("put it in quotes")
			return nil
		}
		return &locValue{text: c.locText(sc, v.Str)}
	case t.Kind() == reflect.Bool:
		if v.Bool == nil {
			c.errorf(v, "%s is true or false, got %s", what, v.Kind())
			return nil
		}
		return &locValue{literal: *v.Bool == "true"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		if v.Int == nil || t.Kind() >= reflect.Uint && strings.HasPrefix(*v.Int, "-") {
			c.errorf(v, "%s is a whole number, got %s", what, v.Kind())
			return nil
		}
		return &locValue{literal: json.Number(*v.Int)}
	case t.Kind() == reflect.Slice:
		if v.List == nil {
			c.errorf(v, "%s is a list, got %s", what, v.Kind())
			return nil
		}
		out := &locValue{list: []*locValue{}}
		for _, e := range v.List.Elems {
			if x := c.locValue(sc, e, t.Elem(), what+" element"); x != nil {
				out.list = append(out.list, x)
			}
		}
		return out
	case t.Kind() == reflect.Struct:
		if v.Map == nil {
			c.errorf(v, "%s is a map of fields, got %s", what, v.Kind())
			return nil
		}
		fields := locFields(t)
		out := &locValue{isObj: true}
		seen := map[string]bool{}
		for _, e := range v.Map.Entries {
			key := e.Key.Value()
			f, ok := fields[normField(key)]
			if !ok {
				var names []string
				for _, f := range fields {
					names = append(names, snake(f.json))
				}
				sort.Strings(names)
				dd := c.errorf(e.Key, "%s has no field %q", what, key)
				if s := diag.Suggest(key, names); s != "" {
					dd.WithHint("did you mean %s? (fields: %s)", s, strings.Join(names, ", "))
				} else {
					dd.WithHint("fields: %s", strings.Join(names, ", "))
				}
				continue
			}
			if seen[f.json] {
				c.errorf(e.Key, "field %q is given twice", key)
				continue
			}
			seen[f.json] = true
			if x := c.locValue(sc, e.Value, f.typ, key); x != nil {
				out.members = append(out.members, locMember{f.json, x})
			}
		}
		return out
	}
	c.errorf(v, "%s cannot be set in pipec; use raw", what)
	return nil
}

// locField is a JSON field of a struct, inline members included.
type locField struct {
	json string
	typ  reflect.Type
}

// locFields maps the normalised names (normField) of t's JSON fields to
// them.
func locFields(t reflect.Type) map[string]locField {
	out := map[string]locField{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				walk(f.Type)
				continue
			}
			if name == "" || !f.IsExported() {
				continue
			}
			out[normField(name)] = locField{name, f.Type}
		}
	}
	walk(t)
	return out
}

// normField makes snake_case and camelCase names comparable:
// access_key_secret and accessKeySecret, role_arn and roleARN.
func normField(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// snake writes a JSON field name in pipec's snake_case: accessKeySecret
// is access_key_secret, roleARN role_arn, useSDKCreds use_sdk_creds.
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, ch := range r {
		if unicode.IsUpper(ch) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsLower(r[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			ch = unicode.ToLower(ch)
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// lowerLocation builds Argo's location, substituting the strings with
// sub.
func lowerLocation(l *Location, sub func(*Text) string) wfv1.ArtifactLocation {
	var loc wfv1.ArtifactLocation
	b, err := json.Marshal(map[string]any{l.Kind: l.Fields.json(sub)})
	if err == nil {
		err = json.Unmarshal(b, &loc)
	}
	if err != nil {
		// The checker matched every value to its field's type.
		panic("pipec: artifact location: " + err.Error())
	}
	return loc
}

func (v *locValue) json(sub func(*Text) string) any {
	switch {
	case v.text != nil:
		return sub(v.text)
	case v.isObj:
		m := make(map[string]any, len(v.members))
		for _, mem := range v.members {
			m[mem.name] = mem.v.json(sub)
		}
		return m
	case v.list != nil:
		out := make([]any, len(v.list))
		for i, e := range v.list {
			out[i] = e.json(sub)
		}
		return out
	}
	return v.literal
}
