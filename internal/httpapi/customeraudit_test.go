package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestAuditCustomerID (§13): a change of customer ID, and the merge it
// may bring, are in the audit log with who did it and the customer ID and
// identifier before and after; an attempt refused for want of the right
// (403 not_assignee) or by the workspace's rules (409 merge_blocked) is
// logged as refused and changes nothing; bad input is not logged, nor the
// question merge_required asks before a merge (the console confirms).
func TestAuditCustomerID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim, master := e.login("manager"), e.login("kim"), e.login("master")
	signed := func(uid string) string {
		return `,"site_uid":"` + uid + `","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, uid) + `"`
	}
	cPast := e.visitor("shop", signed("member-7")).start()
	kim.json("POST", e.convPath(cPast.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(cPast.ID)+"/close", "", 200, nil)
	cTroll := e.visitor("shop", signed("troll")).start()
	manager.json("POST", e.convPath(cTroll.ID)+"/block", `{"reason":"abuse"}`, 200, nil)
	cA := e.visitor("shop", "").start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	cQ := e.visitor("shop", "").start() // in the queue
	anon := kim.detailOf(cA.ID).Customer

	idA, idQ := e.convPath(cA.ID)+"/customer/id", e.convPath(cQ.ID)+"/customer/id"
	state := func() string { return manager.state(e.convPath(cA.ID), e.convPath(cQ.ID), e.convPath(cPast.ID)) }
	e.refuse(state, []scenario{
		{name: "an agent on a queued chat", as: kim, method: "PUT", path: idQ, body: `{"customer_id":"guest-1"}`, status: 403, code: chat.ErrNotAssignee},
		{name: "a member's ID, not confirmed", as: kim, method: "PUT", path: idA, body: `{"customer_id":"member-7"}`, status: 409, code: chat.ErrMergeRequired},
		{name: "a blocked member's ID", as: kim, method: "PUT", path: idA, body: `{"customer_id":"troll","confirm":true}`, status: 409, code: chat.ErrMergeBlocked},
		{name: "an ID with a slash", as: kim, method: "PUT", path: idA, body: `{"customer_id":"guest/1"}`, status: 400, code: chat.ErrInvalid},
	})

	// A rename, then the merge into the member.
	var cu chat.Customer
	kim.json("PUT", idA, `{"customer_id":"guest-1"}`, 200, &cu)
	kim.json("PUT", idA, `{"customer_id":"member-7","confirm":true}`, 200, &cu)
	if cu.Identifier != "shop_member-7" {
		t.Fatalf("merged into %+v", cu)
	}

	var page struct{ Entries []chat.AuditEntry }
	master.json("GET", e.shopPath()+"/audit-log", "", 200, &page)
	var got []string
	byAction := map[string]chat.AuditEntry{}
	for _, en := range page.Entries {
		if strings.HasPrefix(en.Action, "customer.id") || en.Action == "customer.merge" {
			got = append(got, en.Action+" "+en.ActorName+" "+en.Target+" "+en.Refused)
			if en.Refused == "" {
				byAction[en.Action] = en
			}
		}
	}
	want := []string{
		"customer.merge kim shop_guest-1 ",
		"customer.id_change kim " + anon.Identifier + " ",
		"customer.id_change kim " + idA + " merge_blocked",
		"customer.id_change kim " + idQ + " not_assignee",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for action, want := range map[string]string{
		"customer.id_change": `{"before":{"customer_id":"` + anon.CustomerID + `","identifier":"` + anon.Identifier + `"},` +
			`"after":{"customer_id":"guest-1","identifier":"shop_guest-1"}}`,
		"customer.merge": `{"before":{"customer_id":"guest-1","identifier":"shop_guest-1"},` +
			`"after":{"customer_id":"member-7","folded":["shop_guest-1"],"folded_into":"shop_member-7","identifier":"shop_member-7","merged_into":"shop_member-7"}}`,
	} {
		en := byAction[action] // its keys in order, as JSON objects are read
		b, _ := json.Marshal(struct {
			Before any `json:"before"`
			After  any `json:"after"`
		}{en.Before, en.After})
		if string(b) != want {
			t.Errorf("%s: %s\nwant %s", action, b, want)
		}
	}
	// The filter finds the merge.
	master.json("GET", e.shopPath()+"/audit-log?action=customer.merge", "", 200, &page)
	if len(page.Entries) != 1 || page.Entries[0].Target != "shop_guest-1" {
		t.Fatalf("customer.merge entries %+v", page.Entries)
	}
}
