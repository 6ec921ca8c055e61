package bus

import (
	"context"
	"os"
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
