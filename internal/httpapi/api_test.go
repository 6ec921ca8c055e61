package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// scenario is one request and the answer it must get.
type scenario struct {
	name   string
	as     *client
	method string
	path   string
	body   string
	header []string
	status int
	code   string // the error code, for refusals
}

func (e *env) lastSeqs() [2]int64 {
	var out [2]int64
	for i, ws := range []*chat.Workspace{e.shop, e.other} {
		seq, err := e.store.LastEventSeq(context.Background(), ws.ID)
		must(e.t, err)
		out[i] = seq
	}
	return out
}

// run checks each scenario; a refused request must leave the event log —
// and so every conversation and message — untouched.
func (e *env) run(scenarios []scenario) {
	for _, sc := range scenarios {
		e.t.Run(sc.name, func(t *testing.T) {
			before := e.lastSeqs()
			status, data := sc.as.do(sc.method, sc.path, sc.body, sc.header...)
			if status != sc.status {
				t.Fatalf("status %d, want %d: %s", status, sc.status, data)
			}
			if sc.code == "" {
				return
			}
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(data, &body); err != nil || body.Error.Code != sc.code || body.Error.Message == "" {
				t.Fatalf("body %s, want error code %q with a message", data, sc.code)
			}
			if after := e.lastSeqs(); after != before {
				t.Fatalf("a refused request changed the event log: %v → %v", before, after)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, manager, kim, lee, olga := e.login("master"), e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	anon := e.anonymous()
	visA, visB := e.visitor("shop", ""), e.visitor("shop", "")
	visO := e.visitor("other", "")
	cA, cB, cO := visA.start(), visB.start(), visO.start()
	kim.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/assign", e.shop.ID, cA.ID), "", 200, nil)

	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	conv := func(c chat.Conversation) string { return fmt.Sprintf("%s/conversations/%d", shop, c.ID) }
	widget := func(c chat.Conversation) string { return fmt.Sprintf("/api/v1/widget/conversations/%d", c.ID) }
	noCSRF := []string{"X-CSRF-Token", ""}
	long := strings.Repeat("가", chat.MaxMessageLength+1)
	huge := `{"client_msg_id":"h","body":"` + strings.Repeat("a", 70<<10) + `"}`
	badSig := `,"site_uid":"user-42","site_uid_sig":"` + chat.SignSiteUID("wrong", "user-42") + `"`

	e.run([]scenario{
		// Authentication and malformed bodies.
		{name: "me without login", as: anon, method: "GET", path: "/api/v1/me", status: 401, code: chat.ErrUnauthorized},
		{name: "wrong password", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":"kim@example.com","password":"nope-nope"}`, status: 401, code: chat.ErrInvalidCredentials},
		{name: "unknown email", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":"ghost@example.com","password":"nope-nope"}`, status: 401, code: chat.ErrInvalidCredentials},
		{name: "malformed JSON", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":`, status: 400, code: "invalid_json"},
		{name: "wrong type", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":1,"password":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "missing fields", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown field", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.c","password":"x","admin":true}`, status: 400, code: chat.ErrInvalid},
		{name: "two objects", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.c","password":"x"}{}`, status: 400, code: "invalid_json"},
		{name: "not JSON content type", as: anon, method: "POST", path: "/api/v1/auth/login", body: `{}`, header: []string{"Content-Type", "text/plain"}, status: 415, code: "unsupported_media_type"},

		// CSRF and roles.
		{name: "write without CSRF token", as: kim, method: "POST", path: conv(cB) + "/assign", header: noCSRF, status: 403, code: chat.ErrCSRF},
		{name: "write from another site", as: kim, method: "POST", path: conv(cB) + "/assign", header: []string{"Origin", "https://evil.example"}, status: 403, code: chat.ErrCSRF},
		{name: "agent edits settings", as: kim, method: "PATCH", path: shop, body: `{"name":"mine now"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "bad allowed origin", as: manager, method: "PATCH", path: shop, body: `{"allowed_origins":["javascript:alert(1)"]}`, status: 400, code: chat.ErrInvalid},
		{name: "bad colour", as: manager, method: "PATCH", path: shop, body: `{"color":"red"}`, status: 400, code: chat.ErrInvalid},
		{name: "empty name", as: manager, method: "PATCH", path: shop, body: `{"name":"  "}`, status: 400, code: chat.ErrInvalid},
		{name: "bad status", as: kim, method: "PUT", path: shop + "/me/status", body: `{"status":"asleep"}`, status: 400, code: chat.ErrInvalid},

		// Unknown and foreign IDs.
		{name: "non-numeric workspace", as: kim, method: "GET", path: "/api/v1/workspaces/abc", status: 400, code: chat.ErrInvalid},
		{name: "workspace of another company", as: olga, method: "GET", path: shop + "/conversations", status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "unknown workspace", as: kim, method: "GET", path: "/api/v1/workspaces/999/conversations", status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "conversation of another workspace", as: master, method: "GET", path: conv(cO), status: 404, code: chat.ErrConversationNotFound},
		{name: "send into another workspace's conversation", as: master, method: "POST", path: conv(cO) + "/messages", body: `{"client_msg_id":"x1","body":"hi"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "unknown conversation", as: kim, method: "GET", path: shop + "/conversations/999/messages", status: 404, code: chat.ErrConversationNotFound},
		{name: "bad list filter", as: kim, method: "GET", path: shop + "/conversations?state=open", status: 400, code: chat.ErrInvalid},
		{name: "bad after", as: kim, method: "GET", path: conv(cA) + "/messages?after=-1", status: 400, code: chat.ErrInvalid},

		// Conversations that are not the agent's.
		{name: "agent reads a colleague's conversation", as: lee, method: "GET", path: conv(cA), status: 404, code: chat.ErrConversationNotFound},
		{name: "agent replies in a colleague's conversation", as: lee, method: "POST", path: conv(cA) + "/messages", body: `{"client_msg_id":"l1","body":"hi"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "agent closes a colleague's conversation", as: lee, method: "POST", path: conv(cA) + "/close", status: 404, code: chat.ErrConversationNotFound},
		{name: "manager replies in an agent's conversation", as: manager, method: "POST", path: conv(cA) + "/messages", body: `{"client_msg_id":"m1","body":"hi"}`, status: 403, code: chat.ErrNotAssignee},
		{name: "take an assigned conversation", as: lee, method: "POST", path: conv(cA) + "/assign", status: 409, code: chat.ErrAlreadyAssigned},
		{name: "manager takes an assigned conversation", as: manager, method: "POST", path: conv(cA) + "/assign", status: 409, code: chat.ErrAlreadyAssigned},
		{name: "reply before taking", as: kim, method: "POST", path: conv(cB) + "/messages", body: `{"client_msg_id":"k0","body":"hi"}`, status: 409, code: chat.ErrConversationNotOpen},

		// Message limits.
		{name: "message too long", as: kim, method: "POST", path: conv(cA) + "/messages", body: `{"client_msg_id":"k1","body":"` + long + `"}`, status: 400, code: chat.ErrMessageTooLong},
		{name: "body too large", as: kim, method: "POST", path: conv(cA) + "/messages", body: huge, status: 413, code: "body_too_large"},
		{name: "empty message", as: kim, method: "POST", path: conv(cA) + "/messages", body: `{"client_msg_id":"k2","body":"   "}`, status: 400, code: chat.ErrEmptyMessage},
		{name: "missing client_msg_id", as: kim, method: "POST", path: conv(cA) + "/messages", body: `{"body":"hi"}`, status: 400, code: chat.ErrInvalid},

		// Widget.
		{name: "unknown site", as: anon, method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"nope"}`, status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "missing site", as: anon, method: "POST", path: "/api/v1/widget/sessions", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "unsigned site_uid", as: anon, method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop","site_uid":"user-42"}`, status: 401, code: chat.ErrBadSignature},
		{name: "forged site_uid", as: anon, method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop"` + badSig + `}`, status: 401, code: chat.ErrBadSignature},
		{name: "bad extra parameter", as: anon, method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop","extra":{"role":"admin"}}`, status: 400, code: chat.ErrInvalid},
		{name: "widget from a foreign origin", as: anon, method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop"}`, header: []string{"Origin", "https://evil.example"}, status: 403, code: chat.ErrOriginNotAllowed},
		{name: "config from a foreign origin", as: anon, method: "GET", path: "/api/v1/widget/config?site_id=shop", header: []string{"Origin", "https://evil.example"}, status: 403, code: chat.ErrOriginNotAllowed},
		{name: "start without consent", as: e.visitor("shop", ""), method: "POST", path: "/api/v1/widget/conversations", body: `{"consent":false}`, status: 400, code: chat.ErrConsentRequired},
		{name: "no visitor token", as: anon, method: "GET", path: widget(cA) + "/messages", status: 401, code: chat.ErrUnauthorized},
		{name: "bad visitor token", as: &client{e: e, hc: anon.hc, bearer: "forged"}, method: "GET", path: widget(cA) + "/messages", status: 401, code: chat.ErrUnauthorized},
		{name: "read another visitor's conversation", as: visB, method: "GET", path: widget(cA) + "/messages", status: 404, code: chat.ErrConversationNotFound},
		{name: "write into another visitor's conversation", as: visB, method: "POST", path: widget(cA) + "/messages", body: `{"client_msg_id":"b1","body":"hi"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "close another visitor's conversation", as: visB, method: "POST", path: widget(cA) + "/close", status: 404, code: chat.ErrConversationNotFound},
		{name: "visitor of another workspace", as: visO, method: "POST", path: widget(cA) + "/messages", body: `{"client_msg_id":"o1","body":"hi"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "visitor message too long", as: visA, method: "POST", path: widget(cA) + "/messages", body: `{"client_msg_id":"v1","body":"` + long + `"}`, status: 400, code: chat.ErrMessageTooLong},
		{name: "widget socket for another visitor's conversation", as: visB, method: "GET", path: fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visB.bearer, cA.ID), status: 404, code: chat.ErrConversationNotFound},
		// The socket's one read refuses in the same order as the requests above.
		{name: "widget socket of another workspace's visitor", as: visO, method: "GET", path: fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visO.bearer, cA.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "widget socket without a token", as: anon, method: "GET", path: fmt.Sprintf("/api/v1/widget/ws?conversation_id=%d", cA.ID), status: 401, code: chat.ErrUnauthorized},
		{name: "widget socket with a forged token", as: anon, method: "GET", path: fmt.Sprintf("/api/v1/widget/ws?token=forged&conversation_id=%d", cA.ID), status: 401, code: chat.ErrUnauthorized},
		{name: "widget socket with a forged token and a bad conversation", as: anon, method: "GET", path: "/api/v1/widget/ws?token=forged&conversation_id=x", status: 401, code: chat.ErrUnauthorized},
		{name: "widget socket with a bad conversation", as: anon, method: "GET", path: "/api/v1/widget/ws?token=" + visB.bearer + "&conversation_id=x", status: 400, code: chat.ErrInvalid},
		{name: "widget socket from a foreign origin", as: anon, method: "GET", path: fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visB.bearer, cA.ID), header: []string{"Origin", "https://evil.example"}, status: 403, code: chat.ErrOriginNotAllowed},
		{name: "widget socket with a bad conversation from a foreign origin", as: anon, method: "GET", path: "/api/v1/widget/ws?token=" + visB.bearer + "&conversation_id=0", header: []string{"Origin", "https://evil.example"}, status: 403, code: chat.ErrOriginNotAllowed},

		// Allowed requests that change nothing visible to the others.
		{name: "manager edits settings", as: manager, method: "PATCH", path: shop, body: `{"allowed_origins":["https://shop.example.com/"],"color":"#1a73e8"}`, status: 200},
		{name: "widget from an allowed origin", as: anon, method: "GET", path: "/api/v1/widget/config?site_id=shop", header: []string{"Origin", "https://shop.example.com"}, status: 200},
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// However slowly a loaded machine makes the attempts, none refills.
	e.clock.freeze()
	c := e.anonymous()
	codes := map[int]int{}
	for range 7 {
		status, _ := c.do("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"guess-guess"}`)
		codes[status]++
	}
	if codes[401] != 5 || codes[429] != 2 {
		t.Fatalf("statuses %v, want five 401 then 429", codes)
	}
	// The right password is refused too while limited.
	status, _ := c.do("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"`+password+`"}`)
	if status != 429 {
		t.Fatalf("status %d while limited", status)
	}
	// One attempt comes back every 12 seconds.
	e.clock.advance(12 * time.Second)
	if status, _ := c.do("POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"`+password+`"}`); status != 200 {
		t.Fatalf("status %d once the limit refilled", status)
	}
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := http.Post(e.srv.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"KIM@example.com ","password":"`+password+`"}`))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	c := cookies[0]
	if c.Name != "sodam_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || len(c.Value) < 26 {
		t.Fatalf("cookie %+v", c)
	}
	// Logging out ends the session for good (what it does to the agent's
	// status: presence_test.go).
	kim := e.login("kim")
	kim.json("POST", "/api/v1/auth/logout", "", 204, nil)
	kim.json("GET", "/api/v1/me", "", 401, nil)
}
