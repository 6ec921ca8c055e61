package outbox_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/outbox"
)

// dead is a node's store that stops answering once the node "dies": its
// claims are made, its outcomes are never written (as after SIGKILL).
type dead struct {
	outbox.Store
}

func (dead) FinishDeliveries(context.Context, string, []outbox.Outcome) error { return nil }

// TestNodeDiesMidDelivery: node A claims deliveries and dies while its
// requests are in flight; once its lease runs out node B sends them
// again. Every delivery arrives, and the repeats carry the same
// webhook-id. (internal/node's bridge test does the same across a real
// restart.)
func TestNodeDiesMidDelivery(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string]int{}
			hold := make(chan struct{})
			var once sync.Once
			arrived := make(chan struct{}, 1000)
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got[r.Header.Get("webhook-id")]++
				mu.Unlock()
				arrived <- struct{}{}
				<-hold // A's requests hang until A is gone
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(func() { once.Do(func() { close(hold) }); rc.Close() })
			f := newFixture(t, kind, rc.URL)
			f.fill(t, 20)
			now := time.Now()
			clock := func() time.Time { return now }
			a := worker(f.db, "node-a")
			a.Store, a.Now, a.Lease = dead{f.db}, clock, time.Minute
			ctxA, killA := context.WithCancel(context.Background())
			doneA := make(chan struct{})
			go func() { defer close(doneA); a.RunDue(ctxA) }()
			for range 20 {
				<-arrived // every delivery reached the receiver from A
			}
			killA()
			once.Do(func() { close(hold) })
			<-doneA
			// B, a minute and a bit later: A's lease is over.
			b := worker(f.db, "node-b")
			b.Now = func() time.Time { return now.Add(time.Minute + time.Second) }
			if n := b.RunDue(context.Background()); n != 20 {
				t.Fatalf("node B sent %d, want 20", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 20 {
				t.Fatalf("%d distinct webhook-ids arrived, want 20", len(got))
			}
			for id, n := range got {
				if n != 2 {
					t.Fatalf("%s arrived %d times, want twice (A's, then B's)", id, n)
				}
			}
			list, err := f.db.Deliveries(context.Background(), f.ws.ID, f.endpoint, outbox.DeliveryFilter{Status: outbox.StatusDelivered, Limit: 100})
			if err != nil || len(list) != 20 || list[0].Attempts != 2 {
				t.Fatalf("delivered %d (%v), attempts %d", len(list), err, list[0].Attempts)
			}
		})
	}
}
