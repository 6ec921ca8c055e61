package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sodam-chat/sodam/internal/chat"
)

const ticketSelect = `SELECT id, workspace_id, COALESCE(customer_id, 0), name, contact, message, status, COALESCE(assignee_id, 0),
	note, created_at, updated_at, solved_at FROM tickets`

func scanTicket(row interface{ Scan(...any) error }) (chat.Ticket, error) {
	var tk chat.Ticket
	var created, updated int64
	var solved sql.NullInt64
	err := row.Scan(&tk.ID, &tk.WorkspaceID, &tk.CustomerID, &tk.Name, &tk.Contact, &tk.Message, &tk.Status, &tk.AssigneeID,
		&tk.Note, &created, &updated, &solved)
	if errors.Is(err, sql.ErrNoRows) {
		return tk, chat.Errorf(chat.ErrNotFound, "no such ticket")
	}
	tk.CreatedAt, tk.UpdatedAt, tk.SolvedAt = fromMicros(created), fromMicros(updated), optTime(solved)
	return tk, err
}

// CreateTicket stores a left message as an open ticket.
func (db *DB) CreateTicket(ctx context.Context, tk *chat.Ticket) ([]chat.Event, error) {
	if err := chat.CheckTicket(*tk); err != nil {
		return nil, err
	}
	return db.write(ctx, func(t *txn) error {
		var id int64
		if err := t.row(ctx, `INSERT INTO tickets (workspace_id, customer_id, name, contact, message, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tk.WorkspaceID, nullID(tk.CustomerID), tk.Name, tk.Contact, tk.Message,
			chat.TicketOpen, micros(t.now), micros(t.now)).Scan(&id); err != nil {
			return err
		}
		stored, err := scanTicket(t.row(ctx, ticketSelect+` WHERE id = ?`, id))
		if err != nil {
			return err
		}
		*tk = stored
		t.emit(chat.Event{WorkspaceID: tk.WorkspaceID, Type: chat.EventTicketCreated, Ticket: ptr(stored)})
		return nil
	})
}

// Tickets lists a workspace's tickets, newest first.
func (db *DB) Tickets(ctx context.Context, workspaceID int64, f chat.TicketFilter) ([]chat.Ticket, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	query, args := ticketSelect+` WHERE workspace_id = ?`, []any{workspaceID}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	rows, err := db.read().query(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Ticket
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}

// UpdateTicket changes a ticket's status, assignee or note.
func (db *DB) UpdateTicket(ctx context.Context, workspaceID, id int64, p chat.TicketPatch) (chat.Ticket, []chat.Event, error) {
	var tk chat.Ticket
	events, err := db.write(ctx, func(t *txn) error {
		var err error
		if tk, err = scanTicket(t.row(ctx, ticketSelect+` WHERE workspace_id = ? AND id = ?`+t.forUpdate(), workspaceID, id)); err != nil {
			return err
		}
		if err := chat.ApplyTicketPatch(&tk, p, t.now); err != nil {
			return err
		}
		if p.AssigneeID != nil && *p.AssigneeID != 0 {
			if _, err := db.member(ctx, t.q, workspaceID, *p.AssigneeID); err != nil {
				return err
			}
		}
		var solved any
		if tk.SolvedAt != nil {
			solved = micros(*tk.SolvedAt)
		}
		if _, err := t.exec(ctx, `UPDATE tickets SET status = ?, assignee_id = ?, note = ?, updated_at = ?, solved_at = ? WHERE id = ?`,
			tk.Status, nullID(tk.AssigneeID), tk.Note, micros(tk.UpdatedAt), solved, id); err != nil {
			return err
		}
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventTicketUpdated, Ticket: ptr(tk)})
		return nil
	})
	return tk, events, err
}
