package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
)

// ticketColumns are a ticket's stored columns (tags are a table of their
// own, read by ticketTags).
const ticketColumns = `t.id, t.workspace_id, COALESCE(t.customer_id, 0), COALESCE(t.conversation_id, 0), t.channel, t.subject,
	t.name, t.contact, t.message, t.status, t.priority, COALESCE(t.assignee_id, 0), COALESCE(t.created_by, 0), t.due_at,
	t.note, t.replies, t.created_at, t.updated_at, t.activity_at, t.solved_at, t.masks`

const ticketSelect = `SELECT ` + ticketColumns + ` FROM tickets t`

type scanner interface{ Scan(...any) error }

func scanTicket(row scanner, extra ...any) (chat.Ticket, error) {
	var tk chat.Ticket
	var created, updated, activity int64
	var due, solved sql.NullInt64
	var masks string
	err := row.Scan(append([]any{&tk.ID, &tk.WorkspaceID, &tk.CustomerID, &tk.ConversationID, &tk.Channel, &tk.Subject,
		&tk.Name, &tk.Contact, &tk.Message, &tk.Status, &tk.Priority, &tk.AssigneeID, &tk.CreatedBy, &due,
		&tk.Note, &tk.Replies, &created, &updated, &activity, &solved, &masks}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return tk, chat.Errorf(chat.ErrNotFound, "no such ticket")
	}
	if err == nil {
		tk.Masks, err = parseMasks(masks)
	}
	tk.CreatedAt, tk.UpdatedAt, tk.ActivityAt = fromMicros(created), fromMicros(updated), fromMicros(activity)
	tk.DueAt, tk.SolvedAt = optTime(due), optTime(solved)
	tk.Tags = []string{}
	return tk, err
}

// ticket reads one ticket with its tags; lock holds its row.
func (x q) ticket(ctx context.Context, workspaceID, id int64, lock bool) (chat.Ticket, error) {
	query := ticketSelect + ` WHERE t.workspace_id = ? AND t.id = ?`
	if lock {
		query += x.forUpdate()
	}
	tk, err := scanTicket(x.row(ctx, query, workspaceID, id))
	if err != nil {
		return tk, err
	}
	tags, err := x.ticketTags(ctx, []int64{id})
	tk.Tags = append(tk.Tags, tags[id]...)
	return tk, err
}

// ticketTags reads the tags of a page of tickets in one query.
func (x q) ticketTags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := x.query(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)
		ORDER BY ticket_id, tag`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, err
		}
		out[id] = append(out[id], tag)
	}
	return out, rows.Err()
}

func (x q) setTicketTags(ctx context.Context, id int64, tags []string) error {
	if _, err := x.exec(ctx, `DELETE FROM ticket_tags WHERE ticket_id = ?`, id); err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := x.exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)`, id, tag); err != nil {
			return err
		}
	}
	return nil
}

