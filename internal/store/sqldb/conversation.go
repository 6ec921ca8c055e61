package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
)

// conversationSelect reads conversations as scanConversation scans them.
// conversationSelectBare is the same read without the join to the
// conversation's workspace, whose site ID it reads as an empty string
// (withSite puts it in), for a batch that reads its workspaces once each.
// Until migration 0023 every new conversation rewrote its workspace's row
// (room_seq, now in room_seqs), so until vacuum ran, finding that row
// walked past its dead versions: in the group commit's lock of 128
// conversations the join was three quarters of the statement's time
// (docs/benchmarks.md, branch pglive).
const (
	conversationSelect = conversationColumns + `w.site_id` + conversationFrom + `
	JOIN workspaces w ON w.id = c.workspace_id` + conversationLeftJoins
	conversationSelectBare = conversationColumns + `''` + conversationFrom + conversationLeftJoins

	conversationColumns = `SELECT c.id, c.workspace_id, c.room_no, c.customer_id, c.channel, c.state,
	COALESCE(c.assignee_id, 0), COALESCE(a.name, ''), CASE WHEN p.nickname <> '' THEN p.nickname ELSE p.name END,
	`
	conversationFrom = `, cu.external_id, c.close_reason,
	c.important, c.on_hold, c.agent_path, c.customer_left_at, c.first_reply_at,
	c.last_seq, c.last_message, c.last_message_at, c.created_at, c.closed_at,
	COALESCE(c.category_id, 0), COALESCE(k1.name, ''), COALESCE(k2.name, ''), COALESCE(k3.name, ''), c.memo,
	c.rating_score, c.rating_comment, c.rated_at, c.rating_requested_at,
	c.agent_read_seq, c.visitor_read_seq, c.queued_at, c.agent_refused_at
	FROM conversations c
	JOIN customers cu ON cu.id = c.customer_id
	JOIN profiles p ON p.id = cu.profile_id`
	conversationLeftJoins = `
	LEFT JOIN agents a ON a.id = c.assignee_id
	LEFT JOIN categories k1 ON k1.id = c.category_id
	LEFT JOIN categories k2 ON k2.id = k1.parent_id
	LEFT JOIN categories k3 ON k3.id = k2.parent_id`
)

// withSite puts the site ID into a conversation read with
// conversationSelectBare.
func withSite(c *chat.Conversation, siteID string) {
	c.Identifier = chat.Identifier(siteID, strings.TrimPrefix(c.Identifier, chat.Identifier("", "")))
}

func scanConversation(row interface{ Scan(...any) error }) (chat.Conversation, error) {
	var c chat.Conversation
	var siteID, externalID, path, cat1, cat2, cat3, ratingComment string
	var lastAt, created int64
	var closed, left, firstReply, ratingScore, ratedAt, ratingRequested, queued, refused sql.NullInt64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.RoomNo, &c.CustomerID, &c.Channel, &c.State,
		&c.AssigneeID, &c.AssigneeName, &c.CustomerName, &siteID, &externalID, &c.CloseReason,
		&c.Important, &c.OnHold, &path, &left, &firstReply,
		&c.LastSeq, &c.LastMessage, &lastAt, &created, &closed,
		&c.CategoryID, &cat1, &cat2, &cat3, &c.Memo,
		&ratingScore, &ratingComment, &ratedAt, &ratingRequested,
		&c.AgentReadSeq, &c.VisitorReadSeq, &queued, &refused)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(path), &c.AgentPath); err != nil {
		return c, err
	}
	c.Identifier = chat.Identifier(siteID, externalID)
	c.LastMessageAt = fromMicros(lastAt)
	c.CreatedAt = fromMicros(created)
	c.ClosedAt, c.CustomerLeftAt, c.FirstReplyAt, c.QueuedAt = optTime(closed), optTime(left), optTime(firstReply), optTime(queued)
	c.Processed = c.State == chat.StateClosed && c.FirstReplyAt != nil
	c.AgentRefusedAt = optTime(refused)
	// The joins walk up from the conversation's category: reverse to start
	// at the top.
	c.CategoryPath = []string{}
	for _, name := range []string{cat3, cat2, cat1} {
		if name != "" {
			c.CategoryPath = append(c.CategoryPath, name)
		}
	}
	if ratingScore.Valid {
		c.Rating = &chat.Rating{Score: int(ratingScore.Int64), Comment: ratingComment, CreatedAt: fromMicros(ratedAt.Int64)}
	}
	c.RatingRequestedAt = optTime(ratingRequested)
	return c, nil
}

