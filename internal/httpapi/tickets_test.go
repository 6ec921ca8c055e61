package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/jobs"
	"github.com/sodam-chat/sodam/internal/notify"
)

// mailbox is a real SMTP server (emersion/go-smtp) on loopback that
// refuses the first `fail` messages with a temporary error, then keeps
// what it is sent.
type mailbox struct {
	mu   sync.Mutex
	fail int
	// refuse refuses every message for good (550); refuseSender refuses
	// the sender (MAIL FROM), as a server does to a wrong From setting.
	refuse, refuseSender bool
	got                  []*mail.Message
	raw                  []string
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{b}, nil }

type mailSession struct{ b *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.refuseSender {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender address not allowed"}
	}
	return nil
}
func (*mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*mailSession) Reset()                               {}
func (*mailSession) Logout() error                        { return nil }
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	if s.b.fail > 0 {
		s.b.fail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailbox busy, try again later"}
	}
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		return err
	}
	s.b.got = append(s.b.got, m)
	s.b.raw = append(s.b.raw, string(data))
	return nil
}

func (b *mailbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.got)
}

// startMailbox serves a mailbox and returns the SMTP settings to reach it.
func startMailbox(t *testing.T, fail int) (*mailbox, notify.SMTP) {
	t.Helper()
	b := &mailbox{fail: fail}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return b, notify.SMTP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "support@shop.example", TLS: "none"}
}

// runJobs runs the jobs due on the env's clock, as a node's runner would.
func (e *env) runJobs() int {
	r := &jobs.Runner{Store: e.store, Commit: e.app, Handlers: e.app.Jobs(), Log: slog.New(slog.DiscardHandler),
		Node: "test-node", Lease: time.Minute, Now: e.clock.Now}
	return r.RunDue(e.t.Context())
}

type ticketDetailBody struct {
	Ticket struct {
		chat.Ticket
		Unread bool `json:"unread"`
	} `json:"ticket"`
	Replies []chat.TicketReply `json:"replies"`
	Earlier int64              `json:"earlier"`
}

// ticketPageBody is a page of the ticket list, and the path of the next
// page from its Link header ("" on the last page).
type ticketPageBody struct {
	Tickets []struct {
		chat.Ticket
		Unread bool `json:"unread"`
	}
	Next string
}

var linkNext = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

// ticketPage reads a page of the ticket list as c.
func (c *client) ticketPage(path string) ticketPageBody {
	c.e.t.Helper()
	req, err := http.NewRequest("GET", c.e.srv.URL+path, nil)
	must(c.e.t, err)
	resp, err := c.hc.Do(req)
	must(c.e.t, err)
	defer resp.Body.Close()
	var page ticketPageBody
	if resp.StatusCode != 200 {
		c.e.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	must(c.e.t, json.NewDecoder(resp.Body).Decode(&page.Tickets))
	if m := linkNext.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
		page.Next = m[1]
	}
	return page
}

// TestTicketFromChatWithEmailReply: a ticket made from a live chat takes the
// customer's email, links the chat and shows its transcript; an internal
// comment stays inside; a public reply is emailed by the durable job,
// retried after the mail server's temporary refusal, and its delivery
// state is visible; a solved ticket refuses public replies.
func TestTicketFromChatWithEmailReply(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { ticketFromChat(t, newEnvOn(t, kind, nil)) })
	}
}

