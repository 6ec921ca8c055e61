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
// pending migrations. `sodam serve` and `sodam migrate` open it so.
func OpenStore(ctx context.Context, c Config) (*sqldb.DB, error) {
	if c.DatabaseURL == "" {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	db, err := ConnectStore(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", c.storeName(), err)
	}
	return db, nil
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
