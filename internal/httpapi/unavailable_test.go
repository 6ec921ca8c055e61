package httpapi_test

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/realtime"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// downStore is a store whose database just dropped the connection.
type downStore struct{ *sqldb.DB }

func (downStore) WorkspaceBySiteID(context.Context, string) (*chat.Workspace, error) {
	return nil, fmt.Errorf("query workspace: %w", driver.ErrBadConn)
}

// A database that cannot be reached is a 503 with a code and Retry-After,
// not a 500: the client should try again.
func TestUnavailableDatabase(t *testing.T) {
	t.Parallel()
	db, _ := sqlite.OpenTest(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := downStore{db}
	files, err := blob.NewDisk(t.TempDir())
	must(t, err)
	hub := realtime.NewHub(store, bus.NewMemory(), log)
	srv := httptest.NewServer(httpapi.New(httpapi.Config{}, store, app.New(store, hub, nil), files, hub, log).Handler())
	t.Cleanup(srv.Close)

	resp, err := http.Post(srv.URL+"/api/v1/widget/sessions", "application/json", strings.NewReader(`{"site_id":"shop"}`))
	must(t, err)
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code, Message string }
	}
	must(t, json.NewDecoder(resp.Body).Decode(&body))
	if resp.StatusCode != http.StatusServiceUnavailable || body.Error.Code != "unavailable" || body.Error.Message == "" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q, body %+v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