func ticketFromChat(t *testing.T, e *env) {
	box, cfg := startMailbox(t, 1)
	e.clock.freeze()
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now) // jobs fall due on the same clock
	e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), []time.Duration{time.Minute}, e.clock.Now, nil)
	kim, lee, manager := e.login("kim"), e.login("lee"), e.login("manager")
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	visitor.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v1","body":"지난주 주문한 운동화 환불하고 싶어요"}`, 201, nil)
	kim.json("PATCH", e.convPath(conv.ID)+"/customer", `{"name":"홍길동","email":"hong@example.com"}`, 200, nil)
	shop := e.shopPath()

	// lee may not see kim's chat, so cannot make a ticket of it.
	e.refuse(func() string { return fmt.Sprint(e.lastSeqs()) }, []scenario{
		{name: "another agent's chat", as: lee, method: "POST", path: shop + "/tickets", body: fmt.Sprintf(`{"subject":"환불","conversation_id":%d}`, conv.ID), status: 404, code: chat.ErrConversationNotFound},
	})
	var tk chat.Ticket
	kim.json("POST", shop+"/tickets", fmt.Sprintf(`{"subject":"운동화 환불 요청","body":"주문번호 20261203-0042, 카드 결제","conversation_id":%d,"priority":"high","tags":["환불"],"due_at":"2026-12-05T18:00:00+09:00"}`, conv.ID), 201, &tk)
	if tk.Channel != chat.TicketChat || tk.ConversationID != conv.ID || tk.Contact != "hong@example.com" || tk.Name != "홍길동" ||
		tk.Priority != chat.PriorityHigh || tk.Status != chat.TicketOpen || tk.DueAt == nil || tk.DueAt.Hour() != 9 {
		t.Fatalf("ticket %+v", tk)
	}
	path := fmt.Sprintf("%s/tickets/%d", shop, tk.ID)
	var transcript struct {
		Conversation chat.Conversation
		Messages     []chat.Message
	}
	manager.json("GET", path+"/transcript", "", 200, &transcript)
	found := false
	for _, m := range transcript.Messages {
		found = found || strings.Contains(m.Body, "운동화 환불")
	}
	if transcript.Conversation.ID != conv.ID || !found {
		t.Fatalf("transcript %+v", transcript)
	}

	var note, reply chat.TicketReply
	lee.json("POST", path+"/replies", `{"body":"카드사 취소는 영업일 기준 3일 걸립니다","internal":true}`, 201, &note)
	e.clock.advance(time.Second)
	kim.json("POST", path+"/replies", `{"body":"홍길동 고객님, 환불 접수되었습니다.\n영업일 기준 3일 안에 카드 취소됩니다.","internal":false}`, 201, &reply)
	if note.Delivery != chat.DeliveryNone || reply.Delivery != chat.DeliveryQueued || reply.DeliveryTo != "hong@example.com" {
		t.Fatalf("comment %+v, reply %+v", note, reply)
	}
	// First attempt: the server refuses for now; the reply says it will retry.
	e.runJobs()
	var d ticketDetailBody
	kim.json("GET", path, "", 200, &d)
	if len(d.Replies) != 2 || d.Replies[1].Delivery != chat.DeliveryRetrying || d.Replies[1].DeliveryAttempts != 1 ||
		!strings.Contains(d.Replies[1].DeliveryError, "451") || box.count() != 0 {
		t.Fatalf("after a refusal: %+v", d.Replies)
	}
	if e.runJobs(); box.count() != 0 {
		t.Fatal("retried before its time")
	}
	e.clock.advance(61 * time.Second)
	e.runJobs()
	d = ticketDetailBody{}
	kim.json("GET", path, "", 200, &d)
	if r := d.Replies[1]; r.Delivery != chat.DeliverySent || r.DeliveryAttempts != 2 || r.DeliveredAt == nil || r.DeliveryError != "" {
		t.Fatalf("after the retry: %+v", r)
	}
	if box.count() != 1 {
		t.Fatalf("%d emails", box.count())
	}
	msg := box.got[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body := decodeQP(t, msg)
	if msg.Header.Get("To") != "<hong@example.com>" && msg.Header.Get("To") != "hong@example.com" ||
		!strings.Contains(subject, fmt.Sprintf("[#%d]", tk.ID)) || !strings.Contains(subject, "운동화 환불 요청") ||
		!strings.Contains(body, "환불 접수되었습니다") || strings.Contains(body, "카드사 취소는") ||
		msg.Header.Get("Message-Id") != fmt.Sprintf("<ticket-%d-reply-%d@shop.example>", tk.ID, reply.ID) {
		t.Fatalf("email: to %q subject %q id %q\n%s", msg.Header.Get("To"), subject, msg.Header.Get("Message-Id"), body)
	}
	if e.clock.advance(time.Hour); e.runJobs() > 3 || box.count() != 1 { // three: the auto-offline of kim, lee and the manager, signed in with no console
		t.Fatal("a sent reply was sent again")
	}

	// Unread markers: lee has not seen kim's reply; reading clears it.
	page := lee.ticketPage(shop + "/tickets?unread=true")
	if len(page.Tickets) != 1 || page.Tickets[0].ID != tk.ID || !page.Tickets[0].Unread {
		t.Fatalf("lee's unread %+v", page)
	}
	lee.json("POST", path+"/read", "", 204, nil)
	page = lee.ticketPage(shop + "/tickets?unread=true")
	if len(page.Tickets) != 0 {
		t.Fatalf("still unread %+v", page)
	}

	// Solved: a public reply is refused and nothing changes; a comment is fine.
	kim.json("PATCH", path, `{"status":"solved"}`, 200, nil)
	read := func() string { return kim.state(path) + fmt.Sprint(e.lastSeqs()) }
	e.refuse(read, []scenario{
		{name: "reply to a solved ticket", as: kim, method: "POST", path: path + "/replies", body: `{"body":"추가 안내드립니다","internal":false}`, status: 409, code: chat.ErrTicketSolved},
	})
	kim.json("POST", path+"/replies", `{"body":"고객 확인 전화 완료","internal":true}`, 201, nil)
	// Reopened (pending: waiting for the customer), it takes replies again.
	kim.json("PATCH", path, `{"status":"pending"}`, 200, nil)
	kim.json("POST", path+"/replies", `{"body":"추가로 필요한 것이 있으시면 알려 주세요","internal":false}`, 201, &reply)
	if reply.Delivery != chat.DeliveryQueued {
		t.Fatalf("reply after reopening %+v", reply)
	}
	// A closed chat makes a ticket too (§7.2: live or closed).
	kim.json("POST", e.convPath(conv.ID)+"/close", "", 200, nil)
	var later chat.Ticket
	kim.json("POST", shop+"/tickets", fmt.Sprintf(`{"subject":"교환 요청","conversation_id":%d}`, conv.ID), 201, &later)
	if later.ConversationID != conv.ID || later.Channel != chat.TicketChat || later.Contact != "hong@example.com" {
		t.Fatalf("ticket from a closed chat %+v", later)
	}
}

// TestTicketReplyWithoutSMTP: with no SMTP configured a public reply is
// kept and says it was not emailed; a phone contact says so too.
func TestTicketReplyWithoutSMTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim := e.login("kim")
	v := e.visitor("shop", "")
	v.json("POST", "/api/v1/widget/tickets", `{"name":"김영희","contact":"young@example.com","message":"영수증을 다시 받을 수 있을까요?"}`, 201, nil)
	v2 := e.visitor("shop", "")
	v2.json("POST", "/api/v1/widget/tickets", `{"name":"이철수","contact":"010-2345-6789","message":"배송 조회가 안 돼요"}`, 201, nil)
	page := kim.ticketPage(e.shopPath() + "/tickets")
	if len(page.Tickets) != 2 || page.Tickets[0].Channel != chat.TicketWeb || !page.Tickets[0].Unread {
		t.Fatalf("left messages %+v", page)
	}
	var phone, email chat.TicketReply
	kim.json("POST", fmt.Sprintf("%s/tickets/%d/replies", e.shopPath(), page.Tickets[0].ID), `{"body":"전화 드리겠습니다","internal":false}`, 201, &phone)
	kim.json("POST", fmt.Sprintf("%s/tickets/%d/replies", e.shopPath(), page.Tickets[1].ID), `{"body":"메일로 보내 드렸습니다","internal":false}`, 201, &email)
	if phone.Delivery != chat.DeliveryNoEmail || email.Delivery != chat.DeliveryNoSMTP {
		t.Fatalf("phone %q, email %q", phone.Delivery, email.Delivery)
	}
	if n := e.runJobs(); n != 0 {
		t.Fatalf("%d jobs ran", n)
	}
}

