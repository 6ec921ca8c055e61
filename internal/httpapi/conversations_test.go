package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestRating asks for a rating and takes it once, during or after the chat.
func TestRating(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim, lee := e.login("manager"), e.login("kim"), e.login("lee")
	manager.json("PATCH", e.shopPath(), `{"settings":{"rating_request":"상담은 어떠셨나요?"}}`, 200, nil)
	visA, visB := e.visitor("shop", ""), e.visitor("shop", "")
	cA, cB := visA.start(), visB.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	lee.json("POST", e.convPath(cB.ID)+"/assign", "", 200, nil)
	request := e.convPath(cA.ID) + "/rating-request"
	rate := func(c chat.Conversation) string { return fmt.Sprintf("/api/v1/widget/conversations/%d/rating", c.ID) }
	state := func() string {
		return manager.state(e.convPath(cA.ID), e.convPath(cA.ID)+"/messages", e.convPath(cB.ID))
	}

	e.refuse(state, []scenario{
		{name: "request before the first reply", as: kim, method: "POST", path: request, status: 409, code: chat.ErrNotReplied},
		{name: "rate before the first reply", as: visA, method: "POST", path: rate(cA), body: `{"score":5,"comment":""}`, status: 409, code: chat.ErrNotReplied},
	})
	var view visitorView
	var sess struct{ Conversation visitorView }
	visA.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+visA.bearer+`"}`, 200, &sess)
	if sess.Conversation.CanRate == nil || *sess.Conversation.CanRate || sess.Conversation.Rating != nil {
		t.Fatalf("before a reply %+v", sess.Conversation)
	}

	kim.json("POST", e.convPath(cA.ID)+"/messages", `{"client_msg_id":"k1","body":"도와드렸습니다"}`, 201, nil)
	lee.json("POST", e.convPath(cB.ID)+"/messages", `{"client_msg_id":"l1","body":"네"}`, 201, nil)
	visWS := visA.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visA.bearer, cA.ID))
	visWS.next("ready")
	var msg chat.Message
	kim.json("POST", request, "", 201, &msg)
	if msg.Kind != chat.KindSystem || msg.Body != chat.SystemRatingRequested || msg.Meta["text"] != "상담은 어떠셨나요?" || msg.ConversationID != cA.ID {
		t.Fatalf("request %+v", msg)
	}
	if ev := visWS.eventOf(chat.EventMessageCreated); ev.Message.Body != chat.SystemRatingRequested || ev.Message.Meta["text"] != "상담은 어떠셨나요?" {
		t.Fatalf("visitor's event %+v", ev.Message)
	}
	if d := kim.detailOf(cA.ID); d.Conversation.RatingRequestedAt == nil || d.Conversation.Rating != nil {
		t.Fatalf("requested %+v", d.Conversation)
	}
	visA.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+visA.bearer+`"}`, 200, &sess)
	if sess.Conversation.CanRate == nil || !*sess.Conversation.CanRate {
		t.Fatalf("after the request %+v", sess.Conversation)
	}

	e.refuse(state, []scenario{
		{name: "score 0", as: visA, method: "POST", path: rate(cA), body: `{"score":0,"comment":""}`, status: 400, code: chat.ErrInvalid},
		{name: "score 6", as: visA, method: "POST", path: rate(cA), body: `{"score":6,"comment":""}`, status: 400, code: chat.ErrInvalid},
		{name: "score of the wrong type", as: visA, method: "POST", path: rate(cA), body: `{"score":"5"}`, status: 400, code: chat.ErrInvalid},
		{name: "comment of 1001 characters", as: visA, method: "POST", path: rate(cA), body: `{"score":5,"comment":"` + strings.Repeat("좋", 1001) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "another visitor's conversation", as: visB, method: "POST", path: rate(cA), body: `{"score":1,"comment":""}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "rate without a token", as: e.anonymous(), method: "POST", path: rate(cA), body: `{"score":1,"comment":""}`, status: 401, code: chat.ErrUnauthorized},
		{name: "colleague asks for a rating", as: lee, method: "POST", path: request, status: 404, code: chat.ErrConversationNotFound},
		{name: "agent asks in a queued conversation", as: kim, method: "POST", path: e.convPath(e.visitor("shop", "").start().ID) + "/rating-request", status: 403, code: chat.ErrNotAssignee},
	})

	visA.json("POST", rate(cA), `{"score":4,"comment":"  친절했어요\n "}`, 200, &view)
	if view.ID != cA.ID || view.Rating == nil || view.Rating.Score != 4 || view.Rating.Comment != "친절했어요" || view.CanRate == nil || *view.CanRate {
		t.Fatalf("rated %+v", view)
	}
	if ev := visWS.eventOf(chat.EventConversationUpdated); ev.Message == nil || ev.Message.Body != chat.SystemRated || ev.Message.Meta["score"] != "4" {
		t.Fatalf("visitor's rated event %+v", ev.Message)
	}
	if d := kim.detailOf(cA.ID); d.Conversation.Rating == nil || d.Conversation.Rating.Score != 4 || d.Conversation.Rating.Comment != "친절했어요" {
		t.Fatalf("console sees %+v", d.Conversation.Rating)
	}
	var msgs []chat.Message
	kim.json("GET", e.convPath(cA.ID)+"/messages", "", 200, &msgs)
	if last := msgs[len(msgs)-1]; last.Body != chat.SystemRated || last.Meta["score"] != "4" || last.Meta["comment"] != "친절했어요" {
		t.Fatalf("agent's transcript ends with %+v", last)
	}

	// After the close: no more requests, but the customer may rate once.
	lee.json("POST", e.convPath(cB.ID)+"/close", "", 200, nil)
	e.refuse(state, []scenario{
		{name: "second rating", as: visA, method: "POST", path: rate(cA), body: `{"score":5,"comment":""}`, status: 409, code: chat.ErrAlreadyRated},
		{name: "request after the close", as: lee, method: "POST", path: e.convPath(cB.ID) + "/rating-request", status: 409, code: chat.ErrConversationClosed},
	})
	visB.json("POST", rate(cB), `{"score":5,"comment":""}`, 200, &view)
	if view.State != chat.StateClosed || view.Rating == nil || view.Rating.Score != 5 {
		t.Fatalf("rated after the close %+v", view)
	}
	var seen []chat.Message
	visB.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cB.ID), "", 200, &seen)
	if last := seen[len(seen)-1]; last.Body != chat.SystemRated || last.Meta["score"] != "5" {
		t.Fatalf("visitor's transcript ends with %+v", last)
	}
	e.refuse(state, []scenario{
		{name: "second rating after the close", as: visB, method: "POST", path: rate(cB), body: `{"score":1,"comment":""}`, status: 409, code: chat.ErrAlreadyRated},
	})
}

// TestGreeting sends the workspace's greeting when a chat starts.
func TestGreeting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim := e.login("manager"), e.login("kim")
	before := e.visitor("shop", "")
	cBefore := before.start()
	e.refuse(func() string { return manager.state(e.shopPath()) }, []scenario{
		{name: "greeting of 1001 characters", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"greeting":"` + strings.Repeat("안", chat.MaxGreeting+1) + `"}}`, status: 400, code: chat.ErrInvalid},
		{name: "rating request of 1001 characters", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"rating_request":"` + strings.Repeat("안", chat.MaxGreeting+1) + `"}}`, status: 400, code: chat.ErrInvalid},
		{name: "greeting of the wrong type", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"greeting":true}}`, status: 400, code: chat.ErrInvalid},
		{name: "agent sets the greeting", as: kim, method: "PATCH", path: e.shopPath(), body: `{"settings":{"greeting":"x"}}`, status: 403, code: chat.ErrRoleRequired},
	})
	var ws struct{ Settings chat.Settings }
	manager.json("PATCH", e.shopPath(), `{"settings":{"greeting":"안녕하세요, 소담입니다 😊"}}`, 200, &ws)
	if ws.Settings.Greeting != "안녕하세요, 소담입니다 😊" || ws.Settings.RatingRequest != "" {
		t.Fatalf("settings %+v", ws.Settings)
	}
	vis := e.visitor("shop", "")
	c := vis.start()
	var seen []chat.Message
	vis.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), "", 200, &seen)
	if len(seen) == 0 || seen[0].Kind != chat.KindSystem || seen[0].Body != chat.SystemGreeting || seen[0].Meta["text"] != "안녕하세요, 소담입니다 😊" {
		t.Fatalf("visitor's first messages %+v", seen)
	}
	var msgs []chat.Message
	kim.json("GET", e.convPath(c.ID)+"/messages", "", 200, &msgs)
	if len(msgs) == 0 || msgs[0].Body != chat.SystemGreeting {
		t.Fatalf("agent's first messages %+v", msgs)
	}
	// Resuming the open chat does not greet again; a chat started before
	// the greeting has none.
	vis.start()
	var again, older []chat.Message
	vis.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), "", 200, &again)
	greetings := 0
	for _, m := range again {
		if m.Body == chat.SystemGreeting {
			greetings++
		}
	}
	before.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cBefore.ID), "", 200, &older)
	if greetings != 1 || slices.ContainsFunc(older, func(m chat.Message) bool { return m.Body == chat.SystemGreeting }) {
		t.Fatalf("greetings %d; before the setting %+v", greetings, older)
	}
}

