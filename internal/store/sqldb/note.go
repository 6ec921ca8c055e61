package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Internal notes, mentions and read receipts (§2.7).

// AddNote stores an internal note, in a transaction of its own (notes are
// rare next to messages, and touch nothing the batched append moves: not
// the state, the preview, the first reply or the inactivity timer).
func (db *DB) AddNote(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, nm chat.NewMessage) (chat.Message, []chat.Event, bool, error) {
	if actor.Kind != chat.SenderAgent {
		return chat.Message{}, nil, false, chat.Errorf(chat.ErrForbidden, "only agents write internal notes")
	}
	if err := chat.CheckClientMsgID(nm.ClientMsgID); err != nil {
		return chat.Message{}, nil, false, err
	}
	if err := chat.CheckText(nm.Body); err != nil {
		return chat.Message{}, nil, false, err
	}
	var msg chat.Message
	_, events, err := db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		mentioned, err := db.isMentioned(ctx, t.q, c.ID, actor.AgentID)
		if err != nil {
			return err
		}
		if !chat.MayReadConversation(c, actor.AgentID, actor.Role, mentioned) {
			return chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
		}
		prev, err := db.messageByClientID(ctx, t.q, c.ID, nm.ClientMsgID)
		if err == nil {
			if !prev.Internal || prev.SenderID != actor.AgentID || prev.Body != nm.Body {
				return chat.Errorf(chat.ErrClientMsgIDConflict, "client_msg_id %q was already used for another message", nm.ClientMsgID)
			}
			msg = prev
			msg.Mentions, err = db.mentionsOf(ctx, t.q, prev.ID)
			if err != nil {
				return err
			}
			return errDuplicate
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		members, err := db.members(ctx, t.q, `m.workspace_id = ?`, workspaceID)
		if err != nil {
			return err
		}
		msg = chat.Message{SenderType: chat.SenderAgent, SenderID: actor.AgentID, SenderName: nm.SenderName,
			ClientMsgID: nm.ClientMsgID, Kind: chat.KindText, Body: nm.Body, Internal: true}
		if err := db.insertMessage(ctx, t, c, &msg); err != nil {
			return err
		}
		if err := db.indexMessages(ctx, t.q, []chat.Message{msg}); err != nil { // the search index (history.go)
			return err
		}
		msg.Mentions = chat.FindMentions(nm.Body, members)
		if len(msg.Mentions) > 0 {
			rows := make([]string, len(msg.Mentions))
			args := make([]any, 0, 5*len(msg.Mentions))
			for i, id := range msg.Mentions {
				rows[i] = `(?, ?, ?, ?, ?)`
				args = append(args, workspaceID, c.ID, msg.ID, id, micros(t.now))
			}
			if _, err := t.exec(ctx, `INSERT INTO mentions (workspace_id, conversation_id, message_id, agent_id, created_at) VALUES `+
				strings.Join(rows, `, `), args...); err != nil {
				return err
			}
		}
		after, err := db.conversation(ctx, t.q, workspaceID, c.ID)
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventMessageCreated, Conversation: &after, Message: &msg,
			PrevAssigneeID: c.AssigneeID, PrevState: c.State})
		return err
	})
	if errors.Is(err, errDuplicate) {
		return msg, nil, true, nil
	}
	if err != nil {
		return chat.Message{}, nil, false, err
	}
	return msg, events, false, nil
}

// IsMentioned reports whether a note in the conversation mentions agentID.
func (db *DB) IsMentioned(ctx context.Context, workspaceID, conversationID, agentID int64) (bool, error) {
	var n int
	err := db.read().row(ctx, `SELECT COUNT(*) FROM mentions WHERE workspace_id = ? AND conversation_id = ? AND agent_id = ?`,
		workspaceID, conversationID, agentID).Scan(&n)
	return n > 0, err
}

