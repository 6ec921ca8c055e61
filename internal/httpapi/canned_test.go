package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestCanned covers shared and personal canned responses: who may change
// them, search by syllable and initial consonant, favourites and variables.
func TestCanned(t *testing.T) {
	t.Parallel()
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
	for _, q := range []string{"환불", "ㅎㅂ", "환ㅂ", "환부", "3일"} {
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

// TestCannedNamelessCustomerInEnglish (§5.1): {customer_name} of a
// customer who gave no name is filled in the language the widget speaks
// to them — "customer" to an English visitor, 고객 to a Korean one — since
// the text goes to the customer.
func TestCannedNamelessCustomerInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim := e.login("manager"), e.login("kim")
	shop := e.shopPath()
	manager.json("POST", shop+"/canned", `{"title":"hello","body":"Dear {customer_name}, / {고객명}님","shared":true}`, 201, nil)
	for _, tt := range []struct{ language, want string }{
		{"en-US", "Dear customer, / customer님"},
		{"ko-KR", "Dear 고객, / 고객님"},
	} {
		c := e.visitor("shop", `,"language":"`+tt.language+`"`).start()
		kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)
		var found []chat.Canned
		kim.json("GET", fmt.Sprintf("%s/canned?q=hello&conversation_id=%d", shop, c.ID), "", 200, &found)
		if len(found) != 1 || found[0].Text != tt.want {
			t.Errorf("a nameless customer in %s: %+v, want %q", tt.language, found, tt.want)
		}
	}
}