// conversation reads one conversation with its tags.
func (db *DB) conversation(ctx context.Context, x q, workspaceID, id int64) (chat.Conversation, error) {
	c, err := scanConversation(x.row(ctx, conversationSelect+` WHERE c.workspace_id = ? AND c.id = ?`, workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	if err != nil {
		return c, err
	}
	c.Tags, err = db.tagsOf(ctx, x, `conversation_tags`, `conversation_id`, c.ID)
	return c, err
}

// lockConversation takes the conversation's row lock (PostgreSQL) and reads
// it, in one statement. Every change to a conversation goes through here
// first, so concurrent changes to one conversation are decided one after
// another.
func (db *DB) lockConversation(ctx context.Context, x q, workspaceID, id int64) (chat.Conversation, error) {
	c, err := scanConversation(x.row(ctx, conversationSelect+` WHERE c.workspace_id = ? AND c.id = ?`+lockOf(x), workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	return c, err
}

// lockOf is the clause that locks the conversations a conversationSelect
// reads inside a write (none on SQLite); the joined rows need no lock.
func lockOf(x q) string {
	if x.forUpdate() == "" {
		return ""
	}
	return x.forUpdate() + " OF c"
}

// Conversation returns a workspace's conversation.
func (db *DB) Conversation(ctx context.Context, workspaceID, id int64) (*chat.Conversation, error) {
	c, err := db.conversation(ctx, db.read(), workspaceID, id)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CurrentConversation returns the customer's open conversation on ch: one
// the customer has not left.
func (db *DB) CurrentConversation(ctx context.Context, workspaceID, customerID int64, ch chat.Channel) (*chat.Conversation, error) {
	c, err := db.currentConversation(ctx, db.read(), workspaceID, customerID, ch)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (db *DB) currentConversation(ctx context.Context, x q, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, error) {
	c, err := scanConversation(x.row(ctx, conversationSelect+` WHERE c.workspace_id = ? AND c.customer_id = ? AND c.channel = ?
		AND c.state <> 'closed' AND c.customer_left_at IS NULL ORDER BY c.id DESC LIMIT 1`, workspaceID, customerID, ch))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chat.Errorf(chat.ErrConversationNotFound, "the customer has no open conversation")
	}
	return c, err
}

// Conversations lists conversations, most recent activity first.
func (db *DB) Conversations(ctx context.Context, workspaceID int64, f chat.ConversationFilter) ([]chat.Conversation, error) {
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
	if f.Important != nil {
		query += ` AND c.important = ?`
		args = append(args, *f.Important)
	}
	if f.OnHold != nil {
		query += ` AND c.on_hold = ?`
		args = append(args, *f.OnHold)
	}
	// Most recent activity first, read from conversations_list in
	// list_bucket order and sorted within a bucket (migration 0023): the
	// order of last_message_at, id.
	order := ` ORDER BY c.list_bucket DESC, c.last_message_at DESC, c.id DESC LIMIT ?`
	after := ` AND c.list_bucket <= ? AND (c.last_message_at < ? OR (c.last_message_at = ? AND c.id < ?))`
	afterArgs := []any{f.After.Key / listBucket, f.After.Key, f.After.Key, f.After.ID}
	if f.State == chat.StateUnassigned {
		// The queue, first in first out (conversations_queue, migration
		// 0025): its cursor is when the last one entered it.
		order = ` ORDER BY c.queued_at, c.id LIMIT ?`
		after = ` AND (c.queued_at > ? OR (c.queued_at = ? AND c.id > ?))`
		afterArgs = []any{f.After.Key, f.After.Key, f.After.ID}
	}
	if !f.After.IsZero() {
		query += after
		args = append(args, afterArgs...)
	}
	rows, err := db.read().query(ctx, query+order, append(args, pageLimit(f.Limit))...)
	if err != nil {
		return nil, err
	}
	return scanConversations(rows)
}

// listBucket is the width of conversations.list_bucket, in µs of
// last_message_at (five minutes): the generated column of migration 0023
// divides by the same number. A conversation's row changes its bucket, and
// so its conversations_list entry, at most once in five minutes; every
// other message's update of the row is HOT on PostgreSQL (no index entry
// written).
const listBucket = 300_000_000

// QueuePosition is the conversation's 1-based place in the unassigned
// queue, or 0 when it is not queued. The conversation's own place is read
// once, and the queue index counted up to it in one range: as a join,
// PostgreSQL's plan on a queue that grew faster than its statistics (a
// rush) read the whole queue again for each row counted, 491 ms for a
// queue of 1,023 against 0.7 ms so.
func (db *DB) QueuePosition(ctx context.Context, workspaceID, id int64) (int, error) {
	var n int
	err := db.read().row(ctx, `SELECT COUNT(*) FROM conversations q
		WHERE q.workspace_id = ? AND q.state = 'unassigned'
		AND (q.queued_at, q.id) <= (SELECT c.queued_at, c.id FROM conversations c WHERE c.id = ? AND c.workspace_id = ? AND c.state = 'unassigned')`,
		workspaceID, id, workspaceID).Scan(&n)
	return n, err
}

// QueueOrder lists the workspace's unassigned conversations in the order
// QueuePosition counts them in.
func (db *DB) QueueOrder(ctx context.Context, workspaceID int64) ([]int64, error) {
	rows, err := db.read().query(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND state = 'unassigned' ORDER BY queued_at, id`, workspaceID)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// QueueLengths counts unassigned conversations per workspace.
func (db *DB) QueueLengths(ctx context.Context) (map[int64]int, error) {
	rows, err := db.read().query(ctx, `SELECT workspace_id, COUNT(*) FROM conversations WHERE state = 'unassigned' GROUP BY workspace_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// startConversation returns the customer's open conversation on ch, or
// starts one. The routing lock, held by the caller, serializes concurrent
// starts; the partial unique index backs it.
func (db *DB) startConversation(ctx context.Context, t *txn, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, bool, error) {
	return db.startConversationAs(ctx, t, workspaceID, customerID, ch, chat.StateUnassigned)
}

// startConversationAs starts a conversation in state: unassigned, or bot
// when the robot answers first (robot.go).
func (db *DB) startConversationAs(ctx context.Context, t *txn, workspaceID, customerID int64, ch chat.Channel, state chat.State) (chat.Conversation, bool, error) {
	cu, err := db.customer(ctx, t.q, workspaceID, `cu.id = ?`, customerID)
	if err != nil {
		return chat.Conversation{}, false, err
	}
	if cu.BlockedAt != nil {
		return chat.Conversation{}, false, chat.Errorf(chat.ErrCustomerBlocked, "this customer is blocked")
	}
	c, err := db.currentConversation(ctx, t.q, workspaceID, customerID, ch)
	if err == nil || chat.ErrorCode(err) != chat.ErrConversationNotFound {
		return c, false, err
	}
	var room int64
	if err := t.row(ctx, `UPDATE room_seqs SET seq = seq + 1 WHERE workspace_id = ? RETURNING seq`, workspaceID).Scan(&room); err != nil {
		return c, false, err
	}
	now := micros(t.now)
	var queued any // a conversation the robot answers first queues at its handover
	if state == chat.StateUnassigned {
		// Read now, under the room counter's lock, not at the batch's
		// start: conversations then enter the queue in the order they
		// commit, on every node (a batch that began earlier but committed
		// later would otherwise go ahead of chats already routed).
		queued = micros(db.Now())
	}
	var id int64
	if err := t.row(ctx, `INSERT INTO conversations (workspace_id, room_no, customer_id, channel, state, last_message_at, created_at, queued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, workspaceID, room, customerID, ch, state, now, now, queued).Scan(&id); err != nil {
		return c, false, err
	}
	if c, err = db.conversation(ctx, t.q, workspaceID, id); err != nil {
		return c, false, err
	}
	t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventConversationCreated, Conversation: ptr(c), Queued: state == chat.StateUnassigned})
	return c, true, nil
}

// Take gives a queued conversation to the acting agent ("Assign to me").
func (db *DB) Take(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, []chat.Event, error) {
	return db.changeRouted(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		target, m, err := db.load(ctx, t, workspaceID, actor.AgentID)
		if err != nil {
			return err
		}
		actor.Role, actor.Status = m.Role, m.Status
		if c.AssigneeID == actor.AgentID && (c.State == chat.StateWaiting || c.State == chat.StateActive) {
			// Already theirs — taken in another tab of theirs, or routed to
			// them as they clicked: the take has happened, and a refusal
			// naming "another agent" would be untrue. Nothing changes.
			return nil
		}
		if _, err := chat.Next(c, chat.ActionTake, chat.Situation{Actor: actor, Settings: ws.Settings, Target: &target}); err != nil {
			return err
		}
		if c.State == chat.StateBot { // taken over from the robot: its handover first
			if c, err = db.leaveBot(ctx, t, c, chat.RobotName(ws.SiteID), false); err != nil {
				return err
			}
		}
		return db.assign(ctx, t, c, m, chat.EventConversationAssigned, nil)
	})
}

// Transfer hands a conversation to another agent with an optional reason.
func (db *DB) Transfer(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, toAgentID int64, reason string) (chat.Conversation, []chat.Event, error) {
	reason = strings.TrimSpace(reason) // one of spaces is none
	if utf8.RuneCountInString(reason) > 500 {
		return chat.Conversation{}, nil, chat.Errorf(chat.ErrInvalid, "the reason must be at most 500 characters")
	}
	return db.changeRouted(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if err := db.actorNow(ctx, t, workspaceID, &actor); err != nil {
			return err
		}
		target, m, err := db.load(ctx, t, workspaceID, toAgentID)
		if err != nil {
			return err
		}
		if _, err := chat.Next(c, chat.ActionTransfer, chat.Situation{Actor: actor, Settings: ws.Settings, Target: &target}); err != nil {
			return err
		}
		meta := map[string]string{"from": c.AssigneeName, "to": m.Name}
		if reason != "" {
			meta["reason"] = reason
		}
		// The previous agent's inactivity timer belongs to them; the new
		// agent starts fresh.
		if err := t.cancelJob(ctx, chat.JobInactivity, workspaceID, c.ID); err != nil {
			return err
		}
		if c.State == chat.StateBot { // handed from the robot (a manager's): its handover first, as a take-over
			if c, err = db.leaveBot(ctx, t, c, chat.RobotName(ws.SiteID), false); err != nil {
				return err
			}
		}
		return db.assign(ctx, t, c, m, chat.EventConversationTransferred, meta)
	})
}

// actorNow brings an agent actor's role and status up to date inside the
// write that acts on their behalf: the request read the membership before
// it got here, and a demotion or deactivation that committed since is the
// rule the change is decided under (a deactivated member is refused with
// member_inactive). The role only ever goes down: an API token acts below
// its creator's role. Visitors and Sodam pass unchanged.
func (db *DB) actorNow(ctx context.Context, t *txn, workspaceID int64, actor *chat.Actor) error {
	if actor.Kind != chat.SenderAgent {
		return nil
	}
	m, err := db.activeMember(ctx, t.q, workspaceID, actor.AgentID)
	if err != nil {
		return err
	}
	if !m.Role.Outranks(actor.Role) {
		actor.Role = m.Role
	}
	actor.Status = m.Status
	return nil
}

// assign makes m the conversation's agent: waiting, off hold, m added to the
// agent path, with a system message and the event.
func (db *DB) assign(ctx context.Context, t *txn, c chat.Conversation, m *chat.Member, typ chat.EventType, meta map[string]string) error {
	path, err := json.Marshal(append(c.AgentPath, chat.PathStep{AgentID: m.AgentID, Name: m.Name}))
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE conversations SET state = ?, assignee_id = ?, on_hold = ?, agent_path = ? WHERE id = ?`,
		chat.StateWaiting, m.AgentID, false, string(path), c.ID); err != nil {
		return err
	}
	code := chat.SystemAssigned
	if typ == chat.EventConversationTransferred {
		code = chat.SystemTransferred
	} else {
		meta = map[string]string{"agent": m.Name}
	}
	return db.systemMessage(ctx, t, c, typ, code, meta, false)
}

// SetHold puts a conversation on hold or releases it. While held it never
// closes for inactivity and its agent cannot send (§2.2, §2.6).
func (db *DB) SetHold(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, on bool) (chat.Conversation, []chat.Event, error) {
	return db.change(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if err := db.actorNow(ctx, t, workspaceID, &actor); err != nil {
			return err
		}
		action, code := chat.ActionUnhold, chat.SystemUnheld
		if on {
			action, code = chat.ActionHold, chat.SystemHeld
		}
		if _, err := chat.Next(c, action, chat.Situation{Actor: actor, Settings: ws.Settings}); err != nil {
			return err
		}
		if c.OnHold == on {
			return nil
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET on_hold = ? WHERE id = ?`, on, c.ID); err != nil {
			return err
		}
		if err := t.cancelJob(ctx, chat.JobInactivity, workspaceID, c.ID); err != nil {
			return err
		}
		if !on {
			// Released: the customer again owes an answer if the agent
			// spoke last to them (a note is not to them), counted from now.
			var last chat.SenderType
			err := t.row(ctx, `SELECT sender_type FROM messages WHERE conversation_id = ? AND kind IN ('text', 'file') AND NOT internal ORDER BY seq DESC LIMIT 1`, c.ID).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			c.OnHold = false
			if last == chat.SenderAgent {
				if err := db.restartInactivity(ctx, t, ws, c); err != nil {
					return err
				}
			}
		}
		return db.systemMessage(ctx, t, c, chat.EventConversationUpdated, code, map[string]string{"agent": actor.Name}, true)
	})
}

// SetImportant marks or unmarks a conversation as important.
func (db *DB) SetImportant(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, on bool) (chat.Conversation, []chat.Event, error) {
	return db.change(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if err := db.actorNow(ctx, t, workspaceID, &actor); err != nil {
			return err
		}
		if _, err := chat.Next(c, chat.ActionFlag, chat.Situation{Actor: actor, Settings: ws.Settings}); err != nil {
			return err
		}
		if c.Important == on {
			return nil
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET important = ? WHERE id = ?`, on, c.ID); err != nil {
			return err
		}
		after, err := db.conversation(ctx, t.q, workspaceID, c.ID)
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventConversationUpdated, Conversation: &after, PrevAssigneeID: c.AssigneeID, PrevState: c.State})
		return err
	})
}

// CloseConversation ends a conversation on a visitor's or an agent's behalf.
// A customer leaving an assigned conversation leaves it to the agent's
// wrap-up; the agent's close then ends it (§2.3).
func (db *DB) CloseConversation(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, []chat.Event, error) {
	return db.changeRouted(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if err := db.actorNow(ctx, t, workspaceID, &actor); err != nil {
			return err
		}
		out, err := chat.Next(c, chat.ActionClose, chat.Situation{Actor: actor, Settings: ws.Settings})
		if err != nil {
			return err
		}
		if out.CustomerLeft {
			if _, err := t.exec(ctx, `UPDATE conversations SET customer_left_at = ?, close_reason = ? WHERE id = ?`,
				micros(t.now), chat.CloseByCustomer, c.ID); err != nil {
				return err
			}
			if err := t.cancelJob(ctx, chat.JobInactivity, workspaceID, c.ID); err != nil {
				return err
			}
			return db.systemMessage(ctx, t, c, chat.EventConversationUpdated, chat.SystemCustomerLeft, nil, false)
		}
		return db.close(ctx, t, c, chat.CloseReason(c, actor))
	})
}

// close ends c with reason: the row, the agent's last close time, the
// timers, a system message and the event.
func (db *DB) close(ctx context.Context, t *txn, c chat.Conversation, reason string) error {
	if _, err := t.exec(ctx, `UPDATE conversations SET state = ?, close_reason = ?, closed_at = ?, on_hold = ? WHERE id = ?`,
		chat.StateClosed, reason, micros(t.now), false, c.ID); err != nil {
		return err
	}
	if c.AssigneeID != 0 {
		if _, err := t.exec(ctx, `UPDATE members SET last_closed_at = ? WHERE workspace_id = ? AND agent_id = ?`,
			micros(t.now), c.WorkspaceID, c.AssigneeID); err != nil {
			return err
		}
	}
	if err := t.cancelJob(ctx, chat.JobInactivity, c.WorkspaceID, c.ID); err != nil {
		return err
	}
	return db.systemMessage(ctx, t, c, chat.EventConversationClosed, chat.SystemClosed, map[string]string{"reason": reason}, false)
}

// change locks a conversation and lets apply decide and write; apply emits
// the events.
func (db *DB) change(ctx context.Context, workspaceID, id int64, apply func(*txn, *chat.Workspace, chat.Conversation) error) (chat.Conversation, []chat.Event, error) {
	var after chat.Conversation
	events, err := db.write(ctx, func(t *txn) error {
		ws, err := db.workspaceIn(ctx, t.q, workspaceID)
		if err != nil {
			return err
		}
		before, err := db.lockConversation(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		if err := apply(t, ws, before); err != nil {
			return err
		}
		after, err = db.conversation(ctx, t.q, workspaceID, id)
		return err
	})
	return after, events, err
}

// changeRouted is change for changes that affect who can take what: it takes
// the workspace's routing lock first and routes the queue afterwards.
func (db *DB) changeRouted(ctx context.Context, workspaceID, id int64, apply func(*txn, *chat.Workspace, chat.Conversation) error) (chat.Conversation, []chat.Event, error) {
	var after chat.Conversation
	events, err := db.write(ctx, func(t *txn) error {
		ws, err := db.lockRouting(ctx, t, workspaceID)
		if err != nil {
			return err
		}
		before, err := db.lockConversation(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		if err := apply(t, ws, before); err != nil {
			return err
		}
		if err := db.route(ctx, t, ws); err != nil {
			return err
		}
		after, err = db.conversation(ctx, t.q, workspaceID, id)
		return err
	})
	return after, events, err
}

// errDuplicate rolls back a change that turned out to be a retried send.
var errDuplicate = errors.New("duplicate client message")

// restartInactivity schedules the inactivity close for timeout after now,
// when the workspace has one and the conversation is not held.
func (db *DB) restartInactivity(ctx context.Context, t *txn, ws *chat.Workspace, c chat.Conversation) error {
	due, ok := chat.InactivityDue(ws.Settings, c, t.now)
	if !ok {
		return t.cancelJob(ctx, chat.JobInactivity, ws.ID, c.ID)
	}
	return t.scheduleJob(ctx, chat.Job{Kind: chat.JobInactivity, WorkspaceID: ws.ID, RefID: c.ID, DueAt: due})
}

func ptr[T any](v T) *T { return &v }

func scanConversations(rows *sql.Rows) ([]chat.Conversation, error) {
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

// SetNote saves a conversation's wrap-up note: category, tags and memo.
// Whoever may see the conversation may write it, open or closed. The
// category is one in use, or the one the conversation already has, which
// a manager may have deleted since: the memo and tags of a chat filed
// under it can still be saved, and the chat closed.
func (db *DB) SetNote(ctx context.Context, workspaceID, conversationID int64, n chat.Note) (chat.Conversation, []chat.Event, error) {
	if err := n.Check(); err != nil {
		return chat.Conversation{}, nil, err
	}
	return db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		if n.CategoryID != 0 && n.CategoryID != c.CategoryID {
			if _, err := db.activeCategory(ctx, t.q, workspaceID, n.CategoryID); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET category_id = ?, memo = ? WHERE id = ?`, nullID(n.CategoryID), n.Memo, c.ID); err != nil {
			return err
		}
		if err := db.setTags(ctx, t.q, workspaceID, chat.TagConversation, `conversation_tags`, `conversation_id`, c.ID, n.TagIDs); err != nil {
			return err
		}
		return db.emitUpdated(ctx, t, c)
	})
}

// emitUpdated emits conversation.updated with the conversation as it now is.
func (db *DB) emitUpdated(ctx context.Context, t *txn, before chat.Conversation) error {
	after, err := db.conversation(ctx, t.q, before.WorkspaceID, before.ID)
	if err != nil {
		return err
	}
	t.emit(chat.Event{WorkspaceID: before.WorkspaceID, Type: chat.EventConversationUpdated, Conversation: &after,
		PrevAssigneeID: before.AssigneeID, PrevState: before.State})
	return nil
}

// RequestRating sends the rating request (§5.3) as a system message the
// customer sees, worded by the workspace's setting in the customer's
// language, chosen as the greeting's was (app.StartConversation).
func (db *DB) RequestRating(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Message, []chat.Event, error) {
	var msg chat.Message
	_, events, err := db.change(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if err := db.actorNow(ctx, t, workspaceID, &actor); err != nil {
			return err
		}
		if !chat.CanSee(c, actor.AgentID, actor.Role) || (c.AssigneeID != actor.AgentID && !actor.Role.SeesAll()) {
			return chat.Errorf(chat.ErrNotAssignee, "only the assigned agent or a manager may ask for a rating")
		}
		if err := chat.CanRequestRating(c, ws.Settings); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET rating_requested_at = ? WHERE id = ?`, micros(t.now), c.ID); err != nil {
			return err
		}
		var lang string
		if err := t.row(ctx, `SELECT language FROM customers WHERE id = ? AND workspace_id = ?`, c.CustomerID, workspaceID).Scan(&lang); err != nil {
			return err
		}
		text := ws.TextsFor(ws.Settings.Widget.WidgetLanguage(lang)).RatingRequest
		var err error
		msg, err = db.addSystemMessage(ctx, t, c, chat.EventMessageCreated, chat.SystemRatingRequested, map[string]string{"text": text}, false)
		return err
	})
	return msg, events, err
}

// Rate stores the customer's rating, once, after an agent replied; it
// shows in the conversation as a system message.
func (db *DB) Rate(ctx context.Context, workspaceID, conversationID int64, score int, comment string) (chat.Conversation, []chat.Event, error) {
	if err := chat.CheckRating(score, comment); err != nil {
		return chat.Conversation{}, nil, err
	}
	return db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		if err := chat.CanRate(c); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET rating_score = ?, rating_comment = ?, rated_at = ? WHERE id = ?`,
			score, comment, micros(t.now), c.ID); err != nil {
			return err
		}
		return db.systemMessage(ctx, t, c, chat.EventConversationUpdated, chat.SystemRated,
			map[string]string{"score": strconv.Itoa(score), "comment": comment}, false)
	})
}
