package realtime

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
)

// fakeLog is an in-memory event log for one workspace.
type fakeLog struct {
	mu     sync.Mutex
	events []chat.Event
	reads  int // calls of Events
	lasts  int // calls of LastEventSeq and LastEventSeqs
	sweeps int // calls of LastEventSeqs
	// gate, when set, holds every read until it is closed: a store that
	// takes its time.
	gate chan struct{}
}

func (l *fakeLog) add(n int) []chat.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []chat.Event
	for range n {
		ev := chat.Event{WorkspaceID: 1, Seq: int64(len(l.events) + 1), Type: chat.EventMessageCreated}
		l.events = append(l.events, ev)
		out = append(out, ev)
	}
	return out
}

func (l *fakeLog) Events(_ context.Context, _ int64, f chat.EventFilter) ([]chat.Event, error) {
	l.mu.Lock()
	l.reads++
	gate := l.gate
	l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []chat.Event
	for _, ev := range l.events {
		if f.ConversationID != 0 && ev.ConversationID() != f.ConversationID {
			continue
		}
		if ev.Seq > f.AfterSeq && (f.Limit == 0 || len(out) < f.Limit) {
			out = append(out, ev)
		}
	}
	return out, nil
}

// LastEventSeq answers with the log's end when asked; a held answer
// arrives late, as from a slow store.
func (l *fakeLog) LastEventSeq(context.Context, int64) (int64, error) {
	l.mu.Lock()
	l.lasts++
	gate, last := l.gate, int64(len(l.events))
	l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return last, nil
}

func (l *fakeLog) LastEventSeqs(_ context.Context, ids []int64) (map[int64]int64, error) {
	l.mu.Lock()
	l.lasts++
	l.sweeps++
	gate, last := l.gate, int64(len(l.events))
	l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	out := map[int64]int64{}
	for _, id := range ids {
		out[id] = last
	}
	return out, nil
}

// asked says how often the log was read: Events, LastEventSeq or
// LastEventSeqs, and LastEventSeqs alone.
func (l *fakeLog) asked() (reads, lasts, sweeps int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads, l.lasts, l.sweeps
}

// hold makes every read wait until release is called (release may be
// called more than once), and counts reads from zero.
func (l *fakeLog) hold() (release func()) {
	gate := make(chan struct{})
	l.mu.Lock()
	l.gate, l.reads, l.lasts, l.sweeps = gate, 0, 0, 0
	l.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(gate) }) }
}

// waitFor waits until the log has been asked at least once through the
// counter n points to.
func (l *fakeLog) waitFor(t *testing.T, n *int, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		asked := *n
		l.mu.Unlock()
		if asked > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub never %s", what)
		}
	}
}

func newHub(t *testing.T, sweep time.Duration) (*Hub, *fakeLog, *bus.Memory) {
	t.Helper()
	return newHubGap(t, sweep, GapWait)
}

