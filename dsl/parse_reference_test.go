package dsl

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/pipec/pipec/bench"
	"github.com/pipec/pipec/diag"
)

// The parser is tuned for speed (union order, token handling, a fast path
// for files without syntax errors). Its results must stay exactly those of
// the straightforward implementation below: refParse is dsl.Parse as it was
// before the tuning, with its own copy of the grammar options. The tests
// here compare the two, AST (spans included) and diagnostics, on every
// source of the repository's tests and examples, on generated pipelines, on
// many mutations of all those, and under the fuzzer:
//
//	go test ./dsl -run '^$' -fuzz FuzzParseSameAsReference -fuzztime 1m

var refPipelineStmts = []PipelineStmt{
	&StepDecl{}, &ParamStmt{}, &ImageStmt{}, &DescriptionStmt{}, &NamespaceStmt{},
	&ServiceAccountStmt{}, &LabelStmt{}, &IntStmt{}, &TimeoutStmt{}, &PodGCStmt{},
	&TTLStmt{}, &NodeSelectorStmt{}, &TolerationStmt{}, &PullSecretStmt{},
	&RetryStmt{}, &MemoizeStmt{}, &ScheduleStmt{}, &KindStmt{}, &VolumeStmt{},
	&RawStmt{}, &EnvStmt{}, &SettingStmt{}, &SyncStmt{},
	&ArtifactRepositoryStmt{}, &ArtifactGCStmt{}, &StageDecl{}, &OutputStmt{},
	&InputStmt{}, &ArtifactStmt{},
}

var refStepStmts = append([]StepStmt{
	&RunStmt{}, &ScriptStmt{}, &ImageStmt{}, &EnvStmt{}, &ResourceStmt{},
	&OutputStmt{}, &MountStmt{}, &WorkdirStmt{}, &TimeoutStmt{}, &RetryStmt{},
	&MemoizeStmt{}, &NodeSelectorStmt{}, &TolerationStmt{}, &LabelStmt{}, &RawStmt{},
	&StepSettingStmt{}, &SyncStmt{}, &InputStmt{}, &ArtifactStmt{},
}, append(append(append(append(templateKindStmts, behaviourStmts...), containerStmts...), dataStmts...), &SubStep{}, &SubStage{}, &HookStmt{}, &StepParallelismStmt{})...)

func refOptions() []participle.Option {
	return []participle.Option{
		participle.Lexer(Lexer),
		participle.Elide("Whitespace", "Comment"),
		participle.Union[PipelineStmt](refPipelineStmts...),
		participle.Union[StepStmt](refStepStmts...),
		participle.UseLookahead(participle.MaxLookahead),
	}
}

var (
	refParser               = participle.MustBuild[File](refOptions()...)
	refStrictTopParser      = participle.MustBuild[strictTop](refOptions()...)
	refStrictPipelineParser = participle.MustBuild[strictPipeline](refOptions()...)
	refStrictStepParser     = participle.MustBuild[strictStep](refOptions()...)
)

// refParse is Parse as it was before the performance work.
func refParse(filename string, src []byte) (*File, diag.Diagnostics) {
	// Decoding (byte order mark, CR-only line endings, UTF-16) is the same
	// function in both.
	src, diags, ok := decodeSource(filename, src)
	if !ok {
		return &File{Name: filename, Source: src}, diags
	}
	toks, comments, lexDiags := refLex(filename, src)
	diags = append(diags, lexDiags...)
	plex, err := lexer.Upgrade(&sliceLexer{toks: toks}, wsType, commentType)
	if err != nil {
		diags.Errorf(diag.Range{Filename: filename}, "%v", err)
		return &File{Name: filename, Source: src}, diags
	}
	file, err := refParser.ParseFromLexer(plex)
	if file == nil {
		file = &File{}
	}
	file.Name, file.Source, file.Comments = filename, src, comments
	if err != nil {
		diags = append(diags, refParseErrorDiag(filename, err, ""))
	}
	refMergeBrokenTails(file)
	diags = append(diags, refBadStmtDiags(file, lexDiags)...)
	refAttachDocs(file)
	return file, diags.Sort()
}

