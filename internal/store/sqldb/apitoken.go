package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

const apiTokenColumns = `id, workspace_id, name, scopes, COALESCE(created_by, 0), created_at, expires_at, last_used_at, revoked_at`

func scanAPIToken(row interface{ Scan(...any) error }) (*chat.APIToken, error) {
	var t chat.APIToken
	var scopes string
	var created int64
	var expires, used, revoked sql.NullInt64
	err := row.Scan(&t.ID, &t.WorkspaceID, &t.Name, &scopes, &t.CreatedBy, &created, &expires, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrTokenNotFound, "no such API token")
	}
	if err != nil {
		return nil, err
	}
	for _, s := range strings.Split(scopes, " ") {
		t.Scopes = append(t.Scopes, chat.Scope(s))
	}
	t.CreatedAt = fromMicros(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = optTime(expires), optTime(used), optTime(revoked)
	return &t, nil
}

// tokenView is what the audit log keeps of a token: never its secret.
type tokenView struct {
	Name      string       `json:"name"`
	Scopes    []chat.Scope `json:"scopes"`
	ExpiresAt *time.Time   `json:"expires_at,omitempty"`
}

// CreateAPIToken stores a token's hash; a workspace holds at most
// chat.MaxAPITokensPerWS live tokens (neither revoked nor expired). Its
// maker must still be an active master as it is written: a deactivation
// committed since the request checked would have revoked their tokens
// (UpdateMember) but not this one, which would then work again when
// they were readmitted.
func (db *DB) CreateAPIToken(ctx context.Context, tok *chat.APIToken, tokenHash string, by chat.Who) error {
	return db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		if _, err := db.workspaceIn(ctx, x, tok.WorkspaceID); err != nil {
			return err
		}
		if err := db.stillRole(ctx, x, tok.WorkspaceID, by.AgentID, chat.RoleMaster, "make API tokens"); err != nil {
			return err
		}
		if err := x.lockLists(ctx, tok.WorkspaceID); err != nil {
			return err
		}
		var n int
		// The tokens that still work: an expired one, listed as such,
		// takes no place (nor does a revoked one).
		if err := x.row(ctx, `SELECT COUNT(*) FROM api_tokens WHERE workspace_id = ? AND revoked_at IS NULL
			AND (expires_at IS NULL OR expires_at > ?)`, tok.WorkspaceID, micros(t.now)).Scan(&n); err != nil {
			return err
		}
		if n >= chat.MaxAPITokensPerWS {
			return chat.Errorf(chat.ErrTooManyTokens, "a workspace has at most %d API tokens; revoke one first", chat.MaxAPITokensPerWS)
		}
		scopes := make([]string, len(tok.Scopes))
		for i, s := range tok.Scopes {
			scopes[i] = string(s)
		}
		tok.CreatedAt, tok.CreatedBy = t.now.UTC().Truncate(time.Microsecond), by.AgentID
		var expires any
		if tok.ExpiresAt != nil {
			tok.ExpiresAt = ptr(tok.ExpiresAt.UTC().Truncate(time.Microsecond))
			expires = micros(*tok.ExpiresAt)
		}
		if err := x.row(ctx, `INSERT INTO api_tokens (workspace_id, name, scopes, token_hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			tok.WorkspaceID, tok.Name, strings.Join(scopes, " "), tokenHash, nullID(by.AgentID), micros(tok.CreatedAt), expires).Scan(&tok.ID); err != nil {
			return err
		}
		return x.audit(ctx, t.entry(tok.WorkspaceID, by, chat.AuditTokenCreate, tok.Name, nil, tokenView{tok.Name, tok.Scopes, tok.ExpiresAt}))
	})
}

// APITokens lists a workspace's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, workspaceID int64) ([]chat.APIToken, error) {
	rows, err := db.read().query(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE workspace_id = ? ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// APITokenByHash finds a token by its secret's hash.
func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*chat.APIToken, error) {
	return scanAPIToken(db.read().row(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = ?`, tokenHash))
}

// TouchAPIToken records when a token was last used.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, micros(at), id)
		return err
	})
}

// RevokeAPIToken makes a token unusable at once.
func (db *DB) RevokeAPIToken(ctx context.Context, workspaceID, id int64, by chat.Who) (*chat.APIToken, error) {
	var tok *chat.APIToken
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		var err error
		if tok, err = scanAPIToken(x.row(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE workspace_id = ? AND id = ?`+x.forUpdate(), workspaceID, id)); err != nil {
			return err
		}
		// Checked again here, as for a new token: a master demoted or
		// deactivated since the request was let in revokes nothing.
		if err := db.stillRole(ctx, x, workspaceID, by.AgentID, chat.RoleMaster, "revoke API tokens"); err != nil {
			return err
		}
		if tok.RevokedAt != nil {
			return nil
		}
		tok.RevokedAt = ptr(t.now.UTC().Truncate(time.Microsecond))
		if _, err := x.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, micros(t.now), id); err != nil {
			return err
		}
		return x.audit(ctx, t.entry(workspaceID, by, chat.AuditTokenRevoke, tok.Name, nil, nil))
	})
	return tok, err
}
