package outbox_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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
				first := len(got) == 1
				mu.Unlock()
				arrived <- struct{}{}
				if !first {
					<-hold // A's requests but its first hang until A is gone
				}
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

// TestReceiverDownGetsOneProbe: while a receiver fails, each look sends it
// one delivery, not every one that is due; the others keep their
// attempts and wait as long; once it answers, everything goes.
func TestReceiverDownGetsOneProbe(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			var mu sync.Mutex
			requests := 0
			up := false
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				requests++
				if !up {
					http.Error(w, "점검 중", http.StatusServiceUnavailable)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(rc.Close)
			f := newFixture(t, kind, rc.URL)
			filled := time.Now()
			f.fill(t, 10)
			now := time.Now().Add(time.Second)
			w := worker(f.db, "node-a")
			w.Now = func() time.Time { return now }
			for step := range 3 {
				if n := w.RunDue(context.Background()); n != 10 {
					t.Fatalf("step %d: claimed %d", step, n)
				}
				mu.Lock()
				if requests != step+1 {
					t.Fatalf("step %d: %d requests to a receiver that is down, want one per step", step, requests)
				}
				mu.Unlock()
				if n := w.RunDue(context.Background()); n != 0 {
					t.Fatalf("step %d: %d claimed while the receiver waits", step, n)
				}
				// Past the next probe: the wait grows with how long the
				// receiver has been down (Backoff.Delay), ±20 %.
				now = now.Add(now.Sub(filled)*5/4 + 2*time.Second)
			}
			list, err := f.db.Deliveries(context.Background(), f.ws.ID, f.endpoint, outbox.DeliveryFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			attempts := 0
			for _, d := range list {
				attempts += d.Attempts
				if d.Status != outbox.StatusPending {
					t.Fatalf("%+v", d)
				}
			}
			if attempts != 3 {
				t.Fatalf("%d attempts recorded, want 3 (the probes)", attempts)
			}
			mu.Lock()
			up = true
			mu.Unlock()
			now = now.Add(time.Minute)
			w.RunDue(context.Background())
			delivered, err := f.db.Deliveries(context.Background(), f.ws.ID, f.endpoint, outbox.DeliveryFilter{Status: outbox.StatusDelivered, Limit: 100})
			if err != nil || len(delivered) != 10 {
				t.Fatalf("delivered %d once the receiver was back (%v)", len(delivered), err)
			}
		})
	}
}

// TestReceiverDownBacksOff: the probes of a receiver that stays down come
// further and further apart — each is another delivery, attempted for the
// first time, so the backoff follows how long the receiver has been
// failing (Backoff.Delay), not the probe's own attempts, which would
// probe every second.
func TestReceiverDownBacksOff(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			url, requests := countingReceiver(t, func(int) int { return http.StatusServiceUnavailable })
			f := newFixture(t, kind, url)
			f.fill(t, 20)
			start := time.Now()
			w := worker(f.db, "node-a")
			// Two minutes down, a look every second.
			for sec := range 120 {
				w.Now = func() time.Time { return start.Add(time.Duration(sec) * time.Second) }
				w.RunDue(context.Background())
			}
			// 1, 1, 2, 4… s apart (±20 %): about eight in two minutes.
			if n := requests(); n < 5 || n > 12 {
				t.Fatalf("%d probes in two minutes down, want about eight", n)
			}
		})
	}
}

// TestOneFailureOfAnOldDelivery: a receiver that is up fails once, on a
// delivery that had waited ten minutes (a backlog draining): the next try
// is a second later, not ten minutes — the backoff follows how long the
// receiver has been failing, not the delivery's age.
func TestOneFailureOfAnOldDelivery(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			url, _ := countingReceiver(t, func(n int) int {
				if n == 1 {
					return http.StatusInternalServerError
				}
				return http.StatusNoContent
			})
			f := newFixture(t, kind, url)
			f.fill(t, 10)
			now := time.Now().Add(10 * time.Minute)
			w := worker(f.db, "node-a")
			w.Now = func() time.Time { return now }
			w.RunDue(context.Background())
			now = now.Add(2 * time.Second)
			w.RunDue(context.Background())
			delivered, err := f.db.Deliveries(context.Background(), f.ws.ID, f.endpoint, outbox.DeliveryFilter{Status: outbox.StatusDelivered, Limit: 100})
			if err != nil || len(delivered) != 10 {
				t.Fatalf("delivered %d two seconds after one failure (%v)", len(delivered), err)
			}
		})
	}
}

// countingReceiver is a receiver that answers its n-th request (from 1)
// with status(n); requests tells how many it has had.
func countingReceiver(t *testing.T, status func(n int) int) (url string, requests func() int) {
	var mu sync.Mutex
	n := 0
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		code := status(n)
		mu.Unlock()
		if code >= 400 {
			http.Error(w, "점검 중", code)
			return
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.Close)
	return rc.URL, func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// TestAddressUnderAnotherKey: an endpoint whose sealed address does not
// open with the installation's key (SODAM_SECRET_KEY changed) is not sent
// to; its delivery fails saying why.
func TestAddressUnderAnotherKey(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			url, requests := countingReceiver(t, func(int) int { return http.StatusNoContent })
			f := newFixture(t, kind, url)
			f.fill(t, 1)
			if _, err := f.db.UseSecretKey(ctx, "another secret key, 32 characters or more"); err != nil {
				t.Fatal(err)
			}
			now := time.Now().Add(10 * time.Minute)
			w := worker(f.db, "node-a")
			w.Now = func() time.Time { return now }
			w.RunDue(ctx)
			got, err := f.db.Deliveries(ctx, f.ws.ID, f.endpoint, outbox.DeliveryFilter{Limit: 10})
			if err != nil || len(got) != 1 || !strings.Contains(got[0].LastError, "does not open with this key") || requests() != 0 {
				t.Fatalf("deliveries %+v (%v), %d requests", got, err, requests())
			}
		})
	}
}
