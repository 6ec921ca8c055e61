package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

const invitationColumns = `id, workspace_id, email, name, role, COALESCE(invited_by, 0), created_at, expires_at, accepted_at, revoked_at`

func scanInvitation(row interface{ Scan(...any) error }) (*chat.Invitation, error) {
	var inv chat.Invitation
	var created, expires int64
	var accepted, revoked sql.NullInt64
	err := row.Scan(&inv.ID, &inv.WorkspaceID, &inv.Email, &inv.Name, &inv.Role, &inv.InvitedBy, &created, &expires, &accepted, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrInvitationNotFound, "no such invitation")
	}
	if err != nil {
		return nil, err
	}
	inv.CreatedAt, inv.ExpiresAt = fromMicros(created), fromMicros(expires)
	inv.AcceptedAt, inv.RevokedAt = optTime(accepted), optTime(revoked)
	return &inv, nil
}

// invitationView is what the audit log keeps of an invitation.
type invitationView struct {
	Email string    `json:"email"`
	Name  string    `json:"name"`
	Role  chat.Role `json:"role"`
}

// CreateInvitation stores an invitation, replacing an open one for the
// same address.
func (db *DB) CreateInvitation(ctx context.Context, inv *chat.Invitation, tokenHash string, by chat.Who) error {
	return db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		ws, err := db.workspaceIn(ctx, x, inv.WorkspaceID)
		if err != nil {
			return err
		}
		if ws.ArchivedAt != nil {
			return chat.Errorf(chat.ErrWorkspaceArchived, "the workspace is archived")
		}
		if err := db.stillMaster(ctx, x, inv.WorkspaceID, by.AgentID); err != nil {
			return err
		}
		var n int
		if err := x.row(ctx, `SELECT COUNT(*) FROM members m JOIN agents a ON a.id = m.agent_id
			WHERE m.workspace_id = ? AND a.email = ? AND m.active`, inv.WorkspaceID, inv.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return chat.Errorf(chat.ErrAlreadyMember, "%s is already a member of this workspace", inv.Email)
		}
		if _, err := x.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE workspace_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL`,
			micros(t.now), inv.WorkspaceID, inv.Email); err != nil {
			return err
		}
		inv.CreatedAt = t.now.UTC().Truncate(time.Microsecond)
		inv.ExpiresAt = inv.ExpiresAt.UTC().Truncate(time.Microsecond)
		inv.InvitedBy = by.AgentID
		if err := x.row(ctx, `INSERT INTO invitations (workspace_id, email, name, role, token_hash, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			inv.WorkspaceID, inv.Email, inv.Name, inv.Role, tokenHash, nullID(by.AgentID), micros(inv.CreatedAt), micros(inv.ExpiresAt)).Scan(&inv.ID); db.d.IsUniqueViolation(err) {
			// Another node invited the address at the same moment (the
			// revocation above could not see it): one open invitation
			// per address (invitations_open).
			return chat.Errorf(chat.ErrConflict, "%s was invited at the same moment by someone else; reload the invitations", inv.Email)
		} else if err != nil {
			return err
		}
		return x.audit(ctx, t.entry(inv.WorkspaceID, by, chat.AuditInvite, inv.Email, nil, invitationView{inv.Email, inv.Name, inv.Role}))
	})
}

// stillMaster refuses an invitation sent (or resent) by a member who is no
// longer an active master as the write happens: the request checked the
// role before, and a deactivation or demotion committed in between revokes
// the invitations the member sent (UpdateMember) but could not see this
// one. The member's row is locked, so the two are decided one after the
// other. The operator (no agent) invites as the installation.
func (db *DB) stillMaster(ctx context.Context, x q, workspaceID, agentID int64) error {
	return db.stillRole(ctx, x, workspaceID, agentID, chat.RoleMaster, "invite")
}

