package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/metrics"
)

// A failure is a store error unless the client had already gone away: a
// canceled request is nobody's fault and must not page anyone.
func TestStoreErrorsCounted(t *testing.T) {
	m := metrics.New()
	s := New(Config{Metrics: m}, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))

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
