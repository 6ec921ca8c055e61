// Package postgres opens Sodam's scale-out store on PostgreSQL through
// pgx/v5. Several sodam nodes may share one database: invariants are held by
// row locks inside transactions, never by in-process state.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ chat.Store = (*sqldb.DB)(nil)

// migrationLockID is the advisory lock that keeps nodes from migrating at once.
const migrationLockID = 0x50da4

// Open connects to the database at url and migrates it. A non-empty schema
// is used as the search_path (tests run each in a fresh schema).
func Open(ctx context.Context, url, schema string) (*sqldb.DB, error) {
	db, err := Connect(ctx, url, schema)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return db, nil
}

// Connect is Open without the migrations: it connects and checks that
// the database answers.
func Connect(ctx context.Context, url, schema string) (*sqldb.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad database URL: %w", err)
	}
	if schema != "" {
		cfg.RuntimeParams["search_path"] = schema
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return sqldb.New(pool, pool, dialect()), nil
}

// dialect is how the store speaks PostgreSQL.
func dialect() sqldb.Dialect {
	mig, _ := fs.Sub(migrations, "migrations")
	return sqldb.Dialect{
		Name:      "postgres",
		Numbered:  true,
		Arrays:    true,
		ForUpdate: " FOR UPDATE",
		// Nested loops only: a generic plan assumes ten keys, and with a
		// hash join it read the whole customers table of a shop with a
		// thousand of them.
		GenericPlans: []string{"SET LOCAL plan_cache_mode = force_generic_plan",
			"SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off"},
		DefaultPlans: []string{"SET LOCAL plan_cache_mode = DEFAULT",
			"SET LOCAL enable_hashjoin = DEFAULT", "SET LOCAL enable_mergejoin = DEFAULT"},
		NextIDs:           `SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, CAST(? AS INTEGER))`,
		Migrations:        mig,
		TableExists:       `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`,
		LockMigrations:    lockMigrations,
		IsUniqueViolation: isUniqueViolation,
		LockRouting:       lockRouting,
		LockLists:         lockLists,
		SkipLocked:        " FOR UPDATE SKIP LOCKED",
		IsRetryable:       isRetryable,
		IsUnavailable:     isUnavailable,
		Pipeline:          pipeline,
		CleanPending:      `SELECT gin_clean_pending_list('message_search_grams')`,
	}
}

// pipeline sends stmts in one round trip with pgx's batch protocol (the
// statements are still prepared once per connection and cached), reads
// their rows in order and returns the rows each affected. A COMMIT that
// PostgreSQL answered with ROLLBACK (the transaction had failed) is an
// error, as pgx's own Tx.Commit makes it.
func pipeline(ctx context.Context, c *sql.Conn, stmts []sqldb.Stmt) (affected []int64, err error) {
	err = c.Raw(func(dc any) error {
		b := &pgx.Batch{}
		for _, s := range stmts {
			b.Queue(s.Query, s.Args...)
		}
		br := dc.(*stdlib.Conn).Conn().SendBatch(ctx, b)
		affected = make([]int64, len(stmts))
		for i, s := range stmts {
			tag, err := readRows(br, s)
			if err != nil {
				br.Close()
				return err
			}
			if s.Query == "COMMIT" && tag.String() == "ROLLBACK" {
				br.Close()
				return pgx.ErrTxCommitRollback
			}
			affected[i] = tag.RowsAffected()
		}
		return br.Close()
	})
	return affected, err
}

func lockMigrations(ctx context.Context, c *sql.Conn) (func(), error) {
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return nil, err
	}
	return func() {
		c.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLockID) //nolint:errcheck // the lock also ends with the session
	}, nil
}

// lockRouting takes the workspace's routing lock, a transaction-scoped
// advisory lock, so nodes route one workspace's queue one at a time.
func lockRouting(ctx context.Context, x sqldb.Querier, workspaceID int64) error {
	return x.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLockID<<32|workspaceID)
}

// lockLists takes the workspace's lock on its counted lists, another
// transaction-scoped advisory lock, so nodes count and insert one at a time.
func lockLists(ctx context.Context, x sqldb.Querier, workspaceID int64) error {
	return x.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, (migrationLockID+1)<<32|workspaceID)
}

// isRetryable reports a deadlock (40P01) or serialization failure (40001):
// the transaction lost a conflict and may succeed when run again.
func isRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

// isUnavailable reports a failed connection attempt, a connection lost
// (class 08), or a server shutting down or starting up (57P01–57P03).
func isUnavailable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) {
		return true
	}
	var e *pgconn.PgError
	return errors.As(err, &e) && (strings.HasPrefix(e.Code, "08") || e.Code == "57P01" || e.Code == "57P02" || e.Code == "57P03")
}

func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// readRows reads the next statement's rows of a batch into s.Row.
func readRows(br pgx.BatchResults, s sqldb.Stmt) (pgconn.CommandTag, error) {
	rows, err := br.Query()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer rows.Close()
	for rows.Next() {
		if s.Row == nil {
			continue
		}
		if err := s.Row(rows.Scan); err != nil {
			return pgconn.CommandTag{}, err
		}
	}
	rows.Close()
	return rows.CommandTag(), rows.Err()
}