// stillRole refuses an administrative change by a member who, as the write
// happens, is no longer active with at least role min: the request checked
// the role when it arrived, and a demotion or deactivation committed since
// would otherwise let it through (a master removed by a colleague making
// themselves master again, say). The member's row is locked, so the two
// are decided one after the other. The operator (no agent) passes.
func (db *DB) stillRole(ctx context.Context, x q, workspaceID, agentID int64, min chat.Role, what string) error {
	if agentID == 0 {
		return nil
	}
	var role chat.Role
	var active bool
	err := x.row(ctx, `SELECT role, active FROM members WHERE workspace_id = ? AND agent_id = ?`+x.forUpdate(), workspaceID, agentID).Scan(&role, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err != nil || !active || !role.Outranks(min) {
		return chat.Errorf(chat.ErrRoleRequired, "only an active %s of the workspace may %s", min, what)
	}
	return nil
}

// Invitations lists a workspace's invitations, newest first.
func (db *DB) Invitations(ctx context.Context, workspaceID int64, f chat.InvitationFilter) ([]chat.Invitation, error) {
	query, args := `SELECT `+invitationColumns+` FROM invitations WHERE workspace_id = ?`, []any{workspaceID}
	if f.Open {
		query += ` AND accepted_at IS NULL AND revoked_at IS NULL`
	}
	if !f.After.IsZero() {
		query += ` AND id < ?`
		args = append(args, f.After.ID)
	}
	rows, err := db.read().query(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *inv)
	}
	return out, rows.Err()
}

// changeInvitation locks a workspace's invitation and lets apply change it,
// for a master who still is one (stillMaster, checked first: a demotion
// locks the member, then the invitations it revokes, in that order too).
func (db *DB) changeInvitation(ctx context.Context, workspaceID, id int64, by chat.Who, apply func(t *txn, inv *chat.Invitation) error) (*chat.Invitation, error) {
	var inv *chat.Invitation
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		if err := db.stillMaster(ctx, x, workspaceID, by.AgentID); err != nil {
			return err
		}
		var err error
		inv, err = scanInvitation(x.row(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE workspace_id = ? AND id = ?`+x.forUpdate(), workspaceID, id))
		if err != nil {
			return err
		}
		switch inv.Status(t.now) {
		case chat.InvitationAccepted:
			return chat.Errorf(chat.ErrInvitationUsed, "the invitation was accepted already")
		case chat.InvitationRevoked:
			return chat.Errorf(chat.ErrInvitationRevoked, "the invitation was revoked")
		}
		return apply(t, inv)
	})
	return inv, err
}

// ResendInvitation gives an open invitation a new token and expiry; it is
// the resender's from then on (revokeInvitationsBy).
func (db *DB) ResendInvitation(ctx context.Context, workspaceID, id int64, tokenHash string, expiresAt time.Time, by chat.Who) (*chat.Invitation, error) {
	return db.changeInvitation(ctx, workspaceID, id, by, func(t *txn, inv *chat.Invitation) error {
		inv.ExpiresAt = expiresAt.UTC().Truncate(time.Microsecond)
		inv.InvitedBy = by.AgentID
		if _, err := t.exec(ctx, `UPDATE invitations SET token_hash = ?, expires_at = ?, invited_by = ? WHERE id = ?`,
			tokenHash, micros(inv.ExpiresAt), nullID(by.AgentID), inv.ID); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditInviteResend, inv.Email, nil, nil))
	})
}

// RevokeInvitation makes an open invitation unusable.
func (db *DB) RevokeInvitation(ctx context.Context, workspaceID, id int64, by chat.Who) (*chat.Invitation, error) {
	return db.changeInvitation(ctx, workspaceID, id, by, func(t *txn, inv *chat.Invitation) error {
		inv.RevokedAt = ptr(t.now.UTC().Truncate(time.Microsecond))
		if _, err := t.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, micros(t.now), inv.ID); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditInviteRevoke, inv.Email, nil, nil))
	})
}

// InvitationByToken finds an invitation by its token's hash.
func (db *DB) InvitationByToken(ctx context.Context, tokenHash string) (*chat.Invitation, error) {
	return scanInvitation(db.read().row(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token_hash = ?`, tokenHash))
}

