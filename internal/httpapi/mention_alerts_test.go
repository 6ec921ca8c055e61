package httpapi_test

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/httpapi"
)

// readMail decodes a raw email as the SMTP server got it: its recipient,
// subject and plain-text body.
func readMail(t *testing.T, raw string) (to, subject, body string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	must(t, err)
	dec := new(mime.WordDecoder)
	subject, err = dec.DecodeHeader(m.Header.Get("Subject"))
	must(t, err)
	return m.Header.Get("To"), subject, decodeQP(t, m)
}

// TestMentionAlerts: an @mention in an internal note emails the mentioned
// agent when they asked for it (their own email alerts), in their own
// console language, within their quiet hours never; nobody else, and not
// the author mentioning themselves.
func TestMentionAlerts(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			smtp := newSMTPServer(t)
			e := newEnvOn(t, kind, func(c *httpapi.Config) { allowPrivate(c); c.Mail = smtp.mailer() })
			kim, lee, manager := e.login("kim"), e.login("lee"), e.login("manager")
			// kim reads Korean, lee English; the manager never asked for mention alerts.
			kim.json("PATCH", "/api/v1/me", `{"language":"ko"}`, 200, nil)
			lee.json("PATCH", "/api/v1/me", `{"language":"en"}`, 200, nil)
			kim.json("PUT", e.shopPath()+"/me/alerts", `{"events":["note.mentioned"],"quiet_start":-1,"quiet_end":-1}`, 200, nil)
			lee.json("PUT", e.shopPath()+"/me/alerts", `{"events":["note.mentioned"],"quiet_start":1320,"quiet_end":480}`, 200, nil)
			manager.json("PUT", e.shopPath()+"/me/alerts", `{"events":["conversation.assigned_away"],"quiet_start":-1,"quiet_end":-1}`, 200, nil)
			// A shared alert target may not ask for mentions: they are personal.
			var refused struct {
				Error struct{ Code string }
			}
			e.login("master").json("POST", e.shopPath()+"/alert-targets", `{"kind":"email","url":"desk@example.com","events":["note.mentioned"]}`, 400, &refused)
			if refused.Error.Code != "unknown_event" {
				t.Fatalf("shared mention target: %+v", refused)
			}

			loc := e.shop.Settings.Location()
			e.clock.mu.Lock()
			e.clock.frozen = time.Date(2026, 3, 9, 14, 0, 0, 0, loc)
			e.clock.mu.Unlock()
			w := e.worker()
			w.Mail = smtp.mailer()
			vis := e.visitor("shop", `,"extra":{"cus_extra_username":"김민지"}`)
			conv := vis.start()
			kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
			vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v1","body":"환불 가능할까요?"}`, 201, nil)
			// kim mentions lee, the manager and kim: lee alone is alerted.
			kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n1","body":"@lee @manager @kim 지난달 환불 이력 확인 부탁드려요","internal":true}`, 201, nil)
			// lee mentions kim: kim is alerted, in Korean.
			lee.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n2","body":"@kim 3월 2일에 1회 환불했어요","internal":true}`, 201, nil)
			// A message the customer sees mentions nobody.
			kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"m1","body":"@lee 님께 확인 중입니다"}`, 201, nil)
			w.RunDue(t.Context())
			mails := smtp.wait(t, 2)
			time.Sleep(200 * time.Millisecond)
			if n := len(smtp.all()); n != 2 {
				t.Fatalf("%d alert emails, want 2: %v", n, smtp.all())
			}
			link := fmt.Sprintf("%s/console/?ws=%d#/c/%d", e.srv.URL, e.shop.ID, conv.ID) // the workspace named: a member of several lands in it
			got := map[string][2]string{}
			for _, m := range mails {
				to, subject, body := readMail(t, m)
				got[to] = [2]string{subject, body}
			}
			leeMail, ok := got["<lee@example.com>"]
			if !ok {
				t.Fatalf("no mail to lee: %v", got)
			}
			if s, b := leeMail[0], leeMail[1]; !strings.Contains(s, "mentioned you in an internal note") || strings.ContainsAny(s+b, "님언급") ||
				!strings.Contains(b, "지난달 환불 이력 확인 부탁드려요") || !strings.Contains(b, link) || !strings.Contains(b, "Open in the console") {
				t.Fatalf("lee's mail: %q\n%s", s, b)
			}
			kimMail, ok := got["<kim@example.com>"]
			if !ok {
				t.Fatalf("no mail to kim: %v", got)
			}
			if s, b := kimMail[0], kimMail[1]; !strings.Contains(s, "내부 메모에서 회원님을 언급했습니다") || strings.Contains(s+b, "mention") || strings.Contains(s+b, "Open") ||
				!strings.Contains(b, "3월 2일에 1회 환불했어요") || !strings.Contains(b, link) {
				t.Fatalf("kim's mail: %q\n%s", s, b)
			}
			// At night lee's quiet hours hold the alert back (skipped).
			e.clock.mu.Lock()
			e.clock.frozen = time.Date(2026, 3, 9, 23, 30, 0, 0, loc)
			e.clock.mu.Unlock()
			kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n3","body":"@lee 내일 아침에 봐 주세요","internal":true}`, 201, nil)
			w.RunDue(t.Context())
			time.Sleep(200 * time.Millisecond)
			if n := len(smtp.all()); n != 2 {
				t.Fatalf("%d alert emails after a mention in quiet hours, want 2", n)
			}
		})
	}
}
