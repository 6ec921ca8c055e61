package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

const workspaceColumns = `id, site_id, name, identity_secret, allowed_origins, consent_text, color, title, settings, created_at, archived_at, session_moves`

// workspaceColumnsOf is workspaceColumns of the table aliased as alias.
func workspaceColumnsOf(alias string) string {
	cols := strings.Split(workspaceColumns, ", ")
	for i := range cols {
		cols[i] = alias + "." + cols[i]
	}
	return strings.Join(cols, ", ")
}

// scanWorkspace reads a workspace row, its identity secret opened
// (openSecret).
func (db *DB) scanWorkspace(row interface{ Scan(...any) error }) (*chat.Workspace, error) {
	var w chat.Workspace
	var origins, settings string
	var created int64
	var archived sql.NullInt64
	err := row.Scan(&w.ID, &w.SiteID, &w.Name, &w.IdentitySecret, &origins, &w.ConsentText, &w.Color, &w.Title, &settings, &created, &archived, &w.SessionMoves)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(origins), &w.AllowedOrigins); err != nil {
		return nil, fmt.Errorf("workspace %d allowed_origins: %w", w.ID, err)
	}
	// Settings added after a workspace was saved keep their defaults.
	if w.Settings, err = decodeSettings(settings); err != nil {
		return nil, fmt.Errorf("workspace %d settings: %w", w.ID, err)
	}
	w.CreatedAt, w.ArchivedAt = fromMicros(created), optTime(archived)
	w.IdentitySecret = db.openSecret(w.IdentitySecret)
	return &w, nil
}

// Identity secrets are kept sealed at rest, as endpoints' signing secrets
// are (outbox.Sealer: "v1:" and AES-256-GCM under SODAM_SECRET_KEY or else
// the installation secret); everything above the store sees them clear.
// One that does not open — the key changed — reads as "", which
// chat.VerifySiteUID refuses, until a master rotates it.

// UseSecretKey makes the store seal and open identity secrets under key,
// the operator's SODAM_SECRET_KEY, or under the installation secret when
// key is "", and returns the sealer: endpoints' secrets are sealed under
// the same key. It is safe while the store is in use.
func (db *DB) UseSecretKey(ctx context.Context, key string) (*outbox.Sealer, error) {
	if key == "" {
		var err error
		if key, err = db.InstallationSecret(ctx); err != nil {
			return nil, err
		}
	}
	sealer := outbox.NewSealer(key)
	db.secrets.Store(sealer)
	return sealer, nil
}

// sealedPrefix starts every sealed secret (outbox.Sealer.Seal); no clear
// identity secret does (app.NewIdentitySecret).
const sealedPrefix = "v1:"

// sealSecret is what the identity_secret column stores of secret: never
// the secret itself.
func (db *DB) sealSecret(secret string) (string, error) {
	sealer := db.secrets.Load()
	if sealer == nil {
		return "", errors.New("the store has no key to seal identity secrets with")
	}
	return sealer.Seal(secret), nil
}

// openSecret is the clear identity secret of the column's value: "" when
// it does not open with this store's key. A value stored before secrets
// were sealed is clear until SealIdentitySecrets seals it.
func (db *DB) openSecret(stored string) string {
	if !strings.HasPrefix(stored, sealedPrefix) {
		return stored
	}
	sealer := db.secrets.Load()
	if sealer == nil {
		return ""
	}
	secret, err := sealer.Open(stored)
	if err != nil {
		return ""
	}
	return secret
}

// SealIdentitySecrets seals, in one transaction, the identity secrets
// stored in clear (by a version that did not seal them), and returns the
// workspaces whose sealed secret does not open with this store's key:
// their signed logins fail until a master rotates the secret. A node runs
// it at start.
func (db *DB) SealIdentitySecrets(ctx context.Context) (unopened []int64, err error) {
	err = db.tx(ctx, func(x q) error { return db.sealClear(ctx, x, "workspaces", "identity_secret") })
	if err != nil {
		return nil, err
	}
	all, err := idTexts(ctx, db.read(), `SELECT id, identity_secret FROM workspaces`)
	for id, sealed := range all {
		if db.openSecret(sealed) == "" {
			unopened = append(unopened, id)
		}
	}
	slices.Sort(unopened)
	return unopened, err
}

