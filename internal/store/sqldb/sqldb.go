// Package sqldb implements chat.Store once, over database/sql, for both
// dialects Sodam supports. The SQL is written for the common ground of
// SQLite 3.35+ and PostgreSQL (RETURNING, ON CONFLICT, partial indexes);
// what differs — placeholders, row locks, migration locking, constraint
// errors — lives in a Dialect supplied by the sqlite and postgres packages.
package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// Dialect is what one database needs done differently.
type Dialect struct {
	Name string
	// Numbered rewrites "?" placeholders to "$1", "$2", … (PostgreSQL).
	Numbered bool
	// ForUpdate is appended to a SELECT that must lock the rows it reads.
	// SQLite needs none: its single writer connection serializes writes.
	ForUpdate string
	// GenericPlans and DefaultPlans, when set, begin and end a part of a
	// transaction whose prepared statements run on generic plans of key
	// look-ups (q.generic).
	GenericPlans, DefaultPlans []string
	// Migrations holds NNNN_name.sql files applied in order.
	Migrations fs.FS
	// TableExists counts the tables named by its one parameter in the
	// database (the current schema on PostgreSQL).
	TableExists string
	// LockMigrations keeps concurrent nodes from migrating at once.
	LockMigrations func(ctx context.Context, c *sql.Conn) (unlock func(), err error)
	// IsUniqueViolation reports a unique-constraint error.
	IsUniqueViolation func(error) bool
	// LockRouting takes a workspace's routing lock until the transaction
	// ends; nil where transactions are serial anyway (SQLite).
	LockRouting func(ctx context.Context, x Querier, workspaceID int64) error
	// LockLists takes a workspace's lock on its counted lists (canned
	// responses, tags, categories, API tokens, endpoints) until the
	// transaction ends, so that
	// nodes creating at once cannot pass a limit; nil where transactions
	// are serial anyway (SQLite).
	LockLists func(ctx context.Context, x Querier, workspaceID int64) error
	// Lower names the SQL function that lowercases text in every script,
	// as strings.ToLower does, for searches that fold case on both sides
	// (a search's text is folded in Go); "" is LOWER, which PostgreSQL
	// applies by the database's locale and SQLite to ASCII only.
	Lower string
	// SkipLocked ends a SELECT whose rows other transactions may skip
	// while this one holds them (job claims).
	SkipLocked string
	// Arrays: parameters may be arrays (PostgreSQL through pgx). The
	// group commit's set-based statements then take one array per column
	// (unnest), so their text, prepared and planned once, does not vary
	// with the batch's size.
	Arrays bool
	// SingleWriter: the write pool is one connection (SQLite). Batches run
	// on it pinned, with its statements prepared once.
	SingleWriter bool
	// Checkpoint, when set, is run after a mask rewrote text, so that the
	// old text leaves the write-ahead log (SQLite; see pii.go).
	Checkpoint string
	// AfterMigrations, when set, is run on the connection that applied
	// migrations: SQLite's PRAGMA shrink_memory, which returns the cache a
	// new database's schema filled (docs/benchmarks.md, idle memory).
	AfterMigrations string
	// SyncLog, when set, makes commits durable apart from the writer
	// (SQLite with synchronous FULL; logsync.go): the writer's batches
	// commit with synchronous=NORMAL, and their callers are answered only
	// after SyncLog, called on another goroutine, fsynced the log.
	SyncLog func() error
	// CloseLog releases what SyncLog holds, after the last sync (Close).
	CloseLog func() error
	// IsRetryable reports a deadlock or serialization failure: the write
	// lost a conflict and may succeed when run again.
	IsRetryable func(error) bool
	// IsUnavailable reports the dialect's own signs that the database is
	// unreachable, shutting down or starting up.
	IsUnavailable func(error) bool
	// NextIDs, when set, returns as many new message IDs as its one
	// parameter asks, from the messages' own sequence (PostgreSQL, with
	// Arrays): a batch takes them with its first reads, so that the
	// messages' INSERT need not send their IDs back and goes with the
	// COMMIT.
	NextIDs string
	// CleanPending, when set, moves the search index's pending entries
	// into the index itself (PostgreSQL: gin_clean_pending_list; see
	// RunIndexUpkeep).
	CleanPending string
	// Pipeline, when set, sends statements on c in one round trip and
	// returns the rows each affected (PostgreSQL: pgx's batch protocol).
	// A write batch then runs on a connection of its own, and statements
	// whose results it does not wait for ride with the next one that
	// returns something (pipe).
	Pipeline func(ctx context.Context, c *sql.Conn, stmts []Stmt) ([]int64, error)
}

