package bus

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

func natsURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("SODAM_TEST_NATS_URL")
	if url == "" {
		t.Skip("SODAM_TEST_NATS_URL is not set: skipping NATS tests")
	}
	return url
}

// Two nodes on one NATS: each receives what either publishes.
func TestNATS(t *testing.T) {
	url := natsURL(t)
	install := strconv.FormatInt(time.Now().UnixNano(), 36)
	a, err := DialNATS(url, "test-a", install)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := DialNATS(url, "test-b", install)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := make(chan Message, 10)
	b.Subscribe(func(m Message) { got <- m })
	self := make(chan Message, 10)
	a.Subscribe(func(m Message) { self <- m })
	// Another installation on the same server hears nothing of it.
	other, err := DialNATS(url, "test-other", install+"x")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	stranger := make(chan Message, 10)
	other.Subscribe(func(m Message) { stranger <- m })
	const ws = 1
	if err := a.Publish(context.Background(), Message{WorkspaceID: ws, Seq: 7, Data: []byte(`{"x":1}`)}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []chan Message{got, self} {
		select {
		case m := <-ch:
			if m.WorkspaceID != ws || m.Seq != 7 || string(m.Data) != `{"x":1}` {
				t.Fatalf("received %+v", m)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("nothing received")
		}
	}
	select {
	case m := <-stranger:
		t.Fatalf("another installation received %+v", m)
	case <-time.After(200 * time.Millisecond):
	}
	// The publishing node heard it once: directly, not also back from NATS.
	select {
	case m := <-self:
		t.Fatalf("the publisher received its message twice: %+v", m)
	default:
	}
}

// BenchmarkNATSHop times one message from a node's Publish to another
// node's subscriber through the NATS server, one at a time: what the hop
// adds to a delivery, apart from the nodes' own work.
//
//	SODAM_TEST_NATS_URL=nats://127.0.0.1:4222 go test ./internal/bus -run '^$' -bench NATSHop -benchtime 5000x
func BenchmarkNATSHop(b *testing.B) {
	url := os.Getenv("SODAM_TEST_NATS_URL")
	if url == "" {
		b.Skip("SODAM_TEST_NATS_URL is not set")
	}
	install := strconv.FormatInt(time.Now().UnixNano(), 36)
	from, err := DialNATS(url, "bench-a", install)
	if err != nil {
		b.Fatal(err)
	}
	defer from.Close()
	to, err := DialNATS(url, "bench-b", install)
	if err != nil {
		b.Fatal(err)
	}
	defer to.Close()
	got := make(chan time.Time, 1)
	to.Subscribe(func(Message) { got <- time.Now() })
	data := make([]byte, 900) // about an encoded message event
	hops := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := from.Publish(context.Background(), Message{WorkspaceID: 1, Seq: int64(i + 1), Data: data}); err != nil {
			b.Fatal(err)
		}
		hops = append(hops, (<-got).Sub(start))
	}
	b.StopTimer()
	slices.Sort(hops)
	ms := func(p float64) float64 { return float64(hops[int(p*float64(len(hops)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(.50), "p50-ms")
	b.ReportMetric(ms(.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}

// An unreachable server is an error at start, not a half-working node.
func TestNATSUnreachable(t *testing.T) {
	start := time.Now()
	if _, err := DialNATS("nats://127.0.0.1:1", "nowhere", "x"); err == nil {
		t.Fatal("connected to nothing")
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("took too long to fail")
	}
}
