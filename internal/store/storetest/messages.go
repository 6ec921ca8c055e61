package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

func testAssignAndSend(t *testing.T, s chat.Store) {
	f := setup(t, s, "flow")
	c := f.open(t, s)
	v := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "안녕하세요, 주문 문의입니다")
	if v.Seq != 1 || v.SenderType != chat.SenderVisitor {
		t.Fatalf("visitor message %+v", v)
	}
	// An agent may not reply before taking the conversation.
	_, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a0", Body: "hi"})
	wantCode(t, err, chat.ErrConversationNotOpen)

	offline := newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOffline)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, offline)
	wantCode(t, err, chat.ErrAgentNotOnline)

	got, events, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if got.State != chat.StateWaiting || got.AssigneeID != f.a1.AgentID || got.AssigneeName != "kim" {
		t.Fatalf("assigned %+v", got)
	}
	if len(events) != 1 || events[0].Type != chat.EventConversationAssigned || events[0].PrevState != chat.StateUnassigned ||
		events[0].Message == nil || events[0].Message.Kind != chat.KindSystem || events[0].Message.Body != chat.SystemAssigned || events[0].Message.Meta["agent"] != "kim" {
		t.Fatalf("assign events %+v", events)
	}
	if len(got.AgentPath) != 1 || got.AgentPath[0].Name != "kim" {
		t.Fatalf("agent path %+v", got.AgentPath)
	}
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a2)
	wantCode(t, err, chat.ErrAlreadyAssigned)
	// The assignee takes it again (their other tab, a retry): it is
	// theirs, unchanged, and nothing is written.
	again, events, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if again.AssigneeID != f.a1.AgentID || again.State != chat.StateWaiting || len(again.AgentPath) != 1 || again.LastSeq != got.LastSeq || len(events) != 0 {
		t.Fatalf("the assignee's second take: %+v, events %+v", again, events)
	}
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, f.a2, chat.NewMessage{ClientMsgID: "b1", Body: "hi"})
	wantCode(t, err, chat.ErrNotAssignee)

	// The assignee's first message moves waiting to active.
	m, events, dup, err := s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a1", Body: "네, 도와드릴게요", SenderName: "kim"})
	must(t, err)
	if dup || m.Seq != 3 || m.SenderID != f.a1.AgentID || m.SenderName != "kim" || m.Kind != chat.KindText {
		t.Fatalf("agent message %+v dup=%v", m, dup)
	}
	if len(events) != 1 || events[0].Conversation.State != chat.StateActive || events[0].PrevState != chat.StateWaiting || events[0].Message.ID != m.ID {
		t.Fatalf("message events %+v", events)
	}
	cur, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	if cur.State != chat.StateActive || cur.LastSeq != 3 || cur.LastMessage != "네, 도와드릴게요" || cur.FirstReplyAt == nil {
		t.Fatalf("conversation after reply %+v", cur)
	}
	// The event's conversation is the stored one, its customer's identifier
	// (site ID and customer ID) included: the batch reads the site ID
	// apart from the conversation.
	if ev := events[0].Conversation; ev.Identifier != cur.Identifier || ev.Identifier != chat.Identifier(f.ws.SiteID, "cust-1") {
		t.Fatalf("event's conversation identifier %q, stored %q", ev.Identifier, cur.Identifier)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 3 || msgs[0].Body != "안녕하세요, 주문 문의입니다" || msgs[1].Kind != chat.KindSystem || msgs[2].Seq != 3 {
		t.Fatalf("messages %+v", msgs)
	}
	msgs, err = s.Messages(ctx, f.ws.ID, c.ID, 2, 0)
	must(t, err)
	if len(msgs) != 1 || msgs[0].Seq != 3 {
		t.Fatalf("messages after 1: %+v", msgs)
	}
}

