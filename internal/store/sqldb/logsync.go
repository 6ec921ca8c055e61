package sqldb

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Durable commits apart from the writer (SQLite with synchronous FULL,
// Dialect.SyncLog). A COMMIT in WAL mode is two steps: write the
// transaction's pages to the log, then fsync the log. With FULL both run
// inside COMMIT, on the one writer connection, and the fsync (~0.7 ms on
// the reference disk) was more than half of a batch's time with the
// writer doing nothing. So the writer connection commits with
// synchronous=NORMAL (the pages reach the log file, not the disk) and a
// syncer goroutine fsyncs the log; a batch's callers hear of its outcome,
// and its events are published, only after an fsync that began after the
// batch's COMMIT returned. Meanwhile the writer runs the next batch. One
// fsync covers every batch committed before it began: a syncer that finds
// several batches waiting syncs once for all of them.
//
// Why that is as durable as FULL:
//   - fsync of any descriptor of the log flushes the file's data and size
//     (its inode), whoever wrote it. The log is opened once; each sync
//     checks that the path still names that file, and the directory is
//     synced once per log file opened, so the file's creation is durable
//     too (sqlite.logSyncer).
//   - Checkpoints: with NORMAL in WAL mode SQLite itself fsyncs the log
//     before a checkpoint copies frames into the database file and fsyncs
//     the database file after, so frames checkpointed before our fsync are
//     durable either way. Reusing the log from its start (after a complete
//     checkpoint) or truncating it keeps the file (the inode); the header
//     of a reused log is synced by SQLite.
//   - The log's frames carry cumulative checksums: after a power loss
//     recovery keeps the longest prefix of whole transactions, so a batch
//     is durable once any fsync that began after its COMMIT returned.
//   - A failed fsync fails every write waiting for it, and the store takes
//     no more writes (syncFailed): after a failed fsync the kernel may have
//     dropped the dirty pages, and whether the log on disk holds them is
//     unknown; a later fsync that succeeds would prove nothing. As
//     PostgreSQL does, the answer is to stop; a restart recovers from what
//     the disk holds.
//   - Other connections may read a batch between its COMMIT and its fsync.
//     Nothing acknowledged is lost: a caller hears of success only after
//     the fsync, and a visitor whose send failed (or who never heard back
//     because the machine lost power) sends again with the same
//     client_msg_id and is deduplicated. What must not be seen early is
//     the event log, whose sequence numbers clients keep as a cursor: a
//     power loss would give a sequence number read early to another event.
//     Events and LastEventSeq therefore stop below the lowest sequence
//     number this node committed and has not synced yet (unsynced). Other
//     processes' writes are their own writers' business.
//   - Close waits for the syncer, so every batch committed before it is
//     synced and answered.
//
// With synchronous NORMAL configured there is no SyncLog: a commit is
// answered when COMMIT returns and survives a crash of the process only,
// as before.

// maxSyncing bounds the committed batches that wait for an fsync while the
// writer runs the next one.
const maxSyncing = 8

// syncWait is a batch on its way through the syncer: registered before
// its COMMIT, handed over after it.
type syncWait struct {
	done func(err error) // answers the batch's callers
	// from: workspace → the lowest event sequence number the batch used.
	from map[int64]int64
}

// logSyncer fsyncs the log for committed batches, one fsync at a time.
type logSyncer struct {
	sync    func() error // fsyncs the log; nil: COMMIT itself is durable
	mu      sync.Mutex
	idle    *sync.Cond  // signalled when the syncer stops (Close waits for it)
	open    []*syncWait // registered and not yet synced, in commit order
	waiting []*syncWait // committed, waiting for the next fsync
	running bool
	slots   chan struct{} // a token per open batch
	failed  error         // a failed fsync: no more writes
	// unsynced: workspace → the lowest event sequence number of the open
	// batches.
	unsynced map[int64]int64
}

func (s *logSyncer) init(fn func() error) {
	s.sync = fn
	s.idle = sync.NewCond(&s.mu)
	s.slots = make(chan struct{}, maxSyncing)
	s.unsynced = map[int64]int64{}
}

// ErrLogSync is the error of writes a failed fsync of the log ended, and
// of every write after it.
var ErrLogSync = errors.New("the database log could not be synced to disk; the store takes no more writes until it restarts")

// syncFailed returns the error that stopped the store's writes, if any.
func (db *DB) syncFailed() error {
	s := &db.logSync
	if s.sync == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// register opens a batch about to commit, whose successful writes are ts:
// from now until its fsync the events it numbered are hidden from Events
// and LastEventSeq. It is done before the COMMIT, so that no reader can
// see the commit before the hiding; it waits while maxSyncing batches are
// open.
func (db *DB) register(ts []*txn) *syncWait {
	s := &db.logSync
	w := &syncWait{}
	for _, t := range ts {
		for _, ev := range t.pending {
			if w.from == nil {
				w.from = map[int64]int64{}
			}
			if v, ok := w.from[ev.WorkspaceID]; !ok || ev.Seq < v {
				w.from[ev.WorkspaceID] = ev.Seq
			}
		}
	}
	s.slots <- struct{}{}
	s.mu.Lock()
	s.open = append(s.open, w)
	for ws, seq := range w.from {
		if v, ok := s.unsynced[ws]; !ok || seq < v {
			s.unsynced[ws] = seq
		}
	}
	s.mu.Unlock()
	return w
}

// forget closes open batches (the caller holds s.mu).
func (s *logSyncer) forget(ws []*syncWait) {
	s.open = slices.DeleteFunc(s.open, func(o *syncWait) bool { return slices.Contains(ws, o) })
	clear(s.unsynced)
	for _, o := range s.open {
		for id, seq := range o.from {
			if v, ok := s.unsynced[id]; !ok || seq < v {
				s.unsynced[id] = seq
			}
		}
	}
}

// unregister closes a batch whose COMMIT failed: nothing of it is in the
// log.
func (db *DB) unregister(w *syncWait) {
	s := &db.logSync
	s.mu.Lock()
	s.forget([]*syncWait{w})
	s.mu.Unlock()
	<-s.slots
}

// syncLater hands a registered batch, committed now, to the syncer: done
// runs with the fsync's outcome once an fsync that began after now has
// ended.
func (db *DB) syncLater(w *syncWait, done func(err error)) {
	s := &db.logSync
	w.done = done
	s.mu.Lock()
	s.waiting = append(s.waiting, w)
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		go db.runSyncs()
	}
}

// runSyncs syncs for whatever batches wait, until none does.
func (db *DB) runSyncs() {
	s := &db.logSync
	for {
		s.mu.Lock()
		batch := s.waiting
		s.waiting = nil
		failed, syncLog := s.failed, s.sync
		if len(batch) == 0 {
			s.running = false
			s.idle.Broadcast()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		err := failed
		if err == nil {
			if err = syncLog(); err != nil {
				err = fmt.Errorf("%w: %v", ErrLogSync, err)
			}
		}
		s.mu.Lock()
		if err != nil && s.failed == nil {
			s.failed = err
		}
		s.forget(batch)
		s.mu.Unlock()
		for _, w := range batch {
			w.done(err)
			<-s.slots
		}
	}
}

// syncedBelow returns the sequence number below which the workspace's
// events are durable as far as this node's writes go (0: all are).
func (db *DB) syncedBelow(workspaceID int64) int64 {
	s := &db.logSync
	if s.sync == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsynced[workspaceID]
}

// waitSyncs waits until no batch waits for the log's fsync (Close).
func (db *DB) waitSyncs() {
	s := &db.logSync
	if s.sync == nil {
		return
	}
	s.mu.Lock()
	for s.running {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// SetLogSync replaces the function that fsyncs the log (tests: one that
// blocks or fails). It applies only to a store that syncs its log apart
// from the writer (SQLite with synchronous FULL), and must be called
// before writes are in flight.
func (db *DB) SetLogSync(sync func() error) error {
	if db.logSync.sync == nil {
		return errors.New("sqldb: this store does not sync its log apart from its writer")
	}
	db.logSync.mu.Lock()
	db.logSync.sync = sync
	db.logSync.mu.Unlock()
	return nil
}
