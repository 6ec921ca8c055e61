package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// Benchmarks of the outbox (docs/benchmarks.md, "Deliveries"): deliveries
// a second to a local receiver with one node or three, the time from an
// event's commit to its arrival, and a receiver that is down and comes
// back. Each runs on SQLite and, with SODAM_TEST_DATABASE_URL, PostgreSQL.

// fixture is a workspace with a conversation an agent answers in, and one
// webhook on receiver, in one store; more opens another node's handle on
// the same database (PostgreSQL only).
type fixture struct {
	db   *sqldb.DB
	more func() *sqldb.DB
	ws   *chat.Workspace
	conv chat.Conversation
	ag   chat.Actor
	seq  atomic.Int64
	// endpoint is the webhook's ID.
	endpoint int64
}

func openKind(b testing.TB, kind string) (*sqldb.DB, func() *sqldb.DB) {
	b.Helper()
	ctx := context.Background()
	if kind == "postgres" {
		url, schema := postgres.TestSchema(b)
		db, err := postgres.Open(ctx, url, schema)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db, func() *sqldb.DB {
			other, err := postgres.Connect(ctx, url, schema)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { other.Close() })
			return other
		}
	}
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "sodam.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, nil
}

func newFixture(b testing.TB, kind, receiver string) *fixture {
	b.Helper()
	ctx := context.Background()
	db, more := openKind(b, kind)
	f := &fixture{db: db, more: more, ws: &chat.Workspace{SiteID: "bench", Name: "소담 쇼핑"}}
	must(b, db.CreateWorkspace(ctx, f.ws))
	a := &chat.Agent{Email: "kim@example.com", Name: "김상담", PasswordHash: "x"}
	must(b, db.CreateAgent(ctx, a))
	must(b, db.AddMember(ctx, chat.Member{WorkspaceID: f.ws.ID, AgentID: a.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
	f.ag = chat.Actor{Kind: chat.SenderAgent, AgentID: a.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}
	cu := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: "customer-1"}
	must(b, db.UpsertCustomer(ctx, cu))
	var err error
	_, err = db.Write(ctx, func(tx chat.Tx) error {
		c, _, err := tx.StartConversation(ctx, f.ws.ID, cu.ID, chat.ChannelWeb)
		f.conv = c
		return err
	})
	must(b, err)
	_, _, err = db.Take(ctx, f.ws.ID, f.conv.ID, f.ag)
	must(b, err)
	e := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindWebhook, URL: receiver, Events: []string{"message.created"},
		SealedSecret: sealer.Seal(outbox.NewSecret()), QuietStart: -1, QuietEnd: -1}
	must(b, db.CreateEndpoint(ctx, e, "", chat.Who{}))
	f.endpoint = e.ID
	return f
}

var sealer = outbox.NewSealer("benchmark key material")

// send is an agent's message: one event, one delivery.
func (f *fixture) send(b testing.TB) {
	n := f.seq.Add(1)
	_, _, _, err := f.db.AppendMessage(context.Background(), f.ws.ID, f.conv.ID, f.ag,
		chat.NewMessage{ClientMsgID: fmt.Sprint("m", n), Body: "주문하신 상품은 내일 오전 중 도착 예정입니다. 배송 조회 링크를 보내 드릴게요."})
	if err != nil {
		b.Error(err)
	}
}

func worker(db *sqldb.DB, node string) *outbox.Worker {
	return &outbox.Worker{Store: db, Reader: db, Sealer: sealer, Client: outbox.NewClient(true, outbox.RequestTimeout),
		Log: slog.New(slog.DiscardHandler), Node: node, Every: 50 * time.Millisecond}
}

// sink is a local receiver that counts distinct webhook-ids and records
// how long after its event's commit each arrived.
type sink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	ids  map[string]int
	lags []time.Duration
	down atomic.Bool
}

func newSink(b testing.TB) *sink {
	s := &sink{ids: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if s.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var body struct {
			Data struct {
				CreatedAt time.Time `json:"created_at"`
			} `json:"data"`
		}
		json.Unmarshal(raw, &body) //nolint:errcheck // a missing time shows as a huge lag
		s.mu.Lock()
		s.ids[r.Header.Get("webhook-id")]++
		s.lags = append(s.lags, time.Since(body.Data.CreatedAt))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(s.srv.Close)
	return s
}

func (s *sink) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

func kinds() []string {
	if os.Getenv(postgres.TestURLVar) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// fill writes n deliveries, sixteen writers at a time (group commit).
func (f *fixture) fill(b testing.TB, n int) {
	var wg sync.WaitGroup
	var left atomic.Int64
	left.Store(int64(n))
	for range 16 {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				f.send(b)
			}
		})
	}
	wg.Wait()
}

