package yamlenc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pipec/pipec/internal/yamlenc/internal/oldyamlenc"
)

// numberSeeds are strings at the edges of what reads as a number.
var numberSeeds = []string{
	"1", "-1", "+1", "0x1F", "0X1f", "0o17", "0O17", "0b101", "-0b101", "1_000", "1.5", "1.5e3",
	"-1.5E-3", ".5", "1:30", "190:20:30.15", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
	"2001-12-14T21:59:43Z", "2002-12-14", "500m", "1Gi", "30s", "3-retry", "1e", "0x", "1_", "12:",
	"2001-12-14T21:59:43.10+05:30", "1.", "-.5", "+0o7", "٣", "1\u00a0", "1\n", "1 2",
	"0", "00", "08", "09.5", "0b", "0b2", "0o8", "0x_1", "_", "+", "-", "+_1", "-_", "1__0",
	"18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
	"+9223372036854775807", "+9223372036854775808", "9223372036854775808", "0xFFFFFFFFFFFFFFFF",
	"0x10000000000000000", "-0x8000000000000000", "-0x8000000000000001", "0b" + "1111111111111111111111111111111111111111111111111111111111111111",
	"1e308", "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "1e-400", "0.0001e312",
	"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791",
	"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792",
	"0000000000000000000000000000000000000000000000000000000000000000000000000001e308", "1e99999999999999999999", "1e-99999999999999999999",
	"1:60", "1:59", "1:5", "1:555", "1::2", "1:2.", "1:2._3", "-1:2:3", "_1:2", "1_:2", "1:2:", "2024-02-30", "2024-02-29", "2023-02-29",
	"2024-1-1", "2024-01-01 1:2:3", "2024-01-01T25:00:00Z", ".", ".e1", ".5e", ".5e+3", ".5_", "1e+", "1.e5", "+.5", "-1.", "1e5.5",
}

// FuzzNumberLike checks the number recognition (numberLike, isInt,
// isFloat, isBase60, isTimestamp; nonString and style around them) against
// the regular expressions and strconv and time calls it replaced
// (internal/oldyamlenc): the same answer for every string.
func FuzzNumberLike(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) == 0 {
			return
		}
		if c := s[0]; c == '+' || c == '-' || isDigit(c) {
			if got, want := numberLike([]byte(s)), oldyamlenc.ParsesAsNumber(s); got != want {
				t.Errorf("numberLike(%q) = %v, want %v", s, got, want)
			}
		}
		if got, want := nonString([]byte(s)), oldyamlenc.NonString([]byte(s)); got != want {
			t.Errorf("nonString(%q) = %v, want %v", s, got, want)
		}
		for _, key := range []bool{false, true} {
			want := oldyamlenc.Style([]byte(s), key)
			if got := style([]byte(s), key); got != want {
				t.Errorf("style(%q, key %v) = %v, want %v", s, key, got, want)
			}
			if isSimple(s) {
				if got := simpleStyle([]byte(s)); got != want {
					t.Errorf("simpleStyle(%q) = %v, want %v", s, got, want)
				}
			}
		}
		// The parser marks exactly the simple strings.
		j, _ := json.Marshal(s)
		p := parser{src: j}
		if err := p.str(); err != nil {
			t.Fatalf("str(%s): %v", j, err)
		}
		if got, want := p.nodes[0].simple, isSimple(s) && !strings.ContainsAny(s, "<>&"); got != want {
			t.Errorf("str(%s).simple = %v, want %v", j, got, want)
		}
	})
}

// isSimple is the definition of a node's simple: a string that is not
// empty and whose bytes are all ASCII, printable, not a space, a colon or
// DEL, and need no escape in JSON.
func isSimple(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || c == ':' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// TestNumberLikeAllocates checks that recognising the numbers pipec
// writes as strings (a parameter's "3", a version "1.5") allocates
// nothing.
func TestNumberLikeAllocates(t *testing.T) {
	for _, s := range []string{"3", "-1", "1.5", "0x1F", "1_000", "1:30", "10-20", "1.2.3", "9999999999999999999999"} {
		b := []byte(s)
		if n := testing.AllocsPerRun(100, func() { nonString(b) }); n != 0 {
			t.Errorf("nonString(%q) allocates %v times", s, n)
		}
	}
}
