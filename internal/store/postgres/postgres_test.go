package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, postgres.OpenTest) }

func BenchmarkAppendMessage(b *testing.B) { storetest.BenchAppendMessage(b, postgres.OpenTest) }

// BenchmarkReadReceipts: issue 14 (docs/benchmarks.md).
// BenchmarkVisitorHandshake: the reconnect storm of issue 17 (docs/benchmarks.md).
func BenchmarkVisitorHandshake(b *testing.B) { storetest.BenchVisitorHandshake(b, postgres.OpenTest) }

func BenchmarkReadReceipts(b *testing.B) { storetest.BenchReadReceipts(b, postgres.OpenTest) }

// MigrationStatus reads without writing: a fresh schema has every
// migration pending, and none once migrated.
func TestMigrationStatus(t *testing.T) {
	ctx := context.Background()
	url, schema := postgres.TestSchema(t)
	db, err := postgres.Connect(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, unknown, err := db.MigrationStatus(ctx)
	if err != nil || len(pending) == 0 || len(unknown) > 0 {
		t.Fatalf("fresh: pending %v, unknown %v, %v", pending, unknown, err)
	}
	if again, _, _ := db.MigrationStatus(ctx); len(again) != len(pending) {
		t.Fatalf("status changed the database: %v then %v", pending, again)
	}
	applied, err := db.ApplyMigrations(ctx)
	if err != nil || len(applied) != len(pending) {
		t.Fatalf("applied %v of %v: %v", applied, pending, err)
	}
	if pending, unknown, err = db.MigrationStatus(ctx); err != nil || len(pending)+len(unknown) > 0 {
		t.Fatalf("migrated: pending %v, unknown %v, %v", pending, unknown, err)
	}
}

// BenchmarkHistory: search and export over a large workspace
// (docs/benchmarks.md, SODAM_BENCH_CONVERSATIONS).
func BenchmarkHistory(b *testing.B) {
	keep := os.Getenv("SODAM_BENCH_KEEP") // a schema kept between runs
	if keep == "" {
		storetest.BenchHistory(b, postgres.OpenTest)
		return
	}
	storetest.BenchHistory(b, func(t testing.TB) chat.Store {
		url := os.Getenv(postgres.TestURLVar)
		if url == "" {
			t.Skip(postgres.TestURLVar + " is not set")
		}
		db, err := postgres.Open(context.Background(), url, keep)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
func BenchmarkStatsQueries(b *testing.B) { storetest.BenchStatsQueries(b, openStatsBench) }

// openStatsBench opens the schema SODAM_BENCH_STATS_SCHEMA names in the
// test database, creating it if needed and keeping it, so that the
// statistics benchmark loads its history once; without it, a fresh schema.
func openStatsBench(t testing.TB) chat.Store {
	schema := os.Getenv("SODAM_BENCH_STATS_SCHEMA")
	url := os.Getenv(postgres.TestURLVar)
	if schema == "" || url == "" {
		return postgres.OpenTest(t)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS "`+schema+`"`)
	admin.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func BenchmarkConversationLifecycle(b *testing.B) {
	storetest.BenchConversationLifecycle(b, postgres.OpenTest)
}

// twoNodes opens two stores on one fresh schema, as two nodes of a
// cluster would; they close when the test ends.
func twoNodes(t *testing.T) []chat.Store {
	url, schema := postgres.TestSchema(t)
	var nodes []chat.Store
	for range 2 {
		db, err := postgres.Open(context.Background(), url, schema)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		nodes = append(nodes, db)
	}
	return nodes
}

// Two nodes on one database keep one exact roll-up.
func TestStatsSeveralNodes(t *testing.T) { storetest.StatsSeveralNodes(t, twoNodes(t)...) }

// Roll-up steps of two nodes at once never count a change twice.
func TestStatsConcurrentSteps(t *testing.T) { storetest.StatsConcurrentSteps(t, twoNodes(t)...) }

// Two nodes creating tags at once never pass the workspace's limit
// (storetest.ListLimitsAcrossNodes).
func TestListLimitsAcrossNodes(t *testing.T) { storetest.ListLimitsAcrossNodes(t, twoNodes(t)...) }

// openWithRaw opens a store on a fresh schema, and a plain connection
// to the same database for a test that looks under the store; both close
// when the test ends.
func openWithRaw(t *testing.T) (db *sqldb.DB, raw *sql.DB, url, schema string) {
	url, schema = postgres.TestSchema(t)
	db, err := postgres.Open(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if raw, err = sql.Open("pgx", url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw, url, schema
}

// A crash between a change's commit and the roll-up step that counts it
// leaves the conversation marked, and the next start counts it.
func TestStatsAfterCrash(t *testing.T) {
	ctx := context.Background()
	db, raw, url, schema := openWithRaw(t)
	storetest.StatsAfterCrash(t, db, func() chat.Store {
		db.Close()
		var err error
		if db, err = postgres.Open(ctx, url, schema); err != nil {
			t.Fatal(err)
		}
		return db
	}, func() int {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM "` + schema + `".stat_stale`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// A roll-up step folds past its first 1,024, and folds the conversation
// another transaction holds once it is let go.
func TestStatsFoldPastHeld(t *testing.T) {
	ctx := context.Background()
	db, raw, _, schema := openWithRaw(t)
	table := func(name string) string { return `"` + schema + `".` + name }
	storetest.StatsFoldPastHeld(t, db, func(ws int64, convs []sqldb.BulkConversation) error {
		return db.BulkLoad(ctx, ws, convs)
	}, func() {
		if _, err := raw.Exec(`INSERT INTO ` + table("stat_stale") + ` SELECT id FROM ` + table("conversations") + ` ON CONFLICT DO NOTHING`); err != nil {
			t.Fatal(err)
		}
	}, func() func() {
		tx, err := raw.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`SELECT id FROM ` + table("conversations") + ` ORDER BY id LIMIT 1 FOR UPDATE`); err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback() } //nolint:errcheck // only the lock matters
	}, func() func() {
		tx, err := raw.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`LOCK TABLE ` + table("stat_days") + ` IN SHARE MODE`); err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback() } //nolint:errcheck // only the lock matters
	}, func() int {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM ` + table("stat_stale")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// BenchmarkRollupAB: what the statistics roll-up adds to whole
// conversations, on and off in one process (docs/benchmarks.md).
func BenchmarkRollupAB(b *testing.B) { storetest.BenchRollupAB(b, postgres.OpenTest) }

// Migration 0020 keeps the statistics of a database counted before it.
func TestStatsAcrossUpgrade(t *testing.T) {
	ctx := context.Background()
	url, schema := postgres.TestSchema(t)
	db, err := postgres.Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	storetest.StatsAcrossUpgrade(t, db, func() chat.Store {
		db = reopenAfter(t, db, url, schema, storetest.Undo0020)
		return db
	})
	db.Close()
}

// TestSearchAcrossUpgrade: what the search index held before migration
// 0028 is found spacing aside after it (storetest.SearchAcrossUpgrade).
func TestSearchAcrossUpgrade(t *testing.T) {
	ctx := context.Background()
	url, schema := postgres.TestSchema(t)
	db, err := postgres.Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SearchAcrossUpgrade(t, db, true, func(undo string) chat.Store {
		db = reopenAfter(t, db, url, schema, undo)
		return db
	})
	db.Close()
}

// TestAcrossUpgrades: what a database held before a migration is right
// after it: full- and half-width forms folded in the search index
// (storetest.WidthAcrossUpgrade, 0031), FAQ images swept
// (storetest.FAQSweepAcrossUpgrade, 0032), robot chats refused a person
// counted as unprocessed (storetest.RefusedAcrossUpgrade, 0037), a
// waiting alert written once (storetest.WaitingAcrossUpgrade, 0041).
func TestAcrossUpgrades(t *testing.T) {
	for name, check := range map[string]func(*testing.T, chat.Store, bool, func(string) chat.Store){
		"width": storetest.WidthAcrossUpgrade, "faq images": storetest.FAQSweepAcrossUpgrade,
		"robot refused a person": storetest.RefusedAcrossUpgrade, "tokens of the deactivated": storetest.TokensAcrossUpgrade, "waiting per stint": storetest.WaitingAcrossUpgrade,
	} {
		t.Run(name, func(t *testing.T) {
			url, schema := postgres.TestSchema(t)
			db, err := postgres.Open(context.Background(), url, schema)
			if err != nil {
				t.Fatal(err)
			}
			check(t, db, true, func(undo string) chat.Store {
				db = reopenAfter(t, db, url, schema, undo)
				return db
			})
			db.Close()
		})
	}
}

// reopenAfter closes db, runs stmts in schema on a connection of its own,
// and opens the store again, which applies what migrations stmts undid.
func reopenAfter(t *testing.T, db *sqldb.DB, url, schema, stmts string) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	db.Close()
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET search_path = "`+schema+`"`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, stmts); err != nil {
		t.Fatal(err)
	}
	db, err = postgres.Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// Identity secrets are sealed at rest (storetest.IdentitySecretsSealed).
func TestIdentitySecretsSealed(t *testing.T) {
	db, raw, _, schema := openWithRaw(t)
	column, setColumn := rawColumn(t, raw, schema, "workspaces", "identity_secret")
	storetest.IdentitySecretsSealed(t, db, column, setColumn)
}

// Endpoints' addresses are sealed at rest (storetest.EndpointURLsSealed).
func TestEndpointURLsSealed(t *testing.T) {
	db, raw, _, schema := openWithRaw(t)
	column, setColumn := rawColumn(t, raw, schema, "endpoints", "url")
	storetest.EndpointURLsSealed(t, db, column, setColumn)
}

// rawColumn reads and writes one text column of a table's rows by id,
// under the store.
func rawColumn(t *testing.T, raw *sql.DB, schema, table, column string) (get func(id int64) string, set func(id int64, value string)) {
	table = `"` + schema + `".` + table
	get = func(id int64) string {
		var s string
		if err := raw.QueryRow(`SELECT `+column+` FROM `+table+` WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	set = func(id int64, value string) {
		if _, err := raw.Exec(`UPDATE `+table+` SET `+column+` = $1 WHERE id = $2`, value, id); err != nil {
			t.Fatal(err)
		}
	}
	return get, set
}

// BenchmarkFAQImport: a 10,000-article FAQ import (docs/benchmarks.md, issue 12).
func BenchmarkFAQImport(b *testing.B) { storetest.BenchFAQImport(b, postgres.OpenTest) }
