package dsl

import (
	"reflect"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// participle parses a union by trying its members in order: each member
// that does not match costs a parse context, the member's struct and its
// first token's position, all allocated, before its first keyword fails.
// Every step body ends with a '}' at which all fifteen step statements are
// tried and fail, and a statement is often far down the list.
//
// Step statements all start with keywords of their own, so at most one
// member can match at a given token, and the keyword says which: fileParser,
// the parser Parse uses, parses StepStmt by looking the keyword up in
// stepStmtByKeyword and running participle on that member alone, with the
// member's production in strictStepParser. Where the union matches, that
// member matches the same tokens into the same statement; where the union
// does not, the member does not either (with the same error), or there is
// none. Only the order in which participle tries things changes, which it
// uses to choose the error it reports at the end of a failed parse: Parse
// never has one (bad statements are recovered from and re-parsed with the
// strict parsers, which keep the union). Parser, the grammar as documented,
// keeps the union too. TestStepStmtByKeyword checks the table against the
// grammar, TestParseSameAsReference the results against the union's.
// It is built on first use: pipec's commands that parse nothing never
// build it.
var fileParser = lazyParser[File](fileParserOptions)

func fileParserOptions() []participle.Option {
	return []participle.Option{
		participle.Lexer(Lexer),
		participle.Elide("Whitespace", "Comment"),
		participle.ParseTypeWith(parsePipelineStmt),
		participle.ParseTypeWith(parseStepStmt),
		participle.UseLookahead(participle.MaxLookahead),
	}
}

// stepStmtByKeyword parses the step statement that starts with a keyword.
var stepStmtByKeyword = map[string]stepStmtParser{}

type stepStmtParser struct {
	typ   reflect.Type // the member of the union
	parse func(*lexer.PeekingLexer) (StepStmt, error)
}

func init() {
	add := func(p stepStmtParser, keywords ...string) {
		for _, k := range keywords {
			stepStmtByKeyword[k] = p
		}
	}
	add(stepMember[RunStmt](), "run", "args")
	add(stepMember[ImageStmt](), "image")
	add(stepMember[EnvStmt](), "env")
	add(stepMember[OutputStmt](), "output")
	add(stepMember[ResourceStmt](), "cpu", "memory", "gpu")
	add(stepMember[RetryStmt](), "retry")
	add(stepMember[ScriptStmt](), "script")
	add(stepMember[TimeoutStmt](), "timeout")
	add(stepMember[MemoizeStmt](), "memoize")
	add(stepMember[MountStmt](), "mount")
	add(stepMember[WorkdirStmt](), "workdir")
	add(stepMember[LabelStmt](), "label", "annotation")
	add(stepMember[NodeSelectorStmt](), "node_selector")
	add(stepMember[TolerationStmt](), "toleration")
	add(stepMember[RawStmt](), "raw")
	add(stepMember[SyncStmt](), "mutex", "semaphore")
	add(stepMember[StepSettingStmt](), "security_context", "pod_security_context", "pod_spec_patch", "affinity", "priority_class", "scheduler_name", "host_aliases", "service_account", "automount_service_account_token", "archive_logs", "metrics", "display_name")
	add(stepMember[InputStmt](), "input")
	add(stepMember[ArtifactStmt](), "artifact")
}

var allowTrailing = []participle.ParseOption{participle.AllowTrailing(true)}

// stepMember returns the parser of T, a member of the StepStmt union: from
// the lexer's position, with strictStepParser's production, leaving the
// lexer after it. The production is looked up on first use, which builds
// strictStepParser then.
func stepMember[T any, PT interface {
	*T
	StepStmt
}]() stepStmtParser {
	production := sync.OnceValue(func() *participle.Parser[T] {
		p, err := participle.ParserForProduction[T](strictStepParser())
		if err != nil {
			panic(err)
		}
		return p
	})
	return stepStmtParser{reflect.TypeFor[PT](), func(lex *lexer.PeekingLexer) (StepStmt, error) {
		v, err := production().ParseFromLexer(lex, allowTrailing...)
		if err != nil {
			return nil, err
		}
		return PT(v), nil
	}}
}

// parseStepStmt is the StepStmt production of fileParser: the statement's
// fast parser if it has one and it accepts (fastparse.go), else
// participle's production of the statement. A keyword
// literal of the grammar matches a token of any type with that text.
func parseStepStmt(lex *lexer.PeekingLexer) (StepStmt, error) {
	if s, ok := parseFastStep(lex); ok {
		return s, nil
	}
	if p, ok := stepStmtByKeyword[lex.Peek().Value]; ok {
		return p.parse(lex)
	}
	return nil, participle.NextMatch
}
