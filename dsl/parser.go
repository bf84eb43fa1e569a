// Package dsl is the .pipe language: its lexer, its participle grammar, the
// AST (every node knows its source span), doc comments, string
// interpolation and error recovery. It knows nothing about Argo.
package dsl

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/diag"
)

// regexLexer is the token definition of the language, as participle
// regexps. The parser uses Lexer, its fast equivalent (lexer_fast.go).
var regexLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `//[^\n]*`},
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
	{Name: "TripleString", Pattern: `"""(?s:.*?)"""`},
	{Name: "UnterminatedTriple", Pattern: `"""(?s:.*)`},
	{Name: "String", Pattern: `"(\\.|[^"\\\n])*"`},
	{Name: "Unterminated", Pattern: `"(\\.|[^"\\\n])*`},
	{Name: "RawString", Pattern: "`[^`]*`"},
	{Name: "UnterminatedRaw", Pattern: "`[^`]*"},
	{Name: "Duration", Pattern: `[0-9]+(ms|s|m|h|d)([0-9]+(ms|s|m|h|d))*`},
	{Name: "Float", Pattern: `-?[0-9]+\.[0-9]+`},
	{Name: "Int", Pattern: `-?[0-9]+`},
	{Name: "Ident", Pattern: `[a-zA-Z_][a-zA-Z0-9_-]*`},
	{Name: "Punct", Pattern: `\|\||&&|[{}\[\](),=:.]`},
	{Name: "Invalid", Pattern: `.`},
})

// Lexer is the lexer of the language: the tokens of regexLexer, lexed fast.
var Lexer = newFastLexer(regexLexer)

var (
	tokenTypes   = Lexer.Symbols()
	commentType  = tokenTypes["Comment"]
	wsType       = tokenTypes["Whitespace"]
	punctType    = tokenTypes["Punct"]
	identType    = tokenTypes["Ident"]
	lexErrorText = map[lexer.TokenType]string{
		tokenTypes["UnterminatedTriple"]: `unterminated string: a """ string needs a closing """`,
		tokenTypes["Unterminated"]:       `unterminated string: a "..." string must end on the same line`,
		tokenTypes["UnterminatedRaw"]:    "unterminated string: a `...` string needs a closing back quote",
	}
)

// The members of the statement unions. participle tries them in order;
// each starts with keywords of its own, so the order does not change what
// parses, only how soon the member that matches is tried: the most
// frequent come first.
var pipelineStmts = []PipelineStmt{
	&StepDecl{}, &ParamStmt{}, &ImageStmt{}, &EnvStmt{}, &RetryStmt{},
	&LabelStmt{}, &TimeoutStmt{}, &TTLStmt{}, &MemoizeStmt{}, &VolumeStmt{},
	&DescriptionStmt{}, &IntStmt{}, &NamespaceStmt{}, &ServiceAccountStmt{},
	&PodGCStmt{}, &NodeSelectorStmt{}, &TolerationStmt{}, &PullSecretStmt{},
	&ScheduleStmt{}, &KindStmt{}, &RawStmt{}, &SettingStmt{}, &SyncStmt{},
	&ArtifactRepositoryStmt{}, &ArtifactGCStmt{}, &StageDecl{}, &OutputStmt{},
	&InputStmt{}, &ArtifactStmt{},
}

var stepStmts = append([]StepStmt{
	&RunStmt{}, &ImageStmt{}, &EnvStmt{}, &OutputStmt{}, &ResourceStmt{},
	&RetryStmt{}, &ScriptStmt{}, &TimeoutStmt{}, &MemoizeStmt{}, &MountStmt{},
	&WorkdirStmt{}, &LabelStmt{}, &NodeSelectorStmt{}, &TolerationStmt{}, &RawStmt{},
	&StepSettingStmt{}, &SyncStmt{}, &InputStmt{}, &ArtifactStmt{},
}, append(append(append(append(templateKindStmts, behaviourStmts...), containerStmts...), dataStmts...), &SubStep{}, &SubStage{}, &HookStmt{}, &StepParallelismStmt{})...)

func options() []participle.Option {
	return []participle.Option{
		participle.Lexer(Lexer),
		participle.Elide("Whitespace", "Comment"),
		participle.Union[PipelineStmt](pipelineStmts...),
		participle.Union[StepStmt](stepStmts...),
		participle.UseLookahead(participle.MaxLookahead),
	}
}

// Parser is the participle parser of a whole file: the grammar as
// documented (docs/language.md). Parse uses fileParser, which differs only
// in how it finds a step statement's production (dispatch.go).
// It is built on first use: pipec itself never needs it, and building a
// participle parser is a noticeable part of start-up.
var Parser = lazyParser[File](options)

