package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// testTicketThread: a ticket opened from a chat, its thread of replies and
// comments, the email job a public reply schedules, delivery states,
// unread markers, and refusals that write nothing.
func testTicketThread(t *testing.T, s chat.Store) {
	f := setup(t, s, "thread")
	other := setup(t, s, "thread2")
	conv := f.open(t, s)
	due := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

	// Refusals: no subject, a foreign conversation, a foreign assignee, bad tags.
	seq := lastSeq(t, s, f.ws.ID)
	for _, bad := range []struct {
		tk   chat.Ticket
		code string
	}{
		{chat.Ticket{Subject: "  "}, chat.ErrInvalid},
		{chat.Ticket{Subject: "환불", ConversationID: other.open(t, s).ID}, chat.ErrConversationNotFound},
		{chat.Ticket{Subject: "환불", AssigneeID: other.a1.AgentID}, chat.ErrAgentNotFound},
		{chat.Ticket{Subject: "환불", Tags: []string{"a,b"}}, chat.ErrInvalid},
		{chat.Ticket{Subject: "환불", Priority: "asap"}, chat.ErrInvalid},
		{chat.Ticket{Subject: "환불", Contact: "내일 전화"}, chat.ErrInvalid},
	} {
		bad.tk.WorkspaceID, bad.tk.CreatedBy = f.ws.ID, f.a1.AgentID
		_, err := s.CreateTicket(ctx, &bad.tk)
		wantCode(t, err, bad.code)
	}
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("refused tickets wrote events: %d → %d", seq, got)
	}

	tk := &chat.Ticket{WorkspaceID: f.ws.ID, CreatedBy: f.a1.AgentID, ConversationID: conv.ID, Subject: "환불 요청 — 주문 20261203-0042",
		Message: "고객님이 카드 취소를 요청하셨습니다.", Name: "홍길동", Contact: "hong@example.com", Priority: chat.PriorityHigh,
		AssigneeID: f.a1.AgentID, DueAt: &due, Tags: []string{" 환불 ", "카드", "환불"}}
	events, err := s.CreateTicket(ctx, tk)
	must(t, err)
	if tk.Channel != chat.TicketChat || tk.CustomerID != f.customer.ID || tk.ConversationID != conv.ID || tk.Priority != chat.PriorityHigh ||
		!slices.Equal(tk.Tags, []string{"카드", "환불"}) || tk.DueAt == nil || !tk.DueAt.Equal(due) || len(events) != 1 {
		t.Fatalf("chat ticket %+v", tk)
	}
	// The creator has read it; a colleague has not.
	mine, err := s.Ticket(ctx, f.ws.ID, tk.ID, f.a1.AgentID)
	must(t, err)
	theirs, err := s.Ticket(ctx, f.ws.ID, tk.ID, f.a2.AgentID)
	must(t, err)
	if mine.Unread || !theirs.Unread {
		t.Fatalf("unread: creator %v, colleague %v", mine.Unread, theirs.Unread)
	}
	if _, err := s.Ticket(ctx, other.ws.ID, tk.ID, other.a1.AgentID); chat.ErrorCode(err) != chat.ErrNotFound {
		t.Fatalf("another workspace reads the ticket: %v", err)
	}

	// An internal comment, then a public reply: queued with its email job.
	note := &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a2.AgentID, Internal: true, Body: "카드사 확인 필요"}
	_, err = s.AddTicketReply(ctx, note, true)
	must(t, err)
	if note.ID == 0 || note.Delivery != chat.DeliveryNone || note.DeliveryTo != "" {
		t.Fatalf("comment %+v", note)
	}
	reply := &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a1.AgentID, Body: "환불 접수되었습니다. 3영업일 안에 처리됩니다."}
	events, err = s.AddTicketReply(ctx, reply, true)
	must(t, err)
	if reply.Delivery != chat.DeliveryQueued || reply.DeliveryTo != "hong@example.com" || len(events) != 1 ||
		events[0].Type != chat.EventTicketReplied || events[0].TicketReply.ID != reply.ID || events[0].Ticket.Replies != 2 {
		t.Fatalf("reply %+v events %+v", reply, events)
	}
	jobs, err := s.ClaimJobs(ctx, "node-t", time.Now().Add(time.Second), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Kind != chat.JobTicketEmail || jobs[0].RefID != reply.ID {
		t.Fatalf("email jobs %+v", jobs)
	}
	// The colleague's comment made it unread for kim again; kim's reply
	// then counted as read for kim, and unread for lee.
	mine, _ = s.Ticket(ctx, f.ws.ID, tk.ID, f.a1.AgentID)
	theirs, _ = s.Ticket(ctx, f.ws.ID, tk.ID, f.a2.AgentID)
	if mine.Unread || !theirs.Unread || mine.Replies != 2 {
		t.Fatalf("after replies: kim %v, lee %v, %d replies", mine.Unread, theirs.Unread, mine.Replies)
	}
	must(t, s.MarkTicketRead(ctx, f.ws.ID, tk.ID, f.a2.AgentID))
	if theirs, _ = s.Ticket(ctx, f.ws.ID, tk.ID, f.a2.AgentID); theirs.Unread {
		t.Fatal("still unread after reading")
	}
	wantCode(t, s.MarkTicketRead(ctx, other.ws.ID, tk.ID, other.a1.AgentID), chat.ErrNotFound)

	// Delivery: a failure with a retry moves the job; then sent.
	retry := time.Now().Add(time.Hour)
	events, err = s.SetReplyDelivery(ctx, f.ws.ID, reply.ID, chat.ReplyDeliveryUpdate{State: chat.DeliveryRetrying, Attempts: 1,
		Error: "451 4.3.0 try again later", At: time.Now(), RetryAt: &retry})
	must(t, err)
	if len(events) != 1 || events[0].Type != chat.EventTicketDelivery || events[0].TicketReply.Delivery != chat.DeliveryRetrying {
		t.Fatalf("delivery events %+v", events)
	}
	must(t, s.CompleteJob(ctx, jobs[0], "node-t")) // the runner's completion leaves the moved job
	again, _ := s.ClaimJobs(ctx, "node-t", retry.Add(time.Second), time.Minute, 10)
	if len(again) != 1 || again[0].RefID != reply.ID {
		t.Fatalf("retry job %+v", again)
	}
	_, err = s.SetReplyDelivery(ctx, f.ws.ID, reply.ID, chat.ReplyDeliveryUpdate{State: chat.DeliverySent, Attempts: 2, At: time.Now()})
	must(t, err)
	must(t, s.CompleteJob(ctx, again[0], "node-t"))
	got, gotTicket, err := s.TicketReply(ctx, f.ws.ID, reply.ID)
	must(t, err)
	if got.Delivery != chat.DeliverySent || got.DeliveryAttempts != 2 || got.DeliveredAt == nil || got.DeliveryError != "" || gotTicket.ID != tk.ID {
		t.Fatalf("sent reply %+v", got)
	}
	// A late outcome (a second run, which failed) changes nothing once
	// sent: no "retrying", no email scheduled again, no event.
	later := retry.Add(time.Hour)
	seq = lastSeq(t, s, f.ws.ID)
	events, err = s.SetReplyDelivery(ctx, f.ws.ID, reply.ID, chat.ReplyDeliveryUpdate{State: chat.DeliveryRetrying, Attempts: 3,
		Error: "dial tcp: i/o timeout", At: time.Now(), RetryAt: &later})
	must(t, err)
	if got, _, _ := s.TicketReply(ctx, f.ws.ID, reply.ID); got.Delivery != chat.DeliverySent || got.DeliveryAttempts != 2 || len(events) != 0 ||
		lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("a late outcome changed a sent reply: %+v, events %+v", got, events)
	}
	if again, _ := s.ClaimJobs(ctx, "node-t", later.Add(time.Second), time.Minute, 10); len(again) != 0 {
		t.Fatalf("a sent reply's email scheduled again: %+v", again)
	}
	if _, _, err := s.TicketReply(ctx, other.ws.ID, reply.ID); chat.ErrorCode(err) != chat.ErrNotFound {
		t.Fatalf("another workspace reads the reply: %v", err)
	}
	thread, err := s.TicketReplies(ctx, f.ws.ID, tk.ID, 0, chat.ReplyPage)
	must(t, err)
	if len(thread) != 2 || thread[0].ID != note.ID || !thread[0].Internal || thread[1].Delivery != chat.DeliverySent {
		t.Fatalf("thread %+v", thread)
	}

	// Solved: a public reply is refused and writes nothing; a comment is kept.
	solved := chat.TicketSolved
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Status: &solved})
	must(t, err)
	seq = lastSeq(t, s, f.ws.ID)
	_, err = s.AddTicketReply(ctx, &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a1.AgentID, Body: "추가 안내"}, true)
	wantCode(t, err, chat.ErrTicketSolved)
	_, err = s.AddTicketReply(ctx, &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a1.AgentID, Body: "   "}, true)
	wantCode(t, err, chat.ErrEmptyMessage)
	_, err = s.AddTicketReply(ctx, &chat.TicketReply{WorkspaceID: other.ws.ID, TicketID: tk.ID, AuthorID: other.a1.AgentID, Body: "x"}, true)
	wantCode(t, err, chat.ErrNotFound)
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("refused replies wrote events")
	}
	_, err = s.AddTicketReply(ctx, &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a2.AgentID, Internal: true, Body: "환불 완료 확인"}, true)
	must(t, err)

	// A phone contact, and no SMTP: clear states, no job.
	phone := &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: f.customer.ID, Name: "김영희", Contact: "010-2222-3333", Message: "배송이 안 와요"}
	_, err = s.CreateTicket(ctx, phone)
	must(t, err)
	r1 := &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: phone.ID, AuthorID: f.a1.AgentID, Body: "전화 드렸습니다"}
	_, err = s.AddTicketReply(ctx, r1, true)
	must(t, err)
	emailed := &chat.Ticket{WorkspaceID: f.ws.ID, Name: "이철수", Contact: "lee@example.com", Message: "영수증 재발급 부탁드립니다"}
	_, err = s.CreateTicket(ctx, emailed)
	must(t, err)
	r2 := &chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: emailed.ID, AuthorID: f.a1.AgentID, Body: "재발급해 드렸습니다"}
	_, err = s.AddTicketReply(ctx, r2, false)
	must(t, err)
	if r1.Delivery != chat.DeliveryNoEmail || r2.Delivery != chat.DeliveryNoSMTP {
		t.Fatalf("phone %q, no smtp %q", r1.Delivery, r2.Delivery)
	}
	if jobs, _ := s.ClaimJobs(ctx, "node-t", time.Now().Add(time.Second), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("jobs without email: %+v", jobs)
	}

	// Patch: priority, due time cleared, tags replaced, pending.
	pending, low, none, tags := chat.TicketPending, chat.PriorityLow, time.Time{}, []string{"배송"}
	upd, _, err := s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Status: &pending, Priority: &low, DueAt: &none, Tags: &tags})
	must(t, err)
	back, err := s.Ticket(ctx, f.ws.ID, tk.ID, f.a1.AgentID)
	must(t, err)
	if upd.Status != chat.TicketPending || back.Priority != chat.PriorityLow || back.DueAt != nil || !slices.Equal(back.Tags, tags) || back.SolvedAt != nil {
		t.Fatalf("patched %+v", back)
	}
}