// CreateTicket stores a left message, or a ticket an agent opened, as an
// open ticket. A ticket made from a chat belongs to the chat's customer.
func (db *DB) CreateTicket(ctx context.Context, tk *chat.Ticket) ([]chat.Event, error) {
	agentMade := tk.CreatedBy != 0
	if tk.Priority == "" {
		tk.Priority = chat.PriorityNormal
	}
	if agentMade {
		tags, err := chat.NormalizeTags(tk.Tags)
		if err != nil {
			return nil, err
		}
		tk.Tags = tags
		if err := chat.CheckAgentTicket(*tk); err != nil {
			return nil, err
		}
		tk.Channel = chat.TicketChat
	} else {
		if err := chat.CheckTicket(*tk); err != nil {
			return nil, err
		}
		tk.Channel, tk.Tags = chat.TicketWeb, nil
	}
	return db.write(ctx, func(t *txn) error {
		customerID := tk.CustomerID
		if agentMade {
			if _, err := db.member(ctx, t.q, tk.WorkspaceID, tk.CreatedBy); err != nil {
				return err
			}
			if tk.AssigneeID != 0 {
				if _, err := db.activeMember(ctx, t.q, tk.WorkspaceID, tk.AssigneeID); err != nil {
					return err
				}
			}
			if tk.ConversationID != 0 {
				c, err := db.conversation(ctx, t.q, tk.WorkspaceID, tk.ConversationID)
				if err != nil {
					return err
				}
				customerID = c.CustomerID
			}
		}
		// A left message is the visitor's text: automatic masking masks it
		// before it is stored, as it does a visitor's chat message; what
		// an agent types (an agent's ticket, like an agent's message) is
		// left as it is.
		message, auto := tk.Message, ticketMask{}
		if !agentMade {
			var err error
			if message, auto, err = db.autoMaskTicket(ctx, t, tk.WorkspaceID, tk.Message); err != nil {
				return err
			}
		}
		var id int64
		if err := t.row(ctx, `INSERT INTO tickets (workspace_id, customer_id, conversation_id, channel, subject, name, contact, message,
			status, priority, assignee_id, created_by, due_at, created_at, updated_at, activity_at, masks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			tk.WorkspaceID, nullID(customerID), nullID(tk.ConversationID), tk.Channel, strings.TrimSpace(tk.Subject),
			strings.TrimSpace(tk.Name), strings.TrimSpace(tk.Contact), message, chat.TicketOpen, tk.Priority,
			nullID(tk.AssigneeID), nullID(tk.CreatedBy), optMicros(tk.DueAt), micros(t.now), micros(t.now), micros(t.now),
			masksJSON(auto.masks)).Scan(&id); err != nil {
			return err
		}
		if err := db.storeTicketOriginals(ctx, t, tk.WorkspaceID, id, auto); err != nil {
			return err
		}
		if err := t.setTicketTags(ctx, id, tk.Tags); err != nil {
			return err
		}
		if agentMade {
			if err := t.markRead(ctx, id, tk.CreatedBy, t.now); err != nil {
				return err
			}
		}
		stored, err := t.ticket(ctx, tk.WorkspaceID, id, false)
		if err != nil {
			return err
		}
		*tk = stored
		t.emit(chat.Event{WorkspaceID: tk.WorkspaceID, Type: chat.EventTicketCreated, Ticket: ptr(stored)})
		return nil
	})
}

// Tickets pages a workspace's tickets newest first, with f.Viewer's
// unread markers. The cursor is the last ID seen, so tickets that arrive
// meanwhile never shift a page.
func (db *DB) Tickets(ctx context.Context, workspaceID int64, f chat.TicketFilter) ([]chat.TicketItem, error) {
	if f.Limit <= 0 || f.Limit > chat.MaxPage+1 {
		f.Limit = chat.DefaultPage
	}
	// The reader's mark is a lookup per row of the page rather than a join:
	// the page is read in ID order from the index and stops at the limit,
	// whatever the planner thinks of ticket_reads' size.
	query := `SELECT ` + ticketColumns + `, (SELECT r.seen_at FROM ticket_reads r WHERE r.agent_id = ? AND r.ticket_id = t.id)
		FROM tickets t WHERE t.workspace_id = ?`
	args := []any{f.Viewer, workspaceID}
	in := func(col string, n int) {
		query += ` AND ` + col + ` IN (?` + strings.Repeat(", ?", n-1) + `)`
	}
	if len(f.Statuses) > 0 {
		in("t.status", len(f.Statuses))
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if len(f.Priorities) > 0 {
		in("t.priority", len(f.Priorities))
		for _, p := range f.Priorities {
			args = append(args, p)
		}
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == 0 {
			query += ` AND t.assignee_id IS NULL`
		} else {
			query += ` AND t.assignee_id = ?`
			args = append(args, *f.AssigneeID)
		}
	}
	if f.Channel != "" {
		query += ` AND t.channel = ?`
		args = append(args, f.Channel)
	}
	if f.Tag != "" {
		query += ` AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = ?)`
		args = append(args, f.Tag)
	}
	if f.Text != "" {
		// The text is folded here, the columns by the dialect's Lower, in
		// every script alike: SQLite's LOWER folds ASCII only, and a name
		// with a capital beyond it ("Émilie", full-width "ＡＢＣ") was not
		// found by itself.
		// (Text of ASCII alone is matched by ASCII alone, which LOWER
		// folds everywhere, at half the cost of SQLite's Go function.)
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Text)) + "%"
		lower := db.d.Lower
		if lower == "" || !strings.ContainsFunc(f.Text, func(r rune) bool { return r >= utf8.RuneSelf }) {
			lower = "LOWER"
		}
		query += ` AND (` + lower + `(t.subject) LIKE ? ESCAPE '\' OR ` + lower + `(t.message) LIKE ? ESCAPE '\' OR ` + lower + `(t.name) LIKE ? ESCAPE '\'
			OR ` + lower + `(t.contact) LIKE ? ESCAPE '\'`
		args = append(args, like, like, like, like)
		// A phone number is found however either is written: the agent
		// returning a call types 01023456789 for a message left with
		// 010-2345-6789 (or +82 10…), as the customer filter finds it
		// (history.PhoneTerms). A contact's separators are those a
		// phone number may have (chat.IsPhone).
		for _, d := range history.PhoneTerms(f.Text) {
			query += ` OR REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(t.contact, '-', ''), ' ', ''), '.', ''), '(', ''), ')', ''), '+', '') LIKE ?`
			args = append(args, "%"+d+"%")
		}
		// The ticket's number, as its emails give it to the customer
		// ("문의 번호 #1234", [#1234] in the subject) and the list shows
		// it: what a customer quotes on the phone.
		if id, ok := ticketNumber(f.Text); ok {
			query += ` OR t.id = ?`
			args = append(args, id)
		}
		query += `)`
	}
	if f.Unread {
		query += ` AND NOT EXISTS (SELECT 1 FROM ticket_reads r WHERE r.agent_id = ? AND r.ticket_id = t.id AND r.seen_at >= t.activity_at)`
		args = append(args, f.Viewer)
	}
	if f.Before > 0 {
		query += ` AND t.id < ?`
		args = append(args, f.Before)
	}
	rows, err := db.read().query(ctx, query+` ORDER BY t.id DESC LIMIT ?`, append(args, f.Limit)...)
	// (The order is the primary key's; the filters above are served by
	// tickets_list (status) or checked along the way.)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.TicketItem
	var ids []int64
	for rows.Next() {
		var seen sql.NullInt64
		tk, err := scanTicket(rows, &seen)
		if err != nil {
			return nil, err
		}
		out = append(out, chat.TicketItem{Ticket: tk, Unread: !seen.Valid || seen.Int64 < micros(tk.ActivityAt)})
		ids = append(ids, tk.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tags, err := db.read().ticketTags(ctx, ids)
	for i := range out {
		out[i].Tags = append(out[i].Tags, tags[out[i].ID]...)
	}
	return out, err
}

// ticketNumber reads a search for a ticket's number: 1234 or #1234.
func ticketNumber(q string) (int64, bool) {
	q = strings.TrimPrefix(strings.TrimSpace(q), "#")
	if q == "" || len(q) > 18 || strings.TrimLeft(q, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(q, 10, 64)
	return n, err == nil && n > 0
}

// Ticket reads one ticket with viewer's unread marker.
func (db *DB) Ticket(ctx context.Context, workspaceID, id, viewer int64) (chat.TicketItem, error) {
	x := db.read()
	tk, err := x.ticket(ctx, workspaceID, id, false)
	if err != nil {
		return chat.TicketItem{}, err
	}
	var seen sql.NullInt64
	err = x.row(ctx, `SELECT seen_at FROM ticket_reads WHERE agent_id = ? AND ticket_id = ?`, viewer, id).Scan(&seen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return chat.TicketItem{}, err
	}
	return chat.TicketItem{Ticket: tk, Unread: !seen.Valid || seen.Int64 < micros(tk.ActivityAt)}, nil
}

// UpdateTicket changes a ticket's status, priority, assignee, due time,
// tags, subject or note.
func (db *DB) UpdateTicket(ctx context.Context, workspaceID, id int64, p chat.TicketPatch) (chat.Ticket, []chat.Event, error) {
	var tk chat.Ticket
	events, err := db.write(ctx, func(t *txn) error {
		var err error
		if tk, err = t.ticket(ctx, workspaceID, id, true); err != nil {
			return err
		}
		assignedWas := tk.AssigneeID
		if err := chat.ApplyTicketPatch(&tk, p, t.now); err != nil {
			return err
		}
		// A new assignee must be active; one deactivated since keeps the
		// ticket until someone hands it on.
		if p.AssigneeID != nil && *p.AssigneeID != 0 && *p.AssigneeID != assignedWas {
			if _, err := db.activeMember(ctx, t.q, workspaceID, *p.AssigneeID); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `UPDATE tickets SET status = ?, priority = ?, assignee_id = ?, note = ?, subject = ?, contact = ?, due_at = ?,
			updated_at = ?, solved_at = ? WHERE id = ?`,
			tk.Status, tk.Priority, nullID(tk.AssigneeID), tk.Note, tk.Subject, tk.Contact, optMicros(tk.DueAt),
			micros(tk.UpdatedAt), optMicros(tk.SolvedAt), id); err != nil {
			return err
		}
		if p.Tags != nil {
			if err := t.setTicketTags(ctx, id, tk.Tags); err != nil {
				return err
			}
		}
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventTicketUpdated, Ticket: ptr(tk)})
		return nil
	})
	return tk, events, err
}

const replySelect = `SELECT id, workspace_id, ticket_id, COALESCE(author_id, 0), internal, body, created_at,
	delivery, delivery_to, delivery_attempts, delivery_error, delivered_at FROM ticket_replies`

func scanReply(row scanner) (chat.TicketReply, error) {
	var r chat.TicketReply
	var created int64
	var delivered sql.NullInt64
	err := row.Scan(&r.ID, &r.WorkspaceID, &r.TicketID, &r.AuthorID, &r.Internal, &r.Body, &created,
		&r.Delivery, &r.DeliveryTo, &r.DeliveryAttempts, &r.DeliveryError, &delivered)
	if errors.Is(err, sql.ErrNoRows) {
		return r, chat.Errorf(chat.ErrNotFound, "no such reply")
	}
	r.CreatedAt, r.DeliveredAt = fromMicros(created), optTime(delivered)
	return r, err
}

// TicketReplies reads a page of a ticket's thread, oldest first: its
// last n replies, or the last n before the reply before (ticket_replies_thread).
func (db *DB) TicketReplies(ctx context.Context, workspaceID, ticketID, before int64, n int) ([]chat.TicketReply, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := db.read().query(ctx, replySelect+` WHERE workspace_id = ? AND ticket_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		workspaceID, ticketID, before, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.TicketReply{}
	for rows.Next() {
		r, err := scanReply(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.Reverse(out)
	return out, rows.Err()
}

// TicketReply reads one reply and its ticket.
func (db *DB) TicketReply(ctx context.Context, workspaceID, replyID int64) (chat.TicketReply, chat.Ticket, error) {
	x := db.read()
	r, err := scanReply(x.row(ctx, replySelect+` WHERE workspace_id = ? AND id = ?`, workspaceID, replyID))
	if err != nil {
		return r, chat.Ticket{}, err
	}
	tk, err := x.ticket(ctx, workspaceID, r.TicketID, false)
	return r, tk, err
}

// AddTicketReply appends a reply or internal comment to a ticket's thread.
func (db *DB) AddTicketReply(ctx context.Context, r *chat.TicketReply, smtp bool) ([]chat.Event, error) {
	if err := chat.CheckReply(r.Body); err != nil {
		return nil, err
	}
	if r.ClientID != "" {
		if err := chat.CheckClientMsgID(r.ClientID); err != nil {
			return nil, chat.Errorf(chat.ErrInvalid, "client_id must be 1 to 64 printable ASCII characters")
		}
	}
	return db.write(ctx, func(t *txn) error {
		tk, err := t.ticket(ctx, r.WorkspaceID, r.TicketID, true)
		if err != nil {
			return err
		}
		// Sent again (its answer was lost): the reply stored the first
		// time, once. The ticket's row is locked, so two at once wait.
		if r.ClientID != "" {
			first, err := scanReply(t.row(ctx, replySelect+` WHERE ticket_id = ? AND client_id = ?`, tk.ID, r.ClientID))
			if err == nil {
				if first.AuthorID != r.AuthorID || first.Internal != r.Internal || first.Body != r.Body {
					return chat.Errorf(chat.ErrConflict, "client_id %q was used for another reply on this ticket", r.ClientID)
				}
				first.ClientID = r.ClientID
				*r = first
				return nil
			}
			if chat.ErrorCode(err) != chat.ErrNotFound {
				return err
			}
		}
		if !r.Internal && tk.Status == chat.TicketSolved {
			return chat.Errorf(chat.ErrTicketSolved, "the ticket is solved: reopen it before replying to the customer")
		}
		if r.AuthorID != 0 {
			if _, err := db.member(ctx, t.q, r.WorkspaceID, r.AuthorID); err != nil {
				return err
			}
		}
		delivery, to := chat.ReplyDelivery(tk, r.Internal, smtp), ""
		if delivery != chat.DeliveryNone {
			to = strings.TrimSpace(tk.Contact)
		}
		reply := chat.TicketReply{WorkspaceID: r.WorkspaceID, TicketID: r.TicketID, AuthorID: r.AuthorID, Internal: r.Internal,
			Body: r.Body, CreatedAt: t.now, ClientID: r.ClientID, Delivery: delivery, DeliveryTo: to}
		if err := t.row(ctx, `INSERT INTO ticket_replies (workspace_id, ticket_id, author_id, internal, body, created_at, delivery, delivery_to, client_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, reply.WorkspaceID, reply.TicketID, nullID(reply.AuthorID), reply.Internal,
			reply.Body, micros(t.now), reply.Delivery, reply.DeliveryTo, nullString(reply.ClientID)).Scan(&reply.ID); err != nil {
			return err
		}
		if delivery == chat.DeliveryQueued {
			if err := t.scheduleJob(ctx, chat.Job{Kind: chat.JobTicketEmail, WorkspaceID: r.WorkspaceID, RefID: reply.ID, DueAt: t.now}); err != nil {
				return err
			}
		}
		tk.Replies++
		tk.UpdatedAt, tk.ActivityAt = t.now, t.now
		if _, err := t.exec(ctx, `UPDATE tickets SET replies = ?, updated_at = ?, activity_at = ? WHERE id = ?`,
			tk.Replies, micros(t.now), micros(t.now), tk.ID); err != nil {
			return err
		}
		if r.AuthorID != 0 {
			if err := t.markRead(ctx, tk.ID, r.AuthorID, t.now); err != nil {
				return err
			}
		}
		*r = reply
		t.emit(chat.Event{WorkspaceID: r.WorkspaceID, Type: chat.EventTicketReplied, Ticket: ptr(tk), TicketReply: ptr(reply)})
		return nil
	})
}

// SetReplyDelivery records what an attempt to email a reply came to.
func (db *DB) SetReplyDelivery(ctx context.Context, workspaceID, replyID int64, d chat.ReplyDeliveryUpdate) ([]chat.Event, error) {
	return db.write(ctx, func(t *txn) error {
		r, err := scanReply(t.row(ctx, replySelect+` WHERE workspace_id = ? AND id = ?`+t.forUpdate(), workspaceID, replyID))
		if err != nil {
			return err
		}
		if !r.Delivery.Pending() {
			// Already sent or given up (or never to be sent): a late
			// outcome — a second run's, a node's that lost its claim —
			// neither turns "sent" back into "retrying" nor schedules
			// the email again.
			return nil
		}
		r.Delivery, r.DeliveryAttempts, r.DeliveryError = d.State, d.Attempts, d.Error
		if d.State == chat.DeliverySent {
			r.DeliveredAt, r.DeliveryError = ptr(d.At.UTC()), ""
		}
		if _, err := t.exec(ctx, `UPDATE ticket_replies SET delivery = ?, delivery_attempts = ?, delivery_error = ?, delivered_at = ? WHERE id = ?`,
			r.Delivery, r.DeliveryAttempts, r.DeliveryError, optMicros(r.DeliveredAt), r.ID); err != nil {
			return err
		}
		if d.RetryAt != nil {
			if err := t.scheduleJob(ctx, chat.Job{Kind: chat.JobTicketEmail, WorkspaceID: workspaceID, RefID: r.ID, DueAt: *d.RetryAt}); err != nil {
				return err
			}
		}
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventTicketDelivery, TicketReply: ptr(r)})
		return nil
	})
}

