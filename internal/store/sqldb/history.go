package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
)

var _ history.Store = (*DB)(nil)

// The search index (see package history for the scheme). indexMessages is
// the one place that writes it: the group-commit batch calls it once for
// all the messages it appended, a file message's transaction for its one,
// and a rewrite of a message's text (masking) calls reindexMessages, so
// the original text is never searchable once replaced.

// indexMessages adds new messages to the search index, in the
// transaction that stores them. System messages are not indexed.
func (db *DB) indexMessages(ctx context.Context, x q, msgs []chat.Message) error {
	if db.noSearchIndex {
		return nil
	}
	var keep []chat.Message
	for _, m := range msgs {
		if m.Kind != chat.KindSystem {
			keep = append(keep, m)
		}
	}
	if db.d.Name != "postgres" {
		// FTS5 gathers new entries in memory and writes them out as one
		// segment, but only while their rowids rise: an entry with a
		// lower rowid than the one before first writes out what it has.
		// Messages in the order they were stored interleave
		// conversations, so their keys (ftsKey) fall often, and a
		// transaction of the search backfill (a thousand messages, of
		// many chats at once) wrote a small segment at every fall for
		// FTS5 to merge again. In key order it writes one, and takes a
		// quarter less time (docs/benchmarks.md).
		slices.SortFunc(keep, func(a, b chat.Message) int { return cmp.Compare(ftsKey(a), ftsKey(b)) })
	}
	for chunk := range slices.Chunk(keep, 64) {
		var args []any
		var values string
		if db.d.Name == "postgres" {
			for _, m := range chunk {
				// The grams go as their codes (history.GramCode, migration
				// 0023), a []int64 that pgx sends as a binary bigint[]: the
				// GIN index compares integers, not strings under a collation.
				norm, codes := history.NormCodes(m.Body)
				args = append(args, m.ID, m.WorkspaceID, m.ConversationID, norm, codes)
			}
			values = strings.Repeat(`, (?, ?, ?, ?, CAST(? AS BIGINT[]))`, len(chunk))[2:]
			// A plain INSERT: an upsert costs the server a speculative
			// insertion per row, and only reindexMessages replaces rows
			// (it deletes them first).
			if err := x.later(ctx, `INSERT INTO message_search (message_id, workspace_id, conversation_id, norm, grams) VALUES `+values, args...); err != nil {
				return err
			}
			continue
		}
		for _, m := range chunk {
			args = append(args, ftsKey(m), history.Grams(m.Body))
		}
		values = strings.Repeat(`, (?, ?)`, len(chunk))[2:]
		if _, err := x.exec(ctx, `INSERT INTO message_fts (rowid, grams) VALUES `+values, args...); err != nil {
			return err
		}
	}
	return nil
}

// SetSearchIndex turns the message search index off (or on again): only
// for the write benchmark, which measures what the index costs
// (SODAM_BENCH_SEARCH_INDEX=off); a store that skipped it cannot find
// those messages.
func (db *DB) SetSearchIndex(on bool) { db.noSearchIndex = !on }

// ftsKey is a message's rowid in message_fts: its conversation's ID in the
// high bits and its sequence number in the low 24, so that the index
// yields matches in conversation order (newest conversations first with
// ORDER BY rowid DESC) and a search stops once it has a page. A
// conversation holds far fewer than 2²⁴ messages.
func ftsKey(m chat.Message) int64 { return m.ConversationID<<ftsSeqBits | m.Seq&(1<<ftsSeqBits-1) }

const ftsSeqBits = 24

