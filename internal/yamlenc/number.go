package yamlenc

import (
	"math"
	"strconv"
	"time"
)

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
		// What strconv.ParseFloat reads that starts with a dot.
		return isFloat(s)
	case c == '+' || c == '-' || isDigit(c):
		return numberLike(s)
	}
	return false
}

// numberLike is nonString for a scalar that starts with a sign or a digit:
// a base-60 number, a timestamp, or, once its underscores are removed, an
// integer strconv.ParseInt or ParseUint reads in base 0 or a float
// strconv.ParseFloat reads in YAML's float syntax. It allocates nothing
// unless s starts as a timestamp does or is a float near the largest.
func numberLike(s []byte) bool {
	// "500m", "1Gi", "30s", "3-retry": no need to look further.
	if !onlyNumberBytes(s) {
		return false
	}
	if isBase60(s) || isTimestamp(s) {
		return true
	}
	var buf [64]byte
	plain := buf[:0]
	for _, c := range s {
		if c != '_' {
			plain = append(plain, c)
		}
	}
	return isInt(plain) || isFloat(plain)
}

// onlyNumberBytes reports whether every byte of s is in inNumber.
func onlyNumberBytes(s []byte) bool {
	for _, c := range s {
		if !inNumber[c] {
			return false
		}
	}
	return true
}

// isBase60 reports whether s matches
// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$, go-yaml v2's base-60
// float.
func isBase60(s []byte) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	for i++; i < len(s) && (isDigit(s[i]) || s[i] == '_'); i++ {
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		switch {
		case i+1 < len(s) && s[i] >= '0' && s[i] <= '5' && isDigit(s[i+1]):
			i += 2 // a digit after one digit could not end the group
		case i < len(s) && isDigit(s[i]):
			i++
		default:
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && (isDigit(s[i]) || s[i] == '_'); i++ {
		}
	}
	return i == len(s)
}

// isInt reports whether strconv.ParseInt(string(s), 0, 64) or
// strconv.ParseUint(string(s), 0, 64) succeeds, for s without
// underscores: an optional sign (ParseInt only), a base prefix (0b, 0o,
// 0x in either case, or a leading 0 for octal), digits of that base, and
// a value in range.
func isInt(s []byte) bool {
	neg, signed := false, false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg, signed = s[0] == '-', true
		s = s[1:]
	}
	if len(s) == 0 {
		return false
	}
	base := uint64(10)
	if s[0] == '0' {
		prefix := byte(0) // the letter of a base prefix, in lower case
		if len(s) >= 3 {
			prefix = s[1] | 0x20
		}
		switch prefix {
		case 'b':
			base, s = 2, s[2:]
		case 'o':
			base, s = 8, s[2:]
		case 'x':
			base, s = 16, s[2:]
		default:
			base, s = 8, s[1:]
		}
	}
	var n uint64
	for _, c := range s {
		var d uint64
		switch {
		case isDigit(c):
			d = uint64(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			d = uint64(c|0x20-'a') + 10
		default:
			return false
		}
		if d >= base || n > (math.MaxUint64-d)/base {
			return false
		}
		n = n*base + d
	}
	switch {
	case !signed:
		return true // ParseUint's range
	case neg:
		return n <= 1<<63
	default:
		return n <= 1<<63-1
	}
}

// isFloat reports whether s matches
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$, go-yaml v2's
// float, and strconv.ParseFloat(string(s), 64) succeeds, which for that
// syntax fails only when the value is out of a float64's range.
func isFloat(s []byte) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	// sig: the integer part's digits after its leading zeros.
	sig := i - intStart
	for k := intStart; k < i && s[k] == '0'; k++ {
		sig--
	}
	if i == intStart {
		if i >= len(s) || s[i] != '.' {
			return false
		}
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
	} else if i < len(s) && s[i] == '.' {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := i < len(s) && s[i] == '-'
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for ; i < len(s) && isDigit(s[i]); i++ {
			exp = min(exp*10+int(s[i]-'0'), 1<<20)
		}
		if negExp {
			exp = -exp
		}
	}
	if i != len(s) {
		return false
	}
	// The value is below 10^(sig+exp): under 10^308 it is in range.
	if sig+exp <= 308 {
		return true
	}
	_, err := strconv.ParseFloat(string(s), 64)
	return err == nil
}

// timestampFormats are the layouts YAML 1.1 timestamps are read with.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether s reads as a YAML 1.1 timestamp: four digits,
// a dash, and one of timestampFormats.
func isTimestamp(s []byte) bool {
	if len(s) < 5 || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) || s[4] != '-' {
		return false
	}
	str := string(s)
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, str); err == nil {
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
