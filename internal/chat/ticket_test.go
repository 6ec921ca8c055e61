package chat

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReplyDelivery(t *testing.T) {
	email, phone := Ticket{Contact: "hong@example.com"}, Ticket{Contact: "010-1234-5678"}
	for _, tt := range []struct {
		name           string
		t              Ticket
		internal, smtp bool
		want           DeliveryState
	}{
		{"a comment", email, true, true, DeliveryNone},
		{"a comment without SMTP", email, true, false, DeliveryNone},
		{"a reply to an email", email, false, true, DeliveryQueued},
		{"without SMTP", email, false, false, DeliveryNoSMTP},
		{"to a phone", phone, false, true, DeliveryNoEmail},
		{"to nobody", Ticket{}, false, true, DeliveryNoEmail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReplyDelivery(tt.t, tt.internal, tt.smtp); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckAgentTicket(t *testing.T) {
	ok := Ticket{Subject: "환불 요청", Priority: PriorityNormal}
	for _, tt := range []struct {
		name   string
		change func(*Ticket)
		code   string
	}{
		{"fine", func(*Ticket) {}, ""},
		{"with a phone contact", func(t *Ticket) { t.Contact = "02-123-4567" }, ""},
		{"no subject", func(t *Ticket) { t.Subject = " " }, ErrInvalid},
		{"a long subject", func(t *Ticket) { t.Subject = strings.Repeat("가", MaxTicketSubject+1) }, ErrInvalid},
		{"a two-line subject", func(t *Ticket) { t.Subject = "a\r\nBcc: x@example.com" }, ErrInvalid},
		{"a long body", func(t *Ticket) { t.Message = strings.Repeat("가", MaxMessageLength+1) }, ErrMessageTooLong},
		{"a bad contact", func(t *Ticket) { t.Contact = "내일 오후" }, ErrInvalid},
		// A contact is where replies are emailed: one address, one line.
		{"a contact of two lines", func(t *Ticket) { t.Contact = "hong@example.com\r\nBcc:all@example.com" }, ErrInvalid},
		{"a contact of two addresses", func(t *Ticket) { t.Contact = "hong@example.com,all@example.com" }, ErrInvalid},
		{"a contact with a display name", func(t *Ticket) { t.Contact = "Hong<hong@example.com>" }, ErrInvalid},
		{"a bad priority", func(t *Ticket) { t.Priority = "asap" }, ErrInvalid},
		{"a negative assignee", func(t *Ticket) { t.AssigneeID = -1 }, ErrInvalid},
		{"eleven tags", func(t *Ticket) { t.Tags = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",") }, ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk := ok
			tt.change(&tk)
			if got := ErrorCode(CheckAgentTicket(tk)); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
}

func TestNormalizeTags(t *testing.T) {
	// "환불" typed as decomposed jamo (NFD) is the same tag as the composed one.
	got, err := NormalizeTags([]string{" 환불 ", "\u1112\u116a\u11ab\u1107\u116e\u11af", "", "배송"})
	if err != nil || !slices.Equal(got, []string{"환불", "배송"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, bad := range [][]string{{"환불,교환"}, {strings.Repeat("가", MaxTicketTag+1)}, {"a\nb"}} {
		if _, err := NormalizeTags(bad); ErrorCode(err) != ErrInvalid {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestApplyTicketPatch(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	due := now.Add(48 * time.Hour)
	tk := Ticket{Status: TicketOpen, Priority: PriorityNormal, DueAt: &due}
	solved, pending, urgent, zero := TicketSolved, TicketPending, PriorityUrgent, time.Time{}
	if err := ApplyTicketPatch(&tk, TicketPatch{Status: &solved, Priority: &urgent, DueAt: &zero}, now); err != nil {
		t.Fatal(err)
	}
	if tk.Status != TicketSolved || tk.SolvedAt == nil || !tk.SolvedAt.Equal(now) || tk.Priority != PriorityUrgent || tk.DueAt != nil {
		t.Fatalf("solved %+v", tk)
	}
	if err := ApplyTicketPatch(&tk, TicketPatch{Status: &pending}, now); err != nil || tk.SolvedAt != nil {
		t.Fatalf("reopened as pending %+v %v", tk, err)
	}
	bad := TicketStatus("closed")
	before := tk
	if err := ApplyTicketPatch(&tk, TicketPatch{Status: &bad, Priority: &urgent}, now); ErrorCode(err) != ErrInvalid || tk.Status != before.Status {
		t.Fatalf("a bad status: %v, %+v", err, tk)
	}
}
