package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
)

const conversationSelect = `SELECT c.id, c.workspace_id, c.room_no, c.customer_id, c.channel, c.state,
	COALESCE(c.assignee_id, 0), COALESCE(a.name, ''), cu.name, w.site_id, cu.external_id, c.close_reason,
	c.last_seq, c.last_message, c.last_message_at, c.created_at, c.closed_at
	FROM conversations c
	JOIN customers cu ON cu.id = c.customer_id
	JOIN workspaces w ON w.id = c.workspace_id
	LEFT JOIN agents a ON a.id = c.assignee_id`

func scanConversation(row interface{ Scan(...any) error }) (chat.Conversation, error) {
	var c chat.Conversation
	var siteID, externalID string
	var lastAt, created int64
	var closed sql.NullInt64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.RoomNo, &c.CustomerID, &c.Channel, &c.State,
		&c.AssigneeID, &c.AssigneeName, &c.CustomerName, &siteID, &externalID, &c.CloseReason,
		&c.LastSeq, &c.LastMessage, &lastAt, &created, &closed)
	if err != nil {
		return c, err
	}
	c.Identifier = chat.Identifier(siteID, externalID)
	c.LastMessageAt = fromMicros(lastAt)
	c.CreatedAt = fromMicros(created)
	if closed.Valid {
		t := fromMicros(closed.Int64)
		c.ClosedAt = &t
	}
	return c, nil
}

