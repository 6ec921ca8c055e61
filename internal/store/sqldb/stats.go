package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/stats"
)

// The statistics roll-up (docs/statistics.md) is kept in the transaction of
// every change: just before a batch's events are appended (batch.go), restat
// recomputes the statistics parts of each conversation the batch's events
// touched, compares them with what the conversation contributed before
// (conversations.stat_parts) and adds the difference to stat_days. Both stores,
// every node, group commit included: a change and its statistics commit
// together, so nothing is counted twice or lost, and a recomputation from
// the raw conversations (RecomputeStats) gives the same rows.

var _ stats.Store = (*DB)(nil)

// restatNeeded reports whether ev may change what its conversation
// contributes: any change to the conversation itself, and a conversation's
// first agent reply (flagged by the write that sends it). Every other
// message changes nothing statistics count: it costs this check. (It was
// every agent message on a conversation waiting for its agent, which is
// every answer to a customer's message: half the message benchmark's
// writes read the conversation's history for nothing.)
func restatNeeded(ev chat.Event) bool {
	if ev.Conversation == nil {
		return false
	}
	switch ev.Type {
	case chat.EventConversationCreated, chat.EventConversationAssigned, chat.EventConversationTransferred,
		chat.EventConversationUpdated, chat.EventConversationClosed:
		return true
	case chat.EventMessageCreated:
		return ev.FirstReply && ev.Message != nil
	}
	return false
}

// restat marks the conversations a batch's writes changed as stale for
// the roll-up (stat_stale), in the batch's transaction, so the mark
// commits with the change it stands for; the roll-up step (FoldStats)
// counts them later, many at once. Only what a change needs at once is
// done here: a workspace whose settings changed has its zone checked
// (checkStatZone), which may schedule the recount in the new zone.
func (db *DB) restat(ctx context.Context, x q, now time.Time, ts []*txn) error {
	if !statsRollup || db.statsPaused.Load() {
		return nil
	}
	var ids []int64
	var zones []int64 // workspaces whose time zone may have changed
	for _, t := range ts {
		for _, ev := range t.pending {
			if ev.Type == chat.EventWorkspaceUpdated && !slices.Contains(zones, ev.WorkspaceID) {
				zones = append(zones, ev.WorkspaceID)
				db.statZones.Delete(ev.WorkspaceID)
			}
			if restatNeeded(ev) && !slices.Contains(ids, ev.Conversation.ID) {
				ids = append(ids, ev.Conversation.ID)
			}
		}
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, 256) {
		if err := x.later(ctx, statMark(len(chunk)), anys(chunk)...); err != nil {
			return err
		}
	}
	slices.Sort(zones)
	for _, ws := range zones {
		if err := db.checkStatZone(ctx, x, now, ws, ""); err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		db.statMarked(len(ids))
	}
	return nil
}

// statMarks holds statMark's statements by number of conversations.
var statMarks sync.Map

// statMark marks n conversations stale; its arguments are their IDs.
func statMark(n int) string {
	if s, ok := statMarks.Load(n); ok {
		return s.(string)
	}
	s := `INSERT INTO stat_stale (conversation_id) VALUES ` + strings.Repeat(`, (?)`, n)[2:] +
		` ON CONFLICT (conversation_id) DO NOTHING`
	statMarks.Store(n, s)
	return s
}

// foldMax bounds the conversations one roll-up step folds: a larger
// backlog (after a long stop) is folded in several transactions.
const foldMax = 1024

// FoldStats is the roll-up step: it folds every conversation marked
// stale into the roll-up (foldStale), in one write transaction per
// foldMax of them, and returns once none marked before it began is left.
// Every statistics read runs it first, so no reader sees a change
// uncounted; the node's timer runs it every second (RunStatsRollup). With
// nothing marked it costs one read and writes nothing.
//
// A conversation that another transaction holds (PostgreSQL) is skipped
// by foldStale, which never waits for a lock; its mark is then either
// being folded by another node's step or waits for a write to commit.
// Once only held marks are left in a step's reach, FoldStats tries again
// every foldRetry until none is held, for up to foldPatience: a step that
// returned at once would let a statistics read run before the other
// step's fold had committed. The patience counts that waiting only: a
// full step that folded something goes on at once, however long it took
// (a deadline from the start let a slow first step of a large backlog
// return with marks nobody held left unfolded).
func (db *DB) FoldStats(ctx context.Context) error {
	if !statsRollup {
		return nil
	}
	var deadline time.Time
	for {
		var one int64
		switch err := db.read().row(ctx, `SELECT conversation_id FROM stat_stale LIMIT 1`).Scan(&one); {
		case err == sql.ErrNoRows:
			return nil
		case err != nil:
			return err
		}
		n, skipped, err := db.foldOnce(ctx)
		if err != nil {
			return err
		}
		switch {
		case skipped == 0 && n < foldMax:
			return nil
		case n >= foldMax && skipped < n:
			continue // a full step that folded: more may wait
		case deadline.IsZero():
			deadline = time.Now().Add(foldPatience)
		case time.Now().After(deadline):
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(foldRetry):
		}
	}
}

// foldRetry and foldPatience pace FoldStats's tries at marks that other
// transactions hold: they hold them for the milliseconds of a batch.
const (
	foldRetry    = 5 * time.Millisecond
	foldPatience = 2 * time.Second
)

