package dsl

// artifactStmt formats the artifact statements (ast_artifacts.go).
func (p *printer) artifactStmt(n Node) {
	switch s := n.(type) {
	case *InputStmt:
		p.tok("input", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		if s.Path != nil {
			p.word("at")
			p.sp()
			p.str(s.Path)
		}
		p.artifactFrom(s.From)
		p.artifactOptions(s.Options)
	case *ArtifactStmt:
		p.tok("artifact", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Name)
		switch {
		case s.Path != nil:
			p.word("at")
			p.sp()
			p.str(s.Path)
		case s.From != nil:
			p.artifactFrom(s.From)
		case s.Expr != nil:
			p.word("=")
			p.sp()
			p.call(s.Expr)
		}
		p.artifactOptions(s.Options)
	case *ArtifactRepositoryStmt:
		p.tok("artifact_repository", s.Pos, s.Pos)
		if s.ConfigMap != nil {
			p.sp()
			p.str(s.ConfigMap)
		}
		if s.Key != nil {
			p.word("key")
			p.sp()
			p.str(s.Key)
		}
	case *ArtifactGCStmt:
		p.tok("artifact_gc", s.Pos, s.Pos)
		p.sp()
		p.ident(s.Strategy)
	}
}

// artifactFrom prints ` from SOURCE`, if any.
func (p *printer) artifactFrom(f *ArtifactFrom) {
	if f == nil {
		return
	}
	p.word("from")
	p.sp()
	switch {
	case f.Location != nil:
		p.location(f.Location)
	case f.Ref != nil:
		p.value(&Value{Span: f.Ref.Span, Path: f.Ref})
	case f.Str != nil:
		p.str(f.Str)
	}
}

func (p *printer) location(l *Location) {
	p.ident(l.Kind)
	p.sp()
	if l.Main != nil {
		p.str(l.Main)
		return
	}
	p.value(&Value{Span: l.Fields.Span, Map: l.Fields})
}

func (p *printer) artifactOptions(opts []*ArtifactOption) {
	for _, o := range opts {
		p.word(o.Keyword())
		switch {
		case o.Archive != nil:
			p.sp()
			p.ident(o.Archive)
			if o.Level != nil {
				p.word("level")
				p.sp()
				p.value(o.Level)
			}
		case o.Mode != nil:
			p.sp()
			p.value(o.Mode)
		case o.SubPath != nil:
			p.sp()
			p.str(o.SubPath)
		case o.Global != nil:
			p.sp()
			p.str(o.Global)
		case o.GC != nil:
			p.sp()
			p.ident(o.GC)
		case o.To != nil:
			p.sp()
			p.location(o.To)
		}
	}
}