// BenchmarkDeliveries: b.N deliveries written first, then sent by one
// node's worker, or three (PostgreSQL), to a local receiver.
func BenchmarkDeliveries(b *testing.B) {
	for _, kind := range kinds() {
		nodes := []int{1}
		if kind == "postgres" {
			nodes = []int{1, 3}
		}
		for _, n := range nodes {
			b.Run(fmt.Sprintf("%s/nodes=%d", kind, n), func(b *testing.B) {
				rc := newSink(b)
				f := newFixture(b, kind, rc.srv.URL)
				f.fill(b, b.N)
				workers := []*outbox.Worker{worker(f.db, "node-0")}
				for i := 1; i < n; i++ {
					workers = append(workers, worker(f.more(), fmt.Sprint("node-", i)))
				}
				b.ResetTimer()
				cpu0 := cpuTime()
				start := time.Now()
				var wg sync.WaitGroup
				for _, w := range workers {
					wg.Go(func() {
						for w.RunDue(context.Background()) > 0 {
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				cpu := cpuTime() - cpu0
				b.StopTimer()
				if got := rc.distinct(); got != b.N {
					b.Fatalf("delivered %d of %d", got, b.N)
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
				// The machine these run on is shared: CPU time per delivery
				// (this process: worker, receiver and, on SQLite, the
				// database) says more than wall time when others are busy.
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/delivery")
			})
		}
	}
}

// BenchmarkEventToDelivery: agents' messages at a steady 200 a second
// while the worker runs, woken by each commit as a node's publisher wakes
// it; the time from each event's commit to its arrival.
func BenchmarkEventToDelivery(b *testing.B) {
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			rc := newSink(b)
			f := newFixture(b, kind, rc.srv.URL)
			w := worker(f.db, "node-0")
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); w.Run(ctx) }()
			b.ResetTimer()
			tick := time.NewTicker(5 * time.Millisecond)
			for range b.N {
				<-tick.C
				go func() {
					f.send(b)
					w.Kick()
				}()
			}
			tick.Stop()
			for deadline := time.Now().Add(time.Minute); rc.distinct() < b.N && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			b.StopTimer()
			cancel()
			<-done
			if got := rc.distinct(); got != b.N {
				b.Fatalf("delivered %d of %d", got, b.N)
			}
			p50, p99 := percentiles(rc.lags)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkReceiverDown: the receiver is down for SODAM_BENCH_DOWN
// (default 30s) while agents send 50 messages a second, then comes back:
// every delivery arrives, and sending does not slow down while they pile
// up. Run it with -benchtime=1x.
func BenchmarkReceiverDown(b *testing.B) {
	down := 30 * time.Second
	if v := os.Getenv("SODAM_BENCH_DOWN"); v != "" {
		var err error
		if down, err = time.ParseDuration(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			rc := newSink(b)
			f := newFixture(b, kind, rc.srv.URL)
			w := worker(f.db, "node-0")
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); w.Run(ctx) }()
			var mu sync.Mutex
			sendFor := func(d time.Duration) []time.Duration {
				var lat []time.Duration
				var wg sync.WaitGroup
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for end := time.Now().Add(d); time.Now().Before(end); {
					<-tick.C
					wg.Go(func() {
						start := time.Now()
						f.send(b)
						w.Kick()
						mu.Lock()
						lat = append(lat, time.Since(start))
						mu.Unlock()
					})
				}
				wg.Wait()
				return lat
			}
			b.ResetTimer()
			before := sendFor(5 * time.Second)
			rc.down.Store(true)
			during := sendFor(down)
			rc.down.Store(false)
			up := time.Now()
			sent := int(f.seq.Load())
			for deadline := up.Add(down + 15*time.Minute); rc.distinct() < sent && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			drained := time.Since(up)
			b.StopTimer()
			cancel()
			<-done
			lost := sent - rc.distinct()
			_, p99Before := percentiles(before)
			_, p99During := percentiles(during)
			b.ReportMetric(float64(sent), "deliveries")
			b.ReportMetric(float64(lost), "lost")
			b.ReportMetric(drained.Seconds(), "s-to-drain")
			b.ReportMetric(float64(p99Before.Microseconds())/1000, "send-p99-ms-before")
			b.ReportMetric(float64(p99During.Microseconds())/1000, "send-p99-ms-while-down")
			if lost != 0 {
				b.Fatalf("%d deliveries lost", lost)
			}
		})
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru) //nolint:errcheck // never fails for RUSAGE_SELF
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
