package dsl

import (
	"bytes"

	"github.com/pipec/pipec/diag"
)

// utf8BOM is the byte order mark some Windows editors put at the start of
// a UTF-8 file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeSource prepares a file's bytes for lexing: it drops a UTF-8 byte
// order mark, turns CR-only line endings (old Mac editors) into LF, with
// the same byte offsets, so that lines are counted and comments end where
// the user sees them, and rejects a UTF-16 file with one error rather than
// one per NUL byte. ok is false when src cannot be parsed at all; the
// result is then the diagnostic to report.
func decodeSource(filename string, src []byte) (out []byte, diags diag.Diagnostics, ok bool) {
	src = bytes.TrimPrefix(src, utf8BOM)
	if enc := utf16Kind(src); enc != "" {
		start := diag.Pos{Offset: 0, Line: 1, Column: 1}
		diags.Errorf(diag.Range{Filename: filename, Start: start, End: start}, "the file is %s encoded: pipec reads UTF-8", enc).
			WithHint("save it as UTF-8 (in most editors: Save with Encoding), or convert it: iconv -f UTF-16 -t UTF-8")
		return src, diags, false
	}
	if i := bytes.IndexByte(src, '\r'); i >= 0 && hasLoneCR(src[i:]) {
		src = bytes.Clone(src)
		for i := range src {
			if src[i] == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
				src[i] = '\n'
			}
		}
	}
	return src, nil, true
}

func hasLoneCR(s []byte) bool {
	for i, c := range s {
		if c == '\r' && (i+1 == len(s) || s[i+1] != '\n') {
			return true
		}
	}
	return false
}

// utf16Kind reports "UTF-16" (with its byte order) if src looks like
// UTF-16 text: a UTF-16 byte order mark, or a NUL in every other byte of
// its start, as ASCII text in UTF-16 has. Otherwise "".
func utf16Kind(src []byte) string {
	switch {
	case bytes.HasPrefix(src, []byte{0xFF, 0xFE}):
		return "UTF-16 (little-endian)"
	case bytes.HasPrefix(src, []byte{0xFE, 0xFF}):
		return "UTF-16 (big-endian)"
	}
	n := min(len(src), 256) &^ 1
	if n < 4 {
		return ""
	}
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if src[i] == 0 {
			even++
		}
		if src[i+1] == 0 {
			odd++
		}
	}
	switch half := n / 2; {
	case odd*4 >= half*3 && even == 0:
		return "UTF-16 (little-endian)"
	case even*4 >= half*3 && odd == 0:
		return "UTF-16 (big-endian)"
	}
	return ""
}