// TestTicketReplyRefusedForGood: a mail server's permanent refusal (550)
// fails the reply at once, with the server's words, and is not retried.
func TestTicketReplyRefusedForGood(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	box, cfg := startMailbox(t, 0)
	box.refuse = true
	e.clock.freeze()
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), nil, e.clock.Now, nil)
	kim := e.login("kim")
	var tk chat.Ticket
	kim.json("POST", e.shopPath()+"/tickets", `{"subject":"주소 변경 요청","contact":"nobody@example.com"}`, 201, &tk)
	var reply chat.TicketReply
	kim.json("POST", fmt.Sprintf("%s/tickets/%d/replies", e.shopPath(), tk.ID), `{"body":"변경해 드렸습니다"}`, 201, &reply)
	e.clock.advance(time.Second)
	e.runJobs()
	var d ticketDetailBody
	kim.json("GET", fmt.Sprintf("%s/tickets/%d", e.shopPath(), tk.ID), "", 200, &d)
	if r := d.Replies[0]; r.Delivery != chat.DeliveryFailed || r.DeliveryAttempts != 1 || !strings.Contains(r.DeliveryError, "no such mailbox") {
		t.Fatalf("refused reply %+v", r)
	}
	e.clock.advance(time.Hour)
	if n := e.runJobs(); n > 1 { // one: kim's auto-offline, signed in with no console
		t.Fatalf("%d more attempts", n-1)
	}
}

// TestTicketReplySenderRefused: a server that refuses the sender (a wrong
// From in this installation's SMTP settings) is retried, not failed at
// once: the operator mends the setting, and the queued replies go out.
func TestTicketReplySenderRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	box, cfg := startMailbox(t, 0)
	box.refuseSender = true
	e.clock.freeze()
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), []time.Duration{time.Minute}, e.clock.Now, nil)
	kim := e.login("kim")
	var tk chat.Ticket
	kim.json("POST", e.shopPath()+"/tickets", `{"subject":"주소 변경 요청","contact":"hong@example.com"}`, 201, &tk)
	path := fmt.Sprintf("%s/tickets/%d", e.shopPath(), tk.ID)
	kim.json("POST", path+"/replies", `{"body":"변경해 드렸습니다"}`, 201, nil)
	e.clock.advance(time.Second)
	e.runJobs()
	var d ticketDetailBody
	kim.json("GET", path, "", 200, &d)
	if r := d.Replies[0]; r.Delivery != chat.DeliveryRetrying || r.DeliveryAttempts != 1 || !strings.Contains(r.DeliveryError, "sender address not allowed") {
		t.Fatalf("after the sender was refused: %+v", r)
	}
	box.mu.Lock()
	box.refuseSender = false // the setting mended
	box.mu.Unlock()
	e.clock.advance(61 * time.Second)
	e.runJobs()
	d = ticketDetailBody{}
	kim.json("GET", path, "", 200, &d)
	if r := d.Replies[0]; r.Delivery != chat.DeliverySent || box.count() != 1 {
		t.Fatalf("after the setting was mended: %+v, %d emails", r, box.count())
	}
}

// TestTicketListPaging: issue 11's spam case through the API. A real ticket
// under 200 spam ones is reached by following next_cursor, and at once by
// a filter; no page repeats one.
func TestTicketListPaging(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { ticketListPaging(t, newEnvOn(t, kind, nil)) })
	}
}

func ticketListPaging(t *testing.T, e *env) {
	ctx := t.Context()
	real := &chat.Ticket{WorkspaceID: e.shop.ID, Name: "박민수", Contact: "park@example.com", Message: "결제가 두 번 되었어요"}
	must(t, e.app.CreateTicket(ctx, real))
	for i := range 200 {
		must(t, e.app.CreateTicket(ctx, &chat.Ticket{WorkspaceID: e.shop.ID, Name: "광고", Contact: "010-0000-0000", Message: fmt.Sprintf("최저가 대출 %d", i)}))
	}
	kim := e.login("kim")
	seen := map[int64]bool{}
	path, pages := e.shopPath()+"/tickets?status=open&limit=100", 0
	for ; path != ""; pages++ {
		page := kim.ticketPage(path)
		for _, tk := range page.Tickets {
			if seen[tk.ID] {
				t.Fatalf("ticket %d twice", tk.ID)
			}
			seen[tk.ID] = true
		}
		path = page.Next
	}
	if len(seen) != 201 || !seen[real.ID] || pages != 3 {
		t.Fatalf("%d tickets in %d pages; the real one: %v", len(seen), pages, seen[real.ID])
	}
	page := kim.ticketPage(e.shopPath() + "/tickets")
	if len(page.Tickets) != chat.DefaultPage || page.Next == "" {
		t.Fatalf("default page: %d, next %q", len(page.Tickets), page.Next)
	}
	id := e.agents["kim"].ID
	kim.json("PATCH", fmt.Sprintf("%s/tickets/%d", e.shopPath(), real.ID), fmt.Sprintf(`{"assignee_id":%d,"priority":"urgent"}`, id), 200, nil)
	for _, q := range []string{fmt.Sprintf("assignee_id=%d", id), "priority=urgent,high", "status=open&priority=urgent", "q=" + url.QueryEscape("두 번")} {
		page = kim.ticketPage(e.shopPath() + "/tickets?" + q)
		if len(page.Tickets) != 1 || page.Tickets[0].ID != real.ID || page.Next != "" {
			t.Fatalf("%s: %+v", q, page)
		}
	}
	page = kim.ticketPage(e.shopPath() + "/tickets?assignee_id=0&limit=100")
	if len(page.Tickets) != 100 || page.Next == "" {
		t.Fatalf("unassigned %d", len(page.Tickets))
	}
}

