package notify_test

import (
	"context"
	"errors"
	"mime"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/sodam-chat/sodam/internal/notify"
)

func TestTicketReplyEmail(t *testing.T) {
	in, cfg := start(t, "sodam")
	m := notify.NewMailer(cfg, quiet())
	tm := notify.TicketMail{To: "hong@example.com", Workspace: "소담 상점", TicketID: 42, ReplyID: 7,
		Subject: "파손 상품 환불", Body: "홍길동 고객님, 환불 접수되었습니다.\n3영업일 안에 처리됩니다."}
	if err := m.TicketReply(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	if len(in.messages) != 1 || in.messages[0].to[0] != "hong@example.com" {
		t.Fatalf("messages %+v", in.messages)
	}
	msg, err := mail.ReadMessage(strings.NewReader(in.messages[0].data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	from, _ := dec.DecodeHeader(msg.Header.Get("From"))
	body := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), readAll(t, msg))
	if subject != "[#42] 파손 상품 환불" || !strings.Contains(from, "소담 상점") || !strings.Contains(from, "sodam@shop.example") ||
		msg.Header.Get("Message-Id") != "<ticket-42-reply-7@shop.example>" || !strings.Contains(body, "환불 접수되었습니다") || !strings.Contains(body, "#42") {
		t.Fatalf("subject %q from %q id %q body:\n%s", subject, from, msg.Header.Get("Message-Id"), body)
	}
	// No SMTP: an error that says so, not a silent success.
	var none *notify.Mailer
	if err := none.TicketReply(context.Background(), tm); err == nil || !strings.Contains(err.Error(), "SMTP") {
		t.Fatalf("no SMTP: %v", err)
	}
	// A dropped connection is not a permanent refusal.
	if notify.Permanent(errors.New("dial tcp: connection refused")) {
		t.Fatal("a network error taken for a permanent refusal")
	}
}

func readAll(t *testing.T, msg *mail.Message) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := msg.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestTicketReplySenderNameOneLine: the workspace's name is the sender's
// display name; one with a line break (or another control character)
// neither breaks the From header nor stops the reply going out.
func TestTicketReplySenderNameOneLine(t *testing.T) {
	in, cfg := start(t, "sodam")
	m := notify.NewMailer(cfg, quiet())
	tm := notify.TicketMail{To: "hong@example.com", Workspace: "소담 상점\r\nBcc: all@example.com\x00", TicketID: 42, ReplyID: 7,
		Subject: "환불", Body: "처리되었습니다."}
	if err := m.TicketReply(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	if len(in.messages) != 1 || len(in.messages[0].to) != 1 || in.messages[0].to[0] != "hong@example.com" {
		t.Fatalf("messages %+v", in.messages)
	}
	msg, err := mail.ReadMessage(strings.NewReader(in.messages[0].data))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("From"))
	if msg.Header.Get("Bcc") != "" || !strings.Contains(from, "소담 상점 Bcc: all@example.com") || !strings.Contains(from, "<sodam@shop.example>") ||
		strings.ContainsAny(from, "\r\n\x00") {
		t.Fatalf("from %q, bcc %q", from, msg.Header.Get("Bcc"))
	}
}

// TestTicketReplyThreaded: every reply to one ticket names the ticket's
// thread in In-Reply-To and References, so the customer's mail program
// keeps a ticket's replies together; each keeps its own Message-ID. The
// subject is one line, whatever the ticket holds (a left message's
// first line ending in a CR, a bidi override stored before they were
// refused).
func TestTicketReplyThreaded(t *testing.T) {
	in, cfg := start(t, "sodam")
	m := notify.NewMailer(cfg, quiet())
	for reply, subject := range map[int64]string{7: "파손 상품 환불\r", 8: "파손 상품\u202e 환불"} {
		tm := notify.TicketMail{To: "hong@example.com", Workspace: "소담 상점", TicketID: 42, ReplyID: reply, Subject: subject, Body: "처리되었습니다."}
		if err := m.TicketReply(context.Background(), tm); err != nil {
			t.Fatal(err)
		}
	}
	if len(in.messages) != 2 {
		t.Fatalf("%d messages", len(in.messages))
	}
	ids := map[string]bool{}
	for _, got := range in.messages {
		msg, err := mail.ReadMessage(strings.NewReader(got.data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		h := msg.Header
		ids[h.Get("Message-Id")] = true
		if h.Get("In-Reply-To") != "<ticket-42@shop.example>" || h.Get("References") != "<ticket-42@shop.example>" ||
			subject != "[#42] 파손 상품 환불" {
			t.Fatalf("in-reply-to %q references %q subject %q", h.Get("In-Reply-To"), h.Get("References"), subject)
		}
	}
	if !ids["<ticket-42-reply-7@shop.example>"] || !ids["<ticket-42-reply-8@shop.example>"] {
		t.Fatalf("message IDs %v", ids)
	}
}

// dropAfterAccept is a listener whose connections close as soon as the
// server has said it accepted a message ("250 … OK: queued"): the mail
// server took it, then the connection was lost (a restart, a network
// drop) before the client's RSET and QUIT.
type dropAfterAccept struct{ net.Listener }

func (l dropAfterAccept) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return &dropConn{Conn: c}, err
}

type dropConn struct{ net.Conn }

func (c *dropConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if strings.Contains(string(b), "OK: queued") {
		c.Conn.Close()
	}
	return n, err
}

// TestTicketReplyAcceptedThenDropped: a message the server accepted is
// sent, whatever happens to the connection after. The client's RSET (or
// QUIT) then failed, and the reply was reported not sent: retried, and so
// emailed again — or, on a 5xx to RSET, marked failed though delivered.
func TestTicketReplyAcceptedThenDropped(t *testing.T) {
	in := &inbox{}
	srv := smtp.NewServer(in)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(dropAfterAccept{ln})
	t.Cleanup(func() { srv.Close() })
	cfg := notify.SMTP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "sodam@shop.example", TLS: "none"}
	m := notify.NewMailer(cfg, quiet())
	err = m.TicketReply(context.Background(), notify.TicketMail{To: "hong@example.com", Workspace: "소담 상점", TicketID: 42, ReplyID: 7,
		Subject: "환불", Body: "처리되었습니다."})
	in.mu.Lock()
	n := len(in.messages)
	in.mu.Unlock()
	if err != nil || n != 1 {
		t.Fatalf("accepted %d messages; the mailer said %v", n, err)
	}
}
