package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Scenario tests of the customer panel and the agent tools (§4, §5):
// profile, customer ID and merge, tags, categories, wrap-up note, history,
// canned responses, rating and greeting.

// detail is GET /conversations/{cid}.
type detail struct {
	Conversation       chat.Conversation `json:"conversation"`
	Customer           chat.Customer     `json:"customer"`
	TotalConversations int               `json:"total_conversations"`
}

func (e *env) shopPath() string { return fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID) }

// convPath is a conversation of the shop workspace in the console API.
func (e *env) convPath(id int64) string {
	return fmt.Sprintf("%s/conversations/%d", e.shopPath(), id)
}

// detailOf reads a conversation with its customer as c.
func (c *client) detailOf(id int64) detail {
	c.e.t.Helper()
	var d detail
	c.json("GET", c.e.convPath(id), "", 200, &d)
	return d
}

// state reads each path as c and joins the answers.
func (c *client) state(paths ...string) string {
	c.e.t.Helper()
	var b strings.Builder
	for _, p := range paths {
		status, data := c.do("GET", p, "")
		if status != 200 {
			c.e.t.Fatalf("GET %s: status %d: %s", p, status, data)
		}
		fmt.Fprintf(&b, "%s %s\n", p, data)
	}
	return b.String()
}

// refuse runs refusals like run and checks, beyond the event log, that
// the state read before and after — through the API — is the same.
func (e *env) refuse(read func() string, scenarios []scenario) {
	e.t.Helper()
	before := read()
	e.run(scenarios)
	if after := read(); after != before {
		e.t.Fatalf("refused requests changed the state:\nbefore %s\nafter  %s", before, after)
	}
}

// errorBodyOf decodes an error answer.
func errorBodyOf(t *testing.T, data []byte) (code, message string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("not an error body: %s", data)
	}
	return body.Error.Code, body.Error.Message
}

// customerEvent is an agent socket's event with its customer.
type customerEvent struct {
	Type     chat.EventType `json:"type"`
	Customer *chat.Customer `json:"customer"`
}

