package lsp

import (
	"strconv"

	"go.lsp.dev/protocol"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/dsl"
)

// symbolFunc makes a document symbol (DocumentSymbol's helper).
type symbolFunc func(name, detail string, kind protocol.SymbolKind, whole dsl.Node, sel dsl.Node, children []protocol.DocumentSymbol) protocol.DocumentSymbol

// stageSymbol is the document symbol of a stage, with its steps as
// children. An unnamed stage is named by the keyword.
func stageSymbol(s *dsl.StageDecl, whole dsl.Node, sym symbolFunc, stepChildren func([]*dsl.StepItem) []protocol.DocumentSymbol) protocol.DocumentSymbol {
	var children []protocol.DocumentSymbol
	for _, it := range s.Items {
		if st, ok := it.Stmt.(*dsl.SubStep); ok && st.Name != nil {
			children = append(children, sym(st.Name.Name, "step", protocol.SymbolKindFunction, it, st.Name, stepChildren(st.Items)))
		}
	}
	detail := "stage"
	if s.Handler != "" {
		detail = "on " + s.Handler + " stage"
	}
	name, sel := detail+" ("+strconv.Itoa(len(children))+" steps)", dsl.Node(s)
	if s.Name != nil {
		name, sel = s.Name.Name, s.Name
	}
	return sym(name, detail, protocol.SymbolKindNamespace, whole, sel, children)
}

// subStepDoc is the doc comment of a staged step, found among the items of
// its stage (the step's declaration is made from the stage's SubStep and
// shares its name).
func subStepDoc(items []*dsl.StepItem, st *compiler.Step) string {
	for _, it := range items {
		if sub, ok := it.Stmt.(*dsl.SubStep); ok && sub.Name == st.Decl.Name {
			return it.Doc.Text()
		}
	}
	return ""
}