// AcceptInvitation uses a pending invitation once: it makes a login for a
// new address, or adds (or reactivates) a membership of an existing one.
func (db *DB) AcceptInvitation(ctx context.Context, tokenHash string, newAgent *chat.Agent, address string) (*chat.Agent, *chat.Member, error) {
	var a *chat.Agent
	var m *chat.Member
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		inv, err := scanInvitation(x.row(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token_hash = ?`+x.forUpdate(), tokenHash))
		if err != nil {
			return err
		}
		if err := inv.Usable(t.now); err != nil {
			return err
		}
		if ws, err := db.workspaceIn(ctx, x, inv.WorkspaceID); err != nil {
			return err
		} else if ws.ArchivedAt != nil {
			return chat.Errorf(chat.ErrWorkspaceArchived, "the workspace was archived")
		}
		a, err = scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE email = ?`+x.forUpdate(), inv.Email))
		switch {
		case chat.ErrorCode(err) == chat.ErrAgentNotFound:
			if newAgent == nil || newAgent.PasswordHash == "" {
				return chat.Errorf(chat.ErrInvalid, "choose a password to accept the invitation")
			}
			a = &chat.Agent{Email: inv.Email, Name: newAgent.Name, PasswordHash: newAgent.PasswordHash, Language: newAgent.Language}
			if a.Name == "" {
				a.Name = inv.Name
			}
			if err := db.insertAgent(ctx, x, a); db.d.IsUniqueViolation(err) {
				// Another node's acceptance (or an operator) made the
				// login since this one looked: as below.
				return chat.Errorf(chat.ErrInvalidCredentials, "a Sodam login for %s exists now: enter its password", inv.Email)
			} else if err != nil {
				return err
			}
		case err != nil:
			return err
		case newAgent != nil:
			// The caller chose a password for a new login, proving
			// nothing about this one, which was made since it looked
			// (another acceptance, an operator): taking it would sign
			// the caller in as someone else's login.
			return chat.Errorf(chat.ErrInvalidCredentials, "a Sodam login for %s exists now: enter its password", inv.Email)
		default:
			// An invitation (re)admits; it never changes an active
			// member's role: one sent while they were deactivated, and
			// reactivated since, would otherwise demote them — the
			// workspace's only master included — past the last-master
			// rule UpdateMember keeps.
			var active bool
			switch err := x.row(ctx, `SELECT active FROM members WHERE workspace_id = ? AND agent_id = ?`, inv.WorkspaceID, a.ID).Scan(&active); {
			case err == nil && active:
				return chat.Errorf(chat.ErrAlreadyMember, "%s is already a member of this workspace", inv.Email)
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if _, err := x.exec(ctx, `UPDATE invitations SET accepted_at = ? WHERE id = ?`, micros(t.now), inv.ID); err != nil {
			return err
		}
		res, err := x.exec(ctx, `UPDATE members SET role = ?, active = ? WHERE workspace_id = ? AND agent_id = ?`, inv.Role, true, inv.WorkspaceID, a.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := insertMember(ctx, x, chat.Member{WorkspaceID: inv.WorkspaceID, AgentID: a.ID, Role: inv.Role, Status: chat.StatusOffline}); err != nil {
				return err
			}
		}
		if m, err = db.member(ctx, x, inv.WorkspaceID, a.ID); err != nil {
			return err
		}
		who := chat.Who{AgentID: a.ID, Name: a.Name, Address: address}
		return x.audit(ctx, t.entry(inv.WorkspaceID, who, chat.AuditInviteAccept, inv.Email, nil, invitationView{inv.Email, a.Name, inv.Role}))
	})
	return a, m, err
}

// memberView is what the audit log keeps of a membership change.
type memberView struct {
	Role   chat.Role `json:"role,omitempty"`
	Active *bool     `json:"active,omitempty"`
}

