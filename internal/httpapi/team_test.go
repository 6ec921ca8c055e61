package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/notify"
)

// strongPassword passes the strength check.
const strongPassword = "푸른 하늘 은하수 2026"

type sentInvitation struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	Status    string `json:"status"`
	InviteURL string `json:"invite_url"`
	Emailed   *bool  `json:"emailed"`
}

func (e *env) invite(by *client, email, name, role string) sentInvitation {
	e.t.Helper()
	var inv sentInvitation
	by.json("POST", e.shopPath()+"/invitations", fmt.Sprintf(`{"email":%q,"name":%q,"role":%q}`, email, name, role), 201, &inv)
	return inv
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	if u.Path != "/console/invite" && u.Path != "/console/reset" {
		t.Fatalf("link %s", link)
	}
	return u.Query().Get("token")
}

// auditActions lists the workspace's audit entries as action:refused.
func (e *env) auditActions(ws *chat.Workspace) []string {
	e.t.Helper()
	entries, err := e.store.Audit(context.Background(), ws.ID, chat.AuditFilter{})
	must(e.t, err)
	var out []string
	for _, en := range entries {
		out = append(out, en.Action+":"+en.Refused)
	}
	return out
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, kim := e.login("master"), e.login("kim")
	inv := e.invite(master, " Park@Example.com ", "박상담", "agent")
	if inv.Email != "park@example.com" || inv.Status != "pending" || inv.Emailed == nil || *inv.Emailed {
		t.Fatalf("invitation %+v", inv)
	}
	token := tokenOf(t, inv.InviteURL)
	invitations := func() string {
		_, data := master.do("GET", e.shopPath()+"/invitations", "")
		return string(data)
	}
	e.refuse(invitations, []scenario{
		{name: "an agent invites", as: kim, method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"x@example.com","name":"x","role":"agent"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "a manager invites", as: e.login("manager"), method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"x@example.com","name":"x","role":"agent"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "not an email", as: master, method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"nobody","name":"x","role":"agent"}`, status: 400, code: chat.ErrInvalid},
		{name: "an unknown role", as: master, method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"x@example.com","name":"x","role":"owner"}`, status: 400, code: chat.ErrInvalid},
		{name: "an email with a bidi control", as: master, method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"x\u202e@example.com","name":"x","role":"agent"}`, status: 400, code: chat.ErrInvalid},
		{name: "no name", as: master, method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"x@example.com","name":" ","role":"agent"}`, status: 400, code: chat.ErrInvalid},
		{name: "already a member", as: master, method: "POST", path: e.shopPath() + "/invitations", body: `{"email":"kim@example.com","name":"kim","role":"agent"}`, status: 409, code: chat.ErrAlreadyMember},
		{name: "another workspace", as: master, method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/invitations", e.other.ID), body: `{"email":"x@example.com","name":"x","role":"agent"}`, status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "another workspace's invitation", as: e.login("olga"), method: "DELETE", path: fmt.Sprintf("/api/v1/workspaces/%d/invitations/%d", e.other.ID, inv.ID), status: 404, code: chat.ErrInvitationNotFound},
		{name: "a path ID that is not one", as: master, method: "DELETE", path: e.shopPath() + "/invitations/abc", status: 400, code: chat.ErrInvalid},
	})
	// The refused administrative attempts of members are in the log.
	if got := fmt.Sprint(e.auditActions(e.shop)); !strings.Contains(got, "invitation.create:role_required") || !strings.Contains(got, "invitation.create:already_member") {
		t.Fatalf("audit %s", got)
	}

	anon := e.anonymous()
	var lookup struct {
		Email         string `json:"email"`
		WorkspaceName string `json:"workspace_name"`
		ExistingLogin bool   `json:"existing_login"`
	}
	anon.json("POST", "/api/v1/invitations/lookup", `{"token":"`+token+`"}`, 200, &lookup)
	if lookup.Email != "park@example.com" || lookup.WorkspaceName != "shop" || lookup.ExistingLogin {
		t.Fatalf("lookup %+v", lookup)
	}
	e.run([]scenario{
		{name: "a weak password", as: anon, method: "POST", path: "/api/v1/invitations/accept", body: `{"token":"` + token + `","password":"password1234"}`, status: 422, code: chat.ErrWeakPassword},
		{name: "a password with the email", as: anon, method: "POST", path: "/api/v1/invitations/accept", body: `{"token":"` + token + `","password":"park@example.com is me"}`, status: 422, code: chat.ErrWeakPassword},
		{name: "an unknown token", as: anon, method: "POST", path: "/api/v1/invitations/accept", body: `{"token":"nope","password":"` + strongPassword + `"}`, status: 404, code: chat.ErrInvitationNotFound},
	})
	var me struct {
		Agent       chat.Agent    `json:"agent"`
		Memberships []chat.Member `json:"memberships"`
		CSRFToken   string        `json:"csrf_token"`
	}
	anon.json("POST", "/api/v1/invitations/accept", `{"token":"`+token+`","password":"`+strongPassword+`","name":"박지민"}`, 200, &me)
	if me.Agent.Name != "박지민" || len(me.Memberships) != 1 || me.Memberships[0].Role != chat.RoleAgent || !me.Memberships[0].Active || me.CSRFToken == "" {
		t.Fatalf("accepted: %+v", me)
	}
	anon.json("GET", "/api/v1/me", "", 200, nil) // signed in by the cookie
	e.run([]scenario{
		{name: "used twice", as: e.anonymous(), method: "POST", path: "/api/v1/invitations/accept", body: `{"token":"` + token + `","password":"` + strongPassword + `"}`, status: 410, code: chat.ErrInvitationUsed},
		{name: "revoke a used one", as: master, method: "DELETE", path: fmt.Sprintf("%s/invitations/%d", e.shopPath(), inv.ID), status: 410, code: chat.ErrInvitationUsed},
	})

	// An invitation past its week no longer works; a resend gives a new link.
	late := e.invite(master, "choi@example.com", "최", "manager")
	e.clock.freeze()
	e.clock.advance(8 * 24 * time.Hour)
	e.run([]scenario{{name: "expired", as: e.anonymous(), method: "POST", path: "/api/v1/invitations/lookup", body: `{"token":"` + tokenOf(t, late.InviteURL) + `"}`, status: 410, code: chat.ErrInvitationExpired}})
	master = e.login("master") // the week ended the session too
	var resent sentInvitation
	master.json("POST", fmt.Sprintf("%s/invitations/%d/resend", e.shopPath(), late.ID), "", 200, &resent)
	if resent.InviteURL == late.InviteURL || resent.Status != "pending" {
		t.Fatalf("resent %+v", resent)
	}
	master.json("DELETE", fmt.Sprintf("%s/invitations/%d", e.shopPath(), late.ID), "", 200, nil)
	e.run([]scenario{{name: "revoked", as: e.anonymous(), method: "POST", path: "/api/v1/invitations/accept", body: `{"token":"` + tokenOf(t, resent.InviteURL) + `","password":"` + strongPassword + `"}`, status: 410, code: chat.ErrInvitationRevoked}})

	// An existing login invited to another workspace joins it with its own
	// password.
	olga := e.login("olga")
	var other sentInvitation
	olga.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/invitations", e.other.ID), `{"email":"kim@example.com","name":"kim","role":"manager"}`, 201, &other)
	e.run([]scenario{{name: "an existing login's wrong password", as: e.anonymous(), method: "POST", path: "/api/v1/invitations/accept",
		body: `{"token":"` + tokenOf(t, other.InviteURL) + `","password":"` + strongPassword + `"}`, status: 401, code: chat.ErrInvalidCredentials}})
	e.anonymous().json("POST", "/api/v1/invitations/accept", `{"token":"`+tokenOf(t, other.InviteURL)+`","password":"`+password+`"}`, 200, &me)
	if len(me.Memberships) != 2 {
		t.Fatalf("kim's memberships %+v", me.Memberships)
	}
}

