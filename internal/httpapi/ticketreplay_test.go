package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestReplayAfterTicketMask: a manager masks the phone number in a left
// message (§11); a console that reconnects afterwards and replays from
// before the ticket was left is replayed the masked message. The node's
// hub remembered the ticket.created with the original and, a ticket's
// mask being ticket.updated rather than message.updated, replayed it
// from memory.
func TestReplayAfterTicketMask(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			manager := e.login("manager")
			shop := e.shopPath()
			manager.json("PATCH", shop, `{"settings":{"pii":{"mode":"suggest"}}}`, 200, nil)
			live := manager.mustSocket(shop + "/ws")
			defer live.close()
			from := live.next("ready").Seq
			const message = "배송 전에 꼭 전화 주세요. 010-2345-6789"
			var left struct{ ID int64 }
			e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", fmt.Sprintf(`{"name":"홍길동","contact":"hong@example.com","message":%q}`, message), 201, &left)
			live.next("event") // the hub has heard, and remembers, the ticket.created
			start := len([]rune(message)) - len("010-2345-6789")
			manager.json("POST", fmt.Sprintf("%s/tickets/%d/mask", shop, left.ID), fmt.Sprintf(`{"start":%d,"end":%d}`, start, start+13), 200, nil)
			live.next("event") // and the mask's ticket.updated

			again := manager.mustSocket(fmt.Sprintf("%s/ws?after=%d", shop, from))
			defer again.close()
			for f := again.next(""); f.Type != "ready"; f = again.next("") {
				if strings.Contains(string(f.Event), "010-2345-6789") {
					t.Fatalf("the replay after the mask holds the number: %s", f.Event)
				}
			}
		})
	}
}
