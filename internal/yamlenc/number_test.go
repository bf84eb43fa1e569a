package yamlenc

import "testing"

// FuzzNumberBytes checks numberLike's shortcut: a scalar with a byte
// outside inNumber never parses as a number or a timestamp.
func FuzzNumberBytes(f *testing.F) {
	for _, s := range []string{
		"1", "-1", "+1", "0x1F", "0X1f", "0o17", "0O17", "0b101", "-0b101", "1_000", "1.5", "1.5e3",
		"-1.5E-3", ".5", "1:30", "190:20:30.15", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
		"2001-12-14T21:59:43Z", "2002-12-14", "500m", "1Gi", "30s", "3-retry", "1e", "0x", "1_", "12:",
		"2001-12-14T21:59:43.10+05:30", "1.", "-.5", "+0o7", "٣", "1\u00a0", "1\n", "1 2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !onlyNumberBytes(s) && parsesAsNumber(s) {
			t.Errorf("%q parses as a number but has a byte outside inNumber", s)
		}
	})
}
