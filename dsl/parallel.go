package dsl

import (
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/internal/workpool"
)

// Parsing is most of the time a large file takes to compile, participle
// parses on one core, and it keeps every capture of a parse in memory
// until the parse ends. A well-formed large file is therefore parsed in
// parts: the body of its largest pipeline is cut, between two of its
// statements, into segments of about parallelSegmentTokens tokens; the
// file without the body's later segments is parsed as usual, each later
// segment on its own as a list of pipeline statements, by a worker per
// core, and the statements are put back together in order.
//
// The result is the same as parsing the whole file at once: a segment
// starts at a `step` or `on` keyword that is the first token of its line at
// the body's top level, which only ever starts a statement, and no
// statement can go on with such a token, so the statements of a segment
// are the ones the whole parse finds there. Every token of a segment keeps
// its position, and the token after a statement's last one (which sets the
// statement's end position) is in the same segment, since a newline comes
// before the next segment. When a part has any error or bad statement,
// parsing in parts is abandoned and the file is parsed at once, so that
// errors and recovery are exactly those of one parse.
// TestParallelSameAsSequential checks all of this on every test input.

// parallelMinTokens is the number of tokens below which a file is parsed
// at once: for small files the parts' overhead outweighs the gain.
var parallelMinTokens = 8000

// parallelSegmentTokens is the least number of tokens in a segment.
var parallelSegmentTokens = 4000

// parseItems parses a segment, a list of pipeline statements, as
// fileParser's `@@*` of PipelineItem does when every statement in it
// parses (with parsePipelineStmt, fileParser's production), without
// participle's bookkeeping around each statement; it reports false at the
// first statement that does not parse (participle would make it a
// BadStmt), and the file is then parsed at once.
func parseItems(lex *lexer.PeekingLexer) ([]*PipelineItem, bool) {
	var items []*PipelineItem
	for !lex.Peek().EOF() {
		start := lex.Peek().Pos
		stmt, err := parsePipelineStmt(lex)
		if err != nil || stmt == nil {
			return nil, false
		}
		items = append(items, &PipelineItem{Span: Span{Pos: start, EndPos: lex.RawPeek().Pos}, Stmt: stmt})
	}
	return items, true
}

// parseInParts parses a file of tokens toks (ending with EOF) in parts, if
// it is large enough and well-formed; it reports false otherwise, and the
// file must then be parsed at once.
func parseInParts(toks []lexer.Token) (*File, bool) {
	if len(toks) < parallelMinTokens {
		return nil, false
	}
	open, cuts, closing := segments(toks)
	if len(cuts) == 0 {
		return nil, false
	}
	// The file without the segments after the first: tokens up to the
	// first cut, then from the body's closing brace on.
	head := make([]lexer.Token, 0, cuts[0]+len(toks)-closing)
	head = append(append(head, toks[:cuts[0]]...), toks[closing:]...)
	bounds := append(append([]int{}, cuts...), closing)
	parts := make([][]*PipelineItem, len(cuts))
	var file *File
	parseHead := func() bool {
		if f, ok := parseFastFile(head); ok {
			file = f
			return wellFormedFile(f)
		}
		f, err := fileParser().ParseFromLexer(newPeekingLexer(head))
		file = f
		return err == nil && wellFormedFile(f)
	}
	// Each segment is parsed on its own (participle keeps what it parses in
	// memory until the end of a parse, so small segments keep little), in
	// place: its last token, the blank before the next segment's first
	// statement (or before the closing brace), becomes its EOF for the
	// time of the parse. A statement's EndPos is the position of the raw
	// token after it, which the EOF keeps, and nothing looks past an EOF.
	// A segment that does not end with a blank is parsed from a copy.
	saved := make([]lexer.Token, len(cuts))
	parseSegment := func(i int) bool {
		end := bounds[i+1]
		var seg []lexer.Token
		if toks[end-1].Type == wsType {
			saved[i] = toks[end-1]
			seg = toks[bounds[i]:end:end]
			seg[len(seg)-1] = lexer.EOFToken(saved[i].Pos)
		} else {
			seg = make([]lexer.Token, 0, end-bounds[i]+1)
			seg = append(seg, toks[bounds[i]:end]...)
			seg = append(seg, lexer.EOFToken(toks[end].Pos))
		}
		items, ok := parseItems(newPeekingLexer(seg))
		if !ok || !wellFormedItems(items) {
			return false
		}
		parts[i] = items
		return true
	}
	ok := workpool.Run(len(cuts), parseHead, parseSegment)
	for i, t := range saved { // every call has returned
		if t.Value != "" {
			toks[bounds[i+1]-1] = t
		}
	}
	if !ok {
		return nil, false
	}
	pipeline := pipelineAt(file, toks[open].Pos)
	if pipeline == nil {
		return nil, false
	}
	n := len(pipeline.Items)
	for _, items := range parts {
		n += len(items)
	}
	pipeline.Items = slices.Grow(pipeline.Items, n-len(pipeline.Items))
	for _, items := range parts {
		pipeline.Items = append(pipeline.Items, items...)
	}
	return file, true
}

