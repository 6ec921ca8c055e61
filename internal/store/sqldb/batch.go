package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
// waiting at the same moment in ONE transaction and commits once. The
// messages to append go first, together (appendMessages: a few statements
// for any number); then every other write, each inside its own SAVEPOINT:
//
//   - a write that fails rolls back to its savepoint alone and gets its own
//     error; the others in the batch go on (a refused message is refused
//     before anything is written);
//   - the events of every write that succeeded are numbered after the last
//     write ran, in the order the writes ran, as the transaction's last
//     statements: the event_seqs rows stay the last locks taken, so
//     sequence order is still commit order;
//   - nobody hears of success before the COMMIT returned: acknowledged
//     means committed means durable, and events are published only then.
//
// A write that finds nobody ahead of it runs at once on its caller's goroutine,
// without a savepoint: batching adds no latency when there is no
// concurrency. Writes that arrive while a batch runs wait for it and form
// the next batch, at most maxBatch of them. One batch runs its statements
// at a time per node. Two side by side, each on its own conversations,
// kept every order but cost 1.5–2× the CPU a message on both sides
// (half-size batches, the second waiting on the first's event counter),
// so on a busy machine they were no faster (docs/benchmarks.md, pglive).
// On PostgreSQL a batch of messages is two round trips: its reads (with
// the new messages' IDs and the outbox's endpoints), then every write sent
// with the COMMIT, the events numbered by the database as it stores them
// (appendEventArrays). The next batch starts once that COMMIT returned.
// Starting it during the COMMIT, as the batches of four round trips did,
// made batches smaller and more of them, and on two cores a message's p50
// worse (docs/benchmarks.md).

// maxBatch bounds how many writes share a transaction: enough to amortize a
// commit many times over, few enough that one batch holds its locks briefly.
const maxBatch = 128

// batchTimeout bounds one batch on PostgreSQL. Statements in a batch run
// under the batch's context rather than their caller's, because one caller
// giving up must not abort a transaction that others share; this is what
// stops a batch from hanging on a database that stopped answering (SQLite:
// batchContext).
const batchTimeout = 30 * time.Second

// batchContext is the context a batch's statements run under. On SQLite
// it never ends: the file is local, a wait for another process's lock is
// bounded by busy_timeout, and a context that can end costs the driver a
// watcher goroutine and a progress handler for every statement
// (modernc.org/sqlite's interruptOnDone) — some twenty a batch, each a
// goroutine to create and schedule on the writer's path.
func (db *DB) batchContext() (context.Context, context.CancelFunc) {
	if db.d.SingleWriter {
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), batchTimeout)
}

// maxAttempts is how often a write that lost a deadlock or serialization
// conflict runs before its caller gets the error.
const maxAttempts = 3

const (
	queued int32 = iota
	taken
	withdrawn
)

// writeReq is one caller's write on its way through the writer: a closure, or
// a message to append (which a batch appends together with the others).
type writeReq struct {
	ctx      context.Context
	fn       func(*txn) error
	app      *appendReq
	state    atomic.Int32
	attempts int
	t        *txn  // this attempt's view of the transaction
	err      error // this attempt's own failure
	done     chan struct{}
}

// finish hands the caller its outcome: the events it emitted, or err.
func (r *writeReq) finish(err error) {
	if err != nil {
		r.t = nil
	}
	r.err = err
	close(r.done)
}

func (r *writeReq) events() []chat.Event {
	if r.t == nil {
		return nil
	}
	return r.t.pending
}

// writer is the queue of writes of which one batch at a time is in flight.
type writer struct {
	mu    sync.Mutex
	queue []*writeReq
	busy  bool // a goroutine is running batches
	gate  int  // GroupNext: hold writes until this many are queued
	// syncing counts batches waiting for the log's fsync (logsync.go).
	// While one does, a new batch starts only with minOverlap writes.
	syncing int
	// What WriterStats reports; atomic, as a scrape reads them while
	// batches run.
	batches, writes, busyNanos atomic.Int64
}

// WriterStats is what the group commit has done since the store opened.
type WriterStats struct {
	Batches int64         // transactions the writer ran
	Writes  int64         // writes they carried, retries counted again
	Busy    time.Duration // time spent running them, up to each COMMIT's return
}

// WriterStats reports the group commit's work. Busy against the time
// passed is how much of the time the writer is occupied: one batch runs
// at a time, so near 1 the writer is the node's bottleneck, and Writes
// per batch is how far it amortizes each commit (docs/operations.md).
func (db *DB) WriterStats() WriterStats {
	w := &db.writer
	return WriterStats{Batches: w.batches.Load(), Writes: w.writes.Load(), Busy: time.Duration(w.busyNanos.Load())}
}

