package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

type discard struct{}

func (discard) Publish(context.Context, []chat.Event) {}

// The writer connection never checkpoints by itself; the store copies the
// log into the database file beside it and has the writer start the log
// afresh between batches once it passed its size (sqldb/checkpoint.go).
// Under concurrent and then one-at-a-time sends the log is restarted, every
// message is stored, and the database is intact.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sodam.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const restartAt = 64 // pages; one message's commit writes fewer
	db.TuneCheckpoints(restartAt)

	ws := &chat.Workspace{SiteID: "ckpt", Name: "소담 쇼핑", IdentitySecret: "secret-ckpt"}
	must(t, db.CreateWorkspace(ctx, ws))
	a := app.New(db, discard{}, nil)
	var convs []int64
	for i := range 8 {
		cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: fmt.Sprint("고객-", i)}
		must(t, db.UpsertCustomer(ctx, cu))
		c, _, err := a.StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko")
		must(t, err)
		convs = append(convs, c.ID)
	}
	sent := 0
	send := func(conv int64, id string) {
		t.Helper()
		body := "주문한 상품이 아직 도착하지 않았어요. 배송 조회 부탁드립니다 (" + id + ")"
		_, _, _, err := db.AppendMessage(ctx, ws.ID, conv, chat.VisitorActor, chat.NewMessage{ClientMsgID: id, Body: body})
		must(t, err)
	}

	// Eight senders at once: batches follow each other, and the writer
	// restarts the log between two of them.
	var wg sync.WaitGroup
	for w, conv := range convs {
		wg.Go(func() {
			for i := range 60 {
				send(conv, fmt.Sprintf("w%d-%d", w, i))
			}
		})
	}
	wg.Wait()
	sent += 8 * 60

	// One sender: every send finds the writer idle and runs on its own
	// goroutine; the restart must still happen. Send until the writer
	// reports one, then once more: that commit began a fresh log.
	_, before := db.CheckpointCounts()
	for i := 0; ; i++ {
		if i == 5000 {
			passes, restarts := db.CheckpointCounts()
			t.Fatalf("no restart of the log after %d sends one at a time (passes %d, restarts %d)", i, passes, restarts)
		}
		send(convs[0], fmt.Sprint("s", i))
		sent++
		if _, restarts := db.CheckpointCounts(); restarts > before {
			break
		}
	}
	send(convs[1], "last")
	sent++

	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var busy, frames, copied int64
	must(t, raw.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied))
	// The restart was asked for at restartAt pages or more; a log that
	// was not started afresh would hold at least that many still.
	if frames >= restartAt {
		t.Errorf("the log holds %d pages after a restart and one send; want fewer than %d", frames, restartAt)
	}
	var stored int
	must(t, raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE kind = 'text'`).Scan(&stored))
	if stored != sent {
		t.Errorf("%d messages stored, want %d", stored, sent)
	}
	var check string
	must(t, raw.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check))
	if check != "ok" {
		t.Errorf("integrity_check: %s", check)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
