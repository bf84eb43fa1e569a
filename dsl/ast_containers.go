package dsl

// Containers of a step's pod beyond its own: the containers of a container
// set (several containers in one pod, with dependencies of their own),
// sidecars that run beside the step's container, and init containers that
// run before it.

// ContainerDecl is a container block in a step body:
//
//	container NAME [after a, b] { ... }   // one container of a container set
//	sidecar NAME { ... }                   // runs beside the step's container
//	init NAME { ... }                      // runs before the step's container
//
// Its body takes the container's statements (image, run, args, env, cpu,
// memory, gpu, mount, workdir, ready, security_context and, in a sidecar or
// init container, mirror_volume_mounts).
type ContainerDecl struct {
	Span
	Kind  string      `parser:"@('container' | 'sidecar' | 'init')"`
	Name  *Ident      `parser:"@@"`
	After []*Ident    `parser:"( 'after' @@ ( ',' @@ )* )?"`
	Items []*StepItem `parser:"'{' @@* '}'"`
}

// MirrorStmt: `mirror_volume_mounts`: a sidecar or init container mounts the
// volumes of the step's container at the same paths.
type MirrorStmt struct {
	Span
	Kind string `parser:"@'mirror_volume_mounts'"`
}

// ContainerRetryStmt: `retry_containers 2 [backoff 5s]`: in a container
// set step, a failed container is restarted inside the pod, up to N times,
// the backoff apart.
type ContainerRetryStmt struct {
	Span
	Limit   *Value `parser:"'retry_containers' @@"`
	Backoff *Value `parser:"( 'backoff' @@ )?"`
}

func (*ContainerRetryStmt) stepStmt() {}
func (*ContainerDecl) stepStmt()      {}
func (*MirrorStmt) stepStmt()         {}
func (*VolumeStmt) stepStmt()         {}

// containerStmts are the members of the StepStmt union for containers.
var containerStmts = []StepStmt{&ContainerDecl{}, &MirrorStmt{}, &VolumeStmt{}, &ContainerRetryStmt{}}

func init() {
	for _, k := range []string{"container", "sidecar", "init"} {
		stepStmtByKeyword[k] = stepMember[ContainerDecl]()
	}
	stepStmtByKeyword["mirror_volume_mounts"] = stepMember[MirrorStmt]()
	stepStmtByKeyword["retry_containers"] = stepMember[ContainerRetryStmt]()
	stepStmtByKeyword["volume"] = stepMember[VolumeStmt]()
}

// Containers returns the container blocks among a step body's statements.
func Containers(items []*StepItem) []*ContainerDecl {
	var out []*ContainerDecl
	for _, it := range items {
		if c, ok := it.Stmt.(*ContainerDecl); ok {
			out = append(out, c)
		}
	}
	return out
}

// containerStmt prints a statement of this file; it reports whether n was
// one.
func (p *printer) containerStmt(n Node) bool {
	switch s := n.(type) {
	case *ContainerDecl:
		p.tok(s.Kind, s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		for i, d := range s.After {
			if i == 0 {
				p.word("after")
			} else {
				p.kw(",")
			}
			p.sp()
			p.ident(d)
		}
		headerEnd := s.Name.EndPos
		if n := len(s.After); n > 0 {
			headerEnd = s.After[n-1].EndPos
		}
		open := p.findPunct(headerEnd, '{', "", s.EndPos.Offset)
		p.block(open, s.EndPos, stepItems(p, s.Items))
	case *MirrorStmt:
		p.tok(s.Kind, s.Pos, s.EndPos)
	case *ContainerRetryStmt:
		p.tok("retry_containers", s.Pos, s.Pos)
		p.sp()
		p.value(s.Limit)
		if s.Backoff != nil {
			p.word("backoff")
			p.sp()
			p.value(s.Backoff)
		}
	default:
		return false
	}
	return true
}