// UpdateMember changes a member's role or activity under the routing lock.
func (db *DB) UpdateMember(ctx context.Context, workspaceID, agentID int64, p chat.MemberPatch, by chat.Who) (chat.Member, []chat.Event, error) {
	if p.Role != nil && !p.Role.Valid() {
		return chat.Member{}, nil, chat.Errorf(chat.ErrInvalid, "role must be master, manager or agent")
	}
	return db.changeMember(ctx, workspaceID, agentID, func(t *txn, m *chat.Member) (bool, error) {
		if err := db.stillRole(ctx, t.q, workspaceID, by.AgentID, chat.RoleMaster, "change roles or deactivate members"); err != nil {
			return false, err
		}
		demote := p.Role != nil && *p.Role != chat.RoleMaster
		deactivate := p.Active != nil && !*p.Active
		if m.Role == chat.RoleMaster && m.Active && (demote || deactivate) {
			var masters int
			if err := t.row(ctx, `SELECT COUNT(*) FROM members WHERE workspace_id = ? AND role = ? AND active`, workspaceID, chat.RoleMaster).Scan(&masters); err != nil {
				return false, err
			}
			if masters <= 1 {
				return false, chat.Errorf(chat.ErrLastMaster, "%s is the workspace's last master: make someone else master first", m.Name)
			}
		}
		wasMaster := m.Role == chat.RoleMaster && m.Active
		changed := false
		if p.Role != nil && *p.Role != m.Role {
			if _, err := t.exec(ctx, `UPDATE members SET role = ? WHERE workspace_id = ? AND agent_id = ?`, *p.Role, workspaceID, agentID); err != nil {
				return false, err
			}
			if err := t.audit(ctx, t.entry(workspaceID, by, chat.AuditMemberRole, m.Email, memberView{Role: m.Role}, memberView{Role: *p.Role})); err != nil {
				return false, err
			}
			m.Role, changed = *p.Role, true
		}
		if p.Active != nil && *p.Active != m.Active {
			if err := db.setActive(ctx, t, m, *p.Active); err != nil {
				return false, err
			}
			if err := t.audit(ctx, t.entry(workspaceID, by, chat.AuditMemberActive, m.Email, memberView{Active: ptr(!*p.Active)}, memberView{Active: p.Active})); err != nil {
				return false, err
			}
			if m.Active {
				if err := revokeInvitationsTo(ctx, t, workspaceID, m, by); err != nil {
					return false, err
				}
			} else if err := revokeTokensOf(ctx, t, workspaceID, m, by); err != nil {
				return false, err
			}
			changed = true
		}
		if wasMaster && (m.Role != chat.RoleMaster || !m.Active) {
			if err := revokeInvitationsBy(ctx, t, workspaceID, m, by); err != nil {
				return false, err
			}
		}
		return changed, nil
	})
}

// revokeInvitationsBy revokes the open invitations m sent in the
// workspace, as m stops being an active master of it: an invitation
// speaks for the master who sent it, and one sent on the way out (an
// address of their own, as master) would otherwise bring them back in
// after the team removed them. Each is audited as a revocation by whoever
// changed m.
func revokeInvitationsBy(ctx context.Context, t *txn, workspaceID int64, m *chat.Member, by chat.Who) error {
	rows, err := t.query(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE workspace_id = ? AND invited_by = ?
		AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY id`, workspaceID, m.AgentID)
	if err != nil {
		return err
	}
	var open []*chat.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			rows.Close()
			return err
		}
		open = append(open, inv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, inv := range open {
		if _, err := t.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, micros(t.now), inv.ID); err != nil {
			return err
		}
		if err := t.audit(ctx, t.entry(workspaceID, by, chat.AuditInviteRevoke, inv.Email, nil,
			map[string]string{"reason": "the inviter " + m.Email + " is no longer an active master"})); err != nil {
			return err
		}
	}
	return nil
}

// revokeTokensOf revokes the working API tokens m made in the workspace
// as m is deactivated: a token acts for its creator, and one left would
// work again when they are reactivated or readmitted, which whoever
// deactivated them would not expect. Each is audited as a revocation by
// whoever deactivated m, with the reason.
func revokeTokensOf(ctx context.Context, t *txn, workspaceID int64, m *chat.Member, by chat.Who) error {
	rows, err := t.query(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE workspace_id = ? AND created_by = ? AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > ?) RETURNING name`, micros(t.now), workspaceID, m.AgentID, micros(t.now))
	if err != nil {
		return err
	}
	names, err := scanColumn[string](rows)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := t.audit(ctx, t.entry(workspaceID, by, chat.AuditTokenRevoke, name, nil,
			map[string]string{"reason": "its creator " + m.Email + " was deactivated"})); err != nil {
			return err
		}
	}
	return nil
}

