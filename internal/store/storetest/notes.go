package storetest

import (
	"slices"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// testNotes: an internal note is a message for agents that changes nothing
// else about the conversation, records its mentions, lets a mentioned
// colleague in, and is stored once per client ID.
func testNotes(t *testing.T, s chat.Store) {
	f := setup(t, s, "notes")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "지난주에 주문한 운동화 환불하고 싶어요")
	send(t, s, f.ws.ID, c.ID, f.a1, "a1", "주문번호 알려주시면 바로 확인해 드릴게요")
	before, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)

	note := chat.NewMessage{ClientMsgID: "n1", Body: "@lee님 이 고객 지난달에도 환불했어요, 이력 확인 부탁드려요", SenderName: "kim"}
	m, events, dup, err := s.AddNote(ctx, f.ws.ID, c.ID, f.a1, note)
	must(t, err)
	if dup || !m.Internal || m.Kind != chat.KindText || m.SenderType != chat.SenderAgent || m.SenderID != f.a1.AgentID ||
		m.Seq != before.LastSeq+1 || !slices.Equal(m.Mentions, []int64{f.a2.AgentID}) {
		t.Fatalf("note %+v dup=%v", m, dup)
	}
	if len(events) != 1 || events[0].Type != chat.EventMessageCreated || events[0].Message.ID != m.ID || !events[0].Message.Internal ||
		chat.VisitorMaySee(events[0], c.ID) {
		t.Fatalf("note events %+v", events)
	}
	after, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	if after.State != before.State || after.LastMessage != before.LastMessage || !after.LastMessageAt.Equal(before.LastMessageAt) ||
		after.LastSeq != m.Seq {
		t.Fatalf("a note moved the conversation: before %+v after %+v", before, after)
	}

	for _, who := range []struct {
		actor chat.Actor
		want  bool
	}{{f.a2, true}, {f.a1, false}, {f.manager, false}} {
		got, err := s.IsMentioned(ctx, f.ws.ID, c.ID, who.actor.AgentID)
		must(t, err)
		if got != who.want {
			t.Errorf("IsMentioned(%d) = %v, want %v", who.actor.AgentID, got, who.want)
		}
	}

	ids, err := s.MentionedIn(ctx, f.ws.ID, f.a2.AgentID)
	must(t, err)
	if !slices.Equal(ids, []int64{c.ID}) {
		t.Fatalf("MentionedIn = %v, want [%d]", ids, c.ID)
	}
	ids, err = s.MentionedIn(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if len(ids) != 0 {
		t.Fatalf("MentionedIn(a1) = %v", ids)
	}

	// A retry is stored once; the same client ID for something else is a
	// conflict, whether a note or a reply.
	again, events, dup, err := s.AddNote(ctx, f.ws.ID, c.ID, f.a1, note)
	must(t, err)
	if !dup || again.ID != m.ID || len(events) != 0 || !slices.Equal(again.Mentions, m.Mentions) {
		t.Fatalf("retried note %+v dup=%v events=%v", again, dup, events)
	}
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "n1", Body: "다른 메모"})
	wantCode(t, err, chat.ErrClientMsgIDConflict)
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a1", Body: "주문번호 알려주시면 바로 확인해 드릴게요"})
	wantCode(t, err, chat.ErrClientMsgIDConflict)
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "n1", Body: note.Body})
	wantCode(t, err, chat.ErrClientMsgIDConflict)

	// The mentioned colleague may answer with a note; an agent nobody
	// mentioned may not see the conversation at all.
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, f.a2, chat.NewMessage{ClientMsgID: "n2", Body: "확인했어요. 3월 2일에 한 번 환불됐어요", SenderName: "lee"})
	must(t, err)
	park := newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOnline)
	seq := lastSeq(t, s, f.ws.ID)
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, park, chat.NewMessage{ClientMsgID: "n3", Body: "저도 볼게요"})
	wantCode(t, err, chat.ErrConversationNotFound)
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "n4", Body: "메모"})
	wantCode(t, err, chat.ErrForbidden)
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "n5", Body: "  "})
	wantCode(t, err, chat.ErrEmptyMessage)
	other := setup(t, s, "notes-other")
	_, _, _, err = s.AddNote(ctx, other.ws.ID, c.ID, other.master, chat.NewMessage{ClientMsgID: "n6", Body: "남의 상담"})
	wantCode(t, err, chat.ErrConversationNotFound)
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("refused notes wrote events: %d → %d", seq, got)
	}

	// History carries the notes with their mentions, in order.
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	var notes []chat.Message
	for _, x := range msgs {
		if x.Internal && x.SenderType == chat.SenderAgent {
			notes = append(notes, x)
		}
	}
	if len(notes) != 2 || notes[0].ID != m.ID || !slices.Equal(notes[0].Mentions, []int64{f.a2.AgentID}) || len(notes[1].Mentions) != 0 {
		t.Fatalf("notes in history %+v", notes)
	}

	// A note may be written on a closed conversation (wrap-up, history).
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, f.manager, chat.NewMessage{ClientMsgID: "n7", Body: "환불 완료 확인"})
	must(t, err)
	// A closed conversation is no longer followed.
	ids, err = s.MentionedIn(ctx, f.ws.ID, f.a2.AgentID)
	must(t, err)
	if len(ids) != 0 {
		t.Fatalf("MentionedIn after close = %v", ids)
	}
}