// reindexMessages indexes messages the search_backfill job reached. On
// PostgreSQL it replaces the rows they may have under an earlier scheme.
// SQLite's index is empty for every message the job has still to reach
// (migration 0040, RebuildSearchIndex, and a rewrite of such a message
// leaves it so: reindexRewritten), and it can remove an entry only given
// the tokens it holds, so there the messages are only added.
func (db *DB) reindexMessages(ctx context.Context, x q, msgs []chat.Message) error {
	if db.d.Name == "postgres" {
		ids := make([]int64, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		for chunk := range slices.Chunk(ids, 256) {
			if _, err := x.exec(ctx, `DELETE FROM message_search WHERE message_id IN (`+marks(len(chunk))+`)`, anys(chunk)...); err != nil {
				return err
			}
		}
	}
	return db.indexMessages(ctx, x, msgs)
}

// reindexRewritten replaces the search entry of m, whose text was old and
// is now m.Body, in the transaction that rewrote it (masking): the old
// text is never found again. SQLite's index (no contentless_delete since
// migration 0040) removes an entry given the very tokens it was indexed
// with, which history.Grams computes again from old; a message the
// backfill has still to reach has no entry, and the backfill will index
// the text it then reads.
func (db *DB) reindexRewritten(ctx context.Context, x q, m chat.Message, old string) error {
	if db.noSearchIndex || m.Kind == chat.KindSystem {
		return nil
	}
	if db.d.Name == "postgres" {
		return db.reindexMessages(ctx, x, []chat.Message{m})
	}
	var next, upto int64
	err := x.row(ctx, `SELECT next_id, upto FROM search_backfill WHERE id = 1`).Scan(&next, &upto)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if next < m.ID && m.ID <= upto {
		return nil // not indexed yet
	}
	if _, err := x.exec(ctx, `INSERT INTO message_fts (message_fts, rowid, grams) VALUES ('delete', ?, ?)`, ftsKey(m), history.Grams(old)); err != nil {
		return err
	}
	return db.indexMessages(ctx, x, []chat.Message{m})
}

// pgArray is a PostgreSQL text[] literal of grams, which hold only letters
// and digits: quoting each is enough.
func pgArray(grams []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, g := range grams {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(g)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// BackfillSearch indexes the next limit messages that were stored before
// the index existed, or before its scheme changed (migration 0028); each
// call is one transaction, so the job resumes where it stopped.
func (db *DB) BackfillSearch(ctx context.Context, limit int) (bool, error) {
	more := false
	err := db.tx(ctx, func(x q) error {
		var next, upto int64
		err := x.row(ctx, `SELECT next_id, upto FROM search_backfill WHERE id = 1`).Scan(&next, &upto)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil || next >= upto {
			return err
		}
		query := `SELECT id, workspace_id, conversation_id, seq, kind, body FROM messages WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`
		if db.d.Name == "postgres" {
			// Another node's mask (rewriteMessageText) waits for this
			// transaction, or this one reads the masked text: never does
			// the text read here replace the masked text's entry.
			query += ` FOR SHARE`
		}
		rows, err := x.query(ctx, query, next, upto, limit)
		if err != nil {
			return err
		}
		var msgs []chat.Message
		for rows.Next() {
			var m chat.Message
			if err := rows.Scan(&m.ID, &m.WorkspaceID, &m.ConversationID, &m.Seq, &m.Kind, &m.Body); err != nil {
				rows.Close()
				return err
			}
			msgs = append(msgs, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		next = upto
		if len(msgs) == limit {
			next = msgs[len(msgs)-1].ID
		}
		if err := db.reindexMessages(ctx, x, msgs); err != nil {
			return err
		}
		more = next < upto
		_, err = x.exec(ctx, `UPDATE search_backfill SET next_id = ? WHERE id = 1`, next)
		return err
	})
	return more, err
}

// historyWhere is the WHERE clause of a history filter.
func (db *DB) historyWhere(workspaceID int64, f history.Filter, terms bool, h *hints) (string, []any) {
	w := []string{`c.workspace_id = ?`}
	if h != nil && h.customers {
		// A few customers' conversations, by customer: SQLite's planner
		// would rather walk the workspace's (100,000) by an index that
		// starts with it; "+" stops it.
		w[0] = `+c.workspace_id = ?`
	}
	args := []any{workspaceID}
	if h != nil {
		w = append(w, h.conds...)
		args = append(args, h.args...)
	}
	add := func(cond string, a ...any) {
		w = append(w, cond)
		args = append(args, a...)
	}
	if f.From != nil {
		add(`c.created_at >= ?`, micros(*f.From))
	}
	if f.To != nil {
		add(`c.created_at < ?`, micros(*f.To))
	}
	switch f.State {
	case "":
	case "open":
		add(`c.state <> 'closed'`)
	default:
		add(`c.state = ?`, f.State)
	}
	if f.Processed != nil {
		if *f.Processed {
			add(`c.state = 'closed' AND c.first_reply_at IS NOT NULL`)
		} else {
			// As statistics count it (docs/statistics.md, "The robot"): a
			// chat the robot resolved is not unprocessed, one it closed
			// after its visitor asked in vain for a person is.
			add(`c.state = 'closed' AND c.first_reply_at IS NULL AND (c.close_reason <> 'robot' OR c.agent_refused_at IS NOT NULL)`)
		}
	}
	if f.AgentID != 0 {
		if f.AgentPath {
			add(`(c.assignee_id = ? OR c.agent_path LIKE ?)`, f.AgentID, `%"agent_id":`+strconv.FormatInt(f.AgentID, 10)+`,%`)
		} else {
			add(`c.assignee_id = ?`, f.AgentID)
		}
	}
	if f.Channel != "" {
		add(`c.channel = ?`, f.Channel)
	}
	if f.CategoryID != 0 {
		add(`c.category_id IN (SELECT k.id FROM categories k LEFT JOIN categories k2 ON k2.id = k.parent_id
			WHERE k.workspace_id = ? AND (k.id = ? OR k.parent_id = ? OR k2.parent_id = ?))`, workspaceID, f.CategoryID, f.CategoryID, f.CategoryID)
	}
	if f.TagID != 0 {
		add(`(EXISTS (SELECT 1 FROM conversation_tags ct WHERE ct.conversation_id = c.id AND ct.tag_id = ?)
			OR EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.customer_id AND t.tag_id = ?))`, f.TagID, f.TagID)
	}
	if f.Customer != "" && (h == nil || !h.customers) {
		cond, a := db.customerMatch(workspaceID, f.Customer)
		add(`c.customer_id IN (`+cond+`)`, a...)
	}
	if f.Important != nil {
		add(`c.important = ?`, *f.Important)
	}
	if f.OnHold != nil {
		add(`c.on_hold = ?`, *f.OnHold)
	}
	switch {
	case f.Rating == -1:
		add(`c.rating_score IS NULL`)
	case f.Rating > 0:
		add(`c.rating_score = ?`, f.Rating)
	}
	if f.VisibleTo != 0 {
		add(`(c.assignee_id = ? OR c.state IN ('unassigned', 'bot'))`, f.VisibleTo)
	}
	if terms && len(f.Terms) > 0 {
		if db.d.Name == "postgres" {
			cond := `c.id IN (SELECT s.conversation_id FROM message_search s WHERE s.workspace_id = ? AND s.grams @> CAST(? AS BIGINT[])`
			a := []any{workspaceID, history.NeededCodes(f.Terms)}
			for _, t := range f.Terms {
				cond += ` AND strpos(s.norm, ?) > 0`
				a = append(a, t.Text)
			}
			add(cond+`)`, a...)
		} else {
			add(`c.id IN (SELECT rowid >> 24 FROM message_fts WHERE message_fts MATCH ?)`, history.FTS5(f.Terms))
		}
	}
	return ` WHERE ` + strings.Join(w, ` AND `), args
}

// customerMatch is the query of the customers a customer filter selects:
// the customer ID or identifier q exactly, or a profile whose name,
// nickname, email or phone has it (history.CustomerTerms), found in the
// customer index. Each part of the union is an index lookup.
func (db *DB) customerMatch(workspaceID int64, q string) (string, []any) {
	query := `SELECT xc.id FROM customers xc WHERE xc.workspace_id = ? AND xc.external_id = ?
		UNION SELECT xc.id FROM profiles xp JOIN customers xc ON xc.profile_id = xp.id WHERE xp.workspace_id = ? AND xp.customer_key = ?`
	args := []any{workspaceID, q, workspaceID, q}
	if terms := history.CustomerTerms(q); len(terms) > 0 {
		search, a := db.customerSearch(workspaceID, terms)
		query += ` UNION ` + search
		args = append(args, a...)
	}
	return query, args
}

// hints are conditions a search adds to use an index: the customers a
// customer filter matched (when few), and the range of conversation IDs
// a period covers.
type hints struct {
	conds     []string
	args      []any
	customers bool // the customer filter is in conds
	none      bool // nothing can match
}

// historyMargin widens a period's ID range: conversations are numbered in
// the order they were created, and on PostgreSQL two nodes' writes may
// swap that order by the length of a write batch at most.
const historyMargin = time.Minute

// maxHintCustomers is how many customers a customer filter may match and
// still be looked up by customer; more, and it is checked row by row.
const maxHintCustomers = 1000

func (db *DB) historyHints(ctx context.Context, workspaceID int64, f history.Filter) (*hints, error) {
	h := &hints{}
	x := db.read()
	if f.From != nil {
		var lo int64
		err := x.row(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND created_at >= ? ORDER BY created_at LIMIT 1`,
			workspaceID, micros(f.From.Add(-historyMargin))).Scan(&lo)
		if errors.Is(err, sql.ErrNoRows) {
			h.none = true
			return h, nil
		}
		if err != nil {
			return nil, err
		}
		h.conds, h.args = append(h.conds, `c.id >= ?`), append(h.args, lo)
	}
	if f.To != nil {
		var hi int64
		err := x.row(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND created_at < ? ORDER BY created_at DESC LIMIT 1`,
			workspaceID, micros(f.To.Add(historyMargin))).Scan(&hi)
		if errors.Is(err, sql.ErrNoRows) {
			h.none = true
			return h, nil
		}
		if err != nil {
			return nil, err
		}
		h.conds, h.args = append(h.conds, `c.id <= ?`), append(h.args, hi)
	}
	if f.Customer != "" {
		// A customer ID or identifier that exists is that customer (by
		// index); an identifier is also written as the console shows it,
		// SITEID_customerID (chat.Identifier).
		keys := []any{f.Customer}
		var siteID string
		if err := x.row(ctx, `SELECT site_id FROM workspaces WHERE id = ?`, workspaceID).Scan(&siteID); err != nil {
			return nil, err
		}
		if key, ok := strings.CutPrefix(f.Customer, chat.Identifier(siteID, "")); ok && key != "" {
			keys = append(keys, key)
		}
		in := marks(len(keys))
		rows, err := x.query(ctx, `SELECT xc.id FROM customers xc WHERE xc.workspace_id = ? AND xc.external_id IN (`+in+`)
			UNION SELECT xc.id FROM profiles xp JOIN customers xc ON xc.profile_id = xp.id WHERE xp.workspace_id = ? AND xp.customer_key IN (`+in+`)`,
			append(append(append([]any{workspaceID}, keys...), workspaceID), keys...)...)
		if err != nil {
			return nil, err
		}
		exact, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		if len(exact) > 0 {
			h.customers = true
			h.conds, h.args = append(h.conds, `c.customer_id IN (`+marks(len(exact))+`)`), append(h.args, anys(exact)...)
			return h, nil
		}
		// Anything else is looked for in names, nicknames, emails and
		// phones, by the customer index.
		terms := history.CustomerTerms(f.Customer)
		if len(terms) == 0 {
			h.none = true
			return h, nil
		}
		search, args := db.customerSearch(workspaceID, terms)
		rows, err = x.query(ctx, search+` LIMIT ?`, append(args, maxHintCustomers+1)...)
		if err != nil {
			return nil, err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		switch {
		case len(ids) == 0:
			h.none = true
		case len(ids) <= maxHintCustomers:
			h.customers = true
			h.conds, h.args = append(h.conds, `c.customer_id IN (`+marks(len(ids))+`)`), append(h.args, anys(ids)...)
		}
	}
	return h, nil
}

// History lists the conversations a filter selects, a page at a time, in
// the order they were created (newest first unless f.Oldest).
//
// A search by words walks the index in that same order (searchBatch) and
// checks the other filters on each batch of conversations it finds, until
// the page is full: a common word (환불 in a tenth of a million messages)
// fills the page from the newest matches without reading the rest, and a
// rare one costs what its matches cost.
func (db *DB) History(ctx context.Context, workspaceID int64, f history.Filter, after *history.Cursor, limit int) ([]chat.Conversation, error) {
	h, err := db.historyHints(ctx, workspaceID, f)
	if err != nil || h.none {
		return nil, err
	}
	if len(f.Terms) == 0 {
		return db.historyPage(ctx, workspaceID, f, h, after, nil, limit)
	}
	if db.d.Name == "postgres" {
		return db.pgSearch(ctx, workspaceID, f, h, after, limit)
	}
	var out []chat.Conversation
	var bound int64 // the last conversation read
	if after != nil {
		bound = after.ID
	}
	for batch := 256; ; batch = min(batch*4, 8192) {
		ids, more, err := db.searchBatch(ctx, workspaceID, f, bound, batch)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			page, err := db.historyPage(ctx, workspaceID, f, h, nil, ids, limit-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, page...)
			bound = ids[len(ids)-1]
		}
		if len(out) >= limit || !more {
			return out, nil
		}
	}
}

// PostgreSQL's word search (pgSearch) reads windows of conversations,
// newest first, pgWindow conversations in the first and four times more
// in each next; once a window shows the word is rare — at most pgGINRows
// matching messages expected in what is left to read — the GIN index
// gives every remaining match at once.
const (
	pgWindow  = 500
	pgGINRows = 3000
	// pgMaxWindow bounds a window.
	pgMaxWindow = 32000
)

// TuneSearch changes PostgreSQL's word search: ginRows replaces
// pgGINRows (-1: never the GIN index) and size the first window (0
// restores either), so tests can take every path on a small corpus.
func (db *DB) TuneSearch(ginRows, size int) { db.search = [2]int{ginRows, size} }

func (db *DB) searchSizes() (ginRows, size int64) {
	ginRows, size = pgGINRows, pgWindow
	if db.search[0] != 0 {
		ginRows = int64(db.search[0])
	}
	if db.search[1] > 0 {
		size = int64(db.search[1])
	}
	return ginRows, size
}

// pgSearch is History's word search on PostgreSQL, where a GIN index
// cannot hand matches over in order, and the planner, which multiplies
// the frequencies of a word's bigrams as if they were independent,
// underestimates how many messages a common word's grams select (010:
// 295 estimated, 25,104 found) and would fetch them all from the heap,
// one random page each, to sort them (0.6–1.3 s). So the search itself
// decides: it reads the conversations newest first (or oldest first), a
// window of IDs at a time by the (workspace, conversation) index,
// checking the messages' compact text — pages that lie together on
// disk. A common word fills the page in the first window (500
// conversations, 5,000 messages). A window that finds the word rare (few
// matches expected in the rest) hands the rest to the GIN index, whose
// few matches are cheap to fetch and sort; otherwise the next window is
// four times larger.
func (db *DB) pgSearch(ctx context.Context, workspaceID int64, f history.Filter, h *hints, after *history.Cursor, limit int) ([]chat.Conversation, error) {
	x := db.read()
	ginRows, size := db.searchSizes()
	var exact string
	var eargs []any
	for _, t := range f.Terms {
		exact += ` AND strpos(s.norm, ?) > 0`
		eargs = append(eargs, t.Text)
	}
	var top int64
	if err := x.row(ctx, `SELECT COALESCE(MAX(id), 0) FROM conversations WHERE workspace_id = ?`, workspaceID).Scan(&top); err != nil {
		return nil, err
	}
	lo, hi := int64(0), top+1 // what is left to read: lo ≤ id < hi
	if after != nil {
		if f.Oldest {
			lo = after.ID + 1
		} else {
			hi = min(hi, after.ID)
		}
	}
	var out []chat.Conversation
	page := func(ids []int64) error {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if !f.Oldest {
			slices.Reverse(ids)
		}
		// In order, a few hundred at a time: the first usually fill the
		// page, and a rare word's GIN matches may be thousands.
		for chunk := range slices.Chunk(ids, 4*limit) {
			if len(out) >= limit {
				break
			}
			p, err := db.historyPage(ctx, workspaceID, f, h, nil, chunk, limit-len(out))
			if err != nil {
				return err
			}
			out = append(out, p...)
		}
		return nil
	}
	rare := false
	for len(out) < limit && lo < hi {
		if rare {
			rows, err := x.query(ctx, `SELECT s.conversation_id FROM message_search s WHERE s.workspace_id = ? AND s.grams @> CAST(? AS BIGINT[])
				AND s.conversation_id >= ? AND s.conversation_id < ?`+exact,
				append([]any{workspaceID, history.NeededCodes(f.Terms), lo, hi}, eargs...)...)
			if err != nil {
				return nil, err
			}
			ids, err := scanIDs(rows)
			if err != nil {
				return nil, err
			}
			// page appends to out: call it first (Go leaves open whether
			// out would be read before or after the call).
			err = page(ids)
			return out, err
		}
		wlo, whi := max(lo, hi-size), hi
		if f.Oldest {
			wlo, whi = lo, min(hi, lo+size)
		}
		// No grams here: the planner would build the GIN index's bitmaps
		// of common grams (digits, 주문) for a few thousand rows.
		rows, err := x.query(ctx, `SELECT s.conversation_id FROM message_search s WHERE s.workspace_id = ?
			AND s.conversation_id >= ? AND s.conversation_id < ?`+exact, append([]any{workspaceID, wlo, whi}, eargs...)...)
		if err != nil {
			return nil, err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		found := int64(len(ids)) // matching messages
		if err := page(ids); err != nil {
			return nil, err
		}
		if f.Oldest {
			lo = whi
		} else {
			hi = wlo
		}
		// The matches to expect in the rest, at this window's density.
		rare = ginRows >= 0 && found*(hi-lo) <= ginRows*(whi-wlo)
		size = min(size*4, pgMaxWindow)
	}
	return out, nil
}

// searchBatch reads up to n matching messages past the conversation bound
// (0: from the start), in conversation order, from SQLite's FTS5 index
// (whose rowids carry the conversation), and returns their conversations
// once each; more is false when the index has no more.
func (db *DB) searchBatch(ctx context.Context, workspaceID int64, f history.Filter, bound int64, n int) ([]int64, bool, error) {
	query := `SELECT rowid >> 24 FROM message_fts WHERE message_fts MATCH ?`
	args := []any{history.FTS5(f.Terms)}
	switch {
	case f.Oldest:
		query += ` AND rowid >= ? ORDER BY rowid LIMIT ?`
		args = append(args, (bound+1)<<ftsSeqBits)
	case bound == 0:
		query += ` ORDER BY rowid DESC LIMIT ?`
	default:
		query += ` AND rowid < ? ORDER BY rowid DESC LIMIT ?`
		args = append(args, bound<<ftsSeqBits)
	}
	args = append(args, n)
	rows, err := db.read().query(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var ids []int64
	got := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		got++
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	return ids, got == n, rows.Err()
}

// historyPage lists what f selects (its words aside) after the cursor, or
// among ids, in order.
func (db *DB) historyPage(ctx context.Context, workspaceID int64, f history.Filter, h *hints, after *history.Cursor, ids []int64, limit int) ([]chat.Conversation, error) {
	where, args := db.historyWhere(workspaceID, f, false, h)
	dir, cmp := `DESC`, `<`
	if f.Oldest {
		dir, cmp = `ASC`, `>`
	}
	if after != nil {
		where += ` AND c.id ` + cmp + ` ?`
		args = append(args, after.ID)
	}
	if ids != nil {
		where += ` AND c.id IN (` + marks(len(ids)) + `)`
		args = append(args, anys(ids)...)
	}
	order := `c.id`
	if h != nil && h.customers {
		// A few customers' conversations: read them by customer and sort
		// them, rather than walk every conversation in order (SQLite's
		// planner, without statistics, prefers the walk; "+" stops it).
		order = `+c.id`
	}
	rows, err := db.read().query(ctx, conversationSelect+where+` ORDER BY `+order+` `+dir+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return scanConversations(rows)
}

// CountHistory counts what a filter selects.
func (db *DB) CountHistory(ctx context.Context, workspaceID int64, f history.Filter) (int, error) {
	h, err := db.historyHints(ctx, workspaceID, f)
	if err != nil || h.none {
		return 0, err
	}
	where, args := db.historyWhere(workspaceID, f, true, h)
	var n int
	err = db.read().row(ctx, `SELECT COUNT(*) FROM conversations c JOIN customers cu ON cu.id = c.customer_id
		JOIN profiles p ON p.id = cu.profile_id`+where, args...).Scan(&n)
	return n, err
}

// ExportDetails reads the customer fields, tags and message counts of
// conversations.
func (db *DB) ExportDetails(ctx context.Context, workspaceID int64, ids []int64) (map[int64]history.Details, error) {
	out := map[int64]history.Details{}
	if len(ids) == 0 {
		return out, nil
	}
	x := db.read()
	args := append([]any{workspaceID}, anys(ids)...)
	rows, err := x.query(ctx, `SELECT c.id, p.name, p.nickname, p.customer_key, p.phone, p.email,
		(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.kind <> 'system')
		FROM conversations c JOIN customers cu ON cu.id = c.customer_id JOIN profiles p ON p.id = cu.profile_id
		WHERE c.workspace_id = ? AND c.id IN (`+marks(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var d history.Details
		if err := rows.Scan(&id, &d.Name, &d.Nickname, &d.CustomerKey, &d.Phone, &d.Email, &d.Messages); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = x.query(ctx, `SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
		WHERE t.workspace_id = ? AND ct.conversation_id IN (`+marks(len(ids))+`) ORDER BY t.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		d := out[id]
		d.Tags = append(d.Tags, name)
		out[id] = d
	}
	return out, rows.Err()
}

// TranscriptOf lists the conversations' messages, system messages included.
func (db *DB) TranscriptOf(ctx context.Context, workspaceID int64, ids []int64) ([]chat.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.read().query(ctx, messageSelect+` WHERE m.workspace_id = ? AND m.conversation_id IN (`+marks(len(ids))+`)
		ORDER BY m.conversation_id, m.seq`, append([]any{workspaceID}, anys(ids)...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byConv := map[int64][]chat.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		byConv[m.ConversationID] = append(byConv[m.ConversationID], m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []chat.Message
	for _, id := range ids {
		out = append(out, byConv[id]...)
	}
	return out, nil
}

const exportSelect = `SELECT id, workspace_id, agent_id, format, layout, language, filter, state, total, done, rows, blob_key, size,
	runner, heartbeat_at, error, created_at, finished_at, expires_at FROM exports`

func scanExport(row interface{ Scan(...any) error }) (history.Export, error) {
	var e history.Export
	var filter string
	var created int64
	var heartbeat, finished, expires sql.NullInt64
	if err := row.Scan(&e.ID, &e.WorkspaceID, &e.AgentID, &e.Format, &e.Layout, &e.Language, &filter, &e.State, &e.Total, &e.Done, &e.Rows,
		&e.BlobKey, &e.Size, &e.Runner, &heartbeat, &e.Error, &created, &finished, &expires); err != nil {
		return e, err
	}
	e.CreatedAt = fromMicros(created)
	e.HeartbeatAt, e.FinishedAt, e.ExpiresAt = optTime(heartbeat), optTime(finished), optTime(expires)
	return e, json.Unmarshal([]byte(filter), &e.Filter)
}

// CreateExport stores a queued export with its job, audited.
func (db *DB) CreateExport(ctx context.Context, e *history.Export, by chat.Who) error {
	filter, err := json.Marshal(e.Filter)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(x q) error {
		now := db.Now().UTC().Truncate(time.Microsecond)
		// The member's row serializes two exports asked for at once.
		if _, err := x.exec(ctx, `UPDATE members SET role = role WHERE workspace_id = ? AND agent_id = ?`, e.WorkspaceID, e.AgentID); err != nil {
			return err
		}
		var busy int
		if err := x.row(ctx, `SELECT COUNT(*) FROM exports WHERE workspace_id = ? AND agent_id = ? AND state IN ('queued', 'running')`,
			e.WorkspaceID, e.AgentID).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return chat.Errorf(chat.ErrExportRunning, "your previous export is still being written; wait for it to finish")
		}
		e.State, e.CreatedAt = history.ExportQueued, now
		if err := x.row(ctx, `INSERT INTO exports (workspace_id, agent_id, format, layout, language, filter, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.WorkspaceID, e.AgentID, e.Format, e.Layout, e.Language, string(filter), e.State, micros(now)).Scan(&e.ID); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at) VALUES (?, ?, ?, ?)`,
			history.JobExport, e.WorkspaceID, e.ID, micros(now)); err != nil {
			return err
		}
		t := &txn{q: x, now: now}
		return x.audit(ctx, t.entry(e.WorkspaceID, by, chat.AuditExport, "export/"+strconv.FormatInt(e.ID, 10), nil,
			map[string]any{"format": e.Format, "layout": e.Layout, "filter": e.Filter}))
	})
}

// Export reads one export of the workspace.
func (db *DB) Export(ctx context.Context, workspaceID, id int64) (*history.Export, error) {
	e, err := scanExport(db.read().row(ctx, exportSelect+` WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrExportNotFound, "no such export")
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// exportStale is how long a runner's heartbeat keeps others off its export.
// It stays under two thirds of the jobs runner's lease (one minute, renewed
// every third): a node that dies is stale here before its job's claim runs
// out, so the node taking the job over starts at once.
const exportStale = 30 * time.Second

// StartExport takes an export for runner, unless it is finished or
// another runner is alive on it.
func (db *DB) StartExport(ctx context.Context, workspaceID, id int64, runner string, total int, now time.Time) (bool, error) {
	var took bool
	err := db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE exports SET state = 'running', runner = ?, heartbeat_at = ?, total = ?, done = 0, rows = 0
			WHERE workspace_id = ? AND id = ? AND (state = 'queued' OR (state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?)))`,
			runner, micros(now), total, workspaceID, id, micros(now.Add(-exportStale)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		took = n == 1
		return err
	})
	return took, err
}

// ExportProgress records progress while runner still holds the export.
func (db *DB) ExportProgress(ctx context.Context, workspaceID, id int64, runner string, done, rows int, now time.Time) (bool, error) {
	var ok bool
	err := db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE exports SET done = ?, rows = ?, heartbeat_at = ? WHERE workspace_id = ? AND id = ? AND state = 'running' AND runner = ?`,
			done, rows, micros(now), workspaceID, id, runner)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// FinishExport records the outcome of runner's export and, for a file,
// schedules its removal.
func (db *DB) FinishExport(ctx context.Context, e history.Export, runner string) (bool, error) {
	var ok bool
	err := db.tx(ctx, func(x q) error {
		var expires any
		if e.ExpiresAt != nil {
			expires = micros(*e.ExpiresAt)
		}
		res, err := x.exec(ctx, `UPDATE exports SET state = ?, done = ?, rows = ?, blob_key = ?, size = ?, error = ?, finished_at = ?, expires_at = ?
			WHERE workspace_id = ? AND id = ? AND state = 'running' AND runner = ?`,
			e.State, e.Done, e.Rows, e.BlobKey, e.Size, e.Error, micros(*e.FinishedAt), expires, e.WorkspaceID, e.ID, runner)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if ok = n == 1; !ok || e.ExpiresAt == nil {
			return err
		}
		_, err = x.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = excluded.due_at`,
			history.JobExportExpire, e.WorkspaceID, e.ID, micros(*e.ExpiresAt))
		return err
	})
	return ok, err
}

// ExpireExport forgets an expired export's file and returns its key.
func (db *DB) ExpireExport(ctx context.Context, workspaceID, id int64, now time.Time) (string, error) {
	var key string
	err := db.tx(ctx, func(x q) error {
		err := x.row(ctx, `SELECT blob_key FROM exports WHERE workspace_id = ? AND id = ? AND expires_at <= ?`, workspaceID, id, micros(now)).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = x.exec(ctx, `UPDATE exports SET blob_key = '' WHERE workspace_id = ? AND id = ?`, workspaceID, id)
		return err
	})
	return key, err
}

// appended is the messages a batch appended, for the search index.
func appended(reqs []*appendReq) []chat.Message {
	out := make([]chat.Message, len(reqs))
	for i, a := range reqs {
		out[i] = a.msg
	}
	return out
}

// RebuildSearchIndex empties the search index and has the backfill job
// index every message again, in steps (after a change of the scheme, or
// to check the backfill).
func (db *DB) RebuildSearchIndex(ctx context.Context) error {
	return db.tx(ctx, func(x q) error {
		clear := `INSERT INTO message_fts (message_fts) VALUES ('delete-all')`
		if db.d.Name == "postgres" {
			clear = `DELETE FROM message_search`
		}
		if _, err := x.exec(ctx, clear); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE search_backfill SET next_id = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM messages) WHERE id = 1`); err != nil {
			return err
		}
		_, err := x.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
			SELECT ?, id, 0, 0 FROM workspaces WHERE id = (SELECT MIN(id) FROM workspaces)
			ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = 0`, history.JobSearchBackfill)
		return err
	})
}
