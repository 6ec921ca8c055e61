package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestURLVar names the environment variable holding the test database URL.
const TestURLVar = "SODAM_TEST_DATABASE_URL"

// OpenTest opens a store in a fresh schema of the database named by
// SODAM_TEST_DATABASE_URL and drops the schema when the test ends. Without
// the variable the test is skipped with a one-line notice.
func OpenTest(t testing.TB) chat.Store {
	t.Helper()
	url, schema := TestSchema(t)
	db, err := Open(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestSchema creates a fresh schema for a test and returns the database URL
// and the schema name; the schema is dropped when the test ends.
func TestSchema(t testing.TB) (url, schema string) {
	t.Helper()
	url = os.Getenv(TestURLVar)
	if url == "" {
		t.Skip(TestURLVar + " is not set: skipping PostgreSQL tests")
	}
	schema = "sodam_test_" + strings.ToLower(rand.Text()[:12])
	admin, err := adminDB(url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(fmt.Sprintf(`CREATE SCHEMA %q`, schema)); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := adminDB(url)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		// Dropping every table of the schema at once lost a deadlock once
		// in CI, to something still at work on one of them (not found):
		// try again.
		for attempt := 1; ; attempt++ {
			_, err := admin.Exec(fmt.Sprintf(`DROP SCHEMA %q CASCADE`, schema))
			if err == nil {
				return
			}
			if !isRetryable(err) || attempt == 3 {
				t.Errorf("drop schema: %v", err)
				return
			}
		}
	})
	return url, schema
}

func adminDB(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}
