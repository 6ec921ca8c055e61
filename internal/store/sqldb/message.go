package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
)

// appendReq is one AppendMessage: what to append, and its outcome.
type appendReq struct {
	workspaceID, conversationID int64
	actor                       chat.Actor
	nm                          chat.NewMessage
	msg                         chat.Message
	dup                         bool
	dupOf                       *appendReq // the same send earlier in the batch
	masked                      bool       // automatic masking has run (pii.go)
	freed                       bool       // the message freed a waiting slot in a routing workspace
}

// AppendMessage stores a text or file message, idempotently per
// ClientMsgID. An agent's message (re)starts the inactivity timer; the
// customer's stops it. Text messages that wait for the writer together are
// appended together.
func (db *DB) AppendMessage(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, nm chat.NewMessage) (chat.Message, []chat.Event, bool, error) {
	if nm.Attachment != nil {
		return db.appendFile(ctx, workspaceID, conversationID, actor, nm)
	}
	if err := chat.CheckClientMsgID(nm.ClientMsgID); err != nil {
		return chat.Message{}, nil, false, err
	}
	if err := chat.CheckText(nm.Body); err != nil {
		return chat.Message{}, nil, false, err
	}
	r := &writeReq{ctx: ctx, app: &appendReq{workspaceID: workspaceID, conversationID: conversationID, actor: actor, nm: nm}}
	if err := db.enqueue(r); err != nil {
		return chat.Message{}, nil, false, err
	}
	if r.err != nil {
		return chat.Message{}, nil, false, r.err
	}
	events, err := db.routeFreed(ctx, workspaceID, r.app.freed, r.events())
	return r.app.msg, events, r.app.dup, err
}

// routeFreed serves the queue after an agent's first reply moved a
// conversation from waiting to active, when freed says so: the agent has
// a waiting slot more (chat.MaxWaiting), and a queued conversation is
// assigned as soon as capacity frees (§3.2). It runs in a transaction of
// its own, after the message's: the message's transaction holds the
// conversation's lock, and taking the routing lock after it would invert
// the order every routing change takes them in. If it fails, the message
// is stored all the same; the error says the queue was not served.
func (db *DB) routeFreed(ctx context.Context, workspaceID int64, freed bool, events []chat.Event) ([]chat.Event, error) {
	if !freed {
		return events, nil
	}
	routed, err := db.Route(ctx, workspaceID)
	return append(events, routed...), err
}

// msgKey is what makes a send unique: its conversation and client ID.
type msgKey struct {
	conversationID int64
	clientMsgID    string
}

