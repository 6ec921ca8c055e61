package node

import (
	"context"
	"fmt"
	"os"

	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// OpenStore opens the configured database — PostgreSQL at DatabaseURL, or
// else the SQLite file in DataDir, created if need be — and applies its
// pending migrations. `sodam serve` opens it so.
func OpenStore(ctx context.Context, c Config) (*sqldb.DB, error) {
	db, _, err := openStore(ctx, c)
	return db, err
}

// MigrateStore opens the configured database as OpenStore does, closes it,
// and returns the names of the migrations it applied: `sodam migrate`.
func MigrateStore(ctx context.Context, c Config) ([]string, error) {
	db, applied, err := openStore(ctx, c)
	if err != nil {
		return applied, err
	}
	return applied, db.Close()
}

func openStore(ctx context.Context, c Config) (*sqldb.DB, []string, error) {
	if c.DatabaseURL == "" {
		if err := prepareDataDir(c.DataDir); err != nil {
			return nil, nil, err
		}
	}
	db, err := ConnectStore(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	applied, err := db.ApplyMigrations(ctx)
	if err != nil {
		db.Close()
		return nil, applied, fmt.Errorf("%s: %w", c.storeName(), err)
	}
	return db, applied, nil
}

// ConnectStore opens the configured database without migrating it: the
// operator's commands use it beside a running server, whose schema they
// leave alone.
func ConnectStore(ctx context.Context, c Config) (*sqldb.DB, error) {
	if c.DatabaseURL != "" {
		return postgres.Connect(ctx, c.DatabaseURL, "")
	}
	return sqlite.Connect(c.SQLitePath(), c.SQLiteSynchronous)
}

// storeName names the configured database in messages, without secrets.
func (c Config) storeName() string {
	if c.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite " + c.SQLitePath()
}

// prepareDataDir makes the data directory if need be and checks that this
// user may write in it: SQLite keeps its log beside the database, and
// would otherwise stop start-up with "unable to open database file (14)".
func prepareDataDir(dir string) error {
	fix := "give Sodam a directory this user may write with --data or SODAM_DATA, or make this one theirs (chown)"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("the data directory %s cannot be made (%v): %s", dir, err, fix)
	}
	f, err := os.CreateTemp(dir, ".sodam-write-check-*")
	if err != nil {
		return fmt.Errorf("the data directory %s cannot be written (%v): %s", dir, err, fix)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
