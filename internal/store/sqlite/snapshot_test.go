package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// A snapshot taken while another connection writes is a complete,
// migrated database holding at least what was committed before it began.
func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "sodam.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateWorkspace(ctx, &chat.Workspace{SiteID: "before", Name: "b", IdentitySecret: "s"}); err != nil {
		t.Fatal(err)
	}
	var writes sync.WaitGroup
	stop := make(chan struct{})
	writes.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.CreateWorkspace(ctx, &chat.Workspace{SiteID: fmt.Sprintf("during-%d", i), Name: "d", IdentitySecret: "s"}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	dest := filepath.Join(dir, "copy.db")
	err = Snapshot(ctx, path, dest)
	close(stop)
	writes.Wait()
	if err != nil {
		t.Fatal(err)
	}
	copied, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	if _, err := copied.WorkspaceBySiteID(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	if pending, unknown, err := copied.MigrationStatus(ctx); err != nil || len(pending)+len(unknown) > 0 {
		t.Fatalf("the copy's migrations: pending %v, unknown %v, %v", pending, unknown, err)
	}

	// An existing copy is never overwritten, and a missing database is
	// never created.
	if err := Snapshot(ctx, path, dest); err == nil {
		t.Fatal("a snapshot overwrote an existing file")
	}
	missing := filepath.Join(dir, "missing.db")
	if err := Snapshot(ctx, missing, filepath.Join(dir, "other.db")); err == nil {
		t.Fatal("a snapshot of a missing database succeeded")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("the snapshot created the missing database: %v", err)
	}
}

// MigrationStatus reads without writing: a new file has every migration
// pending and still has no tables afterwards; a migrated one has none.
func TestMigrationStatus(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sodam.db")
	db, err := Connect(path, Synchronous)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, unknown, err := db.MigrationStatus(ctx)
	if err != nil || len(pending) == 0 || len(unknown) > 0 {
		t.Fatalf("fresh: pending %v, unknown %v, %v", pending, unknown, err)
	}
	pending2, _, _ := db.MigrationStatus(ctx)
	if len(pending2) != len(pending) {
		t.Fatalf("status changed the database: %v then %v", pending, pending2)
	}
	applied, err := db.ApplyMigrations(ctx)
	if err != nil || len(applied) != len(pending) {
		t.Fatalf("applied %v of %v: %v", applied, pending, err)
	}
	if again, err := db.ApplyMigrations(ctx); err != nil || len(again) > 0 {
		t.Fatalf("applied again: %v %v", again, err)
	}
	if pending, unknown, err = db.MigrationStatus(ctx); err != nil || len(pending)+len(unknown) > 0 {
		t.Fatalf("migrated: pending %v, unknown %v, %v", pending, unknown, err)
	}
	// A newer Sodam's migration is reported as unknown.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`INSERT INTO schema_migrations (version) VALUES ('9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	if pending, unknown, err = db.MigrationStatus(ctx); err != nil || len(pending) > 0 || len(unknown) != 1 || unknown[0] != "9999_future.sql" {
		t.Fatalf("newer: pending %v, unknown %v, %v", pending, unknown, err)
	}
}