func refLex(filename string, src []byte) ([]lexer.Token, []*CommentGroup, diag.Diagnostics) {
	var diags diag.Diagnostics
	lx, err := Lexer.LexString(filename, string(src))
	if err != nil {
		diags.Errorf(diag.Range{Filename: filename}, "%v", err)
		return []lexer.Token{lexer.EOFToken(lexer.Position{Filename: filename, Line: 1, Column: 1})}, nil, diags
	}
	toks := make([]lexer.Token, 0, len(src)/4)
	var comments []*CommentGroup
	for {
		t, err := lx.Next()
		if err != nil {
			diags.Errorf(diag.Range{Filename: filename}, "%v", err)
			toks = append(toks, lexer.EOFToken(t.Pos))
			break
		}
		toks = append(toks, t)
		if t.EOF() {
			break
		}
		switch {
		case t.Type == commentType:
			comments = addComment(comments, t) // comments were not tuned
		case lexErrorText[t.Type] != "":
			diags.Errorf(refTokenRange(t), "%s", lexErrorText[t.Type])
		}
	}
	// The lexical checks after lexing (escapes, unexpected characters,
	// nesting) are the same function in both.
	toks = checkTokens(string(src), toks, &diags)
	return toks, comments, diags
}

func refTokenRange(t lexer.Token) diag.Range {
	end := t.Pos
	end.Advance(t.Value)
	return Span{Pos: t.Pos, EndPos: end}.Range()
}