func TestMemberAdministration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, kim := e.login("master"), e.login("kim")
	e.setStatus("lee", chat.StatusAway)
	e.setStatus("manager", chat.StatusAway)
	e.setStatus("master", chat.StatusAway)
	settings := `{"settings":{"assignment_mode":"auto"}}`
	master.json("PATCH", e.shopPath(), settings, 200, nil)
	// kim is the only one online: the chat goes to kim.
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	if conv.AssigneeName != "kim" {
		t.Fatalf("conversation %+v", conv)
	}
	kimSocket := kim.mustSocket(fmt.Sprintf("%s/ws", e.shopPath()))
	kimSocket.next("ready")
	agentPath := func(name string) string { return fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents[name].ID) }
	members := func() string {
		_, data := master.do("GET", e.shopPath()+"/agents", "")
		return string(data)
	}
	e.refuse(members, []scenario{
		{name: "demote the last master", as: master, method: "PATCH", path: agentPath("master"), body: `{"role":"manager"}`, status: 409, code: chat.ErrLastMaster},
		{name: "deactivate the last master", as: master, method: "PATCH", path: agentPath("master"), body: `{"active":false}`, status: 409, code: chat.ErrLastMaster},
		{name: "an agent changes a role", as: kim, method: "PATCH", path: agentPath("lee"), body: `{"role":"manager"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "a manager deactivates", as: e.login("manager"), method: "PATCH", path: agentPath("kim"), body: `{"active":false}`, status: 403, code: chat.ErrRoleRequired},
		{name: "another workspace's agent", as: master, method: "PATCH", path: agentPath("olga"), body: `{"active":false}`, status: 404, code: chat.ErrAgentNotFound},
		{name: "nothing to change", as: master, method: "PATCH", path: agentPath("kim"), body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "a role that does not exist", as: master, method: "PATCH", path: agentPath("kim"), body: `{"role":"boss"}`, status: 400, code: chat.ErrInvalid},
		{name: "null", as: master, method: "PATCH", path: agentPath("kim"), body: `{"active":"no"}`, status: 400, code: chat.ErrInvalid},
	})

	// The master deactivates kim mid-chat: kim's socket closes, the chat
	// goes back to the queue and to someone online.
	e.setStatus("lee", chat.StatusOnline)
	var m chat.Member
	master.json("PATCH", agentPath("kim"), `{"active":false}`, 200, &m)
	if m.Active || m.Status != chat.StatusOffline {
		t.Fatalf("deactivated %+v", m)
	}
	waitClosed(t, kimSocket)
	// Active nowhere, kim's sessions ended; signing in again reaches no
	// workspace.
	if status, _ := kim.do("GET", e.shopPath()+"/conversations", ""); status != 401 {
		t.Fatalf("a deactivated agent's session: %d", status)
	}
	kim = e.login("kim")
	status, data := kim.do("GET", e.shopPath()+"/conversations", "")
	if code, _ := errorBodyOf(t, data); status != 403 || code != chat.ErrMemberInactive {
		t.Fatalf("a deactivated agent reads: %d %s", status, data)
	}
	// (Signing in brought the manager online too: either may have it.)
	if d := master.detailOf(conv.ID); d.Conversation.AssigneeID == 0 || d.Conversation.AssigneeID == e.agents["kim"].ID ||
		len(d.Conversation.AgentPath) != 2 || d.Conversation.AgentPath[0].Name != "kim" {
		t.Fatalf("not re-routed: %+v", d.Conversation)
	}
	// Reactivated, kim works again.
	master.json("PATCH", agentPath("kim"), `{"active":true}`, 200, &m)
	kim.json("GET", e.shopPath()+"/conversations", "", 200, nil)
	if got := fmt.Sprint(e.auditActions(e.shop)); !strings.Contains(got, "member.active:") || !strings.Contains(got, "member.role:last_master") {
		t.Fatalf("audit %s", got)
	}
}

// waitClosed waits for the server to close a socket.
func waitClosed(t *testing.T, s *socket) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the socket stayed open")
		}
	}
}

func TestLogoutEndsSockets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim := e.login("kim")
	s := kim.mustSocket(fmt.Sprintf("%s/ws", e.shopPath()))
	s.next("ready")
	other := e.login("kim") // another session of kim's stays
	o := other.mustSocket(fmt.Sprintf("%s/ws", e.shopPath()))
	o.next("ready")
	kim.json("POST", "/api/v1/auth/logout", "", 204, nil)
	waitClosed(t, s)
	o.quiet("never")
	other.json("GET", "/api/v1/me", "", 200, nil)
}

// TestSignInEndsCarriedSession: signing in on a browser that holds
// another person's session — a colleague's sign-in left on the shop's
// shared computer — ends that session as signing out would: its sockets
// close, it answers 401 to whoever kept its cookie, and its agent, signed
// in nowhere else, goes offline. So does accepting an invitation there.
// Signing in again as oneself ends the session the browser held too, so
// that signing out then takes the agent offline at once.
func TestSignInEndsCarriedSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	status := func(name string) chat.AgentStatus {
		m, err := e.store.Member(ctx, e.shop.ID, e.agents[name].ID)
		must(t, err)
		return m.Status
	}
	// kept copies the browser's cookie and CSRF token as they are now.
	kept := func(c *client) *client {
		k := e.anonymous()
		u := mustURL(e.srv.URL)
		k.hc.Jar.SetCookies(u, c.hc.Jar.Cookies(u))
		k.csrf = c.csrf
		return k
	}
	signIn := func(c *client, path, body string) {
		var me struct {
			CSRFToken string `json:"csrf_token"`
		}
		c.json("POST", path, body, 200, &me)
		c.csrf = me.CSRFToken
	}
	ended := func(name string, old *client) {
		t.Helper()
		e.run([]scenario{{name: name + "'s session left on the desk", as: old, method: "GET", path: "/api/v1/me", status: 401, code: chat.ErrUnauthorized}})
	}

	desk := e.login("kim")
	kimSocket := desk.mustSocket(e.shopPath() + "/ws")
	kimSocket.next("ready")
	kimOld := kept(desk)
	signIn(desk, "/api/v1/auth/login", `{"email":"lee@example.com","password":"`+password+`"}`)
	waitClosed(t, kimSocket)
	ended("kim", kimOld)
	if st := status("kim"); st != chat.StatusOffline {
		t.Fatalf("kim, signed in nowhere any more, is %s", st)
	}
	var me struct{ Agent chat.Agent }
	desk.json("GET", "/api/v1/me", "", 200, &me)
	if me.Agent.Email != "lee@example.com" {
		t.Fatalf("the desk is signed in as %s", me.Agent.Email)
	}

	leeOld := kept(desk)
	inv := e.invite(e.login("master"), "park@example.com", "박지민", "agent")
	signIn(desk, "/api/v1/invitations/accept", `{"token":"`+tokenOf(t, inv.InviteURL)+`","password":"`+strongPassword+`"}`)
	ended("lee", leeOld)
	if st := status("lee"); st != chat.StatusOffline {
		t.Fatalf("lee, signed in nowhere any more, is %s", st)
	}

	// The same person signing in again.
	laptop := e.login("kim")
	kimOld = kept(laptop)
	signIn(laptop, "/api/v1/auth/login", `{"email":"kim@example.com","password":"`+password+`"}`)
	ended("kim", kimOld)
	if st := status("kim"); st != chat.StatusOnline {
		t.Fatalf("kim, signing in again, is %s", st)
	}
	laptop.json("POST", "/api/v1/auth/logout", "", 204, nil)
	if st := status("kim"); st != chat.StatusOffline {
		t.Fatalf("kim, signed out of the only session left, is %s", st)
	}
}

// A password change ends the agent's other sessions, and their sockets
// close at once, on both stores; so does a reset link's use, for every
// session. The session that changed the password keeps its socket.
func TestPasswordChangeEndsSockets(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			open := func(c *client) *socket {
				s := c.mustSocket(fmt.Sprintf("%s/ws", e.shopPath()))
				s.next("ready")
				return s
			}
			laptop, phone := e.login("kim"), e.login("kim")
			laptopWS, phoneWS := open(laptop), open(phone)
			laptop.json("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","new_password":"`+strongPassword+`"}`, 204, nil)
			waitClosed(t, phoneWS)
			laptopWS.quiet("never")

			var link struct {
				ResetURL string `json:"reset_url"`
			}
			e.login("master").json("POST", fmt.Sprintf("%s/agents/%d/password-reset", e.shopPath(), e.agents["kim"].ID), "", 201, &link)
			e.anonymous().json("POST", "/api/v1/password-reset", `{"token":"`+tokenOf(t, link.ResetURL)+`","password":"`+strongPassword+`-2"}`, 200, nil)
			waitClosed(t, laptopWS)
		})
	}
}