// appendMessages appends a batch's messages in a few statements whatever
// their number — on PostgreSQL every statement is a round trip, and on
// both the per-message statements were most of a batch's time. It reads
// the workspaces, locks the conversations (in ID order, so two batches
// never wait on each other in a cycle) and reads the client IDs already
// used; decides every message in arrival order with chat.Next, on the
// conversation as the messages before it left it; then inserts the
// messages, moves each conversation once and sets its inactivity timer as
// its last message wants. A refused message gets its own error in r.err;
// an error returned is the database's, and concerns them all.
func (db *DB) appendMessages(ctx context.Context, now time.Time, reqs []*writeReq, eps *batchEndpoints) error {
	t := reqs[0].t
	x := t.q
	workspaces := map[int64]*chat.Workspace{}
	var ids []int64
	// The reads before the decisions: each workspace, the conversations
	// locked, the client IDs already used. On PostgreSQL they go in one
	// round trip (q.batch).
	var reads []Stmt
	for _, r := range reqs {
		a := r.app
		a.msg, a.dup, a.dupOf = chat.Message{}, false, nil
		if _, ok := workspaces[a.workspaceID]; !ok {
			workspaces[a.workspaceID] = nil // not found unless a row says otherwise
			reads = append(reads, Stmt{Query: `SELECT ` + workspaceColumns + ` FROM workspaces WHERE id = ?`, Args: []any{a.workspaceID},
				Row: func(scan func(...any) error) error {
					ws, err := db.scanWorkspace(scanFunc(scan))
					if err == nil {
						workspaces[ws.ID] = ws
					}
					return err
				}})
		}
		ids = append(ids, a.conversationID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)

	convs := map[int64]*chat.Conversation{}
	stateWas := map[int64]chat.State{} // the states as read, before this batch's messages
	lock := Stmt{Row: func(scan func(...any) error) error {
		c, err := scanConversation(scanFunc(scan))
		convs[c.ID] = &c
		stateWas[c.ID] = c.State
		return err
	}}
	// Without the workspace's join (conversationSelectBare): the batch
	// reads its workspaces above, once each.
	if db.d.Arrays { // one statement text whatever the batch's size: prepared once
		lock.Query, lock.Args = conversationSelectBare+` WHERE c.id = ANY(CAST(? AS BIGINT[])) ORDER BY c.id`+lockOf(x), []any{ids}
	} else {
		lock.Query, lock.Args = conversationSelectBare+` WHERE c.id IN (`+marks(len(ids))+`) ORDER BY c.id`+lockOf(x), anys(ids)
	}

	prior := map[msgKey]chat.Message{}
	used := Stmt{Row: func(scan func(...any) error) error {
		m, err := scanMessage(scanFunc(scan))
		prior[msgKey{m.ConversationID, m.ClientMsgID}] = m
		return err
	}}
	if db.d.Arrays {
		convIDs, clientIDs := make([]int64, len(reqs)), make([]string, len(reqs))
		for i, r := range reqs {
			convIDs[i], clientIDs[i] = r.app.conversationID, r.app.nm.ClientMsgID
		}
		used.Query, used.Args = messageSelect+` WHERE m.kind IN ('text', 'file') AND (m.conversation_id, m.client_msg_id) IN
			(SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[])))`, []any{convIDs, clientIDs}
	} else {
		// The keys as one JSON parameter: one statement text for any
		// number, and SQLite re-parsed the OR list it replaces on every
		// run (a tenth of a batch's CPU).
		keys := make([][2]any, len(reqs))
		for i, r := range reqs {
			keys[i] = [2]any{r.app.conversationID, r.app.nm.ClientMsgID}
		}
		used.Query, used.Args = messageSelect+` WHERE m.kind IN ('text', 'file') AND (m.conversation_id, m.client_msg_id) IN
			(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`, []any{jsonText(keys)}
	}
	reads = append(reads, lock, used)
	// New messages' IDs, taken after the conversations' locks so that a
	// conversation's messages are numbered in the order they are written.
	var newIDs []int64
	if db.d.NextIDs != "" {
		reads = append(reads, Stmt{Query: db.d.NextIDs, Args: []any{len(reqs)}, Row: func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			newIDs = append(newIDs, id)
			return err
		}})
	}
	// The endpoints the outbox will need for these messages' events.
	if s, ok := eps.stmt(slices.Sorted(maps.Keys(workspaces))); ok {
		reads = append(reads, s)
	}
	if err := x.batch(ctx, reads...); err != nil {
		return err
	}
	for _, c := range convs {
		if ws := workspaces[c.WorkspaceID]; ws != nil {
			withSite(c, ws.SiteID)
		}
	}

	var fresh []*appendReq
	first := map[msgKey]*appendReq{}
	lastSender := map[int64]chat.SenderType{} // conversations written, by who spoke last
	for _, r := range reqs {
		a := r.app
		ws := workspaces[a.workspaceID]
		c := convs[a.conversationID]
		switch {
		case ws == nil:
			r.err = chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
			continue
		case c == nil || c.WorkspaceID != a.workspaceID || !ownedBy(*c, a.actor):
			r.err = chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
			continue
		}
		// Automatic masking (§11), under the settings this batch read.
		if err := db.autoMask(ws, c.ID, a); err != nil {
			r.err = err
			continue
		}
		k := msgKey{c.ID, a.nm.ClientMsgID}
		if prev, ok := prior[k]; ok {
			if !sameSend(prev, a) {
				r.err = clientMsgIDConflict(a)
				continue
			}
			a.msg, a.dup = prev, true
			continue
		}
		if f, ok := first[k]; ok {
			if !sameSend(f.msg, a) {
				r.err = clientMsgIDConflict(a)
				continue
			}
			a.dup, a.dupOf = true, f
			continue
		}
		out, err := chat.Next(*c, chat.ActionSend, chat.Situation{Actor: a.actor, Settings: ws.Settings})
		if err != nil {
			r.err = err
			continue
		}
		before := *c
		c.LastSeq++
		a.msg = chat.Message{
			WorkspaceID: a.workspaceID, ConversationID: c.ID, Seq: c.LastSeq, SenderType: a.actor.Kind, SenderID: a.actor.AgentID,
			SenderName: a.nm.SenderName, ClientMsgID: a.nm.ClientMsgID, Kind: chat.KindText, Body: a.nm.Body, Masks: a.nm.Masks, CreatedAt: now,
		}
		a.freed = c.State == chat.StateWaiting && out.State == chat.StateActive && ws.Settings.Routes()
		c.State, c.LastMessage, c.LastMessageAt = out.State, preview(a.nm.Body), now
		firstReply := a.actor.Kind == chat.SenderAgent && c.FirstReplyAt == nil
		if firstReply {
			c.FirstReplyAt = &now
		}
		first[k] = a
		lastSender[c.ID] = a.actor.Kind
		fresh = append(fresh, a)
		after := *c
		// The message's ID is filled in below, before the event is stored.
		r.t.emit(chat.Event{WorkspaceID: a.workspaceID, Type: chat.EventMessageCreated, Conversation: &after, Message: &a.msg,
			PrevAssigneeID: before.AssigneeID, PrevState: before.State, FirstReply: firstReply})
	}

	if err := db.insertMessages(ctx, x, now, fresh, newIDs); err != nil {
		return err
	}
	// Automatic masking's sealed originals (§11): see pii.go.
	if err := db.storeOriginals(ctx, x, micros(now), fresh); err != nil {
		return err
	}
	// The search index, in the same transaction (history.go).
	if err := db.indexMessages(ctx, x, appended(fresh)); err != nil {
		return err
	}
	if err := db.moveConversations(ctx, t, ids, convs, stateWas, workspaces, lastSender); err != nil {
		return err
	}
	for _, r := range reqs {
		if a := r.app; a.dupOf != nil {
			a.msg = a.dupOf.msg
		}
	}
	return nil
}

