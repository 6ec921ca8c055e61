package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sodam-chat/sodam/internal/chat"
)

const workspaceColumns = `id, site_id, name, identity_secret, allowed_origins, consent_text, color, title, created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (*chat.Workspace, error) {
	var w chat.Workspace
	var origins string
	var created int64
	err := row.Scan(&w.ID, &w.SiteID, &w.Name, &w.IdentitySecret, &origins, &w.ConsentText, &w.Color, &w.Title, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(origins), &w.AllowedOrigins); err != nil {
		return nil, fmt.Errorf("workspace %d allowed_origins: %w", w.ID, err)
	}
	w.CreatedAt = fromMicros(created)
	return &w, nil
}

func originsJSON(o []string) string {
	if o == nil {
		o = []string{}
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// CreateWorkspace inserts w, failing with chat.ErrConflict if its site_id is taken.
func (db *DB) CreateWorkspace(ctx context.Context, w *chat.Workspace) error {
	w.CreatedAt = db.Now().UTC().Truncate(1000)
	err := db.tx(ctx, func(x q) error {
		return x.row(ctx, `INSERT INTO workspaces (site_id, name, identity_secret, allowed_origins, consent_text, color, title, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			w.SiteID, w.Name, w.IdentitySecret, originsJSON(w.AllowedOrigins), w.ConsentText, w.Color, w.Title, micros(w.CreatedAt)).Scan(&w.ID)
	})
	if db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, "site_id %q is taken", w.SiteID)
	}
	return err
}

// Workspace returns the workspace with the given ID.
func (db *DB) Workspace(ctx context.Context, id int64) (*chat.Workspace, error) {
	return scanWorkspace(db.read().row(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
}

// WorkspaceBySiteID returns the workspace with the given site_id.
func (db *DB) WorkspaceBySiteID(ctx context.Context, siteID string) (*chat.Workspace, error) {
	return scanWorkspace(db.read().row(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE site_id = ?`, siteID))
}

// UpdateWorkspace saves the editable settings of w.
func (db *DB) UpdateWorkspace(ctx context.Context, w *chat.Workspace) error {
	return db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE workspaces SET name = ?, identity_secret = ?, allowed_origins = ?, consent_text = ?, color = ?, title = ? WHERE id = ?`,
			w.Name, w.IdentitySecret, originsJSON(w.AllowedOrigins), w.ConsentText, w.Color, w.Title, w.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
		}
		return nil
	})
}
