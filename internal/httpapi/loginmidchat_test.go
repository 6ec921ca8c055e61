package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestLoginMidChat (§1.3): an anonymous visitor chatting logs in on the
// company's site; the page now passes the member's signed site_uid with
// the visitor's token. The chat goes on in the member's widget — the same
// conversation, every message kept, the agent's answers read — and the
// agent sees the member. Not carried, leaving everything as it was: a
// visitor without an open chat, one who ended theirs, one an agent gave a
// customer ID, a member with an open chat of their own; a forged
// signature is refused. On both stores.
func TestLoginMidChat(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { loginMidChat(t, newEnvOn(t, kind, nil)) })
	}
}

func loginMidChat(t *testing.T, e *env) {
	kim, manager := e.login("kim"), e.login("manager")
	signed := func(uid string) string {
		return `,"site_uid":"` + uid + `","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, uid) + `"`
	}
	// login is the page after the visitor logged in as uid.
	login := func(vis *client, uid string) (sessionAnswer, *client) {
		t.Helper()
		var s sessionAnswer
		vis.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+vis.bearer+`"`+signed(uid)+`}`, 200, &s)
		member := e.anonymous()
		member.bearer = s.VisitorToken
		return s, member
	}
	sendAs := func(vis *client, c int64, id, body string, want int) {
		t.Helper()
		vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c), `{"client_msg_id":"`+id+`","body":"`+body+`"}`, want, nil)
	}

	// Member-7 chatted last month.
	past := e.visitor("shop", signed("member-7")).start()
	kim.json("POST", e.convPath(past.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(past.ID)+"/close", "", 200, nil)

	// An anonymous visitor asks; the agent asks them to log in.
	visA := e.visitor("shop", `,"extra":{"cus_extra_username":"홍길동"}`)
	cA := visA.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	sendAs(visA, cA.ID, "a1", "주문 조회가 안 돼요", 201)
	kim.json("POST", e.convPath(cA.ID)+"/messages", `{"client_msg_id":"k1","body":"로그인 후 다시 말씀해 주세요"}`, 201, nil)

	// A forged login changes nothing.
	before := manager.state(e.convPath(cA.ID), e.convPath(past.ID))
	status, data := visA.do("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+visA.bearer+`","site_uid":"member-7","site_uid_sig":"`+chat.SignSiteUID("guess", "member-7")+`"}`)
	if code, _ := errorBodyOf(t, data); status != 401 || code != chat.ErrBadSignature {
		t.Fatalf("a forged login: %d %s", status, data)
	}
	if after := manager.state(e.convPath(cA.ID), e.convPath(past.ID)); after != before {
		t.Fatalf("a forged login changed\n%s\ninto\n%s", before, after)
	}

	// The visitor logs in: the member's widget resumes the chat.
	s, member := login(visA, "member-7")
	if s.Conversation == nil || s.Conversation.ID != cA.ID || s.CustomerID != "member-7" || s.Identifier != "shop_member-7" {
		t.Fatalf("after logging in mid-chat: %+v", s)
	}
	sendAs(member, cA.ID, "a2", "로그인했어요", 201)
	var msgs []struct{ Body string }
	member.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), "", 200, &msgs)
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, m.Body)
	}
	if got, _ := json.Marshal(bodies); string(got) != `["assigned","주문 조회가 안 돼요","로그인 후 다시 말씀해 주세요","로그인했어요"]` {
		t.Fatalf("the member's widget shows %s", got)
	}
	d := kim.detailOf(cA.ID)
	if d.Customer.Identifier != "shop_member-7" || !d.Customer.Verified || d.Customer.Name != "홍길동" || d.TotalConversations != 2 {
		t.Fatalf("the agent sees %+v, %d conversations", d.Customer, d.TotalConversations)
	}
	kim.json("POST", e.convPath(cA.ID)+"/messages", `{"client_msg_id":"k2","body":"확인되었습니다"}`, 201, nil)

	// Not carried: a visitor with no chat open ...
	idle := e.visitor("shop", "")
	if s, _ := login(idle, "member-11"); s.Conversation != nil || s.CustomerID != "member-11" {
		t.Fatalf("an idle visitor's login: %+v", s)
	}
	// ... one an agent gave a customer ID ...
	visG := e.visitor("shop", "")
	cG := visG.start()
	kim.json("POST", e.convPath(cG.ID)+"/assign", "", 200, nil)
	kim.json("PUT", e.convPath(cG.ID)+"/customer/id", `{"customer_id":"guest-42"}`, 200, nil)
	// ... and one whose member has a chat open: each chat stays its own.
	visB := e.visitor("shop", "")
	cB := visB.start()
	kim.json("POST", e.convPath(cB.ID)+"/assign", "", 200, nil)
	c8 := e.visitor("shop", signed("member-8")).start()
	before = manager.state(e.convPath(cG.ID), e.convPath(cB.ID), e.convPath(c8.ID))
	if s, _ := login(visG, "member-9"); s.Conversation != nil {
		t.Fatalf("a visitor with a customer ID carried into member-9: %+v", s)
	}
	if s, _ := login(visB, "member-8"); s.Conversation == nil || s.Conversation.ID != c8.ID {
		t.Fatalf("member-8's login: %+v, want their own chat %d", s, c8.ID)
	}
	if after := manager.state(e.convPath(cG.ID), e.convPath(cB.ID), e.convPath(c8.ID)); after != before {
		t.Fatalf("logins that carry nothing changed\n%s\ninto\n%s", before, after)
	}
	// ... and one who ended their chat.
	visE := e.visitor("shop", "")
	cE := visE.start()
	kim.json("POST", e.convPath(cE.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(cE.ID)+"/messages", `{"client_msg_id":"k3","body":"안녕하세요"}`, 201, nil)
	visE.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", cE.ID), "", 200, nil)
	if s, _ := login(visE, "member-12"); s.Conversation != nil {
		t.Fatalf("an ended chat carried into member-12: %+v", s)
	}
	if d := kim.detailOf(cE.ID); d.Customer.Verified {
		t.Fatalf("the ended chat's customer became %+v", d.Customer)
	}
}
