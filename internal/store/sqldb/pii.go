package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/pii"
)

// Personal information (§11): masks on messages, their sealed originals,
// and the installation's key ID.
//
// Every derived copy of a message's text must follow a mask: the stored
// body, a file's name (its attachment row), the conversation's preview
// and the stored events are rewritten here, in rewriteMessageText and
// scrubEvents, in the transaction that masks; the search index is
// rewritten there too, and the history's export files, written before the
// mask, are expired or written again (forgetExports). A new copy is either
// derived from the masked text or updated here.

// masksJSON is the masks column: ” for none.
func masksJSON(m []pii.Span) string {
	if len(m) == 0 {
		return ""
	}
	return jsonText(m)
}

func parseMasks(s string) ([]pii.Span, error) {
	if s == "" {
		return nil, nil
	}
	var m []pii.Span
	return m, json.Unmarshal([]byte(s), &m)
}

// UsePII gives the store the sealer automatic masking seals with.
func (db *DB) UsePII(s chat.Sealer) { db.sealer = s }

// autoMask masks a visitor's text as the workspace's automatic masking
// says, before the message is stored or its event encoded, and seals the
// originals: the plaintext never reaches the database or the bus. It runs
// in the batch, under the workspace's settings the batch read, so a
// message is never stored under settings older than its transaction's. A
// file message's text is the file's name (checkNewMessage): its
// attachment's name is masked alike, in a copy of the attachment.
func (db *DB) autoMask(ws *chat.Workspace, conversationID int64, a *appendReq) error {
	if a.masked || a.actor.Kind != chat.SenderVisitor || len(a.nm.Masks) > 0 || !pii.MayHold(a.nm.Body) {
		return nil
	}
	auto := ws.Settings.PII.AutoMask
	if a.nm.Attachment != nil {
		auto = ws.Settings.PII.AutoMaskFileName
	}
	masked, masks, originals := auto(a.nm.Body)
	if len(masks) == 0 {
		return nil
	}
	if db.sealer == nil {
		return chat.Errorf(chat.ErrPIIKeyMismatch, "this node has no PII key to seal with")
	}
	sealed := make([]chat.SealedOriginal, len(masks))
	for i, span := range masks {
		b, err := db.sealer.Seal(ws.ID, conversationID, originals[i])
		if err != nil {
			return err
		}
		sealed[i] = chat.SealedOriginal{Span: span, KeyID: db.sealer.KeyID(), Sealed: b}
	}
	a.nm.Body, a.nm.Masks, a.nm.Originals, a.masked = masked, masks, sealed, true
	a.nm.Attachment = renamed(a.nm.Attachment, masked)
	return nil
}

// renamed is a copy of a file message's attachment under its message's
// text (a file's name is masked as the text is), or nil for no attachment:
// a copy, as others may share the pointer.
func renamed(a *chat.Attachment, name string) *chat.Attachment {
	if a == nil {
		return nil
	}
	f := *a
	f.Name = name
	return &f
}

