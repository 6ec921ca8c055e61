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

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/node"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// usageError is a mistake in a command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitStatus reports err under the command's name and returns the status
// it exits with: 0 for -h, 2 for a bad command line, 1 for the rest.
func exitStatus(name string, err error, stderr io.Writer) int {
	var u usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "%s: %v (%s -h lists the flags)\n", name, err, name)
		return exitUsage
	}
	var de *chat.Error
	if errors.As(err, &de) {
		// The operator reads the message; the code is for programs.
		fmt.Fprintf(stderr, "%s: %s\n", name, de.Message)
	} else {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
	}
	return exitFail
}

// parseCommand reads a command's flags and the settings of sodam serve; -h
// prints them on stderr. A bad flag or setting is a usage error.
func parseCommand(name string, args []string, getenv func(string) string, stderr io.Writer, own func(*flag.FlagSet)) (node.Config, []string, error) {
	c, rest, err := node.ParseCommand(name, args, getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(stderr)
		if own != nil {
			own(fs)
		}
	})
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		err = usageError{err.Error()}
	}
	return c, rest, err
}

// openExisting opens the configured database for an operator's command
// beside a running server. It never creates a database (a mistyped
// --data would otherwise get an empty one) and never migrates one (the
// server running on it may be older than this binary): it refuses a
// schema that is not exactly this version's. It seals identity secrets
// as the server does (SODAM_SECRET_KEY, or else the installation secret).
func openExisting(ctx context.Context, c node.Config) (*sqldb.DB, error) {
	if c.DatabaseURL == "" {
		if _, err := os.Stat(c.SQLitePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: check --data (SODAM_DATA); `sodam serve` creates it at its first start", c.SQLitePath())
		}
	}
	db, err := node.ConnectStore(ctx, c)
	if err != nil {
		return nil, err
	}
	pending, unknown, err := db.MigrationStatus(ctx)
	switch {
	case err != nil:
	case len(pending) > 0:
		err = fmt.Errorf("the database lacks migrations of this version of Sodam (%s): run `sodam migrate` first, or start `sodam serve`, which applies them", strings.Join(pending, ", "))
	case len(unknown) > 0:
		err = fmt.Errorf("a newer version of Sodam has migrated the database (%s): use that version", strings.Join(unknown, ", "))
	}
	if err == nil {
		// A workspace made here has its identity secret sealed under the
		// key the server opens it with: give the same SODAM_SECRET_KEY.
		_, err = db.UseSecretKey(ctx, c.Integrations.SecretKey)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
