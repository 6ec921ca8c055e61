package app

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/notify"
)

// Tickets (§7): what creating a ticket, replying to it and emailing a
// public reply do. A public reply to a ticket whose contact is an email
// address is emailed by a durable job (chat.JobTicketEmail) scheduled in
// the reply's own transaction, so an acknowledged reply is never lost
// between the database and the mail server; the reply's delivery state
// (queued, retrying, sent, failed — or no_smtp, no_email when it cannot
// be sent) is published as it changes.

// ticketMail is how this node emails ticket replies.
type ticketMail struct {
	mailer *notify.Mailer // nil: no SMTP configured
	// retries are the waits after each failed attempt; one more failure
	// than there are waits gives up.
	retries []time.Duration
	now     func() time.Time
	log     *slog.Logger
}

// DefaultReplyRetries are the waits between attempts to email a reply: five
// attempts over about 45 minutes, enough for a mail server's restart or a
// greylisting delay, short enough for an agent to notice a failure the
// same day.
var DefaultReplyRetries = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute}

// SetMailer gives the node's SMTP mailer to the ticket workflow (nil: not
// configured; public replies then say so). retries nil means
// DefaultReplyRetries; now nil means time.Now.
func (a *App) SetMailer(m *notify.Mailer, retries []time.Duration, now func() time.Time, log *slog.Logger) {
	if retries == nil {
		retries = DefaultReplyRetries
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a.tickets.Store(&ticketMail{mailer: m, retries: retries, now: now, log: log})
}

// mail is how this node emails ticket replies: as SetMailer said, or no
// SMTP at all.
func (a *App) mail() ticketMail {
	if m := a.tickets.Load(); m != nil {
		return *m
	}
	return ticketMail{retries: DefaultReplyRetries, now: time.Now, log: slog.Default()}
}

// CreateTicket stores a left message, or a ticket an agent opened (t is
// filled in).
func (a *App) CreateTicket(ctx context.Context, t *chat.Ticket) error {
	events, err := a.store.CreateTicket(ctx, t)
	a.publish(ctx, events)
	return err
}

// UpdateTicket changes a ticket.
func (a *App) UpdateTicket(ctx context.Context, workspaceID, id int64, p chat.TicketPatch) (chat.Ticket, error) {
	t, events, err := a.store.UpdateTicket(ctx, workspaceID, id, p)
	return done(ctx, a, t, events, err)
}

// ReplyToTicket adds a public reply or an internal comment to a ticket; a
// public reply to an email contact is queued for sending when this node
// has SMTP configured.
func (a *App) ReplyToTicket(ctx context.Context, r *chat.TicketReply) error {
	events, err := a.store.AddTicketReply(ctx, r, a.mail().mailer != nil)
	a.publish(ctx, events)
	return err
}

// emailReply is the JobTicketEmail handler: one attempt to email reply
// j.RefID. A permanent refusal (5xx) fails at once; anything else is
// retried after the next of m.retries. It runs outside any transaction
// (the mail server may be slow) and records its outcome itself: a failed
// attempt moves the job to its retry time, so the runner's completion
// leaves it (the lease is not the retry timer).
func (a *App) emailReply(ctx context.Context, j chat.Job) error {
	m := a.mail()
	r, tk, err := a.store.TicketReply(ctx, j.WorkspaceID, j.RefID)
	if chat.ErrorCode(err) == chat.ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !r.Delivery.Pending() {
		return nil // sent, or given up, by an earlier run
	}
	attempt := r.DeliveryAttempts + 1
	sendErr := errors.New("this node has no SMTP server configured")
	if m.mailer != nil {
		name := ""
		if ws, err := a.store.Workspace(ctx, j.WorkspaceID); err == nil {
			name = ws.Name
		}
		subject := tk.Subject
		if subject == "" {
			subject = firstLine(tk.Message, 60)
		}
		sendErr = m.mailer.TicketReply(ctx, notify.TicketMail{To: r.DeliveryTo, Workspace: name, TicketID: tk.ID, ReplyID: r.ID,
			Subject: subject, Body: r.Body})
	}
	now := m.now()
	u := chat.ReplyDeliveryUpdate{State: chat.DeliverySent, Attempts: attempt, At: now}
	if sendErr != nil {
		m.log.Warn("email ticket reply", slog.Int64("workspace", j.WorkspaceID), slog.Int64("reply", r.ID),
			slog.Int("attempt", attempt), slog.Any("err", sendErr))
		u.State, u.Error = chat.DeliveryFailed, trimError(sendErr)
		if attempt <= len(m.retries) && !notify.Permanent(sendErr) {
			u.State = chat.DeliveryRetrying
			u.RetryAt = ptr(now.Add(m.retries[attempt-1]))
		}
	}
	events, err := a.store.SetReplyDelivery(ctx, j.WorkspaceID, r.ID, u)
	a.publish(ctx, events)
	return err
}

// trimError keeps a failure short enough to show beside a reply.
func trimError(err error) string {
	s := err.Error()
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// firstLine is the start of a left message, as a subject: its first line
// with something on it (a visitor's message may begin with an empty line,
// which made every reply's subject the generic one), trimmed.
func firstLine(s string, n int) string {
	for line := range strings.SplitSeq(s, "\n") {
		if s = strings.TrimSpace(line); s != "" {
			break
		}
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func ptr[T any](v T) *T { return &v }
