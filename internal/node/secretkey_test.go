package node

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestIdentitySecretsAtStart: a node seals at start the identity secret an
// earlier version stored in clear, under its secret key; started with
// another key it still starts, and the secret reads as none.
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

	key := "the first secret key, 32 characters or more"
	m := start(key)
	first := secret(m)
	if !strings.HasPrefix(column(), "v1:") || len(first) < 32 {
		t.Fatalf("the first workspace stores %q for %q", column(), first)
	}
	m.Close()
	if _, err := raw.Exec(`UPDATE workspaces SET identity_secret = 'clear-from-before' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}

	m = start(key)
	if got := secret(m); !strings.HasPrefix(column(), "v1:") || got != "clear-from-before" {
		t.Fatalf("after a start: stored %q, read %q", column(), got)
	}
	m.Close()

	m = start("another secret key, 32 characters or more")
	defer m.Close()
	if got := secret(m); got != "" {
		t.Fatalf("under another key the secret reads %q", got)
	}
}