// storeOriginals keeps the sealed originals of a batch's automatically
// masked messages, once the messages have their IDs. It is the message
// write path's one step for masking: messages without masks cost nothing.
func (db *DB) storeOriginals(ctx context.Context, x q, now int64, fresh []*appendReq) error {
	var rows []string
	var args []any
	for _, a := range fresh {
		for _, o := range a.nm.Originals {
			rows = append(rows, `(?, ?, ?, ?, ?, ?, ?, ?)`)
			args = append(args, a.msg.WorkspaceID, a.msg.ID, o.Span.Start, o.Span.End, string(o.Span.Kind), o.KeyID, o.Sealed, now)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := x.exec(ctx, `INSERT INTO pii_originals (workspace_id, message_id, span_start, span_end, kind, key_id, sealed, created_at)
		VALUES `+strings.Join(rows, `, `), args...); err != nil {
		return err
	}
	// One audit entry per message, by the system, in one statement.
	rows, args = rows[:0], args[:0]
	for _, a := range fresh {
		if len(a.nm.Originals) == 0 {
			continue
		}
		after, err := auditJSON(map[string]any{"kinds": spanKinds(a.nm.Masks), "spans": len(a.nm.Masks), "automatic": true})
		if err != nil {
			return err
		}
		rows = append(rows, `(?, ?, NULL, 'system', '', ?, ?, NULL, ?, '')`)
		args = append(args, a.msg.WorkspaceID, now, chat.AuditPIIMask, piiTarget(a.msg.ConversationID, a.msg.ID), after)
	}
	_, err := x.exec(ctx, `INSERT INTO audit_log (workspace_id, at, actor_id, actor_name, address, action, target, before_json, after_json, refused)
		VALUES `+strings.Join(rows, `, `), args...)
	return err
}

func piiTarget(conversationID, messageID int64) string {
	return fmt.Sprintf("conversation %d, message %d", conversationID, messageID)
}

func spanKinds(spans []pii.Span) []pii.Kind {
	var out []pii.Kind
	for _, s := range spans {
		if !slices.Contains(out, s.Kind) {
			out = append(out, s.Kind)
		}
	}
	return out
}

// maskableMessage reads a text or file message of the conversation for
// masking.
func (db *DB) maskableMessage(ctx context.Context, x q, workspaceID, conversationID, messageID int64) (chat.Message, error) {
	m, err := messageByID(ctx, x, workspaceID, conversationID, messageID) // message.go
	if err != nil {
		return m, err
	}
	if !m.Maskable() {
		return m, chat.Errorf(chat.ErrNotMaskable, "only text messages and files' names can be masked; this one is a %s message", m.Kind)
	}
	return m, nil
}

// checkSpan turns pii.CheckSpan's verdict into the API's errors.
func checkSpan(body string, start, end int) error {
	switch pii.CheckSpan([]rune(body), start, end) {
	case pii.ErrOutOfRange:
		return chat.Errorf(chat.ErrSpanOutOfRange, "the span %d–%d is not inside the message's %d characters (offsets are code points, end after start)", start, end, utf8.RuneCountInString(body))
	case pii.ErrSplit:
		return chat.Errorf(chat.ErrSpanSplits, "the span %d–%d cuts a character in two (an emoji, a combining mark or a Hangul syllable)", start, end)
	}
	return nil
}

// MaskMessage masks a span of a text message.
func (db *DB) MaskMessage(ctx context.Context, workspaceID, conversationID, messageID int64, span pii.Span, s chat.Sealer, by chat.Who) (chat.Message, []chat.Event, error) {
	var out chat.Message
	_, events, err := db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		m, err := db.maskableMessage(ctx, t.q, workspaceID, conversationID, messageID)
		if err != nil {
			return err
		}
		if err := checkSpan(m.Body, span.Start, span.End); err != nil {
			return err
		}
		out = m
		if slices.ContainsFunc(m.Masks, func(k pii.Span) bool { return k.Start <= span.Start && span.End <= k.End }) {
			return nil // already masked: nothing to do
		}
		original := string([]rune(m.Body)[span.Start:span.End])
		sealed, err := s.Seal(workspaceID, conversationID, original)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO pii_originals (workspace_id, message_id, span_start, span_end, kind, key_id, sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, workspaceID, messageID, span.Start, span.End, string(span.Kind), s.KeyID(), sealed, micros(t.now)); err != nil {
			return err
		}
		masks := pii.Merge(m.Masks, span)
		if out, err = db.rewriteMessageText(ctx, t, c, m, pii.Apply(m.Body, []pii.Span{span}), masks); err != nil {
			return err
		}
		if err := db.forgetExports(ctx, t, m); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditPIIMask, piiTarget(conversationID, messageID), nil,
			map[string]any{"kinds": []pii.Kind{span.Kind}, "spans": 1}))
	})
	if err != nil {
		return chat.Message{}, nil, err
	}
	db.afterRewrite(ctx, events)
	return out, events, nil
}

