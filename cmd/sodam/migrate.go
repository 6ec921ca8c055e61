package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/sodam-chat/sodam/internal/node"
)

// migrateCommand is a `sodam migrate` command line.
type migrateCommand struct {
	// Check reports pending migrations instead of applying them.
	Check bool
}

func parseMigrate(args []string, getenv func(string) string, stderr io.Writer) (migrateCommand, node.Config, error) {
	var c migrateCommand
	cfg, rest, err := parseCommand("sodam migrate", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&c.Check, "check", false, "only report the migrations the database lacks, and exit with status 1 if there are any")
	})
	if err == nil && len(rest) > 0 {
		err = usagef("unexpected argument %q", rest[0])
	}
	return c, cfg, err
}

// errNotCurrent is `sodam migrate`'s failure when the database's schema is
// not this version's: pending migrations, or a newer Sodam's.
var errNotCurrent = errors.New("the database is not at this version's schema")

// runMigrate runs `sodam migrate` and returns its exit status.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, cfg, err := parseMigrate(args, getenv, stderr)
	if err == nil {
		if c.Check {
			err = checkMigrations(ctx, cfg, stdout)
		} else {
			err = applyMigrations(ctx, cfg, stdout)
		}
	}
	if errors.Is(err, errNotCurrent) {
		return exitFail // the report said why
	}
	return exitStatus("sodam migrate", err, stderr)
}

// applyMigrations applies what is pending, as sodam serve does at start-up
// (on PostgreSQL under a lock, so nodes starting meanwhile wait).
func applyMigrations(ctx context.Context, cfg node.Config, out io.Writer) error {
	applied, err := node.MigrateStore(ctx, cfg)
	for _, name := range applied {
		fmt.Fprintf(out, "applied %s\n", name)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, "The database was up to date.")
	}
	// A newer version's migrations stay: report them, as --check does.
	db, err := node.ConnectStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	_, unknown, err := db.MigrationStatus(ctx)
	if err == nil && len(unknown) > 0 {
		fmt.Fprintf(out, "The database also has migrations this version does not know (%s): a newer version of Sodam migrated it; run that version.\n", strings.Join(unknown, ", "))
		return errNotCurrent
	}
	return err
}

// checkMigrations reports, writing nothing, whether the database is at
// this version's schema.
func checkMigrations(ctx context.Context, cfg node.Config, out io.Writer) error {
	if cfg.DatabaseURL == "" {
		if _, err := os.Stat(cfg.SQLitePath()); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(out, "There is no database at %s yet: every migration is pending (sodam migrate or sodam serve creates it).\n", cfg.SQLitePath())
			return errNotCurrent
		}
	}
	db, err := node.ConnectStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	pending, unknown, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, name := range pending {
		fmt.Fprintf(out, "pending %s\n", name)
	}
	if len(unknown) > 0 {
		fmt.Fprintf(out, "The database has migrations this version does not know (%s): a newer version of Sodam migrated it.\n", strings.Join(unknown, ", "))
	}
	if len(pending)+len(unknown) > 0 {
		return errNotCurrent
	}
	fmt.Fprintln(out, "The database is up to date.")
	return nil
}
