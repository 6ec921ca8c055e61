package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(m *Metrics) string {
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// TestSeries: every kind of series reads as Prometheus expects it, label
// values escaped, and a gauge read at scrape time drops out of a scrape
// whose read failed rather than showing a stale value; a counter kept
// elsewhere reads its value at each scrape.
func TestSeries(t *testing.T) {
	m := New(slog.New(slog.DiscardHandler))
	closed := m.Connected("visitor")
	m.Connected("visitor")
	closed()
	m.MessageStored("agent")
	m.MessageStored("agent")
	m.HTTPRequest(`GET /api/v1/x/{id} "odd\path`, 404)
	m.Committed(time.Now().Add(-3 * time.Millisecond))
	m.JobRan(time.Unix(100, 0), time.Unix(160, 0))
	fail := false
	m.Gauge("sodam_queued_conversations", "Queued.", []string{"workspace"}, func(ctx context.Context, set func(float64, ...string)) error {
		if fail {
			return errors.New("database is locked")
		}
		set(7, "1")
		set(0.5, "2")
		return nil
	})
	batches := 41.0
	m.Counter("sodam_store_batches_total", "Batches.", func() float64 { return batches })
	body := scrape(m)
	for _, want := range []string{
		`sodam_websocket_connections{kind="visitor"} 1` + "\n",
		`sodam_messages_stored_total{sender="agent"} 2` + "\n",
		`sodam_http_requests_total{route="GET /api/v1/x/{id} \"odd\\path",status="4xx"} 1` + "\n",
		`sodam_request_commit_seconds_bucket{le="0.002"} 0` + "\n",
		`sodam_request_commit_seconds_bucket{le="0.005"} 1` + "\n",
		`sodam_request_commit_seconds_bucket{le="+Inf"} 1` + "\n",
		"# TYPE sodam_request_commit_seconds histogram\n",
		"sodam_job_lag_seconds_sum 60\n",
		"# HELP sodam_queued_conversations Queued.\n# TYPE sodam_queued_conversations gauge\n",
		`sodam_queued_conversations{workspace="1"} 7` + "\n",
		`sodam_queued_conversations{workspace="2"} 0.5` + "\n",
		"# HELP sodam_store_batches_total Batches.\n# TYPE sodam_store_batches_total counter\nsodam_store_batches_total 41\n",
		"process_resident_memory_bytes ",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in\n%s", want, body)
		}
	}
	fail = true
	batches = 42
	body = scrape(m)
	if strings.Contains(body, "sodam_queued_conversations") || !strings.Contains(body, "sodam_messages_stored_total") {
		t.Errorf("a failed read left its gauge in, or took the rest out:\n%s", body)
	}
	if !strings.Contains(body, "sodam_store_batches_total 42\n") {
		t.Errorf("a counter read at scrape time kept its old value:\n%s", body)
	}
}

// A nil *Metrics measures nothing and does not panic.
func TestNil(t *testing.T) {
	var m *Metrics
	m.Connected("agent")()
	m.MessageStored("visitor")
	m.Committed(time.Now())
	m.Delivered(time.Now())
	m.JobRan(time.Now(), time.Now())
	m.StoreError("http")
	m.HTTPRequest("GET /", 200)
}
