package sqldb

import (
	"context"
	"sync/atomic"
	"time"
)

// Checkpoints off the writer's path (SQLite). In WAL mode a commit appends
// pages to the log, and a checkpoint copies them back into the database
// file and syncs it. SQLite's own automatic checkpoint runs inside the
// COMMIT that takes the log past 1,000 pages: at 2,000 messages a second
// that was a checkpoint every ~80 ms, 5–12 ms each, while the batch's
// callers waited for their acknowledgement and every write behind them
// for the writer (docs/benchmarks.md, branch sqlive). So the writer
// connection never checkpoints by itself (wal_autocheckpoint=0, set by the
// sqlite package), and a goroutine does it beside the writer instead:
//
//   - after commits it runs a PASSIVE checkpoint on a read connection, at
//     most every checkpointEvery: it copies the pages committed so far
//     while the writer goes on appending, and waits for nobody;
//   - SQLite reuses the log from its start only when a write transaction
//     begins with every page of it copied, which a checkpoint that runs
//     while the writer keeps committing never achieves. So once the log
//     has grown past restartFrames pages, the writer itself checkpoints
//     what the last background pass left (the pages committed while it
//     ran), between two batches and after its callers have their answers;
//     the next batch then starts the log afresh. That bounds the log at
//     about restartFrames pages plus a pass's worth under any load.
//
// Durability does not depend on checkpoints: a commit is durable once the
// log is synced (synchronous=FULL); a checkpoint only moves pages that are
// durable already, and syncs the database file before the log may be
// reused.

// checkpointEvery is the least time between two background passes. Each
// pass ends with a sync of the database file, so passes are not run after
// every commit; a pass copies about a tenth of a second's commits.
const checkpointEvery = 100 * time.Millisecond

// restartFrames is the log's size in pages (4 KiB each) past which the
// writer finishes a checkpoint so that the log starts again from the
// beginning: 32 MiB. Each restart costs the writer two syncs (the log's
// and the database file's), 2–16 ms on the benchmark's disk, so it should
// be rare; the log file keeps its largest size on disk (about this plus a
// pass's worth) until the last connection closes.
const restartFrames = 8192

// checkpointer runs the background passes (SQLite only; nil elsewhere).
type checkpointer struct {
	kick chan struct{} // a commit happened (one pending kick is enough)
	stop chan struct{}
	done chan struct{}
	// restart asks the writer to finish a checkpoint between batches, once
	// the log holds restartAt pages (restartFrames unless a test tunes it).
	restart   atomic.Bool
	restartAt atomic.Int64
	// passes and restarts count what ran, for tests.
	passes, restarts atomic.Int64
}

func (db *DB) startCheckpointer() {
	c := &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	c.restartAt.Store(restartFrames)
	db.ckpt = c
	go db.checkpointLoop(c)
}

// committed tells the checkpointer that the log grew.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() {
	if c == nil {
		return
	}
	close(c.stop)
	<-c.done
}

func (db *DB) checkpointLoop(c *checkpointer) {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		frames, copied, ok := db.checkpoint(db.r)
		c.passes.Add(1)
		if ok && frames >= c.restartAt.Load() && copied > 0 {
			c.restart.Store(true)
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// checkpoint runs a PASSIVE checkpoint on a connection of qr and returns
// the log's size and how much of it is now in the database file, in
// pages. PASSIVE takes no lock that a writer or a reader waits for; it
// copies what no reader still needs from the log. ok is false when it
// could not run (another checkpoint held the lock) or failed.
func (db *DB) checkpoint(qr querier) (frames, copied int64, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	var busy int64
	err := qr.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, copied, err == nil && busy == 0 && frames >= 0
}

// restartWanted reports whether the writer should run restartLog.
func (c *checkpointer) restartWanted() bool {
	return c != nil && c.restart.Load()
}

// restartLog is the writer's part (see above): run between batches, on
// the writer's connection, when the background pass asked for it. One
// try per request: when a reader still needs older pages, or the
// background pass holds the checkpoint lock, the next pass asks again.
func (db *DB) restartLog() {
	c := db.ckpt
	if c == nil || !c.restart.CompareAndSwap(true, false) {
		return
	}
	sw := &db.single
	sw.mu.Lock()
	conn := sw.conn
	sw.mu.Unlock()
	if conn == nil {
		return
	}
	if frames, copied, ok := db.checkpoint(conn); ok && copied == frames {
		c.restarts.Add(1)
	}
}

// TuneCheckpoints sets the log's size, in pages, past which the writer
// restarts it; tests use a small one. No-op where the store does not
// checkpoint by itself.
func (db *DB) TuneCheckpoints(restartAt int64) {
	if db.ckpt != nil {
		db.ckpt.restartAt.Store(restartAt)
	}
}

// CheckpointCounts reports the background passes and the log's restarts
// so far (tests).
func (db *DB) CheckpointCounts() (passes, restarts int64) {
	if db.ckpt == nil {
		return 0, 0
	}
	return db.ckpt.passes.Load(), db.ckpt.restarts.Load()
}
