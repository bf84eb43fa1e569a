package dsl

import (
	"strings"
	"testing"
	"unicode/utf16"
)

const encSrc = "pipeline p {\n  image \"a\" // c\n  step a { runn [\"x\"] }\n}\n"

// A byte order mark is skipped; CR-only line endings count as lines (and
// end comments); UTF-16 is one error.
func TestEncodings(t *testing.T) {
	want := "3:12: unknown statement \"runn\" in a step\n"
	for name, src := range map[string]string{
		"plain":   encSrc,
		"bom":     "\xEF\xBB\xBF" + encSrc,
		"cr only": strings.ReplaceAll(encSrc, "\n", "\r"),
		"crlf":    strings.ReplaceAll(encSrc, "\n", "\r\n"),
		"mixed":   strings.Replace(encSrc, "\n", "\r", 1),
	} {
		f, ds := ParseString("t.pipe", src)
		if got := diagLines(ds); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
		}
		if f.Items[0].Pipeline == nil || len(f.Items[0].Pipeline.Items) != 2 {
			t.Errorf("%s: want the pipeline with two statements", name)
		}
	}
	u := utf16.Encode([]rune(encSrc))
	le, be := []byte{0xFF, 0xFE}, []byte{}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
		be = append(be, byte(c>>8), byte(c))
	}
	for name, src := range map[string][]byte{"utf-16le": le, "utf-16be without mark": be} {
		_, ds := Parse("t.pipe", src)
		if len(ds) != 1 || !strings.Contains(ds[0].Message, "UTF-16") || !strings.Contains(ds[0].Message, "pipec reads UTF-8") {
			t.Errorf("%s: want one UTF-16 error, got:\n%s", name, diagLines(ds))
		}
	}
}
