package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// fakeConn is a client that never sends and answers pings until it dies.
type fakeConn struct {
	mu     sync.Mutex
	frames []frame
	dead   atomic.Bool
	closed chan struct{}
	once   sync.Once
}

func newFakeConn() *fakeConn { return &fakeConn{closed: make(chan struct{})} }

func (c *fakeConn) Serve(func([]byte), func(error)) {}

func (c *fakeConn) Write(data []byte) error {
	var f frame
	json.Unmarshal(data, &f)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames = append(c.frames, f)
	return nil
}

func (c *fakeConn) Ping() error {
	if c.dead.Load() {
		return errors.New("no pong")
	}
	return nil
}

func (c *fakeConn) Close(string) error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *fakeConn) count(typ string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, f := range c.frames {
		if f.Type == typ {
			n++
		}
	}
	return n
}

// A session sends heartbeats, and ends — unsubscribing — when the client
// stops answering pings.
func TestSessionHeartbeatAndDeadClient(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	log.add(2)
	conn := newFakeConn()
	done := make(chan error, 1)
	go func() {
		done <- h.Serve(context.Background(), Session{
			Conn: conn, WorkspaceID: 1, After: 0, PingInterval: 10 * time.Millisecond,
			MaySee:     func(chat.Event) bool { return true },
			Render:     func(ev chat.Event) any { return event.FromDomain(ev) },
			ShowTyping: func(Typing) bool { return true },
			OnFrame:    func(context.Context, []byte) {},
		})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for conn.count("heartbeat") < 3 {
		if time.Now().After(deadline) {
			t.Fatal("no heartbeats")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if conn.count("event") != 2 || conn.count("ready") != 1 {
		t.Fatalf("frames %+v", conn.frames)
	}
	if h.Connections() != 1 {
		t.Fatalf("%d connections", h.Connections())
	}
	conn.dead.Store(true)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("session ended without an error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("dead client kept")
	}
	if h.Connections() != 0 {
		t.Fatalf("%d connections after cleanup", h.Connections())
	}
}

// A live event is rendered and encoded once per audience on a node, however
// many sessions of that audience show it.
func TestRenderOncePerAudience(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	var renders atomic.Int32
	const sessions = 5
	conns := make([]*fakeConn, sessions)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for i := range conns {
		conns[i] = newFakeConn()
		wg.Go(func() {
			h.Serve(ctx, Session{
				Conn: conns[i], WorkspaceID: 1, After: -1, Audience: "console",
				MaySee:     func(chat.Event) bool { return true },
				Render:     func(ev chat.Event) any { renders.Add(1); return event.FromDomain(ev) },
				ShowTyping: func(Typing) bool { return false },
				OnFrame:    func(context.Context, []byte) {},
			})
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	waitFor := func(what string, ok func(c *fakeConn) bool) {
		t.Helper()
		for _, c := range conns {
			for !ok(c) {
				if time.Now().After(deadline) {
					t.Fatalf("no %s", what)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	waitFor("ready", func(c *fakeConn) bool { return c.count("ready") == 1 })
	h.Publish(context.Background(), log.add(1))
	waitFor("event", func(c *fakeConn) bool { return c.count("event") == 1 })
	if n := renders.Load(); n != 1 {
		t.Errorf("the event was rendered %d times for %d sessions of one audience", n, sessions)
	}
}
