package diag

import (
	"regexp"
	"strings"
	"sync"
)

// ANSI escape sequences for the colours Colorize uses.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiGreen  = "\x1b[1;32m"
	ansiYellow = "\x1b[1;33m"
	ansiCyan   = "\x1b[1;36m"
)

var (
	// headerLine is Print's first line of a diagnostic with a position:
	// file:line:col: [warning: |info: ]message.
	headerLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^\t].*?:\d+:\d+:) (warning: |info: )?(.*)$`) })
	// caretLine underlines the range in the excerpt.
	caretLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\t *)(\^+)$`) })
	// countLine is the "N errors" summary the CLI prints after them.
	countLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(more than )?\d+ errors$`) })
)

// Colorize colours text that Print wrote, for a terminal: the position in
// bold, an error's message in red, "warning:" in yellow, the caret line
// under the range in green, "hint:" in cyan, and the "N errors" count in
// red. Other lines (the source excerpt, anything else) are left as they
// are.
func Colorize(text string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	b.Grow(len(text) + len(lines)*12)
	for _, line := range lines {
		body, nl := strings.CutSuffix(line, "\n")
		end := ""
		if nl {
			end = "\n"
		}
		switch {
		case headerLine().MatchString(body):
			m := headerLine().FindStringSubmatch(body)
			b.WriteString(ansiBold + m[1] + ansiReset + " ")
			switch m[2] {
			case "warning: ":
				b.WriteString(ansiYellow + "warning:" + ansiReset + " " + m[3])
			case "info: ":
				b.WriteString(ansiCyan + "info:" + ansiReset + " " + m[3])
			default:
				b.WriteString(ansiRed + m[3] + ansiReset)
			}
		case caretLine().MatchString(body):
			m := caretLine().FindStringSubmatch(body)
			b.WriteString(m[1] + ansiGreen + m[2] + ansiReset)
		case strings.HasPrefix(body, "\thint: "):
			b.WriteString("\t" + ansiCyan + "hint:" + ansiReset + strings.TrimPrefix(body, "\thint:"))
		case countLine().MatchString(body):
			b.WriteString(ansiRed + body + ansiReset)
		default:
			b.WriteString(body)
		}
		b.WriteString(end)
	}
	return b.String()
}
