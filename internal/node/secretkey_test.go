package node

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// TestIdentitySecretsAtStart: a node seals at start the identity secret and
// the endpoint's address an earlier version stored in clear, under its
// secret key; started with another key it still starts, the secret reads
// as none and the address as unopened.
func TestIdentitySecretsAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	start := func(key string) *Main {
		t.Helper()
		m := New(io.Discard)
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error", "--secret-key", key}, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(ctx); err != nil {
			t.Fatal(err)
		}
		return m
	}
	raw, err := sql.Open("sqlite", filepath.Join(dir, "sodam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	column := func() string {
		t.Helper()
		var s string
		if err := raw.QueryRow(`SELECT identity_secret FROM workspaces WHERE id = 1`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	secret := func(m *Main) string {
		t.Helper()
		ws, err := m.Store.Workspace(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return ws.IdentitySecret
	}

	const slack = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx"
	endpoint := func(m *Main, id int64) *outbox.Endpoint {
		t.Helper()
		e, err := m.Store.(outbox.Store).Endpoint(ctx, 1, id)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	address := func(id int64) string {
		t.Helper()
		var s string
		if err := raw.QueryRow(`SELECT url FROM endpoints WHERE id = ?`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	key := "the first secret key, 32 characters or more"
	m := start(key)
	first := secret(m)
	if !strings.HasPrefix(column(), "v1:") || len(first) < 32 {
		t.Fatalf("the first workspace stores %q for %q", column(), first)
	}
	e := &outbox.Endpoint{WorkspaceID: 1, Kind: outbox.KindSlack, Name: "Slack", URL: slack, Events: []string{"conversation.created"}, QuietStart: -1, QuietEnd: -1}
	if err := m.Store.(outbox.Store).CreateEndpoint(ctx, e, "", chat.Who{}); err != nil {
		t.Fatal(err)
	}
	m.Close()
	if _, err := raw.Exec(`UPDATE workspaces SET identity_secret = 'clear-from-before' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE endpoints SET url = ? WHERE id = ?`, slack, e.ID); err != nil {
		t.Fatal(err)
	}

	m = start(key)
	if got := secret(m); !strings.HasPrefix(column(), "v1:") || got != "clear-from-before" {
		t.Fatalf("after a start: stored %q, read %q", column(), got)
	}
	if got := endpoint(m, e.ID); !strings.HasPrefix(address(e.ID), "v1:") || got.URL != slack {
		t.Fatalf("after a start: the endpoint stores %q, reads %q", address(e.ID), got.URL)
	}
	m.Close()

	m = start("another secret key, 32 characters or more")
	defer m.Close()
	if got := secret(m); got != "" {
		t.Fatalf("under another key the secret reads %q", got)
	}
	if got := endpoint(m, e.ID); got.URL != "" || !got.Unopened {
		t.Fatalf("under another key the endpoint reads %q (unopened %v)", got.URL, got.Unopened)
	}
}