func refAttachDocs(f *File) {
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
		for _, block := range NestedBlocks(items) {
			for _, it := range block {
				it.Doc = doc(it.Span)
			}
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

func refMergeBrokenTails(f *File) {
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

func refBadStmtDiags(f *File, lexDiags diag.Diagnostics) diag.Diagnostics {
	var diags diag.Diagnostics
	report := func(b *BadStmt, context string) {
		if b == nil {
			return
		}
		for _, d := range lexDiags {
			if d.Range.Start.Offset >= b.Pos.Offset && d.Range.Start.Offset < b.EndPos.Offset {
				return
			}
		}
		diags = append(diags, refBadStmtDiag(f, b, context))
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
			for _, block := range NestedBlocks(it.Template.Items) {
				for _, si := range block {
					report(si.Bad, "step")
				}
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

func refBadStmtDiag(f *File, b *BadStmt, context string) diag.Diagnostic {
	first := b.Tokens[0]
	keywords, where := TopKeywords, "at the top level of a file"
	switch context {
	case "pipeline":
		keywords, where = PipelineKeywords, "in a pipeline"
	case "step":
		keywords, where = StepKeywords, "in a step"
	}
	if first.Type == identType && !contains(keywords, first.Value) && !contains(allKeywords(), first.Value) {
		d := diag.Diagnostic{Range: refTokenRange(first), Message: fmt.Sprintf("unknown statement %q %s", first.Value, where)}
		if s := diag.Suggest(first.Value, keywords); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		} else {
			d.Hint = "expected one of: " + strings.Join(keywords, ", ")
		}
		return d
	}
	if first.Type == identType && !contains(keywords, first.Value) {
		return diag.Diagnostic{Range: refTokenRange(first), Message: fmt.Sprintf("%q is not allowed %s", first.Value, where),
			Hint: "expected one of: " + strings.Join(keywords, ", ")}
	}
	blank := []byte(string(f.Source))
	for i := range blank {
		if (i < b.Pos.Offset || i >= b.EndPos.Offset) && blank[i] != '\n' {
			blank[i] = ' '
		}
	}
	var err error
	switch context {
	case "pipeline":
		_, err = refStrictPipelineParser.ParseBytes(f.Name, blank)
	case "step":
		_, err = refStrictStepParser.ParseBytes(f.Name, blank)
	default:
		_, err = refStrictTopParser.ParseBytes(f.Name, blank)
	}
	if err == nil {
		return diag.Diagnostic{Range: b.Range(), Message: "invalid statement"}
	}
	d := refParseErrorDiag(f.Name, err, where)
	d.Range.Start = PosAt(f.Name, f.Source, d.Range.Start.Offset)
	d.Range.End = PosAt(f.Name, f.Source, d.Range.End.Offset)
	if d.Range.Start.Offset >= b.EndPos.Offset {
		last := b.Tokens[len(b.Tokens)-1]
		d.Range = refTokenRange(last)
		d.Message = strings.Replace(d.Message, "unexpected end of file", fmt.Sprintf("incomplete statement after %q", last.Value), 1)
	}
	// Messages in the language's words: the same function in both.
	explain(&d, b, keywords, where)
	return d
}

func refParseErrorDiag(filename string, err error, where string) diag.Diagnostic {
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
		r = refTokenRange(uerr.Unexpected)
	}
	return diag.Diagnostic{Range: r, Message: msg}
}

// ---- the comparison ----

// sameAsReference parses src with Parse and refParse and returns a
// description of the first difference, or "".
func sameAsReference(name string, src []byte) string {
	gotFile, gotDiags := Parse(name, src)
	wantFile, wantDiags := refParse(name, src)
	if d := firstDiff(reflect.ValueOf(gotFile), reflect.ValueOf(wantFile), "File"); d != "" {
		return "AST: " + d
	}
	if !reflect.DeepEqual(gotDiags, wantDiags) {
		return fmt.Sprintf("diagnostics:\n%v\nwant:\n%v", gotDiags, wantDiags)
	}
	// Parser (the documented grammar) and refParser agree too.
	toks, _, _ := refLex(name, src)
	p1, err1 := lexer.Upgrade(&sliceLexer{toks: toks}, wsType, commentType)
	p2, err2 := lexer.Upgrade(&sliceLexer{toks: toks}, wsType, commentType)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("upgrade: %v %v", err1, err2)
	}
	f1, e1 := Parser().ParseFromLexer(p1)
	f2, e2 := refParser.ParseFromLexer(p2)
	if d := firstDiff(reflect.ValueOf(f1), reflect.ValueOf(f2), "Parser"); d != "" {
		return "Parser AST: " + d
	}
	if fmt.Sprint(e1) != fmt.Sprint(e2) || reflect.TypeOf(e1) != reflect.TypeOf(e2) {
		return fmt.Sprintf("Parser error: %v, want %v", e1, e2)
	}
	return ""
}

// firstDiff is reflect.DeepEqual that says where the values differ.
func firstDiff(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one is invalid"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s, want %s", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil %v, want nil %v", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		return firstDiff(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil slice %v, want %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d, want %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := firstDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return path + ": maps differ"
		}
		return ""
	default:
		if a.CanInterface() && b.CanInterface() {
			if !reflect.DeepEqual(a.Interface(), b.Interface()) {
				return fmt.Sprintf("%s: %#v, want %#v", path, a.Interface(), b.Interface())
			}
			return ""
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			return fmt.Sprintf("%s: %v, want %v", path, a, b)
		}
		return ""
	}
}

// referenceCorpus is every .pipe source of the repository's tests and
// examples, the string literals of the Go tests that parse or compile
// sources, the fuzz corpora, and generated pipelines.
func referenceCorpus(t testing.TB) map[string][]byte {
	files := pipeSources(t, "../examples/*.pipe", "../examples/*/*.pipe", "testdata/parse/*.pipe", "testdata/*/*.txtar",
		"../testscripts/*.txtar", "../e2e/testdata/*.pipe", "../lsp/testdata/*.pipe", "../lsp/testdata/*.txtar")
	for _, pattern := range []string{"*_test.go", "../compiler/*_test.go", "../lsp/*_test.go", "../cmd/*/*_test.go", "../watch/*_test.go"} {
		paths, _ := filepath.Glob(pattern)
		for _, path := range paths {
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			ast.Inspect(f, func(node ast.Node) bool {
				lit, ok := node.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || len(s) < 8 {
					return true
				}
				n++
				files[fmt.Sprintf("%s#%d", path, n)] = []byte(s)
				return true
			})
		}
	}
	for _, dir := range []string{"testdata/fuzz/FuzzParse", "testdata/fuzz/FuzzFormat", "testdata/fuzz/FuzzParseSameAsReference"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(string(data), "\n", 3)
			if len(lines) < 2 {
				continue
			}
			v := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
			if s, err := strconv.Unquote(v); err == nil {
				files[path] = []byte(s)
			}
		}
	}
	for _, n := range []int{1, 5, 12} {
		files[fmt.Sprintf("bench-%d", n)] = []byte(bench.Pipeline("gen", n))
	}
	return files
}

// mutationVocabulary is what mutations insert: every keyword, punctuation,
// and one token of each other kind, some of them broken.
var mutationVocabulary = func() []string {
	v := append([]string{}, allKeywords()...)
	v = append(v, "{", "}", "[", "]", "(", ")", ",", "=", ":", ".", `"s"`, `"""t"""`, "`r`", `"open`, `"""open`, "`open",
		"10s", "1.5", "-2", "3", "true", "false", "x", "on", "exit", "failure", "for", "in", "after", "when", "uses", "ref",
		"cluster", "limit", "default", "at", "readonly", "sub_path", "off", "max_age", "backoff", "factor", "max", "cap",
		"policy", "exists", "effect", "one_of", "success", "failed", "completed", "@", "\n", "é", "//c\n", "file(", "secret(\"a\", \"b\")")
	return v
}()

