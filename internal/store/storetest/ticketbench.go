package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// ticketBenchSize is how many tickets BenchTicketList pages through.
const ticketBenchSize = 20000

// ticketLines are what customers leave, varied by the loop.
var ticketLines = []string{
	"주문번호 %d 결제가 두 번 되었습니다. 한 건 취소 부탁드립니다.",
	"배송 조회가 %d일째 그대로예요. 언제 받을 수 있을까요?",
	"찻잔 세트 %d개 주문했는데 하나가 깨져서 왔어요. 교환 가능할까요?",
	"영수증 재발급 부탁드립니다. 사업자 번호는 %d 입니다.",
	"회원 탈퇴하고 싶은데 방법을 모르겠어요 (%d)",
	"최저가 대출 상담 %d번 안내, 지금 바로 연락 주세요",
}

// BenchTicketList measures the To check list over a workspace with
// ticketBenchSize tickets: the first page, a page deep in the list, a
// filtered page (status and priority), the unread filter for an agent who
// has read half, and a tag filter. Each op is one page of 50.
func BenchTicketList(b *testing.B, open Opener) {
	s := open(b)
	ws := &chat.Workspace{SiteID: "tickets", Name: "bench", IdentitySecret: "s"}
	mustB(b, s.CreateWorkspace(ctx, ws))
	ag := &chat.Agent{Email: "kim@tickets.bench", Name: "김상담", PasswordHash: "x"}
	mustB(b, s.CreateAgent(ctx, ag))
	mustB(b, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
	// Seed with 32 writers at once, as group commit batches them.
	var wg sync.WaitGroup
	var ids [ticketBenchSize]int64
	for w := range 32 {
		wg.Go(func() {
			for i := w; i < ticketBenchSize; i += 32 {
				tk := &chat.Ticket{WorkspaceID: ws.ID, Name: "홍길동", Contact: fmt.Sprintf("010-%04d-%04d", i%10000, i/10000),
					Message: fmt.Sprintf(ticketLines[i%len(ticketLines)], i)}
				if i%7 == 0 {
					tk = &chat.Ticket{WorkspaceID: ws.ID, CreatedBy: ag.ID, Subject: fmt.Sprintf("전화 문의 %d", i), Priority: chat.PriorityHigh,
						Tags: []string{"환불"}}
				}
				if _, err := s.CreateTicket(ctx, tk); err != nil {
					b.Error(err)
					return
				}
				ids[i] = tk.ID
			}
		})
	}
	wg.Wait()
	for i := 0; i < ticketBenchSize; i += 2 {
		mustB(b, s.MarkTicketRead(ctx, ws.ID, ids[i], ag.ID))
	}
	// PostgreSQL's autovacuum analyzes a table that grew this much; the
	// benchmark measures that steady state rather than a fresh table's.
	if a, ok := s.(interface{ Analyze(context.Context) error }); ok {
		mustB(b, a.Analyze(ctx))
	}
	var middle int64
	for _, id := range ids {
		middle = max(middle, id)
	}
	middle /= 2
	for _, bc := range []struct {
		name string
		f    chat.TicketFilter
	}{
		{"first page", chat.TicketFilter{}},
		{"deep page", chat.TicketFilter{Before: middle}},
		{"open, high or urgent", chat.TicketFilter{Statuses: []chat.TicketStatus{chat.TicketOpen, chat.TicketPending}, Priorities: []chat.TicketPriority{chat.PriorityHigh, chat.PriorityUrgent}}},
		{"unread", chat.TicketFilter{Unread: true}},
		{"tag", chat.TicketFilter{Tag: "환불", Before: middle}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := bc.f
			f.Viewer, f.Limit = ag.ID, 51
			for b.Loop() {
				page, err := s.Tickets(ctx, ws.ID, f)
				if err != nil || len(page) != 51 {
					b.Fatalf("%d tickets, %v", len(page), err)
				}
			}
		})
	}
}
