package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// The synchronous setting reaches every connection; OFF is refused.
func TestSynchronous(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	if _, err := OpenSync(context.Background(), path, "OFF"); err == nil {
		t.Fatal("synchronous OFF was accepted")
	}
	for sync, want := range map[string]int{"FULL": 2, "NORMAL": 1} {
		db, err := OpenSync(context.Background(), path, sync)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		conn, err := sql.Open("sqlite", dsn(path, sync))
		if err != nil {
			t.Fatal(err)
		}
		var got int
		err = conn.QueryRow(`PRAGMA synchronous`).Scan(&got)
		conn.Close()
		if err != nil || got != want {
			t.Fatalf("%s: PRAGMA synchronous = %d, %v; want %d", sync, got, err, want)
		}
	}
}

// The writer keeps its statement journals in memory and checkpoints every
// 4,000 pages; the readers keep the defaults (temp_store 0, 1,000 pages).
func TestWriterPragmas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sodam.db")
	for name, c := range map[string]struct {
		dsn                   string
		tempStore, checkpoint int
	}{"writer": {writerDSN(path, Synchronous), 2, 4000}, "reader": {dsn(path, Synchronous, "query_only(1)"), 0, 1000}} {
		conn, err := sql.Open("sqlite", c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		var tempStore, checkpoint int
		err = conn.QueryRow(`PRAGMA temp_store`).Scan(&tempStore)
		if err == nil {
			err = conn.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&checkpoint)
		}
		conn.Close()
		if err != nil || tempStore != c.tempStore || checkpoint != c.checkpoint {
			t.Fatalf("%s: PRAGMA temp_store = %d, wal_autocheckpoint = %d, %v; want %d, %d", name, tempStore, checkpoint, err, c.tempStore, c.checkpoint)
		}
	}
}
