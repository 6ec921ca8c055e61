package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// Personal information in tickets (§7.1, §11): a left message is a
// visitor's text, masked automatically as a visitor's chat message is,
// before it is stored, its event encoded or its alert sent. Its originals
// are sealed for the ticket (chat.TicketSealScope) in
// ticket_pii_originals. Every copy of a ticket's message — its events,
// the new-ticket alert, a reply email's subject, the list's search — is
// derived from the stored, masked text.

// ticketMask is what automatic masking found in a left message: its masks
// and the originals to seal (one per mask), nothing when none.
type ticketMask struct {
	masks     []pii.Span
	originals []string
}

// autoMaskTicket masks a left message's text as the workspace's automatic
// masking says (the same setting and scan as a visitor's chat message),
// under the settings the transaction reads. A node without a sealer
// refuses a text that needs masking rather than store it in clear.
func (db *DB) autoMaskTicket(ctx context.Context, t *txn, workspaceID int64, text string) (string, ticketMask, error) {
	if !pii.MayHold(text) {
		return text, ticketMask{}, nil
	}
	ws, err := db.workspaceIn(ctx, t.q, workspaceID)
	if err != nil {
		return "", ticketMask{}, err
	}
	masked, masks, originals := ws.Settings.PII.AutoMask(text)
	if len(masks) == 0 {
		return text, ticketMask{}, nil
	}
	if db.sealer == nil {
		return "", ticketMask{}, chat.Errorf(chat.ErrPIIKeyMismatch, "this node has no PII key to seal with")
	}
	return masked, ticketMask{masks: masks, originals: originals}, nil
}

// storeTicketOriginals seals and keeps a new ticket's originals, once the
// ticket has its ID, and audits the automatic mask (kinds and count,
// never the values).
func (db *DB) storeTicketOriginals(ctx context.Context, t *txn, workspaceID, ticketID int64, m ticketMask) error {
	if len(m.masks) == 0 {
		return nil
	}
	for i, span := range m.masks {
		if err := sealTicketOriginal(ctx, t, db.sealer, workspaceID, ticketID, span, m.originals[i]); err != nil {
			return err
		}
	}
	return t.audit(ctx, t.entry(workspaceID, chat.Who{}, chat.AuditPIIMask, ticketPIITarget(ticketID), nil,
		map[string]any{"kinds": spanKinds(m.masks), "spans": len(m.masks), "automatic": true}))
}

func ticketPIITarget(ticketID int64) string { return fmt.Sprintf("ticket %d", ticketID) }

// sealTicketOriginal seals what a span of a ticket's message held and
// keeps it.
func sealTicketOriginal(ctx context.Context, t *txn, s chat.Sealer, workspaceID, ticketID int64, span pii.Span, original string) error {
	sealed, err := s.Seal(workspaceID, chat.TicketSealScope(ticketID), original)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO ticket_pii_originals (workspace_id, ticket_id, span_start, span_end, kind, key_id, sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, workspaceID, ticketID, span.Start, span.End, string(span.Kind), s.KeyID(), sealed, micros(t.now))
	return err
}

// saveTicketText stores a ticket's message and masks as a mask or an
// unmask left them (tk.UpdatedAt is the write's time).
func saveTicketText(ctx context.Context, t *txn, tk chat.Ticket) error {
	_, err := t.exec(ctx, `UPDATE tickets SET message = ?, masks = ?, updated_at = ? WHERE id = ?`,
		tk.Message, masksJSON(tk.Masks), micros(tk.UpdatedAt), tk.ID)
	return err
}

// UnmaskTicket shows or restores the masks inside a span of a ticket's
// message, as UnmaskMessage does a message's.
func (db *DB) UnmaskTicket(ctx context.Context, workspaceID, ticketID int64, u chat.Unmask, s chat.Sealer, by chat.Who) (chat.Ticket, []chat.Original, []chat.Event, error) {
	var out chat.Ticket
	var originals []chat.Original
	events, err := db.write(ctx, func(t *txn) error {
		tk, err := t.ticket(ctx, workspaceID, ticketID, u.Permanent)
		if err != nil {
			return err
		}
		out = tk
		all, err := db.pieces(ctx, t.q, `ticket_pii_originals WHERE ticket_id = ?`, ticketID)
		if err != nil {
			return err
		}
		un, err := openMasks(tk.Message, tk.Masks, all, u, s, workspaceID, chat.TicketSealScope(ticketID))
		if err != nil {
			return err
		}
		originals = un.originals
		detail := map[string]any{"kinds": spanKinds(un.inside), "spans": len(un.inside), "reason": u.Reason}
		if !u.Permanent {
			return t.audit(ctx, t.entry(workspaceID, by, chat.AuditPIIView, ticketPIITarget(ticketID), nil, detail))
		}
		tk.Message, tk.Masks, tk.UpdatedAt = un.body, un.masks, t.now
		if len(un.used) > 0 {
			if _, err := t.exec(ctx, `DELETE FROM ticket_pii_originals WHERE id IN (`+marks(len(un.used))+`)`, un.used...); err != nil {
				return err
			}
		}
		if err := saveTicketText(ctx, t, tk); err != nil {
			return err
		}
		out = tk
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventTicketUpdated, Ticket: ptr(tk)})
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditPIIUnmask, ticketPIITarget(ticketID), nil, detail))
	})
	if err != nil {
		return chat.Ticket{}, nil, nil, err
	}
	return out, originals, events, nil
}

