package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Group commit. A durable commit costs a log flush (an fsync on SQLite, a
// WAL flush on PostgreSQL) and, on PostgreSQL, holds the workspace's event
// sequence row until it is done, so one workspace's writes queue behind
// each other's commits. The writer therefore runs the writes that are
// waiting at the same moment in ONE transaction, each inside its own
// SAVEPOINT, and commits once:
//
//   - a write that fails rolls back to its savepoint alone and gets its own
//     error; the others in the batch go on;
//   - the events of every write that succeeded are numbered after the last
//     write ran, in the order the writes ran, as the transaction's last
//     statements: the event_seqs rows stay the last locks taken, so
//     sequence order is still commit order;
//   - nobody hears of success before the COMMIT returned: acknowledged
//     means committed means durable, and events are published only then.
//
// A write that finds nobody ahead of it runs at once on its own goroutine,
// without a savepoint: batching adds no latency when there is no
// concurrency. Writes that arrive while a batch runs wait for it and form
// the next batch, at most maxBatch of them.

// maxBatch bounds how many writes share a transaction: enough to amortize a
// commit many times over, few enough that one batch holds its locks briefly.
const maxBatch = 128

// batchTimeout bounds one batch. Statements in a batch run under the
// batch's context rather than their caller's, because one caller giving up
// must not abort a transaction that others share; this is what stops a
// batch from hanging on a database that stopped answering.
const batchTimeout = 30 * time.Second

// maxAttempts is how often a write that lost a deadlock or serialization
// conflict runs before its caller gets the error.
const maxAttempts = 3

const (
	queued int32 = iota
	taken
	withdrawn
)

// writeReq is one caller's write on its way through a lane.
type writeReq struct {
	ctx      context.Context
	fn       func(*txn) error
	state    atomic.Int32
	attempts int
	events   []chat.Event
	err      error
	done     chan struct{}
}

func (r *writeReq) finish(events []chat.Event, err error) {
	r.events, r.err = events, err
	close(r.done)
}

// lane is a queue of writes of which one batch at a time is in flight.
// SQLite has one lane (one writer connection); PostgreSQL has several, one
// conversation's writes always in the same lane.
type lane struct {
	mu    sync.Mutex
	queue []*writeReq
	busy  bool // a goroutine is running this lane's batches
	gate  int  // GroupNext: hold writes until this many are queued
}

// GroupNext makes the next n writes wait for each other and run as one
// batch (up to maxBatch), so tests can check a batch's semantics
// deterministically instead of hoping that writes overlap. Until then every
// write goes to the first lane.
func (db *DB) GroupNext(n int) {
	l := &db.lanes[0]
	l.mu.Lock()
	l.gate = n
	db.grouping.Store(n > 0)
	l.mu.Unlock()
}

// write runs fn in a write transaction, perhaps shared with other writes
// (see group commit above), and returns the events fn emitted, numbered,
// once the transaction has committed.
func (db *DB) write(ctx context.Context, fn func(*txn) error) ([]chat.Event, error) {
	return db.writeIn(ctx, 0, fn)
}

// writeIn is write in the lane of key: writes with the same key never run
// in concurrent batches, so they cannot deadlock each other.
func (db *DB) writeIn(ctx context.Context, key int64, fn func(*txn) error) ([]chat.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	if db.grouping.Load() {
		key = 0
	}
	l := &db.lanes[uint64(key)%uint64(len(db.lanes))]
	l.mu.Lock()
	l.queue = append(l.queue, r)
	lead := !l.busy && l.ready()
	if lead {
		l.busy = true
	}
	l.mu.Unlock()
	if lead {
		// Run the first batch here, so a lone write pays no hand-off, and
		// leave whatever queued meanwhile to a goroutine: a caller never
		// works through other callers' writes before it hears of its own.
		if db.runNext(l) {
			go db.drain(l)
		}
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, withdrawn) {
			return nil, ctx.Err()
		}
		<-r.done // in a batch already: its outcome is coming
	}
	return r.events, r.err
}

func (db *DB) drain(l *lane) {
	for db.runNext(l) {
	}
}

// runNext runs the lane's next batch and reports whether another may run
// now; when none may, it marks the lane idle.
func (db *DB) runNext(l *lane) bool {
	l.mu.Lock()
	if !l.ready() {
		l.busy = false
		l.mu.Unlock()
		return false
	}
	if l.gate > 0 {
		l.gate = 0
		db.grouping.Store(false)
	}
	n := min(len(l.queue), maxBatch)
	batch := append([]*writeReq(nil), l.queue[:n]...)
	l.queue = append(l.queue[:0], l.queue[n:]...)
	l.mu.Unlock()

	var live []*writeReq
	for _, r := range batch {
		if r.state.CompareAndSwap(queued, taken) {
			live = append(live, r)
		}
	}
	retry := db.runBatch(live)

	l.mu.Lock()
	defer l.mu.Unlock()
	l.queue = append(retry, l.queue...)
	more := l.ready()
	if !more {
		l.busy = false
	}
	return more
}

// ready reports whether a batch may start. The caller holds l.mu.
func (l *lane) ready() bool {
	return len(l.queue) > 0 && (l.gate == 0 || len(l.queue) >= l.gate)
}

