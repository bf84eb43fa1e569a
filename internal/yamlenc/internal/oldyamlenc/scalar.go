package oldyamlenc

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Scalar styles.
const (
	plain = iota
	singleQuoted
	doubleQuoted
	literal
)

// ordinary[c] is true for the bytes that style need not look at: all but
// the space, the colon, control characters (newline and tab included), DEL
// and the lead bytes of the non-ASCII characters needsEscape lists (the
// strings are valid UTF-8, so other bytes of those characters cannot be
// mistaken for ASCII).
var ordinary [256]bool

func init() {
	for c := range ordinary {
		ordinary[c] = c > ' ' && c != ':' && c != 0x7f && c != 0xc2 && c != 0xe2 && c != 0xef
	}
}

// needsEscape reports whether the non-ASCII rune r must be escaped: C1
// control characters (NEL, U+0085, is a line break in YAML 1.1), the line
// and paragraph separators (line breaks in YAML 1.1), the byte-order mark
// and the non-characters U+FFFE and U+FFFF (not printable). The strings
// written are valid UTF-8 (the parser decodes the others).
func needsEscape(r rune) bool {
	return r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff
}

// style chooses how to write the string s, a key or a value.
func style(s []byte, key bool) int {
	if len(s) == 0 {
		return doubleQuoted
	}
	var (
		special    bool // characters that need escapes
		newline    bool
		spaceBreak bool // a space at the end of a line
		indicator  bool // ": " or " #"
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ordinary[c] {
			continue
		}
		switch c {
		case ' ':
			if i+1 < len(s) {
				switch s[i+1] {
				case '#':
					indicator = true
				case '\n':
					spaceBreak = true
				}
			}
		case ':':
			if i+1 < len(s) && s[i+1] == ' ' {
				indicator = true
			}
		case '\n':
			newline = true
		case 0xc2, 0xe2, 0xef:
			r, size := utf8.DecodeRune(s[i:])
			if needsEscape(r) {
				special = true
			}
			i += size - 1
		default:
			special = true
		}
	}
	last := s[len(s)-1]
	switch {
	case special:
		return doubleQuoted
	case newline:
		if key || spaceBreak || last == ' ' {
			return doubleQuoted
		}
		return literal
	case nonString(s):
		return doubleQuoted
	case indicator || last == ' ' || last == ':' || !plainStart(s):
		return singleQuoted
	}
	return plain
}

// plainStart reports whether s may start a plain scalar: not with a space,
// an indicator character, a document marker, or a dash followed by a
// space or nothing ("-x" and "--date" are fine).
func plainStart(s []byte) bool {
	switch s[0] {
	case ' ', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-':
		return len(s) > 1 && s[1] != ' ' && !bytes.HasPrefix(s, []byte("---"))
	case '.':
		return !bytes.HasPrefix(s, []byte("..."))
	}
	return true
}

// nonString reports whether the plain scalar s would be read as something
// other than a string by the YAML 1.1 resolver of go.yaml.in/yaml/v2, the
// library sigs.k8s.io/yaml (and so kubectl and Argo) decode with, or is a
// base-60 float, which that library's encoder quotes for other parsers:
// exactly the strings it quotes, so that pipec writes what
// sigs.k8s.io/yaml writes. They are a boolean (y, n, yes, no, on, off, true,
// false in three cases), a null (~, null), a merge key (<<), an infinity or
// not-a-number with a dot, a float, an integer of any base (with
// underscores), or a timestamp. YAML 1.2 readers read no more of them as
// other than strings.
func nonString(s []byte) bool {
	if !mayNotBeString[s[0]] {
		return false
	}
	if len(s) <= 6 {
		switch string(s) {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
			"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
			"~", "null", "Null", "NULL", "<<",
			".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
			"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
			return true
		}
	}
	switch c := s[0]; {
	case c == '.':
		_, err := strconv.ParseFloat(string(s), 64)
		return err == nil
	case c == '+' || c == '-' || isDigit(c):
		return numberLike(string(s))
	}
	return false
}