// minOverlap is how many writes must be queued for a batch to start while
// an earlier one waits for the log's fsync. Its answer cannot come before
// that fsync ends and its own follows, so a batch started early with a
// write or two gains those writes little and costs the fixed work of a
// batch (some twenty statements) for them: below this it waits for the
// fsync, gathering more writes, as it did when COMMIT synced.
const minOverlap = 8

// ready reports whether a batch may start. The caller holds w.mu.
func (w *writer) ready() bool {
	return len(w.queue) > 0 && (w.gate == 0 || len(w.queue) >= w.gate) &&
		(w.syncing == 0 || len(w.queue) >= minOverlap)
}

// GroupNext makes the next n writes wait for each other and run as one
// batch (up to maxBatch), so tests can check a batch's semantics
// deterministically instead of hoping that writes overlap.
func (db *DB) GroupNext(n int) {
	db.writer.mu.Lock()
	db.writer.gate = n
	db.writer.mu.Unlock()
}

// Queued reports how many writes wait for a batch, so that tests can
// order the writes of a batch held with GroupNext.
func (db *DB) Queued() int {
	db.writer.mu.Lock()
	defer db.writer.mu.Unlock()
	return len(db.writer.queue)
}

// write runs fn in a write transaction, perhaps shared with other writes
// (see group commit above), and returns the events fn emitted, numbered,
// once the transaction has committed.
func (db *DB) write(ctx context.Context, fn func(*txn) error) ([]chat.Event, error) {
	r := &writeReq{ctx: ctx, fn: fn}
	if err := db.enqueue(r); err != nil {
		return nil, err
	}
	return r.events(), r.err
}

// enqueue queues r and returns once r is finished, or with the context's
// error if the caller gave up before r's batch began.
func (db *DB) enqueue(r *writeReq) error {
	ctx := r.ctx
	if err := ctx.Err(); err != nil {
		return err
	}
	r.done = make(chan struct{})
	w := &db.writer
	w.mu.Lock()
	w.queue = append(w.queue, r)
	lead := !w.busy && w.ready()
	if lead {
		w.busy = true
	}
	w.mu.Unlock()
	if lead {
		// Run the first batch here, so a lone write pays no hand-off, and
		// leave whatever queued meanwhile to a goroutine: a caller never
		// works through other callers' writes before it hears of its own.
		if db.runNext() {
			go db.drain()
		}
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, withdrawn) {
			return ctx.Err()
		}
		<-r.done // in a batch already: its outcome is coming
	}
	return nil
}

func (db *DB) drain() {
	for db.runNext() {
	}
}