func testIdempotentSend(t *testing.T, s chat.Store) {
	f := setup(t, s, "idem")
	c := f.open(t, s)
	first := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "same-id", "hello")
	seq := lastSeq(t, s, f.ws.ID)
	again, events, dup, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "same-id", Body: "hello"})
	must(t, err)
	if !dup || again.ID != first.ID || again.Seq != first.Seq || len(events) != 0 {
		t.Fatalf("retry stored again: %+v dup=%v events=%v", again, dup, events)
	}
	if lastSeq(t, s, f.ws.ID) != seq {
		t.Fatal("retry wrote an event")
	}
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "same-id", Body: "other"})
	wantCode(t, err, chat.ErrClientMsgIDConflict)
	// A retry is answered even after the conversation closed.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
	must(t, err)
	_, _, dup, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "same-id", Body: "hello"})
	must(t, err)
	if !dup {
		t.Fatal("retry after close was not recognised")
	}
	if n := len(texts(t, s, f.ws.ID, c.ID)); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

// texts lists a conversation's text messages (not system messages).
func texts(t *testing.T, s chat.Store, ws, conv int64) []chat.Message {
	t.Helper()
	msgs, err := s.Messages(ctx, ws, conv, 0, 0)
	must(t, err)
	var out []chat.Message
	for _, m := range msgs {
		if m.Kind == chat.KindText {
			out = append(out, m)
		}
	}
	return out
}

func testRefusalsWriteNothing(t *testing.T, s chat.Store) {
	f := setup(t, s, "refuse")
	c := f.open(t, s)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "hi")
	seq := lastSeq(t, s, f.ws.ID)
	long := make([]rune, chat.MaxMessageLength+1)
	for i := range long {
		long[i] = '가'
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"empty body", sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "e1", "  "), chat.ErrEmptyMessage},
		{"too long", sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "e2", string(long)), chat.ErrMessageTooLong},
		{"no client id", sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "", "x"), chat.ErrInvalid},
		{"unknown conversation", sendErr(s, f.ws.ID, 999999, chat.VisitorActor, "e3", "x"), chat.ErrConversationNotFound},
		{"agent not assigned", sendErr(s, f.ws.ID, c.ID, f.a1, "e4", "x"), chat.ErrConversationNotOpen},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	_, _, err := s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrNotAssignee)
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("refusals wrote events: seq %d → %d", seq, got)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 1 {
		t.Fatalf("refusals stored messages: %+v", msgs)
	}
}

func sendErr(s chat.Store, ws, conv int64, actor chat.Actor, id, body string) error {
	_, _, _, err := s.AppendMessage(ctx, ws, conv, actor, chat.NewMessage{ClientMsgID: id, Body: body})
	return err
}

func testConcurrentSends(t *testing.T, s chat.Store) {
	f := setup(t, s, "burst")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	start := lastSeq(t, s, f.ws.ID)
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			actor := chat.VisitorActor
			if i%2 == 1 {
				actor = f.a1
			}
			if _, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, actor, chat.NewMessage{ClientMsgID: fmt.Sprint("m", i), Body: fmt.Sprint("message ", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != n+1 { // and the system message of the assignment
		t.Fatalf("%d messages, want %d", len(msgs), n+1)
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
	}
	evs, err := s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: start})
	must(t, err)
	if len(evs) != n {
		t.Fatalf("%d events, want %d", len(evs), n)
	}
	for i, ev := range evs {
		if ev.Seq != start+int64(i)+1 {
			t.Fatalf("event %d has seq %d: the log has a gap", i, ev.Seq)
		}
		// Commit order equals sequence order: each event's message seq rises.
		if i > 0 && ev.Message.Seq <= evs[i-1].Message.Seq {
			t.Fatalf("event %d carries message seq %d after %d", ev.Seq, ev.Message.Seq, evs[i-1].Message.Seq)
		}
	}
	byConv, err := s.Events(ctx, f.ws.ID, chat.EventFilter{ConversationID: c.ID, AfterSeq: start, Limit: 5})
	must(t, err)
	if len(byConv) != 5 || byConv[0].Seq != start+1 {
		t.Fatalf("filtered events %d, first %d", len(byConv), byConv[0].Seq)
	}
}