// sealClear seals, under x, the values of table's column stored in clear
// (by a version that did not seal them); "" stays as it is.
func (db *DB) sealClear(ctx context.Context, x q, table, column string) error {
	plain, err := idTexts(ctx, x, `SELECT id, `+column+` FROM `+table+` WHERE `+column+` <> '' AND `+column+` NOT LIKE 'v1:%' ORDER BY id`+db.d.ForUpdate)
	if err != nil {
		return err
	}
	for id, value := range plain {
		sealed, err := db.sealSecret(value)
		if err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ?`, sealed, id); err != nil {
			return err
		}
	}
	return nil
}

// idTexts reads rows of an ID and a text (a workspace's identity secret,
// an endpoint's address) into a map.
func idTexts(ctx context.Context, x q, query string) (map[int64]string, error) {
	rows, err := x.query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

func originsJSON(o []string) string {
	if o == nil {
		o = []string{}
	}
	return jsonText(o)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain data is stored
	}
	return string(b)
}

// CreateWorkspace inserts w, failing with chat.ErrConflict if its site_id
// is taken. Zero settings become the defaults.
func (db *DB) CreateWorkspace(ctx context.Context, w *chat.Workspace) error {
	err := db.tx(ctx, func(x q) error { return db.insertWorkspace(ctx, x, w) })
	if db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, "site_id %q is taken", w.SiteID)
	}
	return err
}

func (db *DB) insertWorkspace(ctx context.Context, x q, w *chat.Workspace) error {
	w.CreatedAt = db.Now().UTC().Truncate(time.Microsecond)
	if w.Settings.AssignmentMode == "" {
		w.Settings = chat.DefaultSettings()
	}
	sealed, err := db.sealSecret(w.IdentitySecret)
	if err != nil {
		return err
	}
	if err := x.row(ctx, `INSERT INTO workspaces (site_id, name, identity_secret, allowed_origins, consent_text, color, title, settings, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		w.SiteID, w.Name, sealed, originsJSON(w.AllowedOrigins), w.ConsentText, w.Color, w.Title, jsonText(w.Settings), micros(w.CreatedAt)).Scan(&w.ID); err != nil {
		return err
	}
	if _, err := x.exec(ctx, `INSERT INTO event_seqs (workspace_id, seq) VALUES (?, 0)`, w.ID); err != nil {
		return err
	}
	_, err = x.exec(ctx, `INSERT INTO room_seqs (workspace_id, seq) VALUES (?, 0)`, w.ID)
	return err
}

// Bootstrap creates the first workspace with a as its master, unless the
// installation already has an agent; it reports whether it did. Nodes
// starting together on one database bootstrap once.
func (db *DB) Bootstrap(ctx context.Context, w *chat.Workspace, a *chat.Agent) (bool, error) {
	created := false
	err := db.tx(ctx, func(x q) error {
		if db.d.LockRouting != nil {
			// Workspace 0 does not exist: its lock guards installation-wide work.
			if err := db.d.LockRouting(ctx, x, 0); err != nil {
				return err
			}
		}
		var n int
		if err := x.row(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n); err != nil || n > 0 {
			return err
		}
		if err := db.insertWorkspace(ctx, x, w); err != nil {
			return err
		}
		a.Owner = true // the first master owns the installation
		if err := db.insertAgent(ctx, x, a); err != nil {
			return err
		}
		created = true
		return insertMember(ctx, x, chat.Member{WorkspaceID: w.ID, AgentID: a.ID, Role: chat.RoleMaster, Status: chat.StatusOffline})
	})
	return created, err
}

func (db *DB) workspaceIn(ctx context.Context, x q, id int64) (*chat.Workspace, error) {
	return db.scanWorkspace(x.row(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
}

// Workspace returns the workspace with the given ID.
func (db *DB) Workspace(ctx context.Context, id int64) (*chat.Workspace, error) {
	return db.workspaceIn(ctx, db.read(), id)
}

// WorkspaceBySiteID returns the workspace with the given site_id.
func (db *DB) WorkspaceBySiteID(ctx context.Context, siteID string) (*chat.Workspace, error) {
	return db.scanWorkspace(db.read().row(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE site_id = ?`, siteID))
}

// UpdateWorkspace saves w's editable fields and routes the queue under the
// new rules (switching to auto assigns what waits).
func (db *DB) UpdateWorkspace(ctx context.Context, w *chat.Workspace, by chat.Who) ([]chat.Event, error) {
	return db.write(ctx, func(t *txn) error {
		before, err := db.lockRouting(ctx, t, w.ID)
		if err != nil {
			return err
		}
		return db.saveWorkspace(ctx, t, before, w, by)
	})
}

// PatchWorkspace applies a change to the workspace as the write's
// transaction holds it, under the routing lock, and saves it as
// UpdateWorkspace does: a change another request committed meanwhile is
// the one apply sees, not undone by a save of what was read before it.
func (db *DB) PatchWorkspace(ctx context.Context, id int64, apply func(*chat.Workspace) error, by chat.Who) (*chat.Workspace, []chat.Event, error) {
	var w *chat.Workspace
	events, err := db.write(ctx, func(t *txn) error {
		before, err := db.lockRouting(ctx, t, id)
		if err != nil {
			return err
		}
		// A copy of its own: apply may change the settings' maps and
		// slices, which the audit entry's before must not share.
		if w, err = db.workspaceIn(ctx, t.q, id); err != nil {
			return err
		}
		if err := apply(w); err != nil {
			return err
		}
		return db.saveWorkspace(ctx, t, before, w, by)
	})
	if err != nil {
		return nil, nil, err
	}
	return w, events, nil
}

// saveWorkspace writes w over before (held under the routing lock), with
// its audit entry, and routes the queue under the new rules.
func (db *DB) saveWorkspace(ctx context.Context, t *txn, before, w *chat.Workspace, by chat.Who) error {
	// Decided under the caller's role as it is now (stillRole): managers
	// change settings, masters alone rotate the identity secret.
	min, what := chat.RoleManager, "change the workspace's settings"
	if w.IdentitySecret != before.IdentitySecret {
		min, what = chat.RoleMaster, "rotate the identity secret"
	}
	if err := db.stillRole(ctx, t.q, w.ID, by.AgentID, min, what); err != nil {
		return err
	}
	b, a := settingsView(before), settingsView(w)
	action := chat.AuditWorkspaceUpdate
	if w.IdentitySecret != before.IdentitySecret {
		a.SecretChanged, action = true, chat.AuditSecretRotate
	}
	if !reflect.DeepEqual(b, a) {
		if err := t.audit(ctx, t.entry(w.ID, by, action, w.SiteID, b, a)); err != nil {
			return err
		}
	}
	if a.SecretChanged {
		// Only a new secret is written: a save that leaves it keeps
		// what is stored, even a secret this key does not open.
		sealed, err := db.sealSecret(w.IdentitySecret)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE workspaces SET identity_secret = ? WHERE id = ?`, sealed, w.ID); err != nil {
			return err
		}
	}
	if _, err := t.exec(ctx, `UPDATE workspaces SET name = ?, allowed_origins = ?, consent_text = ?, color = ?, title = ?, settings = ? WHERE id = ?`,
		w.Name, originsJSON(w.AllowedOrigins), w.ConsentText, w.Color, w.Title, jsonText(w.Settings), w.ID); err != nil {
		return err
	}
	if err := db.moveIdleTimers(ctx, t, before.Settings, w.Settings, w.ID); err != nil {
		return err
	}
	ev := chat.Event{WorkspaceID: w.ID, Type: chat.EventWorkspaceUpdated}
	if stopped := w.Settings.OperationStopped; stopped != before.Settings.OperationStopped {
		ev.OperationStopped = &stopped // the widgets' open chats say so (§6)
	}
	t.emit(ev)
	return db.route(ctx, t, w)
}

// moveIdleTimers applies a change of the inactivity timeout or the
// auto-offline time to the timers already running, in the transaction
// that saves it: the inactivity timeout turned off (0) drops the pending
// inactivity closes; otherwise each inactivity close, robot idle close and
// auto-offline moves by the difference, so it comes due the new time
// after what started it (at once if that is past). Timers are due_at only
// (jobs), so moving them is one statement each.
func (db *DB) moveIdleTimers(ctx context.Context, t *txn, before, after chat.Settings, workspaceID int64) error {
	move := func(kind string, by time.Duration) error {
		if by == 0 {
			return nil
		}
		_, err := t.exec(ctx, `UPDATE jobs SET due_at = due_at + ?, attempts = 0, claimed_by = NULL, claimed_until = NULL, last_error = ''
			WHERE kind = ? AND workspace_id = ?`, by.Microseconds(), kind, workspaceID)
		return err
	}
	if err := move(chat.JobOffline, minutes(after.AutoOfflineMinutes-before.AutoOfflineMinutes)); err != nil {
		return err
	}
	if before.InactivityTimeoutMinutes == after.InactivityTimeoutMinutes {
		return nil
	}
	if after.InactivityTimeoutMinutes == 0 {
		if _, err := t.exec(ctx, `DELETE FROM jobs WHERE kind = ? AND workspace_id = ?`, chat.JobInactivity, workspaceID); err != nil {
			return err
		}
	} else if before.InactivityTimeoutMinutes != 0 {
		if err := move(chat.JobInactivity, minutes(after.InactivityTimeoutMinutes-before.InactivityTimeoutMinutes)); err != nil {
			return err
		}
	}
	return move(chat.JobRobotIdle, chat.RobotIdleAfter(after)-chat.RobotIdleAfter(before))
}

// InstallationID names this installation: random, made once by the
// migrations, shared by every node on the same database.
func (db *DB) InstallationID(ctx context.Context) (string, error) {
	var id string
	err := db.read().row(ctx, `SELECT id FROM installation`).Scan(&id)
	return id, err
}

// workspaceSettings is what the audit log keeps of a workspace's settings:
// everything an administrator edits, never the identity secret.
type workspaceSettings struct {
	Name           string        `json:"name"`
	AllowedOrigins []string      `json:"allowed_origins"`
	ConsentText    string        `json:"consent_text"`
	Color          string        `json:"color"`
	Title          string        `json:"title"`
	Settings       chat.Settings `json:"settings"`
	SecretChanged  bool          `json:"identity_secret_changed,omitempty"`
}

func settingsView(w *chat.Workspace) workspaceSettings {
	return workspaceSettings{Name: w.Name, AllowedOrigins: w.AllowedOrigins, ConsentText: w.ConsentText, Color: w.Color, Title: w.Title, Settings: w.Settings}
}

// NoteRefusedOrigin counts a refusal of origin and keeps the workspace's
// most recent chat.MaxRefusedOrigins.
func (db *DB) NoteRefusedOrigin(ctx context.Context, workspaceID int64, origin string, at time.Time) error {
	return db.tx(ctx, func(x q) error {
		if _, err := x.exec(ctx, `INSERT INTO refused_origins (workspace_id, origin, last_at, hits) VALUES (?, ?, ?, 1)
			ON CONFLICT (workspace_id, origin) DO UPDATE SET last_at = excluded.last_at, hits = refused_origins.hits + 1`,
			workspaceID, origin, micros(at)); err != nil {
			return err
		}
		_, err := x.exec(ctx, `DELETE FROM refused_origins WHERE workspace_id = ? AND origin NOT IN
			(SELECT origin FROM refused_origins WHERE workspace_id = ? ORDER BY last_at DESC LIMIT ?)`, workspaceID, workspaceID, chat.MaxRefusedOrigins)
		return err
	})
}

// RefusedOrigins lists the origins the widget was refused from, latest first.
func (db *DB) RefusedOrigins(ctx context.Context, workspaceID int64) ([]chat.RefusedOrigin, error) {
	rows, err := db.read().query(ctx, `SELECT origin, last_at, hits FROM refused_origins WHERE workspace_id = ? ORDER BY last_at DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.RefusedOrigin
	for rows.Next() {
		var o chat.RefusedOrigin
		var at int64
		if err := rows.Scan(&o.Origin, &at, &o.Hits); err != nil {
			return nil, err
		}
		o.LastAt = fromMicros(at)
		out = append(out, o)
	}
	return out, rows.Err()
}
