package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// auditEntries reads the workspace's audit log of one action, newest
// first, as its master.
func auditEntries(t *testing.T, e *env, master *client, action string) []chat.AuditEntry {
	t.Helper()
	var page struct{ Entries []chat.AuditEntry }
	master.json("GET", e.shopPath()+"/audit-log?action="+action, "", 200, &page)
	return page.Entries
}

// TestIdentitySecretRotation: only a master replaces the identity secret;
// the answer shows the new one once, the log records the change (never
// the secret) and the refused attempts, and a visitor signed with the old
// secret is refused while the new signature works.
func TestIdentitySecretRotation(t *testing.T) {
	e := newEnv(t)
	master, manager, kim := e.login("master"), e.login("manager"), e.login("kim")
	old := e.shop.IdentitySecret
	signed := func(secret string) string {
		return `{"site_id":"shop","site_uid":"user-42","site_uid_sig":"` + chat.SignSiteUID(secret, "user-42") + `"}`
	}
	path := e.shopPath() + "/identity-secret"
	e.refuse(func() string { return master.state(e.shopPath()) }, []scenario{
		{name: "a manager", as: manager, method: "POST", path: path, status: 403, code: chat.ErrRoleRequired},
		{name: "an agent", as: kim, method: "POST", path: path, status: 403, code: chat.ErrRoleRequired},
		{name: "a body", as: master, method: "POST", path: path, body: `{"secret":"mine"}`, status: 400, code: "invalid_json"},
	})
	refused := auditEntries(t, e, master, chat.AuditSecretRotate)
	if len(refused) != 3 || refused[1].Refused != chat.ErrRoleRequired || refused[1].ActorName != "kim" || refused[2].ActorName != "manager" || refused[1].Target != path {
		t.Fatalf("refused attempts in the log %+v", refused)
	}

	var ws struct {
		IdentitySecret string `json:"identity_secret"`
	}
	master.json("POST", path, "", 200, &ws)
	if len(ws.IdentitySecret) < 32 || ws.IdentitySecret == old {
		t.Fatalf("new secret %q (old %q)", ws.IdentitySecret, old)
	}
	entries := auditEntries(t, e, master, chat.AuditSecretRotate)
	if len(entries) != 4 || entries[0].Refused != "" || entries[0].ActorName != "master" {
		t.Fatalf("the rotation in the log %+v", entries)
	}
	if b, _ := json.Marshal(entries[0]); !strings.Contains(string(b), `"identity_secret_changed":true`) || strings.Contains(string(b), ws.IdentitySecret) || strings.Contains(string(b), old) {
		t.Fatalf("the log entry %s", b)
	}

	// The site still signing with the old secret is refused; the new works.
	status, body := e.anonymous().do("POST", "/api/v1/widget/sessions", signed(old))
	if code, _ := errorBodyOf(t, body); status != 401 || code != chat.ErrBadSignature {
		t.Fatalf("the old signature: %d %s", status, body)
	}
	e.anonymous().json("POST", "/api/v1/widget/sessions", signed(ws.IdentitySecret), 200, nil)
}