// testTicketPaging: issue 11's spam case. 200 spam tickets arrive after a
// real one; the cursor pages reach it, filters find it at once, and pages
// neither repeat nor skip while new tickets arrive.
func testTicketPaging(t *testing.T, s chat.Store) {
	f := setup(t, s, "paging")
	other := setup(t, s, "paging2")
	real := &chat.Ticket{WorkspaceID: f.ws.ID, Name: "박민수", Contact: "park@example.com", Message: "결제가 두 번 되었어요. 확인 부탁드립니다."}
	_, err := s.CreateTicket(ctx, real)
	must(t, err)
	for i := range 200 {
		_, err := s.CreateTicket(ctx, &chat.Ticket{WorkspaceID: f.ws.ID, Name: "광고", Contact: "010-0000-0000", Message: fmt.Sprintf("최저가 대출 안내 %d", i)})
		must(t, err)
	}
	_, err = s.CreateTicket(ctx, &chat.Ticket{WorkspaceID: other.ws.ID, Name: "남", Contact: "010-1111-1111", Message: "다른 곳"})
	must(t, err)
	seen := map[int64]bool{}
	var before int64
	pages := 0
	for {
		page, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Viewer: f.a1.AgentID, Before: before, Limit: 50})
		must(t, err)
		if len(page) == 0 {
			break
		}
		pages++
		for _, tk := range page {
			if seen[tk.ID] || tk.WorkspaceID != f.ws.ID || !tk.Unread {
				t.Fatalf("page %d: ticket %d seen twice, foreign or read", pages, tk.ID)
			}
			seen[tk.ID] = true
		}
		if pages == 1 { // a ticket arriving between pages does not shift them
			_, err := s.CreateTicket(ctx, &chat.Ticket{WorkspaceID: f.ws.ID, Name: "광고", Contact: "010-0000-0000", Message: "또 광고"})
			must(t, err)
		}
		before = page[len(page)-1].ID
	}
	if len(seen) != 201 || !seen[real.ID] || pages != 5 {
		t.Fatalf("paged %d tickets in %d pages; the real one found: %v", len(seen), pages, seen[real.ID])
	}
	// Words find it: inside longer words, before particles, any case.
	for q, want := range map[string]int{"두 번": 1, "결제": 1, "PARK@": 1, "대출": 200, "대출 안내 1": 111, "%": 0, "_": 0, "안내 1_": 0} {
		got := allTickets(t, s, f.ws.ID, chat.TicketFilter{Text: q})
		if len(got) != want || (want == 1 && got[0].ID != real.ID) {
			t.Fatalf("text %q: %d tickets, want %d", q, len(got), want)
		}
	}
	// Filters reach it without paging: spam solved in bulk, or assigned.
	kim := f.a1.AgentID
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, real.ID, chat.TicketPatch{AssigneeID: &kim})
	must(t, err)
	mine, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{AssigneeID: &kim, Limit: 10})
	must(t, err)
	if len(mine) != 1 || mine[0].ID != real.ID {
		t.Fatalf("assigned filter %+v", mine)
	}
	must(t, s.MarkTicketRead(ctx, f.ws.ID, real.ID, kim))
	unread := allTickets(t, s, f.ws.ID, chat.TicketFilter{Viewer: kim, Unread: true})
	for _, tk := range unread {
		if tk.ID == real.ID {
			t.Fatal("a read ticket in the unread filter")
		}
	}
	if len(unread) != 201 {
		t.Fatalf("unread %d", len(unread))
	}
	tags := []string{"결제"}
	tk := &chat.Ticket{WorkspaceID: f.ws.ID, CreatedBy: kim, Subject: "이중 결제", Tags: tags, Priority: chat.PriorityUrgent}
	_, err = s.CreateTicket(ctx, tk)
	must(t, err)
	for name, filter := range map[string]chat.TicketFilter{
		"tag":      {Tag: "결제"},
		"priority": {Priorities: []chat.TicketPriority{chat.PriorityUrgent, chat.PriorityHigh}},
		"channel":  {Channel: chat.TicketChat},
	} {
		got, err := s.Tickets(ctx, f.ws.ID, filter)
		must(t, err)
		if len(got) != 1 || got[0].ID != tk.ID || !slices.Equal(got[0].Tags, tags) {
			t.Fatalf("%s filter: %+v", name, got)
		}
	}
	none := int64(0)
	unassigned := allTickets(t, s, f.ws.ID, chat.TicketFilter{AssigneeID: &none, Statuses: []chat.TicketStatus{chat.TicketOpen}})
	if len(unassigned) != 202 {
		t.Fatalf("unassigned open: %d", len(unassigned))
	}
}

