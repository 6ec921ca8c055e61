package bus

import (
	"context"
	"os"
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
	a, err := DialNATS(url, "test-a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := DialNATS(url, "test-b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := make(chan Message, 10)
	b.Subscribe(func(m Message) { got <- m })
	self := make(chan Message, 10)
	a.Subscribe(func(m Message) { self <- m })
	ws := time.Now().UnixNano() // a workspace no other test run uses
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
}

// An unreachable server is an error at start, not a half-working node.
func TestNATSUnreachable(t *testing.T) {
	start := time.Now()
	if _, err := DialNATS("nats://127.0.0.1:1", "nowhere"); err == nil {
		t.Fatal("connected to nothing")
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("took too long to fail")
	}
}
