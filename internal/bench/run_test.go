package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/node"
	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// serveVar makes this test binary act as `sodam serve`, so that the bench
// can start servers from it as it starts them from the sodam binary.
const serveVar = "SODAM_BENCH_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveVar) == "1" && len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serve(os.Args[2:]))
	}
	os.Exit(m.Run())
}

func serve(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	n := node.New(os.Stdout)
	if err := n.ParseFlags(args, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := n.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		n.Close()
		return 1
	}
	<-ctx.Done()
	if err := n.Close(); err != nil {
		return 1
	}
	return 0
}

// logWriter sends the bench's progress to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// benchOptions is a small run: it checks that the bench works and that
// delivery is exactly once, not how fast anything is.
func benchOptions(t *testing.T, scenario string) Options {
	t.Setenv(serveVar, "1")
	return Options{Scenario: scenario, Visitors: 50, Agents: 5, Rate: 50, AgentRate: 20, ConnectRate: 500,
		Duration: 2 * time.Second, Nodes: 1, Binary: os.Args[0], SourceAddrs: 4, Command: "test"}
}

func checkRun(t *testing.T, rep *Report, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	rep.Markdown(&md)
	t.Log("\n" + md.String())
	if !rep.Passed || rep.Delivery.Missing != 0 || rep.Delivery.Duplicates != 0 || rep.Connect.Count != rep.Visitors {
		t.Fatalf("report %+v", rep)
	}
	if rep.Memory.Idle == 0 || rep.Memory.WithSockets == 0 {
		t.Fatalf("no server memory read: %+v", rep.Memory)
	}
}

// TestSteady starts a SQLite server and chats both ways: every
// acknowledged message arrives exactly once, with a latency sample each.
func TestSteady(t *testing.T) {
	rep, err := Run(context.Background(), benchOptions(t, Steady), logWriter{t})
	checkRun(t, rep, err)
	if rep.Delivery.Acked != rep.VisitorMessages.Count+rep.AgentMessages.Count || rep.VisitorMessages.Count == 0 || rep.AgentMessages.Count == 0 ||
		rep.VisitorToAgent.Count != rep.VisitorMessages.Count || rep.AgentToVisitor.Count != rep.AgentMessages.Count {
		t.Fatalf("counts do not add up: %+v", rep)
	}
}

// TestSteadyWebhookDown: a webhook for every message to a receiver that
// is down while the chat runs; when it comes back every delivery arrives.
func TestSteadyWebhookDown(t *testing.T) {
	o := benchOptions(t, Steady)
	o.Webhook = WebhookDown
	rep, err := Run(context.Background(), o, logWriter{t})
	checkRun(t, rep, err)
	h := rep.Webhook
	if h == nil || h.Deliveries < rep.Delivery.Acked || h.Arrived != h.Deliveries || h.Lost != 0 || h.Refused == 0 {
		t.Fatalf("webhook %+v, %d messages", h, rep.Delivery.Acked)
	}
	// The backlog drained once the receiver came back; no event of it is
	// timed (it waited for the receiver).
	if h.Rate <= 0 || h.Latency.Count != 0 {
		t.Fatalf("drain rate %.0f/s, %d timed", h.Rate, h.Latency.Count)
	}
}

// TestReconnect drives a server that runs in this process (the --url
// mode): every visitor drops and reconnects with ?after= while agents
// write to them, and nothing is lost or doubled.
func TestReconnect(t *testing.T) {
	dir := t.TempDir()
	n := node.New(io.Discard)
	if err := n.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := n.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	o := benchOptions(t, Reconnect)
	o.URL, o.Data, o.ServerPID, o.Binary, o.Nodes = "http://"+n.Addr(), dir, os.Getpid(), "", 1
	rep, err := Run(context.Background(), o, logWriter{t})
	checkRun(t, rep, err)
	if rep.Reconnect == nil || rep.Reconnect.Count != o.Visitors || rep.AgentMessages.Count == 0 {
		t.Fatalf("reconnects %+v, agent messages %+v", rep.Reconnect, rep.AgentMessages)
	}
}

// TestCluster runs the steady scenario on three nodes with PostgreSQL and
// NATS, when the test services are there, with a webhook for every
// message whose every delivery arrives and is timed from its event.
func TestCluster(t *testing.T) {
	db, nats := os.Getenv(postgres.TestURLVar), os.Getenv("SODAM_TEST_NATS_URL")
	if db == "" || nats == "" {
		t.Skip(postgres.TestURLVar + " and SODAM_TEST_NATS_URL are needed for the cluster bench")
	}
	o := benchOptions(t, Steady)
	o.Nodes, o.DatabaseURL, o.NATSURL, o.Webhook = 3, db, nats, WebhookUp
	rep, err := Run(context.Background(), o, logWriter{t})
	checkRun(t, rep, err)
	if rep.Nodes != 3 || rep.Store != "PostgreSQL" {
		t.Fatalf("ran on %d nodes of %s", rep.Nodes, rep.Store)
	}
	if h := rep.Webhook; h == nil || h.Deliveries < rep.Delivery.Acked || h.Arrived != h.Deliveries || h.Latency.Count != h.Arrived || h.Rate <= 0 {
		t.Fatalf("webhook %+v, %d messages", h, rep.Delivery.Acked)
	}
}

// pace makes every call that fell due within the window, however late,
// and hands each its due time on the schedule, never calling it early: a
// bench that falls behind reports the queueing instead of hiding it.
func TestPaceCountsFromDue(t *testing.T) {
	var mu sync.Mutex
	dues := map[int]time.Time{}
	var early int
	pace(context.Background(), 2000, 0, 50*time.Millisecond, func(i int, due time.Time) {
		if time.Now().Before(due) {
			mu.Lock()
			early++
			mu.Unlock()
		}
		mu.Lock()
		dues[i] = due
		mu.Unlock()
	})
	if len(dues) != 100 || early != 0 {
		t.Fatalf("%d calls, %d early; want 100 calls at 2000/s over 50 ms, none early", len(dues), early)
	}
	for i := 1; i < 100; i++ {
		if got := dues[i].Sub(dues[i-1]); got != 500*time.Microsecond {
			t.Fatalf("call %d is due %v after call %d, want 500µs", i, got, i-1)
		}
	}
}