// handshakeStore lets a test act while a console socket opens: after the
// request has read the member, before the socket subscribes to the feed
// (the socket reads the conversations its agent follows in between).
type handshakeStore struct {
	chat.Store
	during func()
}

func (s *handshakeStore) MentionedIn(ctx context.Context, workspaceID, agentID int64) ([]int64, error) {
	if f := s.during; f != nil {
		s.during = nil
		f()
	}
	return s.Store.MentionedIn(ctx, workspaceID, agentID)
}

// TestAccessChangeDuringSocketHandshake: a demotion, a deactivation or a
// sign-out that commits while a console socket opens ends the socket as
// it would have ended an open one: the socket does not go on showing what
// the member may no longer see.
func TestAccessChangeDuringSocketHandshake(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				change func(e *env, manager *client)
			}{
				{"demoted", func(e *env, _ *client) {
					_, err := e.app.UpdateMember(context.Background(), e.shop.ID, e.agents["manager"].ID, chat.MemberPatch{Role: new(chat.RoleAgent)}, chat.Who{AgentID: e.agents["master"].ID})
					must(t, err)
				}},
				{"deactivated", func(e *env, _ *client) {
					_, err := e.app.UpdateMember(context.Background(), e.shop.ID, e.agents["manager"].ID, chat.MemberPatch{Active: new(false)}, chat.Who{AgentID: e.agents["master"].ID})
					must(t, err)
				}},
				{"signed out", func(_ *env, manager *client) {
					manager.json("POST", "/api/v1/auth/logout", "", 204, nil)
				}},
			} {
				// Without after= the socket starts at the log's end; with
				// it, it replays first.
				for _, after := range []string{"", "?after=0"} {
					t.Run(tc.name+after, func(t *testing.T) {
						hs := &handshakeStore{}
						e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { hs.Store = s; return hs })
						manager := e.login("manager")
						hs.during = func() { tc.change(e, manager) }
						s, resp, err := manager.socket(e.shopPath() + "/ws" + after)
						if err != nil {
							if resp != nil && resp.StatusCode/100 == 4 {
								return // refused at the door: as good
							}
							t.Fatal(err)
						}
						waitClosed(t, s)
					})
				}
			}
		})
	}
}

type createdToken struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	var rw, ro, admin createdToken
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"CRM sync","scopes":["read","write"]}`, 201, &rw)
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"report","scopes":["read"]}`, 201, &ro)
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"provisioning","scopes":["admin"]}`, 201, &admin)
	if !strings.HasPrefix(rw.Token, "sodam_") {
		t.Fatalf("token %+v", rw)
	}
	script := func(tok string) *client { c := e.anonymous(); c.bearer = tok; return c }

	// A script lists conversations, takes one and answers it: no cookie, no
	// CSRF token.
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	s := script(rw.Token)
	var list []chat.Conversation
	s.json("GET", e.shopPath()+"/conversations", "", 200, &list)
	if len(list) != 1 {
		t.Fatalf("conversations %+v", list)
	}
	s.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	var msg chat.Message
	s.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"api-1","body":"안녕하세요, 주문 확인해 드릴게요."}`, 201, &msg)
	if msg.SenderID != e.agents["master"].ID {
		t.Fatalf("message %+v", msg)
	}
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	var soon createdToken
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"soon","scopes":["read"],"expires_at":"`+expires+`"}`, 201, &soon)

	tokens := func() string {
		_, data := master.do("GET", e.shopPath()+"/api-tokens", "")
		var v struct{ Tokens []chat.APIToken }
		json.Unmarshal(data, &v)
		var names []string
		for _, tk := range v.Tokens {
			names = append(names, fmt.Sprint(tk.Name, tk.RevokedAt != nil))
		}
		return fmt.Sprint(names)
	}
	e.refuse(tokens, []scenario{
		{name: "read-only writes", as: script(ro.Token), method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"api-2","body":"x"}`, status: 403, code: chat.ErrScopeRequired},
		{name: "write token on a master route", as: s, method: "GET", path: e.shopPath() + "/audit-log", status: 403, code: chat.ErrScopeRequired},
		{name: "on another workspace", as: s, method: "GET", path: fmt.Sprintf("/api/v1/workspaces/%d/conversations", e.other.ID), status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "on a console-only route", as: s, method: "GET", path: "/api/v1/me", status: 401, code: chat.ErrUnauthorized},
		{name: "presence", as: s, method: "PUT", path: e.shopPath() + "/me/status", body: `{"status":"online"}`, status: 403, code: chat.ErrSessionRequired},
		// Only a person signed in makes and revokes tokens: an admin token
		// that made tokens would live on, through them, past its own
		// revocation or expiry.
		{name: "an admin token makes a token", as: script(admin.Token), method: "POST", path: e.shopPath() + "/api-tokens", body: `{"name":"배포 스크립트","scopes":["admin"]}`, status: 403, code: chat.ErrSessionRequired},
		{name: "an admin token revokes a token", as: script(admin.Token), method: "DELETE", path: fmt.Sprintf("%s/api-tokens/%d", e.shopPath(), ro.ID), status: 403, code: chat.ErrSessionRequired},
		{name: "an admin token revokes itself", as: script(admin.Token), method: "DELETE", path: fmt.Sprintf("%s/api-tokens/%d", e.shopPath(), admin.ID), status: 403, code: chat.ErrSessionRequired},
		{name: "an unknown token", as: script("sodam_nope"), method: "GET", path: e.shopPath() + "/conversations", status: 401, code: chat.ErrUnauthorized},
		{name: "an agent makes a token", as: e.login("kim"), method: "POST", path: e.shopPath() + "/api-tokens", body: `{"name":"x","scopes":["read"]}`, status: 403, code: chat.ErrRoleRequired},
		{name: "no scopes", as: master, method: "POST", path: e.shopPath() + "/api-tokens", body: `{"name":"x","scopes":[]}`, status: 400, code: chat.ErrInvalid},
		{name: "an unknown scope", as: master, method: "POST", path: e.shopPath() + "/api-tokens", body: `{"name":"x","scopes":["root"]}`, status: 400, code: chat.ErrInvalid},
		{name: "expiry in the past", as: master, method: "POST", path: e.shopPath() + "/api-tokens", body: `{"name":"x","scopes":["read"],"expires_at":"2020-01-01T00:00:00Z"}`, status: 400, code: chat.ErrInvalid},
		{name: "another workspace's token", as: e.login("olga"), method: "DELETE", path: fmt.Sprintf("/api/v1/workspaces/%d/api-tokens/%d", e.other.ID, rw.ID), status: 404, code: chat.ErrTokenNotFound},
	})
	// The admin scope acts as a master.
	script(admin.Token).json("GET", e.shopPath()+"/audit-log", "", 200, nil)
	// Revoked: refused at once. Expired: refused.
	master.json("DELETE", fmt.Sprintf("%s/api-tokens/%d", e.shopPath(), rw.ID), "", 200, nil)
	e.run([]scenario{{name: "revoked", as: s, method: "GET", path: e.shopPath() + "/conversations", status: 401, code: chat.ErrUnauthorized}})
	script(soon.Token).json("GET", e.shopPath()+"/conversations", "", 200, nil)
	e.clock.freeze()
	e.clock.advance(2 * time.Hour)
	e.run([]scenario{{name: "expired", as: script(soon.Token), method: "GET", path: e.shopPath() + "/conversations", status: 401, code: chat.ErrUnauthorized}})
	// The list never shows a secret, and shows the last use.
	_, data := master.do("GET", e.shopPath()+"/api-tokens", "")
	if strings.Contains(string(data), ro.Token) || !strings.Contains(string(data), `"last_used_at"`) {
		t.Fatalf("token list %s", data)
	}
}

