package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/sodam-chat/sodam/internal/chat"
)

// appendEvents numbers the transaction's pending events and stores them.
// The UPDATE holds the workspace's sequence row lock until commit, so
// sequence order is commit order: once seq N is visible, every seq below it
// is too.
func (db *DB) appendEvents(ctx context.Context, t *txn) error {
	for i := 0; i < len(t.pending); {
		ws := t.pending[i].WorkspaceID
		j := i
		for j < len(t.pending) && t.pending[j].WorkspaceID == ws {
			j++
		}
		var last int64
		if err := t.row(ctx, `UPDATE event_seqs SET seq = seq + ? WHERE workspace_id = ? RETURNING seq`, j-i, ws).Scan(&last); err != nil {
			return err
		}
		for k := i; k < j; k++ {
			ev := &t.pending[k]
			ev.Seq = last - int64(j-1-k)
			ev.CreatedAt = t.now
			payload, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `INSERT INTO events (workspace_id, seq, type, conversation_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				ev.WorkspaceID, ev.Seq, ev.Type, nullID(ev.ConversationID()), string(payload), micros(ev.CreatedAt)); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// Events lists a workspace's events after f.AfterSeq, oldest first.
func (db *DB) Events(ctx context.Context, workspaceID int64, f chat.EventFilter) ([]chat.Event, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	query := `SELECT payload FROM events WHERE workspace_id = ? AND seq > ?`
	args := []any{workspaceID, f.AfterSeq}
	if f.ConversationID != 0 {
		query += ` AND conversation_id = ?`
		args = append(args, f.ConversationID)
	}
	rows, err := db.read().query(ctx, query+` ORDER BY seq LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Event
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			return nil, err
		}
		var ev chat.Event
		if err := json.Unmarshal([]byte(payload), &ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// LastEventSeq returns the workspace's newest committed event sequence.
func (db *DB) LastEventSeq(ctx context.Context, workspaceID int64) (int64, error) {
	var seq int64
	err := db.read().row(ctx, `SELECT seq FROM event_seqs WHERE workspace_id = ?`, workspaceID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	return seq, err
}