// insertMessages inserts a batch's new text messages and sets their IDs:
// ids, when the dialect gave some (Dialect.NextIDs), so the INSERT waits
// to go with the next round trip; else as the INSERT returns them, 32 rows
// a statement.
func (db *DB) insertMessages(ctx context.Context, x q, now time.Time, fresh []*appendReq, ids []int64) error {
	if db.d.NextIDs != "" {
		if len(ids) < len(fresh) {
			return fmt.Errorf("insert messages: %d IDs for %d messages", len(ids), len(fresh))
		}
		for i, a := range fresh {
			a.msg.ID = ids[i]
		}
		query, args := insertMessageArrays(now, fresh)
		return x.later(ctx, query, args...)
	}
	for chunk := range slices.Chunk(fresh, 32) {
		// RETURNING need not follow VALUES order: match rows by (conversation, seq).
		bySeq := map[[2]int64]*appendReq{}
		ins := Stmt{Row: func(scan func(...any) error) error {
			var id, conv, seq int64
			err := scan(&id, &conv, &seq)
			if a := bySeq[[2]int64{conv, seq}]; a != nil {
				a.msg.ID = id
			}
			return err
		}}
		for _, a := range chunk {
			m := a.msg
			bySeq[[2]int64{m.ConversationID, m.Seq}] = a
			ins.Args = append(ins.Args, m.WorkspaceID, m.ConversationID, m.Seq, m.SenderType, nullID(m.SenderID), m.SenderName, m.ClientMsgID, m.Body, masksJSON(m.Masks), micros(now))
		}
		values := strings.Repeat(`, (?, ?, ?, ?, ?, ?, ?, 'text', ?, ?, 'null', false, ?)`, len(chunk))[2:]
		ins.Query = `INSERT INTO messages (workspace_id, conversation_id, seq, sender_type, sender_id, sender_name, client_msg_id, kind, body, masks, meta, internal, created_at)
			VALUES ` + values + ` RETURNING id, conversation_id, seq`
		if err := x.batch(ctx, ins); err != nil {
			return err
		}
	}
	return nil
}

