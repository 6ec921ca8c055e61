package realtime

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// stuckConn is a client that stops reading once it is live: every write
// after the first few blocks until the test lets go, the way a write to a
// client whose buffers are full would.
type stuckConn struct {
	fakeConn
	free    int
	release chan struct{}
	mu      sync.Mutex
	reason  string
}

func (c *stuckConn) Write(data []byte) error {
	c.mu.Lock()
	c.free--
	stuck := c.free < 0
	c.mu.Unlock()
	if stuck {
		select {
		case <-c.release:
		case <-c.closed:
			return errors.New("closed")
		}
	}
	return c.fakeConn.Write(data)
}

func (c *stuckConn) Close(reason string) error {
	c.mu.Lock()
	if c.reason == "" {
		c.reason = reason
	}
	c.mu.Unlock()
	return c.fakeConn.Close(reason)
}

func visitorSession(conn Conn, ended chan error) Session {
	return Session{
		Conn: conn, WorkspaceID: 1, After: -1, ConversationID: 7,
		MaySee:     func(chat.Event) bool { return true },
		Render:     func(ev chat.Event) any { return event.FromDomain(ev) },
		ShowTyping: func(Typing) bool { return true },
		OnEnd:      func(err error) { ended <- err },
	}
}

// conversationEvents logs n messages of conversation 7 (in the log too,
// so that a gap the hub fills from the store carries them alike).
func conversationEvents(log *fakeLog, n int) []chat.Event {
	evs := log.add(n)
	log.mu.Lock()
	defer log.mu.Unlock()
	for i := range evs {
		evs[i].Conversation = &chat.Conversation{ID: 7, WorkspaceID: 1, State: chat.StateActive}
		evs[i].Message = &chat.Message{ID: evs[i].Seq, ConversationID: 7, Body: "배송 언제 오나요?"}
		log.events[evs[i].Seq-1] = evs[i]
	}
	return evs
}

// A live session whose client stops reading is not buffered without bound:
// once its queue is full the hub drops it, and the client is told to
// reconnect (and replay). Its place in the hub is freed.
func TestLiveSessionDropsSlowClient(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	conn := &stuckConn{fakeConn: *newFakeConn(), free: 1, release: make(chan struct{})}
	ended := make(chan error, 1)
	if err := h.Start(context.Background(), visitorSession(conn, ended)); err != nil {
		t.Fatal(err)
	}
	// The writer blocks on the first event; the queue behind it overflows.
	h.Publish(context.Background(), conversationEvents(log, ConversationBuffer+10))
	var err error
	select {
	case err = <-ended:
	case <-time.After(5 * time.Second):
		close(conn.release)
		t.Fatal("the slow client was kept")
	}
	close(conn.release)
	if !errors.Is(err, ErrDropped) || conn.reason != "too slow; reconnect to resume" {
		t.Fatalf("ended with %v, told %q", err, conn.reason)
	}
	if n := h.Connections(); n != 0 {
		t.Fatalf("%d connections after the drop", n)
	}
}

// A live session holds its events in order and ends when the connection
// closes; when the hub stops, every live session ends and its client is
// told to reconnect.
func TestLiveSessionsEndWhenHubStops(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx, time.Hour) }()

	conn := &stuckConn{fakeConn: *newFakeConn(), free: 1 << 30, release: make(chan struct{})}
	ended := make(chan error, 1)
	if err := h.Start(context.Background(), visitorSession(conn, ended)); err != nil {
		t.Fatal(err)
	}
	h.Publish(context.Background(), conversationEvents(log, 3))
	deadline := time.Now().Add(5 * time.Second)
	for conn.count("event") < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if conn.count("event") != 3 || conn.count("ready") != 1 {
		t.Fatalf("frames %+v", conn.frames)
	}
	cancel()
	<-done
	select {
	case err := <-ended:
		if !errors.Is(err, ErrShutdown) || conn.reason != "server restarting; reconnect" {
			t.Fatalf("ended with %v, told %q", err, conn.reason)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the session outlived the hub")
	}
}

// Events an agent's session may not see never take a place in its queue:
// however busy the workspace, the agent is not dropped for them.
func TestLiveSessionQueuesOnlyWhatItShows(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	conn := &stuckConn{fakeConn: *newFakeConn(), free: 1, release: make(chan struct{})}
	ended := make(chan error, 1)
	mine := func(ev chat.Event) bool { return ev.Conversation != nil && ev.Conversation.AssigneeID == 42 }
	if err := h.Start(context.Background(), Session{
		Conn: conn, WorkspaceID: 1, After: -1, MaySee: mine,
		Render:     func(ev chat.Event) any { return event.FromDomain(ev) },
		ShowTyping: func(Typing) bool { return true },
		OnEnd:      func(err error) { ended <- err },
	}); err != nil {
		t.Fatal(err)
	}
	assigned := func(n int, to int64) []chat.Event {
		evs := log.add(n)
		log.mu.Lock()
		defer log.mu.Unlock()
		for i := range evs {
			evs[i].Conversation = &chat.Conversation{ID: evs[i].Seq, WorkspaceID: 1, State: chat.StateActive, AssigneeID: to}
			log.events[evs[i].Seq-1] = evs[i] // a gap filled from the store carries it too
		}
		return evs
	}
	h.Publish(context.Background(), assigned(1, 42)) // the writer sticks on it
	h.Publish(context.Background(), assigned(SubscriptionBuffer*2, 7))
	last := assigned(1, 42)
	h.Publish(context.Background(), last)
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		f := h.feeds[1]
		done := f != nil && f.last == last[0].Seq
		h.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hub did not deliver the events")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-ended:
		t.Fatalf("the session ended: %v", err)
	default:
	}
	close(conn.release)
	for conn.count("event") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := conn.count("event"); n != 2 {
		t.Fatalf("%d events written, want the agent's 2", n)
	}
}
