package sqldb

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// appendEvents numbers the pending events of a batch's writes, in the
// order the writes ran, and stores them. Each workspace's UPDATE holds its
// sequence row lock until commit, so sequence order is commit order: once
// seq N is visible, every seq below it is too. Workspaces are numbered in
// ID order, so two batches that span the same workspaces take these last
// locks in the same order and never wait on each other in a cycle. eps
// holds the endpoints the batch has read; the outbox needs those of every
// workspace with events.
func (db *DB) appendEvents(ctx context.Context, x q, now time.Time, ts []*txn, eps *batchEndpoints) error {
	byWS := map[int64][]*chat.Event{}
	for _, t := range ts {
		for i := range t.pending {
			ev := &t.pending[i]
			ev.CreatedAt = now
			byWS[ev.WorkspaceID] = append(byWS[ev.WorkspaceID], ev)
		}
	}
	wss := slices.Sorted(maps.Keys(byWS))
	if db.d.Arrays {
		return x.generic(ctx, func() error { return db.appendEventArrays(ctx, x, now, wss, byWS, eps) })
	}
	// Every workspace's counter, in workspace order like every lock, and
	// the endpoints not read yet.
	last := make([]int64, len(wss))
	stmts := make([]Stmt, len(wss), len(wss)+1)
	for i, ws := range wss {
		last[i] = -1
		stmts[i] = Stmt{Query: `UPDATE event_seqs SET seq = seq + ? WHERE workspace_id = ? RETURNING seq`, Args: []any{len(byWS[ws]), ws},
			Row: func(scan func(...any) error) error { return scan(&last[i]) }}
	}
	if s, ok := eps.stmt(wss); ok {
		stmts = append(stmts, s)
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
		}
		all = append(all, evs...)
	}
	// Several rows per INSERT.
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
	return db.enqueueDeliveries(ctx, x, now, all, eps.all)
}

// appendEventArrays is appendEvents on PostgreSQL, where it reads
// nothing (unless the batch has not read the endpoints the outbox needs),
// so that its statements go with the COMMIT: the batch's last round trip.
// The database numbers the events as it moves the counters. Until that
// answer comes, an event's Seq is its place before its workspace's
// counter after the batch (0 for the last, -1 before it, …), and the
// events and deliveries stored take their numbers from the counter as
// this transaction moved it: a workspace without one would leave them
// NULL, which the columns refuse. Each workspace's UPDATE … RETURNING,
// when its answer comes, gives its events their numbers and their
// encoded form (event.EncodeParts, the same bytes as stored). The
// deliveries are chosen before those statements wait to be sent: what
// some endpoints read sends what waits.
func (db *DB) appendEventArrays(ctx context.Context, x q, now time.Time, wss []int64, byWS map[int64][]*chat.Event, eps *batchEndpoints) error {
	if s, ok := eps.stmt(wss); ok {
		if err := x.batch(ctx, s); err != nil {
			return err
		}
	}
	var all []*chat.Event
	for _, w := range wss {
		evs := byWS[w]
		for j, ev := range evs {
			ev.Seq = -int64(len(evs) - 1 - j)
		}
		all = append(all, evs...)
	}
	ds, err := db.deliveriesFor(ctx, x, now, all, eps.all)
	if err != nil {
		return err
	}
	var ws, rel, conv []int64
	var typ, head, tail []string
	for _, w := range wss {
		evs := byWS[w]
		parts := make([][2][]byte, len(evs))
		for j, ev := range evs {
			h, t, err := event.EncodeParts(*ev)
			if err != nil {
				return err
			}
			parts[j] = [2][]byte{h, t}
			ws, rel, conv = append(ws, w), append(rel, ev.Seq), append(conv, ev.ConversationID())
			typ, head, tail = append(typ, string(ev.Type)), append(head, string(h)), append(tail, string(t))
		}
		err := x.laterRows(ctx, Stmt{Query: `UPDATE event_seqs SET seq = seq + ? WHERE workspace_id = ? RETURNING seq`, Args: []any{len(evs), w},
			Row: func(scan func(...any) error) error {
				var last int64
				if err := scan(&last); err != nil {
					return err
				}
				for j, ev := range evs {
					ev.Seq = last + ev.Seq
					ev.Encoded = strconv.AppendInt(parts[j][0], ev.Seq, 10)
					ev.Encoded = append(ev.Encoded, parts[j][1]...)
				}
				return nil
			}})
		if err != nil {
			return err
		}
	}
	if err := x.later(ctx, `INSERT INTO events (workspace_id, seq, type, conversation_id, payload, created_at)
		SELECT v.ws, s.seq + v.rel, v.type, NULLIF(v.conv, 0), v.head || (s.seq + v.rel) || v.tail, ?
		FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]))
			AS v(ws, rel, type, conv, head, tail)
		LEFT JOIN event_seqs s ON s.workspace_id = v.ws`, micros(now), ws, rel, typ, conv, head, tail); err != nil {
		return err
	}
	// The outbox (package outbox): deliveries commit with their events.
	return db.insertDeliveries(ctx, x, now, ds)
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
	seqs, err := db.LastEventSeqs(ctx, []int64{workspaceID})
	if err != nil {
		return 0, err
	}
	seq, ok := seqs[workspaceID]
	if !ok {
		return 0, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	return seq, nil
}

// LastEventSeqs is LastEventSeq for several workspaces in one read (the
// hub's sweep asks for every workspace with subscribers on the node). A
// workspace that does not exist is left out.
func (db *DB) LastEventSeqs(ctx context.Context, workspaceIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(workspaceIDs))
	for chunk := range slices.Chunk(workspaceIDs, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := db.lastEventSeqs(ctx, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) lastEventSeqs(ctx context.Context, workspaceIDs []any, out map[int64]int64) error {
	rows, err := db.read().query(ctx, `SELECT workspace_id, seq FROM event_seqs WHERE workspace_id IN (`+marks(len(workspaceIDs))+`)`, workspaceIDs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ws, seq int64
		if err := rows.Scan(&ws, &seq); err != nil {
			return err
		}
		if below := db.syncedBelow(ws); below > 0 && seq >= below {
			seq = below - 1
		}
		out[ws] = seq
	}
	return rows.Err()
}