// forgetExports keeps what a mask hid out of the history's export files
// (§9), which are copies of message text written before the mask: a
// finished file that may hold message m (finished after m was sent)
// expires now and its removal job is due now, so it is never served
// again; an export being written starts over (queued, its job due now),
// so its runner's next progress or finish finds it taken (history's
// errLost) and its file is written again from the masked text. Queued
// exports have read nothing yet.
func (db *DB) forgetExports(ctx context.Context, t *txn, m chat.Message) error {
	now := micros(t.now)
	done := `SELECT id FROM exports WHERE workspace_id = ? AND state = 'done' AND blob_key <> '' AND expires_at > ? AND finished_at >= ?`
	doneArgs := []any{m.WorkspaceID, now, micros(m.CreatedAt)}
	if _, err := t.exec(ctx, `UPDATE jobs SET due_at = ? WHERE kind = ? AND workspace_id = ? AND ref_id IN (`+done+`)`,
		append([]any{now, history.JobExportExpire, m.WorkspaceID}, doneArgs...)...); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE exports SET expires_at = ? WHERE id IN (`+done+`)`, append([]any{now}, doneArgs...)...); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
		SELECT ?, workspace_id, id, ? FROM exports WHERE workspace_id = ? AND state = 'running'
		ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = excluded.due_at, claimed_by = NULL, claimed_until = NULL`,
		history.JobExport, now, m.WorkspaceID); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE exports SET state = 'queued', runner = '', heartbeat_at = NULL, done = 0, rows = 0
		WHERE workspace_id = ? AND state = 'running'`, m.WorkspaceID)
	return err
}

// afterRewrite moves the write-ahead log into the database file and
// empties it once text was rewritten, so that the text a mask hid is not
// left in the log's old frames (SQLite; secure_delete zeroes it in the
// pages). A checkpoint that finds another one running (the writer's
// automatic one) answers busy at once, without waiting: it is tried again
// for up to checkpointPatience. It stays best effort: one that readers
// hold up longer leaves the frames to be overwritten as the log is reused.
func (db *DB) afterRewrite(ctx context.Context, events []chat.Event) {
	if db.d.Checkpoint == "" || len(events) == 0 {
		return
	}
	for start := time.Now(); time.Since(start) < checkpointPatience; time.Sleep(10 * time.Millisecond) {
		var busy, frames, moved int
		if err := db.read().row(ctx, db.d.Checkpoint).Scan(&busy, &frames, &moved); err != nil || busy == 0 {
			return // err: best effort, as above
		}
	}
}

// checkpointPatience bounds how long a mask's answer waits for its
// checkpoint to find the log free.
const checkpointPatience = 2 * time.Second

// rewriteMessageText is the one step that changes a stored message's
// text: the message row, a file's name (its attachment row: what lists
// show and a download is named), the conversation's preview when it shows
// this message, and every stored event that carried the old text
// (scrubEvents). It emits message.updated with the new text. Anything else
// that keeps a copy of message text must be updated here.
func (db *DB) rewriteMessageText(ctx context.Context, t *txn, c chat.Conversation, m chat.Message, body string, masks []pii.Span) (chat.Message, error) {
	old := m.Body
	m.Body, m.Masks = body, masks
	if _, err := t.exec(ctx, `UPDATE messages SET body = ?, masks = ? WHERE id = ?`, body, masksJSON(masks), m.ID); err != nil {
		return m, err
	}
	if m.Attachment = renamed(m.Attachment, body); m.Attachment != nil {
		if _, err := t.exec(ctx, `UPDATE attachments SET name = ? WHERE id = ?`, body, m.Attachment.ID); err != nil {
			return m, err
		}
	}
	if _, err := t.exec(ctx, `UPDATE conversations SET last_message = ? WHERE id = ? AND last_message = ?`, preview(body), c.ID, preview(old)); err != nil {
		return m, err
	}
	// An alert quotes the conversation's last message (outbox/alerts.go).
	if _, err := t.exec(ctx, forgetReplies+` AND conversation_id = ? AND event_seq = 0`, m.WorkspaceID, c.ID); err != nil {
		return m, err
	}
	if err := db.scrubEvents(ctx, t, m, old); err != nil {
		return m, err
	}
	// The events of units that ran before this one in the same batch
	// are stored only when the batch ends, so scrubEvents cannot see them.
	if t.earlier != nil {
		for _, u := range *t.earlier {
			for i := range u.pending {
				scrubEvent(&u.pending[i], m, old)
			}
		}
	}
	// The search index follows the text (history.go): the original is
	// never found again.
	if err := db.reindexRewritten(ctx, t.q, m, old); err != nil {
		return m, err
	}
	after, err := db.conversation(ctx, t.q, c.WorkspaceID, c.ID)
	if err != nil {
		return m, err
	}
	t.emit(chat.Event{WorkspaceID: c.WorkspaceID, Type: chat.EventMessageUpdated, Conversation: &after, Message: &m,
		PrevAssigneeID: c.AssigneeID, PrevState: c.State})
	return m, nil
}

// scrubEvent gives ev the message's new text where it carries the old:
// the message itself, or the conversation's preview of it. It reports
// whether ev changed.
func scrubEvent(ev *chat.Event, m chat.Message, old string) bool {
	changed := false
	if ev.Message != nil && ev.Message.ID == m.ID && ev.Message.Body != m.Body {
		msg := *ev.Message // the event's own copy: others may share the pointer
		msg.Body, msg.Masks, msg.Attachment = m.Body, m.Masks, renamed(msg.Attachment, m.Body)
		ev.Message = &msg
		changed = true
	}
	if oldPreview, newPreview := preview(old), preview(m.Body); ev.Conversation != nil && ev.Conversation.LastMessage == oldPreview && oldPreview != newPreview {
		conv := *ev.Conversation
		conv.LastMessage = newPreview
		ev.Conversation = &conv
		changed = true
	}
	return changed
}

// scrubEvents rewrites the conversation's stored events that carry the
// message's old text — the message itself, or the conversation's preview
// of it — so that the log never keeps what a mask hid.
func (db *DB) scrubEvents(ctx context.Context, t *txn, m chat.Message, old string) error {
	return rewriteEvents(ctx, t, m.WorkspaceID, `conversation_id = ?`, []any{m.ConversationID},
		// Most events cannot hold the text: skip them without decoding.
		func(payload string) bool {
			return strings.Contains(payload, `"body"`) || strings.Contains(payload, `"last_message"`)
		},
		func(ev *chat.Event) bool { return scrubEvent(ev, m, old) })
}

// rewriteEvents stores again, re-encoded, each of a workspace's events
// (those where selects, in seq order) that scrub changes. may, when set,
// passes over a payload without decoding it: one that cannot hold what
// scrub looks for.
func rewriteEvents(ctx context.Context, t *txn, workspaceID int64, where string, args []any, may func(payload string) bool, scrub func(*chat.Event) bool) error {
	rows, err := t.query(ctx, `SELECT seq, payload FROM events WHERE workspace_id = ? AND `+where+` ORDER BY seq`, append([]any{workspaceID}, args...)...)
	if err != nil {
		return err
	}
	type fix struct {
		seq     int64
		payload string
	}
	var fixes []fix
	for rows.Next() {
		var seq int64
		var payload string
		if err := rows.Scan(&seq, &payload); err != nil {
			rows.Close()
			return err
		}
		if may != nil && !may(payload) {
			continue
		}
		ev, err := event.Decode([]byte(payload))
		if err != nil {
			rows.Close()
			return fmt.Errorf("event %d: %w", seq, err)
		}
		if !scrub(&ev) {
			continue
		}
		b, err := event.Encode(ev)
		if err != nil {
			rows.Close()
			return err
		}
		fixes = append(fixes, fix{seq, string(b)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range fixes {
		if _, err := t.exec(ctx, `UPDATE events SET payload = ? WHERE workspace_id = ? AND seq = ?`, f.payload, workspaceID, f.seq); err != nil {
			return err
		}
		// A receiver's stored reply may echo the event it was sent
		// (forgetReplies).
		if _, err := t.exec(ctx, forgetReplies+` AND event_seq = ?`, workspaceID, f.seq); err != nil {
			return err
		}
	}
	return nil
}

// forgetReplies empties the stored replies (last_body, shown in a
// webhook's deliveries) of a workspace's deliveries, as a mask hides what
// they were sent: a receiver may answer with the request's body.
const forgetReplies = `UPDATE deliveries SET last_body = '' WHERE workspace_id = ? AND last_body <> ''`

// piece is one stored original.
type piece struct {
	id         int64
	start, end int
	keyID      string
	sealed     []byte
}

// pieces reads the originals of one message or ticket: from names the
// table and the column that holds its ID (`pii_originals WHERE
// message_id = ?`).
func (db *DB) pieces(ctx context.Context, x q, from string, id int64) ([]piece, error) {
	rows, err := x.query(ctx, `SELECT id, span_start, span_end, key_id, sealed FROM `+from+` ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []piece
	for rows.Next() {
		var p piece
		if err := rows.Scan(&p.id, &p.start, &p.end, &p.keyID, &p.sealed); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UnmaskMessage shows or restores the masks inside a span.
func (db *DB) UnmaskMessage(ctx context.Context, workspaceID, conversationID, messageID int64, u chat.Unmask, s chat.Sealer, by chat.Who) (chat.Message, []chat.Original, []chat.Event, error) {
	var out chat.Message
	var originals []chat.Original
	_, events, err := db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		m, err := db.maskableMessage(ctx, t.q, workspaceID, conversationID, messageID)
		if err != nil {
			return err
		}
		out = m
		all, err := db.pieces(ctx, t.q, `pii_originals WHERE message_id = ?`, messageID)
		if err != nil {
			return err
		}
		un, err := openMasks(m.Body, m.Masks, all, u, s, workspaceID, conversationID)
		if err != nil {
			return err
		}
		originals = un.originals
		detail := map[string]any{"kinds": spanKinds(un.inside), "spans": len(un.inside), "reason": u.Reason}
		if !u.Permanent {
			return t.audit(ctx, t.entry(workspaceID, by, chat.AuditPIIView, piiTarget(conversationID, messageID), nil, detail))
		}
		if len(un.used) > 0 {
			if _, err := t.exec(ctx, `DELETE FROM pii_originals WHERE id IN (`+marks(len(un.used))+`)`, un.used...); err != nil {
				return err
			}
		}
		if out, err = db.rewriteMessageText(ctx, t, c, m, un.body, un.masks); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditPIIUnmask, piiTarget(conversationID, messageID), nil, detail))
	})
	if err != nil {
		return chat.Message{}, nil, nil, err
	}
	db.afterRewrite(ctx, events)
	return out, originals, events, nil
}

// unmasked is what opening the masks inside a span gives.
type unmasked struct {
	inside    []pii.Span      // the masks in the span
	originals []chat.Original // their text
	body      string          // the text with them put back
	masks     []pii.Span      // the masks that stay
	used      []any           // the IDs of the originals opened
}

// openMasks opens the originals (all, sealed for workspaceID and scope) of
// the masks inside u's span of text, a message's or a ticket's, which
// masks are. A span that cuts a mask, or holds none, is refused.
func openMasks(text string, masks []pii.Span, all []piece, u chat.Unmask, s chat.Sealer, workspaceID, scope int64) (unmasked, error) {
	if err := checkSpan(text, u.Start, u.End); err != nil {
		return unmasked{}, err
	}
	inside, crossed := pii.Within(masks, u.Start, u.End)
	if crossed {
		return unmasked{}, chat.Errorf(chat.ErrSpanCrossesMask, "the span %d–%d cuts a mask; unmask whole masks", u.Start, u.End)
	}
	if len(inside) == 0 {
		return unmasked{}, chat.Errorf(chat.ErrMaskNotFound, "nothing is masked between %d and %d", u.Start, u.End)
	}
	un := unmasked{inside: inside}
	var opened []pii.Piece
	for _, p := range all {
		if p.start < u.Start || p.end > u.End {
			continue
		}
		if p.keyID != s.KeyID() {
			return unmasked{}, chat.Errorf(chat.ErrPIIKeyMismatch, "this original was sealed under key %s, not this node's %s: run sodam admin rotate-pii-key with the old key", p.keyID, s.KeyID())
		}
		original, err := s.Open(workspaceID, scope, p.sealed)
		if err != nil {
			return unmasked{}, chat.Errorf(chat.ErrPIIKeyMismatch, "an original does not open with this node's key")
		}
		un.used = append(un.used, p.id)
		opened = append(opened, pii.Piece{Start: p.start, Text: original})
	}
	restored := []rune(pii.Restore(text, opened))
	body := []rune(text)
	for _, k := range inside {
		un.originals = append(un.originals, chat.Original{Start: k.Start, End: k.End, Kind: k.Kind, Text: string(restored[k.Start:k.End])})
		copy(body[k.Start:k.End], restored[k.Start:k.End])
	}
	un.body = string(body)
	un.masks = slices.DeleteFunc(slices.Clone(masks), func(k pii.Span) bool { return slices.Contains(inside, k) })
	return un, nil
}

// PIIKeyID is the installation's recorded key ID, or "".
func (db *DB) PIIKeyID(ctx context.Context) (string, error) {
	var id string
	err := db.read().row(ctx, `SELECT key_id FROM pii_key WHERE one = 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// UsePIIKey records keyID when no key is, or checks it against the one
// that is.
func (db *DB) UsePIIKey(ctx context.Context, keyID string) error {
	return db.tx(ctx, func(x q) error {
		if _, err := x.exec(ctx, `INSERT INTO pii_key (one, key_id, created_at) VALUES (1, ?, ?) ON CONFLICT (one) DO NOTHING`, keyID, micros(db.Now())); err != nil {
			return err
		}
		var have string
		if err := x.row(ctx, `SELECT key_id FROM pii_key WHERE one = 1`).Scan(&have); err != nil {
			return err
		}
		if have != keyID {
			return chat.Errorf(chat.ErrPIIKeyMismatch, "the PII key given (ID %s) is not the one this database's originals are sealed under (ID %s)", keyID, have)
		}
		return nil
	})
}

// resealOriginals re-seals from old to new the originals of table that
// query selects (id, workspace, what scope turns into the seal's scope,
// key ID, sealed), and says how many; one re-sealed by an earlier,
// interrupted run is passed over.
func resealOriginals(ctx context.Context, x q, table, query string, scope func(int64) int64, old, new chat.Sealer) (int, error) {
	rows, err := x.query(ctx, query)
	if err != nil {
		return 0, err
	}
	type resealed struct {
		id     int64
		sealed []byte
	}
	var out []resealed
	for rows.Next() {
		var id, ws, of int64
		var keyID string
		var sealed []byte
		if err := rows.Scan(&id, &ws, &of, &keyID, &sealed); err != nil {
			rows.Close()
			return 0, err
		}
		if keyID == new.KeyID() {
			continue
		}
		text, err := old.Open(ws, scope(of), sealed)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("%s %d does not open with the old key: %w", table, id, err)
		}
		b, err := new.Seal(ws, scope(of), text)
		if err != nil {
			rows.Close()
			return 0, err
		}
		out = append(out, resealed{id, b})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range out {
		if _, err := x.exec(ctx, `UPDATE `+table+` SET sealed = ?, key_id = ? WHERE id = ?`, r.sealed, new.KeyID(), r.id); err != nil {
			return 0, err
		}
	}
	return len(out), nil
}

// RotatePIIKey re-seals every original under new.
func (db *DB) RotatePIIKey(ctx context.Context, old, new chat.Sealer) (int, error) {
	n := 0
	err := db.tx(ctx, func(x q) error {
		var have string
		err := x.row(ctx, `SELECT key_id FROM pii_key WHERE one = 1`).Scan(&have)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if have != "" && have != old.KeyID() {
			return chat.Errorf(chat.ErrPIIKeyMismatch, "the old key (ID %s) is not the database's (ID %s)", old.KeyID(), have)
		}
		messages, err := resealOriginals(ctx, x, "pii_originals",
			`SELECT o.id, o.workspace_id, m.conversation_id, o.key_id, o.sealed FROM pii_originals o JOIN messages m ON m.id = o.message_id ORDER BY o.id`,
			func(conv int64) int64 { return conv }, old, new)
		if err != nil {
			return err
		}
		tickets, err := resealOriginals(ctx, x, "ticket_pii_originals",
			`SELECT id, workspace_id, ticket_id, key_id, sealed FROM ticket_pii_originals ORDER BY id`, chat.TicketSealScope, old, new)
		if err != nil {
			return err
		}
		n = messages + tickets
		if _, err := x.exec(ctx, `INSERT INTO pii_key (one, key_id, created_at) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET key_id = excluded.key_id, created_at = excluded.created_at`,
			new.KeyID(), micros(db.Now())); err != nil {
			return err
		}
		return x.audit(ctx, chat.AuditEntry{At: db.Now(), ActorName: "sodam admin (operator)", Address: "local", Action: "pii.rotate_key",
			Target: "installation", After: map[string]any{"key_id": new.KeyID(), "resealed": n}})
	})
	return n, err
}