// testReadReceipts: each side's read mark moves forward only, by the
// visitor or the assigned agent, with one conversation.read event.
func testReadReceipts(t *testing.T, s chat.Store) {
	f := setup(t, s, "reads")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	a := send(t, s, f.ws.ID, c.ID, f.a1, "a1", "안녕하세요, 소담 고객센터입니다")
	v := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "배송이 아직 안 왔어요")

	got, events, err := s.MarkRead(ctx, f.ws.ID, c.ID, chat.VisitorActor, a.Seq)
	must(t, err)
	if got.VisitorReadSeq != a.Seq || got.AgentReadSeq != 0 || len(events) != 1 || events[0].Type != chat.EventConversationRead ||
		events[0].Conversation.VisitorReadSeq != a.Seq || !chat.VisitorMaySee(events[0], c.ID) {
		t.Fatalf("visitor read %+v events %+v", got, events)
	}
	// Again, or an earlier place: nothing moves, nothing is written.
	seq := lastSeq(t, s, f.ws.ID)
	for _, at := range []int64{a.Seq, 1, 0} {
		_, events, err = s.MarkRead(ctx, f.ws.ID, c.ID, chat.VisitorActor, at)
		must(t, err)
		if len(events) != 0 {
			t.Fatalf("read at %d again: %+v", at, events)
		}
	}
	// A manager looking in is not a receipt; the assignee is.
	_, events, err = s.MarkRead(ctx, f.ws.ID, c.ID, f.manager, v.Seq)
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("manager's read %+v", events)
	}
	_, _, err = s.MarkRead(ctx, f.ws.ID, c.ID, f.a1, v.Seq+1)
	wantCode(t, err, chat.ErrInvalid)
	_, _, err = s.MarkRead(ctx, f.ws.ID, c.ID, f.a1, -1)
	wantCode(t, err, chat.ErrInvalid)
	other := setup(t, s, "reads-other")
	_, _, err = s.MarkRead(ctx, other.ws.ID, c.ID, other.master, 1)
	wantCode(t, err, chat.ErrConversationNotFound)
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("reads that moved nothing wrote events: %d → %d", seq, got)
	}
	got, events, err = s.MarkRead(ctx, f.ws.ID, c.ID, f.a1, v.Seq)
	must(t, err)
	if got.AgentReadSeq != v.Seq || got.VisitorReadSeq != a.Seq || len(events) != 1 || events[0].Conversation.AgentReadSeq != v.Seq {
		t.Fatalf("agent read %+v events %+v", got, events)
	}
	cur, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	if cur.AgentReadSeq != v.Seq || cur.VisitorReadSeq != a.Seq {
		t.Fatalf("stored marks %+v", cur)
	}
}
