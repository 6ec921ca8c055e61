package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
)

// walSync fsyncs the database's write-ahead log, `<path>-wal`, for the
// group commit's syncer (sqldb/logsync.go, which says why that is as
// durable as synchronous FULL). Only the syncer calls it, one call at a
// time.
type walSync struct {
	path string
	f    *os.File
}

// sync fsyncs the log. The file is opened once and kept; every call checks
// that the path still names it (SQLite deletes the log when its last
// connection closes, and a new one is a new file), and a newly opened log
// has its directory synced once, so that the file's creation is durable
// as well as its contents.
func (s *walSync) sync() error {
	if s.f != nil {
		cur, err := os.Stat(s.path)
		if err != nil {
			return fmt.Errorf("stat %s: %w", s.path, err)
		}
		old, err := s.f.Stat()
		if err != nil {
			return fmt.Errorf("stat %s: %w", s.path, err)
		}
		if !os.SameFile(cur, old) {
			s.f.Close()
			s.f = nil
		}
	}
	if s.f == nil {
		f, err := os.OpenFile(s.path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(s.path)); err != nil {
			f.Close()
			return err
		}
		s.f = f
	}
	return s.f.Sync()
}

func (s *walSync) close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