// runNext runs the next batch and reports whether another may run now;
// when none may, it marks the writer idle.
func (db *DB) runNext() bool {
	w := &db.writer
	w.mu.Lock()
	if !w.ready() {
		w.busy = false
		w.mu.Unlock()
		return false
	}
	w.gate = 0
	n := min(len(w.queue), maxBatch)
	batch := append([]*writeReq(nil), w.queue[:n]...)
	w.queue = append(w.queue[:0], w.queue[n:]...)
	w.mu.Unlock()

	var live []*writeReq
	for _, r := range batch {
		if r.state.CompareAndSwap(queued, taken) {
			live = append(live, r)
		}
	}
	start := time.Now()
	retry := db.runBatch(live)
	if len(live) > 0 {
		w.batches.Add(1)
		w.writes.Add(int64(len(live)))
		w.busyNanos.Add(int64(time.Since(start)))
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue = append(retry, w.queue...)
	more := w.ready()
	if !more {
		w.busy = false
	}
	return more
}

// runBatch runs reqs in one transaction and finishes each, except those
// that lost a deadlock or serialization conflict and may run again: it
// returns them. Nobody is finished before the batch's COMMIT returned (or
// failed): not even a refusal, which may rest on a write earlier in the
// batch.
func (db *DB) runBatch(reqs []*writeReq) (retry []*writeReq) {
	var live, apps, fns []*writeReq
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.finish(err) // gave up before its turn: nothing ran
			continue
		}
		r.err, r.t = nil, nil
		live = append(live, r)
		if r.app != nil {
			apps = append(apps, r)
		} else {
			fns = append(fns, r)
		}
	}
	if len(live) == 0 {
		return nil
	}
	ctx, cancel := db.batchContext()
	defer cancel()
	var (
		x        q
		commit   func() error
		rollback func()
		err      error
	)
	// failAll ends the batch for everyone: the transaction is gone.
	failAll := func(err error) []*writeReq {
		err = x.pipe.cause(err)
		for _, r := range live {
			if db.retryable(r, err) {
				retry = append(retry, r)
			} else {
				r.finish(err)
			}
		}
		return retry
	}
	if err := db.syncFailed(); err != nil {
		return failAll(err)
	}
	x, commit, rollback, err = db.begin(ctx)
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
	// Savepoints only when the batch holds several units of work (the
	// messages together are one, each closure one): a lone unit that fails
	// rolls back the whole transaction instead, which is the same outcome
	// for its callers and two round trips fewer.
	units := len(fns)
	if len(apps) > 0 {
		units++
	}
	shared := units > 1
	// step runs one unit of work: every message to append (one set-based
	// pass) or one closure. If it fails, it alone is rolled back.
	var ran []*txn // the units' transactions so far, for txn.earlier
	step := func(unit []*writeReq, run func() error) error {
		for _, r := range unit {
			r.t = &txn{q: x, now: now, earlier: &ran}
		}
		defer func() {
			for _, r := range unit {
				ran = append(ran, r.t)
			}
		}()
		if !shared {
			return run()
		}
		if err := x.later(ctx, `SAVEPOINT w`); err != nil {
			return err
		}
		// What the unit left waiting is sent before its savepoint ends,
		// so that its errors are its own.
		m := x.pipe.mark()
		err := run()
		if err == nil {
			err = x.pipe.flush(ctx)
		}
		if err = x.pipe.cause(err); err != nil {
			x.pipe.dropSince(m)
			if _, rbErr := x.exec(ctx, `ROLLBACK TO SAVEPOINT w`); rbErr != nil {
				return rbErr
			}
			for _, r := range unit {
				r.err = err
			}
		}
		return x.later(ctx, `RELEASE SAVEPOINT w`)
	}
	eps := &batchEndpoints{} // the outbox's, read once (appendEvents)
	if len(apps) > 0 {
		// Every statement of appendMessages takes arrays as long as the
		// batch, which for a short batch made PostgreSQL judge a custom
		// plan cheaper than the generic one and plan them anew each time:
		// 0.5 ms for the conversations' seven-table join, eight times what
		// running it took (docs/benchmarks.md). They are look-ups by key.
		run := func() error { return x.generic(ctx, func() error { return db.appendMessages(ctx, now, apps, eps) }) }
		if err := step(apps, run); err != nil {
			return failAll(err)
		}
	}
	for _, r := range fns {
		if err := step([]*writeReq{r}, func() error { return r.fn(r.t) }); err != nil {
			return failAll(err)
		}
	}
	var ok []*txn
	for _, r := range live {
		if r.err == nil {
			ok = append(ok, r.t)
		}
	}
	if len(ok) > 0 {
		// Statistics commit with the changes they count (stats.go).
		if err := db.restat(ctx, x, now, ok); err != nil {
			return failAll(err)
		}
		if err := db.appendEvents(ctx, x, now, ok, eps); err != nil {
			return failAll(err)
		}
	}
	wroteOutbox := db.outboxInBatch
	db.outboxInBatch = false
	// end commits (unless there is nothing to commit) and tells everyone.
	end := func() (retry []*writeReq) {
		if len(ok) > 0 || units > 1 { // else a lone unit was refused: nothing to commit
			if err := commit(); err != nil {
				rollback() // SQLite's connection may still be in the transaction
				if db.d.IsRetryable != nil && db.d.IsRetryable(err) {
					// A statement sent with the COMMIT lost a deadlock: the
					// database answered, and nothing was committed.
					return failAll(err)
				}
				// Whether PostgreSQL committed is unknown when the connection
				// broke during COMMIT: report it, and never run the writes again.
				for _, r := range live {
					r.finish(fmt.Errorf("commit: %w", err))
				}
				return nil
			}
			// The outbox: wake this node's delivery worker only for commits
			// that wrote deliveries (sqldb/outbox.go).
			if wroteOutbox {
				db.outboxWritten.Add(1)
			}
		} else {
			rollback()
		}
		for _, r := range live {
			if r.err != nil && db.retryable(r, r.err) {
				retry = append(retry, r)
				continue
			}
			r.finish(r.err)
		}
		return retry
	}
	if db.d.SingleWriter && db.logSync.sync != nil {
		committed = true // commitSync commits or rolls back
		db.commitSync(live, ok, units, wroteOutbox, commit, rollback)
		return nil
	}
	committed = true // end commits or rolls back
	return end()
}