// runBatch runs reqs in one transaction and finishes each, except those
// that lost a deadlock or serialization conflict and may run again: it
// returns them.
func (db *DB) runBatch(reqs []*writeReq) (retry []*writeReq) {
	if len(reqs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	// failAll ends the batch for everyone: the transaction is gone.
	failAll := func(err error) []*writeReq {
		for _, r := range reqs {
			if db.retryable(r, err) {
				retry = append(retry, r)
			} else {
				r.finish(nil, err)
			}
		}
		return retry
	}
	x, commit, rollback, err := db.begin(ctx)
	if err != nil {
		return failAll(fmt.Errorf("begin: %w", err))
	}
	committed := false
	defer func() {
		if !committed {
			rollback()
		}
	}()
	now := db.Now().UTC().Truncate(time.Microsecond)
	shared := len(reqs) > 1
	var ok []*txn
	var okReqs []*writeReq
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.finish(nil, err) // gave up before its turn: nothing ran
			continue
		}
		t := &txn{q: x, now: now}
		if !shared {
			if err := r.fn(t); err != nil {
				if db.retryable(r, err) {
					return []*writeReq{r}
				}
				r.finish(nil, err)
				return nil
			}
			ok, okReqs = append(ok, t), append(okReqs, r)
			break
		}
		if _, err := x.exec(ctx, `SAVEPOINT w`); err != nil {
			return failAll(err)
		}
		if err := r.fn(t); err != nil {
			if _, rbErr := x.exec(ctx, `ROLLBACK TO SAVEPOINT w`); rbErr != nil {
				return failAll(rbErr)
			}
			if db.retryable(r, err) {
				retry = append(retry, r)
			} else {
				r.finish(nil, err)
			}
		} else {
			ok, okReqs = append(ok, t), append(okReqs, r)
		}
		if _, err := x.exec(ctx, `RELEASE SAVEPOINT w`); err != nil {
			return failAll(err)
		}
	}
	if len(ok) == 0 {
		return retry
	}
	reqs = okReqs // from here a failure concerns only the writes that succeeded
	if err := db.appendEvents(ctx, x, now, ok); err != nil {
		return failAll(err)
	}
	if err := commit(); err != nil {
		// Whether PostgreSQL committed is unknown when the connection broke
		// during COMMIT: report it, and never run the writes again.
		for _, r := range okReqs {
			r.finish(nil, fmt.Errorf("commit: %w", err))
		}
		return retry
	}
	committed = true
	for i, r := range okReqs {
		r.finish(ok[i].pending, nil)
	}
	return retry
}

// retryable reports whether r lost a conflict it may win on another try,
// counting the attempt; r goes back to the queue, where its caller may
// still give up on it.
func (db *DB) retryable(r *writeReq, err error) bool {
	if db.d.IsRetryable == nil || !db.d.IsRetryable(err) || r.attempts+1 >= maxAttempts {
		return false
	}
	r.attempts++
	r.state.Store(queued)
	return true
}

// begin starts a batch's transaction. PostgreSQL uses database/sql's
// transactions (its driver caches prepared statements by itself). SQLite's
// one writer connection is pinned so that statements stay prepared on it —
// parsing costs more than running these short statements — and transaction
// control is plain SQL on it, since a database/sql Tx would re-prepare.
func (db *DB) begin(ctx context.Context) (x q, commit func() error, rollback func(), err error) {
	if !db.d.SingleWriter {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return q{}, nil, nil, err
		}
		x = q{db: tx, d: &db.d, tx: true, ctx: ctx}
		return x, tx.Commit, func() { tx.Rollback() }, nil //nolint:errcheck // best effort; the error that ended the batch is what matters
	}
	sw := &db.single
	sw.mu.Lock()
	if sw.conn == nil {
		sw.conn, err = db.w.Conn(ctx)
		sw.stmts = map[string]*sql.Stmt{}
	}
	sw.mu.Unlock()
	if err != nil {
		return q{}, nil, nil, err
	}
	x = q{db: sw.conn, d: &db.d, tx: true, ctx: ctx, stmts: sw}
	if _, err := x.exec(ctx, `BEGIN IMMEDIATE`); err != nil {
		return q{}, nil, nil, err
	}
	commit = func() error { _, err := x.exec(ctx, `COMMIT`); return err }
	rollback = func() {
		// Under a fresh context: the batch's may be what ran out.
		sw.conn.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // fails only when nothing is open
	}
	return x, commit, rollback, nil
}

// singleWriter is SQLite's pinned writer connection and the statements
// prepared on it. Only the one lane's running batch uses it.
type singleWriter struct {
	mu    sync.Mutex
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// maxStmts bounds the statement cache; SQL built per call (IN lists of
// varying length) beyond it runs unprepared.
const maxStmts = 512

func (sw *singleWriter) stmt(ctx context.Context, query string) *sql.Stmt {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if s, ok := sw.stmts[query]; ok {
		return s
	}
	if len(sw.stmts) >= maxStmts {
		return nil
	}
	s, err := sw.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil // run it unprepared, which reports the error
	}
	sw.stmts[query] = s
	return s
}

func (sw *singleWriter) close() error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.conn == nil {
		return nil
	}
	for _, s := range sw.stmts {
		s.Close()
	}
	return sw.conn.Close()
}
