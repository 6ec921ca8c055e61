package history

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
)

// expiringStore is an export whose file expired, as the store keeps it.
type expiringStore struct {
	Store
	e Export
}

func (s *expiringStore) Export(_ context.Context, workspaceID, id int64) (*Export, error) {
	e := s.e
	return &e, nil
}

func (s *expiringStore) ExpireExport(_ context.Context, workspaceID, id int64, now time.Time) (string, error) {
	if s.e.ExpiresAt == nil || s.e.ExpiresAt.After(now) {
		return "", nil
	}
	key := s.e.BlobKey
	s.e.BlobKey = ""
	return key, nil
}

// flakyFiles fails its first deletion (a shared file system's moment).
type flakyFiles struct {
	blob.Store
	failed  bool
	deleted []string
}

func (f *flakyFiles) Delete(_ context.Context, key string) error {
	if !f.failed {
		f.failed = true
		return errors.New("input/output error")
	}
	f.deleted = append(f.deleted, key)
	return nil
}

func (f *flakyFiles) Put(context.Context, string, io.Reader) (int64, error) { return 0, nil }

// TestExpireKeepsKeyUntilFileIsGone: an export's file holds every
// conversation it lists, and expires after a day. The export forgot the
// file's key before deleting it, so a deletion that failed once (or a node
// that died in between) left the file on disk for good: the job's next run
// found nothing to delete. The key is kept until the file is gone.
func TestExpireKeepsKeyUntilFileIsGone(t *testing.T) {
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	expired := now.Add(-time.Minute)
	s := &expiringStore{e: Export{ID: 7, WorkspaceID: 1, State: ExportDone, BlobKey: "exports/1/7-abc.csv", ExpiresAt: &expired}}
	files := &flakyFiles{}
	x := &Exporter{Store: s, Files: files, Now: func() time.Time { return now }}
	job := chat.Job{Kind: JobExportExpire, WorkspaceID: 1, RefID: 7}
	if err := x.Expire(context.Background(), job); err == nil {
		t.Fatal("a failed deletion was not reported: the job would not run again")
	}
	// The job runs again after its lease.
	if err := x.Expire(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if len(files.deleted) != 1 || files.deleted[0] != "exports/1/7-abc.csv" {
		t.Fatalf("deleted %v: the expired file stays on disk", files.deleted)
	}
	if s.e.BlobKey != "" {
		t.Fatalf("the export still names its file %q", s.e.BlobKey)
	}
}