// TestTicketBadInput: each bad request gets its code, on both stores, and
// changes nothing.
func TestTicketBadInput(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { ticketBadInput(t, newEnvOn(t, kind, nil)) })
	}
}

func ticketBadInput(t *testing.T, e *env) {
	kim, olga := e.login("kim"), e.login("olga")
	visitor := e.visitor("shop", "")
	shop := e.shopPath()
	var tk chat.Ticket
	kim.json("POST", shop+"/tickets", `{"subject":"전화 문의 — 배송지 변경","contact":"010-1234-5678"}`, 201, &tk)
	otherConv := e.visitor("other", "").start()
	var foreign chat.Ticket
	olga.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/tickets", e.other.ID), `{"subject":"남의 티켓"}`, 201, &foreign)
	path := fmt.Sprintf("%s/tickets/%d", shop, tk.ID)
	nul := `\u0000`
	long := strings.Repeat("가", chat.MaxTicketSubject+1)
	tooMany := `["1","2","3","4","5","6","7","8","9","10","11"]`
	read := func() string {
		return kim.state(path, shop+"/tickets?status=open,pending,solved") + fmt.Sprint(e.lastSeqs())
	}
	e.refuse(read, []scenario{
		{name: "no subject", as: kim, method: "POST", path: shop + "/tickets", body: `{"body":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "subject too long", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"` + long + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "subject with NUL", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "a subject of two lines", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불\r\nBcc: all@example.com"}`, status: 400, code: chat.ErrInvalid},
		{name: "a patched subject of two lines", as: kim, method: "PATCH", path: path, body: `{"subject":"환불\nBcc: all@example.com"}`, status: 400, code: chat.ErrInvalid},
		{name: "bad priority", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","priority":"asap"}`, status: 400, code: chat.ErrInvalid},
		{name: "priority of the wrong type", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","priority":3}`, status: 400, code: chat.ErrInvalid},
		{name: "another workspace's chat", as: kim, method: "POST", path: shop + "/tickets", body: fmt.Sprintf(`{"subject":"환불","conversation_id":%d}`, otherConv.ID), status: 404, code: chat.ErrConversationNotFound},
		{name: "an unknown chat", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","conversation_id":999999}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "another workspace's agent", as: kim, method: "POST", path: shop + "/tickets", body: fmt.Sprintf(`{"subject":"환불","assignee_id":%d}`, e.agents["olga"].ID), status: 404, code: chat.ErrAgentNotFound},
		{name: "a bad due time", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","due_at":"내일"}`, status: 400, code: chat.ErrInvalid},
		{name: "too many tags", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","tags":` + tooMany + `}`, status: 400, code: chat.ErrInvalid},
		{name: "a contact that is neither", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","contact":"내일 오후"}`, status: 400, code: chat.ErrInvalid},
		{name: "a contact of two lines", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","contact":"hong@example.com\r\nBcc:all@example.com"}`, status: 400, code: chat.ErrInvalid},
		{name: "a contact of two addresses", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","contact":"hong@example.com,all@example.com"}`, status: 400, code: chat.ErrInvalid},
		{name: "a left message's name of two lines", as: visitor, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍길동\r\nBcc: all@example.com","contact":"hong@example.com","message":"환불"}`, status: 400, code: chat.ErrInvalid},
		{name: "a name of two lines", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","name":"홍길동\n관리자"}`, status: 400, code: chat.ErrInvalid},
		{name: "a left message's contact of two lines", as: visitor, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍길동","contact":"hong@example.com\nBcc:all@example.com","message":"환불"}`, status: 400, code: chat.ErrInvalid},
		{name: "an unknown field", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","status":"solved"}`, status: 400, code: chat.ErrInvalid},
		{name: "an empty reply", as: kim, method: "POST", path: path + "/replies", body: `{"body":"  ","internal":false}`, status: 400, code: chat.ErrEmptyMessage},
		{name: "a reply too long", as: kim, method: "POST", path: path + "/replies", body: `{"body":"` + strings.Repeat("가", chat.MaxMessageLength+1) + `"}`, status: 400, code: chat.ErrMessageTooLong},
		{name: "a reply with NUL", as: kim, method: "POST", path: path + "/replies", body: `{"body":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "internal of the wrong type", as: kim, method: "POST", path: path + "/replies", body: `{"body":"x","internal":"yes"}`, status: 400, code: chat.ErrInvalid},
		{name: "a reply to an unknown ticket", as: kim, method: "POST", path: shop + "/tickets/999999/replies", body: `{"body":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "a reply to another workspace's ticket", as: kim, method: "POST", path: fmt.Sprintf("%s/tickets/%d/replies", shop, foreign.ID), body: `{"body":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "reading another workspace's ticket", as: kim, method: "GET", path: fmt.Sprintf("%s/tickets/%d", shop, foreign.ID), status: 404, code: chat.ErrNotFound},
		{name: "marking another workspace's ticket", as: kim, method: "POST", path: fmt.Sprintf("%s/tickets/%d/read", shop, foreign.ID), status: 404, code: chat.ErrNotFound},
		{name: "a transcript without a chat", as: kim, method: "GET", path: path + "/transcript", status: 404, code: chat.ErrConversationNotFound},
		{name: "a bad status", as: kim, method: "PATCH", path: path, body: `{"status":"closed"}`, status: 400, code: chat.ErrInvalid},
		{name: "a bad due time in a patch", as: kim, method: "PATCH", path: path, body: `{"due_at":"2026-13-01"}`, status: 400, code: chat.ErrInvalid},
		{name: "tags with a comma", as: kim, method: "PATCH", path: path, body: `{"tags":["환불,교환"]}`, status: 400, code: chat.ErrInvalid},
		// A bidirectional override shows "환불" where the text says
		// otherwise, in every agent's list and in the customer's mail.
		{name: "a subject with a bidi override", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불 \u202egnp.exe"}`, status: 400, code: chat.ErrInvalid},
		{name: "a patched subject with an escape", as: kim, method: "PATCH", path: path, body: `{"subject":"환불\u001b[2J"}`, status: 400, code: chat.ErrInvalid},
		{name: "a patched subject with a tab", as: kim, method: "PATCH", path: path, body: `{"subject":"환불\t교환"}`, status: 400, code: chat.ErrInvalid},
		{name: "a tag with a bidi override", as: kim, method: "PATCH", path: path, body: `{"tags":["\u202e불환"]}`, status: 400, code: chat.ErrInvalid},
		{name: "a new ticket's tag with a control character", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"환불","tags":["환\u0085불"]}`, status: 400, code: chat.ErrInvalid},
		{name: "null tags", as: kim, method: "PATCH", path: path, body: `null`, status: 400, code: "invalid_json"},
		{name: "an empty subject", as: kim, method: "PATCH", path: path, body: `{"subject":" "}`, status: 400, code: chat.ErrInvalid},
		{name: "a patch of nothing", as: kim, method: "PATCH", path: path, body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "a list filter", as: kim, method: "GET", path: shop + "/tickets?status=maybe", status: 400, code: chat.ErrInvalid},
		{name: "a priority filter", as: kim, method: "GET", path: shop + "/tickets?priority=top", status: 400, code: chat.ErrInvalid},
		{name: "a channel filter", as: kim, method: "GET", path: shop + "/tickets?channel=phone", status: 400, code: chat.ErrInvalid},
		{name: "a foreign assignee filter", as: kim, method: "GET", path: fmt.Sprintf("%s/tickets?assignee_id=%d", shop, e.agents["olga"].ID), status: 404, code: chat.ErrAgentNotFound},
		{name: "an assignee filter that is no ID", as: kim, method: "GET", path: shop + "/tickets?assignee_id=me", status: 400, code: chat.ErrInvalid},
		{name: "a cursor +1", as: kim, method: "GET", path: shop + "/tickets?cursor=%2B1", status: 400, code: chat.ErrInvalid},
		{name: "a cursor of another list", as: kim, method: "GET", path: shop + "/tickets?cursor=1700000000.5", status: 400, code: chat.ErrInvalid},
		{name: "a limit of 0", as: kim, method: "GET", path: shop + "/tickets?limit=0", status: 400, code: chat.ErrInvalid},
		{name: "a limit over 200", as: kim, method: "GET", path: shop + "/tickets?limit=201", status: 400, code: chat.ErrInvalid},
		{name: "a query over 100 characters", as: kim, method: "GET", path: shop + "/tickets?q=" + strings.Repeat("가", 101), status: 400, code: chat.ErrInvalid},
		{name: "unread=yes", as: kim, method: "GET", path: shop + "/tickets?unread=yes", status: 400, code: chat.ErrInvalid},
	})
}

// decodeQP reads an email's text body, whatever its transfer encoding.
func decodeQP(t *testing.T, m *mail.Message) string {
	t.Helper()
	var r io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	must(t, err)
	return string(b)
}

// TestTicketEventsLive: ticket events reach every agent's console socket
// as they commit — a new ticket, a reply with its delivery state, the
// delivery's change — and never a visitor's, not even the visitor the
// ticket was made from.
func TestTicketEventsLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, cfg := startMailbox(t, 0)
	e.clock.freeze()
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), nil, e.clock.Now, nil)
	kim, lee := e.login("kim"), e.login("lee")
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	kim.json("PATCH", e.convPath(conv.ID)+"/customer", `{"email":"hong@example.com"}`, 200, nil)
	visWS := visitor.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visitor.bearer, conv.ID))
	visWS.next("ready")
	leeWS := lee.mustSocket(e.shopPath() + "/ws")
	leeWS.next("ready")

	var tk chat.Ticket
	kim.json("POST", e.shopPath()+"/tickets", fmt.Sprintf(`{"subject":"환불 요청","conversation_id":%d}`, conv.ID), 201, &tk)
	type ticketEvent struct {
		Type        chat.EventType    `json:"type"`
		Ticket      *chat.Ticket      `json:"ticket"`
		TicketReply *chat.TicketReply `json:"ticket_reply"`
	}
	next := func(typ chat.EventType) ticketEvent {
		t.Helper()
		for {
			var ev ticketEvent
			must(t, json.Unmarshal(leeWS.next("event").Event, &ev))
			if ev.Type == typ {
				return ev
			}
		}
	}
	if ev := next(chat.EventTicketCreated); ev.Ticket == nil || ev.Ticket.ID != tk.ID || ev.Ticket.Subject != "환불 요청" {
		t.Fatalf("ticket.created %+v", ev)
	}
	kim.json("POST", fmt.Sprintf("%s/tickets/%d/replies", e.shopPath(), tk.ID), `{"body":"환불 접수되었습니다"}`, 201, nil)
	if ev := next(chat.EventTicketReplied); ev.TicketReply == nil || ev.TicketReply.Delivery != chat.DeliveryQueued || ev.Ticket.Replies != 1 {
		t.Fatalf("ticket.replied %+v", ev)
	}
	e.runJobs()
	if ev := next(chat.EventTicketDelivery); ev.TicketReply == nil || ev.TicketReply.Delivery != chat.DeliverySent {
		t.Fatalf("ticket.delivery %+v", ev)
	}
	visWS.quiet("event")
}

// TestTicketSearchBeyondASCII: q finds a ticket by the very words it
// holds, whatever their letters. The text was lowercased in Go (every
// script) and the columns by the database (SQLite: ASCII only), so a name
// or subject with a capital beyond ASCII — an accented Latin name, the
// full-width letters Korean keyboards type — was not found by itself.
func TestTicketSearchBeyondASCII(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			ctx := t.Context()
			emilie := &chat.Ticket{WorkspaceID: e.shop.ID, Name: "Émilie Durand", Contact: "emilie@example.com", Message: "주문한 상품이 아직 안 왔어요"}
			must(t, e.app.CreateTicket(ctx, emilie))
			abc := &chat.Ticket{WorkspaceID: e.shop.ID, Name: "최유진", Contact: "010-2345-6789", Message: "ＡＢＣ마트 매장 픽업 주문을 취소하고 싶어요"}
			must(t, e.app.CreateTicket(ctx, abc))
			kim := e.login("kim")
			for q, want := range map[string]int64{"Émilie": emilie.ID, "émilie durand": emilie.ID, "ＡＢＣ마트": abc.ID, "EMILIE@EXAMPLE": emilie.ID} {
				page := kim.ticketPage(e.shopPath() + "/tickets?q=" + url.QueryEscape(q))
				if len(page.Tickets) != 1 || page.Tickets[0].ID != want {
					t.Errorf("q=%s: %d tickets, want #%d", q, len(page.Tickets), want)
				}
			}
		})
	}
}

// TestTicketDueAtAtTheEndOfTime: a due time is checked in UTC, as it is
// stored and shown. One late on 9999-12-31 in a zone west of UTC was
// accepted (its year, read in its own offset, was 9999) and stored as
// 10000-01-01 UTC, which JSON cannot write: the ticket, and the To check
// list holding it, answered 500 for everyone.
func TestTicketDueAtAtTheEndOfTime(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim := e.login("kim")
			shop := e.shopPath()
			var tk chat.Ticket
			kim.json("POST", shop+"/tickets", `{"subject":"전화 문의 — 교환 접수","contact":"010-1234-5678"}`, 201, &tk)
			path := fmt.Sprintf("%s/tickets/%d", shop, tk.ID)
			read := func() string { return kim.state(path, shop+"/tickets") + fmt.Sprint(e.lastSeqs()) }
			late := "9999-12-31T23:00:00-05:00"
			e.refuse(read, []scenario{
				{name: "a due time past 9999 in UTC", as: kim, method: "PATCH", path: path, body: `{"due_at":"` + late + `"}`, status: 400, code: chat.ErrInvalid},
				{name: "a new ticket due then", as: kim, method: "POST", path: shop + "/tickets", body: `{"subject":"교환","due_at":"` + late + `"}`, status: 400, code: chat.ErrInvalid},
			})
			kim.json("GET", shop+"/tickets", "", 200, nil)
		})
	}
}

// TestTicketTagFilterNFD: tags are stored NFC-normalized, and ?tag= is
// read the same way. A tag typed decomposed (macOS writes Hangul as
// conjoining jamo in places, "환불" as "ᄒ ᅪ ᆫ ᄇ ᅮ ᆯ") found no ticket,
// though it is the very tag the list shows.
func TestTicketTagFilterNFD(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim := e.login("kim")
			shop := e.shopPath()
			var tk chat.Ticket
			kim.json("POST", shop+"/tickets", `{"subject":"전화 문의 — 환불","contact":"010-1234-5678","tags":["환불"]}`, 201, &tk)
			kim.json("POST", shop+"/tickets", `{"subject":"전화 문의 — 교환","contact":"010-1234-5678","tags":["교환"]}`, 201, nil)
			nfd := "\u1112\u116a\u11ab\u1107\u116e\u11af" // 환불, decomposed
			for _, tag := range []string{"환불", nfd} {
				page := kim.ticketPage(shop + "/tickets?tag=" + url.QueryEscape(tag))
				if len(page.Tickets) != 1 || page.Tickets[0].ID != tk.ID {
					t.Errorf("tag=%+q: %d tickets", tag, len(page.Tickets))
				}
			}
		})
	}
}

// TestTicketPatchDueAsStored: a due time is stored to the microsecond; the
// PATCH's answer (and the ticket.updated event, built from the same
// ticket) said the nanoseconds it was sent with, so a console comparing
// the two saw a change that was none, and the answer disagreed with the
// next read.
func TestTicketPatchDueAsStored(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim := e.login("kim")
			shop := e.shopPath()
			var tk chat.Ticket
			kim.json("POST", shop+"/tickets", `{"subject":"전화 문의 — 교환 접수","contact":"010-1234-5678"}`, 201, &tk)
			path := fmt.Sprintf("%s/tickets/%d", shop, tk.ID)
			var patched chat.Ticket
			kim.json("PATCH", path, `{"due_at":"2026-12-04T18:00:00.123456789+09:00"}`, 200, &patched)
			var read ticketDetailBody
			kim.json("GET", path, "", 200, &read)
			if patched.DueAt == nil || read.Ticket.DueAt == nil || !patched.DueAt.Equal(*read.Ticket.DueAt) ||
				!read.Ticket.DueAt.Equal(time.Date(2026, 12, 4, 9, 0, 0, 123456000, time.UTC)) {
				t.Fatalf("patched due %v, read %v", patched.DueAt, read.Ticket.DueAt)
			}
		})
	}
}

// TestTicketPatchIfMatch: tags (and the note) are replaced whole, so two
// agents editing them at once lost the first one's without a word. A
// PATCH with If-Match (the ETag a read gives, the ticket's updated_at)
// changes the ticket only if nobody has since: 409 conflict, and nothing
// changed, otherwise. Without If-Match, as before.
func TestTicketPatchIfMatch(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, lee := e.login("kim"), e.login("lee")
			shop := e.shopPath()
			var tk chat.Ticket
			kim.json("POST", shop+"/tickets", `{"subject":"전화 문의 — 환불","contact":"010-1234-5678","tags":["환불"]}`, 201, &tk)
			path := fmt.Sprintf("%s/tickets/%d", shop, tk.ID)
			req, err := http.NewRequest("GET", e.srv.URL+path, nil)
			must(t, err)
			resp, err := kim.hc.Do(req)
			must(t, err)
			resp.Body.Close()
			etag := resp.Header.Get("ETag")
			if etag != `"`+tk.UpdatedAt.UTC().Format(time.RFC3339Nano)+`"` {
				t.Fatalf("ETag %q for updated_at %v", etag, tk.UpdatedAt)
			}
			// Both read the tags ["환불"]; lee adds one and saves first.
			var leeSaw chat.Ticket
			lee.json("PATCH", path, `{"tags":["환불","카드"]}`, 200, &leeSaw)
			read := func() string { return kim.state(path) + fmt.Sprint(e.lastSeqs()) }
			e.refuse(read, []scenario{
				{name: "kim's tags on the ticket as kim read it", as: kim, method: "PATCH", path: path, body: `{"tags":["환불","배송"]}`,
					header: []string{"If-Match", etag}, status: 409, code: chat.ErrConflict},
				{name: "the bare updated_at kim read", as: kim, method: "PATCH", path: path, body: `{"note":"확인"}`,
					header: []string{"If-Match", tk.UpdatedAt.UTC().Format(time.RFC3339Nano)}, status: 409, code: chat.ErrConflict},
				{name: "an If-Match that is no version", as: kim, method: "PATCH", path: path, body: `{"tags":["배송"]}`,
					header: []string{"If-Match", `"v2"`}, status: 400, code: chat.ErrInvalid},
			})
			var saved chat.Ticket
			status, body := kim.do("PATCH", path, `{"tags":["환불","카드","배송"]}`, "If-Match", `"`+leeSaw.UpdatedAt.UTC().Format(time.RFC3339Nano)+`"`)
			must(t, json.Unmarshal(body, &saved))
			if status != 200 || len(saved.Tags) != 3 {
				t.Fatalf("a current If-Match: %d %s", status, body)
			}
			kim.json("PATCH", path, `{"priority":"high"}`, 200, nil) // without If-Match, as before
		})
	}
}

// TestTicketReplySubjectFromLeftMessage: a left message has no subject;
// the reply email's is its first line with something on it. A message
// that began with an empty line (visitors press Enter first) made every
// reply's subject the generic "Reply to your request", and the customer
// could not tell which question was answered.
func TestTicketReplySubjectFromLeftMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	box, cfg := startMailbox(t, 0)
	e.clock.freeze()
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), nil, e.clock.Now, nil)
	kim := e.login("kim")
	v := e.visitor("shop", "")
	var left struct{ ID int64 }
	v.json("POST", "/api/v1/widget/tickets", `{"name":"김영희","contact":"young@example.com","message":"\n  \n  영수증 재발급 문의  \n주문번호 20261203-0042"}`, 201, &left)
	kim.json("POST", fmt.Sprintf("%s/tickets/%d/replies", e.shopPath(), left.ID), `{"body":"메일로 보내 드렸습니다"}`, 201, nil)
	e.clock.advance(time.Second)
	e.runJobs()
	if box.count() != 1 {
		t.Fatalf("%d emails", box.count())
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(box.got[0].Header.Get("Subject"))
	must(t, err)
	if want := fmt.Sprintf("[#%d] 영수증 재발급 문의", left.ID); subject != want {
		t.Fatalf("subject %q, want %q", subject, want)
	}
}

// TestTicketContactLater: a chat's ticket made before the customer gave
// an email has no contact, so its replies could never be emailed; PATCH
// contact gives it one (an email or a phone number, "" for none) and the
// next public reply is queued to it. A contact that is neither is refused
// and changes nothing.
func TestTicketContactLater(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			box, cfg := startMailbox(t, 0)
			e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), []time.Duration{time.Minute}, time.Now, nil)
			kim := e.login("kim")
			visitor := e.visitor("shop", "")
			conv := visitor.start()
			kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
			var tk chat.Ticket
			kim.json("POST", e.shopPath()+"/tickets", fmt.Sprintf(`{"subject":"교환 요청","conversation_id":%d}`, conv.ID), 201, &tk)
			path := fmt.Sprintf("%s/tickets/%d", e.shopPath(), tk.ID)
			var reply chat.TicketReply
			kim.json("POST", path+"/replies", `{"body":"교환 접수되었습니다.","internal":false}`, 201, &reply)
			if tk.Contact != "" || reply.Delivery != chat.DeliveryNoEmail {
				t.Fatalf("ticket %+v, reply %+v", tk, reply)
			}
			e.refuse(func() string { return kim.state(path) + fmt.Sprint(e.lastSeqs()) }, []scenario{
				{name: "not a contact", as: kim, method: "PATCH", path: path, body: `{"contact":"카톡으로 주세요"}`, status: 400, code: chat.ErrInvalid},
				{name: "two addresses", as: kim, method: "PATCH", path: path, body: `{"contact":"a@example.com, b@example.com"}`, status: 400, code: chat.ErrInvalid},
				{name: "a number", as: kim, method: "PATCH", path: path, body: `{"contact":42}`, status: 400, code: chat.ErrInvalid},
			})
			kim.json("PATCH", path, `{"contact":"  hong@example.com "}`, 200, &tk)
			if tk.Contact != "hong@example.com" {
				t.Fatalf("contact %q", tk.Contact)
			}
			kim.json("POST", path+"/replies", `{"body":"교환 상품은 내일 발송됩니다.","internal":false}`, 201, &reply)
			if reply.Delivery != chat.DeliveryQueued || reply.DeliveryTo != "hong@example.com" {
				t.Fatalf("reply after the contact %+v", reply)
			}
			e.runJobs()
			if box.count() != 1 {
				t.Fatalf("%d emails", box.count())
			}
			kim.json("PATCH", path, `{"contact":""}`, 200, &tk)
			if tk.Contact != "" {
				t.Fatalf("cleared contact %q", tk.Contact)
			}
		})
	}
}

// TestTicketReplyOnce: a reply sent again with its client_id (its answer
// was lost) is answered with the reply stored the first time, and emailed
// once; the same client_id for another reply is a conflict, a malformed
// one refused; neither changes anything.
func TestTicketReplyOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			box, cfg := startMailbox(t, 0)
			e.app.SetMailer(notify.NewMailer(cfg, slog.New(slog.DiscardHandler)), []time.Duration{time.Minute}, time.Now, nil)
			kim := e.login("kim")
			var tk chat.Ticket
			kim.json("POST", e.shopPath()+"/tickets", `{"subject":"배송지 변경","contact":"hong@example.com"}`, 201, &tk)
			path := fmt.Sprintf("%s/tickets/%d", e.shopPath(), tk.ID)
			const body = `{"body":"배송지를 변경해 드렸습니다.","internal":false,"client_id":"r-7f3a"}`
			var first, again chat.TicketReply
			kim.json("POST", path+"/replies", body, 201, &first)
			kim.json("POST", path+"/replies", body, 201, &again)
			if again.ID != first.ID || again.ClientID != "r-7f3a" {
				t.Fatalf("sent again: %+v, first %+v", again, first)
			}
			e.refuse(func() string { return kim.state(path) + fmt.Sprint(e.lastSeqs()) }, []scenario{
				{name: "the key of another reply", as: kim, method: "POST", path: path + "/replies", body: `{"body":"다른 답변입니다.","internal":false,"client_id":"r-7f3a"}`, status: 409, code: chat.ErrConflict},
				{name: "a key with spaces", as: kim, method: "POST", path: path + "/replies", body: `{"body":"다른 답변입니다.","internal":false,"client_id":"r 7f3a"}`, status: 400, code: chat.ErrInvalid},
			})
			e.runJobs()
			var d ticketDetailBody
			kim.json("GET", path, "", 200, &d)
			if len(d.Replies) != 1 || box.count() != 1 {
				t.Fatalf("%d replies stored, %d emails", len(d.Replies), box.count())
			}
		})
	}
}

// TestTicketThreadPaging: a long thread comes a page at a time, from its
// end, and the pages before it through …/replies?before=; bad cursors and
// another workspace's ticket are refused, on both stores.
func TestTicketThreadPaging(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, olga := e.login("kim"), e.login("olga")
			var tk chat.Ticket
			kim.json("POST", e.shopPath()+"/tickets", `{"subject":"반품 회수 지연","contact":"010-2345-6789"}`, 201, &tk)
			const n = chat.ReplyPage*2 + 7
			for i := range n {
				r := &chat.TicketReply{WorkspaceID: e.shop.ID, TicketID: tk.ID, AuthorID: e.agents["kim"].ID, Internal: true,
					Body: fmt.Sprintf("회수 기사님께 %d번째 연락드렸습니다.", i+1)}
				must(t, e.app.ReplyToTicket(t.Context(), r))
			}
			path := fmt.Sprintf("%s/tickets/%d", e.shopPath(), tk.ID)
			var d ticketDetailBody
			kim.json("GET", path, "", 200, &d)
			if len(d.Replies) != chat.ReplyPage || d.Earlier != d.Replies[0].ID || !strings.Contains(d.Replies[len(d.Replies)-1].Body, fmt.Sprintf(" %d번째", n)) {
				t.Fatalf("the last page: %d replies, earlier %d", len(d.Replies), d.Earlier)
			}
			seen, pages := len(d.Replies), 1
			for before, last := d.Earlier, d.Replies[0].ID; before != 0; pages++ {
				var p struct {
					Replies []chat.TicketReply `json:"replies"`
					Earlier int64              `json:"earlier"`
				}
				kim.json("GET", fmt.Sprintf("%s/replies?before=%d", path, before), "", 200, &p)
				for i, r := range p.Replies {
					if r.ID >= last || i > 0 && r.ID <= p.Replies[i-1].ID {
						t.Fatalf("page %d out of order at %d: %d", pages, i, r.ID)
					}
				}
				last, before, seen = p.Replies[0].ID, p.Earlier, seen+len(p.Replies)
			}
			if seen != n || pages != 3 {
				t.Fatalf("%d replies in %d pages, want %d in 3", seen, pages, n)
			}
			e.refuse(func() string { return kim.state(path) + fmt.Sprint(e.lastSeqs()) }, []scenario{
				{name: "a cursor that is not a number", as: kim, method: "GET", path: path + "/replies?before=abc", status: 400, code: chat.ErrInvalid},
				{name: "a negative cursor", as: kim, method: "GET", path: path + "/replies?before=-1", status: 400, code: chat.ErrInvalid},
				{name: "an unknown ticket", as: kim, method: "GET", path: e.shopPath() + "/tickets/999999/replies", status: 404, code: chat.ErrNotFound},
				{name: "another workspace's member", as: olga, method: "GET", path: path + "/replies", status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "another workspace's ticket through it", as: olga, method: "GET", path: fmt.Sprintf("/api/v1/workspaces/%d/tickets/%d/replies", e.other.ID, tk.ID), status: 404, code: chat.ErrNotFound},
			})
		})
	}
}
