package httpapi_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// queueCounts counts the HTTP layer's reads of the queue.
type queueCounts struct {
	chat.Store
	order, position atomic.Int64
}

func (q *queueCounts) QueueOrder(ctx context.Context, workspaceID int64) ([]int64, error) {
	q.order.Add(1)
	return q.Store.QueueOrder(ctx, workspaceID)
}

func (q *queueCounts) QueuePosition(ctx context.Context, workspaceID, conversationID int64) (int, error) {
	q.position.Add(1)
	return q.Store.QueuePosition(ctx, workspaceID, conversationID)
}

// An event that moves the queue tells each queued visitor their new place
// from one read of the queue on the node, not a count per socket (which
// cost a long queue its length squared).
func TestQueueReadOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			counts := &queueCounts{}
			e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { counts.Store = s; return counts })
			manager := e.login("manager")
			manager.json("PATCH", e.shopPath(), `{"settings":{"assignment_mode":"manual"}}`, 200, nil)
			const n = 6
			var convs []chat.Conversation
			var sockets []*socket
			for i := range n {
				v := e.visitor("shop", "")
				c := v.start()
				if c.State != chat.StateUnassigned {
					t.Fatalf("visitor %d's chat %s, want queued", i, c.State)
				}
				ws := v.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, c.ID))
				if f := ws.next("queue"); queuePos(f) != i+1 {
					t.Fatalf("visitor %d's first place %d", i, queuePos(f))
				}
				convs, sockets = append(convs, c), append(sockets, ws)
			}
			// The sockets have caught up with every chat's creation: the
			// last one's frame came after its own.
			orders, positions := counts.order.Load(), counts.position.Load()
			manager.json("POST", e.convPath(convs[0].ID)+"/assign", "", 200, nil)
			for i, ws := range sockets[1:] {
				if f := ws.next("queue"); queuePos(f) != i+1 {
					t.Fatalf("visitor %d's place after the first was taken: %d, want %d", i+1, queuePos(f), i+1)
				}
			}
			if got := counts.order.Load() - orders; got != 1 {
				t.Errorf("the queue read %d times for one event, want once", got)
			}
			if got := counts.position.Load() - positions; got != 0 {
				t.Errorf("%d places counted one by one", got)
			}
		})
	}
}
