package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// customerIDChange is an audit entry's before or after of a change of
// customer ID, as the log keeps it.
type customerIDChange struct {
	CustomerID string   `json:"customer_id"`
	Identifier string   `json:"identifier"`
	MergedInto string   `json:"merged_into"`
	Folded     []string `json:"folded"`
	FoldedInto string   `json:"folded_into"`
}

// changeOf reads an entry's before or after.
func changeOf(t *testing.T, v any) customerIDChange {
	t.Helper()
	var c customerIDChange
	b, ok := v.(json.RawMessage)
	if !ok {
		t.Fatalf("before/after %T %v, want JSON", v, v)
	}
	must(t, json.Unmarshal(b, &c))
	return c
}

// testCustomerIDAudit: a change of customer ID is in the audit log,
// written by its transaction, with the customer ID and identifier before
// and after; a merge (customer.merge) names the customer the edited one's
// profile was merged into and the web identifiers folded, and into which.
// Setting the current ID again and a refused change write nothing.
func testCustomerIDAudit(t *testing.T, s chat.Store) {
	f := setup(t, s, "idaudit")
	kakao := messengers(t, s, f.ws)
	by := whoOf(f.a1, "kim")
	site := func(id string) string { return f.ws.SiteID + "_" + id }
	wantEntry := func(action, target string, before, after customerIDChange) {
		t.Helper()
		e := lastAudit(t, s, f.ws.ID, action)
		if e.Target != target || e.ActorID != f.a1.AgentID || e.ActorName != "kim" || e.Address != "127.0.0.1" || e.Refused != "" {
			t.Fatalf("%s entry %s", action, jsonOf(e))
		}
		if got := changeOf(t, e.Before); !reflect.DeepEqual(got, before) {
			t.Errorf("%s before %+v, want %+v", action, got, before)
		}
		if got := changeOf(t, e.After); !reflect.DeepEqual(got, after) {
			t.Errorf("%s after %+v, want %+v", action, got, after)
		}
	}

	// A free customer ID: a rename, and the web identifier follows.
	anon := visitor(t, s, f.ws, "v1a2b3", "t-anon")
	cu, _, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "lee-1", false, by)
	must(t, err)
	wantIDAudit(t, s, f.ws.ID, fmt.Sprintf("%s:%s", chat.AuditCustomerID, site("v1a2b3")))
	wantEntry(chat.AuditCustomerID, site("v1a2b3"),
		customerIDChange{CustomerID: "v1a2b3", Identifier: site("v1a2b3")},
		customerIDChange{CustomerID: "lee-1", Identifier: cu.Identifier})
	if cu.Identifier != site("lee-1") {
		t.Fatalf("renamed %+v", cu)
	}
	// The same ID again changes nothing, and is not in the log.
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "lee-1", true, by)
	must(t, err)
	wantIDAudit(t, s, f.ws.ID, fmt.Sprintf("%s:%s", chat.AuditCustomerID, site("v1a2b3")))

	// Refused changes write nothing (the route logs them as refused).
	kim := member(t, s, f.ws, "kim-1", "t-kim")
	guest := visitor(t, s, f.ws, "v9f8e7", "t-guest")
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, guest.ID, "kim-1", false, by)
	wantCode(t, err, chat.ErrMergeRequired)
	c1, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)
	c2, _, err := openConversation(s, f.ws.ID, guest.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, guest.ID, "kim-1", true, by)
	wantCode(t, err, chat.ErrMergeOpenChats)
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, guest.ID, "bad id!", true, by)
	wantCode(t, err, chat.ErrInvalid)
	wantIDAudit(t, s, f.ws.ID, fmt.Sprintf("%s:%s", chat.AuditCustomerID, site("v1a2b3")))
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c1.ID, f.manager)
	must(t, err)

	// A visitor given a member's ID: the profiles merge and the visitor's
	// identifier folds into the member's.
	cu, _, err = s.ChangeCustomerID(ctx, f.ws.ID, guest.ID, "kim-1", true, by)
	must(t, err)
	if cu.ID != kim.ID {
		t.Fatalf("folded into %+v", cu)
	}
	wantEntry(chat.AuditCustomerMerge, site("v9f8e7"),
		customerIDChange{CustomerID: "v9f8e7", Identifier: site("v9f8e7")},
		customerIDChange{CustomerID: "kim-1", Identifier: site("kim-1"), MergedInto: site("kim-1"), Folded: []string{site("v9f8e7")}, FoldedInto: site("kim-1")})
	if moved := conv(t, s, f.ws.ID, c2.ID); moved.CustomerID != kim.ID {
		t.Fatalf("the open conversation %+v", moved)
	}

	// A messenger account merged into a customer ID keeps its identifier:
	// the profiles merge, nothing folds.
	k := kakao("u-77")
	cu, _, err = s.ChangeCustomerID(ctx, f.ws.ID, k.ID, "kim-1", true, by)
	must(t, err)
	wantEntry(chat.AuditCustomerMerge, k.Identifier,
		customerIDChange{CustomerID: k.CustomerID, Identifier: k.Identifier},
		customerIDChange{CustomerID: "kim-1", Identifier: k.Identifier, MergedInto: site("kim-1")})
	if cu.ID != k.ID || cu.Identifiers != 2 {
		t.Fatalf("merged %+v", cu)
	}

	wantIDAudit(t, s, f.ws.ID, fmt.Sprintf("%s:%s %s:%s %s:%s", chat.AuditCustomerMerge, k.Identifier,
		chat.AuditCustomerMerge, site("v9f8e7"), chat.AuditCustomerID, site("v1a2b3")))
}

// wantIDAudit checks a workspace's audit entries of customers, newest
// first, as "action:target" separated by spaces.
func wantIDAudit(t *testing.T, s chat.Store, workspaceID int64, want string) {
	t.Helper()
	var got []string
	for _, a := range actions(t, s, workspaceID) {
		if strings.HasPrefix(a, "customer.") {
			got = append(got, a)
		}
	}
	if strings.Join(got, " ") != want {
		t.Fatalf("audit log of customers\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}
