package postgres

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// TestIndexUpkeep: the messages' search entries wait in the GIN index's
// pending list, and the node's upkeep merges them into the index, so that
// no write batch has to (sqldb.RunIndexUpkeep).
func TestIndexUpkeep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, pool, ws, c := batchStore(t, nil)
	for i := range 20 {
		nm := chat.NewMessage{ClientMsgID: fmt.Sprint("m", i), Body: fmt.Sprintf("%d번 주문 배송지를 부산으로 바꿀 수 있나요?", 1000+i)}
		if _, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, nm); err != nil {
			t.Fatal(err)
		}
	}

	run, stop := context.WithCancel(ctx)
	passes := make(chan int64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.RunIndexUpkeep(run, 10*time.Millisecond, func(merged int64, err error) {
			if err != nil {
				t.Error(err)
			}
			select {
			case passes <- merged:
			case <-run.Done():
			}
		})
	}()
	var merged int64
	waited := time.After(10 * time.Second)
	for merged == 0 {
		select {
		case merged = <-passes:
		case <-waited:
			t.Fatal("the upkeep merged no pending entries in 10 s")
		}
	}
	stop()
	<-done

	var left int64
	if err := pool.QueryRowContext(ctx, dialect().CleanPending).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d pending pages left after the upkeep merged %d", left, merged)
	}
	// The merged entries still find the conversation.
	f, err := history.Parse(url.Values{"q": {"부산으로"}}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.History(ctx, ws.ID, f, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != c.ID {
		t.Errorf("searching 부산으로 found %d conversations, want conversation %d", len(found), c.ID)
	}
}

// TestIndexUpkeepBacksOff: a pass that fails (here an index that is not
// there; in use, a role that does not own the index) is reported, and the
// next waits a minute instead of failing five times a second.
func TestIndexUpkeepBacksOff(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, pool, _, _ := batchStore(t, nil)
	d := dialect()
	d.CleanPending = `SELECT gin_clean_pending_list('no_such_index')`
	s := sqldb.New(pool, pool, d)

	run, stop := context.WithCancel(ctx)
	defer stop()
	errs := make(chan error, 10)
	go s.RunIndexUpkeep(run, 10*time.Millisecond, func(_ int64, err error) { errs <- err })
	select {
	case err := <-errs:
		if err == nil {
			t.Fatal("a pass on a missing index reported no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pass reported in 10 s")
	}
	select {
	case <-errs:
		t.Fatal("the pass after a failure did not wait")
	case <-time.After(300 * time.Millisecond):
	}
}
