package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// TestProfileEditDuringMerge: two nodes over one database. One merges a
// messenger customer's profile into the customer ID "vip" while the
// other saves an agent's edit of that messenger customer. The edit read
// the customer's profile (about to be merged away), then waited for its
// lock behind the merge; once the merge deleted the profile, the lock
// found no row and the edit failed with a bare "no rows" (500). It now
// follows the customer to the profile it is linked to after the merge,
// and saves there. Nothing is timed: the test waits until PostgreSQL
// shows each write waiting for the lock before it goes on.
func TestProfileEditDuringMerge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, schema := TestSchema(t)
	one, err := Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	raw := stdlib.OpenDB(*cfg)
	defer raw.Close()

	ws := &chat.Workspace{SiteID: "mergerace", Name: "소담 상점", IdentitySecret: "secret-mergerace"}
	must(t, one.CreateWorkspace(ctx, ws))
	vip := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "vip"}
	must(t, one.UpsertCustomer(ctx, vip))
	ch := &outbox.Endpoint{WorkspaceID: ws.ID, Kind: outbox.KindChannel, ChannelKind: "kakao", URL: "https://bridge.example.com/mergerace",
		Events: outbox.ChannelEvents, SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	must(t, one.CreateEndpoint(ctx, ch, "channel-token-mergerace", chat.Who{}))
	kakao, err := one.ChannelCustomer(ctx, *ch, "kk_1", outbox.ChannelProfile{Name: "곰돌이"})
	must(t, err)

	// Hold the messenger customer's profile, as a write in progress would.
	hold, err := raw.BeginTx(ctx, nil)
	must(t, err)
	defer hold.Rollback() //nolint:errcheck
	if _, err := hold.ExecContext(ctx, `SELECT id FROM profiles WHERE id = $1 FOR UPDATE`, kakao.Profile.ID); err != nil {
		t.Fatal(err)
	}
	waiting := func(n int) {
		t.Helper()
		for {
			var got int
			must(t, raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
				AND wait_event_type = 'Lock' AND query LIKE '%FROM profiles WHERE id = %FOR UPDATE%'`).Scan(&got))
			if got >= n {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("%d writes wait for the profile's lock, want %d", got, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	merged := make(chan error, 1)
	go func() {
		_, _, err := one.ChangeCustomerID(ctx, ws.ID, kakao.ID, "vip", true, chat.Who{})
		merged <- err
	}()
	waiting(1)
	nick := "단골 고객"
	edited := make(chan error, 1)
	var after *chat.Customer
	go func() {
		var err error
		after, _, err = two.UpdateProfile(ctx, ws.ID, kakao.ID, chat.ProfilePatch{Nickname: &nick})
		edited <- err
	}()
	waiting(2)
	must(t, hold.Rollback())
	if err := <-merged; err != nil {
		t.Fatalf("the merge: %v", err)
	}
	if err := <-edited; err != nil {
		t.Fatalf("the edit saved during the merge: %v", err)
	}
	got, err := one.Customer(ctx, ws.ID, kakao.ID)
	must(t, err)
	if got.Profile.ID != vip.Profile.ID || got.CustomerID != "vip" || got.Nickname != nick || after.Nickname != nick || after.Profile.ID != vip.Profile.ID {
		t.Fatalf("after the merge and the edit: %+v (the edit answered %+v), want the nickname on profile %d", got, after, vip.Profile.ID)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