// insertMessageArrays is the statement inserting text messages, with
// their IDs, with one array parameter per column (Dialect.Arrays): its
// text is the same for any number of messages, so it is prepared once and
// planned once.
func insertMessageArrays(now time.Time, msgs []*appendReq) (string, []any) {
	n := len(msgs)
	id, ws, conv, seq, sender := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	kind, name, client, body, masks := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, a := range msgs {
		m := a.msg
		id[i], ws[i], conv[i], seq[i], sender[i] = m.ID, m.WorkspaceID, m.ConversationID, m.Seq, m.SenderID
		kind[i], name[i], client[i], body[i], masks[i] = string(m.SenderType), m.SenderName, m.ClientMsgID, m.Body, masksJSON(m.Masks)
	}
	return `INSERT INTO messages (id, workspace_id, conversation_id, seq, sender_type, sender_id, sender_name, client_msg_id, kind, body, masks, meta, internal, created_at)
		OVERRIDING SYSTEM VALUE
		SELECT v.id, v.ws, v.conv, v.seq, v.sender_type, NULLIF(v.sender_id, 0), v.sender_name, v.client, 'text', v.body, v.masks, 'null', false, ?
		FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]),
			CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS v(id, ws, conv, seq, sender_type, sender_id, sender_name, client, body, masks)`,
		[]any{micros(now), id, ws, conv, seq, kind, sender, name, client, body, masks}
}