// revokeInvitationsTo revokes the open invitation to m's address in the
// workspace as m is reactivated: it was sent to readmit them, which is
// done, and left open it would let m, deactivated again before it
// expires, readmit themselves. Audited as a revocation by whoever
// reactivated m, with the reason.
func revokeInvitationsTo(ctx context.Context, t *txn, workspaceID int64, m *chat.Member, by chat.Who) error {
	rows, err := t.query(ctx, `UPDATE invitations SET revoked_at = ? WHERE workspace_id = ? AND email = ?
		AND accepted_at IS NULL AND revoked_at IS NULL RETURNING email`, micros(t.now), workspaceID, m.Email)
	if err != nil {
		return err
	}
	emails, err := scanColumn[string](rows)
	if err != nil {
		return err
	}
	for _, email := range emails {
		if err := t.audit(ctx, t.entry(workspaceID, by, chat.AuditInviteRevoke, email, nil,
			map[string]string{"reason": email + " was reactivated"})); err != nil {
			return err
		}
	}
	return nil
}

// setActive activates or deactivates m. A deactivated member goes offline;
// their open conversations go back to the queue (the caller routes it),
// but for those the customer already left, which end; their own alerts
// send nothing (skipPersonalAlerts), and when they are active nowhere any
// more their sessions end.
func (db *DB) setActive(ctx context.Context, t *txn, m *chat.Member, active bool) error {
	m.Active = active
	if active {
		_, err := t.exec(ctx, `UPDATE members SET active = ? WHERE workspace_id = ? AND agent_id = ?`, true, m.WorkspaceID, m.AgentID)
		return err
	}
	m.Status = chat.StatusOffline
	if _, err := t.exec(ctx, `UPDATE members SET active = ?, status = ? WHERE workspace_id = ? AND agent_id = ?`,
		false, chat.StatusOffline, m.WorkspaceID, m.AgentID); err != nil {
		return err
	}
	rows, err := t.query(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND assignee_id = ? AND state IN ('waiting', 'active') ORDER BY id`,
		m.WorkspaceID, m.AgentID)
	if err != nil {
		return err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := db.lockConversation(ctx, t.q, m.WorkspaceID, id)
		if err != nil {
			return err
		}
		// One the customer already ended waited only for its agent's
		// wrap-up (§2.3): nobody is waiting for an answer, so it ends
		// here rather than queue for, and fill the slots of, a colleague.
		if c.CustomerLeftAt != nil {
			if err := db.close(ctx, t, c, chat.CloseByCustomer); err != nil {
				return err
			}
			continue
		}
		// Back at the queue's end as the write runs (startConversation).
		if _, err := t.exec(ctx, `UPDATE conversations SET state = ?, assignee_id = NULL, on_hold = ?, queued_at = ? WHERE id = ?`,
			chat.StateUnassigned, false, micros(db.Now()), c.ID); err != nil {
			return err
		}
		if err := t.cancelJob(ctx, chat.JobInactivity, m.WorkspaceID, c.ID); err != nil {
			return err
		}
		if err := db.systemMessage(ctx, t, c, chat.EventConversationUpdated, chat.SystemReturned, map[string]string{"agent": m.Name}, true); err != nil {
			return err
		}
		// It waits anew: its waiting alert is due again (outbox.go).
		t.pending[len(t.pending)-1].Requeued = true
	}
	if err := t.cancelJob(ctx, chat.JobOffline, m.WorkspaceID, m.AgentID); err != nil {
		return err
	}
	if err := skipPersonalAlerts(ctx, t, m.WorkspaceID, m.AgentID); err != nil {
		return err
	}
	var elsewhere int
	if err := t.row(ctx, `SELECT COUNT(*) FROM members WHERE agent_id = ? AND active`, m.AgentID).Scan(&elsewhere); err != nil {
		return err
	}
	if elsewhere == 0 {
		_, err = t.exec(ctx, `DELETE FROM sessions WHERE agent_id = ?`, m.AgentID)
	}
	return err
}

// UpdateAgent applies an agent's edit of their own profile. A new name
// reaches their colleagues' consoles as agent.status in each workspace
// the login belongs to (archived ones aside), as a status change does.
func (db *DB) UpdateAgent(ctx context.Context, agentID int64, p chat.AgentPatch) (*chat.Agent, []chat.Event, error) {
	if err := p.Check(); err != nil {
		return nil, nil, err
	}
	var a *chat.Agent
	events, err := db.write(ctx, func(t *txn) error {
		var err error
		if a, err = scanAgent(t.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`+t.forUpdate(), agentID)); err != nil {
			return err
		}
		renamed := p.Name != nil && *p.Name != a.Name
		if p.Name != nil {
			a.Name = *p.Name
		}
		if p.Language != nil {
			a.Language = *p.Language
		}
		if _, err = t.exec(ctx, `UPDATE agents SET name = ?, language = ? WHERE id = ?`, a.Name, a.Language, agentID); err != nil || !renamed {
			return err
		}
		ms, err := db.members(ctx, t.q, `m.agent_id = ? AND m.workspace_id IN (SELECT id FROM workspaces WHERE archived_at IS NULL)`, agentID)
		for i := range ms {
			t.emit(chat.Event{WorkspaceID: ms[i].WorkspaceID, Type: chat.EventAgentStatus, Member: &ms[i]})
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return a, events, nil
}

