// Package argojson writes the JSON of Argo's workflow types (and of
// internal/argojson/argoshape's) without reflection: the bytes are exactly
// those json.Marshal writes (TestDifferential, FuzzDifferential), at a
// fraction of its cost and with none of its start-up work building
// encoders by reflection.
//
// The encoders are generated (gen, zz_generated.go) for the whole graph
// of types reachable from the roots in gen.Roots; TestGeneratedIsFresh
// fails when an Argo or k8s bump changes that graph. Whatever the
// generated code cannot write itself (an interface value, a value
// encoding/json rejects: a NaN, a MarshalJSON error or invalid output) it
// hands to encoding/json: an interface's value alone, and on any error
// the whole root value, so errors are encoding/json's own.
package argojson

//go:generate go run ./gen/argojson-gen -o zz_generated.go

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Marshal returns json.Marshal(v), without reflection when v is of a
// root type (a pointer to one of gen.Roots' structs, or one of its
// slices). It writes into a buffer kept for reuse and returns a copy of
// the exact size: one allocation, not one per doubling of the buffer.
func Marshal(v any) ([]byte, error) {
	p := scratch.Get().(*[]byte)
	b, err := Append((*p)[:0], v)
	var out []byte
	if err == nil {
		out = make([]byte, len(b))
		copy(out, b)
	}
	if cap(b) <= maxScratch {
		*p = b[:0]
	}
	scratch.Put(p)
	return out, err
}

// scratch holds Marshal's buffers; one over maxScratch bytes (a whole
// large workflow) is not kept.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 1 << 20

// Append appends json.Marshal(v) to dst. On error dst is returned
// unchanged.
func Append(dst []byte, v any) ([]byte, error) {
	if out, err, ok := appendAny(dst, v); ok {
		return out, err
	}
	return fallback(dst, v)
}

// errUnsupported stands for a value the generated code does not write
// (encoding/json's UnsupportedTypeError or UnsupportedValueError): the
// root is then marshalled by encoding/json, which reports the error.
var errUnsupported = errors.New("argojson: unsupported value")

// fallback appends encoding/json's JSON of v.
func fallback(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendInterface appends the JSON of an interface's value: encoding/json
// marshals the value alone, as json.Marshal does.
func appendInterface(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// sortedKeys returns m's keys in encoding/json's order.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const hexDigits = "0123456789abcdef"

// safe[b] is whether ASCII byte b is written as itself in a JSON string
// with HTML escaping on (encoding/json's htmlSafeSet).
var safe = func() (s [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		s[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return s
}()

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it with HTML escaping on: ", \ and control characters, < > &
// as \u003c \u003e \u0026, U+2028 and U+2029, and each byte of invalid
// UTF-8 as \ufffd.
func appendString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		} else {
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	var buf [utf8.UTFMax]byte
	n := copy(buf[:], s[:min(len(s), utf8.UTFMax)])
	return utf8.DecodeRune(buf[:n])
}

// appendFloat appends f as encoding/json writes a float of the given bits
// (ES6 number formatting); NaN and infinities are errors.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, errUnsupported
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// e-09 as e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// appendNumber appends a json.Number: "0" if empty, an error unless it is
// a JSON number.
func appendNumber(dst []byte, s string) ([]byte, error) {
	if s == "" {
		return append(dst, '0'), nil
	}
	if !validNumber(s) {
		return dst, errUnsupported
	}
	return append(dst, s...), nil
}

// validNumber reports whether s is a JSON number.
func validNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for s != "" && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for s != "" && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for s != "" && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}

// appendBase64 appends b as encoding/json writes a []byte.
func appendBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// appendIntOrString appends an intstr.IntOrString as its MarshalJSON
// writes it: the int, or the string; any other type is an error.
func appendIntOrString(dst []byte, isInt, isString bool, i int64, s string) ([]byte, error) {
	switch {
	case isInt:
		return strconv.AppendInt(dst, i, 10), nil
	case isString:
		return appendString(dst, s), nil
	}
	return dst, errUnsupported
}

// appendMarshaled appends what a MarshalJSON method returned as
// encoding/json does: an error unless it is valid JSON, then compacted
// with < > & U+2028 U+2029 escaped.
func appendMarshaled(dst, b []byte) ([]byte, error) {
	if !json.Valid(b) {
		return dst, errUnsupported
	}
	inString, escaped := false, false
	start := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c == '<' || c == '>' || c == '&':
				dst = append(dst, b[start:i]...)
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
				start = i + 1
			case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && b[i+2]&^1 == 0xA8:
				dst = append(dst, b[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[b[i+2]&0xF])
				i += 2
				start = i + 1
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, b[start:i]...)
			start = i + 1
		}
	}
	return append(dst, b[start:]...), nil
}
