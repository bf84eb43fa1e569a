package main

import (
	"os"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { scriptCommands["gen"] = cmdGen }

// cmdGen writes a generated file, for inputs too large or too odd for a
// txtar archive (deep nesting, floods, other encodings):
//
//	gen [-utf16le|-utf16be] FILE PART...
//
// Each PART is a Go string literal without its quotes ("\r", "\x00" and
// "\u00a0" work), optionally followed by *N to repeat it N times. With
// -utf16le or -utf16be the text is written in UTF-16 with a byte order mark.
func cmdGen(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! gen")
	}
	enc := ""
	if len(args) > 0 && strings.HasPrefix(args[0], "-utf16") {
		enc, args = args[0], args[1:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: gen [-utf16le|-utf16be] FILE PART...")
	}
	var b strings.Builder
	for _, part := range args[1:] {
		n := 1
		if i := strings.LastIndex(part, "*"); i >= 0 {
			if k, err := strconv.Atoi(part[i+1:]); err == nil {
				part, n = part[:i], k
			}
		}
		s, err := strconv.Unquote(`"` + strings.ReplaceAll(part, `"`, `\"`) + `"`)
		ts.Check(err)
		b.WriteString(strings.Repeat(s, n))
	}
	data := []byte(b.String())
	if enc != "" {
		data = nil
		for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(b.String()))...) {
			if enc == "-utf16le" {
				data = append(data, byte(u), byte(u>>8))
			} else {
				data = append(data, byte(u>>8), byte(u))
			}
		}
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}