// moveConversations writes, in one statement each, the new state and
// counters of the conversations that got messages, and their inactivity
// timers: restarted where the agent spoke last, stopped where the
// customer did (restartInactivity, for many at once). stateWas holds the
// states the conversations had before the batch.
func (db *DB) moveConversations(ctx context.Context, t *txn, ids []int64, convs map[int64]*chat.Conversation,
	stateWas map[int64]chat.State, workspaces map[int64]*chat.Workspace, lastSender map[int64]chat.SenderType) error {
	var rows, schedule []string
	var args, schedArgs []any
	var cancelWS, cancelRef []int64 // the timers to stop
	// SQLite rewrites the entry of every index that holds a column the
	// UPDATE sets, changed or not, and five of the conversation's indexes
	// hold its state. A message seldom changes the state, so the
	// conversations whose state stays are updated without it (SQLite; the
	// Arrays statement below sets every column).
	var steady []string
	var steadyArgs []any
	var moved []*chat.Conversation
	for _, id := range ids { // in ID order, like the locks
		sender, ok := lastSender[id]
		if !ok {
			continue
		}
		c := convs[id]
		moved = append(moved, c)
		var firstReply any
		if c.FirstReplyAt != nil {
			firstReply = micros(*c.FirstReplyAt)
		}
		if !db.d.Arrays && c.State == stateWas[id] {
			steady = append(steady, `(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, CAST(? AS BIGINT), CAST(? AS BIGINT))`)
			steadyArgs = append(steadyArgs, id, c.LastSeq, c.LastMessage, micros(c.LastMessageAt), firstReply)
		} else {
			rows = append(rows, `(CAST(? AS BIGINT), ?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT), CAST(? AS BIGINT))`)
			args = append(args, id, c.State, c.LastSeq, c.LastMessage, micros(c.LastMessageAt), firstReply)
		}
		due, ok := chat.InactivityDue(workspaces[c.WorkspaceID].Settings, *c, t.now)
		switch {
		case sender == chat.SenderAgent && ok:
			schedule = append(schedule, `(?, ?, ?, ?)`)
			schedArgs = append(schedArgs, chat.JobInactivity, c.WorkspaceID, id, micros(due))
		case sender == chat.SenderAgent || sender == chat.SenderVisitor:
			cancelWS, cancelRef = append(cancelWS, c.WorkspaceID), append(cancelRef, id)
		}
	}
	if len(moved) == 0 {
		return nil
	}
	if db.d.Arrays { // one array per column: one statement text for any number
		n := len(moved)
		id, seq, at, reply := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		state, last := make([]string, n), make([]string, n)
		for i, c := range moved {
			id[i], state[i], seq[i], last[i], at[i] = c.ID, string(c.State), c.LastSeq, c.LastMessage, micros(c.LastMessageAt)
			if c.FirstReplyAt != nil {
				reply[i] = micros(*c.FirstReplyAt)
			}
		}
		if err := t.later(ctx, `UPDATE conversations SET state = v.state, last_seq = v.seq, last_message = v.last,
			last_message_at = v.at, first_reply_at = NULLIF(v.reply, 0)
			FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]))
			AS v(id, state, seq, last, at, reply) WHERE conversations.id = v.id`, id, state, seq, last, at, reply); err != nil {
			return err
		}
	} else {
		// VALUES columns are column1… in both SQLite and PostgreSQL.
		if len(rows) > 0 {
			if _, err := t.exec(ctx, `UPDATE conversations SET state = v.column2, last_seq = v.column3, last_message = v.column4,
				last_message_at = v.column5, first_reply_at = v.column6
				FROM (VALUES `+strings.Join(rows, `, `)+`) AS v WHERE conversations.id = v.column1`, args...); err != nil {
				return err
			}
		}
		if len(steady) > 0 {
			if _, err := t.exec(ctx, `UPDATE conversations SET last_seq = v.column2, last_message = v.column3,
				last_message_at = v.column4, first_reply_at = v.column5
				FROM (VALUES `+strings.Join(steady, `, `)+`) AS v WHERE conversations.id = v.column1`, steadyArgs...); err != nil {
				return err
			}
		}
	}
	if len(schedule) > 0 {
		if err := t.later(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at) VALUES `+strings.Join(schedule, `, `)+`
			ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0,
			claimed_by = NULL, claimed_until = NULL, last_error = ''`, schedArgs...); err != nil {
			return err
		}
	}
	if len(cancelWS) == 0 {
		return nil
	}
	if db.d.Arrays {
		// One statement text whatever the number: an OR of n pairs is a
		// new statement for every n, and PostgreSQL planned each anew
		// (about 1 ms a batch, docs/benchmarks.md).
		return t.later(ctx, `DELETE FROM jobs WHERE kind = ? AND (workspace_id, ref_id) IN
			(SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[])))`, chat.JobInactivity, cancelWS, cancelRef)
	}
	cancel := make([]string, len(cancelWS))
	cancelArgs := []any{chat.JobInactivity}
	for i := range cancelWS {
		cancel[i] = `(workspace_id = ? AND ref_id = ?)`
		cancelArgs = append(cancelArgs, cancelWS[i], cancelRef[i])
	}
	return t.later(ctx, `DELETE FROM jobs WHERE kind = ? AND (`+strings.Join(cancel, ` OR `)+`)`, cancelArgs...)
}

// ownedBy reports whether actor may write in c as far as its customer goes:
// a visitor that names its customer only in that customer's conversations.
func ownedBy(c chat.Conversation, actor chat.Actor) bool {
	return actor.CustomerID == 0 || c.CustomerID == actor.CustomerID
}

// sameSend reports whether a is a retry of m: same sender, same text.
func sameSend(m chat.Message, a *appendReq) bool {
	return m.Kind == chat.KindText && !m.Internal && m.SenderType == a.actor.Kind && m.SenderID == a.actor.AgentID && m.Body == a.nm.Body
}

func clientMsgIDConflict(a *appendReq) error {
	return chat.Errorf(chat.ErrClientMsgIDConflict, "client_msg_id %q was already used for another message", a.nm.ClientMsgID)
}

// marks is n comma-separated placeholders.
func marks(n int) string { return strings.Repeat(", ?", n)[2:] }

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// appendFile stores a file message, idempotently per ClientMsgID, in a
// transaction of its own (text messages are appended in batches:
// appendMessages). An agent's file (re)starts the inactivity timer; the
// customer's stops it.
func (db *DB) appendFile(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, nm chat.NewMessage) (chat.Message, []chat.Event, bool, error) {
	kind, err := checkNewMessage(&nm)
	if err != nil {
		return chat.Message{}, nil, false, err
	}
	var msg chat.Message
	freed := false
	req := &appendReq{actor: actor, nm: nm}
	_, events, err := db.change(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if !ownedBy(c, actor) {
			return chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
		}
		// Automatic masking (§11) of the file's name, under the settings
		// this transaction read; a retry compares the masked names.
		if err := db.autoMask(ws, c.ID, req); err != nil {
			return err
		}
		nm := req.nm
		prev, err := db.messageByClientID(ctx, t.q, c.ID, nm.ClientMsgID)
		if err == nil {
			if prev.SenderType != actor.Kind || prev.SenderID != actor.AgentID || prev.Kind != kind || prev.Body != nm.Body ||
				(kind == chat.KindFile && prev.Attachment.Size != nm.Attachment.Size) {
				return chat.Errorf(chat.ErrClientMsgIDConflict, "client_msg_id %q was already used for another message", nm.ClientMsgID)
			}
			msg = prev
			return errDuplicate
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		out, err := chat.Next(c, chat.ActionSend, chat.Situation{Actor: actor, Settings: ws.Settings})
		if err != nil {
			return err
		}
		msg = chat.Message{
			WorkspaceID: workspaceID, ConversationID: c.ID, SenderType: actor.Kind, SenderID: actor.AgentID,
			SenderName: nm.SenderName, ClientMsgID: nm.ClientMsgID, Kind: kind, Body: nm.Body, Masks: nm.Masks,
		}
		if err := db.insertMessage(ctx, t, c, &msg); err != nil {
			return err
		}
		req.msg = msg
		if err := db.storeOriginals(ctx, t.q, micros(t.now), []*appendReq{req}); err != nil { // pii.go
			return err
		}
		if err := db.indexMessages(ctx, t.q, []chat.Message{msg}); err != nil { // the search index (history.go)
			return err
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET last_message = ?, last_message_at = ? WHERE id = ?`,
			preview(msg.Body), micros(t.now), c.ID); err != nil {
			return err
		}
		if nm.Attachment != nil {
			a := *nm.Attachment
			if err := db.insertAttachment(ctx, t, &msg, &a); err != nil {
				return err
			}
			msg.Attachment = &a
		}
		if out.State != c.State {
			if _, err := t.exec(ctx, `UPDATE conversations SET state = ? WHERE id = ?`, out.State, c.ID); err != nil {
				return err
			}
		}
		freed = c.State == chat.StateWaiting && out.State == chat.StateActive && ws.Settings.Routes()
		switch actor.Kind {
		case chat.SenderAgent:
			if c.FirstReplyAt == nil {
				if _, err := t.exec(ctx, `UPDATE conversations SET first_reply_at = ? WHERE id = ?`, micros(t.now), c.ID); err != nil {
					return err
				}
			}
			if err := db.restartInactivity(ctx, t, ws, c); err != nil {
				return err
			}
		case chat.SenderVisitor:
			if err := t.cancelJob(ctx, chat.JobInactivity, workspaceID, c.ID); err != nil {
				return err
			}
		}
		after, err := db.conversation(ctx, t.q, workspaceID, c.ID)
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventMessageCreated, Conversation: &after, Message: &msg, PrevAssigneeID: c.AssigneeID, PrevState: c.State,
			FirstReply: actor.Kind == chat.SenderAgent && c.FirstReplyAt == nil})
		return err
	})
	if errors.Is(err, errDuplicate) {
		return msg, nil, true, nil
	}
	if err != nil {
		return chat.Message{}, nil, false, err
	}
	events, err = db.routeFreed(ctx, workspaceID, freed, events)
	return msg, events, false, err
}