// TestLifecycleRefusals: every refused lifecycle request gets its precise
// code and changes nothing.
func TestLifecycleRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim, lee, olga := e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	anon := e.anonymous()
	// kim holds cA (waiting); cB is queued.
	visA, visB := e.visitor("shop", ""), e.visitor("shop", "")
	cA, cB := visA.start(), visB.start()
	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	conv := func(c chat.Conversation) string { return fmt.Sprintf("%s/conversations/%d", shop, c.ID) }
	kim.json("POST", conv(cA)+"/assign", "", 200, nil)
	e.setStatus("lee", chat.StatusOffline)
	olgaID := e.agents["olga"].ID
	kimID, leeID := e.agents["kim"].ID, e.agents["lee"].ID

	e.run([]scenario{
		// Settings.
		{name: "unknown time zone", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"time_zone":"Mars/Base"}}}`, status: 400, code: chat.ErrInvalid},
		{name: "lunch outside hours", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"days":[{},{"open":true,"start":"09:00","end":"18:00","lunch_start":"17:30","lunch_end":"18:30"},{},{},{},{},{}]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "closing at opening", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"days":[{"open":true,"start":"09:00","end":"09:00"},{},{},{},{},{},{}]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "malformed hour", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"days":[{"open":true,"start":"9am","end":"18:00"},{},{},{},{},{},{}]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "signed hour", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"days":[{"open":true,"start":"+9:00","end":"18:00"},{},{},{},{},{},{}]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "hour with a space", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"days":[{"open":true,"start":"09:00","end":"18: 0"},{},{},{},{},{},{}]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "bad holiday", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"holidays":["2026-02-30"]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "holidays null", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"holidays":null}}}`, status: 400, code: chat.ErrInvalid},
		{name: "six weekdays", as: manager, method: "PATCH", path: shop, body: `{"settings":{"business_hours":{"days":[{},{},{},{},{},{}]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown assignment mode", as: manager, method: "PATCH", path: shop, body: `{"settings":{"assignment_mode":"lottery"}}`, status: 400, code: chat.ErrInvalid},
		{name: "negative default capacity", as: manager, method: "PATCH", path: shop, body: `{"settings":{"default_capacity":-1}}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown setting", as: manager, method: "PATCH", path: shop, body: `{"settings":{"colour":"red"}}`, status: 400, code: chat.ErrInvalid},
		{name: "setting of the wrong type", as: manager, method: "PATCH", path: shop, body: `{"settings":{"sticky":"yes"}}`, status: 400, code: chat.ErrInvalid},
		{name: "agent changes settings", as: kim, method: "PATCH", path: shop, body: `{"settings":{"operation_stopped":true}}`, status: 403, code: chat.ErrRoleRequired},

		// Capacity.
		{name: "capacity below zero", as: manager, method: "PUT", path: fmt.Sprintf("%s/agents/%d/capacity", shop, kimID), body: `{"capacity":-1}`, status: 400, code: chat.ErrInvalid},
		{name: "capacity of another workspace's agent", as: manager, method: "PUT", path: fmt.Sprintf("%s/agents/%d/capacity", shop, olgaID), body: `{"capacity":3}`, status: 404, code: chat.ErrAgentNotFound},
		{name: "agent sets capacity", as: kim, method: "PUT", path: fmt.Sprintf("%s/agents/%d/capacity", shop, kimID), body: `{"capacity":50}`, status: 403, code: chat.ErrRoleRequired},

		// Transfer.
		{name: "transfer to an offline agent", as: kim, method: "POST", path: conv(cA) + "/transfer", body: fmt.Sprintf(`{"agent_id":%d}`, leeID), status: 409, code: chat.ErrAgentNotOnline},
		{name: "transfer to another workspace's agent", as: kim, method: "POST", path: conv(cA) + "/transfer", body: fmt.Sprintf(`{"agent_id":%d}`, olgaID), status: 404, code: chat.ErrAgentNotFound},
		{name: "transfer to an unknown agent", as: kim, method: "POST", path: conv(cA) + "/transfer", body: `{"agent_id":999}`, status: 404, code: chat.ErrAgentNotFound},
		{name: "transfer to nobody", as: kim, method: "POST", path: conv(cA) + "/transfer", body: `{"reason":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "transfer a colleague's", as: lee, method: "POST", path: conv(cA) + "/transfer", body: fmt.Sprintf(`{"agent_id":%d}`, leeID), status: 404, code: chat.ErrConversationNotFound},
		{name: "transfer by an agent from the queue", as: kim, method: "POST", path: conv(cB) + "/transfer", body: fmt.Sprintf(`{"agent_id":%d}`, kimID), status: 403, code: chat.ErrNotAssignee},
		{name: "transfer from another workspace", as: olga, method: "POST", path: conv(cA) + "/transfer", body: fmt.Sprintf(`{"agent_id":%d}`, olgaID), status: 404, code: chat.ErrWorkspaceNotFound},

		// Hold and important.
		{name: "hold before the first reply", as: kim, method: "POST", path: conv(cA) + "/hold", body: `{"on":true}`, status: 409, code: chat.ErrHoldNeedsActive},
		{name: "hold without on", as: kim, method: "POST", path: conv(cA) + "/hold", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "hold a queued one", as: manager, method: "POST", path: conv(cB) + "/hold", body: `{"on":true}`, status: 409, code: chat.ErrHoldNeedsActive},
		{name: "agent flags a queued one", as: kim, method: "POST", path: conv(cB) + "/important", body: `{"on":true}`, status: 403, code: chat.ErrNotAssignee},
		{name: "bad flag filter", as: kim, method: "GET", path: shop + "/conversations?flag=urgent", status: 400, code: chat.ErrInvalid},

		// Block.
		{name: "block without a reason", as: kim, method: "POST", path: conv(cA) + "/block", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "block for an unknown reason", as: kim, method: "POST", path: conv(cA) + "/block", body: `{"reason":"rude"}`, status: 400, code: chat.ErrInvalid},
		{name: "agent blocks from the queue", as: kim, method: "POST", path: conv(cB) + "/block", body: `{"reason":"spam"}`, status: 403, code: chat.ErrNotAssignee},
		{name: "agent lists blocked customers", as: kim, method: "GET", path: shop + "/blocked", status: 403, code: chat.ErrRoleRequired},
		{name: "unblock an unknown customer", as: manager, method: "DELETE", path: shop + "/blocked/999", status: 404, code: chat.ErrNotFound},

		// Tickets.
		{name: "left message without contact", as: visB, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍길동","message":"연락 주세요"}`, status: 400, code: chat.ErrInvalid},
		{name: "left message with a bad contact", as: visB, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍길동","contact":"tomorrow","message":"연락 주세요"}`, status: 400, code: chat.ErrInvalid},
		{name: "left message without a token", as: anon, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍길동","contact":"a@b.co","message":"x"}`, status: 401, code: chat.ErrUnauthorized},
		{name: "bad ticket status", as: kim, method: "GET", path: shop + "/tickets?status=maybe", status: 400, code: chat.ErrInvalid},
		{name: "unknown ticket", as: kim, method: "PATCH", path: shop + "/tickets/999", body: `{"note":"x"}`, status: 404, code: chat.ErrNotFound},
	})
	// Nothing the refusals touched changed.
	ws, err := e.store.Workspace(context.Background(), e.shop.ID)
	must(t, err)
	if !reflect.DeepEqual(ws.Settings, chat.DefaultSettings()) {
		t.Fatalf("settings changed: %+v", ws.Settings)
	}
	m, err := e.store.Member(context.Background(), e.shop.ID, kimID)
	must(t, err)
	tickets, err := e.store.Tickets(context.Background(), e.shop.ID, chat.TicketFilter{})
	must(t, err)
	if m.Capacity != nil || len(tickets) != 0 {
		t.Fatalf("capacity %v, tickets %+v", m.Capacity, tickets)
	}
}