// SetPassword replaces an agent's password and ends their other sessions.
func (db *DB) SetPassword(ctx context.Context, agentID int64, hash, keepSession string, by chat.Who) ([]string, error) {
	var ended []string
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		a, err := scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`+x.forUpdate(), agentID))
		if err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE agents SET password_hash = ? WHERE id = ?`, hash, agentID); err != nil {
			return err
		}
		if ended, err = endSessions(ctx, x, `agent_id = ? AND token_hash <> ?`, agentID, keepSession); err != nil {
			return err
		}
		return auditPasswordChange(ctx, t, a, by)
	})
	return ended, err
}

// auditPasswordChange records a's new password in the audit log of every
// workspace a is an active member of: a login is the installation's, and
// the masters answering for it in each (who make its reset links) read
// their workspace's log, none an installation-wide one. A login that is
// nobody's member (an owner only) is logged installation-wide.
func auditPasswordChange(ctx context.Context, t *txn, a *chat.Agent, by chat.Who) error {
	rows, err := t.query(ctx, `SELECT workspace_id FROM members WHERE agent_id = ? AND active ORDER BY workspace_id`, a.ID)
	if err != nil {
		return err
	}
	workspaces, err := scanColumn[int64](rows)
	if err != nil {
		return err
	}
	if len(workspaces) == 0 {
		workspaces = []int64{0}
	}
	for _, ws := range workspaces {
		if err := t.audit(ctx, t.entry(ws, by, chat.AuditPasswordChange, a.Email, nil, nil)); err != nil {
			return err
		}
	}
	return nil
}

// endSessions deletes the sessions that match where and returns their
// token hashes.
func endSessions(ctx context.Context, x q, where string, args ...any) ([]string, error) {
	rows, err := x.query(ctx, `DELETE FROM sessions WHERE `+where+` RETURNING token_hash`, args...)
	if err != nil {
		return nil, err
	}
	return scanColumn[string](rows)
}

