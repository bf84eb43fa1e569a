package lsp

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// mapper converts between byte offsets in a source and LSP positions, whose
// character counts UTF-16 code units (the default) or bytes (when UTF-8 was
// negotiated).
type mapper struct {
	src   []byte
	lines []int // byte offset of the start of each line
	utf8  bool
}

func newMapper(src []byte, utf8 bool) *mapper {
	lines := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		lines = append(lines, i)
	}
	return &mapper{src: src, lines: lines, utf8: utf8}
}

// edited is the mapper of next, which is m's source with its start:end
// replaced by text: the line starts before the edit are m's, those after it
// are m's moved by the change in length, so that an incremental change of a
// large document does not scan it all again.
func (m *mapper) edited(next []byte, start, end int, text string) *mapper {
	i := sort.SearchInts(m.lines, start+1) // the first line that starts after start
	j := sort.SearchInts(m.lines, end+1)   // after end: its newline is after the edit
	delta := len(text) - (end - start)
	lines := make([]int, 0, i+strings.Count(text, "\n")+len(m.lines)-j)
	lines = append(lines, m.lines[:i]...)
	for k := 0; ; {
		n := strings.IndexByte(text[k:], '\n')
		if n < 0 {
			break
		}
		k += n + 1
		lines = append(lines, start+k)
	}
	for _, l := range m.lines[j:] {
		lines = append(lines, l+delta)
	}
	return &mapper{src: next, lines: lines, utf8: m.utf8}
}

// lineEnd is the offset of the end of line i, before its "\n" (or "\r\n").
func (m *mapper) lineEnd(i int) int {
	end := len(m.src)
	if i+1 < len(m.lines) {
		end = m.lines[i+1] - 1
		if end > m.lines[i] && m.src[end-1] == '\r' {
			end--
		}
	}
	return end
}

// position converts a byte offset (clamped to the source) to a position.
func (m *mapper) position(off int) protocol.Position {
	off = max(0, min(off, len(m.src)))
	line := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
	start := m.lines[line]
	return protocol.Position{Line: uint32(line), Character: uint32(m.units(m.src[start:off]))}
}

func (m *mapper) units(b []byte) int {
	if m.utf8 || ascii(b) {
		return len(b)
	}
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// ascii reports whether b is all ASCII (one UTF-16 unit a byte).
func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// offset converts a position to a byte offset. A character past the end of
// its line means the end of the line; a line past the end of the source means
// the end of the source. A position inside a multi-unit character maps to
// the start of that character.
func (m *mapper) offset(p protocol.Position) int {
	line := int(p.Line)
	if line >= len(m.lines) {
		return len(m.src)
	}
	off, end := m.lines[line], m.lineEnd(line)
	want := int(p.Character)
	if m.utf8 {
		off = min(off+want, end)
		for off > m.lines[line] && off < len(m.src) && !utf8.RuneStart(m.src[off]) {
			off--
		}
		return off
	}
	n := 0
	for off < end {
		r, size := utf8.DecodeRune(m.src[off:end])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > want {
			break
		}
		n += w
		off += size
	}
	return off
}

func (m *mapper) rng(start, end int) protocol.Range {
	return protocol.Range{Start: m.position(start), End: m.position(end)}
}