// newHubGap is newHub with events waiting up to gapWait for a gap to close.
func newHubGap(t *testing.T, sweep, gapWait time.Duration) (*Hub, *fakeLog, *bus.Memory) {
	t.Helper()
	log, b := &fakeLog{}, bus.NewMemory()
	h := NewHub(log, b, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h.gapWait = gapWait
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx, sweep) }()
	t.Cleanup(func() { cancel(); <-done })
	// Wait until Run listens to the bus: a signal published before then
	// is lost. (A fixed sleep was too short on a busy machine.)
	probe, err := h.Subscribe(context.Background(), -1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	for heard := false; !heard; {
		h.PublishTyping(context.Background(), -1, Typing{})
		select {
		case <-probe.C:
			heard = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	return h, log, b
}

func receive(t *testing.T, s *Subscription, n int) []int64 {
	t.Helper()
	var got []int64
	for len(got) < n {
		select {
		case it := <-s.C:
			if it.Event != nil {
				got = append(got, it.Event.Seq)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("got %v, waiting for %d events", got, n)
		}
	}
	return got
}

// publishRaw puts evs on the bus as a node publishes them, in order.
func publishRaw(t *testing.T, b bus.Bus, evs ...chat.Event) {
	t.Helper()
	for _, ev := range evs {
		data, _ := json.Marshal(ev)
		if err := b.Publish(context.Background(), bus.Message{WorkspaceID: ev.WorkspaceID, Seq: ev.Seq, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
}

// wantNoMore fails if s receives an event within d.
func wantNoMore(t *testing.T, s *Subscription, d time.Duration) {
	t.Helper()
	select {
	case it := <-s.C:
		t.Fatalf("duplicate delivery of %d", it.Event.Seq)
	case <-time.After(d):
	}
}

func wantSeqs(t *testing.T, got []int64, from int64) {
	t.Helper()
	for i, s := range got {
		if s != from+int64(i) {
			t.Fatalf("got %v, want consecutive from %d", got, from)
		}
	}
}

func TestHubDeliversInOrder(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	sub, err := h.Subscribe(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	h.Publish(context.Background(), log.add(3))
	wantSeqs(t, receive(t, sub, 3), 1)
}

// This node's own events reach its subscribers as they were published,
// not decoded from the bus's bytes: bytes that do not decode change
// nothing, and the store is not read.
func TestHubTakesOwnEventsWithoutDecoding(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	evs := log.add(2)
	for i := range evs {
		evs[i].Message = &chat.Message{ID: int64(40 + i), Body: "배송 문의드립니다"}
		evs[i].Encoded = []byte("{not json")
	}
	h.Publish(context.Background(), evs)
	for i := range evs {
		select {
		case it := <-sub.C:
			if it.Event == nil || it.Event.Seq != evs[i].Seq || it.Event.Message == nil || it.Event.Message.ID != evs[i].Message.ID {
				t.Fatalf("delivered %+v, want event %d with message %d", it.Event, evs[i].Seq, evs[i].Message.ID)
			}
			if it.Event.Message == evs[i].Message {
				t.Fatal("the subscriber shares the publisher's message")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("nothing delivered")
		}
	}
	if reads, _, _ := log.asked(); reads != 0 {
		t.Fatalf("the store was read %d times", reads)
	}
}

// Publishes that arrive out of order, or not at all, are filled from the log.
func TestHubFillsGaps(t *testing.T) {
	h, log, b := newHub(t, time.Hour)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	evs := log.add(4)
	publishRaw(t, b, evs[2]) // 3 arrives first: 1 and 2 come from the log
	publishRaw(t, b, evs[0]) // stale now: skipped
	publishRaw(t, b, evs[1])
	publishRaw(t, b, evs[3])
	wantSeqs(t, receive(t, sub, 4), 1)
	wantNoMore(t, sub, 50*time.Millisecond)
}

// Publishes that race arrive out of order; the hub puts them back in order
// without reading the store. One that never arrives is read from the store
// once the events after it have waited GapWait.
func TestHubReordersWithoutReading(t *testing.T) {
	h, log, b := newHub(t, time.Hour)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	evs := log.add(6)
	for _, i := range []int{1, 2, 0, 4, 3} {
		publishRaw(t, b, evs[i])
	}
	wantSeqs(t, receive(t, sub, 5), 1)
	if reads, _, _ := log.asked(); reads != 0 {
		t.Fatalf("the store was read %d times for publishes that only raced", reads)
	}
	// 7 is published, 6 never is: 6 comes from the store, then 7.
	evs = append(evs, log.add(1)...)
	publishRaw(t, b, evs[6])
	wantSeqs(t, receive(t, sub, 2), 6)
	wantNoMore(t, sub, 3*GapWait)
}

// Under a steady stream of racing publishes some event is always waiting
// for the one before it, but none for long: each gap closes within a
// fraction of the wait, so the store is never read, however long the
// stream lasts. (The wait was once timed from when the hub last had
// nothing waiting, so such a stream was read from the store once it had
// lasted the wait.)
func TestHubReordersStreamWithoutReading(t *testing.T) {
	const wait = 200 * time.Millisecond
	h, log, b := newHubGap(t, time.Hour, wait)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	const pairs = 40 // 40 steps of 10 ms: the stream lasts twice the wait
	evs := log.add(2 * pairs)
	// 2 first; then 4 and 1, 6 and 3, …: each step opens the next gap,
	// then closes the one below the event waiting longest.
	publishRaw(t, b, evs[1])
	for i := 0; i < len(evs); i += 2 {
		time.Sleep(wait / 20)
		if i+3 < len(evs) {
			publishRaw(t, b, evs[i+3])
		}
		publishRaw(t, b, evs[i])
	}
	wantSeqs(t, receive(t, sub, 2*pairs), 1)
	if reads, _, _ := log.asked(); reads != 0 {
		t.Fatalf("the store was read %d times for publishes that only raced", reads)
	}
}

// A read of a gap from the store does not hold up the hub: an event that
// the bus brings while the read is under way is delivered at once, in the
// workspace waiting for the read and in any other, and what the read
// brings back later is not delivered twice. (The hub used to read on its
// own goroutine, holding its lock, so nothing was delivered on the node
// until the read ended.)
func TestHubDeliversWhileReadingGap(t *testing.T) {
	h, log, b := newHub(t, time.Hour)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	other, _ := h.Subscribe(context.Background(), 2, 0) // another workspace, its log empty
	defer other.Close()
	release := log.hold()
	defer release() // before sub.Close, which the old hub's read held up
	evs := log.add(3)
	publishRaw(t, b, evs[1]) // 2 waits for 1, then the hub reads 1 and 2 from the store, which hangs
	log.waitFor(t, &log.reads, "read the gap from the store")
	publishRaw(t, b, chat.Event{WorkspaceID: 2, Seq: 1, Type: chat.EventMessageCreated})
	wantSeqs(t, receive(t, other, 1), 1)
	publishRaw(t, b, evs[0]) // 1 arrives late through the bus
	publishRaw(t, b, evs[2])
	wantSeqs(t, receive(t, sub, 3), 1)
	release()
	wantNoMore(t, sub, 3*GapWait)
}

// While a read of a gap is under way, at most MaxAhead events wait; those
// that come after are left to a later read, so nothing is lost or
// repeated and a slow store cannot make the hub's memory grow.
func TestHubBoundsWaitingWhileReading(t *testing.T) {
	h, log, b := newHub(t, time.Hour)
	// A buffer for every event: the read delivers more at once than a
	// subscription's channel holds.
	items := make(chan Item, 2*MaxAhead)
	sub, err := h.subscribe(context.Background(), 1, 0, -1, func(it Item) bool { items <- it; return true }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.C = items
	release := log.hold()
	defer release()
	const n = MaxAhead + 10
	evs := log.add(n)
	publishRaw(t, b, evs[1:]...) // all but 1: the MaxAhead-th to wait starts a read, which hangs
	// A typing signal queues behind them: once it arrives, the hub has
	// handled every event.
	h.PublishTyping(context.Background(), 1, Typing{ConversationID: 7})
	for heard := false; !heard; {
		select {
		case it := <-sub.C:
			if it.Event != nil {
				t.Fatalf("event %d delivered before 1", it.Event.Seq)
			}
			heard = it.Typing != nil
		case <-time.After(5 * time.Second):
			t.Fatal("the hub did not handle the events")
		}
	}
	h.mu.Lock()
	waiting := len(h.feeds[1].ahead)
	h.mu.Unlock()
	if waiting != MaxAhead {
		t.Fatalf("%d events wait, want %d", waiting, MaxAhead)
	}
	last := log.add(1)[0] // the next publish shows the gap the dropped ones left
	release()
	publishRaw(t, b, last)
	wantSeqs(t, receive(t, sub, n+1), 1)
	wantNoMore(t, sub, 3*GapWait)
}

// The sweep asks the store beside the hub: deliveries go on while it
// waits for an answer. (It used to ask on the hub's goroutine, holding the
// hub's lock, once for every workspace with subscribers on the node.)
func TestHubDeliversWhileSweeping(t *testing.T) {
	h, log, b := newHub(t, 10*time.Millisecond)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	release := log.hold()
	defer release()
	log.waitFor(t, &log.lasts, "swept")
	publishRaw(t, b, log.add(2)...)
	wantSeqs(t, receive(t, sub, 2), 1)
	release()
	wantNoMore(t, sub, 3*GapWait)
}

// The sweep asks the store once for every workspace with subscribers on
// the node (it used to ask once for each), and finds a lost publish in
// each of them.
func TestHubSweepsEveryWorkspaceInOneRead(t *testing.T) {
	h, log, _ := newHub(t, 20*time.Millisecond)
	var subs []*Subscription
	for ws := range int64(3) {
		sub, err := h.Subscribe(context.Background(), ws+1, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		subs = append(subs, sub)
	}
	release := log.hold() // counts from zero
	release()
	log.add(2) // committed, never published (the fake log answers for every workspace)
	for _, sub := range subs {
		wantSeqs(t, receive(t, sub, 2), 1)
	}
	if _, lasts, sweeps := log.asked(); sweeps == 0 || lasts != sweeps {
		t.Fatalf("the sweeps asked %d times for one workspace's end and %d times for all of them", lasts-sweeps, sweeps)
	}
}

// A workspace's first subscriber on the node reads the log's end without
// holding the hub up: the other workspaces' events are delivered while
// the store is slow to answer. (It used to read under the hub's lock.)
func TestHubDeliversWhileFirstSubscriberReads(t *testing.T) {
	h, log, b := newHub(t, time.Hour)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	release := log.hold()
	defer release()
	type result struct {
		sub *Subscription
		err error
	}
	first := make(chan result, 2)
	for range 2 { // the second waits for the first's read
		go func() {
			s, err := h.Subscribe(context.Background(), 2, 0)
			first <- result{s, err}
		}()
	}
	log.waitFor(t, &log.lasts, "read workspace 2's log end")
	publishRaw(t, b, log.add(2)...)
	wantSeqs(t, receive(t, sub, 2), 1)
	release()
	for range 2 {
		r := <-first
		if r.err != nil {
			t.Fatal(r.err)
		}
		defer r.sub.Close()
		if r.sub.from != 0 {
			t.Fatalf("subscribed from %d: the read answered 0", r.sub.from)
		}
	}
	if _, asked, _ := log.asked(); asked != 1 {
		t.Fatalf("workspace 2's log end was read %d times, want once", asked)
	}
}

// An event committed after the first subscriber's read answered, and
// heard before the answer arrived, still reaches the subscriber: from the
// store, once the feed is ready.
func TestHubFirstSubscriberHearsEventsDuringRead(t *testing.T) {
	h, log, b := newHub(t, time.Hour)
	release := log.hold()
	defer release()
	done := make(chan *Subscription, 1)
	go func() {
		s, err := h.Subscribe(context.Background(), 1, 0)
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	log.waitFor(t, &log.lasts, "read the log's end")
	publishRaw(t, b, log.add(3)...) // after the read's answer (0), before it arrives
	// Only once the hub has heard them may the read's answer arrive.
	// (TryLock: a hub that reads under its lock fails here, not hangs.)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		var heard int64
		if h.mu.TryLock() {
			if f := h.feeds[1]; f != nil {
				heard = f.pending
			}
			h.mu.Unlock()
		}
		if heard == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub noted event %d while reading, want 3", heard)
		}
	}
	release()
	sub := <-done
	if sub == nil {
		t.FailNow()
	}
	defer sub.Close()
	wantSeqs(t, receive(t, sub, 3), 1)
	wantNoMore(t, sub, 3*GapWait)
}

// An event whose publish was lost reaches subscribers through the sweep.
func TestHubSweepsLostPublishes(t *testing.T) {
	h, log, _ := newHub(t, 20*time.Millisecond)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	log.add(2) // committed, never published
	wantSeqs(t, receive(t, sub, 2), 1)
}

// A subscriber that stops reading is dropped instead of blocking the hub.
func TestHubDropsSlowSubscriber(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	slow, _ := h.Subscribe(context.Background(), 1, 0)
	fast, _ := h.Subscribe(context.Background(), 1, 0)
	defer fast.Close()
	// In two rounds, each within the buffer, so that the fast one keeps up
	// however slowly this test is scheduled; the slow one overflows.
	h.Publish(context.Background(), log.add(SubscriptionBuffer))
	wantSeqs(t, receive(t, fast, SubscriptionBuffer), 1)
	h.Publish(context.Background(), log.add(10))
	wantSeqs(t, receive(t, fast, 10), SubscriptionBuffer+1)
	select {
	case <-slow.Dropped:
	case <-time.After(5 * time.Second):
		t.Fatal("slow subscriber was not dropped")
	}
	slow.Close()
	if n := h.Connections(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

func TestHubTyping(t *testing.T) {
	h, _, _ := newHub(t, time.Hour)
	sub, _ := h.Subscribe(context.Background(), 1, 0)
	defer sub.Close()
	other, _ := h.Subscribe(context.Background(), 2, 0)
	defer other.Close()
	h.PublishTyping(context.Background(), 1, Typing{ConversationID: 5, SenderType: chat.SenderVisitor, Typing: true, AssigneeID: 3, State: chat.StateActive})
	select {
	case it := <-sub.C:
		if it.Typing == nil || it.Typing.ConversationID != 5 || it.Typing.AssigneeID != 3 || !it.Typing.Typing {
			t.Fatalf("typing %+v", it.Typing)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no typing signal")
	}
	select {
	case it := <-other.C:
		t.Fatalf("typing leaked to another workspace: %+v", it)
	case <-time.After(50 * time.Millisecond):
	}
}

// A subscription to one conversation hears that conversation's events
// and typing, and — only while it waits in the queue — the events that
// take other conversations out of the queue.
func TestHubConversationSubscription(t *testing.T) {
	h, log, _ := newHub(t, time.Hour)
	all, _ := h.Subscribe(context.Background(), 1, 0)
	defer all.Close()
	mine, _ := h.Subscribe(context.Background(), 1, 5)
	defer mine.Close()
	mine.SetQueued(true)

	evs := log.add(4)
	evs[0].Conversation = &chat.Conversation{ID: 5, State: chat.StateUnassigned}                                      // mine
	evs[1].Conversation, evs[1].PrevState = &chat.Conversation{ID: 6, State: chat.StateWaiting}, chat.StateUnassigned // leaves the queue
	evs[2].Conversation = &chat.Conversation{ID: 6, State: chat.StateActive}                                          // someone else's chat
	evs[3].Conversation = &chat.Conversation{ID: 5, State: chat.StateWaiting}                                         // mine again
	h.Publish(context.Background(), evs)
	wantSeqs(t, receive(t, all, 4), 1)
	if got := receive(t, mine, 3); got[0] != 1 || got[1] != 2 || got[2] != 4 {
		t.Fatalf("conversation subscription got %v, want [1 2 4]", got)
	}

	// No longer queued: another conversation leaving the queue is not news.
	mine.SetQueued(false)
	more := log.add(1)
	more[0].Conversation, more[0].PrevState = &chat.Conversation{ID: 7, State: chat.StateWaiting}, chat.StateUnassigned
	h.Publish(context.Background(), more)
	h.PublishTyping(context.Background(), 1, Typing{ConversationID: 6, Typing: true})
	h.PublishTyping(context.Background(), 1, Typing{ConversationID: 5, Typing: true})
	select {
	case it := <-mine.C:
		if it.Typing == nil || it.Typing.ConversationID != 5 {
			t.Fatalf("conversation subscription got %+v, want only its own typing", it)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no typing for the conversation")
	}
	if n := h.Connections(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
}

// The ring of recent events wraps: it answers for the last RecentEvents
// sequences, in order, and refuses to answer further back.
func TestRecentEventsRing(t *testing.T) {
	f := &workspaceFeed{}
	for seq := int64(1); seq <= RecentEvents+500; seq++ {
		conv := &chat.Conversation{ID: seq % 3}
		f.remember(Item{Event: &chat.Event{Seq: seq, Type: chat.EventMessageCreated, Conversation: conv}}, true)
		f.last = seq
	}
	got, ok := f.since(RecentEvents+400, 0)
	if !ok || len(got) != 100 || got[0].Event.Seq != RecentEvents+401 || got[99].Event.Seq != RecentEvents+500 {
		t.Fatalf("since: ok %v, %d events", ok, len(got))
	}
	got, ok = f.since(RecentEvents+400, 1)
	for _, it := range got {
		if it.Event.ConversationID() != 1 {
			t.Fatalf("event %d of conversation %d", it.Event.Seq, it.Event.ConversationID())
		}
	}
	if !ok || len(got) != 33 {
		t.Fatalf("since, conversation 1: ok %v, %d events", ok, len(got))
	}
	if _, ok := f.since(400, 0); ok {
		t.Fatal("the ring answered for an event it no longer holds")
	}
	if got, ok := f.since(f.last, 0); !ok || len(got) != 0 {
		t.Fatal("a client at the end should need nothing")
	}
	// A gap empties it.
	if d := f.remember(Item{Event: &chat.Event{Seq: f.last + 2, Type: chat.EventMessageCreated}}, true); d != 1-RecentEvents {
		t.Fatalf("a gap changed the ring by %d, want %d", d, 1-RecentEvents)
	}
	f.last += 2
	if _, ok := f.since(f.last-2, 0); ok {
		t.Fatal("the ring answered across a gap")
	}

	// Out of budget, a ring does not grow: it keeps what it has, newest
	// first, and one with nothing remembers nothing.
	g := &workspaceFeed{}
	for seq := int64(1); seq <= 10; seq++ {
		grow := seq <= 4
		if d := g.remember(Item{Event: &chat.Event{Seq: seq, Type: chat.EventMessageCreated}}, grow); grow && d != 1 || !grow && d != 0 {
			t.Fatalf("event %d changed the ring by %d", seq, d)
		}
		g.last = seq
	}
	if got, ok := g.since(6, 0); !ok || len(got) != 4 || got[0].Event.Seq != 7 || got[3].Event.Seq != 10 {
		t.Fatalf("a ring held by the budget: ok %v, %d events", ok, len(got))
	}
	if _, ok := g.since(5, 0); ok {
		t.Fatal("a ring of 4 answered for 5 events")
	}
	empty := &workspaceFeed{}
	if d := empty.remember(Item{Event: &chat.Event{Seq: 1, Type: chat.EventMessageCreated}}, false); d != 0 || len(empty.recent) != 0 {
		t.Fatal("a ring out of budget grew")
	}
}
