package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/pii"
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
	waitDelivered(t, h, last[0].Seq)
	deadline := time.Now().Add(5 * time.Second)
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

// eventFrames returns the seq and message body of every event frame conn
// received, once it has received want of them.
func eventFrames(t *testing.T, c *fakeConn, want int) (seqs []int64, bodies []string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		c.mu.Lock()
		seqs, bodies = nil, nil
		for _, f := range c.frames {
			if f.Type != "event" {
				continue
			}
			ev := f.Event.(map[string]any)
			seqs = append(seqs, int64(ev["seq"].(float64)))
			body := ""
			if m, ok := ev["message"].(map[string]any); ok {
				body, _ = m["body"].(string)
			}
			bodies = append(bodies, body)
		}
		c.mu.Unlock()
		if len(seqs) >= want {
			return seqs, bodies
		}
		if time.Now().After(deadline) {
			t.Fatalf("got events %v, waiting for %d", seqs, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *fakeConn) readySeq() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.frames {
		if f.Type == "ready" {
			return f.Seq
		}
	}
	return -1
}

// A client that reconnects soon after a drop replays what it missed from
// the hub's memory, not the store: only its conversation's events, in
// order. Once a message's text is rewritten (masked) the store has
// scrubbed the old events, and replays read the store again.
// waitDelivered waits until workspace 1's feed has delivered seq.
func waitDelivered(t *testing.T, h *Hub, seq int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		f := h.feeds[1]
		done := f != nil && f.last >= seq
		h.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not deliver the events up to %d", seq)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReplayFromMemory(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	ended := make(chan error, 10)
	first := newFakeConn()
	if err := h.Start(context.Background(), visitorSession(first, ended)); err != nil {
		t.Fatal(err)
	}
	evs := conversationEvents(log, 3)
	other := log.add(1) // seq 4, another conversation
	other[0].Conversation = &chat.Conversation{ID: 8, WorkspaceID: 1}
	log.mu.Lock()
	log.events[3] = other[0]
	log.mu.Unlock()
	h.Publish(context.Background(), append(evs, other...))
	eventFrames(t, first, 3)
	waitDelivered(t, h, 4) // seq 4 reaches no subscriber: wait for the hub itself

	reads := func() int {
		log.mu.Lock()
		defer log.mu.Unlock()
		return log.reads
	}
	before := reads()
	again := newFakeConn()
	s := visitorSession(again, ended)
	s.After = 1
	if err := h.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	seqs, _ := eventFrames(t, again, 2)
	if len(seqs) != 2 || seqs[0] != 2 || seqs[1] != 3 || again.readySeq() != 4 {
		t.Fatalf("replayed %v, ready at %d; want [2 3], ready at 4", seqs, again.readySeq())
	}
	if n := reads() - before; n != 0 {
		t.Fatalf("the replay read the store %d times", n)
	}

	// A client that missed nothing of its conversation has no remembered
	// text a mask could hide: reconnecting asks the store nothing, not
	// even the log's end (a reconnect storm is mostly such clients).
	_, lasts, _ := log.asked()
	caughtUp := newFakeConn()
	s = visitorSession(caughtUp, ended)
	s.After = 3
	if err := h.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if caughtUp.readySeq() != 4 {
		t.Fatalf("ready at %d; want 4", caughtUp.readySeq())
	}
	if n, l, _ := log.asked(); n != before || l != lasts {
		t.Fatalf("a reconnect with nothing to replay read the store %d times and its end %d times", n-before, l-lasts)
	}

	// Message 2 is masked: the store rewrites its event, and the hub
	// publishes message.updated.
	log.mu.Lock()
	log.events[1].Message = &chat.Message{ID: 2, ConversationID: 7, Body: "***"}
	log.mu.Unlock()
	upd := log.add(1)
	upd[0].Type = chat.EventMessageUpdated
	upd[0].Conversation = &chat.Conversation{ID: 7, WorkspaceID: 1, State: chat.StateActive}
	upd[0].Message = &chat.Message{ID: 2, ConversationID: 7, Body: "***"}
	log.mu.Lock()
	log.events[4] = upd[0]
	log.mu.Unlock()
	h.Publish(context.Background(), upd)
	eventFrames(t, first, 4)

	third := newFakeConn()
	s = visitorSession(third, ended)
	s.After = 1
	if err := h.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	seqs, bodies := eventFrames(t, third, 3)
	if len(seqs) != 3 || seqs[0] != 2 || bodies[0] != "***" {
		t.Fatalf("replayed %v %q; want 2, 3, 5 with message 2 masked", seqs, bodies)
	}
	if reads() == before {
		t.Fatal("the replay after a rewrite did not read the store")
	}
}

// A mask committed before the hub hears of it: the hub still remembers the
// message's event with the text the mask hid, while the store has already
// rewritten it. A client reconnecting in between must be replayed the
// store's text, not the remembered one, and is told of the mask.
func TestReplayFromMemoryBeforeTheMaskArrives(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	ended := make(chan error, 10)
	first := newFakeConn()
	if err := h.Start(context.Background(), visitorSession(first, ended)); err != nil {
		t.Fatal(err)
	}
	evs := conversationEvents(log, 3)
	log.mu.Lock()
	log.events[1].Message.Body = "제 번호는 010-2345-6789예요"
	evs[1].Message = log.events[1].Message
	log.mu.Unlock()
	h.Publish(context.Background(), evs)
	eventFrames(t, first, 3)
	waitDelivered(t, h, 3)

	// The mask commits: the store rewrites event 2 and logs message.updated
	// (seq 4), whose publish has not reached the hub.
	masked := &chat.Message{ID: 2, ConversationID: 7, Body: "제 번호는 *************예요"}
	upd := log.add(1)
	log.mu.Lock()
	log.events[1].Message = masked
	upd[0].Type = chat.EventMessageUpdated
	upd[0].Conversation = &chat.Conversation{ID: 7, WorkspaceID: 1, State: chat.StateActive}
	upd[0].Message = masked
	log.events[3] = upd[0]
	log.mu.Unlock()

	again := newFakeConn()
	s := visitorSession(again, ended)
	s.After = 1
	if err := h.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	seqs, bodies := eventFrames(t, again, 2)
	for i, b := range bodies {
		if strings.Contains(b, "010-2345-6789") {
			t.Fatalf("event %d replayed the masked text: %q", seqs[i], b)
		}
	}
	seqs, bodies = eventFrames(t, again, 3)
	if len(seqs) != 3 || seqs[0] != 2 || seqs[2] != 4 || bodies[0] != masked.Body {
		t.Fatalf("replayed %v %q; want 2, 3, 4 with message 2 masked", seqs, bodies)
	}
}

// A client that reads slowly still has a message's event queued when the
// message is masked: what it is written after the mask committed carries
// the masked text, the message's and the conversation's preview of it.
func TestQueuedEventsFollowAMask(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	conn := &stuckConn{fakeConn: *newFakeConn(), free: 1, release: make(chan struct{})}
	ended := make(chan error, 1)
	if err := h.Start(context.Background(), visitorSession(conn, ended)); err != nil {
		t.Fatal(err)
	}
	const said, masked = "제 번호는 010-2345-6789예요", "제 번호는 *************예요"
	evs := conversationEvents(log, 2) // 1 sticks in the writer, 2 waits in the queue
	evs[1].Message = &chat.Message{ID: 2, ConversationID: 7, Kind: chat.KindText, Body: said}
	evs[1].Conversation = &chat.Conversation{ID: 7, WorkspaceID: 1, State: chat.StateActive, LastMessage: said}
	h.Publish(context.Background(), evs)
	upd := log.add(1)
	upd[0].Type = chat.EventMessageUpdated
	upd[0].Conversation = &chat.Conversation{ID: 7, WorkspaceID: 1, State: chat.StateActive, LastMessage: masked}
	upd[0].Message = &chat.Message{ID: 2, ConversationID: 7, Kind: chat.KindText, Body: masked, Masks: []pii.Span{{Start: 6, End: 19, Kind: pii.Phone}}}
	h.Publish(context.Background(), upd)
	waitDelivered(t, h, 3)
	close(conn.release)
	seqs, bodies := eventFrames(t, &conn.fakeConn, 3)
	if seqs[1] != 2 || bodies[1] != masked {
		t.Fatalf("event %d written with %q after the mask; want %q", seqs[1], bodies[1], masked)
	}
	conn.fakeConn.mu.Lock()
	defer conn.fakeConn.mu.Unlock()
	for _, f := range conn.fakeConn.frames {
		if b, _ := json.Marshal(f); strings.Contains(string(b), "010-2345-6789") {
			t.Fatalf("a frame written after the mask holds the number: %s", b)
		}
	}
}

// A ticket's message masked (§11): the hub stops replaying from memory
// the ticket events that carried its message before the mask, as it does
// for a chat message's, whether it heard of the mask or not yet.
func TestReplayAfterATicketMask(t *testing.T) {
	const left, masked = "전화 주세요 010-2345-6789", "전화 주세요 *************"
	for _, heard := range []bool{true, false} {
		h, log, _ := newHub(t, time.Hour)
		ended := make(chan error, 10)
		first := newFakeConn()
		agent := func(c Conn) Session {
			return Session{Conn: c, WorkspaceID: 1, After: -1, MaySee: func(chat.Event) bool { return true },
				Render: func(ev chat.Event) any { return event.FromDomain(ev) }, ShowTyping: func(Typing) bool { return true },
				OnEnd: func(err error) { ended <- err }}
		}
		if err := h.Start(context.Background(), agent(first)); err != nil {
			t.Fatal(err)
		}
		add := func(typ chat.EventType, message string) chat.Event {
			evs := log.add(1)
			log.mu.Lock()
			defer log.mu.Unlock()
			evs[0].Type = typ
			evs[0].Ticket = &chat.Ticket{ID: 5, WorkspaceID: 1, Name: "홍길동", Message: message}
			log.events[evs[0].Seq-1] = evs[0]
			return evs[0]
		}
		created := add(chat.EventTicketCreated, left)
		other := conversationEvents(log, 1)
		h.Publish(context.Background(), []chat.Event{created, other[0]})
		waitDelivered(t, h, 2)
		// The mask rewrites the stored ticket.created and logs ticket.updated.
		log.mu.Lock()
		log.events[0].Ticket = &chat.Ticket{ID: 5, WorkspaceID: 1, Name: "홍길동", Message: masked}
		log.mu.Unlock()
		upd := add(chat.EventTicketUpdated, masked)
		if heard {
			h.Publish(context.Background(), []chat.Event{upd})
			waitDelivered(t, h, 3)
		}
		again := newFakeConn()
		s := agent(again)
		s.After = 0
		if err := h.Start(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		eventFrames(t, again, 1)
		again.mu.Lock()
		for _, f := range again.frames {
			if b, _ := json.Marshal(f); strings.Contains(string(b), "010-2345-6789") {
				t.Errorf("heard %v: a replay after the ticket's mask holds the number: %s", heard, b)
			}
		}
		again.mu.Unlock()
	}
}

// As TestQueuedEventsFollowAMask, for a ticket's message: a slow agent's
// queued ticket.created is written with the message as the mask left it.
func TestQueuedTicketEventsFollowAMask(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	conn := &stuckConn{fakeConn: *newFakeConn(), free: 1, release: make(chan struct{})}
	ended := make(chan error, 1)
	if err := h.Start(context.Background(), Session{Conn: conn, WorkspaceID: 1, After: -1, MaySee: func(chat.Event) bool { return true },
		Render: func(ev chat.Event) any { return event.FromDomain(ev) }, ShowTyping: func(Typing) bool { return true },
		OnEnd: func(err error) { ended <- err }}); err != nil {
		t.Fatal(err)
	}
	const left, masked = "전화 주세요 010-2345-6789", "전화 주세요 *************"
	evs := conversationEvents(log, 1) // sticks in the writer
	tk := log.add(2)
	tk[0].Type, tk[0].Ticket = chat.EventTicketCreated, &chat.Ticket{ID: 5, WorkspaceID: 1, Name: "홍길동", Message: left}
	tk[1].Type, tk[1].Ticket = chat.EventTicketUpdated, &chat.Ticket{ID: 5, WorkspaceID: 1, Name: "홍길동", Message: masked}
	h.Publish(context.Background(), append(evs, tk...))
	waitDelivered(t, h, 3)
	close(conn.release)
	eventFrames(t, &conn.fakeConn, 3)
	conn.fakeConn.mu.Lock()
	defer conn.fakeConn.mu.Unlock()
	for _, f := range conn.fakeConn.frames {
		if b, _ := json.Marshal(f); strings.Contains(string(b), "010-2345-6789") {
			t.Fatalf("a frame written after the ticket's mask holds the number: %s", b)
		}
	}
}
