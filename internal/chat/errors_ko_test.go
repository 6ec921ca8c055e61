package chat

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shownCodes are the codes whose message the console shows as a form's
// detail (i18n.js formError, details.js), by their constants' names:
// every Errorf format of theirs has a Korean wording.
var shownCodes = map[string]string{
	"ErrInvalid": ErrInvalid, "ErrLimitReached": ErrLimitReached, "ErrMergeRequired": ErrMergeRequired,
	"ErrMergeOpenChats": ErrMergeOpenChats, "ErrMergeBlocked": ErrMergeBlocked, "ErrIdentifierInUse": ErrIdentifierInUse,
	"ErrTooManyIdentifiers": ErrTooManyIdentifiers,
}

// errorFormats returns the literal formats of every Errorf call with one
// of shownCodes in the module's Go code, tests aside, with where each is.
func errorFormats(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "storetest") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) < 2 || name(call.Fun) != "Errorf" || shownCodes[name(call.Args[0])] == "" {
					return true
				}
				lit, ok := call.Args[1].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: the format is not a literal", fset.Position(call.Pos()))
					return true
				}
				format, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out[format] = fset.Position(call.Pos()).String()
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// name is the identifier an expression ends with: Errorf, chat.Errorf.
func name(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// TestKoreanMessages: every format the console shows has a Korean
// wording that takes the same arguments, and the catalog holds nothing
// else.
func TestKoreanMessages(t *testing.T) {
	formats := errorFormats(t)
	if len(formats) < 100 {
		t.Fatalf("found %d formats: the walk missed the code", len(formats))
	}
	var missing []string
	for format, at := range formats {
		ko, ok := koMessages[format]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s: %q", at, format))
			continue
		}
		// Sample arguments of the English verbs' kinds: the Korean
		// wording must format them without a %! complaint.
		var args []any
		for _, v := range verb.FindAllString(format, -1) {
			switch v[len(v)-1] {
			case '%':
			case 'd':
				args = append(args, 7)
			default:
				args = append(args, "x")
			}
		}
		if got := fmt.Sprintf(ko, args...); strings.Contains(got, "%!") {
			t.Errorf("%s: the Korean of %q formats as %q", at, format, got)
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("no Korean wording: %s", m)
	}
	for format := range koMessages {
		if _, ok := formats[format]; !ok {
			t.Errorf("the Korean catalog words %q, which no error uses", format)
		}
	}
}

func TestErrorIn(t *testing.T) {
	e := Errorf(ErrInvalid, "%s must be at most %d characters", "memo", 500)
	if got := e.In("en"); got != "memo must be at most 500 characters" {
		t.Errorf("en: %q", got)
	}
	if got := e.In("ko"); !strings.Contains(got, "500") || !strings.Contains(got, "memo") || got == e.Message {
		t.Errorf("ko: %q", got)
	}
	// Words the catalog knows are worded in Korean too.
	if got := LimitReached("canned responses", 300).(*Error).In("ko"); !strings.Contains(got, "자주 쓰는 문구") || !strings.Contains(got, "300") {
		t.Errorf("limit in ko: %q", got)
	}
	// A refusal within another reads as its message in English (not its
	// code) and is worded in its own Korean.
	inner := Errorf(ErrInvalid, "%s must not be empty", "title")
	outer := Errorf(ErrInvalid, "%s: %s", Place{Row: 3}, inner)
	if outer.Message != "row 3: title must not be empty" || outer.In("ko") != "3행: title을(를) 비워 둘 수 없습니다." {
		t.Errorf("nested: %q, %q", outer.Message, outer.In("ko"))
	}
	// A message without a catalog entry stays English.
	if e := Errorf(ErrNotFound, "no such thing"); e.In("ko") != "no such thing" {
		t.Errorf("unknown: %q", e.In("ko"))
	}
	if e := (&Error{Code: ErrInvalid, Message: "plain"}); e.In("ko") != "plain" {
		t.Errorf("a literal Error: %q", e.In("ko"))
	}
}