// checkNewMessage validates what a sender submits and names its kind. A
// file message's body is the file's name.
func checkNewMessage(nm *chat.NewMessage) (chat.MessageKind, error) {
	if err := chat.CheckClientMsgID(nm.ClientMsgID); err != nil {
		return "", err
	}
	a := nm.Attachment
	if a == nil {
		return chat.KindText, chat.CheckText(nm.Body)
	}
	switch {
	case strings.TrimSpace(a.Name) == "" || a.BlobKey == "":
		return "", chat.Errorf(chat.ErrInvalid, "an attachment needs a name and stored bytes")
	case a.Size <= 0:
		return "", chat.Errorf(chat.ErrFileEmpty, "the file is empty")
	case !slices.Contains(chat.FileKinds, a.Kind):
		return "", chat.Errorf(chat.ErrInvalid, "unknown file kind %q", a.Kind)
	}
	nm.Body = a.Name
	return chat.KindFile, nil
}

// insertMessage stores the system or file message m as c's next message.
// The counter moves first, in one statement that also yields the sequence.
// (Text messages are appended in batches: appendMessages.)
func (db *DB) insertMessage(ctx context.Context, t *txn, c chat.Conversation, m *chat.Message) error {
	if err := t.row(ctx, `UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq`, c.ID).Scan(&m.Seq); err != nil {
		return err
	}
	m.CreatedAt, m.WorkspaceID, m.ConversationID = t.now, c.WorkspaceID, c.ID
	if m.ClientMsgID == "" {
		m.ClientMsgID = "sys-" + strconv.FormatInt(m.Seq, 10)
	}
	meta, err := json.Marshal(m.Meta)
	if err != nil {
		return err
	}
	return t.row(ctx, `INSERT INTO messages (workspace_id, conversation_id, seq, sender_type, sender_id, sender_name, client_msg_id, kind, body, masks, meta, internal, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.WorkspaceID, c.ID, m.Seq, m.SenderType, nullID(m.SenderID), m.SenderName, m.ClientMsgID, m.Kind, m.Body, masksJSON(m.Masks), string(meta), m.Internal, micros(t.now)).Scan(&m.ID)
}

// systemMessage records a conversation event as a system message and emits
// the event with the conversation as it now is.
func (db *DB) systemMessage(ctx context.Context, t *txn, before chat.Conversation, typ chat.EventType, code string, meta map[string]string, internal bool) error {
	_, err := db.addSystemMessage(ctx, t, before, typ, code, meta, internal)
	return err
}

// addSystemMessage is systemMessage returning the message.
func (db *DB) addSystemMessage(ctx context.Context, t *txn, before chat.Conversation, typ chat.EventType, code string, meta map[string]string, internal bool) (chat.Message, error) {
	m := chat.Message{SenderType: chat.SenderSystem, Kind: chat.KindSystem, Body: code, Meta: meta, Internal: internal}
	if err := db.insertMessage(ctx, t, before, &m); err != nil {
		return m, err
	}
	after, err := db.conversation(ctx, t.q, before.WorkspaceID, before.ID)
	if err != nil {
		return m, err
	}
	t.emit(chat.Event{WorkspaceID: before.WorkspaceID, Type: typ, Conversation: &after, Message: &m, PrevAssigneeID: before.AssigneeID, PrevState: before.State})
	return m, nil
}

// preview is the start of a message shown in conversation lists.
func preview(body string) string {
	const max = 200
	if utf8.RuneCountInString(body) <= max {
		return body
	}
	return string([]rune(body)[:max])
}

// messageSelect reads messages with their attachment, if any.
const messageSelect = `SELECT m.id, m.workspace_id, m.conversation_id, m.seq, m.sender_type, COALESCE(m.sender_id, 0), m.sender_name,
	m.client_msg_id, m.kind, m.body, m.masks, m.meta, m.internal, m.created_at, ` + attachmentColumns + `
	FROM messages m LEFT JOIN attachments f ON f.message_id = m.id`

func scanMessage(row interface{ Scan(...any) error }) (chat.Message, error) {
	var m chat.Message
	var meta, masks string
	var created int64
	var f nullAttachment
	if err := row.Scan(append([]any{&m.ID, &m.WorkspaceID, &m.ConversationID, &m.Seq, &m.SenderType, &m.SenderID, &m.SenderName,
		&m.ClientMsgID, &m.Kind, &m.Body, &masks, &meta, &m.Internal, &created}, f.dest()...)...); err != nil {
		return m, err
	}
	var err error
	if m.Masks, err = parseMasks(masks); err != nil {
		return m, err
	}
	m.CreatedAt = fromMicros(created)
	m.Attachment = f.attachment()
	return m, json.Unmarshal([]byte(meta), &m.Meta)
}

func (db *DB) messageByClientID(ctx context.Context, x q, conversationID int64, clientMsgID string) (chat.Message, error) {
	return scanMessage(x.row(ctx, messageSelect+` WHERE m.conversation_id = ? AND m.client_msg_id = ? AND m.kind IN ('text', 'file')`, conversationID, clientMsgID))
}

// Messages lists a conversation's messages after afterSeq, oldest first.
func (db *DB) Messages(ctx context.Context, workspaceID, conversationID, afterSeq int64, limit int) ([]chat.Message, error) {
	return db.messagePage(ctx, workspaceID, conversationID, ` AND m.seq > ? ORDER BY m.seq LIMIT ?`, afterSeq, limit)
}

// MessagesBefore lists the last messages before beforeSeq (0: the last
// ones), oldest first.
func (db *DB) MessagesBefore(ctx context.Context, workspaceID, conversationID, beforeSeq int64, limit int) ([]chat.Message, error) {
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	out, err := db.messagePage(ctx, workspaceID, conversationID, ` AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`, beforeSeq, limit)
	slices.Reverse(out)
	return out, err
}

// Message returns one message of a conversation.
func (db *DB) Message(ctx context.Context, workspaceID, conversationID, messageID int64) (*chat.Message, error) {
	if _, err := db.conversation(ctx, db.read(), workspaceID, conversationID); err != nil {
		return nil, err
	}
	m, err := messageByID(ctx, db.read(), workspaceID, conversationID, messageID)
	if err != nil {
		return nil, err
	}
	ms := []chat.Message{m}
	return &ms[0], db.withMentions(ctx, db.read(), conversationID, ms) // note.go
}

// messageByID reads one message of a conversation, its attachment with
// it: ErrMessageNotFound when it is not the conversation's.
func messageByID(ctx context.Context, x q, workspaceID, conversationID, messageID int64) (chat.Message, error) {
	m, err := scanMessage(x.row(ctx, messageSelect+` WHERE m.id = ? AND m.workspace_id = ? AND m.conversation_id = ?`, messageID, workspaceID, conversationID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, chat.Errorf(chat.ErrMessageNotFound, "no such message in this conversation")
	}
	return m, err
}

// messagePage reads a page of a conversation's messages: order is the
// condition on seq, the order and the limit, whose arguments are seq and
// limit (at most chat.MessageRows).
func (db *DB) messagePage(ctx context.Context, workspaceID, conversationID int64, order string, seq int64, limit int) ([]chat.Message, error) {
	if limit <= 0 || limit > chat.MessageRows {
		limit = chat.MessageRows
	}
	if _, err := db.conversation(ctx, db.read(), workspaceID, conversationID); err != nil {
		return nil, err
	}
	rows, err := db.read().query(ctx, messageSelect+` WHERE m.workspace_id = ? AND m.conversation_id = ?`+order,
		workspaceID, conversationID, seq, limit)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.withMentions(ctx, db.read(), conversationID, out) // note.go
}