// MarkTicketRead records that agentID has read the ticket as it is now.
func (db *DB) MarkTicketRead(ctx context.Context, workspaceID, ticketID, agentID int64) error {
	return db.tx(ctx, func(x q) error {
		if _, err := x.ticket(ctx, workspaceID, ticketID, false); err != nil {
			return err
		}
		return x.markRead(ctx, ticketID, agentID, db.Now())
	})
}

func (x q) markRead(ctx context.Context, ticketID, agentID int64, at time.Time) error {
	_, err := x.exec(ctx, `INSERT INTO ticket_reads (agent_id, ticket_id, seen_at) VALUES (?, ?, ?)
		ON CONFLICT (agent_id, ticket_id) DO UPDATE SET seen_at = excluded.seen_at`, agentID, ticketID, micros(at))
	return err
}

func optMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// Analyze refreshes PostgreSQL's planner statistics, as its autovacuum does
// after a table grows (benchmarks call it after seeding, to measure the
// steady state). SQLite plans without statistics: nothing to do.
func (db *DB) Analyze(ctx context.Context) error {
	if db.d.Name != "postgres" {
		return nil
	}
	_, err := db.w.ExecContext(ctx, `ANALYZE`)
	return err
}

// likeEscaper makes text match itself in a LIKE pattern (ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