// numberLike is nonString for a scalar that starts with a sign or a digit.
func numberLike(s string) bool {
	// "500m", "1Gi", "30s", "3-retry": no need to parse.
	return onlyNumberBytes(s) && parsesAsNumber(s)
}

// onlyNumberBytes reports whether every byte of s is in inNumber.
func onlyNumberBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if !inNumber[s[i]] {
			return false
		}
	}
	return true
}

// parsesAsNumber is numberLike without the check of its bytes.
func parsesAsNumber(s string) bool {
	if strings.IndexByte(s, ':') >= 0 && base60Float.MatchString(s) {
		return true
	}
	if isTimestamp(s) {
		return true
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	if yamlStyleFloat.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return true
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if _, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return true
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if _, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return true
		}
	}
	return false
}

var (
	base60Float    = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)
	yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
)

// timestampFormats are the layouts YAML 1.1 timestamps are read with.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether s reads as a YAML 1.1 timestamp: four digits,
// a dash, and one of timestampFormats.
func isTimestamp(s string) bool {
	if len(s) < 5 || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) || s[4] != '-' {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
}

// inNumber[c] is true for the bytes a scalar numberLike reports may have:
// those of integers of any base with underscores, floats, base-60 numbers
// and timestamps (and a few more).
var inNumber = func() (in [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEFxXoO_+-.:tTzZ ") {
		in[c] = true
	}
	return in
}()

// mayNotBeString[c] is true for the first bytes of the strings nonString
// may report.
var mayNotBeString [256]bool

func init() {
	for _, c := range []byte("0123456789+-.~<yYnNtTfFoO") {
		mayNotBeString[c] = true
	}
}

// scalar writes the string s, a key or a value; a multi-line value whose
// lines are at indentation ind is written as a literal block scalar (its
// last line not ended).
func (e *encoder) scalar(s []byte, key bool, ind int) {
	switch style(s, key) {
	case plain:
		e.out = append(e.out, s...)
	case singleQuoted:
		e.out = append(e.out, '\'')
		for {
			i := bytes.IndexByte(s, '\'')
			if i < 0 {
				break
			}
			e.out = append(e.out, s[:i+1]...)
			e.out = append(e.out, '\'')
			s = s[i+1:]
		}
		e.out = append(e.out, s...)
		e.out = append(e.out, '\'')
	case doubleQuoted:
		e.double(s)
	case literal:
		e.literal(s, ind)
	}
}

const hexDigits = "0123456789ABCDEF"

func (e *encoder) double(s []byte) {
	out := append(e.out, '"')
	start := 0 // of the bytes not yet copied
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if needsEscape(r) {
				out = append(out, s[start:i]...)
				out = append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
				start = i + size
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			i++
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		case '\t':
			out = append(out, '\\', 't')
		case '\r':
			out = append(out, '\\', 'r')
		default:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	out = append(out, s[start:]...)
	e.out = append(out, '"')
}

// literal writes s, which has a newline, as a literal block scalar whose
// lines are at indentation ind: header, then each line on its own (empty
// lines without indentation), the last one not ended.
func (e *encoder) literal(s []byte, ind int) {
	e.out = append(e.out, '|')
	if s[0] == ' ' || s[0] == '\n' {
		e.out = append(e.out, '2')
	}
	n := len(s)
	switch {
	case s[n-1] != '\n':
		e.out = append(e.out, '-') // strip
	case n >= 2 && s[n-2] != '\n':
		s = s[:n-1] // clip: the one final newline is implied
	default:
		e.out = append(e.out, '+') // keep: the final newlines are empty lines
		s = s[:n-1]
	}
	for {
		e.out = append(e.out, '\n')
		i := bytes.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line = s[:i]
		}
		if len(line) > 0 {
			e.indent(ind)
			e.out = append(e.out, line...)
		}
		if i < 0 {
			return
		}
		s = s[i+1:]
	}
}
