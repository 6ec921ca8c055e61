package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The robot's transaction steps (chat.Tx): a conversation that starts in
// the bot state, the robot's keyed replies, and the handover to routing.

func (x tx) StartBotConversation(ctx context.Context, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, bool, error) {
	return x.db.startConversationAs(ctx, x.t, workspaceID, customerID, ch, chat.StateBot)
}

// RobotReply adds the robot's answer to the visitor's message replyTo as a
// system message keyed robot-<replyTo>, under the conversation's row lock:
// a second node (or a retry) finds the key and adds nothing, so the robot
// answers each message once however many nodes try.
func (x tx) RobotReply(ctx context.Context, c chat.Conversation, replyTo int64, meta map[string]string) (bool, error) {
	c, err := x.db.lockConversation(ctx, x.t.q, c.WorkspaceID, c.ID)
	if err != nil {
		return false, err
	}
	if c.State != chat.StateBot {
		return false, nil // handed over meanwhile: the agent answers now
	}
	key := "robot-" + strconv.FormatInt(replyTo, 10)
	var one int
	err = x.t.row(ctx, `SELECT 1 FROM messages WHERE conversation_id = ? AND client_msg_id = ?`, c.ID, key).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	m := chat.Message{SenderType: chat.SenderSystem, Kind: chat.KindSystem, Body: chat.SystemRobot, Meta: meta, ClientMsgID: key, SenderName: meta["robot"]}
	if err := x.db.insertMessage(ctx, x.t, c, &m); err != nil {
		return false, err
	}
	// The robot's conversation closes (resolved) once the visitor has
	// asked nothing more for a while; each answer moves the timer.
	ws, err := x.db.workspaceIn(ctx, x.t.q, c.WorkspaceID)
	if err != nil {
		return false, err
	}
	if err := x.t.scheduleJob(ctx, chat.Job{Kind: chat.JobRobotIdle, WorkspaceID: c.WorkspaceID, RefID: c.ID, DueAt: x.t.now.Add(chat.RobotIdleAfter(ws.Settings))}); err != nil {
		return false, err
	}
	after, err := x.db.conversation(ctx, x.t.q, c.WorkspaceID, c.ID)
	if err != nil {
		return false, err
	}
	x.t.emit(chat.Event{WorkspaceID: c.WorkspaceID, Type: chat.EventMessageCreated, Conversation: &after, Message: &m, PrevAssigneeID: c.AssigneeID, PrevState: c.State})
	return true, nil
}

// AgentRefused keeps when the visitor of bot conversation c was first
// refused a person (conversations.agent_refused_at), under its row lock.
// Statistics read it when the robot closes the conversation; the close
// marks it for the roll-up, so the mark itself needs none.
func (x tx) AgentRefused(ctx context.Context, c chat.Conversation) error {
	c, err := x.db.lockConversation(ctx, x.t.q, c.WorkspaceID, c.ID)
	if err != nil || c.State != chat.StateBot {
		return err
	}
	_, err = x.t.exec(ctx, `UPDATE conversations SET agent_refused_at = ? WHERE id = ? AND agent_refused_at IS NULL`,
		micros(x.t.now), c.ID)
	return err
}

// LeaveBot hands a bot conversation to routing: unassigned, with the robot
// first on its agent path (robot-<site_id> > Kim once Kim is assigned).
func (x tx) LeaveBot(ctx context.Context, c chat.Conversation, robot string) (chat.Conversation, error) {
	c, err := x.db.lockConversation(ctx, x.t.q, c.WorkspaceID, c.ID)
	if err != nil {
		return c, err
	}
	return x.db.leaveBot(ctx, x.t, c, robot, true)
}

// leaveBot hands c, whose row t holds, from the robot to routing: the
// robot first on the agent path, its idle close cancelled, the handover
// message. An agent's take-over calls it before assigning; the visitor's
// handover (queued) is a request for a person, which alerts
// (chat.Event.Queued).
func (db *DB) leaveBot(ctx context.Context, t *txn, c chat.Conversation, robot string, queued bool) (chat.Conversation, error) {
	switch c.State {
	case chat.StateBot:
	case chat.StateClosed:
		return c, chat.Errorf(chat.ErrConversationClosed, "the conversation has ended")
	default:
		return c, chat.Errorf(chat.ErrInvalid, "the conversation is not with the robot")
	}
	path, err := json.Marshal(append(c.AgentPath, chat.PathStep{Name: robot}))
	if err != nil {
		return c, err
	}
	// It joins the queue's end now, behind those who asked for a person
	// before it (§3.2), however long it has been with the robot. Now is
	// read as the write runs, as startConversation does, not at the
	// batch's start: a batch that began before another's start committed
	// would otherwise put this handover ahead of it.
	if _, err := t.exec(ctx, `UPDATE conversations SET state = ?, agent_path = ?, queued_at = ? WHERE id = ?`,
		chat.StateUnassigned, string(path), micros(db.Now()), c.ID); err != nil {
		return c, err
	}
	if err := t.cancelJob(ctx, chat.JobRobotIdle, c.WorkspaceID, c.ID); err != nil {
		return c, err
	}
	if err := db.systemMessage(ctx, t, c, chat.EventConversationUpdated, chat.SystemHandover, map[string]string{"robot": robot}, false); err != nil {
		return c, err
	}
	t.pending[len(t.pending)-1].Queued = queued // the handover's event, just emitted
	return db.conversation(ctx, t.q, c.WorkspaceID, c.ID)
}