func (db *DB) conversation(ctx context.Context, x q, workspaceID, id int64) (chat.Conversation, error) {
	c, err := scanConversation(x.row(ctx, conversationSelect+` WHERE c.workspace_id = ? AND c.id = ?`, workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	return c, err
}

// lockConversation takes the conversation's row lock (PostgreSQL) and reads
// it. Every change to a conversation goes through here first, so concurrent
// changes to one conversation are decided one after another.
func (db *DB) lockConversation(ctx context.Context, x q, workspaceID, id int64) (chat.Conversation, error) {
	var got int64
	err := x.row(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND id = ?`+x.forUpdate(), workspaceID, id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Conversation{}, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	if err != nil {
		return chat.Conversation{}, err
	}
	return db.conversation(ctx, x, workspaceID, id)
}

// Conversation returns a workspace's conversation.
func (db *DB) Conversation(ctx context.Context, workspaceID, id int64) (*chat.Conversation, error) {
	c, err := db.conversation(ctx, db.read(), workspaceID, id)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CurrentConversation returns the customer's open conversation on ch.
func (db *DB) CurrentConversation(ctx context.Context, workspaceID, customerID int64, ch chat.Channel) (*chat.Conversation, error) {
	c, err := db.currentConversation(ctx, db.read(), workspaceID, customerID, ch)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (db *DB) currentConversation(ctx context.Context, x q, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, error) {
	c, err := scanConversation(x.row(ctx, conversationSelect+` WHERE c.workspace_id = ? AND c.customer_id = ? AND c.channel = ? AND c.state <> 'closed'
		ORDER BY c.id DESC LIMIT 1`, workspaceID, customerID, ch))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chat.Errorf(chat.ErrConversationNotFound, "the customer has no open conversation")
	}
	return c, err
}

// Conversations lists conversations, most recent activity first.
func (db *DB) Conversations(ctx context.Context, workspaceID int64, f chat.ConversationFilter) ([]chat.Conversation, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	query := conversationSelect + ` WHERE c.workspace_id = ?`
	args := []any{workspaceID}
	if f.State != "" {
		query += ` AND c.state = ?`
		args = append(args, f.State)
	}
	if f.AssigneeID != 0 {
		query += ` AND c.assignee_id = ?`
		args = append(args, f.AssigneeID)
	}
	if f.VisibleTo != 0 {
		query += ` AND (c.assignee_id = ? OR c.state IN ('unassigned', 'bot'))`
		args = append(args, f.VisibleTo)
	}
	rows, err := db.read().query(ctx, query+` ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenConversation returns the customer's open conversation on ch or starts
// one. The customer's row lock serializes concurrent starts.
func (db *DB) OpenConversation(ctx context.Context, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, []chat.Event, error) {
	var c chat.Conversation
	var events []chat.Event
	err := db.tx(ctx, func(x q) error {
		if _, err := db.customer(ctx, x, workspaceID, `id = ?`, customerID); err != nil {
			return err
		}
		var err error
		c, err = db.currentConversation(ctx, x, workspaceID, customerID, ch)
		if err == nil || chat.ErrorCode(err) != chat.ErrConversationNotFound {
			return err
		}
		var room int64
		if err := x.row(ctx, `UPDATE workspaces SET room_seq = room_seq + 1 WHERE id = ? RETURNING room_seq`, workspaceID).Scan(&room); err != nil {
			return err
		}
		now := micros(db.Now())
		var id int64
		if err := x.row(ctx, `INSERT INTO conversations (workspace_id, room_no, customer_id, channel, state, last_message_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, workspaceID, room, customerID, ch, chat.StateUnassigned, now, now).Scan(&id); err != nil {
			return err
		}
		if c, err = db.conversation(ctx, x, workspaceID, id); err != nil {
			return err
		}
		ev, err := db.appendEvent(ctx, x, chat.Event{WorkspaceID: workspaceID, Type: chat.EventConversationCreated, Conversation: &c})
		events = append(events, ev)
		return err
	})
	return c, events, err
}

// Assign gives an unassigned conversation to the acting agent.
func (db *DB) Assign(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, []chat.Event, error) {
	return db.change(ctx, workspaceID, conversationID, func(x q, c chat.Conversation) (chat.Event, error) {
		m, err := db.member(ctx, x, workspaceID, actor.AgentID)
		if err != nil {
			return chat.Event{}, err
		}
		actor.Role, actor.Status = m.Role, m.Status
		next, err := chat.Next(c, chat.ActionAssign, actor)
		if err != nil {
			return chat.Event{}, err
		}
		_, err = x.exec(ctx, `UPDATE conversations SET state = ?, assignee_id = ? WHERE id = ?`, next, actor.AgentID, c.ID)
		return chat.Event{Type: chat.EventConversationAssigned}, err
	})
}

// CloseConversation ends a conversation on actor's behalf.
func (db *DB) CloseConversation(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, []chat.Event, error) {
	return db.change(ctx, workspaceID, conversationID, func(x q, c chat.Conversation) (chat.Event, error) {
		next, err := chat.Next(c, chat.ActionClose, actor)
		if err != nil {
			return chat.Event{}, err
		}
		_, err = x.exec(ctx, `UPDATE conversations SET state = ?, close_reason = ?, closed_at = ? WHERE id = ?`,
			next, chat.CloseReason(c, actor), micros(db.Now()), c.ID)
		return chat.Event{Type: chat.EventConversationClosed}, err
	})
}

// change locks a conversation, lets apply update it and name the event, then
// re-reads it and appends the event with the before and after.
func (db *DB) change(ctx context.Context, workspaceID, id int64, apply func(q, chat.Conversation) (chat.Event, error)) (chat.Conversation, []chat.Event, error) {
	var after chat.Conversation
	var events []chat.Event
	err := db.tx(ctx, func(x q) error {
		before, err := db.lockConversation(ctx, x, workspaceID, id)
		if err != nil {
			return err
		}
		ev, err := apply(x, before)
		if err != nil {
			return err
		}
		if after, err = db.conversation(ctx, x, workspaceID, id); err != nil {
			return err
		}
		ev.WorkspaceID, ev.Conversation = workspaceID, &after
		ev.PrevAssigneeID, ev.PrevState = before.AssigneeID, before.State
		ev, err = db.appendEvent(ctx, x, ev)
		events = append(events, ev)
		return err
	})
	return after, events, err
}

// AppendMessage stores a text message, idempotently per ClientMsgID.
func (db *DB) AppendMessage(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, nm chat.NewMessage) (chat.Message, []chat.Event, bool, error) {
	if err := chat.CheckClientMsgID(nm.ClientMsgID); err != nil {
		return chat.Message{}, nil, false, err
	}
	if err := chat.CheckText(nm.Body); err != nil {
		return chat.Message{}, nil, false, err
	}
	var msg chat.Message
	_, events, err := db.change(ctx, workspaceID, conversationID, func(x q, c chat.Conversation) (chat.Event, error) {
		prev, err := db.messageByClientID(ctx, x, c.ID, nm.ClientMsgID)
		if err == nil {
			if prev.SenderType != actor.Kind || prev.SenderID != actor.AgentID || prev.Body != nm.Body {
				return chat.Event{}, chat.Errorf(chat.ErrClientMsgIDConflict, "client_msg_id %q was already used for another message", nm.ClientMsgID)
			}
			msg = prev
			return chat.Event{}, errDuplicate
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return chat.Event{}, err
		}
		next, err := chat.Next(c, chat.ActionSend, actor)
		if err != nil {
			return chat.Event{}, err
		}
		now := db.Now().UTC().Truncate(1000)
		msg = chat.Message{
			WorkspaceID: workspaceID, ConversationID: c.ID, Seq: c.LastSeq + 1,
			SenderType: actor.Kind, SenderID: actor.AgentID, SenderName: nm.SenderName,
			ClientMsgID: nm.ClientMsgID, Body: nm.Body, CreatedAt: now,
		}
		if err := x.row(ctx, `INSERT INTO messages (workspace_id, conversation_id, seq, sender_type, sender_id, sender_name, client_msg_id, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, c.ID, msg.Seq, msg.SenderType, nullID(msg.SenderID), msg.SenderName, msg.ClientMsgID, msg.Body, micros(now)).Scan(&msg.ID); err != nil {
			return chat.Event{}, err
		}
		_, err = x.exec(ctx, `UPDATE conversations SET state = ?, last_seq = ?, last_message = ?, last_message_at = ? WHERE id = ?`,
			next, msg.Seq, preview(msg.Body), micros(now), c.ID)
		return chat.Event{Type: chat.EventMessageCreated, Message: &msg}, err
	})
	if errors.Is(err, errDuplicate) {
		return msg, nil, true, nil
	}
	if err != nil {
		return chat.Message{}, nil, false, err
	}
	return msg, events, false, nil
}

// errDuplicate rolls back a change that turned out to be a retried send.
var errDuplicate = errors.New("duplicate client message")

// preview is the start of a message shown in conversation lists.
func preview(body string) string {
	const max = 200
	if utf8.RuneCountInString(body) <= max {
		return body
	}
	return string([]rune(body)[:max])
}

const messageSelect = `SELECT id, workspace_id, conversation_id, seq, sender_type, COALESCE(sender_id, 0), sender_name, client_msg_id, body, created_at FROM messages`

func scanMessage(row interface{ Scan(...any) error }) (chat.Message, error) {
	var m chat.Message
	var created int64
	err := row.Scan(&m.ID, &m.WorkspaceID, &m.ConversationID, &m.Seq, &m.SenderType, &m.SenderID, &m.SenderName, &m.ClientMsgID, &m.Body, &created)
	m.CreatedAt = fromMicros(created)
	return m, err
}

func (db *DB) messageByClientID(ctx context.Context, x q, conversationID int64, clientMsgID string) (chat.Message, error) {
	return scanMessage(x.row(ctx, messageSelect+` WHERE conversation_id = ? AND client_msg_id = ?`, conversationID, clientMsgID))
}

// Messages lists a conversation's messages after afterSeq, oldest first.
func (db *DB) Messages(ctx context.Context, workspaceID, conversationID, afterSeq int64, limit int) ([]chat.Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if _, err := db.conversation(ctx, db.read(), workspaceID, conversationID); err != nil {
		return nil, err
	}
	rows, err := db.read().query(ctx, messageSelect+` WHERE workspace_id = ? AND conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
		workspaceID, conversationID, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
