package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Snapshot writes a consistent copy of the database file at path to dest
// while Sodam keeps serving on it, from this process or another. VACUUM
// INTO reads the whole database inside one read transaction, so the copy
// is the database as it was when the snapshot began; in WAL mode writers
// go on meanwhile (the WAL grows until the snapshot ends). dest must not
// exist or be empty. The copy's search index is merged (mergeSearch); the
// copy is synced to disk and checked
// (PRAGMA quick_check) before Snapshot returns; it is a plain SQLite file
// in rollback-journal mode, which Sodam turns to WAL when it opens it.
func Snapshot(ctx context.Context, path, dest string) error {
	// mode=rw: a missing database is an error, never a new empty file.
	src, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("sqlite: snapshot of %s: %w", path, err)
	}
	if err := mergeSearch(ctx, dest); err != nil {
		return fmt.Errorf("sqlite: snapshot of %s: %w", path, err)
	}
	f, err := os.OpenFile(dest, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlite: sync %s: %w", dest, err)
	}
	return check(ctx, dest)
}

// mergeSearch merges the search index of the copy at path into one
// segment and then rebuilds the file. The index only marks a rewritten
// message's old entries deleted (FTS5's 'delete' command writes a
// deletion beside them), and its segments keep them until FTS5 merges
// them: a masked text's characters, pair by pair with their places,
// would otherwise stay in every copy. On the copy this costs the live database nothing; the
// VACUUM leaves no freed page of the old segments behind.
func mergeSearch(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'message_fts'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO message_fts (message_fts) VALUES ('optimize')`); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `VACUUM`)
	return err
}

// check runs PRAGMA quick_check on the database file at path.
func check(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&result); err != nil {
		return fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	if result != "ok" {
		return errors.New("sqlite: the copy " + path + " failed its check: " + result)
	}
	return nil
}