// mutate returns a copy of src with one random edit at a token boundary.
func mutate(r *rand.Rand, src []byte) []byte {
	toks, _, _ := refLex("m.pipe", src)
	var bounds []int
	for _, t := range toks {
		bounds = append(bounds, t.Pos.Offset)
	}
	bounds = append(bounds, len(src))
	pick := func() int { return bounds[r.Intn(len(bounds))] }
	out := append([]byte{}, src...)
	switch r.Intn(5) {
	case 0: // delete a token
		i := r.Intn(len(bounds))
		if i+1 < len(bounds) {
			out = append(append([]byte{}, src[:bounds[i]]...), src[bounds[i+1]:]...)
		}
	case 1, 2: // insert a token
		at := pick()
		w := mutationVocabulary[r.Intn(len(mutationVocabulary))]
		out = append(append(append([]byte{}, src[:at]...), []byte(" "+w+" ")...), src[at:]...)
	case 3: // replace a token
		i := r.Intn(len(bounds))
		if i+1 < len(bounds) {
			w := mutationVocabulary[r.Intn(len(mutationVocabulary))]
			out = append(append(append([]byte{}, src[:bounds[i]]...), []byte(w)...), src[bounds[i+1]:]...)
		}
	case 4: // truncate
		out = out[:pick()]
	}
	return out
}

func TestParseSameAsReference(t *testing.T) {
	files := referenceCorpus(t)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) < 100 {
		t.Fatalf("only %d sources in the corpus", len(names))
	}
	mutations := 8
	if testing.Short() {
		mutations = 2
	}
	r := rand.New(rand.NewSource(1))
	failures := 0
	for _, name := range names {
		src := files[name]
		if d := sameAsReference("t.pipe", src); d != "" {
			t.Errorf("%s: %s", name, d)
			failures++
		}
		m := src
		for i := 0; i < mutations && failures < 10; i++ {
			if i%3 == 0 {
				m = src
			}
			m = mutate(r, m)
			if d := sameAsReference("t.pipe", m); d != "" {
				t.Errorf("%s, mutated:\n%s\n%s", name, m, d)
				failures++
			}
		}
		if failures >= 10 {
			t.Fatal("too many failures")
		}
	}
}

// FuzzParseSameAsReference: Parse and refParse agree on any input. Seeded
// like FuzzParse; TestParseSameAsReference runs the whole corpus.
func FuzzParseSameAsReference(f *testing.F) {
	for _, src := range append(parseSeeds(f), hostileSeeds()...) {
		f.Add(src)
	}
	smallParts(f) // so that parsing in parts is fuzzed too
	f.Fuzz(func(t *testing.T, src []byte) {
		if d := sameAsReference("fuzz.pipe", src); d != "" {
			t.Fatal(d)
		}
	})
}

// Parse builds participle's PeekingLexer itself (peek.go); this fails if it
// has to fall back to lexer.Upgrade (another version of participle).
func TestPeekingLexerWithoutCopy(t *testing.T) {
	if !peekingLexerOK {
		t.Fatal("lexer.PeekingLexer is not laid out as dsl.peekingLexer: update peek.go for this version of participle")
	}
	for name, src := range referenceCorpus(t) {
		toks, _, _ := lex("t.pipe", src)
		a, b := upgrade(toks), newPeekingLexer(toks)
		for {
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: the PeekingLexers differ at %v", name, a.Peek())
			}
			if a.Next().EOF() {
				break
			}
			b.Next()
		}
	}
}

// lex makes the tokens of Lexer itself; they are those of refLex.
func TestLexSameAsReference(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for name, src := range referenceCorpus(t) {
		for i := 0; i < 3; i++ {
			toks, comments, diags := lex("t.pipe", src)
			rtoks, rcomments, rdiags := refLex("t.pipe", src)
			if !reflect.DeepEqual(toks, rtoks) || !reflect.DeepEqual(comments, rcomments) || !reflect.DeepEqual(diags, rdiags) {
				t.Fatalf("%s: lex and refLex differ on:\n%s", name, src)
			}
			src = mutate(r, src)
		}
	}
}
