// Package notify sends what leaves Sodam for people by email: invitation
// and password links and ticket replies, and the email alerts package
// outbox delivers through it (Slack- and Jandi-style alerts are webhooks,
// sent by outbox itself).
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/sodam-chat/sodam/internal/chat"
)

// SMTP is how to reach the mail server.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// TLS is "starttls" (required), "tls" (implicit TLS, port 465) or
	// "none" (a relay on a trusted network, or a test server).
	TLS string
}

// sendTimeout bounds one email: a request waits for it.
const sendTimeout = 10 * time.Second

// Mailer sends Sodam's emails. A nil *Mailer (no SMTP configured) sends
// nothing and says so.
type Mailer struct {
	cfg SMTP
	log *slog.Logger
}

// NewMailer returns a mailer for cfg, or nil when cfg has no host.
func NewMailer(cfg SMTP, log *slog.Logger) *Mailer {
	if cfg.Host == "" {
		return nil
	}
	return &Mailer{cfg: cfg, log: log}
}

// Send sends one plain-text email. We use go-mail, a well-kept client,
// rather than net/smtp, which is frozen and leaves MIME, encodings and TLS
// policies to us.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	if m == nil {
		return fmt.Errorf("no SMTP server is configured")
	}
	msg := mail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("to address: %w", err)
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
	return m.deliver(ctx, msg)
}

// deliver dials the server and sends msg.
func (m *Mailer) deliver(ctx context.Context, msg *mail.Msg) error {
	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTimeout(sendTimeout)}
	switch m.cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		auth := mail.SMTPAuthPlain
		if m.cfg.TLS == "none" {
			auth = mail.SMTPAuthPlainNoEnc // the operator chose a relay without TLS
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password))
	}
	c, err := mail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	err = c.DialAndSendWithContext(ctx, msg)
	if err != nil && msg.IsDelivered() {
		// The server accepted the message (250 after DATA); what failed
		// came after — the RSET go-mail sends next, or QUIT (a server
		// that closes the connection, or answers 5xx to RSET). It is
		// sent: reporting it not sent would send it again (a ticket
		// reply's retry) or mark it failed.
		m.log.Info("email accepted; closing the connection failed", slog.Any("err", err))
		return nil
	}
	return err
}

// Invitation emails an invitation link and reports whether it went out.
// The link is always shown to the inviter too, so a failure is logged,
// not fatal. The link's expiry is told in loc, the workspace's time zone.
func (m *Mailer) Invitation(ctx context.Context, inv *chat.Invitation, link, inviter string, loc *time.Location) bool {
	if m == nil {
		return false
	}
	expires := inv.ExpiresAt.In(loc)
	subject := "[소담] 상담 콘솔 초대 / You are invited to Sodam"
	body := fmt.Sprintf(`%s님, 안녕하세요.

%s님이 소담 상담 콘솔에 초대했습니다. 아래 링크를 열어 비밀번호를 정하면 바로 상담을 시작할 수 있습니다.
이 링크는 한 번만 쓸 수 있고 %s까지 유효합니다.

%s

---

Hello %s,

%s invited you to the Sodam support console. Open the link above to choose a password and start.
The link works once and expires at %s.
`, inv.Name, inviter, expires.Format("2006-01-02 15:04 MST"), link, inv.Name, inviter, expires.Format(time.RFC1123))
	return m.report(m.Send(ctx, inv.Email, subject, body), "invitation")
}

// PasswordReset emails a reset link and reports whether it went out.
func (m *Mailer) PasswordReset(ctx context.Context, email, name, link string) bool {
	if m == nil {
		return false
	}
	subject := "[소담] 비밀번호 재설정 / Reset your Sodam password"
	body := fmt.Sprintf(`%s님, 안녕하세요.

아래 링크에서 새 비밀번호를 정해 주세요. 링크는 한 번만 쓸 수 있고 24시간 동안 유효합니다.

%s

---

Hello %s, choose a new password at the link above. It works once, for 24 hours.
`, name, link, name)
	return m.report(m.Send(ctx, email, subject, body), "password reset")
}

func (m *Mailer) report(err error, what string) bool {
	if err != nil {
		m.log.Warn("send email", slog.String("kind", what), slog.Any("err", err))
		return false
	}
	return true
}
