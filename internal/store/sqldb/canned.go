package sqldb

import (
	"cmp"
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (db *DB) canned(ctx context.Context, x q, agentID int64, where string, args ...any) ([]chat.Canned, error) {
	rows, err := x.query(ctx, cannedSelect+` WHERE `+where+` ORDER BY c.title, c.id`, append([]any{agentID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Canned{}
	for rows.Next() {
		var c chat.Canned
		var updated int64
		if err := rows.Scan(&c.ID, &c.WorkspaceID, &c.OwnerID, &c.Title, &c.Body, &updated, &c.Favourite); err != nil {
			return nil, err
		}
		c.Shared, c.UpdatedAt = c.OwnerID == 0, fromMicros(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CannedResponses lists what agentID may use: the workspace's shared
// responses and their own, marked with their favourites.
func (db *DB) CannedResponses(ctx context.Context, workspaceID, agentID int64) ([]chat.Canned, error) {
	return db.canned(ctx, db.read(), agentID, `c.workspace_id = ? AND (c.owner_id IS NULL OR c.owner_id = ?)`, workspaceID, agentID)
}

// cannedView is what the audit log keeps of a shared canned response.
type cannedView struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// auditCanned records a change to c, in t, when c is shared: an agent's
// own responses are theirs, not the workspace's administration.
func auditCanned(ctx context.Context, t *txn, by chat.Who, action string, before, after *chat.Canned) error {
	c := cmp.Or(after, before)
	if !c.Shared {
		return nil
	}
	view := func(c *chat.Canned) any {
		if c == nil {
			return nil
		}
		return cannedView{c.ID, c.Title, c.Body}
	}
	return t.audit(ctx, t.entry(c.WorkspaceID, by, action, c.Title, view(before), view(after)))
}

// CreateCanned stores a canned response: shared when c.OwnerID is 0,
// and then audited.
func (db *DB) CreateCanned(ctx context.Context, c *chat.Canned, by chat.Who) error {
	title, body, err := chat.CheckCanned(c.Title, c.Body)
	if err != nil {
		return err
	}
	c.Title, c.Body, c.Shared = title, body, c.OwnerID == 0
	_, err = db.write(ctx, func(t *txn) error {
		if err := t.underListLimit(ctx, `SELECT COUNT(*) FROM canned_responses WHERE workspace_id = ?`, chat.MaxCannedPerWorkspace, "canned responses", c.WorkspaceID); err != nil {
			return err
		}
		c.UpdatedAt = t.now.UTC()
		if err := t.row(ctx, `INSERT INTO canned_responses (workspace_id, owner_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			c.WorkspaceID, nullID(c.OwnerID), title, body, micros(c.UpdatedAt), micros(c.UpdatedAt)).Scan(&c.ID); err != nil {
			return err
		}
		return auditCanned(ctx, t, by, chat.AuditCannedCreate, nil, c)
	})
	return err
}

// editableCanned reads a canned response actor may change: their own, or a
// shared one when they are a manager or master.
func (db *DB) editableCanned(ctx context.Context, x q, workspaceID, id int64, actor chat.Actor) (chat.Canned, error) {
	cs, err := db.canned(ctx, x, actor.AgentID, `c.workspace_id = ? AND c.id = ? AND (c.owner_id IS NULL OR c.owner_id = ?)`, workspaceID, id, actor.AgentID)
	if err != nil {
		return chat.Canned{}, err
	}
	if len(cs) == 0 {
		return chat.Canned{}, chat.Errorf(chat.ErrNotFound, "no such canned response")
	}
	if cs[0].Shared && !actor.Role.SeesAll() {
		return chat.Canned{}, chat.Errorf(chat.ErrRoleRequired, "only managers and masters change shared canned responses")
	}
	return cs[0], nil
}

// UpdateCanned changes a canned response's title and body; a shared one's
// change is audited.
func (db *DB) UpdateCanned(ctx context.Context, workspaceID, id int64, actor chat.Actor, title, body string, by chat.Who) (chat.Canned, error) {
	title, body, err := chat.CheckCanned(title, body)
	if err != nil {
		return chat.Canned{}, err
	}
	var c chat.Canned
	_, err = db.write(ctx, func(t *txn) error {
		before, err := db.editableCanned(ctx, t.q, workspaceID, id, actor)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE canned_responses SET title = ?, body = ?, updated_at = ? WHERE id = ?`, title, body, micros(t.now), id); err != nil {
			return err
		}
		if c, err = db.editableCanned(ctx, t.q, workspaceID, id, actor); err != nil {
			return err
		}
		return auditCanned(ctx, t, by, chat.AuditCannedUpdate, &before, &c)
	})
	return c, err
}

// DeleteCanned removes a canned response and the favourites on it; a
// shared one's deletion is audited.
func (db *DB) DeleteCanned(ctx context.Context, workspaceID, id int64, actor chat.Actor, by chat.Who) error {
	_, err := db.write(ctx, func(t *txn) error {
		before, err := db.editableCanned(ctx, t.q, workspaceID, id, actor)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM canned_favourites WHERE canned_id = ?`, id); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM canned_responses WHERE id = ?`, id); err != nil {
			return err
		}
		return auditCanned(ctx, t, by, chat.AuditCannedDelete, &before, nil)
	})
	return err
}

// SetCannedFavourite marks or unmarks a response agentID may use as one of
// their favourites.
func (db *DB) SetCannedFavourite(ctx context.Context, workspaceID, id, agentID int64, on bool) error {
	return db.tx(ctx, func(x q) error {
		cs, err := db.canned(ctx, x, agentID, `c.workspace_id = ? AND c.id = ? AND (c.owner_id IS NULL OR c.owner_id = ?)`, workspaceID, id, agentID)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return chat.Errorf(chat.ErrNotFound, "no such canned response")
		}
		if on {
			_, err = x.exec(ctx, `INSERT INTO canned_favourites (agent_id, canned_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, agentID, id)
		} else {
			_, err = x.exec(ctx, `DELETE FROM canned_favourites WHERE agent_id = ? AND canned_id = ?`, agentID, id)
		}
		return err
	})
}

const cannedSelect = `SELECT c.id, c.workspace_id, COALESCE(c.owner_id, 0), c.title, c.body, c.updated_at,
	EXISTS (SELECT 1 FROM canned_favourites f WHERE f.canned_id = c.id AND f.agent_id = ?)
	FROM canned_responses c`
