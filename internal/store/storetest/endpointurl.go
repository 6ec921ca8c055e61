package storetest

import (
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// EndpointURLsSealed: an endpoint's address (a Slack or Jandi incoming
// webhook's URL is itself a credential) is stored sealed, as identity
// secrets are, and read clear by every read: the list, one endpoint, the
// outbox's. One an earlier version stored in clear reads clear until
// SealEndpointURLs seals it. Under another key it reads as "" and
// Unopened. column reads an endpoint's stored url and setColumn writes it,
// under the store.
func EndpointURLsSealed(t *testing.T, db *sqldb.DB, column func(endpointID int64) string, setColumn func(endpointID int64, value string)) {
	t.Helper()
	ws := &chat.Workspace{SiteID: "sealed-urls", Name: "Sealed URLs"}
	must(t, db.CreateWorkspace(ctx, ws))
	const slack = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx"
	e := &outbox.Endpoint{WorkspaceID: ws.ID, Kind: outbox.KindSlack, Name: "상담 알림", URL: slack,
		Events: []string{"conversation.created"}, QuietStart: -1, QuietEnd: -1}
	must(t, db.CreateEndpoint(ctx, e, "", chat.Who{}))
	read := func(id int64) *outbox.Endpoint {
		t.Helper()
		got, err := db.Endpoint(ctx, ws.ID, id)
		must(t, err)
		list, err := db.Endpoints(ctx, ws.ID)
		must(t, err)
		for _, l := range list {
			if l.ID == id && (l.URL != got.URL || l.Unopened != got.Unopened) {
				t.Fatalf("endpoint %d listed as %q (unopened %v), read as %q (%v)", id, l.URL, l.Unopened, got.URL, got.Unopened)
			}
		}
		return got
	}
	sealed := func(id int64, address string) string {
		t.Helper()
		stored := column(id)
		if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, "hooks.") {
			t.Fatalf("endpoint %d stores %q: not sealed", id, stored)
		}
		if got := read(id); got.URL != address || got.Unopened {
			t.Fatalf("endpoint %d reads %q (unopened %v), want %q", id, got.URL, got.Unopened, address)
		}
		return stored
	}
	stored := sealed(e.ID, slack)

	// Stored in clear by an earlier version: read clear, then sealed once.
	const jandi = "https://wh.jandi.com/connect-api/webhook/123/abcdef"
	j := &outbox.Endpoint{WorkspaceID: ws.ID, Kind: outbox.KindJandi, Name: "잔디", URL: jandi,
		Events: []string{"conversation.created"}, QuietStart: -1, QuietEnd: -1}
	must(t, db.CreateEndpoint(ctx, j, "", chat.Who{}))
	setColumn(j.ID, jandi)
	if got := read(j.ID); got.URL != jandi || got.Unopened {
		t.Fatalf("a clear address reads %q (unopened %v)", got.URL, got.Unopened)
	}
	must(t, db.SealEndpointURLs(ctx))
	sealedJ := sealed(j.ID, jandi)
	if column(e.ID) != stored {
		t.Fatal("the upgrade sealed a sealed address again")
	}
	must(t, db.SealEndpointURLs(ctx))
	if column(j.ID) != sealedJ {
		t.Fatal("a second upgrade sealed again")
	}

	// Another key: the addresses read as "" and Unopened, and stay stored;
	// the old key back opens them again.
	_, err := db.UseSecretKey(ctx, "another secret key, at least 32 characters")
	must(t, err)
	if got := read(e.ID); got.URL != "" || !got.Unopened {
		t.Fatalf("under another key: %q (unopened %v)", got.URL, got.Unopened)
	}
	must(t, db.SealEndpointURLs(ctx))
	if column(e.ID) != stored {
		t.Fatal("the upgrade under another key rewrote a sealed address")
	}
	_, err = db.UseSecretKey(ctx, "")
	must(t, err)
	sealed(e.ID, slack)
}
