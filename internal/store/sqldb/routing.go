package sqldb

import (
	"context"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/routing"
)

// lockRouting takes the workspace's routing lock and reads its settings.
// Every change to who holds what (take, transfer, close, status, capacity,
// settings) takes it first, so routing decisions are made one at a time on
// current counts, on one node or many. SQLite's single writer already
// serializes them.
func (db *DB) lockRouting(ctx context.Context, t *txn, workspaceID int64) (*chat.Workspace, error) {
	if db.d.LockRouting != nil {
		if err := db.d.LockRouting(ctx, t.q, workspaceID); err != nil {
			return nil, err
		}
	}
	return db.workspaceIn(ctx, t.q, workspaceID)
}

// load reads an agent's membership and how many conversations they wait on.
func (db *DB) load(ctx context.Context, t *txn, workspaceID, agentID int64) (chat.Load, *chat.Member, error) {
	m, err := db.activeMember(ctx, t.q, workspaceID, agentID)
	if err != nil {
		return chat.Load{}, nil, err
	}
	l := chat.Load{AgentID: agentID, Status: m.Status}
	err = t.row(ctx, `SELECT COUNT(*) FROM conversations WHERE workspace_id = ? AND assignee_id = ? AND state = 'waiting'`,
		workspaceID, agentID).Scan(&l.Waiting)
	return l, m, err
}

// Route assigns queued conversations while anyone can take them.
func (db *DB) Route(ctx context.Context, workspaceID int64) ([]chat.Event, error) {
	return db.write(ctx, func(t *txn) error {
		ws, err := db.lockRouting(ctx, t, workspaceID)
		if err != nil {
			return err
		}
		return db.route(ctx, t, ws)
	})
}

// route assigns the queue, first in first out, to the agents routing.Pick
// chooses, until the queue is empty or nobody can take more. The caller
// holds the routing lock.
func (db *DB) route(ctx context.Context, t *txn, ws *chat.Workspace) error {
	if !ws.Settings.Routes() {
		return nil
	}
	agents, members, err := db.routingAgents(ctx, t, ws)
	if err != nil {
		return err
	}
	free := 0
	for _, a := range agents {
		if routing.Eligible(a) {
			free += min(a.Capacity-a.Open, chat.MaxWaiting-a.Waiting)
		}
	}
	if free == 0 {
		return nil
	}
	ids, err := db.queued(ctx, t, ws.ID, free)
	if err != nil {
		return err
	}
	opts := routing.Options{Sticky: ws.Settings.Sticky, StickyWindow: minutes(ws.Settings.StickyWindowMinutes), Now: t.now}
	for _, id := range ids {
		c, err := db.lockConversation(ctx, t.q, ws.ID, id)
		if err != nil {
			return err
		}
		if c.State != chat.StateUnassigned {
			continue
		}
		if opts.Sticky {
			if err := db.lastServed(ctx, t, c, agents); err != nil {
				return err
			}
		}
		pick, ok := routing.Pick(agents, opts)
		if !ok {
			return nil
		}
		i := indexOf(agents, pick)
		target := chat.Load{AgentID: pick, Status: agents[i].Status, Waiting: agents[i].Waiting}
		if _, err := chat.Next(c, chat.ActionRoute, chat.Situation{Actor: chat.SystemActor, Settings: ws.Settings, Target: &target}); err != nil {
			return err
		}
		if err := db.assign(ctx, t, c, members[pick], chat.EventConversationAssigned, nil); err != nil {
			return err
		}
		agents[i].Open++
		agents[i].Waiting++
	}
	return nil
}

func indexOf(agents []routing.Agent, id int64) int {
	for i := range agents {
		if agents[i].ID == id {
			return i
		}
	}
	return -1
}

// routingAgents snapshots the workspace's members and their load.
func (db *DB) routingAgents(ctx context.Context, t *txn, ws *chat.Workspace) ([]routing.Agent, map[int64]*chat.Member, error) {
	ms, err := db.members(ctx, t.q, `m.workspace_id = ? AND m.active`, ws.ID)
	if err != nil {
		return nil, nil, err
	}
	rows, err := t.query(ctx, `SELECT assignee_id, COUNT(*), SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END)
		FROM conversations WHERE workspace_id = ? AND state IN ('waiting', 'active') AND assignee_id IS NOT NULL
		GROUP BY assignee_id`, ws.ID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type count struct{ open, waiting int }
	counts := map[int64]count{}
	for rows.Next() {
		var id int64
		var c count
		if err := rows.Scan(&id, &c.open, &c.waiting); err != nil {
			return nil, nil, err
		}
		counts[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	agents := make([]routing.Agent, len(ms))
	members := make(map[int64]*chat.Member, len(ms))
	for i := range ms {
		m := &ms[i]
		members[m.AgentID] = m
		agents[i] = routing.Agent{
			ID: m.AgentID, Status: m.Status, Capacity: ws.Settings.CapacityOf(*m),
			Open: counts[m.AgentID].open, Waiting: counts[m.AgentID].waiting, LastClosedAt: m.LastClosedAt,
		}
	}
	return agents, members, nil
}

// queued lists up to limit queued conversations, first in first out: in
// the order they entered the queue (conversations_queue, migration 0025).
func (db *DB) queued(ctx context.Context, t *txn, workspaceID int64, limit int) ([]int64, error) {
	rows, err := t.query(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND state = 'unassigned' ORDER BY queued_at, id LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// lastServed fills each agent's LastServed for c's customer: when they
// last held one of the customer's other conversations, on any of the
// identifiers of its customer ID (the web, a messenger account), as its
// history is.
func (db *DB) lastServed(ctx context.Context, t *txn, c chat.Conversation, agents []routing.Agent) error {
	rows, err := t.query(ctx, `SELECT assignee_id, MAX(COALESCE(closed_at, last_message_at)) FROM conversations
		WHERE customer_id IN (SELECT id FROM customers WHERE profile_id = (SELECT profile_id FROM customers WHERE id = ?))
		AND id <> ? AND assignee_id IS NOT NULL GROUP BY assignee_id`, c.CustomerID, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	served := map[int64]time.Time{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		served[id] = fromMicros(at)
	}
	for i := range agents {
		agents[i].LastServed = served[agents[i].ID]
	}
	return rows.Err()
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }
