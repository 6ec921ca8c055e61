package notify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/notify"
)

// inbox is a real SMTP server (emersion/go-smtp) that keeps what it is sent.
type inbox struct {
	mu       sync.Mutex
	messages []received
	user     string // the login it requires; "" for none
}

type received struct {
	from string
	to   []string
	data string
}

func (in *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{in: in}, nil }

type session struct {
	in     *inbox
	authed bool
	msg    received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.in.user || pass != "smtp-secret" {
			return errors.New("bad login")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.in.user != "" && !s.authed {
		return &smtp.SMTPError{Code: 530, Message: "authenticate first"}
	}
	s.msg.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	s.in.mu.Lock()
	s.in.messages = append(s.in.messages, s.msg)
	s.in.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }

func start(t *testing.T, user string) (*inbox, notify.SMTP) {
	t.Helper()
	in := &inbox{user: user}
	srv := smtp.NewServer(in)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := notify.SMTP{Host: "127.0.0.1", Port: port, From: "소담 <sodam@shop.example>", TLS: "none"}
	if user != "" {
		cfg.Username, cfg.Password = user, "smtp-secret"
	}
	return in, cfg
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestInvitationEmail(t *testing.T) {
	in, cfg := start(t, "sodam")
	m := notify.NewMailer(cfg, quiet())
	inv := &chat.Invitation{Email: "park@example.com", Name: "박상담", ExpiresAt: time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)}
	link := "http://127.0.0.1:8080/console/invite?token=SECRET123"
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Invitation(context.Background(), inv, link, "김마스터", seoul) {
		t.Fatal("the invitation was not sent")
	}
	if len(in.messages) != 1 {
		t.Fatalf("%d messages arrived", len(in.messages))
	}
	got := in.messages[0]
	if got.from != "sodam@shop.example" || len(got.to) != 1 || got.to[0] != "park@example.com" {
		t.Fatalf("envelope %+v", got)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.Contains(subject, "초대") {
		t.Fatalf("subject %q %v", subject, err)
	}
	body, _ := io.ReadAll(msg.Body)
	text := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), string(body))
	if !strings.Contains(text, link) || !strings.Contains(text, "김마스터") {
		t.Fatalf("body lacks the link or the inviter:\n%s", text)
	}
	// The expiry in the workspace's time zone, not the server's.
	if !strings.Contains(text, "2026-12-10 18:00 KST") || !strings.Contains(text, "Thu, 10 Dec 2026 18:00:00 KST") {
		t.Fatalf("body does not tell the expiry in Seoul's time:\n%s", text)
	}
}

func TestResetEmailAndFailures(t *testing.T) {
	in, cfg := start(t, "")
	m := notify.NewMailer(cfg, quiet())
	if !m.PasswordReset(context.Background(), "lee@example.com", "이상담", "http://x/console/reset?token=T") || len(in.messages) != 1 {
		t.Fatal("the reset link was not sent")
	}
	// A server that refuses the login: the caller hears false, never an
	// error page, and the link is still shown to copy.
	_, cfg2 := start(t, "sodam")
	cfg2.Username, cfg2.Password = "sodam", "wrong"
	if notify.NewMailer(cfg2, quiet()).PasswordReset(context.Background(), "lee@example.com", "이", "http://x") {
		t.Fatal("a refused login reported success")
	}
	// Nothing configured: no mailer, nothing sent.
	if m := notify.NewMailer(notify.SMTP{}, quiet()); m != nil || m.Invitation(context.Background(), &chat.Invitation{}, "", "", time.UTC) {
		t.Fatal("a mailer without SMTP")
	}
}

// decodeBody undoes the transfer encoding go-mail chose.
func decodeBody(t *testing.T, enc, body string) string {
	t.Helper()
	switch strings.ToLower(enc) {
	case "quoted-printable":
		b, err := io.ReadAll(quotedPrintable(body))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	case "base64":
		b, err := io.ReadAll(base64Reader(body))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return body
}

func quotedPrintable(s string) io.Reader { return quotedprintable.NewReader(strings.NewReader(s)) }

func base64Reader(s string) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", "")))
}