// heldColumns are the stored columns a ticket's text, or a copy of it,
// can reach: the ticket, its thread, the event log and the audit log.
var heldColumns = []string{
	"tickets.message", "tickets.subject", "tickets.name", "tickets.contact", "tickets.note", "ticket_replies.body",
	"events.payload", "audit_log.target", "audit_log.before_json", "audit_log.after_json",
}

// HeldIn names the columns of heldColumns where text is stored (the
// conformance suite's proof that masked text left no clear copy).
func (db *DB) HeldIn(ctx context.Context, text string) ([]string, error) {
	like := "%" + likeEscaper.Replace(text) + "%"
	var out []string
	for _, tc := range heldColumns {
		table, col, _ := strings.Cut(tc, ".")
		var n int
		if err := db.read().row(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+col+` LIKE ? ESCAPE '\'`, like).Scan(&n); err != nil {
			return nil, fmt.Errorf("%s: %w", tc, err)
		}
		if n > 0 {
			out = append(out, tc)
		}
	}
	return out, nil
}

// MaskTicket masks a span of a ticket's message by hand — what the
// console offers for a finding in suggest mode, or any selection — as
// MaskMessage masks a message's: the original is sealed for the ticket,
// the stored message and every stored ticket event that carried the old
// text show '*' there (scrubTicketEvents), and ticket.updated goes out.
// A span already masked changes nothing.
func (db *DB) MaskTicket(ctx context.Context, workspaceID, ticketID int64, span pii.Span, s chat.Sealer, by chat.Who) (chat.Ticket, []chat.Event, error) {
	var out chat.Ticket
	events, err := db.write(ctx, func(t *txn) error {
		tk, err := t.ticket(ctx, workspaceID, ticketID, true)
		if err != nil {
			return err
		}
		out = tk
		if err := checkSpan(tk.Message, span.Start, span.End); err != nil {
			return err
		}
		if slices.ContainsFunc(tk.Masks, func(k pii.Span) bool { return k.Start <= span.Start && span.End <= k.End }) {
			return nil // already masked: nothing to do
		}
		original := string([]rune(tk.Message)[span.Start:span.End])
		if err := sealTicketOriginal(ctx, t, s, workspaceID, ticketID, span, original); err != nil {
			return err
		}
		old := tk.Message
		tk.Message, tk.Masks, tk.UpdatedAt = pii.Apply(tk.Message, []pii.Span{span}), pii.Merge(tk.Masks, span), t.now
		if err := saveTicketText(ctx, t, tk); err != nil {
			return err
		}
		if err := db.scrubTicketEvents(ctx, t, tk, old); err != nil {
			return err
		}
		out = tk
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventTicketUpdated, Ticket: ptr(tk)})
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditPIIMask, ticketPIITarget(ticketID), nil,
			map[string]any{"kinds": []pii.Kind{span.Kind}, "spans": 1}))
	})
	if err != nil {
		return chat.Ticket{}, nil, err
	}
	db.afterRewrite(ctx, events)
	return out, events, nil
}

// ticketEventTypes are the events that carry a ticket, and with it its
// message.
var ticketEventTypes = []any{string(chat.EventTicketCreated), string(chat.EventTicketUpdated), string(chat.EventTicketReplied)}

// scrubTicketEvent gives ev the ticket's new message where it carries the
// old one, and reports whether it did.
func scrubTicketEvent(ev *chat.Event, tk chat.Ticket, old string) bool {
	if ev.Ticket == nil || ev.Ticket.ID != tk.ID || ev.Ticket.Message != old {
		return false
	}
	cp := *ev.Ticket // the event's own copy: others may share the pointer
	cp.Message, cp.Masks = tk.Message, tk.Masks
	ev.Ticket = &cp
	return true
}

// scrubTicketEvents rewrites the stored events that carry the ticket with
// its old message — from its creation on — and those of the batch's
// earlier units, not stored yet, so that the log (and the alerts and
// webhooks built from it later) never keeps what a mask hid.
func (db *DB) scrubTicketEvents(ctx context.Context, t *txn, tk chat.Ticket, old string) error {
	if err := rewriteEvents(ctx, t, tk.WorkspaceID, `type IN (?, ?, ?) AND created_at >= ?`, append(slices.Clone(ticketEventTypes), micros(tk.CreatedAt)),
		nil, func(ev *chat.Event) bool { return scrubTicketEvent(ev, tk, old) }); err != nil {
		return err
	}
	if t.earlier != nil {
		for _, u := range *t.earlier {
			for i := range u.pending {
				scrubTicketEvent(&u.pending[i], tk, old)
			}
		}
	}
	return nil
}