// CreatePasswordReset stores a single-use reset link for an agent.
func (db *DB) CreatePasswordReset(ctx context.Context, workspaceID, agentID int64, tokenHash string, expiresAt time.Time, by chat.Who) error {
	return db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		if err := db.stillRole(ctx, x, workspaceID, by.AgentID, chat.RoleMaster, "make password links"); err != nil {
			return err
		}
		a, err := scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, agentID))
		if err != nil {
			return err
		}
		// A login is the installation's, not the workspace's: a master
		// resets only one that nobody else answers for, or a reset would
		// sign them into the other workspaces (or the installation) too.
		// The operator (no agent: sodam admin) answers for them all.
		if by.AgentID != 0 {
			var elsewhere bool
			if err := x.row(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE agent_id = ? AND workspace_id <> ?)`, agentID, workspaceID).Scan(&elsewhere); err != nil {
				return err
			}
			if a.Owner || elsewhere {
				return chat.Errorf(chat.ErrLoginShared, "%s also signs in to another workspace or owns this installation, so only they can change the password (signed in), or an operator with sodam admin reset-password", a.Email)
			}
		}
		// A new link replaces the ones not used yet.
		if _, err := x.exec(ctx, `DELETE FROM password_resets WHERE agent_id = ? AND used_at IS NULL`, agentID); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `INSERT INTO password_resets (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			tokenHash, agentID, micros(t.now), micros(expiresAt)); err != nil {
			return err
		}
		return x.audit(ctx, t.entry(workspaceID, by, chat.AuditPasswordReset, a.Email, nil, nil))
	})
}

// PasswordResetAgent is the agent a usable reset link is for.
func (db *DB) PasswordResetAgent(ctx context.Context, tokenHash string) (*chat.Agent, error) {
	x := db.read()
	agentID, err := db.usableReset(ctx, x, tokenHash)
	if err != nil {
		return nil, err
	}
	return scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, agentID))
}

// usableReset is the agent of a reset link not used and not expired; in a
// write transaction it holds the link's row.
func (db *DB) usableReset(ctx context.Context, x q, tokenHash string) (int64, error) {
	var agentID, expires int64
	var used sql.NullInt64
	err := x.row(ctx, `SELECT agent_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`+x.forUpdate(), tokenHash).Scan(&agentID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (used.Valid || !db.Now().Before(fromMicros(expires))) {
		return 0, chat.Errorf(chat.ErrResetLinkInvalid, "this password link was used already or has expired; ask for a new one")
	}
	return agentID, err
}

// UsePasswordReset sets a new password through a reset link, once.
func (db *DB) UsePasswordReset(ctx context.Context, tokenHash, newHash, address string) (*chat.Agent, []string, error) {
	var a *chat.Agent
	var ended []string
	err := db.tx(ctx, func(x q) error {
		now := db.Now()
		agentID, err := db.usableReset(ctx, x, tokenHash)
		if err != nil {
			return err
		}
		if a, err = scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, agentID)); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ?`, micros(now), tokenHash); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE agents SET password_hash = ? WHERE id = ?`, newHash, agentID); err != nil {
			return err
		}
		if ended, err = endSessions(ctx, x, `agent_id = ?`, agentID); err != nil {
			return err
		}
		return auditPasswordChange(ctx, &txn{q: x, now: now}, a, chat.Who{AgentID: a.ID, Name: a.Name, Address: address})
	})
	return a, ended, err
}

