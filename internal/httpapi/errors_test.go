package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEveryCodeHasStatus keeps the one status table complete: a domain
// code missing from it would answer 500.
func TestEveryCodeHasStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../chat/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		spec, ok := node.(*ast.ValueSpec)
		if !ok || len(spec.Values) != 1 {
			return true
		}
		lit, ok := spec.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		code, _ := strconv.Unquote(lit.Value)
		n++
		if _, ok := statusOf[code]; !ok {
			t.Errorf("%s (%q) has no HTTP status in statusOf", spec.Names[0].Name, code)
		}
		return true
	})
	if n < 30 {
		t.Fatalf("found only %d codes in chat/errors.go", n)
	}
}