// The strict parsers parse one statement without the error-recovery
// alternative; they re-parse a BadStmt to say precisely what is wrong.
type strictTop struct {
	Import   *Import       `parser:"  @@"`
	Template *TemplateDecl `parser:"| @@"`
	Pipeline *Pipeline     `parser:"| @@"`
}
type strictPipeline struct {
	Stmt PipelineStmt `parser:"@@"`
}
type strictStep struct {
	Stmt StepStmt `parser:"@@"`
}

// They are built on first use, like every participle parser of the
// package: building one is most of the package's start-up cost, and a
// build whose statements all parse by hand needs strictStepParser only for
// a step statement without a fast parser (dispatch.go), the other two only
// for files with errors.
var (
	strictTopParser      = lazyParser[strictTop](options)
	strictPipelineParser = lazyParser[strictPipeline](options)
	strictStepParser     = lazyParser[strictStep](options)
)

// parsersBuilt counts the participle parsers built (TestCommonFileBuildsNoParser).
var parsersBuilt atomic.Int32

// lazyParser returns a function that builds, on first call, the participle
// parser of G with the options opts returns, and returns it.
func lazyParser[G any](opts func() []participle.Option) func() *participle.Parser[G] {
	return sync.OnceValue(func() *participle.Parser[G] {
		parsersBuilt.Add(1)
		return participle.MustBuild[G](opts()...)
	})
}

// Keywords that can start a statement, by context; used for messages,
// completion and the formatter.
var (
	TopKeywords      = []string{"import", "pipeline", "template"}
	PipelineKeywords = []string{"affinity", "annotation", "archive_logs", "artifact", "artifact_gc", "artifact_repository", "automount_service_account_token", "cluster_workflow_template_ref", "concurrency_policy", "description", "dns_config", "dns_policy", "entry_metrics", "entrypoint", "env", "executor_service_account", "fail_fast", "failed_jobs_history_limit", "host_aliases", "host_network", "image", "image_pull_secret", "input", "kind", "label", "library", "memoize", "metrics", "mutex", "name", "namespace", "node_selector", "on", "output", "parallelism", "param", "pod_disruption_budget", "pod_gc", "pod_metadata", "pod_spec_patch", "priority", "priority_class", "raw", "retry", "schedule", "schedule_when", "scheduler_name", "security_context", "semaphore", "service_account", "shutdown", "stage", "starting_deadline", "step", "step_parallelism", "step_timeout", "stop_when", "successful_jobs_history_limit", "suspend", "target", "template_defaults", "timeout", "toleration", "ttl", "volume", "volume_claim_gc", "workflow_metadata", "workflow_template_ref"}
	StepKeywords     = []string{"affinity", "archive_logs", "args", "artifact", "automount_service_account_token", "body", "container", "continue_on", "cpu", "daemon", "data", "display_name", "env", "failure", "filter", "flags", "gpu", "header", "host_aliases", "http", "image", "init", "input", "insecure_skip_verify", "label", "library", "map", "memoize", "memory", "merge_strategy", "metrics", "mirror_volume_mounts", "mount", "mutex", "node_selector", "on", "output", "pod_security_context", "pod_spec_patch", "priority_class", "raw", "ready", "resource", "retry", "retry_containers", "run", "scheduler_name", "script", "security_context", "semaphore", "service_account", "set_owner_reference", "sidecar", "step_parallelism", "success", "suspend", "timeout", "toleration", "transform", "volume", "workdir"}
)

// Parse parses one file. It always returns a File (possibly partial) and
// reports every syntax error it finds: after a broken statement it resumes
// at the next line, so later statements still parse.
//
// A UTF-8 byte order mark is skipped and CR-only line endings read as LF
// (File.Source is the text so decoded); a UTF-16 file is one error.
func Parse(filename string, src []byte) (*File, diag.Diagnostics) {
	src, diags, ok := decodeSource(filename, src)
	if !ok {
		return &File{Name: filename, Source: src}, diags
	}
	toks, comments, lexDiags := lex(filename, src)
	diags = append(diags, lexDiags...)
	file, ok := parseInParts(toks)
	if !ok {
		file, ok = parseFastFile(toks)
	}
	var err error
	if !ok {
		file, err = fileParser().ParseFromLexer(newPeekingLexer(toks))
	}
	if file == nil {
		file = &File{}
	}
	file.Name, file.Source, file.Comments = filename, src, comments
	if err != nil {
		diags = append(diags, parseErrorDiag(filename, err, ""))
	}
	mergeBrokenTails(file)
	diags = append(diags, badStmtDiags(file, lexDiags)...)
	attachDocs(file)
	return file, diags.Sort()
}

