package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

const agentColumns = `id, email, name, password_hash, owner, language, created_at`

func scanAgent(row interface{ Scan(...any) error }) (*chat.Agent, error) {
	var a chat.Agent
	var created int64
	err := row.Scan(&a.ID, &a.Email, &a.Name, &a.PasswordHash, &a.Owner, &a.Language, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrAgentNotFound, "no such agent")
	}
	if err != nil {
		return nil, err
	}
	a.CreatedAt = fromMicros(created)
	return &a, nil
}

// CreateAgent inserts a, failing with chat.ErrConflict when the email is taken.
func (db *DB) CreateAgent(ctx context.Context, a *chat.Agent) error {
	err := db.tx(ctx, func(x q) error { return db.insertAgent(ctx, x, a) })
	if db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, "an agent with email %q already exists", a.Email)
	}
	return err
}

func (db *DB) insertAgent(ctx context.Context, x q, a *chat.Agent) error {
	a.CreatedAt = db.Now().UTC().Truncate(time.Microsecond)
	return x.row(ctx, `INSERT INTO agents (email, name, password_hash, owner, language, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Email, a.Name, a.PasswordHash, a.Owner, a.Language, micros(a.CreatedAt)).Scan(&a.ID)
}

// Agent returns the agent with the given ID.
func (db *DB) Agent(ctx context.Context, id int64) (*chat.Agent, error) {
	return scanAgent(db.read().row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, id))
}

// AgentByEmail returns the agent with the given email.
func (db *DB) AgentByEmail(ctx context.Context, email string) (*chat.Agent, error) {
	return scanAgent(db.read().row(ctx, `SELECT `+agentColumns+` FROM agents WHERE email = ?`, email))
}

// CountAgents counts every agent of the installation.
func (db *DB) CountAgents(ctx context.Context) (int, error) {
	var n int
	err := db.read().row(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n)
	return n, err
}

// AddMember makes an agent a member of a workspace.
func (db *DB) AddMember(ctx context.Context, m chat.Member) error {
	if !m.Role.Valid() {
		return chat.Errorf(chat.ErrInvalid, "unknown role %q", m.Role)
	}
	if m.Status == "" {
		m.Status = chat.StatusOffline
	}
	err := db.tx(ctx, func(x q) error { return insertMember(ctx, x, m) })
	if db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, "the agent is already a member")
	}
	return err
}

func insertMember(ctx context.Context, x q, m chat.Member) error {
	if _, err := x.exec(ctx, `INSERT INTO members (workspace_id, agent_id, role, status) VALUES (?, ?, ?, ?)`,
		m.WorkspaceID, m.AgentID, m.Role, m.Status); err != nil {
		return err
	}
	return dropResetLinks(ctx, x, m.AgentID)
}

// dropResetLinks ends the agent's unused password links as their login
// comes to answer for more (another workspace, the installation): a link a
// master made while the login was theirs alone (CreatePasswordReset) would
// otherwise sign whoever holds it into the rest too.
func dropResetLinks(ctx context.Context, x q, agentID int64) error {
	_, err := x.exec(ctx, `DELETE FROM password_resets WHERE agent_id = ? AND used_at IS NULL`, agentID)
	return err
}

const memberSelect = `SELECT m.workspace_id, m.agent_id, m.role, m.status, m.capacity, m.last_closed_at, m.active, a.name, a.email
	FROM members m JOIN agents a ON a.id = m.agent_id`

func (db *DB) members(ctx context.Context, x q, where string, args ...any) ([]chat.Member, error) {
	rows, err := x.query(ctx, memberSelect+` WHERE `+where+` ORDER BY m.workspace_id, a.name, a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Member
	for rows.Next() {
		var m chat.Member
		var capacity, lastClosed sql.NullInt64
		if err := rows.Scan(&m.WorkspaceID, &m.AgentID, &m.Role, &m.Status, &capacity, &lastClosed, &m.Active, &m.Name, &m.Email); err != nil {
			return nil, err
		}
		if capacity.Valid {
			m.Capacity = ptr(int(capacity.Int64))
		}
		if lastClosed.Valid {
			m.LastClosedAt = fromMicros(lastClosed.Int64)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (db *DB) member(ctx context.Context, x q, workspaceID, agentID int64) (*chat.Member, error) {
	ms, err := db.members(ctx, x, `m.workspace_id = ? AND m.agent_id = ?`, workspaceID, agentID)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, chat.Errorf(chat.ErrAgentNotFound, "the agent is not a member of this workspace")
	}
	return &ms[0], nil
}

// activeMember is member, refused with member_inactive when the agent is
// deactivated in the workspace: whoever work is handed to.
func (db *DB) activeMember(ctx context.Context, x q, workspaceID, agentID int64) (*chat.Member, error) {
	m, err := db.member(ctx, x, workspaceID, agentID)
	if err == nil && !m.Active {
		return nil, chat.Errorf(chat.ErrMemberInactive, "%s is deactivated in this workspace", m.Name)
	}
	return m, err
}

// Member returns an agent's membership in a workspace.
func (db *DB) Member(ctx context.Context, workspaceID, agentID int64) (*chat.Member, error) {
	return db.member(ctx, db.read(), workspaceID, agentID)
}

// Members lists a workspace's agents.
func (db *DB) Members(ctx context.Context, workspaceID int64) ([]chat.Member, error) {
	return db.members(ctx, db.read(), `m.workspace_id = ?`, workspaceID)
}

// Memberships lists the workspaces an agent belongs to, but for archived
// ones: those are closed to their members until an owner restores them.
func (db *DB) Memberships(ctx context.Context, agentID int64) ([]chat.Member, error) {
	return db.members(ctx, db.read(), `m.agent_id = ? AND m.workspace_id IN (SELECT id FROM workspaces WHERE archived_at IS NULL)`, agentID)
}

// SetAgentStatus changes an agent's status; an unchanged status writes no
// event. An agent who comes online is routed queued conversations at once.
func (db *DB) SetAgentStatus(ctx context.Context, workspaceID, agentID int64, s chat.AgentStatus) (chat.Member, []chat.Event, error) {
	if !s.Valid() {
		return chat.Member{}, nil, chat.Errorf(chat.ErrInvalid, "status must be online, away or offline")
	}
	return db.changeMember(ctx, workspaceID, agentID, func(t *txn, m *chat.Member) (bool, error) {
		if m.Status == s {
			return false, nil
		}
		// A deactivated member is offline (setActive) and stays so, even
		// when their change of status was on its way as they were
		// deactivated: only online members count as someone to chat with.
		if !m.Active {
			return false, chat.Errorf(chat.ErrMemberInactive, "%s is deactivated in this workspace", m.Name)
		}
		m.Status = s
		_, err := t.exec(ctx, `UPDATE members SET status = ? WHERE workspace_id = ? AND agent_id = ?`, s, workspaceID, agentID)
		return true, err
	})
}

// SetCapacity sets or clears a member's capacity override.
func (db *DB) SetCapacity(ctx context.Context, workspaceID, agentID int64, capacity *int, by chat.Who) (chat.Member, []chat.Event, error) {
	if capacity != nil {
		if err := chat.CheckCapacity(*capacity); err != nil {
			return chat.Member{}, nil, err
		}
	}
	return db.changeMember(ctx, workspaceID, agentID, func(t *txn, m *chat.Member) (bool, error) {
		if err := db.stillRole(ctx, t.q, workspaceID, by.AgentID, chat.RoleManager, "set capacities"); err != nil {
			return false, err
		}
		before := m.Capacity
		m.Capacity = capacity
		var v any
		if capacity != nil {
			v = *capacity
		}
		if _, err := t.exec(ctx, `UPDATE members SET capacity = ? WHERE workspace_id = ? AND agent_id = ?`, v, workspaceID, agentID); err != nil {
			return false, err
		}
		return true, t.audit(ctx, t.entry(workspaceID, by, chat.AuditCapacity, m.Email, map[string]*int{"capacity": before}, map[string]*int{"capacity": capacity}))
	})
}

// changeMember applies a change to a membership under the routing lock,
// emits agent.status when it changed something, and routes the queue.
func (db *DB) changeMember(ctx context.Context, workspaceID, agentID int64, apply func(*txn, *chat.Member) (bool, error)) (chat.Member, []chat.Event, error) {
	var m *chat.Member
	events, err := db.write(ctx, func(t *txn) error {
		ws, err := db.lockRouting(ctx, t, workspaceID)
		if err != nil {
			return err
		}
		if m, err = db.member(ctx, t.q, workspaceID, agentID); err != nil {
			return err
		}
		first := len(t.pending)
		changed, err := apply(t, m)
		if err != nil || !changed {
			return err
		}
		// The member's own event goes before what the change did to their
		// conversations: a deactivated agent's console stops on it, before
		// those events would make it call the API with a session that
		// ended in the same write (and be answered 401, "signed out").
		t.pending = slices.Insert(t.pending, first, chat.Event{WorkspaceID: workspaceID, Type: chat.EventAgentStatus, Member: ptr(*m)})
		return db.route(ctx, t, ws)
	})
	if err != nil {
		return chat.Member{}, nil, err
	}
	return *m, events, nil
}

// CreateSession stores a console session.
func (db *DB) CreateSession(ctx context.Context, s chat.Session) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `INSERT INTO sessions (token_hash, agent_id, csrf_token, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			s.TokenHash, s.AgentID, s.CSRFToken, micros(s.ExpiresAt), micros(db.Now()))
		return err
	})
}

// Session returns an unexpired session.
func (db *DB) Session(ctx context.Context, tokenHash string, now time.Time) (*chat.Session, error) {
	s := chat.Session{TokenHash: tokenHash}
	var exp int64
	err := db.read().row(ctx, `SELECT agent_id, csrf_token, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?`,
		tokenHash, micros(now)).Scan(&s.AgentID, &s.CSRFToken, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrUnauthorized, "the session has ended; log in again")
	}
	if err != nil {
		return nil, err
	}
	s.ExpiresAt = fromMicros(exp)
	return &s, nil
}

// ConsoleMember reads a session, its agent and the agent's membership of
// workspaceID in one statement: on PostgreSQL three reads were three round
// trips before every agent's send.
func (db *DB) ConsoleMember(ctx context.Context, tokenHash string, now time.Time, workspaceID int64) (*chat.Session, *chat.Agent, *chat.Member, error) {
	s := chat.Session{TokenHash: tokenHash}
	var exp int64
	var aID, aCreated, capacity, lastClosed sql.NullInt64
	var aEmail, aName, aHash, aLanguage, mRole, mStatus sql.NullString
	var aOwner, mActive sql.NullBool
	err := db.read().row(ctx, `SELECT s.agent_id, s.csrf_token, s.expires_at,
			a.id, a.email, a.name, a.password_hash, a.owner, a.language, a.created_at,
			m.role, m.status, m.capacity, m.last_closed_at, m.active
		FROM sessions s
		LEFT JOIN agents a ON a.id = s.agent_id
		LEFT JOIN members m ON m.agent_id = s.agent_id AND m.workspace_id = ?
			AND m.workspace_id IN (SELECT id FROM workspaces WHERE archived_at IS NULL)
		WHERE s.token_hash = ? AND s.expires_at > ?`, workspaceID, tokenHash, micros(now)).Scan(
		&s.AgentID, &s.CSRFToken, &exp,
		&aID, &aEmail, &aName, &aHash, &aOwner, &aLanguage, &aCreated,
		&mRole, &mStatus, &capacity, &lastClosed, &mActive)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, chat.Errorf(chat.ErrUnauthorized, "the session has ended; log in again")
	}
	if err != nil {
		return nil, nil, nil, err
	}
	s.ExpiresAt = fromMicros(exp)
	if !aID.Valid {
		return &s, nil, nil, nil
	}
	a := &chat.Agent{ID: aID.Int64, Email: aEmail.String, Name: aName.String, PasswordHash: aHash.String, Owner: aOwner.Bool,
		Language: aLanguage.String, CreatedAt: fromMicros(aCreated.Int64)}
	if !mRole.Valid {
		return &s, a, nil, nil
	}
	m := &chat.Member{WorkspaceID: workspaceID, AgentID: a.ID, Role: chat.Role(mRole.String), Status: chat.AgentStatus(mStatus.String),
		Active: mActive.Bool, Name: a.Name, Email: a.Email}
	if capacity.Valid {
		m.Capacity = ptr(int(capacity.Int64))
	}
	if lastClosed.Valid {
		m.LastClosedAt = fromMicros(lastClosed.Int64)
	}
	return &s, a, m, nil
}

// CountSessions is how many unexpired sessions an agent has.
func (db *DB) CountSessions(ctx context.Context, agentID int64, now time.Time) (int, error) {
	var n int
	err := db.read().row(ctx, `SELECT COUNT(*) FROM sessions WHERE agent_id = ? AND expires_at > ?`, agentID, micros(now)).Scan(&n)
	return n, err
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}