// TestCustomerProfile edits the customer panel: refusals change nothing,
// the age derives from the birth date, the nickname names the customer in
// lists, and customer.updated reaches managers but not agents.
func TestCustomerProfile(t *testing.T) {
	e := newEnv(t)
	manager, kim, lee, master := e.login("manager"), e.login("kim"), e.login("lee"), e.login("master")
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
	// The customer never sees what agents note about them.
	managerWS, kimWS := manager.mustSocket(shop+"/ws"), kim.mustSocket(shop+"/ws")
	visWS := vis.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", vis.bearer, cA.ID))
	for _, s := range []*socket{managerWS, kimWS, visWS} {
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
	kimWS.quiet("event")
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
// confirmation or beyond 50 identifiers, and merges profile and history.
func TestCustomerIDMerge(t *testing.T) {
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

	// A new customer ID without a conflict is a rename.
	var cu chat.Customer
	kim.json("PUT", id, `{"customer_id":"hong-1990"}`, 200, &cu)
	if cu.CustomerID != "hong-1990" || !strings.HasPrefix(cu.ExternalID, "v") || cu.Identifiers != 1 || cu.Identifier != "shop_"+cu.ExternalID {
		t.Fatalf("renamed %+v", cu)
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
		{name: "another workspace's conversation", as: master, method: "PUT", path: e.convPath(cO.ID) + "/customer/id", body: `{"customer_id":"x-1"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "history of another customer's conversation", as: kim, method: "GET", path: fmt.Sprintf("%s/%d", history, cB.ID), status: 404, code: chat.ErrConversationNotFound},
	})
	status, data := kim.do("PUT", id, `{"customer_id":"user-42"}`)
	if code, msg := errorBodyOf(t, data); status != 409 || !strings.Contains(msg, "shop_user-42") {
		t.Errorf("merge_required %d %s: %q should name the other customer", status, code, msg)
	}

	// Confirmed: one customer ID, both identifiers, both histories; the
	// profile keeps what it has and takes what it lacks.
	kim.json("PUT", id, `{"customer_id":"user-42","confirm":true}`, 200, &cu)
	if cu.CustomerID != "user-42" || cu.Identifiers != 2 || cu.Name != "홍길동" || cu.Email != "hong@example.com" || cu.Verified {
		t.Fatalf("merged %+v", cu)
	}
	d := kim.detailOf(cA.ID)
	if d.TotalConversations != 2 || d.Customer.CustomerID != "user-42" {
		t.Fatalf("detail after the merge: total %d, %+v", d.TotalConversations, d.Customer)
	}
	if other := manager.detailOf(cB.ID).Customer; other.CustomerID != "user-42" || other.Name != "홍길동" || !other.Verified || other.Identifiers != 2 {
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

	// Fifty identifiers at most: "bulk" has 49, so user-42's two would make 51.
	for i := range 49 {
		b := &chat.Customer{WorkspaceID: e.shop.ID, ExternalID: fmt.Sprintf("bulk-%d", i)}
		must(t, e.store.UpsertCustomer(ctx, b))
		_, _, err := e.store.ChangeCustomerID(ctx, e.shop.ID, b.ID, "bulk", true)
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
	// One more makes exactly fifty.
	kim.json("PUT", e.convPath(cC.ID)+"/customer/id", `{"customer_id":"bulk","confirm":true}`, 200, &cu)
	if cu.Identifiers != chat.MaxIdentifiers || cu.CustomerID != "bulk" {
		t.Fatalf("fiftieth identifier %+v", cu)
	}
	kim.json("GET", e.convPath(cC.ID)+"/history", "", 200, &past)
	if len(past) != 1 || past[0].ID != cC.ID {
		t.Fatalf("bulk history %+v", past)
	}
}

// TestTagsCategoriesNote manages tags and categories, tags customers and
// wraps up a conversation.
func TestTagsCategoriesNote(t *testing.T) {
	e := newEnv(t)
	manager, kim, lee, olga := e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	shop := e.shopPath()
	other := fmt.Sprintf("/api/v1/workspaces/%d", e.other.ID)
	vis := e.visitor("shop", "")
	cA := vis.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(cA.ID)+"/messages", `{"client_msg_id":"k1","body":"네"}`, 201, nil)
	cL := e.visitor("shop", "").start()
	lee.json("POST", e.convPath(cL.ID)+"/assign", "", 200, nil)

	var vip, refund, delivery, foreignTag chat.Tag
	manager.json("POST", shop+"/tags", `{"kind":"customer","name":" VIP "}`, 201, &vip)
	manager.json("POST", shop+"/tags", `{"kind":"conversation","name":"환불"}`, 201, &refund)
	manager.json("POST", shop+"/tags", `{"kind":"conversation","name":"VIP"}`, 201, &delivery) // same name, other kind
	olga.json("POST", other+"/tags", `{"kind":"conversation","name":"남의 태그"}`, 201, &foreignTag)
	if vip.Name != "VIP" || vip.Kind != chat.TagCustomer || refund.Kind != chat.TagConversation || vip.ID == 0 {
		t.Fatalf("tags %+v %+v", vip, refund)
	}
	var top, mid, leaf, foreignCat chat.Category
	manager.json("POST", shop+"/categories", `{"parent_id":0,"name":"배송"}`, 201, &top)
	manager.json("POST", shop+"/categories", fmt.Sprintf(`{"parent_id":%d,"name":"지연"}`, top.ID), 201, &mid)
	manager.json("POST", shop+"/categories", fmt.Sprintf(`{"parent_id":%d,"name":"택배사"}`, mid.ID), 201, &leaf)
	olga.json("POST", other+"/categories", `{"parent_id":0,"name":"남의 분류"}`, 201, &foreignCat)
	if top.Depth != 1 || mid.Depth != 2 || leaf.Depth != 3 || leaf.ParentID != mid.ID || top.ParentID != 0 {
		t.Fatalf("categories %+v %+v %+v", top, mid, leaf)
	}
	var cats []chat.Category
	kim.json("GET", shop+"/categories", "", 200, &cats)
	if len(cats) != 3 || cats[0].ID != top.ID || cats[2].ID != leaf.ID {
		t.Fatalf("category list %+v", cats)
	}
	var cu chat.Customer
	kim.json("PUT", e.convPath(cA.ID)+"/customer/tags", fmt.Sprintf(`{"tag_ids":[%d]}`, vip.ID), 200, &cu)
	if len(cu.Tags) != 1 || cu.Tags[0] != vip {
		t.Fatalf("customer tags %+v", cu.Tags)
	}

	tagPath := func(tg chat.Tag) string { return fmt.Sprintf("%s/tags/%d", shop, tg.ID) }
	catPath := func(c chat.Category) string { return fmt.Sprintf("%s/categories/%d", shop, c.ID) }
	note := e.convPath(cA.ID) + "/note"
	state := func() string {
		return manager.state(shop+"/tags?kind=customer", shop+"/tags?kind=conversation", shop+"/categories", e.convPath(cA.ID), e.convPath(cL.ID)) +
			olga.state(other+"/tags?kind=conversation", other+"/categories")
	}
	e.refuse(state, []scenario{
		// Tags.
		{name: "agent creates a tag", as: kim, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"블랙"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent renames a tag", as: kim, method: "PATCH", path: tagPath(vip), body: `{"name":"VVIP"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent deletes a tag", as: kim, method: "DELETE", path: tagPath(vip), status: 403, code: chat.ErrRoleRequired},
		{name: "duplicate tag", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"VIP"}`, status: 409, code: chat.ErrConflict},
		{name: "tag of 21 characters", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"` + strings.Repeat("가", chat.MaxTagName+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "blank tag", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"  "}`, status: 400, code: chat.ErrInvalid},
		{name: "tag of an unknown kind", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"agent","name":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "list tags without a kind", as: kim, method: "GET", path: shop + "/tags", status: 400, code: chat.ErrInvalid},
		{name: "rename to a taken name", as: manager, method: "PATCH", path: tagPath(delivery), body: `{"name":"환불"}`, status: 409, code: chat.ErrConflict},
		{name: "rename another workspace's tag", as: manager, method: "PATCH", path: tagPath(foreignTag), body: `{"name":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "delete another workspace's tag", as: manager, method: "DELETE", path: tagPath(foreignTag), status: 404, code: chat.ErrNotFound},
		{name: "customer tag from another workspace", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: fmt.Sprintf(`{"tag_ids":[%d]}`, foreignTag.ID), status: 404, code: chat.ErrNotFound},
		{name: "conversation tag as a customer tag", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: fmt.Sprintf(`{"tag_ids":[%d,%d]}`, vip.ID, refund.ID), status: 404, code: chat.ErrNotFound},
		{name: "unknown customer tag", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: `{"tag_ids":[99999]}`, status: 404, code: chat.ErrNotFound},
		{name: "tag_ids of the wrong type", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: `{"tag_ids":"VIP"}`, status: 400, code: chat.ErrInvalid},
		{name: "colleague tags the customer", as: lee, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: `{"tag_ids":[]}`, status: 404, code: chat.ErrConversationNotFound},

		// Categories.
		{name: "fourth level", as: manager, method: "POST", path: shop + "/categories", body: fmt.Sprintf(`{"parent_id":%d,"name":"너무 깊음"}`, leaf.ID), status: 422, code: chat.ErrCategoryTooDeep},
		{name: "parent in another workspace", as: manager, method: "POST", path: shop + "/categories", body: fmt.Sprintf(`{"parent_id":%d,"name":"x"}`, foreignCat.ID), status: 404, code: chat.ErrNotFound},
		{name: "unknown parent", as: manager, method: "POST", path: shop + "/categories", body: `{"parent_id":99999,"name":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "negative parent", as: manager, method: "POST", path: shop + "/categories", body: `{"parent_id":-1,"name":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "category name of 31 characters", as: manager, method: "POST", path: shop + "/categories", body: `{"parent_id":0,"name":"` + strings.Repeat("가", chat.MaxCategoryName+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "agent creates a category", as: kim, method: "POST", path: shop + "/categories", body: `{"parent_id":0,"name":"x"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent deletes a category", as: kim, method: "DELETE", path: catPath(leaf), status: 403, code: chat.ErrRoleRequired},
		{name: "delete a category with children", as: manager, method: "DELETE", path: catPath(mid), status: 409, code: chat.ErrCategoryHasChildren},
		{name: "delete another workspace's category", as: manager, method: "DELETE", path: catPath(foreignCat), status: 404, code: chat.ErrNotFound},
		{name: "rename another workspace's category", as: manager, method: "PATCH", path: catPath(foreignCat), body: `{"name":"x"}`, status: 404, code: chat.ErrNotFound},

		// Wrap-up note.
		{name: "memo of 1001 characters", as: kim, method: "PUT", path: note, body: `{"memo":"` + strings.Repeat("메", chat.MaxMemo+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "category of another workspace", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"category_id":%d}`, foreignCat.ID), status: 404, code: chat.ErrNotFound},
		{name: "negative category", as: kim, method: "PUT", path: note, body: `{"category_id":-1}`, status: 400, code: chat.ErrInvalid},
		{name: "conversation tag of another workspace", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"tag_ids":[%d]}`, foreignTag.ID), status: 404, code: chat.ErrNotFound},
		{name: "customer tag on a conversation", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"tag_ids":[%d]}`, vip.ID), status: 404, code: chat.ErrNotFound},
		{name: "note on a colleague's conversation", as: kim, method: "PUT", path: e.convPath(cL.ID) + "/note", body: `{"memo":"x"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "note with an unknown field", as: kim, method: "PUT", path: note, body: `{"memo":"x","closed":true}`, status: 400, code: chat.ErrInvalid},
	})

	// Names of 20 characters are fine; renaming keeps the links.
	long := strings.Repeat("가", chat.MaxTagName)
	var renamed chat.Tag
	var longTag chat.Tag
	manager.json("POST", shop+"/tags", `{"kind":"customer","name":"`+long+`"}`, 201, &longTag)
	manager.json("PATCH", tagPath(delivery), `{"name":"배송"}`, 200, &renamed)
	if renamed.Name != "배송" || renamed.ID != delivery.ID || renamed.Kind != chat.TagConversation {
		t.Fatalf("renamed %+v", renamed)
	}
	var tags []chat.Tag
	kim.json("GET", shop+"/tags?kind=customer", "", 200, &tags)
	if len(tags) != 2 {
		t.Fatalf("customer tags %+v", tags)
	}

	// The wrap-up: category path from the top, tags, memo; after the close too.
	var c chat.Conversation
	memo := strings.Repeat("메", chat.MaxMemo)
	kim.json("PUT", note, fmt.Sprintf(`{"category_id":%d,"tag_ids":[%d,%d],"memo":"%s"}`, leaf.ID, refund.ID, delivery.ID, memo), 200, &c)
	if c.CategoryID != leaf.ID || strings.Join(c.CategoryPath, ">") != "배송>지연>택배사" || c.Memo != memo || len(c.Tags) != 2 {
		t.Fatalf("noted %+v", c)
	}
	kim.json("POST", e.convPath(cA.ID)+"/close", "", 200, nil)
	kim.json("PUT", note, fmt.Sprintf(`{"category_id":%d,"tag_ids":[%d],"memo":"환불 요청, 택배사 지연"}`, leaf.ID, refund.ID), 200, &c)
	d := kim.detailOf(cA.ID)
	if d.Conversation.State != chat.StateClosed || d.Conversation.Memo != "환불 요청, 택배사 지연" || len(d.Conversation.Tags) != 1 || d.Conversation.Tags[0].ID != refund.ID {
		t.Fatalf("after the close %+v", d.Conversation)
	}

	// A deleted category keeps its name in past conversations but no longer
	// serves new notes; deleting a tag removes its links.
	manager.json("DELETE", catPath(leaf), "", 204, nil)
	manager.json("DELETE", catPath(mid), "", 204, nil)
	kim.json("GET", shop+"/categories", "", 200, &cats)
	if len(cats) != 1 || cats[0].ID != top.ID {
		t.Fatalf("categories after deleting %+v", cats)
	}
	if p := kim.detailOf(cA.ID).Conversation.CategoryPath; strings.Join(p, ">") != "배송>지연>택배사" {
		t.Fatalf("path of a deleted category %v", p)
	}
	var past []chat.Conversation
	kim.json("GET", e.convPath(cA.ID)+"/history", "", 200, &past)
	if len(past) != 1 || strings.Join(past[0].CategoryPath, ">") != "배송>지연>택배사" || past[0].Memo != "환불 요청, 택배사 지연" {
		t.Fatalf("history %+v", past)
	}
	e.refuse(state, []scenario{
		{name: "note with a deleted category", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"category_id":%d}`, leaf.ID), status: 404, code: chat.ErrNotFound},
		{name: "child of a deleted category", as: manager, method: "POST", path: shop + "/categories", body: fmt.Sprintf(`{"parent_id":%d,"name":"x"}`, mid.ID), status: 404, code: chat.ErrNotFound},
		{name: "delete a deleted category", as: manager, method: "DELETE", path: catPath(leaf), status: 404, code: chat.ErrNotFound},
	})
	manager.json("DELETE", tagPath(refund), "", 204, nil)
	manager.json("DELETE", tagPath(vip), "", 204, nil)
	d = kim.detailOf(cA.ID)
	if len(d.Conversation.Tags) != 0 || len(d.Customer.Tags) != 0 {
		t.Fatalf("links of deleted tags: %+v %+v", d.Conversation.Tags, d.Customer.Tags)
	}
	// An empty list clears the customer's tags.
	kim.json("PUT", e.convPath(cA.ID)+"/customer/tags", fmt.Sprintf(`{"tag_ids":[%d]}`, longTag.ID), 200, &cu)
	if len(cu.Tags) != 1 || cu.Tags[0].Name != long {
		t.Fatalf("tagged %+v", cu.Tags)
	}
	kim.json("PUT", e.convPath(cA.ID)+"/customer/tags", `{"tag_ids":[]}`, 200, &cu)
	if len(cu.Tags) != 0 {
		t.Fatalf("cleared %+v", cu.Tags)
	}
}

// TestCanned covers shared and personal canned responses: who may change
// them, search by syllable and initial consonant, favourites and variables.
func TestCanned(t *testing.T) {
	e := newEnv(t)
	manager, kim, lee, olga := e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	shop := e.shopPath()
	vis := e.visitor("shop", `,"extra":{"cus_extra_username":"홍길동"}`)
	cA := vis.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	kim.json("PATCH", e.convPath(cA.ID)+"/customer", `{"nickname":"진상 고객"}`, 200, nil)
	cL := e.visitor("shop", "").start()
	lee.json("POST", e.convPath(cL.ID)+"/assign", "", 200, nil)
	cO := e.visitor("other", "").start()

	var refund, delivery, leeOwn chat.Canned
	manager.json("POST", shop+"/canned", `{"title":"환불 안내","body":"{고객명}님, 환불은 3일 안에 처리됩니다. 상담사 {상담사명}, 방 {방번호}","shared":true}`, 201, &refund)
	kim.json("POST", shop+"/canned", `{"title":"배송 문의","body":"{customer_name}님, 내일 도착합니다 ({agent_name})"}`, 201, &delivery)
	lee.json("POST", shop+"/canned", `{"title":"리 전용","body":"환불은 어렵습니다"}`, 201, &leeOwn)
	if !refund.Shared || refund.OwnerID != 0 || delivery.Shared || delivery.OwnerID != e.agents["kim"].ID {
		t.Fatalf("created %+v %+v", refund, delivery)
	}
	cannedPath := func(c chat.Canned) string { return fmt.Sprintf("%s/canned/%d", shop, c.ID) }
	state := func() string {
		return kim.state(shop+"/canned") + lee.state(shop+"/canned") + manager.state(shop+"/canned")
	}
	e.refuse(state, []scenario{
		{name: "agent adds a shared response", as: kim, method: "POST", path: shop + "/canned", body: `{"title":"공지","body":"x","shared":true}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent edits a shared response", as: kim, method: "PATCH", path: cannedPath(refund), body: `{"title":"x","body":"y"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent deletes a shared response", as: kim, method: "DELETE", path: cannedPath(refund), status: 403, code: chat.ErrRoleRequired},
		{name: "edit a colleague's response", as: kim, method: "PATCH", path: cannedPath(leeOwn), body: `{"title":"x","body":"y"}`, status: 404, code: chat.ErrNotFound},
		{name: "delete a colleague's response", as: kim, method: "DELETE", path: cannedPath(leeOwn), status: 404, code: chat.ErrNotFound},
		{name: "manager edits an agent's response", as: manager, method: "PATCH", path: cannedPath(leeOwn), body: `{"title":"x","body":"y"}`, status: 404, code: chat.ErrNotFound},
		{name: "favourite a colleague's response", as: kim, method: "PUT", path: cannedPath(leeOwn) + "/favourite", body: `{"on":true}`, status: 404, code: chat.ErrNotFound},
		{name: "favourite without on", as: kim, method: "PUT", path: cannedPath(refund) + "/favourite", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "empty title", as: kim, method: "POST", path: shop + "/canned", body: `{"title":" ","body":"y"}`, status: 400, code: chat.ErrInvalid},
		{name: "title of 51 characters", as: kim, method: "POST", path: shop + "/canned", body: `{"title":"` + strings.Repeat("가", chat.MaxCannedTitle+1) + `","body":"y"}`, status: 400, code: chat.ErrInvalid},
		{name: "empty body", as: kim, method: "POST", path: shop + "/canned", body: `{"title":"x","body":"  "}`, status: 400, code: chat.ErrInvalid},
		{name: "body of 2001 characters", as: kim, method: "PATCH", path: cannedPath(delivery), body: `{"title":"x","body":"` + strings.Repeat("가", chat.MaxCannedBody+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "shared of the wrong type", as: manager, method: "POST", path: shop + "/canned", body: `{"title":"x","body":"y","shared":"yes"}`, status: 400, code: chat.ErrInvalid},
		{name: "shared is not editable", as: manager, method: "PATCH", path: cannedPath(refund), body: `{"title":"x","body":"y","shared":false}`, status: 400, code: chat.ErrInvalid},
		{name: "fill for another workspace's conversation", as: kim, method: "GET", path: fmt.Sprintf("%s/canned?conversation_id=%d", shop, cO.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "fill for a colleague's conversation", as: kim, method: "GET", path: fmt.Sprintf("%s/canned?conversation_id=%d", shop, cL.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "conversation_id not a number", as: kim, method: "GET", path: shop + "/canned?conversation_id=abc", status: 400, code: chat.ErrInvalid},
		{name: "response of another workspace", as: olga, method: "DELETE", path: fmt.Sprintf("/api/v1/workspaces/%d/canned/%d", e.other.ID, refund.ID), status: 404, code: chat.ErrNotFound},
	})

	search := func(as *client, query string) []chat.Canned {
		t.Helper()
		var out []chat.Canned
		as.json("GET", shop+"/canned?"+query, "", 200, &out)
		return out
	}
	titles := func(cs []chat.Canned) string {
		var ts []string
		for _, c := range cs {
			ts = append(ts, c.Title)
		}
		return strings.Join(ts, ",")
	}
	// Each agent sees the shared responses and their own.
	if got := titles(search(kim, "")); got != "배송 문의,환불 안내" {
		t.Fatalf("kim's list %s", got)
	}
	if got := titles(search(lee, "")); got != "리 전용,환불 안내" {
		t.Fatalf("lee's list %s", got)
	}
	for _, q := range []string{"환불", "ㅎㅂ", "환ㅂ", "3일"} {
		if got := titles(search(kim, "q="+url.QueryEscape(q))); got != "환불 안내" {
			t.Errorf("kim searching %q: %s", q, got)
		}
	}
	// Title matches before body matches; nothing found is an empty list.
	if got := titles(search(lee, "q="+url.QueryEscape("환불"))); got != "환불 안내,리 전용" {
		t.Errorf("lee searching 환불: %s", got)
	}
	if got := search(kim, "q="+url.QueryEscape("ㅋㅋ")); got == nil || len(got) != 0 {
		t.Errorf("no match answered %v", got)
	}
	// Favourites first, per agent.
	kim.json("PUT", cannedPath(refund)+"/favourite", `{"on":true}`, 204, nil)
	if got := search(kim, ""); titles(got) != "환불 안내,배송 문의" || !got[0].Favourite || got[1].Favourite {
		t.Fatalf("kim's favourites first %+v", got)
	}
	if got := search(manager, ""); len(got) != 1 || got[0].Favourite {
		t.Fatalf("manager's list %+v", got)
	}
	// Variables take the customer's real name, never the nickname.
	filled := search(kim, fmt.Sprintf("q=%s&conversation_id=%d", url.QueryEscape("환불"), cA.ID))
	want := fmt.Sprintf("홍길동님, 환불은 3일 안에 처리됩니다. 상담사 kim, 방 %d", cA.RoomNo)
	if len(filled) != 1 || filled[0].Text != want || filled[0].Body != refund.Body {
		t.Fatalf("filled %+v, want %q", filled, want)
	}
	if got := search(kim, fmt.Sprintf("conversation_id=%d", cA.ID)); got[1].Text != "홍길동님, 내일 도착합니다 (kim)" {
		t.Fatalf("English variables %q", got[1].Text)
	}
	kim.json("PUT", cannedPath(refund)+"/favourite", `{"on":false}`, 204, nil)

	// Owners edit and delete their own; managers the shared ones.
	var edited chat.Canned
	kim.json("PATCH", cannedPath(delivery), `{"title":"배송 안내","body":"내일 도착합니다"}`, 200, &edited)
	if edited.Title != "배송 안내" || edited.Body != "내일 도착합니다" || edited.Shared {
		t.Fatalf("edited %+v", edited)
	}
	manager.json("PATCH", cannedPath(refund), `{"title":"환불 규정","body":"3일 안에 처리됩니다"}`, 200, &edited)
	kim.json("DELETE", cannedPath(delivery), "", 204, nil)
	manager.json("DELETE", cannedPath(refund), "", 204, nil)
	if got := titles(search(kim, "")); got != "" {
		t.Fatalf("kim's list after deleting %s", got)
	}
	if got := titles(search(lee, "")); got != "리 전용" {
		t.Fatalf("lee's list after deleting %s", got)
	}
}

// visitorView is the visitor's conversation as the widget gets it.
type visitorView struct {
	ID      int64        `json:"id"`
	State   chat.State   `json:"state"`
	CanRate *bool        `json:"can_rate"`
	Rating  *chat.Rating `json:"rating"`
}

// TestRating asks for a rating and takes it once, during or after the chat.
func TestRating(t *testing.T) {
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

	visA.json("POST", rate(cA), `{"score":4,"comment":"친절했어요"}`, 200, &view)
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