// ParseString is Parse for a string source.
func ParseString(filename, src string) (*File, diag.Diagnostics) {
	return Parse(filename, []byte(src))
}

// TokenLexer replays already lexed tokens (ending with EOF) to participle,
// for example to dsl.Parser().ParseFromLexer after lexer.Upgrade.
func TokenLexer(toks []lexer.Token) lexer.Lexer { return &sliceLexer{toks: toks} }

type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	t := l.toks[l.i]
	if l.i < len(l.toks)-1 {
		l.i++
	}
	return t, nil
}

// lex tokenises the source; it never fails: bad characters and unterminated
// strings become tokens the grammar rejects, with a diagnostic each. The
// tokens are those of Lexer (FastLexer), made here directly.
func lex(filename string, src []byte) ([]lexer.Token, []*CommentGroup, diag.Diagnostics) {
	var diags diag.Diagnostics
	data := string(src)
	// Count the tokens first, to allocate them at once: the slice is large
	// (64 bytes a token, one token for every 3 to 8 bytes of source), and
	// counting costs little next to the rest of lexing.
	n := 1 // EOF
	for s := data; s != ""; n++ {
		_, k := matchRule(s)
		s = s[k:]
	}
	toks := make([]lexer.Token, n)
	var comments []*CommentGroup
	pos := lexer.Position{Filename: filename, Line: 1, Column: 1}
	s := data
	for i := range n - 1 {
		rule, k := matchRule(s)
		t := &toks[i]
		*t = lexer.Token{Type: Lexer.types[rule], Value: s[:k], Pos: pos}
		s = s[k:]
		advance(&pos, rule, t.Value)
		switch rule {
		case ruleComment:
			comments = addComment(comments, *t)
		case ruleUnterminatedTriple, ruleUnterminated, ruleUnterminatedRaw:
			diags.Errorf(tokenRange(*t), "%s", lexErrorText[t.Type])
		}
	}
	toks[n-1] = lexer.EOFToken(pos)
	toks = checkTokens(data, toks, &diags)
	return toks, comments, diags
}

func tokenRange(t lexer.Token) diag.Range {
	end := t.Pos
	end.Advance(t.Value)
	return Span{Pos: t.Pos, EndPos: end}.Range()
}

// CommentGroup is a run of // comments on consecutive lines.
type CommentGroup struct {
	Span
	Lines []string // the comment texts, with the leading // removed
}

// Text returns the comment lines joined, each with one leading space
// trimmed.
func (g *CommentGroup) Text() string {
	if g == nil {
		return ""
	}
	lines := make([]string, len(g.Lines))
	for i, l := range g.Lines {
		lines[i] = strings.TrimPrefix(l, " ")
	}
	return strings.Join(lines, "\n")
}

func addComment(groups []*CommentGroup, t lexer.Token) []*CommentGroup {
	// A comment runs to the end of its line, which in a file with CRLF
	// line endings includes the \r: it is not part of the comment.
	value := strings.TrimSuffix(t.Value, "\r")
	end := t.Pos
	end.Advance(value)
	text := strings.TrimPrefix(value, "//")
	if n := len(groups); n > 0 {
		g := groups[n-1]
		if g.EndPos.Line == t.Pos.Line-1 && g.Pos.Column == t.Pos.Column {
			g.Lines = append(g.Lines, text)
			g.EndPos = end
			return groups
		}
	}
	return append(groups, &CommentGroup{Span: Span{Pos: t.Pos, EndPos: end}, Lines: []string{text}})
}

// attachDocs gives each declaration and statement the comment group that
// ends on the line just above it.
func attachDocs(f *File) {
	if len(f.Comments) == 0 {
		return
	}
	byEndLine := make(map[int]*CommentGroup, len(f.Comments))
	for _, g := range f.Comments {
		byEndLine[g.EndPos.Line] = g
	}
	doc := func(s Span) *CommentGroup {
		if g := byEndLine[s.Pos.Line-1]; g != nil && g.Pos.Column == s.Pos.Column {
			return g
		}
		return nil
	}
	stepItems := func(items []*StepItem) {
		for _, it := range flatItems(items) {
			it.Doc = doc(it.Span)
		}
	}
	for _, it := range f.Items {
		it.Doc = doc(it.Span)
		if it.Template != nil {
			it.Template.Doc = it.Doc
			stepItems(it.Template.Items)
		}
		if it.Pipeline != nil {
			for _, pi := range it.Pipeline.Items {
				pi.Doc = doc(pi.Span)
				for _, block := range pipelineBlocks(pi.Stmt) {
					for _, it := range block {
						it.Doc = doc(it.Span)
					}
				}
			}
		}
	}
}

