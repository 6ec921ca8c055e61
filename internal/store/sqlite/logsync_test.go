package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

type published struct {
	mu     sync.Mutex
	events []chat.Event
}

func (p *published) Publish(_ context.Context, events []chat.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, events...)
}

func (p *published) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.events)
}

// logSyncFixture opens a store with a workspace and a conversation, and
// replaces the fsync of its log with sync.
func logSyncFixture(t *testing.T) (*sqldb.DB, *app.App, *published, chat.Conversation) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sodam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ws := &chat.Workspace{SiteID: "sync", Name: "sync", IdentitySecret: "s"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "c"}
	if err := db.UpsertCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	pub := &published{}
	a := app.New(db, pub, nil)
	conv, _, err := a.StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
	if err != nil {
		t.Fatal(err)
	}
	return db, a, pub, conv
}

// With synchronous FULL a write is acknowledged, and its events published
// or read from the log, only after the log's fsync: while the fsync
// blocks, the message is committed (another connection reads it) but its
// sender has no answer, nothing is published, and the event log ends
// before it.
func TestNoAcknowledgementBeforeLogSync(t *testing.T) {
	ctx := context.Background()
	db, a, pub, conv := logSyncFixture(t)
	lastBefore, err := db.LastEventSeq(ctx, conv.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	published := pub.count()

	entered := make(chan struct{}, 16)
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before Close, which waits for the syncer
	if err := db.SetLogSync(func() error {
		entered <- struct{}{}
		<-release
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.Send(ctx, conv.WorkspaceID, conv.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "m1", Body: "hello"})
		done <- err
	}()
	<-entered // committed; the syncer is in its fsync
	msgs, err := db.Messages(ctx, conv.WorkspaceID, conv.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || msgs[len(msgs)-1].Body != "hello" {
		t.Fatalf("the message is not committed while its fsync runs: %+v", msgs)
	}
	for range 20 {
		select {
		case err := <-done:
			t.Fatalf("the write was answered (err %v) before the log's fsync ended", err)
		default:
		}
		if n := pub.count(); n != published {
			t.Fatalf("%d events published before the log's fsync ended", n-published)
		}
		if last, err := db.LastEventSeq(ctx, conv.WorkspaceID); err != nil || last != lastBefore {
			t.Fatalf("LastEventSeq %d (err %v) before the fsync, want %d", last, err, lastBefore)
		}
		if evs, err := db.Events(ctx, conv.WorkspaceID, chat.EventFilter{AfterSeq: lastBefore}); err != nil || len(evs) != 0 {
			t.Fatalf("Events gives %d unsynced events (err %v)", len(evs), err)
		}
		time.Sleep(time.Millisecond)
	}
	unblock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if pub.count() == published {
		t.Fatal("nothing published after the fsync")
	}
	if last, err := db.LastEventSeq(ctx, conv.WorkspaceID); err != nil || last <= lastBefore {
		t.Fatalf("LastEventSeq %d (err %v) after the fsync, want > %d", last, err, lastBefore)
	}
}

// A failed fsync fails the writes that waited for it, and every write
// after it: none is acknowledged.
func TestLogSyncFailureStopsWrites(t *testing.T) {
	ctx := context.Background()
	db, a, pub, conv := logSyncFixture(t)
	published := pub.count()
	boom := errors.New("EIO")
	if err := db.SetLogSync(func() error { return boom }); err != nil {
		t.Fatal(err)
	}
	_, err := a.Send(ctx, conv.WorkspaceID, conv.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "m1", Body: "hello"})
	if !errors.Is(err, sqldb.ErrLogSync) {
		t.Fatalf("send with a failing fsync: err %v, want ErrLogSync", err)
	}
	if err := db.SetLogSync(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	_, err = a.Send(ctx, conv.WorkspaceID, conv.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "m2", Body: "again"})
	if !errors.Is(err, sqldb.ErrLogSync) {
		t.Fatalf("send after a failed fsync: err %v, want ErrLogSync", err)
	}
	if n := pub.count(); n != published {
		t.Fatalf("%d events published despite the failed fsync", n-published)
	}
}

// With synchronous NORMAL nothing is synced apart: there is no syncer.
func TestNormalHasNoLogSync(t *testing.T) {
	db, err := sqlite.OpenSync(context.Background(), filepath.Join(t.TempDir(), "sodam.db"), "NORMAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetLogSync(func() error { return nil }); err == nil {
		t.Fatal("SetLogSync on a NORMAL store: no error")
	}
}
