package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// TestCustomerProfile edits the customer panel: refusals change nothing,
// the age derives from the birth date, the nickname names the customer in
// lists, and customer.updated brings managers the customer, agents only
// which customer changed, and nothing to another workspace.
func TestCustomerProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim, lee, master, olga := e.login("manager"), e.login("kim"), e.login("lee"), e.login("master"), e.login("olga")
	shop := e.shopPath()
	vis := e.visitor("shop", `,"language":"ko-KR","extra":{"cus_extra_username":"홍길동","cus_extra_plan":"gold"}`)
	cA := vis.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	cL := e.visitor("shop", "").start()
	lee.json("POST", e.convPath(cL.ID)+"/assign", "", 200, nil)
	cO := e.visitor("other", "").start()
	customer := e.convPath(cA.ID) + "/customer"

	// What the panel shows of a new visitor.
	d := kim.detailOf(cA.ID)
	cu := d.Customer
	if cu.Name != "홍길동" || cu.Nickname != "" || !strings.HasPrefix(cu.Identifier, "shop_v") || cu.Identifier != "shop_"+cu.ExternalID ||
		cu.CustomerID != cu.ExternalID || cu.Profile.ID == 0 || cu.Verified || cu.Identifiers != 1 || cu.Age != nil ||
		cu.Language != "ko-KR" || cu.IP != "127.0.0.1" || cu.Device == "" || cu.Extra["cus_extra_plan"] != "gold" ||
		cu.Tags == nil || len(cu.Tags) != 0 || d.TotalConversations != 1 {
		t.Fatalf("new customer %+v, total %d", cu, d.TotalConversations)
	}
	var raw struct{ Customer map[string]any }
	kim.json("GET", e.convPath(cA.ID), "", 200, &raw)
	for _, k := range []string{"id", "external_id", "identifier", "profile_id", "customer_id", "verified", "name", "nickname", "phone",
		"verified_phone", "email", "birth_date", "address", "note", "extra", "language", "ip", "device", "tags", "identifiers", "created_at"} {
		if _, ok := raw.Customer[k]; !ok {
			t.Errorf("customer has no %q: %v", k, raw.Customer)
		}
	}
	if _, ok := raw.Customer["age"]; ok {
		t.Errorf("age without a birth date: %v", raw.Customer)
	}

	future := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	e.refuse(func() string { return manager.state(e.convPath(cA.ID)) }, []scenario{
		{name: "invalid email", as: kim, method: "PATCH", path: customer, body: `{"email":"not-an-address"}`, status: 400, code: chat.ErrInvalid},
		{name: "email with a display name", as: kim, method: "PATCH", path: customer, body: `{"email":"Hong <hong@example.com>"}`, status: 400, code: chat.ErrInvalid},
		{name: "future birth date", as: kim, method: "PATCH", path: customer, body: `{"birth_date":"` + future + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "impossible birth date", as: kim, method: "PATCH", path: customer, body: `{"birth_date":"1990-02-30"}`, status: 400, code: chat.ErrInvalid},
		{name: "birth date without dashes", as: kim, method: "PATCH", path: customer, body: `{"birth_date":"19900517"}`, status: 400, code: chat.ErrInvalid},
		{name: "birth date before 1900", as: kim, method: "PATCH", path: customer, body: `{"birth_date":"1899-12-31"}`, status: 400, code: chat.ErrInvalid},
		{name: "note of 501 characters", as: kim, method: "PATCH", path: customer, body: `{"note":"` + strings.Repeat("메", chat.MaxNote+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "phone with letters", as: kim, method: "PATCH", path: customer, body: `{"phone":"call me"}`, status: 400, code: chat.ErrInvalid},
		{name: "name on two lines", as: kim, method: "PATCH", path: customer, body: `{"name":"홍\n길동"}`, status: 400, code: chat.ErrInvalid},
		{name: "one bad field refuses the good ones", as: kim, method: "PATCH", path: customer, body: `{"nickname":"VIP","email":"nope"}`, status: 400, code: chat.ErrInvalid},
		{name: "verified_phone is read-only", as: kim, method: "PATCH", path: customer, body: `{"verified_phone":"010-1234-5678"}`, status: 400, code: chat.ErrInvalid},
		{name: "age is derived", as: kim, method: "PATCH", path: customer, body: `{"age":30}`, status: 400, code: chat.ErrInvalid},
		{name: "name of the wrong type", as: kim, method: "PATCH", path: customer, body: `{"name":1}`, status: 400, code: chat.ErrInvalid},
		{name: "note of the wrong type", as: kim, method: "PATCH", path: customer, body: `{"note":["a"]}`, status: 400, code: chat.ErrInvalid},
		{name: "malformed JSON", as: kim, method: "PATCH", path: customer, body: `{"name":`, status: 400, code: "invalid_json"},
		{name: "colleague's customer", as: lee, method: "PATCH", path: customer, body: `{"nickname":"x"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "colleague reads the customer", as: lee, method: "GET", path: e.convPath(cA.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "another workspace's customer", as: master, method: "PATCH", path: e.convPath(cO.ID) + "/customer", body: `{"nickname":"x"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "without CSRF token", as: kim, method: "PATCH", path: customer, body: `{"nickname":"x"}`, header: []string{"X-CSRF-Token", ""}, status: 403, code: chat.ErrCSRF},
	})

	// Edits reach managers live; the agent who saved gets the customer back.
	// Agents, this one and a colleague, hear which customer changed (a
	// console showing it reads it again), not what; another workspace
	// nothing. The customer never sees what agents note about them.
	managerWS, kimWS, leeWS := manager.mustSocket(shop+"/ws"), kim.mustSocket(shop+"/ws"), lee.mustSocket(shop+"/ws")
	olgaWS := olga.mustSocket(fmt.Sprintf("/api/v1/workspaces/%d/ws", e.other.ID))
	visWS := vis.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", vis.bearer, cA.ID))
	for _, s := range []*socket{managerWS, kimWS, leeWS, olgaWS, visWS} {
		s.next("ready")
	}
	note := strings.Repeat("메모", chat.MaxNote/2) // 500 characters, 1500 bytes
	kim.json("PATCH", customer, `{"nickname":" VIP 홍 ","phone":"010-1234-5678","email":"hong@example.com","birth_date":"1990-05-17","address":"서울시 중구\n101호","note":"`+note+`"}`, 200, &cu)
	now := time.Now()
	age := now.Year() - 1990
	if now.Before(time.Date(now.Year(), 5, 17, 0, 0, 0, 0, now.Location())) {
		age--
	}
	if cu.Name != "홍길동" || cu.Nickname != "VIP 홍" || cu.Phone != "010-1234-5678" || cu.Email != "hong@example.com" ||
		cu.BirthDate != "1990-05-17" || cu.Age == nil || *cu.Age != age || cu.Address != "서울시 중구\n101호" || cu.Note != note {
		t.Fatalf("saved %+v", cu)
	}
	var ev customerEvent
	for ev.Type != chat.EventCustomerUpdated {
		must(t, json.Unmarshal(managerWS.next("event").Event, &ev))
	}
	if ev.Customer == nil || ev.Customer.ID != cu.ID || ev.Customer.Nickname != "VIP 홍" {
		t.Fatalf("manager's customer.updated %+v", ev)
	}
	for name, ws := range map[string]*socket{"kim": kimWS, "lee": leeWS} {
		var told struct {
			Type     chat.EventType
			Customer map[string]any
		}
		must(t, json.Unmarshal(ws.next("event").Event, &told))
		if want := map[string]any{"id": float64(cu.ID), "profile_id": float64(cu.Profile.ID)}; told.Type != chat.EventCustomerUpdated || !maps.Equal(told.Customer, want) {
			t.Fatalf("%s's customer.updated %+v, want the customer %v", name, told, want)
		}
		ws.quiet("event")
	}
	olgaWS.quiet("event")
	visWS.quiet("event")
	if got := manager.detailOf(cA.ID).Customer; got.Note != note || got.Age == nil || *got.Age != age {
		t.Fatalf("reloaded %+v", got)
	}

	// Lists name the customer by nickname; the name stays for the profile.
	var list []chat.Conversation
	kim.json("GET", shop+"/conversations?scope=mine", "", 200, &list)
	if len(list) != 1 || list[0].ID != cA.ID || list[0].CustomerName != "VIP 홍" {
		t.Fatalf("list %+v", list)
	}
	// "" clears, fields left out stay.
	cu = chat.Customer{}
	kim.json("PATCH", customer, `{"nickname":"","birth_date":""}`, 200, &cu)
	if cu.Nickname != "" || cu.BirthDate != "" || cu.Age != nil || cu.Email != "hong@example.com" || cu.Note != note {
		t.Fatalf("cleared %+v", cu)
	}
	kim.json("GET", shop+"/conversations?scope=mine", "", 200, &list)
	if list[0].CustomerName != "홍길동" {
		t.Fatalf("list after clearing the nickname %+v", list[0])
	}
	// An agent edits the customer of a conversation in the queue.
	cQ := e.visitor("shop", "").start()
	kim.json("PATCH", e.convPath(cQ.ID)+"/customer", `{"name":"김철수"}`, 200, &cu)
	if cu.Name != "김철수" {
		t.Fatalf("queued customer %+v", cu)
	}
}

// TestCustomerIDMerge changes a customer ID, refuses to merge without
// confirmation or beyond 50 identifiers, and merges profile and history;
// on the web the identifier follows the customer ID (§1.3).
func TestCustomerIDMerge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	manager, kim, lee, master := e.login("manager"), e.login("kim"), e.login("lee"), e.login("master")

	// user-42 (signed) had a conversation with kim; now an anonymous
	// visitor writes, whom kim recognises.
	signed := `,"site_uid":"user-42","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, "user-42") + `"`
	visB := e.visitor("shop", signed+`,"extra":{"cus_extra_email":"hong@example.com"}`)
	cB := visB.start()
	kim.json("POST", e.convPath(cB.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(cB.ID)+"/messages", `{"client_msg_id":"k1","body":"주문 확인했습니다"}`, 201, nil)
	kim.json("POST", e.convPath(cB.ID)+"/close", "", 200, nil)
	visA := e.visitor("shop", `,"extra":{"cus_extra_username":"홍길동"}`)
	cA := visA.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	cC := e.visitor("shop", "").start() // another customer, queued
	cO := e.visitor("other", "").start()
	id := e.convPath(cA.ID) + "/customer/id"
	history := e.convPath(cA.ID) + "/history"

	// A new customer ID without a conflict is a rename, of the web
	// identifier too.
	var cu chat.Customer
	kim.json("PUT", id, `{"customer_id":"hong-1990"}`, 200, &cu)
	if cu.CustomerID != "hong-1990" || cu.ExternalID != "hong-1990" || cu.Identifiers != 1 || cu.Identifier != "shop_hong-1990" {
		t.Fatalf("renamed %+v", cu)
	}
	if c := kim.detailOf(cA.ID).Conversation; c.Identifier != "shop_hong-1990" {
		t.Fatalf("the conversation's identifier %q", c.Identifier)
	}
	// The same ID again changes nothing.
	kim.json("PUT", id, `{"customer_id":"hong-1990"}`, 200, &cu)

	state := func() string {
		return manager.state(e.convPath(cA.ID), e.convPath(cB.ID), e.convPath(cC.ID), history)
	}
	e.refuse(state, []scenario{
		{name: "ID taken, not confirmed", as: kim, method: "PUT", path: id, body: `{"customer_id":"user-42"}`, status: 409, code: chat.ErrMergeRequired},
		{name: "ID taken, confirm false", as: kim, method: "PUT", path: id, body: `{"customer_id":"user-42","confirm":false}`, status: 409, code: chat.ErrMergeRequired},
		{name: "empty ID", as: kim, method: "PUT", path: id, body: `{"customer_id":""}`, status: 400, code: chat.ErrInvalid},
		{name: "ID with a space", as: kim, method: "PUT", path: id, body: `{"customer_id":"hong 1990"}`, status: 400, code: chat.ErrInvalid},
		{name: "Korean ID", as: kim, method: "PUT", path: id, body: `{"customer_id":"홍길동"}`, status: 400, code: chat.ErrInvalid},
		{name: "ID of 129 characters", as: kim, method: "PUT", path: id, body: `{"customer_id":"` + strings.Repeat("a", 129) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "confirm of the wrong type", as: kim, method: "PUT", path: id, body: `{"customer_id":"user-42","confirm":"yes"}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown field", as: kim, method: "PUT", path: id, body: `{"customer_id":"user-42","force":true}`, status: 400, code: chat.ErrInvalid},
		{name: "colleague changes the ID", as: lee, method: "PUT", path: id, body: `{"customer_id":"x-1"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "an agent changes the ID of a queued conversation", as: kim, method: "PUT", path: e.convPath(cC.ID) + "/customer/id", body: `{"customer_id":"x-1"}`, status: 403, code: chat.ErrNotAssignee},
		{name: "unknown conversation", as: master, method: "PUT", path: e.convPath(999999) + "/customer/id", body: `{"customer_id":"x-1"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "another workspace's conversation", as: master, method: "PUT", path: e.convPath(cO.ID) + "/customer/id", body: `{"customer_id":"x-1"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "history of another customer's conversation", as: kim, method: "GET", path: fmt.Sprintf("%s/%d", history, cB.ID), status: 404, code: chat.ErrConversationNotFound},
	})
	status, data := kim.do("PUT", id, `{"customer_id":"user-42"}`)
	if code, msg := errorBodyOf(t, data); status != 409 || !strings.Contains(msg, "shop_user-42") {
		t.Errorf("merge_required %d %s: %q should name the other customer", status, code, msg)
	}

	// Confirmed: one customer ID, both histories; the profile keeps what
	// it has and takes what it lacks. Both are web identifiers, so the
	// visitor's folds into the member's shop_user-42.
	kim.json("PUT", id, `{"customer_id":"user-42","confirm":true}`, 200, &cu)
	if cu.CustomerID != "user-42" || cu.Identifier != "shop_user-42" || cu.Identifiers != 1 || cu.Name != "홍길동" || cu.Email != "hong@example.com" || !cu.Verified {
		t.Fatalf("merged %+v", cu)
	}
	d := kim.detailOf(cA.ID)
	if d.TotalConversations != 2 || d.Customer.ID != cu.ID || d.Conversation.Identifier != "shop_user-42" {
		t.Fatalf("detail after the merge: total %d, %+v", d.TotalConversations, d.Customer)
	}
	if other := manager.detailOf(cB.ID).Customer; other.ID != cu.ID || other.Name != "홍길동" || !other.Verified || other.Identifiers != 1 {
		t.Fatalf("the other identifier after the merge %+v", other)
	}
	var past []chat.Conversation
	kim.json("GET", history, "", 200, &past)
	if len(past) != 2 || past[0].ID != cA.ID || past[1].ID != cB.ID || past[1].State != chat.StateClosed || past[1].ClosedAt == nil ||
		past[1].Channel != chat.ChannelWeb || len(past[1].AgentPath) != 1 || past[1].CategoryPath == nil {
		t.Fatalf("history %+v", past)
	}
	var item struct {
		Conversation    chat.Conversation `json:"conversation"`
		Messages        []chat.Message    `json:"messages"`
		DurationSeconds *int64            `json:"duration_seconds"`
	}
	kim.json("GET", fmt.Sprintf("%s/%d", history, cB.ID), "", 200, &item)
	if item.Conversation.ID != cB.ID || item.DurationSeconds == nil || *item.DurationSeconds < 0 ||
		!slices.ContainsFunc(item.Messages, func(m chat.Message) bool { return m.Body == "주문 확인했습니다" }) {
		t.Fatalf("past conversation %+v", item)
	}

	// Fifty identifiers at most: "bulk" has 49 KakaoTalk accounts, and
	// user-42 one besides its web identifier, so together they would make
	// 51. (A web identifier folds into the customer ID's own: it adds
	// none, so messenger accounts fill the customer ID.)
	kakao := e.messengers()
	k42 := kakao("u-42")
	_, _, err := e.store.ChangeCustomerID(ctx, e.shop.ID, k42.ID, "user-42", true, chat.Who{})
	must(t, err)
	for i := range 49 {
		b := kakao(fmt.Sprintf("bulk-%d", i))
		_, _, err := e.store.ChangeCustomerID(ctx, e.shop.ID, b.ID, "bulk", true, chat.Who{})
		must(t, err)
	}
	e.refuse(state, []scenario{
		{name: "merge beyond 50 identifiers", as: kim, method: "PUT", path: id, body: `{"customer_id":"bulk","confirm":true}`, status: 422, code: chat.ErrTooManyIdentifiers},
		{name: "beyond 50 identifiers, not confirmed", as: kim, method: "PUT", path: id, body: `{"customer_id":"bulk"}`, status: 422, code: chat.ErrTooManyIdentifiers},
		{name: "history of another customer", as: kim, method: "GET", path: fmt.Sprintf("%s/%d", history, cC.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "history of another workspace", as: kim, method: "GET", path: fmt.Sprintf("%s/%d", history, cO.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "history of an unknown conversation", as: kim, method: "GET", path: history + "/99999", status: 404, code: chat.ErrConversationNotFound},
		{name: "history ID not a number", as: kim, method: "GET", path: history + "/abc", status: 400, code: chat.ErrInvalid},
		{name: "history through a colleague's conversation", as: lee, method: "GET", path: history, status: 404, code: chat.ErrConversationNotFound},
	})
	// One more makes exactly fifty; the web identifier is named after it.
	kim.json("POST", e.convPath(cC.ID)+"/assign", "", 200, nil)
	kim.json("PUT", e.convPath(cC.ID)+"/customer/id", `{"customer_id":"bulk","confirm":true}`, 200, &cu)
	if cu.Identifiers != chat.MaxIdentifiers || cu.CustomerID != "bulk" || cu.Identifier != "shop_bulk" {
		t.Fatalf("fiftieth identifier %+v", cu)
	}
	kim.json("GET", e.convPath(cC.ID)+"/history", "", 200, &past)
	if len(past) != 1 || past[0].ID != cC.ID {
		t.Fatalf("bulk history %+v", past)
	}
}

// messengers makes KakaoTalk identifiers of a channel of the shop,
// straight in the store.
func (e *env) messengers() func(user string) *chat.Customer {
	e.t.Helper()
	ob := e.store.(outbox.Store)
	ch := &outbox.Endpoint{WorkspaceID: e.shop.ID, Kind: outbox.KindChannel, ChannelKind: "kakao", URL: "https://bridge.example.com/kakao",
		Events: outbox.ChannelEvents, SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	must(e.t, ob.CreateEndpoint(context.Background(), ch, "kakao-channel-token", chat.Who{}))
	return func(user string) *chat.Customer {
		e.t.Helper()
		cu, err := ob.ChannelCustomer(context.Background(), *ch, user, outbox.ChannelProfile{Name: user})
		must(e.t, err)
		return cu
	}
}
