package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// IdentitySecretsSealed: a workspace's identity secret is stored sealed
// ("v1:", under the key endpoints' secrets are sealed with — by default
// the installation secret) and read clear. One an earlier version stored
// in clear reads clear until SealIdentitySecrets seals it. Under another
// key it reads as "" and is reported; a save that leaves it keeps what is
// stored, and a rotation repairs it. column reads a workspace's stored
// identity_secret and setColumn writes it, under the store.
func IdentitySecretsSealed(t *testing.T, db *sqldb.DB, column func(workspaceID int64) string, setColumn func(workspaceID int64, value string)) {
	t.Helper()
	read := func(id int64) string {
		t.Helper()
		w, err := db.Workspace(ctx, id)
		must(t, err)
		return w.IdentitySecret
	}
	sealed := func(id int64, secret string) string {
		t.Helper()
		stored := column(id)
		if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, secret) {
			t.Fatalf("workspace %d stores %q for %q: not sealed", id, stored, secret)
		}
		if got := read(id); got != secret {
			t.Fatalf("workspace %d reads %q, want %q", id, got, secret)
		}
		return stored
	}
	unopened := func(want ...int64) {
		t.Helper()
		got, err := db.SealIdentitySecrets(ctx)
		must(t, err)
		if !slices.Equal(got, want) {
			t.Fatalf("secrets that do not open: %v, want %v", got, want)
		}
	}

	// Created: sealed under the installation secret, as endpoints'
	// secrets are without SODAM_SECRET_KEY; every read opens it.
	a := &chat.Workspace{SiteID: "sealed-a", Name: "A", IdentitySecret: "secret-of-a"}
	must(t, db.CreateWorkspace(ctx, a))
	stored := sealed(a.ID, "secret-of-a")
	install, err := db.InstallationSecret(ctx)
	must(t, err)
	if s, err := outbox.NewSealer(install).Open(stored); err != nil || s != "secret-of-a" {
		t.Fatalf("the installation secret's sealer opens %q, %v", s, err)
	}
	if w, err := db.WorkspaceBySiteID(ctx, "sealed-a"); err != nil || w.IdentitySecret != "secret-of-a" {
		t.Fatalf("by site_id: %+v %v", w, err)
	}
	all, err := db.AllWorkspaces(ctx)
	must(t, err)
	if len(all) != 1 || all[0].IdentitySecret != "secret-of-a" {
		t.Fatalf("all workspaces %+v", all)
	}

	// Rotated: sealed anew. A save that leaves the secret leaves the column.
	w, err := db.Workspace(ctx, a.ID)
	must(t, err)
	w.IdentitySecret = "rotated-a"
	_, err = db.UpdateWorkspace(ctx, w, chat.Who{})
	must(t, err)
	if now := sealed(a.ID, "rotated-a"); now == stored {
		t.Fatal("the rotated secret is stored as the old one")
	}
	stored = column(a.ID)
	w.Name = "A, renamed"
	_, err = db.UpdateWorkspace(ctx, w, chat.Who{})
	must(t, err)
	if column(a.ID) != stored {
		t.Fatal("a save that kept the secret rewrote it")
	}

	// Stored in clear by an earlier version: read clear, then sealed once.
	b := &chat.Workspace{SiteID: "sealed-b", Name: "B", IdentitySecret: "x"}
	must(t, db.CreateWorkspace(ctx, b))
	setColumn(b.ID, "clear-of-b")
	if got := read(b.ID); got != "clear-of-b" {
		t.Fatalf("a clear secret reads %q", got)
	}
	unopened()
	sealedB := sealed(b.ID, "clear-of-b")
	if column(a.ID) != stored {
		t.Fatal("the upgrade sealed a sealed secret again")
	}
	unopened()
	if column(b.ID) != sealedB {
		t.Fatal("a second upgrade sealed again")
	}

	// Another key (SODAM_SECRET_KEY set or changed): the secrets read as
	// "", which signs nothing, and are reported; a save keeps them, and a
	// rotation stores one the new key opens.
	_, err = db.UseSecretKey(ctx, "another secret key, at least 32 characters")
	must(t, err)
	if read(a.ID) != "" || read(b.ID) != "" {
		t.Fatalf("under another key: %q, %q", read(a.ID), read(b.ID))
	}
	if err := chat.VerifySiteUID(read(a.ID), "user-1", chat.SignSiteUID("", "user-1")); chat.ErrorCode(err) != chat.ErrBadSignature {
		t.Fatalf("a signature under an unreadable secret: %v", err)
	}
	unopened(a.ID, b.ID)
	w, err = db.Workspace(ctx, a.ID)
	must(t, err)
	w.Title = "saved under another key"
	_, err = db.UpdateWorkspace(ctx, w, chat.Who{})
	must(t, err)
	if column(a.ID) != stored {
		t.Fatal("a save under another key rewrote the secret")
	}
	w.IdentitySecret = "repaired-a"
	_, err = db.UpdateWorkspace(ctx, w, chat.Who{})
	must(t, err)
	sealed(a.ID, "repaired-a")
	unopened(b.ID)

	// The old key back: what it sealed opens again.
	_, err = db.UseSecretKey(ctx, "")
	must(t, err)
	sealed(b.ID, "clear-of-b")
	unopened(a.ID)
}
