// Workflow parameters: `param` statements and their typed values.

package compiler

import (
	apiv1 "k8s.io/api/core/v1"
	"strings"

	"github.com/pipec/pipec/dsl"
)

func (c *checker) param(p *Pipeline, s *dsl.ParamStmt, doc *dsl.CommentGroup) {
	name := s.Name.Name
	switch name {
	case ParamRunID, ParamRetryRunID, ParamRetryIndicator:
		c.errorf(s.Name, "parameter %q is reserved: pipec adds it to every workflow for retries", name).WithHint("see docs/retries.md")
		return
	}
	for _, prev := range p.Params {
		if prev.Name == name {
			c.errorf(s.Name, "parameter %q is declared twice (first at %s)", name, prev.Decl.Name.Range())
			return
		}
	}
	prm := &Param{Name: name, Decl: s, Type: "string"}
	if doc != nil {
		prm.Description = doc.Text()
	}
	if s.Type != nil {
		if !contains(paramTypes, s.Type.Name) {
			c.unknownWord(s.Type, "parameter type", paramTypes)
		} else {
			prm.Type = s.Type.Name
		}
	}
	if call := s.Default; call != nil && call.Call != nil && call.Call.Name.Name == "config_map" {
		args := c.stringArgs(call.Call)
		if len(args) != 2 || args[0] == "" || args[1] == "" {
			c.errorf(call, "config_map takes a ConfigMap name and a key").WithHint(`param %s = config_map("settings", "%s")`, name, name)
		} else {
			prm.FromConfigMap = &apiv1.ConfigMapKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
		}
	} else if s.Default != nil {
		if v, ok := c.typedValue(s.Default, prm.Type, "the default of "+name); ok {
			prm.Default = &v
		}
	}
	if s.Enum != nil {
		for _, e := range s.Enum.Elems {
			if v, ok := c.typedValue(e, prm.Type, "a value of "+name); ok {
				prm.Enum = append(prm.Enum, v)
			}
		}
		if prm.Default != nil && len(prm.Enum) > 0 && !contains(prm.Enum, *prm.Default) {
			c.errorf(s.Default, "default %q is not one of the allowed values %s", *prm.Default, strings.Join(prm.Enum, ", "))
		}
	}
	p.Params = append(p.Params, prm)
}

// typedValue converts a literal to the string Argo will see, checking it
// against a declared type.
func (c *checker) typedValue(v *dsl.Value, typ, what string) (string, bool) {
	switch typ {
	case "any": // an unknown type, already reported: accept any literal
		if v.List != nil || v.Map != nil {
			j, err := literalJSON(v)
			return j, err == nil
		}
		return literalString(v), true
	case "int":
		if v.Int != nil {
			return *v.Int, true
		}
	case "float":
		if v.Float != nil {
			return *v.Float, true
		}
		if v.Int != nil {
			return *v.Int, true
		}
	case "bool":
		if v.Bool != nil {
			return *v.Bool, true
		}
	case "json":
		if v.List != nil || v.Map != nil {
			j, err := literalJSON(v)
			if err != nil {
				c.errorf(v, "%s: %v", what, err)
				return "", false
			}
			return j, true
		}
		if v.Str != nil {
			return v.Str.Value(), true
		}
	default:
		if v.Str != nil {
			return v.Str.Value(), true
		}
		if v.Int != nil || v.Float != nil || v.Bool != nil {
			d := c.errorf(v, "%s must be a string, got %s", what, v.Kind()).WithHint(`quote it: "%s"`, literalString(v))
			if strings.HasPrefix(what, "the default of ") {
				d.WithHint(`quote it, or give the parameter a type: param %s: %s = %s`, strings.TrimPrefix(what, "the default of "), v.Kind(), literalString(v))
			}
			return "", false
		}
	}
	c.errorf(v, "%s must be of type %s, got %s", what, typ, v.Kind())
	return "", false
}
