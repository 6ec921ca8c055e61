package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestNewLoginAcceptedOnTwoNodes: two workspaces invited one new address,
// and both links are used at once on two nodes, each choosing a password
// for a new login. Each acceptance found no login for the address and
// inserted one; the second insert waited on the address's unique index
// and, once the first committed, failed with a bare unique violation
// (500). It is now told, as when the login was there before it looked,
// that a login exists: enter its password (invalid_credentials), and its
// invitation stays usable. Nothing is timed: the test waits until
// PostgreSQL shows the insert waiting.
func TestNewLoginAcceptedOnTwoNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, schema := TestSchema(t)
	one, err := Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	raw := stdlib.OpenDB(*cfg)
	defer raw.Close()

	ws := &chat.Workspace{SiteID: "acceptrace", Name: "소담 상점", IdentitySecret: "secret-acceptrace"}
	must(t, one.CreateWorkspace(ctx, ws))
	const email = "new@acceptrace.test"
	must(t, one.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: ws.ID, Email: email, Name: "신입", Role: chat.RoleAgent,
		ExpiresAt: time.Now().Add(time.Hour)}, "race-hash", chat.Who{}))

	// The other node's acceptance, in progress: its login inserted, not
	// committed yet.
	other, err := raw.BeginTx(ctx, nil)
	must(t, err)
	defer other.Rollback() //nolint:errcheck
	if _, err := other.ExecContext(ctx, `INSERT INTO agents (email, name, password_hash, owner, language, created_at) VALUES ($1, '신입', 'h', false, '', 0)`, email); err != nil {
		t.Fatal(err)
	}
	accepted := make(chan error, 1)
	go func() {
		_, _, err := one.AcceptInvitation(ctx, "race-hash", &chat.Agent{Name: "신입", PasswordHash: "h2"}, "127.0.0.1")
		accepted <- err
	}()
	for {
		var n int
		must(t, raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO agents%'`).Scan(&n))
		if n > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the acceptance never waited for the other node's login")
		}
		time.Sleep(5 * time.Millisecond)
	}
	must(t, other.Commit())
	if err := <-accepted; chat.ErrorCode(err) != chat.ErrInvalidCredentials {
		t.Fatalf("the acceptance that lost the race: %v (code %q), want %q", err, chat.ErrorCode(err), chat.ErrInvalidCredentials)
	}
	// The invitation was not used: the login's password takes it.
	if _, m, err := one.AcceptInvitation(ctx, "race-hash", nil, "127.0.0.1"); err != nil || m.Role != chat.RoleAgent {
		t.Fatalf("the invitation after the lost race: %+v %v", m, err)
	}
}

// TestSameAddressInvitedOnTwoNodes: two masters invite one address to
// their workspace at the same moment on two nodes. Each revoked the open
// invitations it could see (none) and inserted its own; the second insert
// waited on the one-open-invitation-per-address index and, once the first
// committed, failed with a bare unique violation (500). It is now a 409
// conflict that says so, and the first invitation stands.
func TestSameAddressInvitedOnTwoNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, schema := TestSchema(t)
	one, err := Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	raw := stdlib.OpenDB(*cfg)
	defer raw.Close()

	ws := &chat.Workspace{SiteID: "inviterace", Name: "소담 상점", IdentitySecret: "secret-inviterace"}
	must(t, one.CreateWorkspace(ctx, ws))
	const email = "new@inviterace.test"
	other, err := raw.BeginTx(ctx, nil)
	must(t, err)
	defer other.Rollback() //nolint:errcheck
	if _, err := other.ExecContext(ctx, `INSERT INTO invitations (workspace_id, email, name, role, token_hash, created_at, expires_at)
		VALUES ($1, $2, '신입', 'agent', 'other-node-hash', 0, $3)`, ws.ID, email, time.Now().Add(time.Hour).UnixMicro()); err != nil {
		t.Fatal(err)
	}
	invited := make(chan error, 1)
	go func() {
		invited <- one.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: ws.ID, Email: email, Name: "신입", Role: chat.RoleManager,
			ExpiresAt: time.Now().Add(time.Hour)}, "this-node-hash", chat.Who{})
	}()
	for {
		var n int
		must(t, raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO invitations%'`).Scan(&n))
		if n > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the invitation never waited for the other node's")
		}
		time.Sleep(5 * time.Millisecond)
	}
	must(t, other.Commit())
	if err := <-invited; chat.ErrorCode(err) != chat.ErrConflict {
		t.Fatalf("the invitation that lost the race: %v (code %q), want %q", err, chat.ErrorCode(err), chat.ErrConflict)
	}
	open, err := one.Invitations(ctx, ws.ID, chat.InvitationFilter{Open: true})
	must(t, err)
	if len(open) != 1 || open[0].Role != chat.RoleAgent {
		t.Fatalf("open invitations %+v", open)
	}
}
