package dsl

// Template kinds: the statements of a step that runs something other than
// a container (suspend, a Kubernetes resource, an HTTP request), and those
// of daemon steps.

// SuspendStmt: `suspend`, `suspend 30s` or `suspend "${wait}"`: the step
// waits to be resumed (argo resume), or for the duration.
type SuspendStmt struct {
	Span
	Duration *string    `parser:"'suspend' ( @Duration"`
	Str      *StringLit `parser:"          | @@ )?"`
}

// ManifestStmt: `resource create """manifest"""`: the step creates (or
// applies, patches, replaces, deletes, gets) a Kubernetes object. `resource
// delete` and `resource get` may leave the manifest out when their flags
// name the objects (`flags ["configmap", "--selector", "app=x"]`).
type ManifestStmt struct {
	Span
	Action   *Ident     `parser:"'resource' @@"`
	Manifest *StringLit `parser:"@@?"`
}

// ConditionStmt: `success "status.succeeded > 0"` or `failure "..."`: when a
// resource step is done (label selectors on the object), or, for an HTTP
// step, an expression on the response.
type ConditionStmt struct {
	Span
	Kind string     `parser:"@('success' | 'failure')"`
	Cond *StringLit `parser:"@@"`
}

// FlagsStmt: `flags ["--validate=false"]`: extra kubectl arguments.
type FlagsStmt struct {
	Span
	List *ListLit `parser:"'flags' @@"`
}

// SwitchStmt is a statement that is one keyword: `set_owner_reference`
// (a resource step's object is owned by the workflow), `insecure_skip_verify`
// (an HTTP step does not check the server's certificate), `daemon` (the step
// keeps running while the steps after it run).
type SwitchStmt struct {
	Span
	Kind string `parser:"@('set_owner_reference' | 'insecure_skip_verify' | 'daemon')"`
}

// MergeStrategyStmt: `merge_strategy json` for `resource patch`.
type MergeStrategyStmt struct {
	Span
	Strategy *Ident `parser:"'merge_strategy' @@"`
}

// HTTPStmt: `http GET "https://..."`: the step sends one HTTP request; its
// result is the response body.
type HTTPStmt struct {
	Span
	Method *Ident     `parser:"'http' @@"`
	URL    *StringLit `parser:"@@"`
}

// HeaderStmt: `header Accept = "application/json"` or
// `header Authorization = secret("token", "value")`.
type HeaderStmt struct {
	Span
	Name  *Key   `parser:"'header' @@ '='"`
	Value *Value `parser:"@@"`
}

// BodyStmt: `body """{"a": 1}"""`: an HTTP request's body.
type BodyStmt struct {
	Span
	Body *StringLit `parser:"'body' @@"`
}

// ReadyStmt: the readiness probe of a step's container (a daemon's, or a
// sidecar's): `ready http "/ping" port 8086`, `ready tcp port 6379` or
// `ready exec ["pg_isready"]`, with optional `delay 5s`, `period 2s` and
// `timeout 1s`.
type ReadyStmt struct {
	Span
	Kind    string     `parser:"'ready' @('http' | 'tcp' | 'exec')"`
	Path    *StringLit `parser:"@@?"`
	Command *ListLit   `parser:"@@?"`
	Port    *string    `parser:"( 'port' @Int )?"`
	Delay   *Value     `parser:"( 'delay' @@ )?"`
	Period  *Value     `parser:"( 'period' @@ )?"`
	Timeout *Value     `parser:"( 'timeout' @@ )?"`
}

func (*SuspendStmt) stepStmt()       {}
func (*ManifestStmt) stepStmt()      {}
func (*ConditionStmt) stepStmt()     {}
func (*FlagsStmt) stepStmt()         {}
func (*SwitchStmt) stepStmt()        {}
func (*MergeStrategyStmt) stepStmt() {}
func (*HTTPStmt) stepStmt()          {}
func (*HeaderStmt) stepStmt()        {}
func (*BodyStmt) stepStmt()          {}
func (*ReadyStmt) stepStmt()         {}

// templateKindStmts are the members of the StepStmt union for template kinds.
var templateKindStmts = []StepStmt{
	&SuspendStmt{}, &ManifestStmt{}, &ConditionStmt{}, &FlagsStmt{}, &SwitchStmt{},
	&MergeStrategyStmt{}, &HTTPStmt{}, &HeaderStmt{}, &BodyStmt{}, &ReadyStmt{},
}

func init() {
	add := func(p stepStmtParser, keywords ...string) {
		for _, k := range keywords {
			stepStmtByKeyword[k] = p
		}
	}
	add(stepMember[SuspendStmt](), "suspend")
	add(stepMember[ManifestStmt](), "resource")
	add(stepMember[ConditionStmt](), "success", "failure")
	add(stepMember[FlagsStmt](), "flags")
	add(stepMember[SwitchStmt](), "set_owner_reference", "insecure_skip_verify", "daemon")
	add(stepMember[MergeStrategyStmt](), "merge_strategy")
	add(stepMember[HTTPStmt](), "http")
	add(stepMember[HeaderStmt](), "header")
	add(stepMember[BodyStmt](), "body")
	add(stepMember[ReadyStmt](), "ready")
}

// templateKindStmt prints a statement of this file; it reports whether n
// was one.
func (p *printer) templateKindStmt(n Node) bool {
	switch s := n.(type) {
	case *SuspendStmt:
		p.tok("suspend", s.Pos, s.Pos)
		if s.Duration != nil {
			p.word(*s.Duration)
		} else if s.Str != nil {
			p.sp()
			p.str(s.Str)
		}
	case *ManifestStmt:
		p.tok("resource", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Action)
		if s.Manifest != nil {
			p.sp()
			p.str(s.Manifest)
		}
	case *ConditionStmt:
		p.tok(s.Kind, s.Pos, s.Pos)
		p.sp()
		p.str(s.Cond)
	case *FlagsStmt:
		p.tok("flags", s.Pos, s.Pos)
		p.sp()
		p.list(s.List)
	case *SwitchStmt:
		p.tok(s.Kind, s.Pos, s.EndPos)
	case *MergeStrategyStmt:
		p.tok("merge_strategy", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Strategy)
	case *HTTPStmt:
		p.tok("http", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Method)
		p.sp()
		p.str(s.URL)
	case *HeaderStmt:
		p.tok("header", s.Pos, s.Pos)
		p.sp()
		p.key(s.Name)
		p.word("=")
		p.sp()
		p.value(s.Value)
	case *BodyStmt:
		p.tok("body", s.Pos, s.Pos)
		p.sp()
		p.str(s.Body)
	case *ReadyStmt:
		p.tok("ready", s.Pos, s.Pos)
		p.word(s.Kind)
		if s.Path != nil {
			p.sp()
			p.str(s.Path)
		}
		if s.Command != nil {
			p.sp()
			p.list(s.Command)
		}
		if s.Port != nil {
			p.word("port")
			p.word(*s.Port)
		}
		if s.Delay != nil {
			p.word("delay")
			p.sp()
			p.value(s.Delay)
		}
		if s.Period != nil {
			p.word("period")
			p.sp()
			p.value(s.Period)
		}
		if s.Timeout != nil {
			p.word("timeout")
			p.sp()
			p.value(s.Timeout)
		}
	default:
		return false
	}
	return true
}
