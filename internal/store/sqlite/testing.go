package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// OpenTest opens a store on a new file in the test's temporary directory,
// closed when the test ends, and returns it with the file's path. The file
// starts as a copy of one migrated once per test binary (WriteMigrated).
func OpenTest(t testing.TB) (*sqldb.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sodam.db")
	WriteMigrated(t, path)
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// WriteMigrated writes at path a database with every migration applied and
// nothing else. Migrating costs about a second of CPU under the race
// detector (the SQLite engine is Go code, instrumented too), the same work
// for every test, so a test binary migrates once and copies the file.
func WriteMigrated(t testing.TB, path string) {
	t.Helper()
	image, err := migrated()
	if err != nil {
		t.Fatalf("migrate the template database: %v", err)
	}
	if err := os.WriteFile(path, image, 0o600); err != nil {
		t.Fatal(err)
	}
}

var migrated = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "sodam-migrated-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "sodam.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	// Closing checkpoints the write-ahead log into the file.
	if err := db.Close(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return nil, fmt.Errorf("%s-wal is left after closing", path)
	}
	return os.ReadFile(path)
})