// A token acts for its creator as they are now: one made by a master who
// was since made a manager, then an agent, keeps no more rights than they.
func TestAPITokenFollowsItsCreatorsRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	id := e.agents["manager"].ID
	role := func(r string) {
		master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), id), `{"role":"`+r+`"}`, 200, nil)
	}
	role("master")
	var admin, rw createdToken
	creator := e.login("manager")
	creator.json("POST", e.shopPath()+"/api-tokens", `{"name":"provisioning","scopes":["admin"]}`, 201, &admin)
	creator.json("POST", e.shopPath()+"/api-tokens", `{"name":"CRM sync","scopes":["read","write"]}`, 201, &rw)
	script := func(tok string) *client { c := e.anonymous(); c.bearer = tok; return c }
	script(admin.Token).json("GET", e.shopPath()+"/audit-log", "", 200, nil)

	role("manager")
	invitations := func() string {
		_, data := master.do("GET", e.shopPath()+"/invitations", "")
		return string(data)
	}
	e.refuse(invitations, []scenario{
		{name: "an admin token of a master made a manager", as: script(admin.Token), method: "POST", path: e.shopPath() + "/invitations",
			body: `{"email":"friend@example.com","name":"friend","role":"master"}`, status: 403, code: chat.ErrRoleRequired},
	})
	// As a manager, it still does what a manager may.
	script(admin.Token).json("GET", e.shopPath()+"/refused-origins", "", 200, nil)

	role("agent")
	e.run([]scenario{
		{name: "a write token of a master made an agent", as: script(rw.Token), method: "GET", path: e.shopPath() + "/refused-origins", status: 403, code: chat.ErrRoleRequired},
	})
}

// TestDeactivationRevokesTokens: a member's API tokens, refused while
// they are deactivated, no longer work again when a master reactivates
// them: the deactivation revoked them, as Settings → API tokens shows and
// the audit log says.
func TestDeactivationRevokesTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	id := e.agents["manager"].ID
	member := func(body string) {
		master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), id), body, 200, nil)
	}
	member(`{"role":"master"}`)
	var erp createdToken
	e.login("manager").json("POST", e.shopPath()+"/api-tokens", `{"name":"ERP 주문 동기화","scopes":["read","write"]}`, 201, &erp)
	script := e.anonymous()
	script.bearer = erp.Token
	script.json("GET", e.shopPath()+"/conversations", "", 200, nil)

	member(`{"active":false}`)
	member(`{"active":true}`)
	e.run([]scenario{{name: "the token of a member reactivated", as: script, method: "GET", path: e.shopPath() + "/conversations", status: 401, code: chat.ErrUnauthorized}})
	var list struct{ Tokens []chat.APIToken }
	master.json("GET", e.shopPath()+"/api-tokens", "", 200, &list)
	if len(list.Tokens) != 1 || list.Tokens[0].ID != erp.ID || list.Tokens[0].RevokedAt == nil {
		t.Fatalf("Settings → API tokens after the deactivation: %+v", list.Tokens)
	}
	var log struct{ Entries []chat.AuditEntry }
	master.json("GET", e.shopPath()+"/audit-log?action=api_token.revoke", "", 200, &log)
	if len(log.Entries) != 1 || log.Entries[0].Target != "ERP 주문 동기화" || log.Entries[0].ActorName != "master" {
		t.Fatalf("audit log %+v", log.Entries)
	}
}

func TestAuditLogAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	for i := range 3 {
		e.invite(master, fmt.Sprintf("a%d@example.com", i), "상담원", "agent")
	}
	master.json("PATCH", e.shopPath(), `{"title":"상담 창구"}`, 200, nil)
	var page struct {
		Entries    []chat.AuditEntry `json:"entries"`
		NextCursor string            `json:"next_cursor"`
	}
	master.json("GET", e.shopPath()+"/audit-log", "", 200, &page)
	if len(page.Entries) != 4 || page.Entries[0].Action != chat.AuditWorkspaceUpdate || page.Entries[0].ActorName != "master" || page.Entries[0].Address == "" {
		t.Fatalf("audit log %+v", page)
	}
	if b, _ := json.Marshal(page.Entries[0].After); !strings.Contains(string(b), "상담 창구") || strings.Contains(string(b), "secret-shop") {
		t.Fatalf("after %s", b)
	}
	master.json("GET", e.shopPath()+"/audit-log?action=invitation.create", "", 200, &page)
	if len(page.Entries) != 3 {
		t.Fatalf("filtered %+v", page.Entries)
	}
	status, csv := master.do("GET", e.shopPath()+"/audit-log.csv?action=invitation.create", "")
	if status != 200 || !strings.HasPrefix(string(csv), "\ufeffid,at,actor_id") || strings.Count(string(csv), "invitation.create") != 3 {
		t.Fatalf("csv %d %s", status, csv)
	}
	today := time.Now().In(time.FixedZone("KST", 9*3600)).Format("2006-01-02")
	e.run([]scenario{
		{name: "an agent reads it", as: e.login("kim"), method: "GET", path: e.shopPath() + "/audit-log", status: 403, code: chat.ErrRoleRequired},
		{name: "a malformed period", as: master, method: "GET", path: e.shopPath() + "/audit-log?from=yesterday", status: 400, code: chat.ErrInvalid},
		{name: "an inverted period", as: master, method: "GET", path: e.shopPath() + "/audit-log?from=" + today + "&to=2020-01-01", status: 400, code: chat.ErrInvalid},
		{name: "a bad cursor", as: master, method: "GET", path: e.shopPath() + "/audit-log?cursor=-1", status: 400, code: chat.ErrInvalid},
	})
	master.json("GET", e.shopPath()+"/audit-log?from="+today+"&to="+today, "", 200, &page)
	if len(page.Entries) != 4 {
		t.Fatalf("today's entries %+v", page.Entries)
	}
	// No route edits or deletes entries.
	for _, method := range []string{"PUT", "PATCH", "DELETE"} {
		if status, _ := master.do(method, e.shopPath()+"/audit-log", "{}"); status != http.StatusMethodNotAllowed {
			t.Fatalf("%s audit-log: %d", method, status)
		}
	}
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim, second := e.login("kim"), e.login("kim")
	e.run([]scenario{
		{name: "the wrong current password", as: kim, method: "PUT", path: "/api/v1/me/password", body: `{"current_password":"nope","new_password":"` + strongPassword + `"}`, status: 401, code: chat.ErrInvalidCredentials},
		{name: "a weak new password", as: kim, method: "PUT", path: "/api/v1/me/password", body: `{"current_password":"` + password + `","new_password":"1234567890"}`, status: 422, code: chat.ErrWeakPassword},
		{name: "no CSRF token", as: &client{e: e, hc: kim.hc}, method: "PUT", path: "/api/v1/me/password", body: `{"current_password":"` + password + `","new_password":"` + strongPassword + `"}`, status: 403, code: chat.ErrCSRF},
	})
	kim.json("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","new_password":"`+strongPassword+`"}`, 204, nil)
	kim.json("GET", "/api/v1/me", "", 200, nil)
	if status, _ := second.do("GET", "/api/v1/me", ""); status != 401 {
		t.Fatalf("the other session survived a password change: %d", status)
	}
	var a chat.Agent
	kim.json("PATCH", "/api/v1/me", `{"name":"김민지","language":"en"}`, 200, &a)
	if a.Name != "김민지" || a.Language != "en" {
		t.Fatalf("profile %+v", a)
	}

	// A master makes a reset link; it works once.
	master := e.login("master")
	var link struct {
		ResetURL string `json:"reset_url"`
		Emailed  bool   `json:"emailed"`
	}
	master.json("POST", fmt.Sprintf("%s/agents/%d/password-reset", e.shopPath(), e.agents["lee"].ID), "", 201, &link)
	token := tokenOf(t, link.ResetURL)
	e.run([]scenario{
		{name: "weak", as: e.anonymous(), method: "POST", path: "/api/v1/password-reset", body: `{"token":"` + token + `","password":"qwertyuiop"}`, status: 422, code: chat.ErrWeakPassword},
		{name: "another workspace's agent", as: master, method: "POST", path: fmt.Sprintf("%s/agents/%d/password-reset", e.shopPath(), e.agents["olga"].ID), status: 404, code: chat.ErrAgentNotFound},
	})
	// Olga masters another workspace: her login is not shop's master's to
	// reset, even though she is an agent in shop too.
	must(t, e.store.AddMember(t.Context(), chat.Member{WorkspaceID: e.shop.ID, AgentID: e.agents["olga"].ID, Role: chat.RoleAgent, Status: chat.StatusOffline}))
	e.run([]scenario{{name: "a login shared with another workspace", as: master, method: "POST", path: fmt.Sprintf("%s/agents/%d/password-reset", e.shopPath(), e.agents["olga"].ID), status: 409, code: chat.ErrLoginShared}})
	e.anonymous().json("POST", "/api/v1/password-reset", `{"token":"`+token+`","password":"`+strongPassword+`"}`, 200, nil)
	e.run([]scenario{{name: "used twice", as: e.anonymous(), method: "POST", path: "/api/v1/password-reset", body: `{"token":"` + token + `","password":"` + strongPassword + `"}`, status: 410, code: chat.ErrResetLinkInvalid}})
	e.anonymous().json("POST", "/api/v1/auth/login", `{"email":"lee@example.com","password":"`+strongPassword+`"}`, 200, nil)
}

// fromAddress is a client whose connections come from another loopback
// address, as a second office would.
func (e *env) fromAddress(ip string) *client {
	c := e.anonymous()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	jar, _ := cookiejar.New(nil)
	c.hc = &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext}}
	return c
}

// Guessing at one address slows that address's attempts on the account
// down; the account's owner elsewhere signs in.
func TestLoginBackoffIsPerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.freeze()
	attacker := e.anonymous()
	for range 5 {
		status, _ := attacker.do("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"guess-guess"}`)
		if status != 401 {
			t.Fatalf("status %d", status)
		}
	}
	status, _ := attacker.do("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"`+password+`"}`)
	if status != 429 {
		t.Fatalf("the guessing address went on: %d", status)
	}
	e.fromAddress("127.0.0.2").json("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"`+password+`"}`, 200, nil)
	// A colleague behind the guessing address is not stopped either.
	attacker.json("POST", "/api/v1/auth/login", `{"email":"lee@example.com","password":"`+password+`"}`, 200, nil)
}

// Wherever a login's password is asked for, guesses count against the
// same limits as at sign-in: an invitation to an existing login, held by
// whoever the link reached, is no way around them, nor is a session's
// password change.
func TestPasswordGuessesLimitedEverywhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.freeze()
	var inv sentInvitation
	e.login("olga").json("POST", fmt.Sprintf("/api/v1/workspaces/%d/invitations", e.other.ID), `{"email":"kim@example.com","name":"kim","role":"agent"}`, 201, &inv)
	accept := func(pw string) string { return `{"token":"` + tokenOf(t, inv.InviteURL) + `","password":"` + pw + `"}` }
	attacker := e.anonymous()
	for i := range 5 {
		if status, body := attacker.do("POST", "/api/v1/invitations/accept", accept(fmt.Sprint("guess-", i))); status != 401 {
			t.Fatalf("guess %d: %d %s", i, status, body)
		}
	}
	// The right password no longer gets through from there, and the
	// count is the login's: signing in is held back too.
	retryAfter(t, attacker.raw("POST", "/api/v1/invitations/accept", accept(password)))
	retryAfter(t, attacker.raw("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"`+password+`"}`))
	// Kim, elsewhere, accepts.
	e.fromAddress("127.0.0.2").json("POST", "/api/v1/invitations/accept", accept(password), 200, nil)

	lee := e.login("lee")
	for range 5 {
		if status, _ := lee.do("PUT", "/api/v1/me/password", `{"current_password":"nope","new_password":"`+strongPassword+`"}`); status != 401 {
			t.Fatalf("status %d", status)
		}
	}
	if status, _ := lee.do("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","new_password":"`+strongPassword+`"}`); status != 429 {
		t.Fatalf("the sixth try: %d", status)
	}
}

func TestWorkspacesForOwners(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.store.SetOwner(ctx, e.agents["master"].ID, true, chat.Who{})
	must(t, err)
	owner, kim := e.login("master"), e.login("kim")
	var ws chat.Workspace
	owner.json("POST", "/api/v1/workspaces", `{"name":"두 번째 가게","site_id":"second"}`, 201, &ws)
	var list struct{ Workspaces []chat.Workspace }
	owner.json("GET", "/api/v1/workspaces", "", 200, &list)
	if len(list.Workspaces) != 3 {
		t.Fatalf("owner's workspaces %+v", list)
	}
	kim.json("GET", "/api/v1/workspaces", "", 200, &list)
	if len(list.Workspaces) != 1 || list.Workspaces[0].ID != e.shop.ID {
		t.Fatalf("kim's workspaces %+v", list)
	}
	e.run([]scenario{
		{name: "a non-owner creates", as: kim, method: "POST", path: "/api/v1/workspaces", body: `{"name":"x"}`, status: 403, code: chat.ErrOwnerRequired},
		{name: "a taken site_id", as: owner, method: "POST", path: "/api/v1/workspaces", body: `{"name":"x","site_id":"second"}`, status: 409, code: chat.ErrConflict},
		{name: "a bad site_id", as: owner, method: "POST", path: "/api/v1/workspaces", body: `{"name":"x","site_id":"Not OK"}`, status: 400, code: chat.ErrInvalid},
		{name: "a name of two lines", as: owner, method: "POST", path: "/api/v1/workspaces", body: `{"name":"세 번째\r\nBcc: all@example.com","site_id":"third"}`, status: 400, code: chat.ErrInvalid},
		{name: "the last owner steps down", as: owner, method: "PUT", path: fmt.Sprintf("/api/v1/agents/%d/owner", e.agents["master"].ID), body: `{"owner":false}`, status: 409, code: chat.ErrLastOwner},
		{name: "a non-owner grants", as: kim, method: "PUT", path: fmt.Sprintf("/api/v1/agents/%d/owner", e.agents["kim"].ID), body: `{"owner":true}`, status: 403, code: chat.ErrOwnerRequired},
	})
	// A visitor of the new workspace is invisible to the first one's agents.
	visitor := e.visitor("second", "")
	owner.json("PATCH", fmt.Sprintf("/api/v1/workspaces/%d", ws.ID), `{"operation_stopped":false}`, 400, nil)
	_ = visitor
	var convs []chat.Conversation
	e.login("manager").json("GET", e.shopPath()+"/conversations", "", 200, &convs)
	for _, c := range convs {
		if c.WorkspaceID != e.shop.ID {
			t.Fatalf("another workspace's conversation %+v", c)
		}
	}
	owner.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/archive", ws.ID), `{"archived":true}`, 200, &ws)
	if ws.ArchivedAt == nil {
		t.Fatal("not archived")
	}
}

// The loader learns the launcher's look and whether its page may open the
// chat; a refused page's origin shows in the settings.
func TestLauncherAndRefusedOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	master.json("PATCH", e.shopPath(), `{"color":"#8a4b2f","allowed_origins":["https://shop.example.com"],
		"settings":{"widget":{"position":"left","offset_x":32,"offset_y":40,"language":"","texts":{"en":{"title":"Chat with us","greeting":"Hello!","consent":"We keep this chat."}}}}}`, 200, nil)
	type launcher struct {
		Allowed  bool   `json:"allowed"`
		Color    string `json:"color"`
		Position string `json:"position"`
		OffsetX  int    `json:"offset_x"`
	}
	var l launcher
	page := e.anonymous()
	status, data := page.do("GET", "/api/v1/widget/launcher?site_id=shop", "", "Origin", "https://shop.example.com")
	must(t, json.Unmarshal(data, &l))
	if status != 200 || !l.Allowed || l.Color != "#8a4b2f" || l.Position != "left" || l.OffsetX != 32 {
		t.Fatalf("launcher %d %+v", status, l)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/widget/launcher?site_id=shop", nil)
	req.Header.Set("Origin", "https://typo.example.com")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	if l.Allowed || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("a refused page: %+v, CORS %q", l, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	var refused struct {
		Origins []chat.RefusedOrigin `json:"origins"`
	}
	master.json("GET", e.shopPath()+"/refused-origins", "", 200, &refused)
	if len(refused.Origins) != 1 || refused.Origins[0].Origin != "https://typo.example.com" {
		t.Fatalf("refused origins %+v", refused)
	}
	// The widget speaks the visitor's language with the workspace's wording.
	var cfg struct {
		Language    string `json:"language"`
		Title       string `json:"title"`
		ConsentText string `json:"consent_text"`
	}
	page.json("GET", "/api/v1/widget/config?site_id=shop&lang=en", "", 200, &cfg)
	if cfg.Language != "en" || cfg.Title != "Chat with us" || cfg.ConsentText != "We keep this chat." {
		t.Fatalf("English config %+v", cfg)
	}
	page.json("GET", "/api/v1/widget/config?site_id=shop&lang=ko", "", 200, &cfg)
	if cfg.Language != "ko" || cfg.ConsentText != "개인정보 수집에 동의합니다" {
		t.Fatalf("Korean config %+v", cfg)
	}
	e.run([]scenario{
		{name: "a wildcard origin", as: master, method: "PATCH", path: e.shopPath(), body: `{"allowed_origins":["http://*"]}`, status: 400, code: chat.ErrInvalid},
		{name: "a CSP directive in an origin", as: master, method: "PATCH", path: e.shopPath(), body: `{"allowed_origins":["https://a.example;script-src"]}`, status: 400, code: chat.ErrInvalid},
		{name: "a launcher on the wrong side", as: master, method: "PATCH", path: e.shopPath(), body: `{"settings":{"widget":{"position":"top"}}}`, status: 400, code: chat.ErrInvalid},
		{name: "wording for a third language", as: master, method: "PATCH", path: e.shopPath(), body: `{"settings":{"widget":{"texts":{"ja":{"title":"x"}}}}}`, status: 400, code: chat.ErrInvalid},
		{name: "an agent reads refused origins", as: e.login("kim"), method: "GET", path: e.shopPath() + "/refused-origins", status: 403, code: chat.ErrRoleRequired},
		{name: "an unknown site", as: page, method: "GET", path: "/api/v1/widget/launcher?site_id=nope", status: 404, code: chat.ErrWorkspaceNotFound},
	})
}

// With SMTP configured, an invitation's link is emailed as well as shown.
func TestInvitationEmailed(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	smtpAddr := fakeSMTP(t, got)
	host, port, _ := net.SplitHostPort(smtpAddr)
	p, _ := strconv.Atoi(port)
	e := newEnvWith(t, func(c *httpapi.Config) {
		c.Mail = notify.NewMailer(notify.SMTP{Host: host, Port: p, From: "Sodam <sodam@shop.example>", TLS: "none"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	})
	inv := e.invite(e.login("master"), "park@example.com", "박상담", "agent")
	if inv.Emailed == nil || !*inv.Emailed {
		t.Fatalf("not emailed: %+v", inv)
	}
	select {
	case data := <-got:
		token := tokenOf(t, inv.InviteURL)
		if !strings.Contains(strings.ReplaceAll(data, "=\r\n", ""), token) {
			t.Fatalf("the email lacks the link's token:\n%s", data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no email arrived")
	}
}

// fakeSMTP is a real SMTP server (emersion/go-smtp) on loopback that hands
// each message's data to got.
func fakeSMTP(t *testing.T, got chan<- string) string {
	t.Helper()
	srv := smtp.NewServer(smtpBackend(func(data string) { got <- data }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type smtpBackend func(data string)

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession{b}, nil }

type smtpSession struct{ deliver smtpBackend }

func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }
func (s smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err == nil {
		s.deliver(string(b))
	}
	return err
}

// TestInvitationToAnActiveMember: an invitation is how someone joins (or
// rejoins) a workspace, never how a member's role changes. One sent to a
// deactivated member who was reactivated (and made master) meanwhile was
// revoked by the reactivation, and is refused with invitation_revoked,
// changing nothing: accepting it made the master an agent, past the
// last-master rule — had she become the only master, the workspace was
// left with none. (The store still refuses an active member's acceptance
// with already_member.)
func TestInvitationToAnActiveMember(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			kimPath := fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["kim"].ID)
			master.json("PATCH", kimPath, `{"active":false}`, 200, nil)
			// 김상담 left; an invitation brings her back as an agent.
			inv := e.invite(master, "kim@example.com", "김상담", "agent")
			// Meanwhile the master reactivates her as a master.
			master.json("PATCH", kimPath, `{"active":true,"role":"master"}`, 200, nil)
			kim := e.login("kim")
			members := func() string {
				_, data := kim.do("GET", e.shopPath()+"/agents", "")
				return string(data)
			}
			e.refuse(members, []scenario{{name: "accept as an active member", as: e.anonymous(), method: "POST", path: "/api/v1/invitations/accept",
				body: `{"token":"` + tokenOf(t, inv.InviteURL) + `","password":"` + password + `"}`, status: 410, code: chat.ErrInvitationRevoked}})
			m, err := e.store.Member(t.Context(), e.shop.ID, e.agents["kim"].ID)
			must(t, err)
			if m.Role != chat.RoleMaster || !m.Active {
				t.Fatalf("kim after the refused acceptance: %+v", m)
			}
		})
	}
}

// TestInvitationsOfAFormerMaster: the open invitations a master sent are
// revoked when they stop being an active master of the workspace
// (deactivated or demoted): a master on the way out could otherwise
// invite an address of their own as master and come back in through it
// after the team had removed them.
func TestInvitationsOfAFormerMaster(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["manager"].ID), `{"role":"master"}`, 200, nil)
			// Before leaving, the master invites a private address as
			// master, and a real new colleague.
			back := e.invite(master, "master.private@example.com", "이전 관리자", "master")
			colleague := e.invite(master, "park@example.com", "박상담", "agent")
			// The other master removes the master; the manager's own
			// invitation stays.
			manager := e.login("manager")
			kept := e.invite(manager, "choi@example.com", "최상담", "agent")
			manager.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["master"].ID), `{"active":false}`, 200, nil)
			for _, inv := range []sentInvitation{back, colleague} {
				e.run([]scenario{{name: "accept " + inv.Email, as: e.anonymous(), method: "POST", path: "/api/v1/invitations/accept",
					body: `{"token":"` + tokenOf(t, inv.InviteURL) + `","password":"` + strongPassword + `"}`, status: 410, code: chat.ErrInvitationRevoked}})
			}
			var list struct{ Invitations []sentInvitation }
			manager.json("GET", e.shopPath()+"/invitations", "", 200, &list)
			for _, inv := range list.Invitations {
				if want := map[int64]string{back.ID: "revoked", colleague.ID: "revoked", kept.ID: "pending"}[inv.ID]; inv.Status != want {
					t.Errorf("invitation %s: %s, want %s", inv.Email, inv.Status, want)
				}
			}
			if got := fmt.Sprint(e.auditActions(e.shop)); strings.Count(got, "invitation.revoke:") != 2 {
				t.Fatalf("audit %s", got)
			}
			// A master demoted to manager loses theirs too.
			late := e.invite(manager, "jung@example.com", "정상담", "agent")
			manager.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["master"].ID), `{"active":true}`, 200, nil)
			master = e.login("master")
			master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["manager"].ID), `{"role":"manager"}`, 200, nil)
			e.run([]scenario{{name: "accept after the demotion", as: e.anonymous(), method: "POST", path: "/api/v1/invitations/accept",
				body: `{"token":"` + tokenOf(t, late.InviteURL) + `","password":"` + strongPassword + `"}`, status: 410, code: chat.ErrInvitationRevoked}})
			e.anonymous().json("POST", "/api/v1/invitations/accept", `{"token":"`+tokenOf(t, kept.InviteURL)+`","password":"`+strongPassword+`"}`, 410, nil)
			// An invitation a master resent is theirs from then on: it
			// outlives the one who first sent it.
			master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["manager"].ID), `{"role":"master"}`, 200, nil)
			yoon := e.invite(master, "yoon@example.com", "윤상담", "agent")
			manager = e.login("manager")
			var resent sentInvitation
			manager.json("POST", fmt.Sprintf("%s/invitations/%d/resend", e.shopPath(), yoon.ID), "", 200, &resent)
			manager.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["master"].ID), `{"role":"manager"}`, 200, nil)
			e.anonymous().json("POST", "/api/v1/invitations/accept", `{"token":"`+tokenOf(t, resent.InviteURL)+`","password":"`+strongPassword+`"}`, 200, nil)
		})
	}
}

// emailStepStore lets a test act right after a request looked a login up
// by its email.
type emailStepStore struct {
	chat.Store
	after func()
}

func (s *emailStepStore) AgentByEmail(ctx context.Context, email string) (*chat.Agent, error) {
	a, err := s.Store.AgentByEmail(ctx, email)
	if f := s.after; f != nil {
		s.after = nil
		f()
	}
	return a, err
}

// TestInvitationAcceptedAsALoginMadeMeanwhile: an acceptance that chose a
// new password, for an address that had no login when it was read, is
// refused when a login for the address exists by the time it commits. It
// signed the caller in as that login — someone else's, whose password it
// never gave — and added the membership to it.
func TestInvitationAcceptedAsALoginMadeMeanwhile(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			es := &emailStepStore{}
			e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { es.Store = s; return es })
			master := e.login("master")
			inv := e.invite(master, "park@example.com", "박상담", "agent")
			var park *chat.Agent
			es.after = func() {
				park = &chat.Agent{Email: "park@example.com", Name: "박상담", PasswordHash: "the real one"}
				must(t, e.store.CreateAgent(context.Background(), park))
			}
			anon := e.anonymous()
			status, data := anon.do("POST", "/api/v1/invitations/accept", `{"token":"`+tokenOf(t, inv.InviteURL)+`","password":"`+strongPassword+`"}`)
			if code, _ := errorBodyOf(t, data); status != 401 || code != chat.ErrInvalidCredentials {
				t.Fatalf("accepted as a login made meanwhile: %d %s", status, data)
			}
			if _, err := e.store.Member(context.Background(), e.shop.ID, park.ID); chat.ErrorCode(err) != chat.ErrAgentNotFound {
				t.Fatalf("a membership for the login: %v", err)
			}
			if status, _ := anon.do("GET", "/api/v1/me", ""); status != 401 {
				t.Fatalf("signed in: %d", status)
			}
		})
	}
}

// TestRenameReachesColleagues: an agent's new name (PATCH /me) reaches
// the consoles of their colleagues at once, as agent.status with the
// member, and does not end the agent's own socket (nor is it a role
// change); before, colleagues kept the old name (transfer list, team,
// mentions, tickets) until they reloaded.
func TestRenameReachesColleagues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim, manager := e.login("kim"), e.login("manager")
	watcher := manager.mustSocket(e.shopPath() + "/ws")
	watcher.next("ready")
	own := kim.mustSocket(e.shopPath() + "/ws")
	own.next("ready")
	kim.json("PATCH", "/api/v1/me", `{"name":"김하늘"}`, 200, nil)
	ev := watcher.eventOf(chat.EventAgentStatus)
	if ev.Member == nil || ev.Member.AgentID != e.agents["kim"].ID || ev.Member.Name != "김하늘" || ev.Member.Role != chat.RoleAgent {
		t.Fatalf("the colleague's event %+v", ev)
	}
	if ev := own.eventOf(chat.EventAgentStatus); ev.Member == nil || ev.Member.Name != "김하늘" {
		t.Fatalf("the agent's own event %+v", ev)
	}
	kim.json("GET", e.shopPath()+"/agents", "", 200, nil)
	select {
	case _, ok := <-own.frames:
		if !ok {
			t.Fatal("the rename ended the agent's own socket")
		}
	default:
	}
}

// TestReturnedChatShowsQueuePlace: a chat whose agent is deactivated goes
// back to the queue (§3.2: the visitor sees their place in the queue). The
// visitor's widget got the conversation, unassigned, but no place: the
// queue notice fired only when a chat started or left the queue, never
// when the visitor's own chat (re-)entered it. It now gets its place at
// once.
func TestReturnedChatShowsQueuePlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, kim := e.login("master"), e.login("kim")
	for _, name := range []string{"master", "manager", "lee"} {
		e.setStatus(name, chat.StatusAway)
	}
	ahead := e.visitor("shop", "").start() // waits in the queue first
	v := e.visitor("shop", "")
	c := v.start()
	kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)
	ws := v.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, c.ID))
	ws.next("ready")
	master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["kim"].ID), `{"active":false}`, 200, nil)
	if f := ws.next("queue"); queuePos(f) != 2 {
		t.Fatalf("the returned chat's queue frame %+v, want place 2 (behind room %d)", f, ahead.RoomNo)
	}
}

// TestWidgetWording: a title per language is one line of the widget's
// header, as the workspace's own title is — a line break or a
// text-direction character (U+202E, which would show the title
// reversed) is refused and changes nothing. Wording is stored without
// the spaces around it, as the settings page sends it, so one of spaces
// alone is none: a title falls back to the workspace's title, then its
// name, instead of a blank header; a greeting to the workspace's,
// instead of a blank greeting posted to every visitor.
func TestWidgetWording(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	master.json("PATCH", e.shopPath(), `{"title":"소담샵 상담","settings":{"widget":{"texts":{"en":{"title":"Chat with us"}}}}}`, 200, nil)
	e.run([]scenario{
		{name: "a line break in a language's title", as: master, method: "PATCH", path: e.shopPath(), body: `{"settings":{"widget":{"texts":{"en":{"title":"Chat\nwith us"}}}}}`, status: 400, code: chat.ErrInvalid},
		{name: "a text-direction character in a language's title", as: master, method: "PATCH", path: e.shopPath(), body: `{"settings":{"widget":{"texts":{"ko":{"title":"상담\u202e하기"}}}}}`, status: 400, code: chat.ErrInvalid},
	})
	page := e.anonymous()
	var cfg struct {
		Title string `json:"title"`
	}
	page.json("GET", "/api/v1/widget/config?site_id=shop&lang=en", "", 200, &cfg)
	if cfg.Title != "Chat with us" {
		t.Fatalf("a refused title changed the English one: %q", cfg.Title)
	}
	master.json("PATCH", e.shopPath(), `{"settings":{"widget":{"texts":{"en":{"title":"   "}}}}}`, 200, nil)
	page.json("GET", "/api/v1/widget/config?site_id=shop&lang=en", "", 200, &cfg)
	if cfg.Title != "소담샵 상담" {
		t.Fatalf("an English title of spaces: the header reads %q, want the workspace's title", cfg.Title)
	}
	master.json("PATCH", e.shopPath(), `{"title":" \n ","settings":{"greeting":" 안녕하세요, 소담샵입니다.\n ","widget":{"texts":{"en":{"title":"Chat with us","greeting":" \n "}}}}}`, 200, nil)
	var ws struct {
		Name     string `json:"name"`
		Title    string `json:"title"`
		Settings struct {
			Greeting string `json:"greeting"`
			Widget   struct {
				Texts map[string]struct{ Greeting string } `json:"texts"`
			} `json:"widget"`
		} `json:"settings"`
	}
	master.json("GET", e.shopPath(), "", 200, &ws)
	page.json("GET", "/api/v1/widget/config?site_id=shop&lang=ko", "", 200, &cfg)
	if cfg.Title != "" || ws.Title != "" {
		t.Fatalf("a workspace title of spaces is kept as %q (the widget shows the name, %q, only for none)", ws.Title, ws.Name)
	}
	if ws.Settings.Greeting != "안녕하세요, 소담샵입니다." || ws.Settings.Widget.Texts["en"].Greeting != "" {
		t.Fatalf("greetings stored as %q and, in English, %q", ws.Settings.Greeting, ws.Settings.Widget.Texts["en"].Greeting)
	}
}

// TestAllowedOriginAsBrowsersSendIt: an allowed origin typed with the
// scheme's own port (https://shop.example.com:443), or a Korean domain as
// people write it (https://소담.한국), opens the chat on that site's pages:
// browsers send their Origin without the default port and with the
// domain in its xn-- form, which the stored origin did not match — the
// launcher said the chat could not open there, though the site was
// allowed.
func TestAllowedOriginAsBrowsersSendIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	var ws chat.Workspace
	master.json("PATCH", e.shopPath(), `{"allowed_origins":["https://shop.example.com:443","https://소담.한국"]}`, 200, &ws)
	if got := strings.Join(ws.AllowedOrigins, " "); got != "https://shop.example.com https://xn--jk1bt0z.xn--3e0b707e" {
		t.Fatalf("allowed origins saved as %s", got)
	}
	for _, origin := range []string{"https://shop.example.com", "https://xn--jk1bt0z.xn--3e0b707e"} {
		var l struct {
			Allowed bool `json:"allowed"`
		}
		status, data := e.anonymous().do("GET", "/api/v1/widget/launcher?site_id=shop", "", "Origin", origin)
		must(t, json.Unmarshal(data, &l))
		if status != 200 || !l.Allowed {
			t.Errorf("a page of %s: %d %s", origin, status, data)
		}
	}
}
