package dsl

import (
	"strings"
	"unicode/utf16"
)

// hostileSeeds are generated fuzz seeds that reach the inputs a hostile or
// unlucky user gives and that mutation alone rarely builds: deep nesting,
// very long lines, many errors, and unusual encodings, escapes and
// characters. The parser and formatter fuzzers start from them.
func hostileSeeds() [][]byte {
	const ok = "pipeline p {\n  image \"a\"\n  step a { run [\"x\"] }\n}\n"
	var seeds []string
	// Deep nesting, just below, at and far beyond the cap, balanced or not.
	for _, n := range []int{MaxNesting - 3, MaxNesting - 2, MaxNesting + 1, 2000} {
		seeds = append(seeds,
			"pipeline p { step a { run "+strings.Repeat("[", n)+`"x"`+strings.Repeat("]", n)+" } }\n",
			"pipeline p { step a for x in "+strings.Repeat("[{k: ", n/2)+"\n}\n",
			strings.Repeat("{", n)+strings.Repeat("(", n))
	}
	// Very long lines: junk, a long string, an error after a long string.
	seeds = append(seeds,
		"pipeline p {\n  "+strings.Repeat("@", 20000)+"\n}\n",
		"pipeline p {\n  "+strings.Repeat("#;?! ", 5000)+"\n}\n",
		"pipeline p { step a { run [\""+strings.Repeat("x", 50000)+"\"] runn [\"y\"] } }\n",
		strings.Repeat("step a ", 5000))
	// Many errors, of one kind and of several.
	var many strings.Builder
	many.WriteString("pipeline p {\n")
	for i := range 300 {
		many.WriteString([]string{"  runn [\"x\"]\n", "  step s { cpu \"-1\" }\n", "  env 1BAD = \"v\"\n", "  timeout 10y\n"}[i%4])
	}
	many.WriteString("}\n")
	seeds = append(seeds, many.String())
	// Encodings: a byte order mark, CR-only and mixed line endings, UTF-16
	// both ways, NUL bytes, invalid UTF-8.
	seeds = append(seeds,
		"\uFEFF"+ok,
		strings.ReplaceAll(ok, "\n", "\r"),
		strings.ReplaceAll(ok, "\n", "\r\n"),
		strings.Replace(ok, "\n", "\r", 2),
		"pipeline p { // c\r step a { run [\"x\"] } }",
		utf16Bytes(ok, false), utf16Bytes(ok, true), utf16Bytes(ok, false)[2:],
		"pipeline\x00p { step a { run [\"\x00\"] } }",
		"pipeline p { step a { run [\"\xff\xfe\"] } \xc3 }")
	// Escapes, stray characters, typos, quantities.
	seeds = append(seeds,
		`pipeline p { step a { run ["grep -E '\d+'", "C:\data", "it\'s", "\x4g", "\uD800", "\18", "\`+"\u00e9"+`"] } }`,
		"pipeline p { step a { run [\u201cx\u201d, \u2018y\u2019] }\u00a0\u2003\u200b }",
		"pipeline p { step \u00e9t\u00e9 { run [\"x\"] } }",
		"pipeline p {\n  step b aftr a\n  image \"a\" paralelism 2\n  step c after a, {\n  memoize max_ag 1h\n}\n",
		"pipeline p { step a { run [\"x\"] memory 1Gi limit 2Gi cpu 500m limit 1.5 gpu 1.5 timeout 10y } ttl -1d }",
		"pipeline p { schedule \"@dayly\" timezone \"Europe/Pariss\" step a_with_retry { run [\"x\"] } }")
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = []byte(s)
	}
	return out
}

// utf16Bytes is s in UTF-16 with a byte order mark.
func utf16Bytes(s string, bigEndian bool) string {
	var b []byte
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}
