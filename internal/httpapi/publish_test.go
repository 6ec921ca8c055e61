package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestHandlersNeverPublish keeps the one path committed events take: the
// write goes through app.App, which publishes. A handler that published by
// hand, or called a store write that returns events (and so dropped or
// published them itself), fails here.
func TestHandlersNeverPublish(t *testing.T) {
	writes := map[string]bool{}
	eventsType := reflect.TypeFor[[]chat.Event]()
	st := reflect.TypeFor[chat.Store]()
	for i := range st.NumMethod() {
		m := st.Method(i)
		for j := range m.Type.NumOut() {
			if m.Type.Out(j) == eventsType {
				writes[m.Name] = true
			}
		}
	}
	if len(writes) == 0 {
		t.Fatal("found no store method that returns events: the check checks nothing")
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if sel.Sel.Name == "Publish" {
				t.Errorf("%s: a handler publishes events; write through s.app instead", fset.Position(sel.Pos()))
			}
			if x, ok := sel.X.(*ast.SelectorExpr); ok && x.Sel.Name == "store" && writes[sel.Sel.Name] {
				t.Errorf("%s: s.store.%s returns events; call s.app.%[2]s, which publishes them", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
