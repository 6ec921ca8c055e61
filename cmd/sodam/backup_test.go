package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestParseBackup(t *testing.T) {
	tests := []struct {
		name string
		args []string
		file string
		data string
		err  string
	}{
		{name: "a file", args: []string{"backup.db"}, file: "backup.db", data: "./data"},
		{name: "settings first", args: []string{"--data", "/srv/sodam", "/backups/a.db"}, file: "/backups/a.db", data: "/srv/sodam"},
		{name: "settings after the file", args: []string{"/backups/a.db", "--data", "/srv/sodam"}, file: "/backups/a.db", data: "/srv/sodam"},
		{name: "a file named like a flag, after --", args: []string{"--data", "/d", "--", "-odd.db"}, file: "-odd.db", data: "/d"},
		{name: "no file", args: []string{"--data", "/d"}, err: "FILE"},
		{name: "two files", args: []string{"a.db", "b.db"}, err: "FILE"},
		{name: "an unknown flag", args: []string{"--force", "a.db"}, err: "force"},
		{name: "a bad setting", args: []string{"a.db", "--sqlite-synchronous", "off"}, err: "SODAM_SQLITE_SYNCHRONOUS"},
		{name: "help", args: []string{"-h"}, err: "help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cfg, err := parseBackup(tt.args, noenv, io.Discard)
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
			case got.File != tt.file || cfg.DataDir != tt.data:
				t.Fatalf("file %q data %q, want %q %q", got.File, cfg.DataDir, tt.file, tt.data)
			}
		})
	}
}

// On PostgreSQL sodam backup explains pg_dump and the uploads, without
// connecting or printing the database URL, and exits 1.
func TestBackupPostgres(t *testing.T) {
	code, out, stderr := run(t, runBackup, "--database-url", "postgres://sodam:secret@db.invalid/sodam", "--uploads", "/srv/sodam uploads", "sodam.dump")
	if code != exitFail || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"pg_dump --format=custom --file=sodam.dump \"$SODAM_DATABASE_URL\"", "cp -a '/srv/sodam uploads' sodam.dump.uploads", "pg_restore", "docs/operations.md"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "secret") {
		t.Errorf("the database URL was printed:\n%s", stderr)
	}
}

