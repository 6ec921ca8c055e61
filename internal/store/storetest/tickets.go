package storetest

import (
	"fmt"
	"slices"
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
	// A phone number finds its ticket however either is written: the
	// agent returning a call types the digits the customer reads out.
	call := &chat.Ticket{WorkspaceID: f.ws.ID, Name: "최지우", Contact: "010-2345-6789", Message: "전화 주세요. 반품 접수 방법 문의"}
	abroad := &chat.Ticket{WorkspaceID: f.ws.ID, Name: "한서연", Contact: "+82 10-9876-5432", Message: "해외에서 주문했어요"}
	for _, tk := range []*chat.Ticket{call, abroad} {
		_, err = s.CreateTicket(ctx, tk)
		must(t, err)
	}
	for q, want := range map[string]*chat.Ticket{"01023456789": call, "010 2345 6789": call, "2345-6789": call, "+82 10 2345 6789": call,
		"010-9876-5432": abroad, "01098765432": abroad, "+82 10-9876-5432": abroad, "９８７６５４３２": abroad} {
		found, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Text: q})
		must(t, err)
		if len(found) != 1 || found[0].ID != want.ID {
			t.Errorf("q %s: %d tickets, want #%d", q, len(found), want.ID)
		}
	}
	// Its number, as the emails give it ("문의 번호 #12"), finds it too.
	for _, q := range []string{fmt.Sprintf("#%d", call.ID), fmt.Sprint(call.ID)} {
		found, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Text: q})
		must(t, err)
		if !slices.ContainsFunc(found, func(tk chat.TicketItem) bool { return tk.ID == call.ID }) || (q[0] == '#' && len(found) != 1) {
			t.Errorf("q %s: %d tickets, want #%d", q, len(found), call.ID)
		}
	}
	if found, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Text: "#999999999"}); err != nil || len(found) != 0 {
		t.Errorf("a number no ticket has: %+v %v", found, err)
	}
	for _, q := range []string{"010-2345-0000", "23456789 반품"} { // another number; words and digits: words, as before
		found, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Text: q})
		must(t, err)
		if len(found) != 0 {
			t.Errorf("q %s: %+v", q, found)
		}
	}
}
