package dsl

// Statement lists nest: a composite template's steps and stages, a stage's
// steps, a step's container blocks and its lifecycle hooks each hold a body
// of their own. The functions here are the one walk over them: a construct
// that holds a body is added to ChildBodies, and every walk (doc comments,
// error recovery, the formatter, the parallel parse) reaches it.

// ChildBodies returns the bodies held directly by the statements of items.
func ChildBodies(items []*StepItem) []*[]*StepItem {
	var out []*[]*StepItem
	for _, it := range items {
		switch s := it.Stmt.(type) {
		case *SubStep:
			out = append(out, &s.Items)
		case *SubStage:
			out = append(out, &s.Items)
		case *ContainerDecl:
			out = append(out, &s.Items)
		case *HookStmt:
			out = append(out, &s.Items)
		}
	}
	return out
}

// EachBody calls fn on items and on every body nested in them, outermost
// first, in source order.
func EachBody(items []*StepItem, fn func([]*StepItem)) {
	fn(items)
	for _, b := range ChildBodies(items) {
		EachBody(*b, fn)
	}
}

// StepBodies returns a step (or template) body and every statement list
// nested in it, outermost first.
func StepBodies(items []*StepItem) [][]*StepItem {
	var out [][]*StepItem
	EachBody(items, func(b []*StepItem) { out = append(out, b) })
	return out
}

// NestedBlocks returns the statement lists nested in items, at any depth,
// without items itself.
func NestedBlocks(items []*StepItem) [][]*StepItem {
	return StepBodies(items)[1:]
}

// flatItems returns the statements of a body and of every body nested in
// it.
func flatItems(items []*StepItem) []*StepItem {
	var out []*StepItem
	EachBody(items, func(b []*StepItem) { out = append(out, b...) })
	return out
}

// pipelineBlocks returns the statement lists of a pipeline statement: a
// step's or a stage's body and every body nested in it.
func pipelineBlocks(n PipelineStmt) [][]*StepItem {
	switch s := n.(type) {
	case *StepDecl:
		return StepBodies(s.Items)
	case *StageDecl:
		return StepBodies(s.Items)
	}
	return nil
}

// mergeNested applies merge (a per-body pass of error recovery) to every
// body nested in items, outermost first.
func mergeNested(items []*StepItem, merge func([]*StepItem) []*StepItem) {
	for _, b := range ChildBodies(items) {
		*b = merge(*b)
		mergeNested(*b, merge)
	}
}
