package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestUnblockNotBlocked: unblocking a customer who is not blocked answers
// the customer unchanged, as documented, and writes nothing — on both
// stores. It wrote a customer.unblock entry in the audit log each time,
// for an unblock that never happened (a customer never blocked, or
// unblocked a moment before by a colleague).
func TestUnblockNotBlocked(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { unblockNotBlocked(t, newEnvOn(t, kind, nil)) })
	}
}

func unblockNotBlocked(t *testing.T, e *env) {
	manager, master := e.login("manager"), e.login("master")
	shop := e.shopPath()
	c, never := e.visitor("shop", "").start(), e.visitor("shop", "").start()
	blocked, other := manager.detailOf(c.ID).Customer.ID, manager.detailOf(never.ID).Customer.ID
	manager.json("POST", e.convPath(c.ID)+"/block", `{"reason":"abuse","note":"욕설 반복"}`, 200, nil)
	unblocks := func() int {
		var audit struct{ Entries []chat.AuditEntry }
		master.json("GET", shop+"/audit-log", "", 200, &audit)
		n := 0
		for _, en := range audit.Entries {
			if en.Action == chat.AuditUnblock {
				n++
			}
		}
		return n
	}
	var cu chat.Customer
	manager.json("DELETE", fmt.Sprintf("%s/blocked/%d", shop, blocked), "", 200, &cu)
	if cu.BlockedAt != nil || unblocks() != 1 {
		t.Fatalf("unblocked %+v, %d unblocks in the audit log", cu, unblocks())
	}
	state := manager.state(shop+"/blocked", e.convPath(c.ID), e.convPath(never.ID))
	for _, id := range []int64{blocked, other} {
		cu = chat.Customer{}
		manager.json("DELETE", fmt.Sprintf("%s/blocked/%d", shop, id), "", 200, &cu)
		if cu.ID != id || cu.BlockedAt != nil {
			t.Fatalf("unblocking customer %d, not blocked: %+v", id, cu)
		}
	}
	if after := manager.state(shop+"/blocked", e.convPath(c.ID), e.convPath(never.ID)); after != state {
		t.Fatalf("unblocking customers who were not blocked changed:\nbefore %s\nafter  %s", state, after)
	}
	if n := unblocks(); n != 1 {
		t.Fatalf("the audit log holds %d unblocks, want the one that happened", n)
	}
}
