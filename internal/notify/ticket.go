package notify

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TicketMail is a public reply to a ticket, as emailed to its contact.
type TicketMail struct {
	To string
	// Workspace is the support desk's name, shown as the sender's name.
	Workspace string
	TicketID  int64
	ReplyID   int64
	Subject   string
	Body      string
	// Domain names the Message-ID's right-hand side (default: the sender
	// address's domain).
	Domain string
}

// MessageID is the reply's stable Message-ID. A job that runs twice (a
// node died after sending, before recording it) sends the same ID, so
// mail systems can tell the copy for what it is.
func (t TicketMail) MessageID() string {
	return fmt.Sprintf("ticket-%d-reply-%d@%s", t.TicketID, t.ReplyID, t.domain())
}

// ThreadID names the ticket's thread: every reply to one ticket says it
// answers it (In-Reply-To, References), so the customer's mail program
// shows a ticket's replies as one conversation, as GitHub's and
// Zendesk's notifications do. No message carries it as its own ID.
func (t TicketMail) ThreadID() string {
	return fmt.Sprintf("ticket-%d@%s", t.TicketID, t.domain())
}

func (t TicketMail) domain() string {
	if t.Domain == "" {
		return "sodam.invalid"
	}
	return t.Domain
}

// TicketReply emails a public ticket reply. The subject carries the
// ticket's number, so a customer's answer is easy to match by hand.
func (m *Mailer) TicketReply(ctx context.Context, t TicketMail) error {
	if m == nil {
		return fmt.Errorf("no SMTP server is configured")
	}
	msg := mail.NewMsg()
	// The sender is the configured address under the workspace's name
	// (SODAM_SMTP_FROM may carry a name of its own: "Sodam <help@…>").
	from := m.cfg.From
	if a, err := netmail.ParseAddress(from); err == nil {
		from = a.Address
	}
	if name := oneLine(t.Workspace); name != "" {
		if err := msg.FromFormat(name, from); err != nil {
			return fmt.Errorf("from address: %w", err)
		}
	} else if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(t.To); err != nil {
		return fmt.Errorf("to address: %w", err)
	}
	// One line, whatever the ticket holds: a left message's first line
	// may end in a CR, and a subject stored before control characters
	// were refused may hold one (the header is encoded either way, but a
	// mail program shows what it decodes).
	subject := oneLine(t.Subject)
	if subject == "" {
		subject = "문의 답변 / Reply to your request"
	}
	msg.Subject(fmt.Sprintf("[#%d] %s", t.TicketID, subject))
	if t.Domain == "" {
		_, t.Domain, _ = strings.Cut(from, "@")
	}
	msg.SetMessageIDWithValue(t.MessageID())
	msg.SetGenHeader(mail.HeaderInReplyTo, "<"+t.ThreadID()+">")
	msg.SetGenHeader(mail.HeaderReferences, "<"+t.ThreadID()+">")
	msg.SetBodyString(mail.TypeTextPlain, t.Body+"\n\n---\n"+fmt.Sprintf("문의 번호 #%d / Request #%d\n", t.TicketID, t.TicketID))
	return m.deliver(ctx, msg)
}

// oneLine makes a display name fit a header: control and bidirectional
// formatting characters (a line break above all) become spaces, and runs
// of space one. A workspace named before names refused them may hold one,
// and it would otherwise fail every reply.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if chat.IsControlOrBidi(r) {
			return ' '
		}
		return r
	}, s)), " ")
}

// Permanent reports whether the mail server refused a message for good
// (a 5xx reply: no such mailbox, rejected as spam…): sending it again
// cannot help, where a dropped connection or a 4xx reply may. A refused
// sender (MAIL FROM) is not: that is this installation's SMTP settings,
// which an operator can mend while the retries last, not the message.
func Permanent(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) || se.Reason == mail.ErrSMTPMailFrom {
		return false
	}
	code := se.ErrorCode()
	return code >= 500 && code < 600
}
