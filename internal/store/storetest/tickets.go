package storetest

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

func testTickets(t *testing.T, s chat.Store) {
	f := setup(t, s, "tickets")
	for _, bad := range []chat.Ticket{
		{WorkspaceID: f.ws.ID, Name: "", Contact: "a@b.co", Message: "x"},
		{WorkspaceID: f.ws.ID, Name: "김", Contact: "call me", Message: "x"},
		{WorkspaceID: f.ws.ID, Name: "김", Contact: "010-1234-5678", Message: "  "},
	} {
		if _, err := s.CreateTicket(ctx, &bad); chat.ErrorCode(err) == "" {
			t.Fatalf("accepted %+v: %v", bad, err)
		}
	}
	tk := &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: f.customer.ID, Name: "홍길동", Contact: "010-1234-5678", Message: "환불 문의드립니다"}
	events, err := s.CreateTicket(ctx, tk)
	must(t, err)
	if tk.ID == 0 || tk.Status != chat.TicketOpen || len(events) != 1 || events[0].Type != chat.EventTicketCreated {
		t.Fatalf("ticket %+v, events %+v", tk, events)
	}
	open, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Statuses: []chat.TicketStatus{chat.TicketOpen}})
	must(t, err)
	if len(open) != 1 || open[0].Message != "환불 문의드립니다" {
		t.Fatalf("open tickets %+v", open)
	}
	foreign := setup(t, s, "tickets2").a1.AgentID
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{AssigneeID: &foreign})
	wantCode(t, err, chat.ErrAgentNotFound)
	_, _, err = s.UpdateTicket(ctx, 999999, tk.ID, chat.TicketPatch{})
	wantCode(t, err, chat.ErrNotFound)
	bogus := chat.TicketStatus("maybe")
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Status: &bogus})
	wantCode(t, err, chat.ErrInvalid)
	solved, note, me := chat.TicketSolved, "전화로 안내 완료", f.a1.AgentID
	got, events, err := s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Status: &solved, Note: &note, AssigneeID: &me})
	must(t, err)
	if got.Status != chat.TicketSolved || got.SolvedAt == nil || got.Note != note || got.AssigneeID != me || len(events) != 1 {
		t.Fatalf("solved %+v", got)
	}
	// A patch made on the ticket as it was (Unchanged: If-Match) applies
	// only if nobody changed it since: tags and note are replaced whole,
	// and a colleague's are not lost without a word.
	stale, tags := tk.UpdatedAt, []string{"환불"}
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Tags: &tags, Unchanged: &stale})
	wantCode(t, err, chat.ErrConflict)
	if back, _ := s.Ticket(ctx, f.ws.ID, tk.ID, me); len(back.Tags) != 0 || !back.UpdatedAt.Equal(got.UpdatedAt) || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("a stale patch changed the ticket: %+v", back)
	}
	fresh := got.UpdatedAt
	tagged, _, err := s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Tags: &tags, Unchanged: &fresh})
	must(t, err)
	if len(tagged.Tags) != 1 {
		t.Fatalf("a current patch: %+v", tagged)
	}
	open, err = s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Statuses: []chat.TicketStatus{chat.TicketOpen}})
	must(t, err)
	if len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
	// The search folds case beyond ASCII on both stores: a name finds its
	// ticket however it is written.
	emilie := &chat.Ticket{WorkspaceID: f.ws.ID, Name: "Émilie Durand", Contact: "emilie@example.com", Message: "ＡＢＣ마트 픽업 주문 취소"}
	_, err = s.CreateTicket(ctx, emilie)
	must(t, err)
	for _, q := range []string{"Émilie", "émilie durand", "ＡＢＣ마트", "ａｂｃ", "EMILIE@"} {
		found, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Text: q})
		must(t, err)
		if len(found) != 1 || found[0].ID != emilie.ID {
			t.Errorf("q %s: %+v", q, found)
		}
	}
}
