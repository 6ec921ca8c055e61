package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sodam-chat/sodam/internal/node"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// A backup is two things side by side: FILE, a copy of the SQLite
// database, and FILE.uploads/, a copy of the uploads directory (a
// directory rather than an archive, so that restoring is a copy, and
// rsync or a deduplicating backup tool can pick it up as it is).
//
// Consistency: the database copy never refers to a file missing from the
// uploads copy. Sodam writes an attachment's file (and thumbnail) in full
// before the transaction that records the message referring to it
// commits, and never changes or deletes a file a committed row refers to.
// So every file the database snapshot refers to existed when the snapshot
// began, and is still there when the uploads are copied after it. The
// copy may hold a few files newer than the snapshot; nothing refers to
// them, and they are harmless. The other order would not be safe: a
// message stored between the two copies would be in the database copy
// without its file.

// backupCommand is a `sodam backup` command line.
type backupCommand struct {
	File string
}

func parseBackup(args []string, getenv func(string) string, stderr io.Writer) (backupCommand, node.Config, error) {
	var c backupCommand
	cfg, rest, err := parseCommand("sodam backup [flags] FILE", args, getenv, stderr, nil)
	if err != nil {
		return c, cfg, err
	}
	if len(rest) != 1 {
		return c, cfg, usagef("name one FILE to write the backup to (the uploads go to FILE.uploads/)")
	}
	c.File = rest[0]
	return c, cfg, nil
}

// runBackup runs `sodam backup` and returns its exit status.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, cfg, err := parseBackup(args, getenv, stderr)
	if err != nil {
		return exitStatus("sodam backup", err, stderr)
	}
	if cfg.DatabaseURL != "" {
		postgresBackup(stderr, cfg, c.File)
		return exitFail
	}
	res, err := backup(ctx, cfg, c.File)
	if err != nil {
		return exitStatus("sodam backup", err, stderr)
	}
	fmt.Fprintf(stdout, "Backed up the database to %s (%s) and %d uploaded files (%s) to %s/.\n",
		res.Database, size(res.DatabaseBytes), res.Files, size(res.UploadBytes), res.Uploads)
	if res.Key != "" {
		fmt.Fprintf(stdout, "Copied the PII key to %s: without it the masked originals cannot be opened. Keep it apart from the backup.\n", res.Key)
	}
	fmt.Fprintln(stdout, "To restore, see \"Backup and restore\" in docs/operations.md.")
	return exitOK
}

// postgresBackup explains how to back up a PostgreSQL installation.
func postgresBackup(w io.Writer, cfg node.Config, file string) {
	fmt.Fprintf(w, `sodam backup: this installation runs on PostgreSQL, and sodam backup only
copies the embedded SQLite database. PostgreSQL's own pg_dump takes an online,
consistent copy; copy the uploads directory after it:

  pg_dump --format=custom --file=%[1]s "$SODAM_DATABASE_URL"
  cp -a %[2]s %[1]s.uploads

The order matters: Sodam writes a file before the message that refers to it,
so every file the dump refers to is in the later copy of the uploads.
To restore, stop Sodam, then:

  pg_restore --clean --if-exists --no-owner --dbname="$SODAM_DATABASE_URL" %[1]s
  cp -a %[1]s.uploads/. %[2]s/

See "Backup and restore" in docs/operations.md.
`, node.ShellQuote(file), node.ShellQuote(cfg.UploadsDir))
}

// backupResult says what a backup wrote.
type backupResult struct {
	Database      string
	DatabaseBytes int64
	Uploads       string
	Files         int
	UploadBytes   int64
	// Key is the copy of the PII key file (when the key is the data
	// directory's pii.key rather than SODAM_PII_KEY).
	Key string
}