// Stmt is one statement of a pipeline: its SQL with numbered placeholders,
// its arguments, and Row, when set, called with a scan function for each
// row it returns.
type Stmt struct {
	Query string
	Args  []any
	Row   func(scan func(dest ...any) error) error
}

// Querier runs dialect-neutral SQL, for Dialect hooks.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) error
}

func (x q) Exec(ctx context.Context, query string, args ...any) error {
	_, err := x.exec(ctx, query, args...)
	return err
}

// DB is a chat.Store over a database/sql pool.
type DB struct {
	w, r    *sql.DB // write and read pools; the same pool on PostgreSQL
	d       Dialect
	writer  writer       // group commit (batch.go)
	single  singleWriter // SQLite's pinned writer connection
	logSync logSyncer    // fsyncs the log beside the writer (logsync.go)
	reads   *readStmts   // SQLite's prepared reads (readstmts.go)
	// clock is Now's clock, which tests replace while the node runs
	// (SetClock).
	clock atomic.Pointer[func() time.Time]
	// outboxWritten counts committed batches that added deliveries, and
	// outboxInBatch says the running batch added some (outbox.go; only the
	// one running batch touches it).
	outboxWritten atomic.Uint64
	outboxInBatch bool
	// sealer seals what automatic masking hides (pii.go).
	sealer chat.Sealer
	// secrets seals workspaces' identity secrets (workspace.go,
	// UseSecretKey); nil refuses to store one.
	secrets atomic.Pointer[outbox.Sealer]
	// search holds TuneSearch's sizes (history.go).
	search [2]int
	// noSearchIndex skips the message search index (SetSearchIndex).
	noSearchIndex bool
	// statZones holds, per workspace, the time zone this node last found
	// its roll-up counted in (stats.go, checkStatZone).
	statZones sync.Map
	// statsPaused turns the roll-up off at run time, for one thing only:
	// the benchmark that alternates conversations with and without it in
	// one process (PauseStatsRollup).
	statsPaused atomic.Bool
	// statPending counts the conversations marked stale since the roll-up
	// step last woke early, and statWake wakes it (stats.go, statMarked).
	statPending atomic.Int64
	statWake    chan struct{}
}

// New returns a store writing through w and reading through r.
func New(w, r *sql.DB, d Dialect) *DB {
	db := &DB{w: w, r: r, d: d, statWake: make(chan struct{}, 1)}
	db.SetClock(time.Now)
	if d.SyncLog != nil {
		db.logSync.init(d.SyncLog)
	}
	if d.SingleWriter {
		db.reads = newReadStmts(r)
	}
	return db
}

// SetClock replaces the clock, for tests that move time by hand.
// It is safe while the store is in use.
func (db *DB) SetClock(now func() time.Time) { db.clock.Store(&now) }

// Now is the store's clock.
func (db *DB) Now() time.Time { return (*db.clock.Load())() }

