package main

import (
	"database/sql"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to tamper with schema_migrations

	"github.com/sodam-chat/sodam/internal/node"
)

func TestParseMigrate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want migrateCommand
		err  string
	}{
		{name: "apply", args: nil, want: migrateCommand{}},
		{name: "check", args: []string{"--check", "--data", "/d"}, want: migrateCommand{Check: true}},
		{name: "check after the settings", args: []string{"--database-url", "postgres://h/db", "--check"}, want: migrateCommand{Check: true}},
		{name: "a stray argument", args: []string{"up"}, err: `unexpected argument "up"`},
		{name: "an unknown flag", args: []string{"--dry-run"}, err: "dry-run"},
		{name: "a bad setting", args: []string{"--database-url", "mysql://x"}, err: "SODAM_DATABASE_URL"},
		{name: "help", args: []string{"-h"}, err: "help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := parseMigrate(tt.args, noenv, io.Discard)
			switch {
			case tt.err == "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Fatalf("err %v, want help", err)
				}
			case tt.err != "":
				var u usageError
				if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want a usage error mentioning %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestMigrate checks, applies and re-checks the migrations of a new
// database, and refuses the admin commands on a database whose schema is
// behind or ahead of this version.
func TestMigrate(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			migrate := func(args ...string) (int, string, string) {
				t.Helper()
				return run(t, runMigrate, append(args, b.args...)...)
			}
			cfg, err := node.ParseConfig("test", b.args, noenv)
			if err != nil {
				t.Fatal(err)
			}
			code, out, stderr := migrate("--check")
			if code != exitFail || !strings.Contains(out, "0001_init.sql") && !strings.Contains(out, "no database") {
				t.Fatalf("--check on a new database: exit %d\n%s%s", code, out, stderr)
			}
			if b.name == "sqlite" {
				if _, err := os.Stat(cfg.SQLitePath()); !os.IsNotExist(err) {
					t.Fatalf("--check created the database: %v", err)
				}
			}
			code, out, stderr = migrate()
			if code != exitOK || !strings.Contains(out, "applied 0001_init.sql") {
				t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
			}
			if code, out, _ := migrate(); code != exitOK || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate again: exit %d\n%s", code, out)
			}
			if code, out, _ := migrate("--check"); code != exitOK || !strings.Contains(out, "up to date") {
				t.Fatalf("--check when migrated: exit %d\n%s", code, out)
			}
			if code, out, stderr := adminCmd(t, "", append([]string{"list-agents"}, b.args...)...); code != exitOK || !strings.HasPrefix(out, "ID") {
				t.Fatalf("list-agents on a migrated, empty database: exit %d\n%s%s", code, out, stderr)
			}

			// Tamper with the record of migrations, as a newer or an older
			// version of Sodam would have left it.
			var db *sql.DB
			if cfg.DatabaseURL != "" {
				db, err = sql.Open("pgx", cfg.DatabaseURL)
			} else {
				db, err = sql.Open("sqlite", "file:"+cfg.SQLitePath()+"?_pragma=busy_timeout(10000)")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			exec := func(query string) {
				t.Helper()
				if _, err := db.Exec(query); err != nil {
					t.Fatal(err)
				}
			}
			exec(`INSERT INTO schema_migrations (version) VALUES ('9999_future.sql')`)
			if code, out, _ := migrate("--check"); code != exitFail || !strings.Contains(out, "9999_future.sql") {
				t.Fatalf("--check on a newer database: exit %d\n%s", code, out)
			}
			if code, out, _ := migrate(); code != exitFail || !strings.Contains(out, "newer") {
				t.Fatalf("migrate on a newer database: exit %d\n%s", code, out)
			}
			if code, _, stderr := adminCmd(t, "", append([]string{"list-agents"}, b.args...)...); code != exitFail || !strings.Contains(stderr, "newer version") {
				t.Fatalf("list-agents on a newer database: exit %d %s", code, stderr)
			}
			exec(`DELETE FROM schema_migrations WHERE version = '9999_future.sql'`)
			exec(`DELETE FROM schema_migrations WHERE version = '0005_team.sql'`)
			if code, out, _ := migrate("--check"); code != exitFail || !strings.Contains(out, "pending 0005_team.sql") {
				t.Fatalf("--check on an older database: exit %d\n%s", code, out)
			}
			if code, _, stderr := adminCmd(t, "", append([]string{"list-agents"}, b.args...)...); code != exitFail || !strings.Contains(stderr, "sodam migrate") {
				t.Fatalf("list-agents on an older database: exit %d %s", code, stderr)
			}
		})
	}
}

// A missing data directory is not created by --check.
func TestMigrateCheckMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	if code, out, _ := run(t, runMigrate, "--check", "--data", dir); code != exitFail || !strings.Contains(out, "no database") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("--check created %s: %v", dir, err)
	}
}