// foldOnce runs one transaction of the roll-up step. On SQLite it goes
// through the group-commit writer, the only one. On PostgreSQL it is a
// transaction of its own beside the group commit, which waits for no
// writer's locks (foldStale skips the conversations writers hold, and
// writers never touch stat_days): inside a batch, the batch's earlier
// writes would hold conversations and routing locks while the step takes
// more, and another node's batch doing the same closed a cycle (three
// nodes deadlocked within a minute of a load test that way).
func (db *DB) foldOnce(ctx context.Context) (looked, skipped int, err error) {
	if db.d.SingleWriter {
		_, err := db.write(ctx, func(t *txn) error {
			var err error
			looked, skipped, err = db.foldStale(ctx, t.q, t.now)
			return err
		})
		return looked, skipped, err
	}
	x, commit, rollback, err := db.begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	looked, skipped, err = db.foldStale(ctx, x, db.Now().UTC().Truncate(time.Microsecond))
	if err == nil {
		err = commit()
	}
	if err != nil {
		rollback()
		return 0, 0, err
	}
	return looked, skipped, nil
}

// RunStatsRollup runs the roll-up step at start and then every interval,
// (default 1 s), or sooner once foldMax conversations wait, until ctx ends. A step that
// fails leaves its marks for the next; the statistics reads report the
// error too, as they run the step themselves.
func (db *DB) RunStatsRollup(ctx context.Context, every time.Duration, log func(error)) {
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := db.FoldStats(ctx); err != nil && ctx.Err() == nil && log != nil {
			log(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-db.statWake:
		}
	}
}

// statMarked counts n new marks and wakes RunStatsRollup once foldMax
// have been written since it last ran.
func (db *DB) statMarked(n int) {
	if db.statPending.Add(int64(n)) >= foldMax {
		db.statPending.Store(0)
		select {
		case db.statWake <- struct{}{}:
		default:
		}
	}
}

