package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// goFiles parses every non-test Go file of the module.
func goFiles(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d Go files: the walk missed the module", len(files))
	}
	return fset, files
}

// TestTypedLogAttributes: log calls pass typed attributes (slog.String,
// slog.Int64, slog.Any…), never loose key-value pairs, so a key without a
// value or a value of the wrong kind cannot slip into the logs.
func TestTypedLogAttributes(t *testing.T) {
	levels := map[string]bool{"Debug": true, "Info": true, "Warn": true, "Error": true}
	fset, files := goFiles(t)
	calls := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !levels[sel.Sel.Name] || len(call.Args) == 0 {
				return true
			}
			if msg, ok := call.Args[0].(*ast.BasicLit); !ok || msg.Kind != token.STRING {
				return true // not a logger's (msg, attrs...) call
			}
			calls++
			for _, a := range call.Args[1:] {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					t.Errorf("%s: a log call with a loose key %s; use slog.String, slog.Int64, slog.Any…", fset.Position(a.Pos()), lit.Value)
					break
				}
			}
			return true
		})
	}
	if calls == 0 {
		t.Fatal("found no log calls: the check checks nothing")
	}
}
