package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/pii"
)

// leftMessage is what a visitor types into the leave-a-message form: a
// refund account and a resident registration number.
const leftMessage = "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 900101-1234568"

// TestTicketPII: under automatic masking a left message (§7.1, §11) is
// masked before it is stored, listed, alerted or emailed — the new-ticket
// alert and a reply's email carry only the masked text — and a node
// without a PII key refuses it as it refuses a chat message. A manager
// sees an original with a reason (audited) and restores one; an agent
// without the role, a missing reason, another workspace's ticket and
// unknown IDs are refused with their own 4xx and change nothing.
func TestTicketPII(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			smtp := newSMTPServer(t)
			e := newEnvOn(t, kind, func(c *httpapi.Config) { allowPrivate(c); c.Mail = smtp.mailer() })
			ticketPIIScenario(t, e, smtp)
		})
	}
}

func ticketPIIScenario(t *testing.T, e *env, smtp *smtpInbox) {
	master, manager, kim, olga := e.login("master"), e.login("manager"), e.login("kim"), e.login("olga")
	shop := e.shopPath()
	w := e.worker()
	w.Mail = smtp.mailer()
	e.app.SetMailer(smtp.mailer(), nil, e.clock.Now, nil)
	manager.json("PATCH", shop, `{"settings":{"pii":{"mode":"auto"}}}`, 200, nil)
	master.json("POST", shop+"/alert-targets", `{"kind":"email","url":"desk@example.com","events":["ticket.created"]}`, 201, nil)
	form := fmt.Sprintf(`{"name":"홍길동","contact":"hong@example.com","message":%q}`, leftMessage)
	visitor := e.visitor("shop", "")
	held := func(text string) []string {
		t.Helper()
		cols, err := e.store.(interface {
			HeldIn(context.Context, string) ([]string, error)
		}).HeldIn(context.Background(), text)
		must(t, err)
		return cols
	}
	list := func(as *client, path string) []chat.Ticket {
		t.Helper()
		var out []chat.Ticket
		as.json("GET", path, "", 200, &out)
		return out
	}

	// A node without a key refuses the left message, as it refuses a
	// visitor's chat message under automatic masking, and keeps nothing.
	e.app.UsePII(nil)
	e.run([]scenario{{name: "no PII key", as: visitor, method: "POST", path: "/api/v1/widget/tickets", body: form, status: 503, code: chat.ErrPIIKeyMismatch}})
	if n := len(list(manager, shop+"/tickets")); n != 0 || len(held("1234568")) != 0 {
		t.Fatalf("a refused left message left %d tickets, or its text in %v", n, held("1234568"))
	}
	e.app.UsePII(e.keys)

	var left struct{ ID int64 }
	visitor.json("POST", "/api/v1/widget/tickets", form, 201, &left)
	const masked = "환불 계좌는 국민은행 **************** 입니다, 주민번호 **************"
	account := pii.Span{Start: 12, End: 28, Kind: pii.Account}
	rrn := pii.Span{Start: 39, End: 53, Kind: pii.RRN}
	tickets := list(manager, shop+"/tickets")
	if len(tickets) != 1 || tickets[0].ID != left.ID || tickets[0].Message != masked || !slices.Equal(tickets[0].Masks, []pii.Span{account, rrn}) ||
		tickets[0].Name != "홍길동" || tickets[0].Contact != "hong@example.com" {
		t.Fatalf("the left message as listed: %+v", tickets)
	}
	path := fmt.Sprintf("%s/tickets/%d", shop, left.ID)
	var detail ticketDetailBody
	kim.json("GET", path, "", 200, &detail)
	if detail.Ticket.Message != masked || len(detail.Ticket.Masks) != 2 {
		t.Fatalf("the ticket as an agent opens it: %+v", detail.Ticket)
	}
	for _, v := range []string{"900101-1234568", "1234568", "123456-01-234567"} {
		if cols := held(v); len(cols) != 0 {
			t.Fatalf("%s is stored in clear in %v", v, cols)
		}
		if n := len(list(kim, shop+"/tickets?q="+v)); n != 0 {
			t.Fatalf("searching %s finds %d tickets", v, n)
		}
	}

	// The new-ticket alert quotes the masked text.
	w.RunDue(t.Context())
	mails := smtp.wait(t, 1)
	to, _, body := readMail(t, mails[0])
	if !strings.Contains(to, "desk@example.com") || !strings.Contains(body, "**************") || strings.Contains(body, "1234568") || strings.Contains(body, "234567") {
		t.Fatalf("the new-ticket alert to %s: %s", to, body)
	}
	// A reply's email is titled with the masked text.
	kim.json("POST", path+"/replies", `{"body":"환불 계좌 확인했습니다. 3영업일 안에 입금됩니다."}`, 201, nil)
	e.runJobs()
	mails = smtp.wait(t, 2)
	to, subject, body := readMail(t, mails[1])
	if !strings.Contains(to, "hong@example.com") || !strings.Contains(subject, "**************") || strings.Contains(subject+body, "1234568") {
		t.Fatalf("the reply's email to %s: %s\n%s", to, subject, body)
	}

	// Refusals change nothing: the role, the reason, the ticket, the span.
	e.visitor("other", "").json("POST", "/api/v1/widget/tickets", form, 201, nil)
	theirs := list(olga, fmt.Sprintf("/api/v1/workspaces/%d/tickets", e.other.ID))
	if len(theirs) != 1 {
		t.Fatalf("the other workspace's tickets %+v", theirs)
	}
	// The other workspace suggests (the default): its left message is
	// stored as typed, and its master masks the finding the console
	// offers; the ticket and its events follow.
	theirPath := fmt.Sprintf("/api/v1/workspaces/%d/tickets/%d", e.other.ID, theirs[0].ID)
	if theirs[0].Message != leftMessage || len(theirs[0].Masks) != 0 {
		t.Fatalf("a suggest-mode left message %+v", theirs[0])
	}
	e.refuse(func() string { return olga.state(theirPath) }, []scenario{
		{name: "mask: a finding that is none", as: olga, method: "POST", path: theirPath + "/mask", body: `{"finding":2}`, status: 404, code: chat.ErrFindingNotFound},
		{name: "mask: a span and a finding", as: olga, method: "POST", path: theirPath + "/mask", body: `{"start":0,"end":2,"finding":1}`, status: 400, code: chat.ErrInvalid},
		{name: "mask: past the end", as: olga, method: "POST", path: theirPath + "/mask", body: `{"start":50,"end":99}`, status: 400, code: chat.ErrSpanOutOfRange},
		{name: "mask: another workspace's ticket", as: manager, method: "POST", path: fmt.Sprintf("%s/tickets/%d/mask", shop, theirs[0].ID), body: `{"finding":1}`, status: 404, code: chat.ErrNotFound},
		{name: "mask: an unknown ticket", as: olga, method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/tickets/999999/mask", e.other.ID), body: `{"finding":1}`, status: 404, code: chat.ErrNotFound},
	})
	var handMasked chat.Ticket
	olga.json("POST", theirPath+"/mask", `{"finding":1}`, 200, &handMasked)
	if handMasked.Message != "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 **************" || !slices.Equal(handMasked.Masks, []pii.Span{rrn}) {
		t.Fatalf("masked by finding: %+v", handMasked)
	}
	evs, err := e.store.Events(context.Background(), e.other.ID, chat.EventFilter{})
	must(t, err)
	for _, ev := range evs {
		if strings.Contains(string(ev.Encoded), "1234568") {
			t.Fatalf("event %d (%s) still holds the number", ev.Seq, ev.Type)
		}
	}

	view := fmt.Sprintf(`{"start":%d,"end":%d,"reason":"본인 확인 요청"}`, rrn.Start, rrn.End)
	e.refuse(func() string { return manager.state(path) }, []scenario{
		{name: "an agent without the view role", as: kim, method: "POST", path: path + "/unmask", body: view, status: 403, code: chat.ErrRoleRequired},
		{name: "an agent restoring", as: kim, method: "POST", path: path + "/unmask", body: `{"start":39,"end":53,"reason":"x","permanent":true}`, status: 403, code: chat.ErrRoleRequired},
		{name: "no reason", as: manager, method: "POST", path: path + "/unmask", body: `{"start":39,"end":53}`, status: 400, code: chat.ErrReasonRequired},
		{name: "a blank reason", as: manager, method: "POST", path: path + "/unmask", body: `{"start":39,"end":53,"reason":"  "}`, status: 400, code: chat.ErrReasonRequired},
		{name: "no span", as: manager, method: "POST", path: path + "/unmask", body: `{"reason":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "nothing masked there", as: manager, method: "POST", path: path + "/unmask", body: `{"start":0,"end":2,"reason":"x"}`, status: 404, code: chat.ErrMaskNotFound},
		{name: "half a mask", as: manager, method: "POST", path: path + "/unmask", body: `{"start":39,"end":45,"reason":"x"}`, status: 400, code: chat.ErrSpanCrossesMask},
		{name: "past the end", as: manager, method: "POST", path: path + "/unmask", body: `{"start":39,"end":400,"reason":"x"}`, status: 400, code: chat.ErrSpanOutOfRange},
		{name: "an unknown ticket", as: manager, method: "POST", path: shop + "/tickets/999999/unmask", body: view, status: 404, code: chat.ErrNotFound},
		{name: "a ticket ID that is none", as: manager, method: "POST", path: shop + "/tickets/abc/unmask", body: view, status: 400, code: chat.ErrInvalid},
		{name: "another workspace's ticket", as: manager, method: "POST", path: fmt.Sprintf("%s/tickets/%d/unmask", shop, theirs[0].ID), body: view, status: 404, code: chat.ErrNotFound},
		{name: "through another workspace", as: olga, method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/tickets/%d/unmask", e.other.ID, left.ID), body: view, status: 404, code: chat.ErrNotFound},
	})
	audits := func(action string) []chat.AuditEntry {
		t.Helper()
		entries, err := e.store.Audit(context.Background(), e.shop.ID, chat.AuditFilter{})
		must(t, err)
		var out []chat.AuditEntry
		for _, a := range entries {
			if s := fmt.Sprintf("%+v", a); strings.Contains(s, "1234568") || strings.Contains(s, "234567") {
				t.Fatalf("the audit log holds a value: %s", s)
			}
			if a.Action == action && a.Refused == "" {
				out = append(out, a)
			}
		}
		return out
	}
	if n := len(audits(chat.AuditPIIView)); n != 0 {
		t.Fatalf("refusals were audited as %d views", n)
	}

	// The manager sees the registration number for a moment.
	status, data := manager.do("POST", path+"/unmask", view)
	var seen struct {
		Ticket    chat.Ticket
		Originals []chat.Original
	}
	if status != 200 || json.Unmarshal(data, &seen) != nil || len(seen.Originals) != 1 || seen.Originals[0].Text != "900101-1234568" || seen.Ticket.Message != masked {
		t.Fatalf("the manager's view %d: %s", status, data)
	}
	if views := audits(chat.AuditPIIView); len(views) != 1 || views[0].ActorID != e.agents["manager"].ID || views[0].Target != fmt.Sprintf("ticket %d", left.ID) {
		t.Fatalf("the view's audit %+v", views)
	}
	if got := list(manager, shop+"/tickets")[0]; got.Message != masked {
		t.Fatalf("a view changed the ticket: %+v", got)
	}
	// With the view role given to agents (a master's to give), kim sees it
	// too (audited).
	master.json("PATCH", shop, `{"settings":{"pii":{"mode":"auto","view_role":"agent"}}}`, 200, nil)
	kim.json("POST", path+"/unmask", view, 200, nil)
	if n := len(audits(chat.AuditPIIView)); n != 2 {
		t.Fatalf("%d views audited, want 2", n)
	}
	// Restoring the account puts it back in storage, for everyone.
	var restored struct{ Ticket chat.Ticket }
	manager.json("POST", path+"/unmask", `{"start":12,"end":28,"reason":"환불 처리","permanent":true}`, 200, &restored)
	want := "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 **************"
	if restored.Ticket.Message != want || !slices.Equal(restored.Ticket.Masks, []pii.Span{rrn}) {
		t.Fatalf("restored %+v", restored.Ticket)
	}
	kim.json("GET", path, "", 200, &detail)
	if detail.Ticket.Message != want || len(audits(chat.AuditPIIUnmask)) != 1 {
		t.Fatalf("after the restore %+v", detail.Ticket)
	}
}
