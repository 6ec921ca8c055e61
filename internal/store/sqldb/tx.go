package sqldb

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

var _ chat.Tx = tx{}

// Write runs an application workflow in one write transaction, through
// the group-commit writer like every other write.
func (db *DB) Write(ctx context.Context, fn func(chat.Tx) error) ([]chat.Event, error) {
	return db.write(ctx, func(t *txn) error { return fn(tx{db: db, t: t}) })
}

// tx is chat.Tx over one write's view of its transaction.
type tx struct {
	db *DB
	t  *txn
}

func (x tx) LockRouting(ctx context.Context, workspaceID int64) (*chat.Workspace, error) {
	return x.db.lockRouting(ctx, x.t, workspaceID)
}

func (x tx) Route(ctx context.Context, ws *chat.Workspace) error { return x.db.route(ctx, x.t, ws) }

func (x tx) StartConversation(ctx context.Context, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, bool, error) {
	return x.db.startConversation(ctx, x.t, workspaceID, customerID, ch)
}

// RecordConsent notes that a customer agreed to the privacy notice whose
// wording has version.
func (x tx) RecordConsent(ctx context.Context, workspaceID, customerID int64, version string) error {
	res, err := x.t.exec(ctx, `UPDATE customers SET consent_at = ?, consent_version = ? WHERE workspace_id = ? AND id = ?`,
		micros(x.t.now), version, workspaceID, customerID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return chat.Errorf(chat.ErrNotFound, "no such customer")
	}
	return err
}

func (x tx) LockConversation(ctx context.Context, workspaceID, id int64) (chat.Conversation, error) {
	return x.db.lockConversation(ctx, x.t.q, workspaceID, id)
}

func (x tx) Conversation(ctx context.Context, workspaceID, id int64) (chat.Conversation, error) {
	return x.db.conversation(ctx, x.t.q, workspaceID, id)
}

func (x tx) SystemMessage(ctx context.Context, c chat.Conversation, code string, meta map[string]string) error {
	return x.db.systemMessage(ctx, x.t, c, chat.EventMessageCreated, code, meta, false)
}

func (x tx) CloseConversation(ctx context.Context, c chat.Conversation, reason string) error {
	return x.db.close(ctx, x.t, c, reason)
}

func (x tx) SetMemberStatus(ctx context.Context, workspaceID, agentID int64, s chat.AgentStatus) error {
	m, err := x.db.member(ctx, x.t.q, workspaceID, agentID)
	if chat.ErrorCode(err) == chat.ErrAgentNotFound {
		return nil
	}
	if err != nil || m.Status == s {
		return err
	}
	if _, err := x.t.exec(ctx, `UPDATE members SET status = ? WHERE workspace_id = ? AND agent_id = ?`, s, workspaceID, agentID); err != nil {
		return err
	}
	m.Status = s
	x.t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventAgentStatus, Member: m})
	return nil
}

func (x tx) FinishJob(ctx context.Context, j chat.Job, node string) error {
	ok, err := x.t.finishJob(ctx, j, node)
	if err == nil && !ok {
		err = chat.ErrJobMoved
	}
	return err
}