// TestLifecycleFlow drives the rules over HTTP: auto assignment with the
// queue shown to the visitor live, transfer, hold, operation stopped, leave
// a message, block.
func TestLifecycleFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim := e.login("manager"), e.login("kim")
	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	conv := func(id int64) string { return fmt.Sprintf("%s/conversations/%d", shop, id) }
	for _, name := range []string{"master", "manager", "lee"} {
		e.setStatus(name, chat.StatusAway)
	}
	// Auto, one conversation per agent: kim takes the first, the next queue.
	manager.json("PATCH", shop, `{"settings":{"assignment_mode":"auto","default_capacity":1}}`, 200, nil)
	first := e.visitor("shop", "").start()
	if first.State != chat.StateWaiting || first.AssigneeName != "kim" {
		t.Fatalf("first %+v", first)
	}
	v2, v3 := e.visitor("shop", ""), e.visitor("shop", "")
	var c2, c3 struct {
		ID            int64
		State         chat.State
		QueuePosition int `json:"queue_position"`
	}
	status, data := v2.do("POST", "/api/v1/widget/conversations", `{"consent":true}`)
	must(t, json.Unmarshal(data, &c2))
	status3, data3 := v3.do("POST", "/api/v1/widget/conversations", `{"consent":true}`)
	must(t, json.Unmarshal(data3, &c3))
	if status != 201 || status3 != 201 || c2.State != chat.StateUnassigned || c2.QueuePosition != 1 || c3.QueuePosition != 2 {
		t.Fatalf("queued %+v %+v", c2, c3)
	}
	ws3 := v3.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v3.bearer, c3.ID))
	if f := ws3.next("queue"); f.Type != "queue" || queuePos(f) != 2 {
		t.Fatalf("first queue frame %+v", f)
	}
	// kim takes the first; the one closed frees kim for c2; c3 moves up.
	kim.json("POST", conv(first.ID)+"/close", "", 200, nil)
	if f := ws3.next("queue"); queuePos(f) != 1 {
		t.Fatalf("queue frame after a close %+v", f)
	}
	// Manual take is refused in auto mode. (Not by lee: signing in puts
	// lee online, and routing gives lee c3 at once.)
	status, data = manager.do("POST", conv(c3.ID)+"/assign", "")
	if code, _ := errorBodyOf(t, data); status != 409 || code != chat.ErrAutoAssignOnly {
		t.Fatalf("take in auto mode: %d %s", status, data)
	}

	// kim answers c2 and transfers it to lee, who comes online and takes c3
	// at once, with a reason the visitor does not see.
	kim.json("POST", conv(c2.ID)+"/messages", `{"client_msg_id":"k1","body":"안녕하세요"}`, 201, nil)
	e.setStatus("lee", chat.StatusOnline)
	lee := e.login("lee")
	var moved chat.Conversation
	kim.json("POST", conv(c2.ID)+"/transfer", fmt.Sprintf(`{"agent_id":%d,"reason":"결제 담당"}`, e.agents["lee"].ID), 200, &moved)
	if moved.AssigneeName != "lee" || moved.State != chat.StateWaiting || len(moved.AgentPath) != 2 {
		t.Fatalf("moved %+v", moved)
	}
	var seen []struct {
		Kind chat.MessageKind
		Body string
		Meta map[string]string
	}
	v2.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c2.ID), "", 200, &seen)
	last := seen[len(seen)-1]
	if last.Body != chat.SystemTransferred || last.Meta["to"] != "lee" || last.Meta["reason"] != "" || last.Meta["from"] != "" {
		t.Fatalf("visitor sees the transfer as %+v", last)
	}

	// Hold: only while active; no sending while held.
	lee.json("POST", conv(c2.ID)+"/messages", `{"client_msg_id":"l1","body":"이어서 도와드릴게요"}`, 201, nil)
	lee.json("POST", conv(c2.ID)+"/hold", `{"on":true}`, 200, nil)
	if status, _ := lee.do("POST", conv(c2.ID)+"/messages", `{"client_msg_id":"l2","body":"?"}`); status != 409 {
		t.Fatalf("send while held: %d", status)
	}
	lee.json("POST", conv(c2.ID)+"/important", `{"on":true}`, 200, nil)
	var flagged []chat.Conversation
	manager.json("GET", shop+"/conversations?flag=both", "", 200, &flagged)
	if len(flagged) != 1 || flagged[0].ID != c2.ID {
		t.Fatalf("important and held: %+v", flagged)
	}
	lee.json("POST", conv(c2.ID)+"/hold", `{"on":false}`, 200, nil)

	// Operation stopped: no agent sends, the widget offers leave-a-message.
	manager.json("PATCH", shop, `{"settings":{"operation_stopped":true}}`, 200, nil)
	var refused struct{ Error struct{ Code string } }
	status, data = lee.do("POST", conv(c2.ID)+"/messages", `{"client_msg_id":"l3","body":"?"}`)
	json.Unmarshal(data, &refused)
	if status != 409 || refused.Error.Code != chat.ErrOperationStopped {
		t.Fatalf("send while stopped: %d %s", status, data)
	}
	var cfg struct {
		Availability chat.Availability
		TimeZone     string `json:"time_zone"`
	}
	e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
	if cfg.Availability != chat.UnavailableStopped || cfg.TimeZone != chat.DefaultTimeZone {
		t.Fatalf("availability %q, time zone %q", cfg.Availability, cfg.TimeZone)
	}
	// The widget shows times in the workspace's time zone.
	manager.json("PATCH", shop, `{"settings":{"business_hours":{"time_zone":"Pacific/Honolulu"}}}`, 200, nil)
	e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
	if cfg.TimeZone != "Pacific/Honolulu" {
		t.Fatalf("time zone %q after the workspace changed it", cfg.TimeZone)
	}
	late := e.visitor("shop", "")
	status, data = late.do("POST", "/api/v1/widget/conversations", `{"consent":true}`)
	json.Unmarshal(data, &refused)
	if status != 409 || refused.Error.Code != chat.ErrUnavailable {
		t.Fatalf("start while stopped: %d %s", status, data)
	}
	late.json("POST", "/api/v1/widget/tickets", `{"name":"홍길동","contact":"hong@example.com","message":"환불 받고 싶어요"}`, 201, nil)
	var tickets []chat.Ticket
	kim.json("GET", shop+"/tickets?status=open", "", 200, &tickets)
	if len(tickets) != 1 || tickets[0].Contact != "hong@example.com" {
		t.Fatalf("to check: %+v", tickets)
	}
	var solved chat.Ticket
	kim.json("PATCH", fmt.Sprintf("%s/tickets/%d", shop, tickets[0].ID), fmt.Sprintf(`{"status":"solved","note":"메일로 안내","assignee_id":%d}`, e.agents["kim"].ID), 200, &solved)
	if solved.Status != chat.TicketSolved || solved.SolvedAt == nil {
		t.Fatalf("solved %+v", solved)
	}
	manager.json("PATCH", shop, `{"settings":{"operation_stopped":false}}`, 200, nil)

	// Block: the conversation closes, the widget is told, settings unblock.
	var blocked chat.Customer
	lee.json("POST", conv(c2.ID)+"/block", `{"reason":"abuse","note":"욕설"}`, 200, &blocked)
	if blocked.BlockedAt == nil {
		t.Fatalf("blocked %+v", blocked)
	}
	var sess struct {
		Blocked      bool
		Conversation *chat.Conversation
	}
	v2.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+v2.bearer+`"}`, 200, &sess)
	if !sess.Blocked || sess.Conversation != nil {
		t.Fatalf("blocked visitor's session %+v", sess)
	}
	status, data = v2.do("POST", "/api/v1/widget/conversations", `{"consent":true}`)
	json.Unmarshal(data, &refused)
	if status != 403 || refused.Error.Code != chat.ErrCustomerBlocked {
		t.Fatalf("blocked start: %d %s", status, data)
	}
	// Nor rate the chat they were blocked in: a troll's one star would
	// stand in the agent's statistics.
	status, data = v2.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/rating", c2.ID), `{"score":1,"comment":"최악"}`)
	json.Unmarshal(data, &refused)
	if status != 403 || refused.Error.Code != chat.ErrCustomerBlocked {
		t.Fatalf("blocked rating: %d %s", status, data)
	}
	if after, err := e.store.Conversation(context.Background(), e.shop.ID, c2.ID); err != nil || after.Rating != nil {
		t.Fatalf("after a blocked customer's rating: %+v, %v", after.Rating, err)
	}
	var list []chat.Customer
	manager.json("GET", shop+"/blocked", "", 200, &list)
	if len(list) != 1 || list[0].BlockReason != "abuse" {
		t.Fatalf("blocked list %+v", list)
	}
	manager.json("DELETE", fmt.Sprintf("%s/blocked/%d", shop, list[0].ID), "", 200, nil)
	v2.start()
}