// foldStale is one transaction of the roll-up step: it takes up to
// foldMax marked conversations and their marks, and folds them
// (statFold). It returns how many marks it looked at, those it skipped
// included, so that FoldStats goes on while a full foldMax was there,
// and how many it skipped. On PostgreSQL it first locks the
// conversations, skipping those another transaction holds, and then
// deletes the marks it still finds: a step of another node that folded
// them first has deleted them, and a write that marks one again waits for
// the lock and commits its mark after this step, so no change is counted
// twice or lost. It never waits for a conversation (foldOnce says why);
// one skipped keeps its mark, for FoldStats's next try or the next step.
// On SQLite the single writer is the lock.
func (db *DB) foldStale(ctx context.Context, x q, now time.Time) (looked, skipped int, err error) {
	var ids []int64
	const some = `SELECT conversation_id FROM stat_stale ORDER BY conversation_id LIMIT ?`
	take := `DELETE FROM stat_stale WHERE conversation_id IN (` + some + `) RETURNING conversation_id`
	args := []any{foldMax}
	if !db.d.SingleWriter {
		var locked []int64
		if err := x.batch(ctx,
			Stmt{Query: `SELECT COUNT(*) FROM (` + some + `) AS s`, Args: []any{foldMax},
				Row: func(scan func(dest ...any) error) error { return scan(&looked) }},
			Stmt{Query: `SELECT id FROM conversations WHERE id IN (` + some + `) ORDER BY id` + db.d.SkipLocked, Args: []any{foldMax},
				Row: func(scan func(dest ...any) error) error {
					var id int64
					if err := scan(&id); err != nil {
						return err
					}
					locked = append(locked, id)
					return nil
				}}); err != nil {
			return 0, 0, err
		}
		skipped = looked - len(locked)
		if len(locked) == 0 {
			return looked, skipped, nil
		}
		take = `DELETE FROM stat_stale WHERE conversation_id IN (` + marks(len(locked)) + `) RETURNING conversation_id`
		args = anys(locked)
	}
	if err := x.each(ctx, func(scan func(dest ...any) error) error {
		var id int64
		if err := scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, take, args...); err != nil {
		return 0, 0, err
	}
	if db.d.SingleWriter { // nothing skipped: it looked at what it took
		looked = len(ids)
	}
	slices.Sort(ids)
	return looked, skipped, db.statFold(ctx, x, now, ids)
}

// statFold brings the roll-up up to date with conversations ids (in ID
// order): for each, its parts now (stats.Facts of its history) minus the
// parts it contributed last time; the differences summed over all of them
// by key, so that many changes of one day, agent and channel are one row
// of one upsert; the new parts kept on their rows.
func (db *DB) statFold(ctx context.Context, x q, now time.Time, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	// The conversations' rows and stored parts, with their workspaces'
	// settings: one statement.
	read, settings, err := db.statRead(ctx, x, ids)
	if err != nil {
		return err
	}
	handOvers, err := statHandOvers(ctx, x, ids, read)
	if err != nil {
		return err
	}
	deltas := map[int64]map[stats.Key]stats.Measures{}
	locs := map[int64]*time.Location{}
	var kept []any // conversations' statistics to keep: parts, trail, id
	for _, id := range ids {
		sr, ok := read[id]
		if !ok {
			continue // none such: nothing to count
		}
		loc, ok := locs[sr.ws]
		if !ok {
			if loc, err = statLocationOf(sr.ws, settings[sr.ws]); err != nil {
				return err
			}
			locs[sr.ws] = loc
		}
		h, trail, err := db.statHistory(ctx, x, sr, handOvers[id])
		if err != nil {
			return err
		}
		after := stats.Facts(h, loc)
		var before []stats.Part
		if sr.stored.Valid {
			if err := json.Unmarshal([]byte(sr.stored.String), &before); err != nil {
				return fmt.Errorf("conversation %d: stat_parts: %w", id, err)
			}
		}
		d := stats.Delta(before, after)
		if len(d) == 0 && !trail.changed {
			continue
		}
		parts, err := json.Marshal(after)
		if err != nil {
			return err
		}
		kept = append(kept, string(parts), trail.json, id)
		if deltas[sr.ws] == nil {
			deltas[sr.ws] = map[stats.Key]stats.Measures{}
		}
		for key, m := range d {
			sum := deltas[sr.ws][key]
			sum.Add(m, 1)
			deltas[sr.ws][key] = sum
		}
	}
	// Kept on the conversations' own rows (one statement per 64, in ID
	// order), sent with what follows on PostgreSQL (later).
	for chunk := range slices.Chunk(kept, 3*64) {
		if err := x.later(ctx, statKeep(len(chunk)/3), chunk...); err != nil {
			return err
		}
	}
	for _, ws := range slices.Sorted(maps.Keys(deltas)) {
		if err := db.addStatDaysBy(ctx, x, ws, deltas[ws], 64); err != nil {
			return err
		}
	}
	for _, ws := range slices.Sorted(maps.Keys(locs)) {
		// A workspace whose zone this node found kept already needs no
		// check: the write that changes a zone checks it (restat), so the
		// kept zone is the workspace's as long as its row says the same.
		if seen, ok := db.statZones.Load(ws); ok && seen.(string) == locs[ws].String() {
			continue
		}
		if err := db.checkStatZone(ctx, x, now, ws, locs[ws].String()); err != nil {
			return err
		}
	}
	return nil
}

// statHandOvers folds the stored assignment and transfer events of
// conversations ids, in order, into their trails' hand-overs: one
// statement per workspace (and 256 conversations).
func statHandOvers(ctx context.Context, x q, ids []int64, read map[int64]statRead) (map[int64]*statTrail, error) {
	byWS := map[int64][]int64{}
	for _, id := range ids {
		if r, ok := read[id]; ok {
			byWS[r.ws] = append(byWS[r.ws], id)
		}
	}
	out := map[int64]*statTrail{}
	for _, ws := range slices.Sorted(maps.Keys(byWS)) {
		for chunk := range slices.Chunk(byWS[ws], 256) {
			args := append([]any{ws}, anys(chunk)...)
			if err := x.each(ctx, func(scan func(dest ...any) error) error {
				var id, at int64
				var payload string
				if err := scan(&id, &payload, &at); err != nil {
					return err
				}
				ev, err := event.Decode([]byte(payload))
				if err != nil {
					return err
				}
				ev.CreatedAt = fromMicros(at)
				if ho, ok := handOverOf(ev); ok {
					if out[id] == nil {
						out[id] = &statTrail{}
					}
					out[id].handOver(ho)
				}
				return nil
			}, `SELECT conversation_id, payload, created_at FROM events WHERE workspace_id = ? AND conversation_id IN (`+marks(len(chunk))+`)
				AND type IN ('conversation.assigned', 'conversation.transferred') ORDER BY conversation_id, seq`, args...); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// statKeeps holds statKeep's statements by number of conversations.
var statKeeps sync.Map

// statKeep keeps n conversations' parts and trails on their rows; its
// arguments are each one's parts, trail and ID. One conversation, the
// usual batch, is a plain UPDATE: SQLite's UPDATE … FROM a VALUES list
// cost twice as much.
func statKeep(n int) string {
	if n == 1 {
		return `UPDATE conversations SET stat_parts = ?, stat_trail = ? WHERE id = ?`
	}
	if s, ok := statKeeps.Load(n); ok {
		return s.(string)
	}
	s := `UPDATE conversations SET stat_parts = v.column1, stat_trail = v.column2 FROM (VALUES ` +
		strings.Repeat(`, (CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT))`, n)[2:] + `) AS v
		WHERE conversations.id = v.column3`
	statKeeps.Store(n, s)
	return s
}

// PauseStatsRollup turns the roll-up off (true) or on again, for
// measuring what it costs: storetest.BenchRollupAB alternates
// conversations with and without it in one process, so that a shared
// machine's changing load falls on both alike. Writes made while it is off
// are never counted: never for a database that keeps its statistics.
func (db *DB) PauseStatsRollup(paused bool) { db.statsPaused.Store(paused) }

// checkStatZone notes the time zone a workspace's roll-up is counted in
// and, when it changed, schedules the job that recounts the roll-up in the
// new zone (stats.JobRebuild). Until the job has run, conversations keep
// the days they had and each one that changes moves to its new days.
func (db *DB) checkStatZone(ctx context.Context, x q, now time.Time, workspaceID int64, zone string) error {
	if zone == "" {
		ws, err := db.workspaceIn(ctx, x, workspaceID)
		if err != nil {
			return err
		}
		zone = zoneOf(ws.Settings).String()
	}
	var kept string
	err := x.row(ctx, `SELECT time_zone FROM stat_zones WHERE workspace_id = ?`, workspaceID).Scan(&kept)
	switch {
	case err == sql.ErrNoRows:
		_, err = x.exec(ctx, `INSERT INTO stat_zones (workspace_id, time_zone) VALUES (?, ?)`, workspaceID, zone)
		return err
	case err != nil:
		return err
	case kept == zone:
		// Remembered even should this batch roll back: the next batch
		// compares it with the zone its own read of the row gives.
		db.statZones.Store(workspaceID, zone)
		return nil
	}
	if _, err := x.exec(ctx, `UPDATE stat_zones SET time_zone = ? WHERE workspace_id = ?`, zone, workspaceID); err != nil {
		return err
	}
	_, err = x.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0,
		claimed_by = NULL, claimed_until = NULL, last_error = ''`, stats.JobRebuild, workspaceID, micros(now))
	return err
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// statLocationOf is a workspace's time zone, in which its days are
// counted, from its settings as read in the write (another node may have
// changed them), decoded once per workspace and text: reading and decoding
// the whole workspace was a sixth of what keeping the roll-up cost
// (docs/benchmarks.md).
func statLocationOf(workspaceID int64, text string) (*time.Location, error) {
	if z, ok := statSettings.Load(workspaceID); ok && z.(zoneBySettings).text == text {
		return z.(zoneBySettings).loc, nil
	}
	s, err := decodeSettings(text)
	if err != nil {
		return nil, err
	}
	loc := zoneOf(s)
	statSettings.Store(workspaceID, zoneBySettings{text, loc})
	return loc, nil
}

// statSettings holds, per workspace ID, the last settings text
// statLocationOf decoded and its zone: the zone depends on the text alone,
// so one kept for the same ID in another database is still right.
var statSettings sync.Map

type zoneBySettings struct {
	text string
	loc  *time.Location
}

// statLocations holds the zones loaded so far by name: loading one reads
// the zone database's file each time (a tenth of what keeping the roll-up
// cost a lifecycle write, in a CPU profile), and a Location never changes.
var statLocations sync.Map

// zoneOf is s.Location(), loaded once per zone name.
func zoneOf(s chat.Settings) *time.Location {
	if loc, ok := statLocations.Load(s.Hours.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc := s.Location()
	statLocations.Store(s.Hours.TimeZone, loc)
	return loc
}

// statRow is what statistics read of a conversation's row.
type statRow struct {
	id, agentID, categoryID int64
	channel, state, reason  string
	path                    string
	created                 int64
	closed, rating          sql.NullInt64
	refused                 bool // agent_refused_at is set
}

// statRead is what a write's statistics read of one conversation: its
// row, with its workspace and first reply's time (conversations.first_reply_at:
// the first agent message to the customer, NULL while there is none), and
// the parts and trail its statistics last kept on it.
type statRead struct {
	statRow
	ws                  int64
	firstReply          sql.NullInt64
	stored, storedTrail sql.NullString
}

// statRead reads, inside a write, the conversations ids as the transaction
// leaves them with their stored parts and trails, and their workspaces'
// settings, in one statement (per 256 conversations; the settings were a
// statement of their own).
func (db *DB) statRead(ctx context.Context, x q, ids []int64) (map[int64]statRead, map[int64]string, error) {
	read := make(map[int64]statRead, len(ids))
	settings := map[int64]string{}
	var stmts []Stmt
	for chunk := range slices.Chunk(ids, 256) {
		stmts = append(stmts, Stmt{Query: `SELECT c.id, c.workspace_id, COALESCE(c.assignee_id, 0), COALESCE(c.category_id, 0), c.channel,
			c.state, c.close_reason, c.agent_path, c.created_at, c.closed_at, c.rating_score, c.first_reply_at, c.stat_parts, c.stat_trail,
			w.settings, c.agent_refused_at IS NOT NULL FROM conversations c JOIN workspaces w ON w.id = c.workspace_id
			WHERE c.id IN (` + marks(len(chunk)) + `)`, Args: anys(chunk), Row: func(scan func(dest ...any) error) error {
			var r statRead
			var text string
			if err := scan(&r.id, &r.ws, &r.agentID, &r.categoryID, &r.channel, &r.state, &r.reason, &r.path, &r.created,
				&r.closed, &r.rating, &r.firstReply, &r.stored, &r.storedTrail, &text, &r.refused); err != nil {
				return err
			}
			read[r.id] = r
			settings[r.ws] = text
			return nil
		}})
	}
	if len(stmts) == 0 {
		return read, settings, nil
	}
	if err := x.batch(ctx, stmts...); err != nil {
		return nil, nil, err
	}
	return read, settings, nil
}

const statRowSelect = `SELECT id, COALESCE(assignee_id, 0), COALESCE(category_id, 0), channel, state, close_reason, agent_path,
	created_at, closed_at, rating_score, agent_refused_at IS NOT NULL FROM conversations`

func scanStatRow(r interface{ Scan(...any) error }) (statRow, error) {
	var s statRow
	err := r.Scan(&s.id, &s.agentID, &s.categoryID, &s.channel, &s.state, &s.reason, &s.path, &s.created, &s.closed, &s.rating, &s.refused)
	return s, err
}

// handOver is an assignment or a transfer, in the order they happened.
type handOver struct {
	transfer bool
	at       time.Time
	from, to int64
}

func handOverOf(ev chat.Event) (handOver, bool) {
	if ev.Conversation == nil {
		return handOver{}, false
	}
	switch ev.Type {
	case chat.EventConversationAssigned:
		return handOver{at: ev.CreatedAt, to: ev.Conversation.AssigneeID}, true
	case chat.EventConversationTransferred:
		return handOver{transfer: true, at: ev.CreatedAt, from: ev.PrevAssigneeID, to: ev.Conversation.AssigneeID}, true
	}
	return handOver{}, false
}

// statTrail is what a conversation's statistics take from its events and
// messages rather than its row: its hand-overs, folded as they happened,
// its first agent reply and, for one the robot handed over, when it did.
// Each write keeps it in conversations.stat_trail, so the next reads no
// events, and no messages once the first reply is known. Times are in
// microseconds, as stored.
type statTrail struct {
	Assigned   *int64     `json:"a,omitempty"` // first received by an agent
	Agent      int64      `json:"g,omitempty"` // who
	Replied    *int64     `json:"r,omitempty"` // first agent message to the customer
	ReplyAgent int64      `json:"ra,omitempty"`
	HandedOver *int64     `json:"h,omitempty"` // the robot's handover
	Transfers  [][2]int64 `json:"t,omitempty"` // when, and from which agent
}

// handOver adds the next assignment or transfer.
func (tr *statTrail) handOver(ho handOver) {
	at := micros(ho.at)
	if ho.transfer && ho.from == 0 {
		// A manager handed a queued chat, or one the robot held, to an
		// agent: nobody held it, so it is an assignment (the first, unless
		// one came before), not a transfer from one agent to another.
		ho.transfer = false
	}
	if ho.transfer {
		tr.Transfers = append(tr.Transfers, [2]int64{at, ho.from})
	} else if tr.Assigned == nil {
		tr.Assigned, tr.Agent = &at, ho.to
	}
	if tr.Assigned == nil && ho.transfer {
		// Handed over before any recorded assignment (cannot happen
		// today): the first holder is who handed it over.
		tr.Assigned, tr.Agent = &at, ho.from
	}
}

func timeOf(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// history assembles a conversation's statistics history from its row and
// its trail.
func (tr statTrail) history(r statRow) stats.History {
	h := stats.History{Channel: r.channel, CategoryID: r.categoryID, CreatedAt: fromMicros(r.created),
		HandedOverAt: timeOf(tr.HandedOver), FirstAssignedAt: timeOf(tr.Assigned), FirstAgentID: tr.Agent,
		FirstReplyAt: timeOf(tr.Replied), FirstReplyAgentID: tr.ReplyAgent}
	for _, t := range tr.Transfers {
		h.Transfers = append(h.Transfers, stats.Transfer{At: fromMicros(t[0]), FromAgentID: t[1]})
	}
	if r.state == string(chat.StateClosed) && r.closed.Valid {
		at := fromMicros(r.closed.Int64)
		h.ClosedAt, h.ClosedAgentID = &at, r.agentID
		h.Robot = r.reason == chat.CloseByRobot
		h.AgentRefused = r.refused
	}
	if r.rating.Valid {
		h.Rating = int(r.rating.Int64)
	}
	return h
}

// robotFirst reports whether the robot handed the conversation over: its
// step (no agent ID) is first on the agent path.
func robotFirst(path string) bool {
	var steps []chat.PathStep
	return json.Unmarshal([]byte(path), &steps) == nil && len(steps) > 0 && steps[0].AgentID == 0
}

// handoverWhere picks a handover's system message.
const handoverWhere = `kind = 'system' AND body = '` + chat.SystemHandover + `'`

// keptTrail is a conversation's trail after a write, as JSON, and whether
// it differs from the stored one.
type keptTrail struct {
	json    string
	changed bool
}

// statHistory assembles one conversation's history in the roll-up step:
// its row as the transaction finds it, its hand-overs as its stored events
// give them (statHandOvers; nil: none) and what its stored trail keeps of
// its messages — its first reply and the robot's handover, which never
// change once sent. It reads messages only for an assigned conversation
// whose first reply (conversations.first_reply_at) was sent but is not yet
// kept, or while a robot's handover is unknown.
func (db *DB) statHistory(ctx context.Context, x q, r statRead, handOvers *statTrail) (stats.History, keptTrail, error) {
	id, storedTrail := r.id, r.storedTrail
	var kept statTrail
	if storedTrail.Valid {
		if err := json.Unmarshal([]byte(storedTrail.String), &kept); err != nil {
			return stats.History{}, keptTrail{}, fmt.Errorf("conversation %d: stat_trail: %w", id, err)
		}
	}
	var tr statTrail
	if handOvers != nil {
		tr = *handOvers
	}
	tr.Replied, tr.ReplyAgent, tr.HandedOver = kept.Replied, kept.ReplyAgent, kept.HandedOver
	var err error
	if tr.Replied == nil && r.firstReply.Valid && (tr.Assigned != nil || r.agentID != 0) {
		// Every agent message to the customer sets first_reply_at when it
		// is the first: without it there is nothing to look for.
		var agentID, at int64
		err = x.row(ctx, `SELECT sender_id, created_at FROM messages WHERE conversation_id = ? AND sender_type = 'agent'
			AND NOT internal AND kind IN ('text', 'file') ORDER BY seq LIMIT 1`, id).Scan(&agentID, &at)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return stats.History{}, keptTrail{}, err
		default:
			tr.Replied, tr.ReplyAgent = &at, agentID
		}
	}
	if tr.HandedOver == nil && robotFirst(r.path) {
		var at int64
		err = x.row(ctx, `SELECT created_at FROM messages WHERE conversation_id = ? AND `+handoverWhere+` ORDER BY seq LIMIT 1`, id).Scan(&at)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return stats.History{}, keptTrail{}, err
		default:
			tr.HandedOver = &at
		}
	}
	b, err := json.Marshal(tr)
	if err != nil {
		return stats.History{}, keptTrail{}, err
	}
	return tr.history(r.statRow), keptTrail{json: string(b), changed: !storedTrail.Valid || storedTrail.String != string(b)}, nil
}

// AddStatRows adds rows to a workspace's roll-up as they are, in one
// write: for bulk loads (the statistics benchmark), never for counting
// conversations, which restat does.
func (db *DB) AddStatRows(ctx context.Context, workspaceID int64, rows map[stats.Key]stats.Measures) error {
	_, err := db.write(ctx, func(t *txn) error { return db.addStatDaysBy(ctx, t.q, workspaceID, rows, 256) })
	return err
}

// addStatDaysBy adds deltas to a workspace's roll-up rows, chunkSize rows
// a statement, in key order so that concurrent transactions lock shared
// rows in one order.
func (db *DB) addStatDaysBy(ctx context.Context, x q, workspaceID int64, deltas map[stats.Key]stats.Measures, chunkSize int) error {
	keys := slices.SortedFunc(maps.Keys(deltas), compareStatKeys)
	// Only the measure columns some row changes are written: a change
	// moves three to five of the 44 (an arrival its inflow, a take its
	// queue wait, a first reply its response time and one histogram
	// count, a close its completion), and binding and adding all of them
	// was most of what an upsert cost (docs/benchmarks.md, branch
	// rollup3).
	var mask uint64
	for _, m := range deltas {
		for i, p := range m.Fields() {
			if *p != 0 {
				mask |= 1 << i
			}
		}
	}
	var cols []int
	for i := range stats.Columns {
		if mask&(1<<i) != 0 {
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	for chunk := range slices.Chunk(keys, chunkSize) {
		args := make([]any, 0, len(chunk)*(6+len(cols)))
		for _, k := range chunk {
			m := deltas[k]
			f := m.Fields()
			args = append(args, workspaceID, k.Level(), k.Day, k.AgentID, k.Channel, k.CategoryID)
			for _, i := range cols {
				args = append(args, *f[i])
			}
		}
		if err := x.later(ctx, statUpsert(mask, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// statUpserts holds the roll-up's upsert statements by measure columns and
// rows, built once each.
var statUpserts sync.Map

// statUpsert adds rows of the measure columns in mask (bit i: column i of
// stats.Columns) to stat_days.
func statUpsert(mask uint64, rows int) string {
	type shape struct {
		mask uint64
		rows int
	}
	if s, ok := statUpserts.Load(shape{mask, rows}); ok {
		return s.(string)
	}
	var cols, set []string
	for i, c := range stats.Columns {
		if mask&(1<<i) != 0 {
			cols = append(cols, c)
			set = append(set, c+` = stat_days.`+c+` + excluded.`+c)
		}
	}
	one := `(?, ?, ?, ?, ?, ?` + strings.Repeat(`, ?`, len(cols)) + `)`
	s := `INSERT INTO stat_days (workspace_id, level, day, agent_id, channel, category_id, ` + strings.Join(cols, `, `) + `)
		VALUES ` + strings.Repeat(`, `+one, rows)[2:] + `
		ON CONFLICT (workspace_id, level, day, agent_id, channel, category_id) DO UPDATE SET ` + strings.Join(set, `, `)
	statUpserts.Store(shape{mask, rows}, s)
	return s
}

func compareStatKeys(a, b stats.Key) int {
	switch {
	case a.Day != b.Day:
		return a.Day - b.Day
	case a.AgentID != b.AgentID:
		return cmpInt(a.AgentID, b.AgentID)
	case a.Channel != b.Channel:
		return strings.Compare(a.Channel, b.Channel)
	}
	return cmpInt(a.CategoryID, b.CategoryID)
}

// StatRows sums the roll-up over sel, per day and group key, from the
// kept level of the dimensions sel filters or groups by (stats.ReadLevel:
// the same, split by channel).
//
// It reads that level's rows as they are and sums them here: a level has
// one row per day, channel and value of its dimensions, so a selection
// sums the (three to five) channels of each day and group unless it asks
// for one, and a category with those below it a handful of rows more.
// Summing 44 columns in SQL cost SQLite (and PostgreSQL, whose SUM of a
// bigint is a numeric) several times what reading them does
// (docs/benchmarks.md).
func (db *DB) StatRows(ctx context.Context, workspaceID int64, sel stats.Selection) ([]stats.Row, error) {
	// Every change committed so far is counted before reading (FoldStats).
	if err := db.FoldStats(ctx); err != nil {
		return nil, err
	}
	level := 0
	if sel.Group == stats.GroupAgent || sel.AgentID != 0 {
		level |= stats.LevelAgent
	}
	if sel.Group == stats.GroupChannel || sel.Channel != "" {
		level |= stats.LevelChannel
	}
	if sel.Group == stats.GroupCategory || len(sel.CategoryIDs) > 0 {
		level |= stats.LevelCategory
	}
	out, err := db.statLevelRows(ctx, workspaceID, sel, stats.ReadLevel(level), sel.Group)
	if err != nil || sel.Group != stats.GroupAgent || sel.AgentID != 0 {
		return out, err
	}
	// "No agent" has no rows of its own on a level split by agent
	// (stats.Levels): each day's is the same selection at the level
	// without the agent minus the agents' sum.
	all, err := db.statLevelRows(ctx, workspaceID, sel, stats.ReadLevel(level&^stats.LevelAgent), stats.GroupNone)
	if err != nil {
		return nil, err
	}
	agents := map[int]stats.Measures{}
	for _, r := range out {
		m := agents[r.Day]
		m.Add(r.Measures, 1)
		agents[r.Day] = m
	}
	for _, r := range all {
		if m := stats.NoAgent(r.Measures, agents[r.Day]); !m.Zero() {
			out = append(out, stats.Row{Day: r.Day, GroupKey: "0", Measures: m})
		}
	}
	slices.SortStableFunc(out, func(a, b stats.Row) int { return a.Day - b.Day })
	return out, nil
}

// statLevelRows sums one kept level's rows over sel's days and filters,
// per day and value of group (none: one row a day).
func (db *DB) statLevelRows(ctx context.Context, workspaceID int64, sel stats.Selection, level int, group string) ([]stats.Row, error) {
	where := []string{`level = ?`}
	args := []any{workspaceID, sel.From, sel.To, level}
	if sel.AgentID != 0 && level&stats.LevelAgent != 0 {
		where = append(where, `agent_id = ?`)
		args = append(args, sel.AgentID)
	}
	if sel.Channel != "" {
		where = append(where, `channel = ?`)
		args = append(args, sel.Channel)
	}
	if len(sel.CategoryIDs) > 0 {
		where = append(where, `category_id IN (`+marks(len(sel.CategoryIDs))+`)`)
		args = append(args, anys(sel.CategoryIDs)...)
	}
	key := `''`
	switch group {
	case stats.GroupAgent:
		key = `agent_id`
	case stats.GroupChannel:
		key = `channel`
	case stats.GroupCategory:
		key = `category_id`
	}
	rows, err := db.read().query(ctx, `SELECT day, `+key+`, `+strings.Join(stats.Columns, `, `)+` FROM stat_days
		WHERE workspace_id = ? AND day >= ? AND day <= ? AND `+strings.Join(where, ` AND `), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type cell struct {
		day int
		key string
	}
	at := map[cell]int{} // index in out
	var out []stats.Row
	var r stats.Row
	dest := []any{&r.Day, &r.GroupKey}
	for _, p := range r.Measures.Fields() {
		dest = append(dest, p)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if r.Measures.Zero() {
			continue
		}
		c := cell{r.Day, r.GroupKey}
		if i, ok := at[c]; ok {
			out[i].Measures.Add(r.Measures, 1)
			continue
		}
		at[c] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b stats.Row) int { return a.Day - b.Day })
	return out, nil
}

// StoredStats reads a workspace's whole roll-up, leaving out rows that
// sum to nothing.
func (db *DB) StoredStats(ctx context.Context, workspaceID int64) (map[stats.Key]stats.Measures, error) {
	if err := db.FoldStats(ctx); err != nil {
		return nil, err
	}
	// Only the kept levels: a node of a version that kept others may
	// still have written them during an upgrade (migration 0018).
	levels := make([]any, 0, 1+len(stats.KeptLevels))
	levels = append(levels, workspaceID)
	for _, l := range stats.KeptLevels {
		levels = append(levels, l)
	}
	rows, err := db.read().query(ctx, `SELECT day, agent_id, channel, category_id, `+strings.Join(stats.Columns, `, `)+`
		FROM stat_days WHERE workspace_id = ? AND level IN (`+marks(len(stats.KeptLevels))+`)`, levels...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[stats.Key]stats.Measures{}
	for rows.Next() {
		var k stats.Key
		var m stats.Measures
		dest := []any{&k.Day, &k.AgentID, &k.Channel, &k.CategoryID}
		for _, p := range m.Fields() {
			dest = append(dest, p)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if !m.Zero() {
			out[k] = m
		}
	}
	return out, rows.Err()
}

// RecomputeStats computes a workspace's roll-up from its raw conversations.
func (db *DB) RecomputeStats(ctx context.Context, workspaceID int64) (map[stats.Key]stats.Measures, error) {
	var out map[stats.Key]stats.Measures
	err := db.recompute(ctx, db.read(), workspaceID, func(id int64, parts []stats.Part, _ statTrail) error {
		if out == nil {
			out = map[stats.Key]stats.Measures{}
		}
		for k, m := range stats.Cells(parts) {
			sum := out[k]
			sum.Add(m, 1)
			out[k] = sum
		}
		return nil
	})
	for k, m := range out {
		if m.Zero() {
			delete(out, k)
		}
	}
	if out == nil {
		out = map[stats.Key]stats.Measures{}
	}
	return out, err
}

// recompute calls each with the parts and trail of every conversation of
// a workspace, computed from its row, its events and its messages.
func (db *DB) recompute(ctx context.Context, x q, workspaceID int64, each func(id int64, parts []stats.Part, tr statTrail) error) error {
	ws, err := db.workspaceIn(ctx, x, workspaceID)
	if err != nil {
		return err
	}
	loc := ws.Settings.Location()
	trails := map[int64]*statTrail{}
	trail := func(id int64) *statTrail {
		if trails[id] == nil {
			trails[id] = &statTrail{}
		}
		return trails[id]
	}
	rows, err := x.query(ctx, `SELECT conversation_id, payload, created_at FROM events WHERE workspace_id = ?
		AND type IN ('conversation.assigned', 'conversation.transferred') ORDER BY seq`, workspaceID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, at int64
		var payload string
		if err := rows.Scan(&id, &payload, &at); err != nil {
			rows.Close()
			return err
		}
		ev, err := event.Decode([]byte(payload))
		if err != nil {
			rows.Close()
			return err
		}
		ev.CreatedAt = fromMicros(at)
		if ho, ok := handOverOf(ev); ok {
			trail(id).handOver(ho)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	handovers := map[int64]*int64{}
	rows, err = x.query(ctx, `SELECT conversation_id, sender_type, COALESCE(sender_id, 0), created_at FROM messages WHERE workspace_id = ?
		AND ((sender_type = 'agent' AND NOT internal AND kind IN ('text', 'file')) OR (`+handoverWhere+`))
		ORDER BY conversation_id, seq`, workspaceID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, agentID, at int64
		var sender string
		if err := rows.Scan(&id, &sender, &agentID, &at); err != nil {
			rows.Close()
			return err
		}
		switch tr := trail(id); {
		case sender != string(chat.SenderAgent):
			if handovers[id] == nil {
				handovers[id] = &at
			}
		case tr.Replied == nil:
			tr.Replied, tr.ReplyAgent = &at, agentID
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = x.query(ctx, statRowSelect+` WHERE workspace_id = ? ORDER BY id`, workspaceID)
	if err != nil {
		return err
	}
	var convs []statRow
	for rows.Next() {
		r, err := scanStatRow(rows)
		if err != nil {
			rows.Close()
			return err
		}
		convs = append(convs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range convs {
		tr := trail(r.id)
		if robotFirst(r.path) {
			tr.HandedOver = handovers[r.id]
		}
		if err := each(r.id, stats.Facts(tr.history(r), loc), *tr); err != nil {
			return err
		}
	}
	return nil
}

// ForgetStatTrails clears a workspace's kept trails, as a database counted
// before migration 0017 has them: only for the test that such
// conversations go on being counted exactly.
func (db *DB) ForgetStatTrails(ctx context.Context, workspaceID int64) error {
	_, err := db.write(ctx, func(t *txn) error {
		_, err := t.exec(ctx, `UPDATE conversations SET stat_trail = NULL WHERE workspace_id = ?`, workspaceID)
		return err
	})
	return err
}

// RebuildStats replaces a workspace's roll-up with its recomputation, in
// one write (sodam admin stats-rebuild).
func (db *DB) RebuildStats(ctx context.Context, workspaceID int64) (int, error) {
	var n int
	_, err := db.write(ctx, func(t *txn) error {
		var err error
		n, err = db.rebuildStats(ctx, t, workspaceID)
		return err
	})
	return n, err
}

// RebuildStats is the rebuild as a step of a job's transaction
// (stats.JobRebuild).
func (x tx) RebuildStats(ctx context.Context, workspaceID int64) (int, error) {
	return x.db.rebuildStats(ctx, x.t, workspaceID)
}

func (db *DB) rebuildStats(ctx context.Context, t *txn, workspaceID int64) (int, error) {
	n := 0
	if _, err := t.exec(ctx, `DELETE FROM stat_days WHERE workspace_id = ?`, workspaceID); err != nil {
		return 0, err
	}
	sums := map[stats.Key]stats.Measures{}
	// Every conversation of the workspace gets its parts and trail afresh.
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := t.exec(ctx, statKeep(len(batch)/3), batch...)
		batch = batch[:0]
		return err
	}
	err := db.recompute(ctx, t.q, workspaceID, func(id int64, parts []stats.Part, tr statTrail) error {
		n++
		for k, m := range stats.Cells(parts) {
			sum := sums[k]
			sum.Add(m, 1)
			sums[k] = sum
		}
		b, err := json.Marshal(parts)
		if err != nil {
			return err
		}
		trail, err := json.Marshal(tr)
		if err != nil {
			return err
		}
		batch = append(batch, string(b), string(trail), id)
		if len(batch) >= 3*64 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	for k, m := range sums {
		if m.Zero() {
			delete(sums, k)
		}
	}
	if err := db.addStatDaysBy(ctx, t.q, workspaceID, sums, 256); err != nil {
		return 0, err
	}
	ws, err := db.workspaceIn(ctx, t.q, workspaceID)
	if err != nil {
		return 0, err
	}
	_, err = t.exec(ctx, `INSERT INTO stat_zones (workspace_id, time_zone) VALUES (?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET time_zone = excluded.time_zone`, workspaceID, ws.Settings.Location().String())
	return n, err
}

// StatCategories lists every category of a workspace, deleted ones too
// (past conversations keep them).
func (db *DB) StatCategories(ctx context.Context, workspaceID int64) ([]chat.Category, error) {
	return db.categories(ctx, db.read(), `workspace_id = ?`, workspaceID)
}
