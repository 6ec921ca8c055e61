package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// testAwayReply: the automatic reply to a messenger's user out of hours is
// added once however many writes try at once (two nodes, two messages),
// not again within the gap, again after it; never while the robot or —
// outside the hours — an agent holds the conversation, nor once it closed.
func testAwayReply(t *testing.T, s chat.Store) {
	f := setup(t, s, "away")
	clk := withClock(t, s)
	c := f.open(t, s) // unassigned: the workspace assigns by hand
	meta := map[string]string{"reason": string(chat.UnavailableHours), "reopens_at": "2026-11-24T00:00:00Z"}
	reply := func(c chat.Conversation, avail chat.Availability) bool {
		t.Helper()
		var added bool
		_, err := s.Write(ctx, func(tx chat.Tx) error {
			var err error
			added, err = tx.AwayReply(ctx, c, avail, meta, time.Hour)
			return err
		})
		must(t, err)
		return added
	}
	count := func(id int64) int {
		t.Helper()
		msgs, err := s.Messages(ctx, f.ws.ID, id, 0, 100)
		must(t, err)
		n := 0
		for _, m := range msgs {
			if m.Kind == chat.KindSystem && m.Body == chat.SystemAway {
				if m.Meta["reopens_at"] != meta["reopens_at"] || m.SenderType != chat.SenderSystem || m.Internal {
					t.Fatalf("the reply is %+v", m)
				}
				n++
			}
		}
		return n
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := 0
	for range 8 {
		wg.Go(func() {
			if reply(c, chat.UnavailableHours) {
				mu.Lock()
				added++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if n := count(c.ID); added != 1 || n != 1 {
		t.Fatalf("%d writes added a reply, %d stored", added, n)
	}
	clk.advance(59 * time.Minute)
	if reply(c, chat.UnavailableHours) {
		t.Fatal("a reply within the gap was added")
	}
	clk.advance(2 * time.Minute)
	if !reply(c, chat.UnavailableHours) || count(c.ID) != 2 {
		t.Fatal("after the gap no reply was added")
	}
	// The reply reaches the customer: message.created, not internal.
	evs, err := s.Events(ctx, f.ws.ID, chat.EventFilter{ConversationID: c.ID, Limit: 1000})
	must(t, err)
	last := evs[len(evs)-1]
	if last.Type != chat.EventMessageCreated || last.Message == nil || last.Message.Body != chat.SystemAway || !chat.VisitorMaySee(last, c.ID) {
		t.Fatalf("the last event is %+v", last)
	}
	// An agent holds it: outside the hours the agent answers when back;
	// with operation stopped no agent can send, so the customer is told.
	clk.advance(2 * time.Hour)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if reply(c, chat.UnavailableHours) || reply(c, chat.UnavailableNobody) {
		t.Fatal("a reply was added to a conversation an agent holds (the stale state said unassigned)")
	}
	if !reply(c, chat.UnavailableStopped) {
		t.Fatal("with operation stopped no reply was added")
	}
	// Closed, or with the robot: nothing.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	clk.advance(2 * time.Hour)
	if reply(c, chat.UnavailableStopped) {
		t.Fatal("a closed conversation got a reply")
	}
	cu := newCustomer(t, s, f.ws, "away-bot")
	var bot chat.Conversation
	_, err = s.Write(ctx, func(tx chat.Tx) error {
		var err error
		bot, _, err = tx.StartBotConversation(ctx, f.ws.ID, cu.ID, chat.ChannelWeb)
		return err
	})
	must(t, err)
	if reply(bot, chat.UnavailableHours) || count(bot.ID) != 0 {
		t.Fatal("the robot's conversation got a reply")
	}
}
