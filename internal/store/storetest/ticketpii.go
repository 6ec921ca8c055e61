package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// ticketText is a left message as visitors write them: a refund account
// and a resident registration number in one sentence.
const ticketText = "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 900101-1234568"

// eventsHoldTicket reports whether any stored event of the workspace holds text.
func eventsHoldTicket(t *testing.T, s chat.Store, ws int64, text string) bool {
	t.Helper()
	evs, err := s.Events(ctx, ws, chat.EventFilter{})
	must(t, err)
	for _, ev := range evs {
		if strings.Contains(string(ev.Encoded), text) || ev.Ticket != nil && strings.Contains(ev.Ticket.Message, text) {
			return true
		}
	}
	return false
}

// testPIITickets: a left message is a visitor's text (§7.1, §11). Under
// automatic masking it is stored masked — the ticket, its event, the
// list's search — with its originals sealed for the ticket and the mask
// audited without the values; a node without a key refuses it with
// nothing written. An original opens for a moment (pii.view) or for good
// (pii.unmask), and rotation re-seals it. What agents type — a ticket
// they open, a reply, a comment — is left alone, as their chat messages
// are; in suggest mode nothing is masked on arrival, and the desk masks what
// the console offers, the stored events following.
func testPIITickets(t *testing.T, s chat.Store) {
	f := setup(t, s, "piiticket")
	other := setup(t, s, "piiticket2")
	k := keyring(t)
	by := chat.Who{AgentID: f.manager.AgentID, Name: "manager", Address: "127.0.0.1"}
	ws, err := s.Workspace(ctx, f.ws.ID)
	must(t, err)
	ws.Settings.PII.Mode = chat.PIIAuto
	_, err = s.UpdateWorkspace(ctx, ws, by)
	must(t, err)
	held := func(text string) []string {
		t.Helper()
		cols, err := s.(interface {
			HeldIn(context.Context, string) ([]string, error)
		}).HeldIn(ctx, text)
		must(t, err)
		return cols
	}
	leave := func(wsID int64) (*chat.Ticket, []chat.Event, error) {
		tk := &chat.Ticket{WorkspaceID: wsID, CustomerID: f.customer.ID, Name: "홍길동", Contact: "hong@example.com", Message: ticketText}
		if wsID != f.ws.ID {
			tk.CustomerID = other.customer.ID
		}
		events, err := s.CreateTicket(ctx, tk)
		return tk, events, err
	}
	tickets := func(text string) []chat.TicketItem {
		t.Helper()
		list, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Viewer: f.manager.AgentID, Text: text})
		must(t, err)
		return list
	}

	// A node without a key refuses the left message, as it refuses a
	// visitor's chat message, and writes nothing.
	_, _, err = leave(f.ws.ID)
	wantCode(t, err, chat.ErrPIIKeyMismatch)
	if n := len(tickets("")); n != 0 {
		t.Fatalf("a refused left message left %d tickets", n)
	}
	if cols := held("1234568"); len(cols) != 0 {
		t.Fatalf("a refused left message is stored in %v", cols)
	}

	must(t, s.UsePIIKey(ctx, k.KeyID()))
	s.(interface{ UsePII(chat.Sealer) }).UsePII(k)
	tk, events, err := leave(f.ws.ID)
	must(t, err)
	const masked = "환불 계좌는 국민은행 **************** 입니다, 주민번호 **************"
	account := pii.Span{Start: 12, End: 28, Kind: pii.Account}
	rrn := pii.Span{Start: 39, End: 53, Kind: pii.RRN}
	if tk.Message != masked || !slices.Equal(tk.Masks, []pii.Span{account, rrn}) || tk.Name != "홍길동" || tk.Contact != "hong@example.com" {
		t.Fatalf("the left message %+v", tk)
	}
	if len(events) != 1 || events[0].Ticket.Message != masked || len(events[0].Ticket.Masks) != 2 ||
		strings.Contains(string(events[0].Encoded), "1234568") || strings.Contains(string(events[0].Encoded), "234567") {
		t.Fatalf("the ticket's event %+v %s", events, events[0].Encoded)
	}
	got, err := s.Ticket(ctx, f.ws.ID, tk.ID, f.manager.AgentID)
	must(t, err)
	if got.Message != masked || !slices.Equal(got.Masks, tk.Masks) {
		t.Fatalf("the stored ticket %+v", got)
	}
	for _, v := range []string{"900101-1234568", "1234568", "123456-01-234567", "234567"} {
		if cols := held(v); len(cols) != 0 {
			t.Fatalf("%s is stored in clear in %v", v, cols)
		}
		if n := len(tickets(v)); n != 0 {
			t.Fatalf("searching %s finds %d tickets", v, n)
		}
	}
	if n := len(tickets("주민번호")); n != 1 {
		t.Fatalf("searching the masked ticket's words finds %d", n)
	}
	audits := func(action string) []chat.AuditEntry {
		t.Helper()
		entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{})
		must(t, err)
		var out []chat.AuditEntry
		for _, e := range entries {
			if strings.Contains(jsonOf(e), "1234568") || strings.Contains(jsonOf(e), "234567") {
				t.Fatalf("the audit log holds a value: %+v", e)
			}
			if e.Action == action {
				out = append(out, e)
			}
		}
		return out
	}
	if masks := audits(chat.AuditPIIMask); len(masks) != 1 || masks[0].Target != fmt.Sprintf("ticket %d", tk.ID) || masks[0].ActorID != 0 ||
		!strings.Contains(jsonOf(masks[0]), `"automatic":true`) || !strings.Contains(jsonOf(masks[0]), `"spans":2`) {
		t.Fatalf("the automatic mask's audit %+v", masks)
	}

	// Seeing an original: for the caller only, audited with the reason.
	view := chat.Unmask{Start: rrn.Start, End: rrn.End, Reason: "본인 확인 요청"}
	after, originals, events, err := s.UnmaskTicket(ctx, f.ws.ID, tk.ID, view, k, by)
	must(t, err)
	if len(originals) != 1 || originals[0].Text != "900101-1234568" || originals[0].Kind != pii.RRN || len(events) != 0 || after.Message != masked {
		t.Fatalf("view: %+v %+v %+v", after, originals, events)
	}
	if views := audits(chat.AuditPIIView); len(views) != 1 || views[0].ActorID != f.manager.AgentID || !strings.Contains(jsonOf(views[0]), "본인 확인 요청") {
		t.Fatalf("the view's audit %+v", views)
	}

	// Refusals change nothing.
	theirs, _, err := leave(other.ws.ID)
	must(t, err)
	k2 := keyring(t)
	for _, bad := range []struct {
		name   string
		ws, id int64
		u      chat.Unmask
		s      chat.Sealer
		code   string
	}{
		{"unknown ticket", f.ws.ID, tk.ID + 1000, view, k, chat.ErrNotFound},
		{"another workspace's ticket", f.ws.ID, theirs.ID, view, k, chat.ErrNotFound},
		{"nothing masked there", f.ws.ID, tk.ID, chat.Unmask{Start: 0, End: 2, Reason: "x"}, k, chat.ErrMaskNotFound},
		{"half a mask", f.ws.ID, tk.ID, chat.Unmask{Start: rrn.Start, End: rrn.Start + 6, Reason: "x"}, k, chat.ErrSpanCrossesMask},
		{"out of range", f.ws.ID, tk.ID, chat.Unmask{Start: 40, End: 400, Reason: "x"}, k, chat.ErrSpanOutOfRange},
		{"another key", f.ws.ID, tk.ID, view, k2, chat.ErrPIIKeyMismatch},
		{"permanent, another key", f.ws.ID, tk.ID, chat.Unmask{Start: rrn.Start, End: rrn.End, Reason: "x", Permanent: true}, k2, chat.ErrPIIKeyMismatch},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, _, _, err := s.UnmaskTicket(ctx, bad.ws, bad.id, bad.u, bad.s, by)
			wantCode(t, err, bad.code)
		})
	}
	if n := len(audits(chat.AuditPIIView)) + len(audits(chat.AuditPIIUnmask)); n != 1 {
		t.Fatalf("refusals were audited as views: %d entries", n)
	}
	if got, err = s.Ticket(ctx, f.ws.ID, tk.ID, f.manager.AgentID); err != nil || got.Message != masked || len(got.Masks) != 2 {
		t.Fatalf("a refusal changed the ticket: %+v %v", got, err)
	}
	// The other workspace keeps the defaults (suggest): nothing masked on arrival.
	if theirs.Message != ticketText || len(theirs.Masks) != 0 {
		t.Fatalf("a suggest-mode workspace's left message %+v", theirs)
	}

	// In suggest mode the desk masks what the console offers: the stored
	// message and its stored events follow; a span already masked
	// changes nothing.
	if !eventsHoldTicket(t, s, other.ws.ID, "1234568") {
		t.Fatal("the suggest-mode ticket's event never held the number: the test proves nothing")
	}
	theirBy := chat.Who{AgentID: other.manager.AgentID, Name: "manager", Address: "127.0.0.1"}
	mt, events, err := s.MaskTicket(ctx, other.ws.ID, theirs.ID, rrn, k, theirBy)
	must(t, err)
	const rrnMasked = "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 **************"
	if mt.Message != rrnMasked || !slices.Equal(mt.Masks, []pii.Span{rrn}) || len(events) != 1 || events[0].Type != chat.EventTicketUpdated ||
		strings.Contains(string(events[0].Encoded), "1234568") {
		t.Fatalf("masked by hand: %+v %+v", mt, events)
	}
	if eventsHoldTicket(t, s, other.ws.ID, "1234568") || len(held("1234568")) != 0 {
		t.Fatalf("the number stayed in an event, or in %v", held("1234568"))
	}
	if _, events, err = s.MaskTicket(ctx, other.ws.ID, theirs.ID, pii.Span{Start: 40, End: 45, Kind: pii.Other}, k, theirBy); err != nil || len(events) != 0 {
		t.Fatalf("masking inside a mask: %v %+v", err, events)
	}
	_, _, err = s.MaskTicket(ctx, other.ws.ID, theirs.ID, pii.Span{Start: 50, End: 60, Kind: pii.Other}, k, theirBy)
	wantCode(t, err, chat.ErrSpanOutOfRange)
	_, _, err = s.MaskTicket(ctx, f.ws.ID, theirs.ID, rrn, k, by)
	wantCode(t, err, chat.ErrNotFound)
	_, originals, _, err = s.UnmaskTicket(ctx, other.ws.ID, theirs.ID, view, k, theirBy)
	must(t, err)
	if originals[0].Text != "900101-1234568" {
		t.Fatalf("the hand-masked original %+v", originals)
	}

	// Rotation re-seals the tickets' originals too.
	n, err := s.RotatePIIKey(ctx, k, k2)
	must(t, err)
	if n != 3 {
		t.Fatalf("re-sealed %d originals, want 3", n)
	}
	_, originals, _, err = s.UnmaskTicket(ctx, f.ws.ID, tk.ID, view, k2, by)
	must(t, err)
	if originals[0].Text != "900101-1234568" {
		t.Fatalf("after rotation %+v", originals)
	}

	// Restoring puts the account back in storage, and only it.
	restored, originals, events, err := s.UnmaskTicket(ctx, f.ws.ID, tk.ID,
		chat.Unmask{Start: account.Start, End: account.End, Reason: "환불 처리", Permanent: true}, k2, by)
	must(t, err)
	want := "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 **************"
	if restored.Message != want || !slices.Equal(restored.Masks, []pii.Span{rrn}) || len(originals) != 1 ||
		len(events) != 1 || events[0].Type != chat.EventTicketUpdated || events[0].Ticket.Message != want {
		t.Fatalf("restore: %+v %+v %+v", restored, originals, events)
	}
	if got, err = s.Ticket(ctx, f.ws.ID, tk.ID, f.manager.AgentID); err != nil || got.Message != want || len(got.Masks) != 1 {
		t.Fatalf("the restored ticket as stored %+v %v", got, err)
	}
	if len(audits(chat.AuditPIIUnmask)) != 1 {
		t.Fatal("the restore is not audited")
	}

	// Agents' text is theirs to write, as in chat: a ticket an agent
	// opens and a reply or comment are stored as typed.
	mine := &chat.Ticket{WorkspaceID: f.ws.ID, CreatedBy: f.a1.AgentID, Subject: "환불 요청", Message: ticketText}
	_, err = s.CreateTicket(ctx, mine)
	must(t, err)
	if mine.Message != ticketText || len(mine.Masks) != 0 {
		t.Fatalf("an agent's ticket was masked: %+v", mine)
	}
	reply := &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a1.AgentID, Internal: true, Body: "확인: 900101-1234568"}
	_, err = s.AddTicketReply(ctx, reply, false)
	must(t, err)
	if reply.Body != "확인: 900101-1234568" {
		t.Fatalf("an agent's comment was changed: %+v", reply)
	}
}
