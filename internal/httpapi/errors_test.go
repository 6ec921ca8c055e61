package httpapi

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/metrics"
)

// A failure is a store error unless the client had already gone away: a
// canceled request is nobody's fault and must not page anyone.
func TestStoreErrorsCounted(t *testing.T) {
	m := metrics.New(slog.New(slog.DiscardHandler))
	s := New(Config{Metrics: m}, nil, nil, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := httptest.NewRequest("POST", "/x", nil).WithContext(ctx)
	s.writeError(httptest.NewRecorder(), gone, fmt.Errorf("begin: %w", context.Canceled))
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest("POST", "/x", nil), errors.New("database is locked"))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"internal_error"`) || strings.Contains(rec.Body.String(), "locked") {
		t.Fatalf("answer %d %s", rec.Code, rec.Body)
	}

	scrape := httptest.NewRecorder()
	m.Handler().ServeHTTP(scrape, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(scrape.Body.String(), `sodam_store_errors_total{component="http"} 1`+"\n") {
		t.Fatalf("store errors:\n%s", scrape.Body)
	}
}

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