// allTickets pages through every ticket f selects.
func allTickets(t *testing.T, s chat.Store, workspaceID int64, f chat.TicketFilter) []chat.TicketItem {
	t.Helper()
	var out []chat.TicketItem
	f.Limit = chat.DefaultPage
	for {
		page, err := s.Tickets(ctx, workspaceID, f)
		must(t, err)
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		f.Before = page[len(page)-1].ID
	}
}

// testTicketThreadPages: a thread is read a page at a time from its end,
// each page oldest first, and another workspace's read of it finds nothing.
func testTicketThreadPages(t *testing.T, s chat.Store) {
	f := setup(t, s, "pages")
	other := setup(t, s, "pages2")
	tk := chat.Ticket{WorkspaceID: f.ws.ID, CreatedBy: f.a1.AgentID, Subject: "교환 문의"}
	_, err := s.CreateTicket(ctx, &tk)
	must(t, err)
	var ids []int64
	for i := range 5 {
		r := chat.TicketReply{WorkspaceID: f.ws.ID, TicketID: tk.ID, AuthorID: f.a1.AgentID, Internal: true,
			Body: fmt.Sprintf("%d번째 확인: 택배사에 회수 요청했습니다", i+1)}
		_, err := s.AddTicketReply(ctx, &r, false)
		must(t, err)
		ids = append(ids, r.ID)
	}
	idsOf := func(rs []chat.TicketReply) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, c := range []struct {
		before int64
		n      int
		want   []int64
	}{
		{0, 2, ids[3:]},
		{ids[3], 2, ids[1:3]},
		{ids[1], 2, ids[:1]},
		{ids[0], 2, []int64{}},
		{0, 10, ids},
	} {
		got, err := s.TicketReplies(ctx, f.ws.ID, tk.ID, c.before, c.n)
		must(t, err)
		if !slices.Equal(idsOf(got), c.want) {
			t.Fatalf("before %d, %d: %v, want %v", c.before, c.n, idsOf(got), c.want)
		}
	}
	if got, err := s.TicketReplies(ctx, other.ws.ID, tk.ID, 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("another workspace reads the thread: %v, %v", got, err)
	}
}
