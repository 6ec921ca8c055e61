package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// appendEvents numbers the pending events of a batch's writes, in the
// order the writes ran, and stores them. Each workspace's UPDATE holds its
// sequence row lock until commit, so sequence order is commit order: once
// seq N is visible, every seq below it is too. Workspaces are numbered in
// ID order, so two batches that span the same workspaces take these last
// locks in the same order and never wait on each other in a cycle.
func (db *DB) appendEvents(ctx context.Context, x q, now time.Time, ts []*txn) error {
	byWS := map[int64][]*chat.Event{}
	for _, t := range ts {
		for i := range t.pending {
			ev := &t.pending[i]
			byWS[ev.WorkspaceID] = append(byWS[ev.WorkspaceID], ev)
		}
	}
	// Every workspace's counter in one round trip on PostgreSQL (q.batch),
	// in workspace order like every lock, and with them the workspaces'
	// endpoints for the outbox: nothing else is read before the COMMIT, so
	// the events' INSERT goes with it.
	wss := slices.Sorted(maps.Keys(byWS))
	last := make([]int64, len(wss))
	stmts := make([]Stmt, len(wss), len(wss)+1)
	for i, ws := range wss {
		last[i] = -1
		stmts[i] = Stmt{Query: `UPDATE event_seqs SET seq = seq + ? WHERE workspace_id = ? RETURNING seq`, Args: []any{len(byWS[ws]), ws},
			Row: func(scan func(...any) error) error { return scan(&last[i]) }}
	}
	var eps []outbox.Endpoint
	if len(wss) > 0 {
		stmts = append(stmts, alertEndpointsStmt(wss, &eps))
	}
	if err := x.batch(ctx, stmts...); err != nil {
		return err
	}
	var all []*chat.Event
	for i, ws := range wss {
		evs := byWS[ws]
		if last[i] < 0 {
			return sql.ErrNoRows // as Scan said it before: a workspace without its counter
		}
		for j, ev := range evs {
			ev.Seq = last[i] - int64(len(evs)-1-j)
			ev.CreatedAt = now
		}
		all = append(all, evs...)
	}
	if db.d.Arrays { // one array per column: one statement text for any number
		if err := insertEventArrays(ctx, x, all); err != nil {
			return err
		}
		return db.enqueueDeliveries(ctx, x, now, all, eps)
	}
	// Several rows per INSERT: on PostgreSQL every statement is a round trip.
	for chunk := range slices.Chunk(all, 32) {
		args := make([]any, 0, 6*len(chunk))
		for _, ev := range chunk {
			payload, err := event.Encode(*ev)
			if err != nil {
				return err
			}
			ev.Encoded = payload
			args = append(args, ev.WorkspaceID, ev.Seq, ev.Type, nullID(ev.ConversationID()), string(payload), micros(ev.CreatedAt))
		}
		values := strings.Repeat(", (?, ?, ?, ?, ?, ?)", len(chunk))[2:]
		if _, err := x.exec(ctx, `INSERT INTO events (workspace_id, seq, type, conversation_id, payload, created_at) VALUES `+values, args...); err != nil {
			return err
		}
	}
	// The outbox (package outbox): deliveries commit with their events.
	return db.enqueueDeliveries(ctx, x, now, all, eps)
}

// insertEventArrays stores numbered events with one array parameter per
// column (Dialect.Arrays).
func insertEventArrays(ctx context.Context, x q, evs []*chat.Event) error {
	n := len(evs)
	ws, seq, conv, at := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	typ, payload := make([]string, n), make([]string, n)
	for i, ev := range evs {
		p, err := event.Encode(*ev)
		if err != nil {
			return err
		}
		ev.Encoded = p
		ws[i], seq[i], conv[i], at[i] = ev.WorkspaceID, ev.Seq, ev.ConversationID(), micros(ev.CreatedAt)
		typ[i], payload[i] = string(ev.Type), string(p)
	}
	return x.later(ctx, `INSERT INTO events (workspace_id, seq, type, conversation_id, payload, created_at)
		SELECT v.ws, v.seq, v.type, NULLIF(v.conv, 0), v.payload, v.at
		FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]))
		AS v(ws, seq, type, conv, payload, at)`, ws, seq, typ, conv, payload, at)
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
		ev, err := event.Decode([]byte(payload))
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Not the events of batches whose commit is not durable yet
	// (logsync.go). Asked after the read: a batch is registered before
	// its COMMIT, so what the read saw is either still hidden or synced.
	if below := db.syncedBelow(workspaceID); below > 0 {
		for i, ev := range out {
			if ev.Seq >= below {
				out = out[:i]
				break
			}
		}
	}
	return out, nil
}

// LastEventSeq returns the workspace's newest committed event sequence
// (durably committed, where the log is synced apart: logsync.go).
func (db *DB) LastEventSeq(ctx context.Context, workspaceID int64) (int64, error) {
	var seq int64
	err := db.read().row(ctx, `SELECT seq FROM event_seqs WHERE workspace_id = ?`, workspaceID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	if below := db.syncedBelow(workspaceID); below > 0 && seq >= below {
		seq = below - 1
	}
	return seq, err
}
