// Loop items, lowered: a literal list becomes withItems, each item the
// bytes json.Marshal gives it.

package compiler

import (
	"encoding/json"
	"slices"
	"strconv"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
)

// loopItems is a literal list of loop items as withItems: each item's JSON
// (what json.Unmarshal of its json.Marshal into an Item keeps), all in one
// buffer. An item that does not marshal stays empty.
func loopItems(items []any) []wfv1.Item {
	var buf []byte
	var keys []string // scratch for appendItemJSON
	ends := make([]int, len(items))
	for i, it := range items {
		ends[i] = -1
		if out, ok := appendItemJSON(buf, it, &keys); ok {
			buf = out
		} else if b, err := json.Marshal(it); err == nil {
			buf = append(buf, b...)
		} else {
			continue
		}
		ends[i] = len(buf)
	}
	out := make([]wfv1.Item, len(items))
	start := 0
	for i, end := range ends {
		if end < 0 {
			continue
		}
		out[i].Value = buf[start:end:end]
		start = end
	}
	return out
}

// appendItemJSON appends json.Marshal(v) to dst for the values loop items
// are made of (literal: strings, whole numbers, bools, and lists and maps
// of them), when it can do so without escaping. ok is false for anything
// else (a float, a string that needs escaping...), and then what it
// appended is to be dropped: loopItems falls back to json.Marshal.
// keys is scratch space for sorting a map's keys.
func appendItemJSON(dst []byte, v any, keys *[]string) ([]byte, bool) {
	switch v := v.(type) {
	case string:
		return appendPlainString(dst, v)
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case bool:
		return strconv.AppendBool(dst, v), true
	case []any:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendItemJSON(dst, e, keys); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), true
		}
		mark := len(*keys)
		for k := range v {
			*keys = append(*keys, k)
		}
		ks := (*keys)[mark:]
		slices.Sort(ks) // json.Marshal sorts a map's keys
		dst = append(dst, '{')
		ok := true
		for i, k := range ks {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = appendPlainString(dst, k); !ok {
				break
			}
			dst = append(dst, ':')
			if dst, ok = appendItemJSON(dst, v[k], keys); !ok {
				break
			}
		}
		*keys = (*keys)[:mark]
		return append(dst, '}'), ok
	}
	return dst, false
}

// appendPlainString appends s quoted, if json.Marshal writes it without
// escapes: printable ASCII other than '"', '\\' and the HTML characters
// it escapes ('<', '>', '&').
func appendPlainString(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return dst, false
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), true
}
