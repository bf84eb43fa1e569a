package compiler

import (
	"testing"
	"time"
)

// durationPartsRE is what parseDuration read before nextDurationPart: the
// matches of durationPartRE().
func durationPartsRE(s string) (out []string) {
	for _, m := range durationPartRE().FindAllStringSubmatch(s, -1) {
		out = append(out, m[1], m[2])
	}
	return out
}

func durationParts(s string) (out []string) {
	names := map[time.Duration]string{time.Millisecond: "ms", time.Second: "s", time.Minute: "m", time.Hour: "h", 24 * time.Hour: "d"}
	for {
		digits, unit, rest, ok := nextDurationPart(s)
		if !ok {
			return out
		}
		out = append(out, digits, names[unit])
		s = rest
	}
}

func checkDurationParts(t *testing.T, s string) {
	t.Helper()
	want, got := durationPartsRE(s), durationParts(s)
	if len(want) != len(got) {
		t.Fatalf("%q: parts %q, the regexp's %q", s, got, want)
	}
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("%q: parts %q, the regexp's %q", s, got, want)
		}
	}
}

func TestNextDurationPartIsTheRegexp(t *testing.T) {
	for _, s := range []string{"", "1s", "10ms", "1h30m", "1m5ms", "2d", "12", "x1s", "1x2m", "1ms5", "5mss", "1m1ms1s", "007h", "-3m", "1 h 2m", "99999999999999999999s", "m5", "ms", "1é2s"} {
		checkDurationParts(t, s)
	}
}

func FuzzNextDurationPart(f *testing.F) {
	for _, s := range []string{"1h30m", "10ms", "1x2m", "5mss"} {
		f.Add(s)
	}
	f.Fuzz(checkDurationParts)
}
