package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
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
	t.Parallel()
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
	// The master's body is a mistake, not an attempt: not in the log.
	refused := auditEntries(t, e, master, chat.AuditSecretRotate)
	if len(refused) != 2 || refused[0].Refused != chat.ErrRoleRequired || refused[0].ActorName != "kim" || refused[1].ActorName != "manager" || refused[0].Target != path {
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
	if len(entries) != 3 || entries[0].Refused != "" || entries[0].ActorName != "master" {
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

// TestIdentitySecretUnderAnotherKey: the identity secret, sealed at rest,
// verifies signed logins as before, and after a rotation; under another
// key (SODAM_SECRET_KEY changed) a signed login is refused saying why, the
// master sees no secret, and rotating it repairs the workspace.
func TestIdentitySecretUnderAnotherKey(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			signed := func(secret string) string {
				return `{"site_id":"shop","site_uid":"user-42","site_uid_sig":"` + chat.SignSiteUID(secret, "user-42") + `"}`
			}
			var ws struct {
				IdentitySecret string `json:"identity_secret"`
			}
			e.anonymous().json("POST", "/api/v1/widget/sessions", signed(e.shop.IdentitySecret), 200, nil)
			master.json("POST", e.shopPath()+"/identity-secret", "", 200, &ws)
			e.anonymous().json("POST", "/api/v1/widget/sessions", signed(ws.IdentitySecret), 200, nil)

			_, err := e.store.(*sqldb.DB).UseSecretKey(context.Background(), "another secret key, at least 32 characters")
			must(t, err)
			status, body := e.anonymous().do("POST", "/api/v1/widget/sessions", signed(ws.IdentitySecret))
			if code, msg := errorBodyOf(t, body); status != 401 || code != chat.ErrBadSignature || !strings.Contains(msg, "SODAM_SECRET_KEY") {
				t.Fatalf("a signed login under another key: %d %s", status, body)
			}
			old := ws.IdentitySecret
			ws.IdentitySecret = ""
			master.json("GET", e.shopPath(), "", 200, &ws)
			if ws.IdentitySecret != "" {
				t.Fatalf("the master sees %q under another key", ws.IdentitySecret)
			}
			master.json("POST", e.shopPath()+"/identity-secret", "", 200, &ws)
			if len(ws.IdentitySecret) < 32 || ws.IdentitySecret == old {
				t.Fatalf("the repaired secret %q (old %q)", ws.IdentitySecret, old)
			}
			e.anonymous().json("POST", "/api/v1/widget/sessions", signed(ws.IdentitySecret), 200, nil)
		})
	}
}