// backup writes a consistent copy of the SQLite database to file and of
// the uploads to file.uploads/, while Sodam may be serving. Both are
// written under temporary names in file's directory and renamed when
// complete, the database last: when file exists, the backup is whole.
// It never overwrites anything.
func backup(ctx context.Context, cfg node.Config, file string) (backupResult, error) {
	var res backupResult
	file, err := filepath.Abs(file)
	if err != nil {
		return res, err
	}
	res.Database, res.Uploads = file, file+".uploads"
	if cfg.PIIKey == "" {
		res.Key = file + ".pii.key"
	}
	for _, p := range []string{res.Database, res.Uploads, res.Key} {
		if p == "" {
			continue
		}
		if _, err := os.Lstat(p); err == nil {
			return res, fmt.Errorf("%s exists already; a backup never overwrites, so choose a new name (sodam-$(date +%%F-%%H%%M).db, say)", p)
		}
	}
	if _, err := os.Stat(cfg.SQLitePath()); errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("no database at %s: check --data (SODAM_DATA)", cfg.SQLitePath())
	}
	uploads, err := filepath.Abs(cfg.UploadsDir)
	if err != nil {
		return res, err
	}
	if inside(res.Uploads, uploads) {
		return res, fmt.Errorf("write the backup outside the uploads directory %s", uploads)
	}
	dir, base := filepath.Split(file)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		// The backup writes beside FILE; it never makes directories, as a
		// mistyped path would then fill a disk nobody looks at.
		return res, fmt.Errorf("no directory %s to write the backup in: make it first (mkdir -p %s) or give another path", filepath.Clean(dir), node.ShellQuote(filepath.Clean(dir)))
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return res, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // gone already once renamed
	if err := sqlite.Snapshot(ctx, cfg.SQLitePath(), tmp.Name()); err != nil {
		return res, err
	}
	info, err := os.Stat(tmp.Name())
	if err != nil {
		return res, err
	}
	res.DatabaseBytes = info.Size()

	// The uploads are copied after the snapshot: see the top of this file.
	tmpUploads, err := os.MkdirTemp(dir, "."+base+".uploads.tmp-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmpUploads) // gone already once renamed
	if res.Files, res.UploadBytes, err = copyUploads(ctx, uploads, tmpUploads); err != nil {
		return res, fmt.Errorf("copy the uploads: %w", err)
	}
	if res.Key != "" {
		// The key, before the database that needs it is renamed into place.
		b, err := os.ReadFile(cfg.PIIKeyFile())
		if errors.Is(err, fs.ErrNotExist) {
			res.Key = "" // a database from before masking: no key yet
		} else if err != nil {
			return res, err
		} else if err := os.WriteFile(res.Key, b, 0o600); err != nil {
			return res, err
		}
	}
	if err := os.Rename(tmpUploads, res.Uploads); err != nil {
		return res, err
	}
	if err := os.Rename(tmp.Name(), res.Database); err != nil {
		return res, err
	}
	return res, syncDir(dir)
}

// inside reports whether path is dir or inside it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// copyUploads copies the uploads directory src into the empty directory
// dst, file by file, each synced. Uploads in progress (.tmp) are left
// out: no row refers to them. A missing src is no uploads yet.
func copyUploads(ctx context.Context, src, dst string) (files int, bytes int64, err error) {
	// The uploads directory may be a symbolic link (to a larger disk).
	if src, err = filepath.EvalSymlinks(src); errors.Is(err, fs.ErrNotExist) {
		return 0, 0, syncDir(dst)
	} else if err != nil {
		return 0, 0, err
	}
	dirs := []string{dst}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case rel == ".":
			return nil
		case d.IsDir() && rel == ".tmp":
			return filepath.SkipDir
		case d.IsDir():
			dirs = append(dirs, target)
			return os.Mkdir(target, 0o700)
		case d.Type().IsRegular():
			n, err := copyFile(path, target)
			files++
			bytes += n
			return err
		}
		return fmt.Errorf("%s is not a file or a directory, which is all Sodam keeps there", path)
	})
	if err != nil {
		return files, bytes, err
	}
	for _, d := range dirs {
		if err := syncDir(d); err != nil {
			return files, bytes, err
		}
	}
	return files, bytes, nil
}

// copyFile copies a file to a new one, synced, with the same modification
// time (so that tools comparing copies by time and size see it unchanged).
func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return 0, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(dst, info.ModTime(), info.ModTime())
	}
	return n, err
}

// syncDir makes a directory's entries (files created or renamed in it)
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// size is n bytes for a person.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