// commitSync is end for a store that syncs its log apart from the writer
// (logsync.go): it commits (the log's pages written, not yet synced) and
// hands the batch to the syncer, which answers its callers — successes,
// refusals and the writes to retry alike, since a refusal may rest on
// what an earlier batch wrote — once an fsync that began after the COMMIT
// has ended. A batch with nothing to commit waits for the fsync too: what
// it read may be an earlier batch's, still unsynced. A COMMIT that failed
// is answered at once: nothing of the batch is in the log.
func (db *DB) commitSync(live []*writeReq, ok []*txn, units int, wroteOutbox bool, commit func() error, rollback func()) {
	if len(ok) == 0 && units <= 1 {
		rollback()
		ok = nil
	}
	sw := db.register(ok)
	if len(ok) > 0 || units > 1 {
		if err := commit(); err != nil {
			rollback() // SQLite's connection may still be in the transaction
			db.unregister(sw)
			for _, r := range live {
				r.finish(fmt.Errorf("commit: %w", err))
			}
			return
		}
	}
	w := &db.writer
	w.mu.Lock()
	w.syncing++
	w.mu.Unlock()
	db.syncLater(sw, func(err error) {
		w.mu.Lock()
		w.syncing--
		lead := !w.busy && w.ready()
		if lead {
			w.busy = true
		}
		w.mu.Unlock()
		if lead {
			// Writes held back for this fsync (minOverlap); not on the
			// syncer's goroutine, whose fsyncs the batches wait for.
			go db.drain()
		}
		if err != nil {
			for _, r := range live {
				r.finish(err)
			}
			return
		}
		if wroteOutbox {
			db.outboxWritten.Add(1)
		}
		var retry []*writeReq
		for _, r := range live {
			if r.err != nil && db.retryable(r, r.err) {
				retry = append(retry, r)
				continue
			}
			r.finish(r.err)
		}
		if len(retry) > 0 {
			// Not on the syncer's goroutine: the batches it would run
			// wait for the syncer.
			go db.requeue(retry)
		}
	})
}

// requeue puts writes that lost a conflict back at the front of the
// queue, and runs the queue when nobody does.
func (db *DB) requeue(retry []*writeReq) {
	if len(retry) == 0 {
		return
	}
	w := &db.writer
	w.mu.Lock()
	w.queue = append(retry, w.queue...)
	lead := !w.busy && w.ready()
	if lead {
		w.busy = true
	}
	w.mu.Unlock()
	if lead {
		db.drain()
	}
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

// begin starts a batch's transaction. PostgreSQL pipelines (beginPipe;
// its driver caches prepared statements by itself). SQLite's
// one writer connection is pinned so that statements stay prepared on it —
// parsing costs more than running these short statements — and transaction
// control is plain SQL on it, since a database/sql Tx would re-prepare.
func (db *DB) begin(ctx context.Context) (x q, commit func() error, rollback func(), err error) {
	if db.d.Pipeline != nil {
		return db.beginPipe(ctx)
	}
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
		if err == nil && db.logSync.sync != nil {
			// The syncer makes the batches' commits durable (logsync.go);
			// what ran on this connection before (migrations) committed
			// with the configured FULL.
			if _, err = sw.conn.ExecContext(ctx, `PRAGMA synchronous=NORMAL`); err != nil {
				sw.conn.Close()
				sw.conn = nil
			}
		}
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

// beginPipe starts a batch's transaction on a connection of its own whose
// statements may be pipelined (Dialect.Pipeline): BEGIN waits to go with
// the first statement, and COMMIT with whatever still waits. The
// connection goes back to the pool only outside a transaction.
func (db *DB) beginPipe(ctx context.Context) (q, func() error, func(), error) {
	c, err := db.w.Conn(ctx)
	if err != nil {
		return q{}, nil, nil, err
	}
	p := &pipe{conn: c, run: db.d.Pipeline, pending: []Stmt{{Query: `BEGIN`}}}
	x := q{db: c, d: &db.d, tx: true, ctx: ctx, pipe: p}
	ended := false
	commit := func() error {
		if _, err := p.send(ctx, Stmt{Query: `COMMIT`}); err != nil {
			return err // rollback follows
		}
		ended = true
		return c.Close()
	}
	rollback := func() {
		if ended {
			return
		}
		ended = true
		p.pending = nil
		// Under a fresh context: the batch's may be what ran out. A
		// connection that cannot roll back is not handed to anyone else.
		if _, err := c.ExecContext(context.Background(), `ROLLBACK`); err != nil {
			c.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // ErrBadConn is the point
		}
		c.Close()
	}
	return x, commit, rollback, nil
}

// singleWriter is SQLite's pinned writer connection and the statements
// prepared on it. Only the running batch uses it.
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
