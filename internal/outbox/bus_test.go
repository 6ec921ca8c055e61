package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// lookSpy tells when the worker has looked for due deliveries.
type lookSpy struct {
	*sqldb.DB
	looked chan struct{}
}

func (s lookSpy) ClaimDeliveries(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]outbox.Delivery, error) {
	d, err := s.DB.ClaimDeliveries(ctx, node, now, lease, limit)
	select {
	case s.looked <- struct{}{}:
	default:
	}
	return d, err
}

// TestAnnounceWakesOtherNodes: a commit on one node that wrote deliveries
// wakes the other nodes' workers over the cluster bus, so a worker that
// would not look for another hour sends them at once; a commit that wrote
// none announces nothing, and a node does not wake itself.
func TestAnnounceWakesOtherNodes(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			rc := newSink(t)
			f := newFixture(t, kind, rc.srv.URL)
			b := bus.NewMemory()
			t.Cleanup(func() { b.Close() })
			var signals []bus.Message
			got := make(chan bus.Message, 16)
			cancelSpy := b.Subscribe(func(m bus.Message) { got <- m })
			defer cancelSpy()

			here := worker(f.db, "node-a") // commits here; never runs
			other := worker(f.db, "node-b")
			other.Every = time.Hour
			looked := make(chan struct{}, 100)
			other.Store = lookSpy{f.db, looked}
			defer here.OverBus(context.Background(), b)()
			defer other.OverBus(context.Background(), b)()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); other.Run(ctx) }()
			defer func() { cancel(); <-done }()

			<-looked // its first look, at start, found nothing
			// A kick with nothing new written announces nothing.
			here.Kick()
			here.Kick()
			f.send(t)
			here.Kick()
			here.Kick() // nothing new since
			for deadline := time.Now().Add(10 * time.Second); rc.distinct() < 1 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if rc.distinct() != 1 {
				t.Fatal("the other node's worker was not woken by the announcement")
			}
			for len(got) > 0 {
				signals = append(signals, <-got)
			}
			if len(signals) != 1 || signals[0].WorkspaceID != 0 || signals[0].Seq != 0 {
				t.Fatalf("signals on the bus: %+v", signals)
			}
		})
	}
}

// TestIdleWorkerSendsItsOwn: a commit on a node whose worker is waiting
// is sent by that worker, and not announced: the other nodes' claims
// would find nothing, and load the database every commit waits on.
func TestIdleWorkerSendsItsOwn(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			rc := newSink(t)
			f := newFixture(t, kind, rc.srv.URL)
			b, got := spiedBus(t, 16)

			here := worker(f.db, "node-a")
			here.Every = time.Hour
			defer here.OverBus(context.Background(), b)()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); here.Run(ctx) }()
			defer func() { cancel(); <-done }()
			for deadline := time.Now().Add(10 * time.Second); !here.Idle(); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the worker never waited")
				}
			}
			f.send(t)
			here.Kick()
			for deadline := time.Now().Add(10 * time.Second); rc.distinct() < 1 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if rc.distinct() != 1 {
				t.Fatal("the idle worker did not send its node's delivery")
			}
			if len(got) != 0 {
				t.Fatalf("an idle worker's commit was announced: %+v", <-got)
			}
		})
	}
}

// TestBacklogWakesOtherNodes: a worker that takes a full claim from a
// receiver that answers asks the other nodes to help at once; one whose
// claim is not full does not.
func TestBacklogWakesOtherNodes(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			rc := newSink(t)
			f := newFixture(t, kind, rc.srv.URL)
			b, got := spiedBus(t, 64)
			f.fill(t, 10)

			few := worker(f.db, "node-a")
			few.Batch = 100
			defer few.OverBus(context.Background(), b)()
			ctx := context.Background()
			// Nothing due, then the ten in a claim that is not full.
			if n := few.RunDue(ctx); n != 10 || len(got) != 0 {
				t.Fatalf("a claim of %d of at most 100 sent %d signals", n, len(got))
			}
			f.fill(t, 10)
			full := worker(f.db, "node-b")
			full.Batch = 4
			defer full.OverBus(context.Background(), b)()
			if n := full.RunDue(ctx); n != 10 {
				t.Fatalf("sent %d of 10", n)
			}
			if len(got) == 0 {
				t.Fatal("full claims from a receiver that answers asked nobody to help")
			}
			if rc.distinct() != 20 {
				t.Fatalf("%d of 20 arrived", rc.distinct())
			}
		})
	}
}

// spiedBus is an in-memory bus, closed when the test ends, and a channel
// of room n that receives every message published on it.
func spiedBus(t *testing.T, n int) (*bus.Memory, chan bus.Message) {
	b := bus.NewMemory()
	got := make(chan bus.Message, n)
	cancel := b.Subscribe(func(m bus.Message) { got <- m })
	t.Cleanup(func() { cancel(); b.Close() })
	return b, got
}
