package postgres_test

import (
	"context"

	"testing"

	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, postgres.OpenTest) }

func BenchmarkAppendMessage(b *testing.B) { storetest.BenchAppendMessage(b, postgres.OpenTest) }

// BenchmarkReadReceipts: issue 14 (docs/benchmarks.md).
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
func BenchmarkHistory(b *testing.B) { storetest.BenchHistory(b, postgres.OpenTest) }