// Close closes both pools, once every committed batch is synced and
// answered (logsync.go).
func (db *DB) Close() error {
	db.waitSyncs()
	db.reads.close()
	err := errors.Join(db.single.close(), db.w.Close())
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	if db.d.CloseLog != nil {
		err = errors.Join(err, db.d.CloseLog())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Unavailable reports whether err means the database could not be reached
// or dropped the connection — it is down, restarting, or did not answer in
// time — rather than refusing the request: the same request may succeed
// later, so the API answers 503 instead of 500.
func (db *DB) Unavailable(err error) bool {
	var ne net.Error
	switch {
	case err == nil:
		return false
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		return true
	}
	return db.d.IsUnavailable != nil && db.d.IsUnavailable(err)
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q runs dialect-neutral SQL ("?" placeholders) on a querier.
type q struct {
	db querier
	d  *Dialect
	tx bool // inside a write transaction
	// ctx, in a write batch, replaces the context a statement is given:
	// the batch is shared, so one caller's cancellation must not abort it.
	ctx context.Context
	// stmts, when set, holds the writer connection's prepared statements.
	stmts *singleWriter
	// reads, when set, holds the read pool's prepared statements.
	reads *readStmts
	// pipe, in a PostgreSQL write batch, holds statements waiting to be
	// sent with the next.
	pipe *pipe
}

// pipe holds a write batch's statements that wait to be sent (later) and
// sends them, in one round trip, with the next statement that needs an
// answer: on PostgreSQL every round trip costs a wait for the backend to
// be scheduled, and a batch ran a dozen of them one after the other.
type pipe struct {
	conn    *sql.Conn
	run     func(ctx context.Context, c *sql.Conn, stmts []Stmt) ([]int64, error)
	pending []Stmt
	queued  int   // statements ever queued (mark)
	err     error // what a flush before a Row met (row)
}

// cause is err, or the error a flush met before it (the statement that
// failed first, whose failure aborted the transaction), which it forgets.
func (p *pipe) cause(err error) error {
	if p == nil || p.err == nil {
		return err
	}
	err, p.err = p.err, nil
	return err
}

// send sends what waits and then stmts, and returns what each of stmts
// affected.
func (p *pipe) send(ctx context.Context, stmts ...Stmt) ([]int64, error) {
	all := append(p.pending, stmts...)
	p.pending = nil
	n, err := p.run(ctx, p.conn, all)
	if err != nil {
		return nil, err
	}
	return n[len(n)-len(stmts):], nil
}

// mark is how many statements have waited so far, for dropSince.
func (p *pipe) mark() int {
	if p == nil {
		return 0
	}
	return p.queued
}

// dropSince forgets what still waits of the statements queued after mark
// m: their unit of work failed. What was queued before (a savepoint, the
// previous unit's release) is still sent.
func (p *pipe) dropSince(m int) {
	if p == nil {
		return
	}
	keep := max(0, len(p.pending)-(p.queued-m))
	p.pending = p.pending[:keep]
}

// flush sends what waits.
func (p *pipe) flush(ctx context.Context) error {
	if p == nil || len(p.pending) == 0 {
		return nil
	}
	_, err := p.send(ctx)
	return err
}

// later runs a statement whose outcome nobody waits for: on PostgreSQL it
// is sent with the next statement that needs an answer, and its error, if
// any, is that statement's (every such error fails the unit of work it is
// in: batch.go flushes at the end of each savepoint).
func (x q) later(ctx context.Context, query string, args ...any) error {
	if x.pipe == nil {
		_, err := x.exec(ctx, query, args...)
		return err
	}
	return x.laterRows(ctx, Stmt{Query: query, Args: args})
}

// laterRows is later for a statement whose Row function reads what it
// returns: when the next round trip brings it on PostgreSQL, at once
// elsewhere.
func (x q) laterRows(ctx context.Context, s Stmt) error {
	if x.pipe == nil {
		return x.each(ctx, s.Row, s.Query, s.Args...)
	}
	s.Query = x.bind(s.Query)
	x.pipe.pending = append(x.pipe.pending, s)
	x.pipe.queued++
	return nil
}

// generic runs fn with the statements it sends planned once per
// connection, as look-ups by key, where the dialect can say so
// (Dialect.GenericPlans); the settings go with the next statement that
// needs an answer. If fn fails, its unit of work is rolled back, and the
// settings with it (or the transaction ends).
func (x q) generic(ctx context.Context, fn func() error) error {
	for _, stmt := range x.d.GenericPlans {
		if err := x.later(ctx, stmt); err != nil {
			return err
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for _, stmt := range x.d.DefaultPlans {
		if err := x.later(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// batch runs statements whose Row functions see their rows: on PostgreSQL
// in one round trip with whatever waits (later); elsewhere one by one.
func (x q) batch(ctx context.Context, stmts ...Stmt) error {
	if x.pipe != nil {
		if x.ctx != nil {
			ctx = x.ctx
		}
		for i := range stmts {
			stmts[i].Query = x.bind(stmts[i].Query)
		}
		_, err := x.pipe.send(ctx, stmts...)
		return err
	}
	for _, s := range stmts {
		if err := x.each(ctx, s.Row, s.Query, s.Args...); err != nil {
			return err
		}
	}
	return nil
}

// each runs query and calls fn for each row it returns.
func (x q) each(ctx context.Context, fn func(scan func(dest ...any) error) error, query string, args ...any) error {
	if x.pipe != nil {
		return x.batch(ctx, Stmt{Query: query, Args: args, Row: fn})
	}
	rows, err := x.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanFunc is a scan function as a Scan method, for the scan helpers.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// forUpdate is the row-lock clause for a SELECT inside a write transaction.
func (x q) forUpdate() string {
	if x.tx {
		return x.d.ForUpdate
	}
	return ""
}

// bind numbers a statement's placeholders for PostgreSQL ($1, $2, …).
// The rewrite of each text is kept (up to maxBound texts; the store's are
// a few hundred): at a few thousand statements a second, rewriting every
// one anew was 2–5 % of a node's CPU.
func (x q) bind(query string) string {
	if !x.d.Numbered {
		return query
	}
	if b, ok := bound.Load(query); ok {
		return b.(string)
	}
	b := numbered(query)
	if boundCount.Add(1) <= maxBound {
		bound.Store(query, b)
	}
	return b
}

var (
	bound      sync.Map // statement text → numbered text
	boundCount atomic.Int64
)

const maxBound = 4096

// numbered is query with each ? replaced by $n.
func numbered(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// prepare picks the context a statement runs under and, on SQLite's
// writer, its prepared form.
func (x q) prepare(ctx context.Context, query string) (context.Context, string, *sql.Stmt) {
	if x.ctx != nil {
		ctx = x.ctx
	}
	query = x.bind(query)
	if x.stmts != nil {
		return ctx, query, x.stmts.stmt(ctx, query)
	}
	if x.reads != nil {
		return ctx, query, x.reads.stmt(ctx, query)
	}
	return ctx, query, nil
}

func (x q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, query, s := x.prepare(ctx, query)
	if x.pipe != nil && len(x.pipe.pending) > 0 {
		n, err := x.pipe.send(ctx, Stmt{Query: query, Args: args})
		if err != nil {
			return nil, err
		}
		return driver.RowsAffected(n[0]), nil
	}
	if s != nil {
		return s.ExecContext(ctx, args...)
	}
	return x.db.ExecContext(ctx, query, args...)
}

func (x q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, query, s := x.prepare(ctx, query)
	if err := x.pipe.flush(ctx); err != nil {
		return nil, err
	}
	if s != nil {
		return s.QueryContext(ctx, args...)
	}
	return x.db.QueryContext(ctx, query, args...)
}

func (x q) row(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, query, s := x.prepare(ctx, query)
	if err := x.pipe.flush(ctx); err != nil {
		// A Row cannot carry it: this statement fails on the aborted
		// transaction, and the batch reports err instead (pipe.cause).
		x.pipe.err = err
	}
	if s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return x.db.QueryRowContext(ctx, query, args...)
}

func (db *DB) read() q { return q{db: db.r, d: &db.d, reads: db.reads} }

// txn is one write's view of its transaction (which may be shared with
// other writes, see batch.go). The events it emits are appended, with their
// sequence numbers, just before commit: the sequence counter's lock is then
// the last lock a transaction takes, so transactions that lock several rows
// never wait on each other in a cycle.
type txn struct {
	q
	now     time.Time
	pending []chat.Event
	// earlier, in a batch, holds the transactions of the units of work
	// that ran before this one in the same batch (group commit): their
	// events are not stored until the batch ends (rewriteMessageText).
	earlier *[]*txn
}

func (t *txn) emit(ev chat.Event) { t.pending = append(t.pending, ev) }

// tx runs fn in a write transaction that emits no events.
func (db *DB) tx(ctx context.Context, fn func(q) error) error {
	_, err := db.write(ctx, func(t *txn) error { return fn(t.q) })
	return err
}

// Migrate applies the dialect's migrations that have not run yet, each in
// its own transaction, in file-name order, and seals identity secrets
// under the installation secret until UseSecretKey names another key.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.ApplyMigrations(ctx); err != nil {
		return err
	}
	_, err := db.UseSecretKey(ctx, "")
	return err
}

// ApplyMigrations is Migrate, returning the names of the migrations it
// applied (none when the database was up to date).
func (db *DB) ApplyMigrations(ctx context.Context) ([]string, error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if db.d.LockMigrations != nil {
		unlock, err := db.d.LockMigrations(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("lock migrations: %w", err)
		}
		defer unlock()
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := db.migrationNames()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		did, err := db.migrateOne(ctx, conn, name)
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		if did {
			applied = append(applied, name)
		}
	}
	if len(applied) > 0 && db.d.AfterMigrations != "" {
		if _, err := conn.ExecContext(ctx, db.d.AfterMigrations); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

func (db *DB) migrationNames() ([]string, error) {
	names, err := fs.Glob(db.d.Migrations, "*.sql")
	sort.Strings(names)
	return names, err
}

// MigrationStatus compares this binary's migrations with the ones the
// database has applied, writing nothing: pending are this binary's that
// have not run; unknown have run but are not this binary's (a newer Sodam
// migrated the database).
func (db *DB) MigrationStatus(ctx context.Context) (pending, unknown []string, err error) {
	names, err := db.migrationNames()
	if err != nil {
		return nil, nil, err
	}
	x := db.read()
	var tables int
	if err := x.row(ctx, db.d.TableExists, "schema_migrations").Scan(&tables); err != nil {
		return nil, nil, err
	}
	done := map[string]bool{}
	if tables > 0 {
		rows, err := x.query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, nil, err
			}
			done[v] = true
		}
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	for _, name := range names {
		if !done[name] {
			pending = append(pending, name)
		}
		delete(done, name)
	}
	for v := range done {
		unknown = append(unknown, v)
	}
	sort.Strings(unknown)
	return pending, unknown, nil
}

// migrationSteps are the Go parts of migrations, run after the
// migration's SQL in its transaction: what SQL alone cannot compute.
var migrationSteps = map[string]func(context.Context, q) error{
	"0015_customer_search.sql":        backfillCustomerIndex, // history.CustomerFields of every profile
	"0028_search_ignores_spacing.sql": rebuildCustomerIndex,  // the same, spacing aside
	"0031_search_folds_width.sql":     rebuildCustomerIndex,  // the same, widths folded
}

// migrateOne applies one migration unless it ran already, and reports
// whether it did.
func (db *DB) migrateOne(ctx context.Context, conn *sql.Conn, name string) (bool, error) {
	t, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer t.Rollback() //nolint:errcheck
	x := q{db: t, d: &db.d}
	var done int
	if err := x.row(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, name).Scan(&done); err != nil {
		return false, err
	}
	if done > 0 {
		return false, nil
	}
	body, err := fs.ReadFile(db.d.Migrations, name)
	if err != nil {
		return false, err
	}
	if _, err := t.ExecContext(ctx, string(body)); err != nil {
		return false, err
	}
	if step := migrationSteps[name]; step != nil {
		if err := step(ctx, x); err != nil {
			return false, err
		}
	}
	if _, err := x.exec(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, name); err != nil {
		return false, err
	}
	return true, t.Commit()
}

// micros and fromMicros convert times to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// pageLimit is a page's size: chat.DefaultPage unless the caller asked for
// 1–500 items (handlers allow chat.MaxPage, plus one to see a next page).
func pageLimit(n int) int {
	if n <= 0 || n > 500 {
		return chat.DefaultPage
	}
	return n
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// scanIDs is rows of one integer column, usually IDs.
func scanIDs(rows *sql.Rows) ([]int64, error) { return scanColumn[int64](rows) }

// scanColumn is rows of one column, and closes them.
func scanColumn[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString is s, or SQL NULL when it is empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
