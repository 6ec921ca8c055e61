package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
)

// audit appends e in the transaction of the change it records.
func (x q) audit(ctx context.Context, e chat.AuditEntry) error {
	before, err := auditJSON(e.Before)
	if err != nil {
		return err
	}
	after, err := auditJSON(e.After)
	if err != nil {
		return err
	}
	_, err = x.exec(ctx, `INSERT INTO audit_log (workspace_id, at, actor_id, actor_name, address, action, target, before_json, after_json, refused)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(e.WorkspaceID), micros(e.At), nullID(e.ActorID), e.ActorName, e.Address, e.Action, e.Target, before, after, e.Refused)
	return err
}

func auditJSON(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// entry is an audit entry of the change t makes on by's behalf.
func (t *txn) entry(workspaceID int64, by chat.Who, action, target string, before, after any) chat.AuditEntry {
	if by.Name == "" {
		by.Name = "system" // start-up, the operator's commands
	}
	return chat.AuditEntry{WorkspaceID: workspaceID, At: t.now, ActorID: by.AgentID, ActorName: by.Name, Address: by.Address,
		Action: action, Target: target, Before: before, After: after}
}

// AppendAudit records an entry on its own: a refused attempt, or a read
// that is recorded (an FAQ export).
func (db *DB) AppendAudit(ctx context.Context, e chat.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.Now()
	}
	return db.tx(ctx, func(x q) error { return x.audit(ctx, e) })
}

// Audit lists a workspace's entries, newest first, by filter.
func (db *DB) Audit(ctx context.Context, workspaceID int64, f chat.AuditFilter) ([]chat.AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	where := []string{`workspace_id = ?`}
	args := []any{workspaceID}
	if f.ActorID != 0 {
		where, args = append(where, `actor_id = ?`), append(args, f.ActorID)
	}
	if f.Action != "" {
		where, args = append(where, `action = ?`), append(args, f.Action)
	}
	if !f.From.IsZero() {
		where, args = append(where, `at >= ?`), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `at < ?`), append(args, micros(f.To))
	}
	if f.Before != 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	rows, err := db.read().query(ctx, `SELECT id, COALESCE(workspace_id, 0), at, COALESCE(actor_id, 0), actor_name, address, action, target, before_json, after_json, refused
		FROM audit_log WHERE `+strings.Join(where, ` AND `)+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.AuditEntry
	for rows.Next() {
		var e chat.AuditEntry
		var at int64
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &at, &e.ActorID, &e.ActorName, &e.Address, &e.Action, &e.Target, &before, &after, &e.Refused); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