// TestBackupRestore backs up a node while it serves and while a visitor
// keeps writing, stops it, restores the backup by the steps in
// docs/operations.md ("Backup and restore") into a new data directory,
// starts a node there, and finds every message acknowledged before the
// backup began and the attachments' bytes, and no message whose file is
// missing.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	m := startNode(t, "--data", data)
	running := true
	defer func() {
		if running {
			m.Close()
		}
	}()
	base := "http://" + m.Addr()
	all, err := m.Store.AllWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws := all[0]
	// A master at the desk, so that visitors can start chats.
	newClient(t, base).login("admin@sodam.local", masterPassword)

	// Before the backup: texts and a photo, all acknowledged.
	v, conv := visitor(t, base, ws.SiteID)
	var before []string
	for i := range 20 {
		id := fmt.Sprintf("before-%d", i)
		if !v.send(conv, id, "안녕하세요, 주문 "+id) {
			t.Fatalf("%s was not acknowledged", id)
		}
		before = append(before, id)
	}
	photo := pngOf(t, 64, 48, 7)
	photoID := v.upload(conv, "photo", "사진.png", photo)
	if photoID == 0 {
		t.Fatal("the photo was not acknowledged")
	}

	// During the backup another visitor keeps writing, a file every
	// fifth message; each acknowledgement is timed.
	type ack struct {
		id string
		at time.Time
	}
	var (
		mu     sync.Mutex
		during []ack
		writer sync.WaitGroup
	)
	acked := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(during)
	}
	stop := make(chan struct{})
	v2, conv2 := visitor(t, base, ws.SiteID)
	small := pngOf(t, 8, 8, 3)
	writer.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("during-%d", i)
			var ok bool
			if i%5 == 0 {
				ok = v2.upload(conv2, id, id+".png", small) != 0
			} else {
				ok = v2.send(conv2, id, "still here "+id)
			}
			if ok {
				mu.Lock()
				during = append(during, ack{id, time.Now()})
				mu.Unlock()
			}
		}
	})
	for deadline := time.Now().Add(10 * time.Second); acked() < 10; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the writer is not getting through")
		}
	}
	file := filepath.Join(dir, "backups", "sodam-1.db")
	if err := os.Mkdir(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	code, out, stderr := run(t, runBackup, "--data", data, file)
	ended := time.Now()
	close(stop)
	writer.Wait()
	if code != exitOK {
		t.Fatalf("backup: exit %d\n%s%s", code, out, stderr)
	}
	t.Logf("backup took %v: %s", ended.Sub(began), out)
	if code, _, stderr := run(t, runBackup, "--data", data, file); code != exitFail || !strings.Contains(stderr, "exists already") {
		t.Fatalf("a second backup to the same file: exit %d %s", code, stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	running = false

	// Restore, as docs/operations.md says: a new data directory holding
	// FILE as sodam.db and FILE.uploads as uploads; check; start.
	restored := filepath.Join(dir, "data.restored")
	if err := os.Mkdir(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	copyTo(t, file, filepath.Join(restored, "sodam.db"))
	copyTo(t, file+".pii.key", filepath.Join(restored, "pii.key"))
	if err := os.CopyFS(filepath.Join(restored, "uploads"), os.DirFS(file+".uploads")); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, runMigrate, "--check", "--data", restored); code != exitOK {
		t.Fatalf("migrate --check on the restored data: exit %d %s", code, out)
	}
	m2 := startNode(t, "--data", restored)
	defer m2.Close()
	agent := newClient(t, "http://"+m2.Addr())
	agent.login("admin@sodam.local", masterPassword)

	messages := func(conv int64) map[string]chat.Message {
		t.Helper()
		var list []chat.Message
		agent.json("GET", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/messages", ws.ID, conv), nil, 200, &list)
		byID := map[string]chat.Message{}
		for _, msg := range list {
			if msg.ClientMsgID != "" {
				byID[msg.ClientMsgID] = msg
			}
		}
		return byID
	}
	download := func(id int64, suffix string) []byte {
		t.Helper()
		status, body := agent.call("GET", fmt.Sprintf("/api/v1/workspaces/%d/attachments/%d%s", ws.ID, id, suffix), "", nil)
		if status != 200 {
			t.Fatalf("attachment %d%s: %d %s", id, suffix, status, body)
		}
		return body
	}
	got := messages(conv)
	for _, id := range before {
		if _, ok := got[id]; !ok {
			t.Errorf("acknowledged message %s is missing after the restore", id)
		}
	}
	if p, ok := got["photo"]; !ok || p.Attachment == nil || p.Attachment.ID != photoID {
		t.Fatalf("the photo's message after the restore: %+v", p)
	}
	if !bytes.Equal(download(photoID, ""), photo) {
		t.Fatal("the photo's bytes differ after the restore")
	}
	download(photoID, "/thumbnail")

	// The writer's messages acknowledged before the backup began are all
	// there; whatever the snapshot holds has its file.
	got = messages(conv2)
	var needed, files int
	for _, a := range during {
		if a.at.Before(began) {
			needed++
			if _, ok := got[a.id]; !ok {
				t.Errorf("%s, acknowledged before the backup began, is missing", a.id)
			}
		}
	}
	for _, msg := range got {
		if msg.Attachment != nil {
			files++
			if !bytes.Equal(download(msg.Attachment.ID, ""), small) {
				t.Errorf("%s's file differs", msg.ClientMsgID)
			}
		}
	}
	t.Logf("the writer had %d acknowledged before the backup began, %d in all; the restore holds %d, %d of them files",
		needed, len(during), len(got), files)
}

// copyTo copies a file, as cp would.
func copyTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A backup is never written inside the uploads directory, nor from a
// data directory without a database.
func TestBackupRefuses(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := run(t, runBackup, "--data", data, filepath.Join(data, "b.db")); code != exitFail || !strings.Contains(stderr, "no database") {
		t.Fatalf("no database: exit %d %s", code, stderr)
	}
	if code, _, stderr := run(t, runMigrate, "--data", data); code != exitOK {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, runBackup, "--data", data, filepath.Join(data, "uploads", "b.db")); code != exitFail || !strings.Contains(stderr, "outside the uploads") {
		t.Fatalf("inside the uploads: exit %d %s", code, stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(data, "uploads", "*")); len(left) > 0 {
		t.Fatalf("files left in the uploads: %v", left)
	}
	// A directory not made yet (/backups on a new machine) is named, with
	// how to make it, not a temporary file "open …/.b.db.tmp-123" that
	// the operator never asked for.
	missing := filepath.Join(t.TempDir(), "backups")
	code, _, stderr := run(t, runBackup, "--data", data, filepath.Join(missing, "b.db"))
	if code != exitFail || !strings.Contains(stderr, "no directory "+missing) || !strings.Contains(stderr, "mkdir -p") || strings.Contains(stderr, ".tmp-") {
		t.Fatalf("a missing directory: exit %d %s", code, stderr)
	}
}