// AllAgents lists every agent of the installation, by name.
func (db *DB) AllAgents(ctx context.Context) ([]chat.Agent, error) {
	rows, err := db.read().query(ctx, `SELECT `+agentColumns+` FROM agents ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// stillOwner refuses an installation-wide change by an agent who, as the
// write happens, no longer owns the installation: the request checked it
// when it arrived, and a withdrawal committed since (by another owner)
// would otherwise let it through. The agent's row is locked, so the two
// are decided one after the other. The operator (no agent) passes.
func stillOwner(ctx context.Context, x q, agentID int64) error {
	if agentID == 0 {
		return nil
	}
	var owner bool
	err := x.row(ctx, `SELECT owner FROM agents WHERE id = ?`+x.forUpdate(), agentID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !owner {
		return chat.Errorf(chat.ErrOwnerRequired, "only an installation owner may do this")
	}
	return err
}

// SetOwner grants or withdraws installation ownership.
func (db *DB) SetOwner(ctx context.Context, agentID int64, owner bool, by chat.Who) (*chat.Agent, error) {
	var a *chat.Agent
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		if db.d.LockRouting != nil {
			// Workspace 0's lock guards installation-wide changes.
			if err := db.d.LockRouting(ctx, x, 0); err != nil {
				return err
			}
		}
		if err := stillOwner(ctx, x, by.AgentID); err != nil {
			return err
		}
		var err error
		if a, err = scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, agentID)); err != nil {
			return err
		}
		if a.Owner == owner {
			return nil
		}
		if !owner {
			var n int
			if err := x.row(ctx, `SELECT COUNT(*) FROM agents WHERE owner`).Scan(&n); err != nil {
				return err
			}
			if n <= 1 {
				return chat.Errorf(chat.ErrLastOwner, "%s is the installation's last owner", a.Name)
			}
		}
		if _, err := x.exec(ctx, `UPDATE agents SET owner = ? WHERE id = ?`, owner, agentID); err != nil {
			return err
		}
		if owner {
			if err := dropResetLinks(ctx, x, agentID); err != nil {
				return err
			}
		}
		a.Owner = owner
		return x.audit(ctx, t.entry(0, by, chat.AuditOwnerGrant, a.Email, map[string]bool{"owner": !owner}, map[string]bool{"owner": owner}))
	})
	return a, err
}

// AllWorkspaces lists every workspace of the installation.
func (db *DB) AllWorkspaces(ctx context.Context) ([]chat.Workspace, error) {
	rows, err := db.read().query(ctx, `SELECT `+workspaceColumns+` FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Workspace
	for rows.Next() {
		w, err := db.scanWorkspace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

// CreateWorkspaceWith creates a workspace whose first master is masterID.
func (db *DB) CreateWorkspaceWith(ctx context.Context, w *chat.Workspace, masterID int64, by chat.Who) error {
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		if err := stillOwner(ctx, x, by.AgentID); err != nil {
			return err
		}
		if _, err := scanAgent(x.row(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, masterID)); err != nil {
			return err
		}
		if err := db.insertWorkspace(ctx, x, w); err != nil {
			return err
		}
		if err := insertMember(ctx, x, chat.Member{WorkspaceID: w.ID, AgentID: masterID, Role: chat.RoleMaster, Status: chat.StatusOffline}); err != nil {
			return err
		}
		return x.audit(ctx, t.entry(w.ID, by, chat.AuditWorkspaceCreate, w.SiteID, nil, map[string]string{"name": w.Name, "site_id": w.SiteID}))
	})
	if db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, "a workspace with site_id %q exists already", w.SiteID)
	}
	return err
}

// ArchiveWorkspace archives a workspace, or restores it.
func (db *DB) ArchiveWorkspace(ctx context.Context, id int64, on bool, by chat.Who) (*chat.Workspace, []chat.Event, error) {
	var w *chat.Workspace
	events, err := db.write(ctx, func(t *txn) error {
		var err error
		if w, err = db.lockRouting(ctx, t, id); err != nil {
			return err
		}
		if err := stillOwner(ctx, t.q, by.AgentID); err != nil {
			return err
		}
		if (w.ArchivedAt != nil) == on {
			return nil
		}
		var at any
		if on {
			w.ArchivedAt = ptr(t.now.UTC().Truncate(time.Microsecond))
			at = micros(t.now)
		} else {
			w.ArchivedAt = nil
		}
		if _, err := t.exec(ctx, `UPDATE workspaces SET archived_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		t.emit(chat.Event{WorkspaceID: id, Type: chat.EventWorkspaceUpdated, Archived: on})
		return t.audit(ctx, t.entry(id, by, chat.AuditWorkspaceArchive, w.SiteID, map[string]bool{"archived": !on}, map[string]bool{"archived": on}))
	})
	return w, events, err
}
