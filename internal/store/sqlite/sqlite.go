// Package sqlite opens Sodam's embedded store: a SQLite file in WAL mode
// with one write connection and a pool of readers (modernc.org/sqlite, pure
// Go, so the binary needs no C toolchain).
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ chat.Store = (*sqldb.DB)(nil)

// Synchronous is the default durability. FULL: an acknowledged write
// survives a power loss as well as a process crash; NORMAL survives a
// process crash only (see docs/operations.md). Group commit shares one
// sync among the writes that wait together, which is what makes FULL
// affordable; with FULL the group commit's writer connection commits with
// PRAGMA synchronous=NORMAL and a syncer goroutine fsyncs the log, beside
// the next batch, before any write of the batch is acknowledged
// (sqldb/logsync.go). Every other connection runs the configured pragma.
const Synchronous = "FULL"

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	return OpenSync(ctx, path, Synchronous)
}

// OpenSync is Open with PRAGMA synchronous set to FULL or NORMAL. OFF is
// refused: a power loss could then corrupt the database, not only lose
// its last transactions.
func OpenSync(ctx context.Context, path, synchronous string) (*sqldb.DB, error) {
	db, err := Connect(path, synchronous)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return db, nil
}

// Connect opens the database file at path without migrating it; the file
// is created at the first statement if it does not exist.
func Connect(path, synchronous string) (*sqldb.DB, error) {
	if synchronous != "FULL" && synchronous != "NORMAL" {
		return nil, fmt.Errorf("sqlite: synchronous must be FULL or NORMAL, not %q", synchronous)
	}
	w, err := sql.Open("sqlite", writerDSN(path, synchronous))
	if err != nil {
		return nil, err
	}
	// One writer: SQLite allows one at a time anyway, and a single
	// connection turns contention into a queue in Go instead of busy retries.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, synchronous, "query_only(1)"))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	mig, _ := fs.Sub(migrations, "migrations")
	// FULL: the group commit's writer commits with NORMAL and a syncer
	// fsyncs the log before anyone hears of the commit (sqldb/logsync.go).
	var syncLog, closeLog func() error
	if synchronous == "FULL" {
		ws := &walSync{path: path + "-wal"}
		syncLog, closeLog = ws.sync, ws.close
	}
	return sqldb.New(w, r, sqldb.Dialect{
		SyncLog:           syncLog,
		CloseLog:          closeLog,
		Name:              "sqlite",
		Migrations:        mig,
		TableExists:       `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`,
		IsUniqueViolation: isUniqueViolation,
		SingleWriter:      true,
		Checkpoint:        `PRAGMA wal_checkpoint(TRUNCATE)`,
		AfterMigrations:   `PRAGMA shrink_memory`,
		Lower:             lowerFunc,
	}), nil
}

// lowerFunc lowercases text as strings.ToLower does, in every script:
// SQLite's own LOWER folds ASCII only, so a search folded in Go missed
// "Émilie" or full-width "ＡＢＣ" (ticket search, sqldb.Dialect.Lower).
const lowerFunc = "sodam_lower"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(lowerFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}

// writerPragma keeps the writer connection's temporary files in memory.
// The one that matters is the statement journal: a statement that may fail
// half-way (a multi-row INSERT with a unique index, a foreign key or a
// virtual table) copies every page it changes there first, so that it can
// undo itself inside the transaction. SQLite spills that journal to a
// temporary file beyond 64 KiB, and a batch of messages passed that: two
// pwrite calls per page changed, 10 % of the group commit's CPU
// (docs/benchmarks.md, branch sqlwrite). The journal is only for undoing a
// statement, never read after a crash, so durability is unchanged; it holds
// at most the pages one statement changes. The readers, which may sort
// large results, keep the default.
const writerPragma = "temp_store(MEMORY)"

// writerCheckpoint has the writer copy the log into the database every
// 4,000 pages (16 MiB) instead of SQLite's 1,000. The checkpoint runs in
// the commit that crosses the line, so every write waiting behind that
// batch waits for it too; and the pages each batch rewrites (the
// conversations', the indexes' last leaves, the search index's structure)
// are copied once a checkpoint however many times the log holds them, so
// fewer checkpoints copy fewer pages in all. At 2,000 + 200 messages a
// second, nine runs alternating with 1,000 put the SQLite node's p99 at
// 38.8–84.6 ms, median 44.2, against 43.4–96.4, median 66.6
// (docs/benchmarks.md). A checkpointer on another connection, leaving the
// writer none, was slower still (p99 78–83 ms). A crash replays at most
// the 16 MiB of log on open; only readers read it meanwhile, through its
// index.
const writerCheckpoint = "wal_autocheckpoint(4000)"

// writerDSN is the writer connection's: it keeps its statement journals
// in memory (writerPragma) and checkpoints the log less often
// (writerCheckpoint).
func writerDSN(path, synchronous string) string {
	return dsn(path, synchronous, writerPragma, writerCheckpoint)
}

// dsn is the connection string for the file at path: the pragmas every
// connection runs first, then extra ones.
func dsn(path, synchronous string, extra ...string) string {
	v := url.Values{}
	// busy_timeout goes first so that the pragmas after it wait instead
	// of failing while another connection holds the lock.
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous("+synchronous+")")
	v.Add("_pragma", "foreign_keys(1)")
	// Text a mask replaced is zeroed in the pages that held it (§11), and
	// so are the pages the database frees: FAST would leave those as they
	// were, and a page freed when its table's pages are rebalanced holds
	// copies of the rows it had. ON cost nothing measurable in the store
	// benchmarks (docs/benchmarks.md).
	v.Add("_pragma", "secure_delete(ON)")
	for _, p := range extra {
		v.Add("_pragma", p)
	}
	// Writers take the write lock at BEGIN, so a transaction never fails
	// half-way when upgrading a read lock.
	v.Set("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
