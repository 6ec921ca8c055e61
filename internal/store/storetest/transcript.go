package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Fill appends n text messages from actor to a conversation, body(1) to
// body(n), several at a time: a long transcript in a second or two (the
// writer commits the sends that wait together in one transaction). Their
// order within the conversation is the order they committed in, not their
// numbers'.
func Fill(t testing.TB, s chat.Store, workspaceID, conversationID int64, actor chat.Actor, n int, body func(i int) string) {
	t.Helper()
	const senders = 32
	next := make(chan int)
	errs := make(chan error, senders)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range next {
				nm := chat.NewMessage{ClientMsgID: fmt.Sprintf("fill-%d", i), Body: body(i)}
				if _, _, _, err := s.AppendMessage(ctx, workspaceID, conversationID, actor, nm); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := 1; i <= n; i++ {
		select {
		case next <- i:
		case err := <-errs:
			close(next)
			wg.Wait()
			t.Fatalf("filling the conversation: %v", err)
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("filling the conversation: %v", err)
	default:
	}
}

// testMessagePages: a transcript longer than a page reads whole, a page at
// a time, from either end, and never across workspaces.
func testMessagePages(t *testing.T, s chat.Store) {
	f := setup(t, s, "pages")
	c := f.open(t, s)
	first := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "first", "처음 메시지")
	const n = chat.MaxMessagePage + 10
	Fill(t, s, f.ws.ID, c.ID, chat.VisitorActor, n, func(i int) string { return fmt.Sprintf("문의 %d", i) })
	last := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "last", "마지막 메시지")
	total := int64(n + 2)
	if last.Seq != total {
		t.Fatalf("the last message's seq %d, want %d", last.Seq, total)
	}
	inOrder := func(ms []chat.Message, from, to int64) {
		t.Helper()
		if int64(len(ms)) != to-from+1 {
			t.Fatalf("%d messages, want seqs %d to %d", len(ms), from, to)
		}
		for i, m := range ms {
			if m.Seq != from+int64(i) || m.ConversationID != c.ID {
				t.Fatalf("message %d is seq %d of %d, want seq %d of %d", i, m.Seq, m.ConversationID, from+int64(i), c.ID)
			}
		}
	}

	// From the start: at most a page and one, then the rest after it.
	ms, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	inOrder(ms, 1, chat.MessageRows)
	if ms[0].ID != first.ID {
		t.Fatalf("the first message is %+v, want %+v", ms[0], first)
	}
	ms, err = s.Messages(ctx, f.ws.ID, c.ID, chat.MessageRows, 0)
	must(t, err)
	inOrder(ms, chat.MessageRows+1, total)
	ms, err = s.Messages(ctx, f.ws.ID, c.ID, 5, 3)
	must(t, err)
	inOrder(ms, 6, 8)

	// From the end: the last messages, oldest first, then those before.
	ms, err = s.MessagesBefore(ctx, f.ws.ID, c.ID, 0, chat.MaxMessagePage)
	must(t, err)
	inOrder(ms, total-chat.MaxMessagePage+1, total)
	if ms[len(ms)-1].ID != last.ID {
		t.Fatalf("the last message is %+v, want %+v", ms[len(ms)-1], last)
	}
	ms, err = s.MessagesBefore(ctx, f.ws.ID, c.ID, ms[0].Seq, chat.MaxMessagePage)
	must(t, err)
	inOrder(ms, 1, total-chat.MaxMessagePage)
	ms, err = s.MessagesBefore(ctx, f.ws.ID, c.ID, 1, 10)
	must(t, err)
	if len(ms) != 0 {
		t.Fatalf("%d messages before the first", len(ms))
	}
	ms, err = s.MessagesBefore(ctx, f.ws.ID, c.ID, total, 0)
	must(t, err)
	inOrder(ms, total-chat.MessageRows, total-1)

	// Every message once, whichever way it was read.
	seen := map[string]bool{}
	for before := int64(0); ; {
		ms, err := s.MessagesBefore(ctx, f.ws.ID, c.ID, before, 300)
		must(t, err)
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			if seen[m.Body] {
				t.Fatalf("%q read twice", m.Body)
			}
			seen[m.Body] = true
		}
		before = ms[0].Seq
	}
	if len(seen) != int(total) {
		t.Fatalf("%d messages read, want %d", len(seen), total)
	}

	// One message by its ID, wherever it is in the conversation.
	for _, want := range []chat.Message{first, last} {
		m, err := s.Message(ctx, f.ws.ID, c.ID, want.ID)
		must(t, err)
		if m.ID != want.ID || m.Seq != want.Seq || m.Body != want.Body {
			t.Fatalf("Message(%d) = %+v, want %+v", want.ID, m, want)
		}
	}

	// Another workspace's conversation is not there, nor another
	// conversation's message.
	other := setup(t, s, "pages-other")
	_, err = s.MessagesBefore(ctx, other.ws.ID, c.ID, 0, 10)
	wantCode(t, err, chat.ErrConversationNotFound)
	_, err = s.Messages(ctx, other.ws.ID, c.ID, 0, 10)
	wantCode(t, err, chat.ErrConversationNotFound)
	_, err = s.Message(ctx, other.ws.ID, c.ID, last.ID)
	wantCode(t, err, chat.ErrConversationNotFound)
	oc := other.open(t, s)
	om := send(t, s, other.ws.ID, oc.ID, chat.VisitorActor, "o1", "다른 회사 문의")
	_, err = s.Message(ctx, f.ws.ID, c.ID, om.ID)
	wantCode(t, err, chat.ErrMessageNotFound)
	_, err = s.Message(ctx, other.ws.ID, oc.ID, last.ID)
	wantCode(t, err, chat.ErrMessageNotFound)
}
