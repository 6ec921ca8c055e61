package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

func open(t testing.TB) chat.Store {
	t.Helper()
	db, _ := sqlite.OpenTest(t)
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

// Reopening a database keeps its data and does not re-run migrations.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateWorkspace(ctx, &chat.Workspace{SiteID: "keep", Name: "k", IdentitySecret: "s"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.WorkspaceBySiteID(ctx, "keep"); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkAppendMessage(b *testing.B) { storetest.BenchAppendMessage(b, open) }

// BenchmarkVisitorHandshake: the reconnect storm of issue 17 (docs/benchmarks.md).
func BenchmarkVisitorHandshake(b *testing.B) { storetest.BenchVisitorHandshake(b, open) }

// BenchmarkReadReceipts: issue 14 (docs/benchmarks.md).
func BenchmarkReadReceipts(b *testing.B) { storetest.BenchReadReceipts(b, open) }

// BenchmarkAppendMessageNormal is BenchmarkAppendMessage with
// synchronous=NORMAL, to show what FULL costs (docs/benchmarks.md).
func BenchmarkAppendMessageNormal(b *testing.B) {
	storetest.BenchAppendMessage(b, func(t testing.TB) chat.Store {
		db, err := sqlite.OpenSync(context.Background(), filepath.Join(t.TempDir(), "sodam.db"), "NORMAL")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// BenchmarkHistory: search and export over a large workspace
// (docs/benchmarks.md, SODAM_BENCH_CONVERSATIONS).
func BenchmarkHistory(b *testing.B) {
	keep := os.Getenv("SODAM_BENCH_KEEP") // a database file kept between runs
	if keep == "" {
		storetest.BenchHistory(b, open)
		return
	}
	storetest.BenchHistory(b, func(t testing.TB) chat.Store {
		db, err := sqlite.Open(context.Background(), keep)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
func BenchmarkStatsQueries(b *testing.B) { storetest.BenchStatsQueries(b, openStatsBench) }

// openStatsBench opens the file SODAM_BENCH_STATS_DB names, which it keeps,
// so that the statistics benchmark loads its history once; without it, a
// fresh database.
func openStatsBench(t testing.TB) chat.Store {
	path := os.Getenv("SODAM_BENCH_STATS_DB")
	if path == "" {
		return open(t)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func BenchmarkConversationLifecycle(b *testing.B) { storetest.BenchConversationLifecycle(b, open) }

// BenchmarkRollupAB: what the statistics roll-up adds to whole
// conversations, on and off in one process (docs/benchmarks.md).
func BenchmarkRollupAB(b *testing.B) { storetest.BenchRollupAB(b, open) }

// Migration 0020 keeps the statistics of a database counted before it.
func TestStatsAcrossUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.StatsAcrossUpgrade(t, db, func() chat.Store {
		db = reopenAfter(t, db, path, storetest.Undo0020)
		return db
	})
	db.Close()
}

// TestSearchAcrossUpgrade: what the search index held before migration
// 0028 is found spacing aside after it (storetest.SearchAcrossUpgrade).
func TestSearchAcrossUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SearchAcrossUpgrade(t, db, false, func(undo string) chat.Store {
		db = reopenAfter(t, db, path, undo)
		return db
	})
	db.Close()
}

// TestSearchSizesAcrossUpgrade: migration 0040 makes the search index
// anew without FTS5's token counts (storetest.SearchSizesAcrossUpgrade),
// and no table of them is left.
func TestSearchSizesAcrossUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SearchSizesAcrossUpgrade(t, db, func(undo string) chat.Store {
		db = reopenAfter(t, db, path, undo+"SELECT count(*) FROM message_fts_docsize;")
		return db
	})
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name LIKE 'message_fts%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	// message_fts, _data, _idx, _config: no _docsize, no _content.
	if n != 4 {
		t.Errorf("%d tables of the search index, want 4", n)
	}
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
			path := filepath.Join(t.TempDir(), "sodam.db")
			db, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			check(t, db, false, func(undo string) chat.Store {
				db = reopenAfter(t, db, path, undo)
				return db
			})
			db.Close()
		})
	}
}

// Tags created at once never pass the workspace's limit: SQLite's one
// writer serializes them (storetest.ListLimitsAcrossNodes, one node).
func TestListLimits(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sodam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.ListLimitsAcrossNodes(t, db)
}

// reopenAfter closes db, runs stmts on the database file through a
// connection of its own, and opens the store again, which applies what
// migrations stmts undid.
func reopenAfter(t *testing.T, db *sqldb.DB, path, stmts string) *sqldb.DB {
	t.Helper()
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(stmts); err != nil {
		t.Fatal(err)
	}
	if db, err = sqlite.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	return db
}

// A crash between a change's commit and the roll-up step that counts it
// leaves the conversation marked, and the next start counts it.
func TestStatsAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	storetest.StatsAfterCrash(t, db, func() chat.Store {
		db.Close()
		if db, err = sqlite.Open(context.Background(), path); err != nil {
			t.Fatal(err)
		}
		return db
	}, func() int {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM stat_stale`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// What a mask hid leaves the database file and its write-ahead log.
func TestMaskLeavesNoTrace(t *testing.T) {
	db, path := sqlite.OpenTest(t)
	storetest.MaskLeavesNoTrace(t, db, func() []byte {
		var all []byte
		for _, f := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	})
}

// A backup copy's search index holds no entries of a masked text
// (sqlite.Snapshot merges it). An entry is looked for as its term's bytes
// after the first two, since FTS5 stores a term after the prefix it shares
// with the one before it; terms the message's other words have too are
// left out.
func TestMaskedSearchInCopies(t *testing.T) {
	db, path := sqlite.OpenTest(t)
	holds := func(file string, text string) bool {
		raw, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query(`SELECT block FROM message_fts_data`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var data []byte
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			data = append(data, b...)
		}
		other := strings.Fields(history.Grams("환불은 계좌로 부탁드려요"))
		for _, term := range strings.Fields(history.Grams(text)) {
			if len(term) > 4 && !slices.Contains(other, term) && bytes.Contains(data, []byte(term[2:])) {
				return true
			}
		}
		return false
	}
	storetest.MaskedSearchInCopies(t, db,
		func(text string) bool { return holds(path, text) },
		func(text string) bool {
			dest := filepath.Join(t.TempDir(), "copy.db")
			if err := sqlite.Snapshot(t.Context(), path, dest); err != nil {
				t.Fatal(err)
			}
			return holds(dest, text)
		})
}

// Identity secrets are sealed at rest (storetest.IdentitySecretsSealed).
func TestIdentitySecretsSealed(t *testing.T) {
	db, path := sqlite.OpenTest(t)
	column, setColumn := rawColumn(t, path, "workspaces", "identity_secret")
	storetest.IdentitySecretsSealed(t, db, column, setColumn)
}

// Endpoints' addresses are sealed at rest (storetest.EndpointURLsSealed).
func TestEndpointURLsSealed(t *testing.T) {
	db, path := sqlite.OpenTest(t)
	column, setColumn := rawColumn(t, path, "endpoints", "url")
	storetest.EndpointURLsSealed(t, db, column, setColumn)
}

// rawColumn reads and writes one text column of a table's rows by id,
// under the store (a connection of its own to the file at path).
func rawColumn(t *testing.T, path, table, column string) (get func(id int64) string, set func(id int64, value string)) {
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	get = func(id int64) string {
		var s string
		if err := raw.QueryRow(`SELECT `+column+` FROM `+table+` WHERE id = ?`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	set = func(id int64, value string) {
		if _, err := raw.Exec(`UPDATE `+table+` SET `+column+` = ? WHERE id = ?`, value, id); err != nil {
			t.Fatal(err)
		}
	}
	return get, set
}

// BenchmarkFAQImport: a 10,000-article FAQ import (docs/benchmarks.md, issue 12).
func BenchmarkFAQImport(b *testing.B) { storetest.BenchFAQImport(b, open) }
