package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (db *DB) customer(ctx context.Context, x q, workspaceID int64, where string, args ...any) (*chat.Customer, error) {
	var c chat.Customer
	var extra string
	var created int64
	err := x.row(ctx, `SELECT id, workspace_id, external_id, verified, name, email, phone, language, extra, created_at
		FROM customers WHERE workspace_id = ? AND `+where+x.forUpdate(), append([]any{workspaceID}, args...)...).
		Scan(&c.ID, &c.WorkspaceID, &c.ExternalID, &c.Verified, &c.Name, &c.Email, &c.Phone, &c.Language, &extra, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrNotFound, "no such customer")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(extra), &c.Extra); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
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