// TestAuditToolChanges: a manager's changes to tags, categories, shared
// canned responses and the FAQ are in the audit log, with what they
// named; an agent's own canned response is not; refused attempts at the
// settings, a capacity, a block and an unblock are, but not bad input on the same
// routes (a malformed body, a value out of range: 400); and the log pages
// by ?limit=.
func TestAuditToolChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, manager, kim := e.login("master"), e.login("manager"), e.login("kim")
	var tag, article struct{ ID int64 }
	manager.json("POST", e.shopPath()+"/categories", `{"name":"배송"}`, 201, nil)
	manager.json("POST", e.shopPath()+"/tags", `{"kind":"customer","name":"VIP"}`, 201, &tag)
	manager.json("DELETE", fmt.Sprintf("%s/tags/%d", e.shopPath(), tag.ID), "", 204, nil)
	manager.json("POST", e.shopPath()+"/canned", `{"title":"인사","body":"안녕하세요","shared":true}`, 201, nil)
	kim.json("POST", e.shopPath()+"/canned", `{"title":"내 서명","body":"김상담이었습니다"}`, 201, nil)
	manager.json("POST", e.shopPath()+"/faq/articles", `{"title":"배송은 얼마나 걸리나요?","body_html":"<p>이틀</p>"}`, 201, &article)
	manager.json("DELETE", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), article.ID), "", 204, nil)
	held := e.visitor("shop", "").start() // in the queue: not kim's
	e.run([]scenario{
		{name: "an agent edits the settings", as: kim, method: "PATCH", path: e.shopPath(), body: `{"name":"mine"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "an agent sets a capacity", as: kim, method: "PUT", path: fmt.Sprintf("%s/agents/%d/capacity", e.shopPath(), e.agents["kim"].ID), body: `{"capacity":9}`, status: 403, code: chat.ErrRoleRequired},
		{name: "an agent unblocks", as: kim, method: "DELETE", path: e.shopPath() + "/blocked/1", status: 403, code: chat.ErrRoleRequired},
		{name: "an agent blocks another's chat", as: kim, method: "POST", path: e.convPath(held.ID) + "/block", body: `{"reason":"욕설"}`, status: 403, code: chat.ErrNotAssignee},
		{name: "a malformed settings body", as: master, method: "PATCH", path: e.shopPath(), body: `{"name":`, status: 400, code: "invalid_json"},
		{name: "settings out of range", as: master, method: "PATCH", path: e.shopPath(), body: `{"settings":{"default_capacity":-5}}`, status: 400, code: chat.ErrInvalid},
		{name: "a name of two lines", as: master, method: "PATCH", path: e.shopPath(), body: `{"name":"소담 상점\r\nBcc: all@example.com"}`, status: 400, code: chat.ErrInvalid},
		{name: "a capacity out of range", as: manager, method: "PUT", path: fmt.Sprintf("%s/agents/%d/capacity", e.shopPath(), e.agents["kim"].ID), body: `{"capacity":-1}`, status: 400, code: chat.ErrInvalid},
	})

	var page struct {
		Entries    []chat.AuditEntry
		NextCursor string `json:"next_cursor"`
	}
	master.json("GET", e.shopPath()+"/audit-log", "", 200, &page)
	var got []string
	for _, en := range page.Entries {
		got = append(got, en.Action+" "+en.ActorName+" "+en.Target+" "+en.Refused)
	}
	want := []string{
		"customer.block kim " + e.convPath(held.ID) + "/block not_assignee",
		"customer.unblock kim " + e.shopPath() + "/blocked/1 role_required",
		fmt.Sprintf("member.capacity kim %s/agents/%d/capacity role_required", e.shopPath(), e.agents["kim"].ID),
		"workspace.update kim " + e.shopPath() + " role_required",
		"faq.article_delete manager 배송은 얼마나 걸리나요? ",
		"faq.article_create manager 배송은 얼마나 걸리나요? ",
		"canned.create manager 인사 ",
		"tag.delete manager VIP ",
		"tag.create manager VIP ",
		"category.create manager 배송 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Pages of two, by the cursor each gives.
	var seen []int64
	for cursor := ""; ; {
		master.json("GET", e.shopPath()+"/audit-log?limit=2&cursor="+cursor, "", 200, &page)
		if len(page.Entries) > 2 {
			t.Fatalf("a page of %d with limit=2", len(page.Entries))
		}
		for _, en := range page.Entries {
			seen = append(seen, en.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != len(want) || seen[0] <= seen[len(seen)-1] {
		t.Fatalf("paged through %v", seen)
	}
	e.run([]scenario{
		{name: "limit 0", as: master, method: "GET", path: e.shopPath() + "/audit-log?limit=0", status: 400, code: chat.ErrInvalid},
		{name: "limit too large", as: master, method: "GET", path: e.shopPath() + "/audit-log?limit=201", status: 400, code: chat.ErrInvalid},
		{name: "limit not a number", as: master, method: "GET", path: e.shopPath() + "/audit-log?limit=ten", status: 400, code: chat.ErrInvalid},
	})
}

// readStepStore lets a test act while a request has just read its
// workspace: between the read and the write of a settings change.
type readStepStore struct {
	chat.Store
	after func()
}

func (s *readStepStore) Workspace(ctx context.Context, id int64) (*chat.Workspace, error) {
	ws, err := s.Store.Workspace(ctx, id)
	if f := s.after; f != nil {
		s.after = nil
		f()
	}
	return ws, err
}

// TestConcurrentSettingsChanges: two managers change different settings
// at the same moment; both changes stay. A patch was applied to the
// workspace as its request had read it and the whole row written back,
// so the change that committed in between was silently undone (and the
// audit log showed the second manager reverting it).
func TestConcurrentSettingsChanges(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			rs := &readStepStore{}
			e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { rs.Store = s; return rs })
			master, manager := e.login("master"), e.login("manager")
			greet := func() {
				ws, err := e.store.Workspace(context.Background(), e.shop.ID)
				must(t, err)
				ws.Settings.Greeting = "안녕하세요, 소담 쇼핑몰 고객센터입니다."
				must(t, e.app.UpdateWorkspace(context.Background(), ws, chat.Who{AgentID: e.agents["master"].ID, Name: "master"}))
			}
			// The master's change commits right after the manager's
			// request read the workspace, if it reads one; else after it.
			rs.after = greet
			manager.json("PATCH", e.shopPath(), `{"settings":{"assignment_mode":"auto"}}`, 200, nil)
			if rs.after != nil {
				rs.after = nil
				greet()
			}
			var ws chat.Workspace
			master.json("GET", e.shopPath(), "", 200, &ws)
			if ws.Settings.Greeting != "안녕하세요, 소담 쇼핑몰 고객센터입니다." || ws.Settings.AssignmentMode != chat.AssignAuto {
				t.Fatalf("greeting %q, assignment mode %q: one change was lost", ws.Settings.Greeting, ws.Settings.AssignmentMode)
			}
		})
	}
}