// Parse implements participle.Parseable: a bad statement is the rest of the
// line it starts on, with any {...} block that opens on that line. It never
// swallows the '}' that closes the enclosing block.
func (b *BadStmt) Parse(lex *lexer.PeekingLexer) error {
	first := lex.Peek()
	if first.EOF() || (first.Type == punctType && first.Value == "}") {
		return participle.NextMatch
	}
	line, depth := first.Pos.Line, 0
	var last lexer.Token
	for {
		t := lex.Peek()
		if t.EOF() {
			break
		}
		if depth == 0 && len(b.Tokens) > 0 && (t.Pos.Line != line || (t.Type == punctType && t.Value == "}")) {
			break
		}
		if t.Type == punctType {
			switch t.Value {
			case "{":
				depth++
			case "}":
				depth--
			}
		}
		last = *lex.Next()
		b.Tokens = append(b.Tokens, last)
		if depth == 0 && t.Type == punctType && t.Value == "}" {
			break
		}
	}
	b.Pos = first.Pos
	b.EndPos = last.Pos
	b.EndPos.Advance(last.Value)
	return nil
}

// Parse implements participle.Parseable: it consumes one '}'.
func (b *StrayBrace) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type != punctType || t.Value != "}" {
		return participle.NextMatch
	}
	lex.Next()
	b.Pos = t.Pos
	b.EndPos = t.Pos
	b.EndPos.Advance(t.Value)
	return nil
}

