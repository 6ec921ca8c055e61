package sqldb

import (
	"context"
	"database/sql"
	"sync"
)

// readStmts prepares the read pool's statements once per query text;
// database/sql then prepares each on a connection at its first use there
// and keeps it. SQLite's driver caches nothing, so without this every read
// is parsed anew: 26 % of the CPU at 1,000 messages/s, most of it the
// lookups each send makes (the visitor's session, the workspace, the
// conversation). PostgreSQL's driver (pgx) already keeps prepared
// statements per connection, so only SQLite uses it (Dialect.SingleWriter).
type readStmts struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newReadStmts(db *sql.DB) *readStmts {
	return &readStmts{db: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns query's prepared statement, or nil to run it unprepared
// (the cache is full — SQL built per call, like IN lists of varying length,
// stays out of it — or preparing failed, which running it reports).
func (rs *readStmts) stmt(ctx context.Context, query string) *sql.Stmt {
	rs.mu.RLock()
	s, ok := rs.stmts[query]
	n := len(rs.stmts)
	rs.mu.RUnlock()
	if ok || n >= maxStmts {
		return s
	}
	s, err := rs.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if prev, ok := rs.stmts[query]; ok { // prepared meanwhile by another reader
		s.Close()
		return prev
	}
	if len(rs.stmts) >= maxStmts {
		s.Close()
		return nil
	}
	rs.stmts[query] = s
	return s
}

func (rs *readStmts) close() {
	if rs == nil {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, s := range rs.stmts {
		s.Close()
	}
	rs.stmts = map[string]*sql.Stmt{}
}