// segments finds where to cut the largest pipeline body of a file: the
// index of its opening brace, the indexes of the tokens that start the
// segments after the first (each segment of about parallelSegmentTokens
// tokens or more), and the index of its closing brace. It returns no cuts
// if the body is too small to be worth cutting or the braces do not
// balance.
func segments(toks []lexer.Token) (open int, cuts []int, closing int) {
	// The largest pipeline body: `pipeline NAME {` at depth 0 up to its
	// matching brace.
	depth, bodyOpen := 0, -1
	best := 0
	var prev *lexer.Token // the previous token that is not blank
	for i := range toks {
		t := &toks[i]
		if t.Type == wsType || t.Type == commentType {
			continue
		}
		if t.Type == punctType {
			switch t.Value {
			case "{", "(", "[":
				if depth == 0 && t.Value == "{" && bodyOpen < 0 && prev != nil && prev.Type == identType && isPipelineKeyword(toks, i) {
					bodyOpen = i
				}
				depth++
			case "}", ")", "]":
				depth--
				if depth < 0 {
					return 0, nil, 0
				}
				if depth == 0 && bodyOpen >= 0 {
					if i-bodyOpen > best {
						best, open, closing = i-bodyOpen, bodyOpen, i
					}
					bodyOpen = -1
				}
			}
		}
		prev = t
	}
	if depth != 0 || best < 2*parallelSegmentTokens {
		return 0, nil, 0
	}
	// Statement starts at the body's top level, first on their line.
	want := best / parallelSegmentTokens
	size := best / want
	next := open + size
	depth = 0
	line := 0
	for i := open + 1; i < closing && len(cuts) < want-1; i++ {
		t := &toks[i]
		if t.Type == wsType || t.Type == commentType {
			continue
		}
		// First on its line: after the line where the previous token ends
		// (a triple-quoted string may end on the line a statement starts).
		first := t.Pos.Line != line
		line = t.Pos.Line + strings.Count(t.Value, "\n")
		if t.Type == punctType {
			switch t.Value {
			case "{", "(", "[":
				depth++
			case "}", ")", "]":
				depth--
			}
			continue
		}
		if depth == 0 && first && i >= next && t.Type == identType && (t.Value == "step" || t.Value == "on") {
			cuts = append(cuts, i)
			next = i + size
		}
	}
	return open, cuts, closing
}

// isPipelineKeyword reports whether the brace at toks[i] follows
// `pipeline NAME`.
func isPipelineKeyword(toks []lexer.Token, i int) bool {
	seen := 0
	for j := i - 1; j >= 0; j-- {
		t := &toks[j]
		if t.Type == wsType || t.Type == commentType {
			continue
		}
		seen++
		if seen == 2 {
			return t.Type == identType && t.Value == "pipeline"
		}
	}
	return false
}

// pipelineAt is the pipeline of file whose span holds pos.
func pipelineAt(file *File, pos lexer.Position) *Pipeline {
	for _, it := range file.Items {
		if p := it.Pipeline; p != nil && p.Pos.Offset < pos.Offset && pos.Offset < p.EndPos.Offset {
			return p
		}
	}
	return nil
}

// wellFormedFile reports whether a parsed file has no bad statement.
func wellFormedFile(f *File) bool {
	if f == nil {
		return false
	}
	for _, it := range f.Items {
		if it.Bad != nil || it.Stray != nil {
			return false
		}
		if it.Template != nil && !wellFormedSteps(it.Template.Items) {
			return false
		}
		if it.Pipeline != nil && !wellFormedItems(it.Pipeline.Items) {
			return false
		}
	}
	return true
}

func wellFormedItems(items []*PipelineItem) bool {
	for _, pi := range items {
		if pi.Bad != nil || pi.Stmt == nil {
			return false
		}
		for _, block := range pipelineBlocks(pi.Stmt) {
			if !wellFormedSteps(block) {
				return false
			}
		}
	}
	return true
}

func wellFormedSteps(items []*StepItem) bool {
	for _, si := range items {
		if si.Bad != nil || si.Stmt == nil {
			return false
		}
		if s, ok := si.Stmt.(*SubStep); ok && !wellFormedSteps(s.Items) {
			return false
		}
		if s, ok := si.Stmt.(*HookStmt); ok && !wellFormedSteps(s.Items) {
			return false
		}
	}
	return true
}