// MentionedIn lists the open conversations whose notes mention agentID.
func (db *DB) MentionedIn(ctx context.Context, workspaceID, agentID int64) ([]int64, error) {
	rows, err := db.read().query(ctx, `SELECT n.conversation_id FROM mentions n JOIN conversations c ON c.id = n.conversation_id
		WHERE n.workspace_id = ? AND n.agent_id = ? AND c.state <> ?
		GROUP BY n.conversation_id ORDER BY MAX(n.created_at) DESC, n.conversation_id LIMIT 200`, workspaceID, agentID, chat.StateClosed)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

func (db *DB) isMentioned(ctx context.Context, x q, conversationID, agentID int64) (bool, error) {
	var n int
	err := x.row(ctx, `SELECT COUNT(*) FROM mentions WHERE conversation_id = ? AND agent_id = ?`, conversationID, agentID).Scan(&n)
	return n > 0, err
}

func (db *DB) mentionsOf(ctx context.Context, x q, messageID int64) ([]int64, error) {
	rows, err := x.query(ctx, `SELECT agent_id FROM mentions WHERE message_id = ? ORDER BY created_at, agent_id`, messageID)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// withMentions fills in the mentions of the notes among msgs, in one
// query for all of them; lists without notes cost nothing.
func (db *DB) withMentions(ctx context.Context, x q, conversationID int64, msgs []chat.Message) error {
	at := map[int64]int{}
	for i, m := range msgs {
		if m.Internal && m.SenderType == chat.SenderAgent {
			at[m.ID] = i
		}
	}
	if len(at) == 0 {
		return nil
	}
	rows, err := x.query(ctx, `SELECT message_id, agent_id FROM mentions WHERE conversation_id = ? ORDER BY message_id, agent_id`, conversationID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var mid, aid int64
		if err := rows.Scan(&mid, &aid); err != nil {
			return err
		}
		if i, ok := at[mid]; ok {
			msgs[i].Mentions = append(msgs[i].Mentions, aid)
		}
	}
	return rows.Err()
}

// MarkRead moves a read mark forward (chat.ReadMark). Reads are frequent
// and mostly move nothing (a console or widget reports the same place
// again): that case costs one small read and no write. A mark that moves
// costs two statements in the write: the conversation's row (locked) and
// the update.
func (db *DB) MarkRead(ctx context.Context, workspaceID, conversationID int64, reader chat.Actor, seq int64) (chat.ReadMarks, []chat.Event, error) {
	if seq < 0 {
		return chat.ReadMarks{}, nil, chat.Errorf(chat.ErrInvalid, "seq must not be negative")
	}
	var c chat.Conversation
	err := db.read().row(ctx, `SELECT id, COALESCE(assignee_id, 0), last_seq, agent_read_seq, visitor_read_seq FROM conversations
		WHERE workspace_id = ? AND id = ?`, workspaceID, conversationID).Scan(&c.ID, &c.AssigneeID, &c.LastSeq, &c.AgentReadSeq, &c.VisitorReadSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.ReadMarks{}, nil, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	if err != nil {
		return chat.ReadMarks{}, nil, err
	}
	if _, moved, err := chat.ReadMark(c, reader, seq); err != nil || !moved {
		return marksOf(c), nil, err
	}
	events, err := db.write(ctx, func(t *txn) error {
		before, err := db.lockConversation(ctx, t.q, workspaceID, conversationID)
		if err != nil {
			return err
		}
		c = before
		visitor, moved, err := chat.ReadMark(before, reader, seq)
		if err != nil || !moved {
			return err
		}
		column := `agent_read_seq`
		if visitor {
			column, c.VisitorReadSeq = `visitor_read_seq`, seq
		} else {
			c.AgentReadSeq = seq
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET `+column+` = ? WHERE id = ?`, seq, before.ID); err != nil {
			return err
		}
		after := c
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventConversationRead, Conversation: &after,
			PrevAssigneeID: before.AssigneeID, PrevState: before.State})
		return nil
	})
	if err != nil {
		return chat.ReadMarks{}, nil, err
	}
	return marksOf(c), events, nil
}

func marksOf(c chat.Conversation) chat.ReadMarks {
	return chat.ReadMarks{ConversationID: c.ID, AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq}
}
