package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// sessionAnswer is what POST /widget/sessions answers.
type sessionAnswer struct {
	VisitorToken string `json:"visitor_token"`
	CustomerID   string `json:"customer_id"`
	Identifier   string `json:"identifier"`
	Conversation *struct {
		ID int64 `json:"id"`
	} `json:"conversation"`
}

// TestWebIdentifierFollowsCustomerID (§1.3): an agent gives an anonymous
// visitor, mid-chat, the customer ID of a logged-in member. The visitor's
// identifier folds into the member's shop_<ID>: the chat goes on in the
// visitor's widget, through this node at once and through another node
// within WorkspaceTTL, and after a reload the member's widget and the
// visitor's land in the same conversation, every message kept. Refusals —
// both with an open chat, one blocked, a messenger's name, an agent
// without the right, another workspace — change nothing; on both stores.
func TestWebIdentifierFollowsCustomerID(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { webIdentifierFollowsCustomerID(t, newEnvOn(t, kind, nil)) })
	}
}

func webIdentifierFollowsCustomerID(t *testing.T, e *env) {
	manager, kim, lee, master := e.login("manager"), e.login("kim"), e.login("lee"), e.login("master")
	signed := func(uid string) string {
		return `,"site_uid":"` + uid + `","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, uid) + `"`
	}
	// A second node over the same database, with its own clock, serves
	// the visitor's widget.
	clock := &nodeClock{now: time.Now()}
	second := secondNode(t, e, clock.Now)

	// Member-7 chatted last week; now an anonymous visitor writes, through
	// the second node, and kim recognises the member.
	visM := e.visitor("shop", signed("member-7"))
	cPast := visM.start()
	kim.json("POST", e.convPath(cPast.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(cPast.ID)+"/close", "", 200, nil)
	visA := e.visitor("shop", `,"extra":{"cus_extra_username":"홍길동"}`)
	cA := visA.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	at(t, second.URL, visA.bearer, "POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), `{"client_msg_id":"a1","body":"회원인데 로그인이 안 돼요"}`, 201)
	kim.json("POST", e.convPath(cA.ID)+"/messages", `{"client_msg_id":"k1","body":"회원 아이디를 알려 주세요"}`, 201, nil)
	visWS := visA.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visA.bearer, cA.ID))
	visWS.next("ready")

	// Other customers, for the refusals: a visitor and a member each with
	// an open chat, a blocked member, a KakaoTalk account.
	visB := e.visitor("shop", "")
	cB := visB.start()
	kim.json("POST", e.convPath(cB.ID)+"/assign", "", 200, nil)
	cM8 := e.visitor("shop", signed("member-8")).start()
	cTroll := e.visitor("shop", signed("troll")).start()
	manager.json("POST", e.convPath(cTroll.ID)+"/block", `{"reason":"abuse"}`, 200, nil)
	k := e.messengers()("u-1")
	cQ := e.visitor("shop", "").start() // in the queue
	cO := e.visitor("other", "").start()
	var ro createdToken
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"report","scopes":["read"]}`, 201, &ro)
	script := e.anonymous()
	script.bearer = ro.Token

	idA, idB := e.convPath(cA.ID)+"/customer/id", e.convPath(cB.ID)+"/customer/id"
	state := func() string {
		return manager.state(e.convPath(cA.ID), e.convPath(cB.ID), e.convPath(cM8.ID), e.convPath(cQ.ID), e.convPath(cA.ID)+"/history")
	}
	e.refuse(state, []scenario{
		{name: "not confirmed", as: kim, method: "PUT", path: idA, body: `{"customer_id":"member-7"}`, status: 409, code: chat.ErrMergeRequired},
		{name: "both have an open chat", as: kim, method: "PUT", path: idB, body: `{"customer_id":"member-8","confirm":true}`, status: 409, code: chat.ErrMergeOpenChats},
		{name: "both open, not confirmed", as: kim, method: "PUT", path: idB, body: `{"customer_id":"member-8"}`, status: 409, code: chat.ErrMergeOpenChats},
		{name: "the member is blocked", as: kim, method: "PUT", path: idA, body: `{"customer_id":"troll","confirm":true}`, status: 409, code: chat.ErrMergeBlocked},
		{name: "a messenger account's name", as: kim, method: "PUT", path: idA, body: `{"customer_id":"` + k.ExternalID + `","confirm":true}`, status: 409, code: chat.ErrIdentifierInUse},
		// The web identifier would take the name a messenger account will
		// have, and become that account's when it first writes.
		{name: "a messenger identifier's form", as: kim, method: "PUT", path: idA, body: `{"customer_id":"telegram9-5550123","confirm":true}`, status: 400, code: chat.ErrInvalid},
		{name: "an agent on a queued chat", as: kim, method: "PUT", path: e.convPath(cQ.ID) + "/customer/id", body: `{"customer_id":"member-7","confirm":true}`, status: 403, code: chat.ErrNotAssignee},
		{name: "a colleague's chat", as: lee, method: "PUT", path: idA, body: `{"customer_id":"member-7","confirm":true}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "a read-only API token", as: script, method: "PUT", path: idA, body: `{"customer_id":"member-7","confirm":true}`, status: 403, code: chat.ErrScopeRequired},
		{name: "another workspace's chat", as: master, method: "PUT", path: e.convPath(cO.ID) + "/customer/id", body: `{"customer_id":"member-7","confirm":true}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "an unknown chat", as: master, method: "PUT", path: e.convPath(999999) + "/customer/id", body: `{"customer_id":"member-7","confirm":true}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "a chat ID that is not a number", as: master, method: "PUT", path: e.shopPath() + "/conversations/abc/customer/id", body: `{"customer_id":"member-7"}`, status: 400, code: chat.ErrInvalid},
		{name: "an ID with a slash", as: kim, method: "PUT", path: idA, body: `{"customer_id":"member/7","confirm":true}`, status: 400, code: chat.ErrInvalid},
		{name: "a visitor's token", as: visA, method: "PUT", path: idA, body: `{"customer_id":"member-7","confirm":true}`, status: 401, code: chat.ErrUnauthorized},
	})
	status, data := kim.do("PUT", idB, `{"customer_id":"member-8","confirm":true}`)
	if _, msg := errorBodyOf(t, data); status != 409 || !strings.Contains(msg, fmt.Sprintf("shop_member-8 (room %d)", cM8.RoomNo)) {
		t.Errorf("both open: %d %q should name the member's chat", status, msg)
	}

	// Confirmed: the member's identifier is what remains, with the
	// visitor's open chat.
	var cu chat.Customer
	kim.json("PUT", idA, `{"customer_id":"member-7","confirm":true}`, 200, &cu)
	if cu.Identifier != "shop_member-7" || cu.CustomerID != "member-7" || !cu.Verified || cu.Identifiers != 1 || cu.Name != "홍길동" {
		t.Fatalf("folded into %+v", cu)
	}
	d := kim.detailOf(cA.ID)
	if d.Conversation.CustomerID != cu.ID || d.Conversation.Identifier != "shop_member-7" || d.TotalConversations != 2 {
		t.Fatalf("the chat after the change: %+v, total %d", d.Conversation, d.TotalConversations)
	}
	if past := manager.detailOf(cPast.ID).Customer; past.ID != cu.ID {
		t.Fatalf("the member's past chat belongs to %+v", past)
	}

	// The visitor's widget goes on: on this node at once; on the second
	// node once it read the workspace again (WorkspaceTTL).
	visA.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), `{"client_msg_id":"a2","body":"member-7 입니다"}`, 201, nil)
	clock.advance(httpapi.WorkspaceTTL)
	at(t, second.URL, visA.bearer, "POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), `{"client_msg_id":"a3","body":"확인 부탁드려요"}`, 201)
	for _, body := range []string{"member-7 입니다", "확인 부탁드려요"} {
		if !hasVisitorMessage(t, visWS, body) {
			t.Fatalf("the visitor's socket did not carry %q", body)
		}
	}

	// A reload of either widget lands in the same chat: the visitor's
	// page has no login, but its session is the member's now; the
	// member's page signs in as member-7.
	var reA, reM sessionAnswer
	visA.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+visA.bearer+`"}`, 200, &reA)
	visM.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+visM.bearer+`"`+signed("member-7")+`}`, 200, &reM)
	for who, a := range map[string]sessionAnswer{"visitor": reA, "member": reM} {
		if a.Identifier != "shop_member-7" || a.CustomerID != "member-7" || a.Conversation == nil || a.Conversation.ID != cA.ID {
			t.Fatalf("the %s's reload: %+v", who, a)
		}
	}
	if reA.VisitorToken != visA.bearer || reM.VisitorToken != visM.bearer {
		t.Fatalf("a reload replaced a session: %+v %+v", reA, reM)
	}
	// The member writes; the visitor's widget shows it; every message is
	// in the chat, once.
	visM.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), `{"client_msg_id":"m1","body":"PC에서 이어서 씁니다"}`, 201, nil)
	if !hasVisitorMessage(t, visWS, "PC에서 이어서 씁니다") {
		t.Fatal("the visitor's socket did not carry the member's message")
	}
	var msgs []struct {
		Body string `json:"body"`
	}
	visM.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), "", 200, &msgs)
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, m.Body)
	}
	for _, want := range []string{"회원인데 로그인이 안 돼요", "회원 아이디를 알려 주세요", "member-7 입니다", "확인 부탁드려요", "PC에서 이어서 씁니다"} {
		if n := slices.Index(bodies, want); n < 0 || slices.Index(bodies[n+1:], want) >= 0 {
			t.Fatalf("%q not once in %q", want, bodies)
		}
	}
	// A logged-out page never resumes the member's own session.
	var out sessionAnswer
	visM.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+visM.bearer+`"}`, 200, &out)
	if out.CustomerID == "member-7" || out.VisitorToken == visM.bearer || out.Conversation != nil {
		t.Fatalf("a logged-out page resumed the member: %+v", out)
	}
}

// hasVisitorMessage waits on a visitor's socket for a message with body.
func hasVisitorMessage(t *testing.T, s *socket, body string) bool {
	t.Helper()
	for range 20 {
		var ev wireEvent
		must(t, json.Unmarshal(s.next("event").Event, &ev))
		if ev.Type == chat.EventMessageCreated && ev.Message != nil && ev.Message.Body == body {
			return true
		}
	}
	return false
}

// nodeClock is a second node's clock, moved on by hand.
type nodeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *nodeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *nodeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// secondNode serves the same database as e's, as another node does.
func secondNode(t *testing.T, e *env, now func() time.Time) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	hub := realtime.NewHub(e.store, bus.NewMemory(), log)
	done := make(chan struct{})
	go func() { defer close(done); hub.Run(ctx, 200*time.Millisecond) }()
	api := httpapi.New(httpapi.Config{BaseURL: e.srv.URL, Now: now, NoLimits: true}, e.store, app.New(e.store, hub, nil), e.files, hub, log)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() { srv.Close(); cancel(); <-done; api.Drain() })
	return srv
}

// at sends a visitor's request to the node at base and checks the status.
func at(t *testing.T, base, bearer, method, path, body string, want int) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s on the second node: %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
}