// mergeBrokenTails handles a statement that parsed only in part: in
// `step c after { ... }` or `retry 3 bogus 2`, the grammar accepts a prefix
// (`step c`, `retry 3`) and the rest of the line becomes a bad statement.
// Such a tail is merged back into the statement it belongs to, so that the
// whole statement is reported as broken, precisely, and the checker does not
// see a truncated one.
func mergeBrokenTails(f *File) {
	merge := func(bad *BadStmt, prevSpan Span) *BadStmt {
		end := prevSpan.Pos.Offset
		for end < len(f.Source) && isIdentByte(f.Source[end]) {
			end++
		}
		first := lexer.Token{Type: identType, Value: string(f.Source[prevSpan.Pos.Offset:end]), Pos: prevSpan.Pos}
		return &BadStmt{Span: Span{Pos: prevSpan.Pos, EndPos: bad.EndPos}, Tokens: append([]lexer.Token{first}, bad.Tokens...)}
	}
	sameLine := func(prev Span, bad *BadStmt) bool {
		return bad != nil && prev.EndPos.Line == bad.Pos.Line && prev.EndPos.Offset <= bad.Pos.Offset
	}
	mergeStep := func(items []*StepItem) []*StepItem {
		out := items[:0]
		for _, it := range items {
			if n := len(out); n > 0 && out[n-1].Bad == nil && sameLine(out[n-1].Span, it.Bad) {
				prev := out[n-1]
				prev.Bad, prev.Stmt, prev.EndPos = merge(it.Bad, prev.Span), nil, it.EndPos
				continue
			}
			out = append(out, it)
		}
		return out
	}
	for _, it := range f.Items {
		if it.Template != nil {
			it.Template.Items = mergeStep(it.Template.Items)
			mergeNested(it.Template.Items, mergeStep)
		}
		p := it.Pipeline
		if p == nil {
			continue
		}
		out := p.Items[:0]
		for _, pi := range p.Items {
			switch s := pi.Stmt.(type) {
			case *StepDecl:
				s.Items = mergeStep(s.Items)
				mergeNested(s.Items, mergeStep)
			case *StageDecl:
				s.Items = mergeStep(s.Items)
				mergeNested(s.Items, mergeStep)
			}
			if n := len(out); n > 0 && out[n-1].Bad == nil && sameLine(out[n-1].Span, pi.Bad) {
				prev := out[n-1]
				prev.Bad, prev.Stmt, prev.EndPos = merge(pi.Bad, prev.Span), nil, pi.EndPos
				continue
			}
			out = append(out, pi)
		}
		p.Items = out
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '-' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// badStmtDiags reports one error per bad statement, by re-parsing it alone
// with the strict parser of its context.
func badStmtDiags(f *File, lexDiags diag.Diagnostics) diag.Diagnostics {
	var diags diag.Diagnostics
	report := func(b *BadStmt, context string) {
		if b == nil {
			return
		}
		for _, d := range lexDiags { // the lexer already said what is wrong here
			if d.Range.Start.Offset >= b.Pos.Offset && d.Range.Start.Offset < b.EndPos.Offset {
				return
			}
		}
		diags = append(diags, badStmtDiag(f, b, context))
	}
	for _, it := range f.Items {
		if it.Stray != nil {
			diags = append(diags, diag.Diagnostic{Range: it.Stray.Range(), Message: "unexpected '}': no block is open here", Hint: "remove it, or look for a missing '{' above"})
		}
		report(it.Bad, "top")
		if it.Template != nil {
			for _, si := range flatItems(it.Template.Items) {
				report(si.Bad, "step")
			}
		}
		if it.Pipeline != nil {
			for _, pi := range it.Pipeline.Items {
				report(pi.Bad, "pipeline")
				for _, block := range pipelineBlocks(pi.Stmt) {
					for _, si := range block {
						report(si.Bad, "step")
					}
				}
			}
		}
	}
	return diags
}

func badStmtDiag(f *File, b *BadStmt, context string) diag.Diagnostic {
	first := b.Tokens[0]
	keywords, where := TopKeywords, "at the top level of a file"
	switch context {
	case "pipeline":
		keywords, where = PipelineKeywords, "in a pipeline"
	case "step":
		keywords, where = StepKeywords, "in a step"
	}
	if first.Type == identType && !contains(keywords, first.Value) && !contains(allKeywords(), first.Value) {
		d := diag.Diagnostic{Range: tokenRange(first), Message: fmt.Sprintf("unknown statement %q %s", first.Value, where)}
		if s := diag.Suggest(first.Value, keywords); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		} else {
			d.Hint = "expected one of: " + strings.Join(keywords, ", ")
		}
		return d
	}
	if first.Type == identType && !contains(keywords, first.Value) {
		return diag.Diagnostic{Range: tokenRange(first), Message: fmt.Sprintf("%q is not allowed %s", first.Value, where),
			Hint: "expected one of: " + strings.Join(keywords, ", ")}
	}
	// Re-parse the statement alone, everything else blanked, so positions stay exact.
	blank := []byte(string(f.Source))
	for i := range blank {
		if (i < b.Pos.Offset || i >= b.EndPos.Offset) && blank[i] != '\n' {
			blank[i] = ' '
		}
	}
	var err error
	switch context {
	case "pipeline":
		_, err = strictPipelineParser().ParseBytes(f.Name, blank)
	case "step":
		_, err = strictStepParser().ParseBytes(f.Name, blank)
	default:
		_, err = strictTopParser().ParseBytes(f.Name, blank)
	}
	if err == nil {
		return diag.Diagnostic{Range: b.Range(), Message: "invalid statement"}
	}
	d := parseErrorDiag(f.Name, err, where)
	// Blanking keeps byte offsets but not columns (a multi-byte character
	// became several spaces): recompute lines and columns from the offsets.
	d.Range.Start = PosAt(f.Name, f.Source, d.Range.Start.Offset)
	d.Range.End = PosAt(f.Name, f.Source, d.Range.End.Offset)
	if d.Range.Start.Offset >= b.EndPos.Offset {
		last := b.Tokens[len(b.Tokens)-1]
		d.Range = tokenRange(last)
		d.Message = strings.Replace(d.Message, "unexpected end of file", fmt.Sprintf("incomplete statement after %q", last.Value), 1)
	}
	explain(&d, b, keywords, where)
	return d
}

func parseErrorDiag(filename string, err error, where string) diag.Diagnostic {
	perr, ok := err.(participle.Error)
	if !ok {
		return diag.Diagnostic{Range: diag.Range{Filename: filename}, Message: err.Error()}
	}
	pos := perr.Position()
	if pos.Filename == "" {
		pos.Filename = filename
	}
	msg := perr.Message()
	msg = strings.ReplaceAll(msg, `unexpected token "<EOF>"`, "unexpected end of file")
	r := Span{Pos: pos, EndPos: pos}.Range()
	if uerr, ok := err.(*participle.UnexpectedTokenError); ok && !uerr.Unexpected.EOF() {
		r = tokenRange(uerr.Unexpected)
	}
	return diag.Diagnostic{Range: r, Message: msg}
}

var keywordSet []string

func allKeywords() []string {
	if keywordSet == nil {
		seen := map[string]bool{}
		for _, list := range [][]string{TopKeywords, PipelineKeywords, StepKeywords} {
			for _, k := range list {
				if !seen[k] {
					seen[k] = true
					keywordSet = append(keywordSet, k)
				}
			}
		}
		sort.Strings(keywordSet)
	}
	return keywordSet
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
