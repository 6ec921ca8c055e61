package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"

	"github.com/sodam-chat/sodam/internal/chat"
)

const customerSelect = `SELECT id, workspace_id, external_id, verified, name, email, phone, language, extra, created_at,
	blocked_at, block_reason, block_note FROM customers`

func scanCustomer(row interface{ Scan(...any) error }) (*chat.Customer, error) {
	var c chat.Customer
	var extra string
	var created int64
	var blocked sql.NullInt64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.ExternalID, &c.Verified, &c.Name, &c.Email, &c.Phone, &c.Language, &extra, &created,
		&blocked, &c.BlockReason, &c.BlockNote)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrNotFound, "no such customer")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(extra), &c.Extra); err != nil {
		return nil, err
	}
	c.CreatedAt, c.BlockedAt = fromMicros(created), optTime(blocked)
	return &c, nil
}

func (db *DB) customer(ctx context.Context, x q, workspaceID int64, where string, args ...any) (*chat.Customer, error) {
	return scanCustomer(x.row(ctx, customerSelect+` WHERE workspace_id = ? AND `+where+x.forUpdate(), append([]any{workspaceID}, args...)...))
}

// Customer returns a workspace's customer by row ID.
func (db *DB) Customer(ctx context.Context, workspaceID, id int64) (*chat.Customer, error) {
	return db.customer(ctx, db.read(), workspaceID, `id = ?`, id)
}

// UpsertCustomer finds or creates the customer with c.ExternalID and merges
// c's non-empty profile fields into it.
func (db *DB) UpsertCustomer(ctx context.Context, c *chat.Customer) error {
	return db.tx(ctx, func(x q) error {
		if _, err := x.exec(ctx, `INSERT INTO customers (workspace_id, external_id, verified, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (workspace_id, external_id) DO NOTHING`, c.WorkspaceID, c.ExternalID, c.Verified, micros(db.Now())); err != nil {
			return err
		}
		cur, err := db.customer(ctx, x, c.WorkspaceID, `external_id = ?`, c.ExternalID)
		if err != nil {
			return err
		}
		merge := func(dst *string, src string) {
			if src != "" {
				*dst = src
			}
		}
		merge(&cur.Name, c.Name)
		merge(&cur.Email, c.Email)
		merge(&cur.Phone, c.Phone)
		merge(&cur.Language, c.Language)
		cur.Verified = cur.Verified || c.Verified
		if cur.Extra == nil {
			cur.Extra = map[string]string{}
		}
		maps.Copy(cur.Extra, c.Extra)
		extra, err := json.Marshal(cur.Extra)
		if err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE customers SET verified = ?, name = ?, email = ?, phone = ?, language = ?, extra = ? WHERE id = ?`,
			cur.Verified, cur.Name, cur.Email, cur.Phone, cur.Language, string(extra), cur.ID); err != nil {
			return err
		}
		*c = *cur
		return nil
	})
}

// CreateVisitorSession stores a widget session.
func (db *DB) CreateVisitorSession(ctx context.Context, s chat.VisitorSession) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `INSERT INTO visitor_sessions (token_hash, workspace_id, customer_id, created_at) VALUES (?, ?, ?, ?)`,
			s.TokenHash, s.WorkspaceID, s.CustomerID, micros(db.Now()))
		return err
	})
}

// VisitorSession returns the widget session with the given token hash.
func (db *DB) VisitorSession(ctx context.Context, tokenHash string) (*chat.VisitorSession, error) {
	s := chat.VisitorSession{TokenHash: tokenHash}
	err := db.read().row(ctx, `SELECT workspace_id, customer_id FROM visitor_sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.WorkspaceID, &s.CustomerID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrUnauthorized, "unknown visitor token")
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// BlockCustomer blocks a customer and closes their open conversations, each
// with a system message (§5.5).
func (db *DB) BlockCustomer(ctx context.Context, workspaceID, customerID int64, reason, note string) (*chat.Customer, []chat.Event, error) {
	if err := chat.CheckBlockReason(reason, note); err != nil {
		return nil, nil, err
	}
	var cu *chat.Customer
	events, err := db.write(ctx, func(t *txn) error {
		ws, err := db.lockRouting(ctx, t, workspaceID)
		if err != nil {
			return err
		}
		if cu, err = db.customer(ctx, t.q, workspaceID, `id = ?`, customerID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE customers SET blocked_at = ?, block_reason = ?, block_note = ? WHERE id = ?`,
			micros(t.now), reason, note, customerID); err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT id FROM conversations WHERE customer_id = ? AND state <> 'closed' ORDER BY id`, customerID)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := db.lockConversation(ctx, t.q, workspaceID, id)
			if err != nil {
				return err
			}
			if err := db.close(ctx, t, c, chat.CloseByBlock); err != nil {
				return err
			}
		}
		if err := db.route(ctx, t, ws); err != nil {
			return err
		}
		cu, err = db.customer(ctx, t.q, workspaceID, `id = ?`, customerID)
		return err
	})
	return cu, events, err
}

// UnblockCustomer lets a blocked customer chat again.
func (db *DB) UnblockCustomer(ctx context.Context, workspaceID, customerID int64) (*chat.Customer, error) {
	var cu *chat.Customer
	err := db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE customers SET blocked_at = NULL, block_reason = '', block_note = '' WHERE workspace_id = ? AND id = ?`, workspaceID, customerID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chat.Errorf(chat.ErrNotFound, "no such customer")
		}
		cu, err = db.customer(ctx, x, workspaceID, `id = ?`, customerID)
		return err
	})
	return cu, err
}

// BlockedCustomers lists the workspace's blocked customers, latest first.
func (db *DB) BlockedCustomers(ctx context.Context, workspaceID int64) ([]chat.Customer, error) {
	rows, err := db.read().query(ctx, customerSelect+` WHERE workspace_id = ? AND blocked_at IS NOT NULL ORDER BY blocked_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}
