// Package realtime pushes events to WebSocket clients. Each node runs one
// Hub: it listens to the bus and forwards each workspace's events, in
// sequence order and without gaps, to the sessions subscribed on this node.
// A client that reconnects replays what it missed from the store, so no
// event depends on surviving in memory.
package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/metrics"
)

// EventSource reads the durable event log.
type EventSource interface {
	Events(ctx context.Context, workspaceID int64, f chat.EventFilter) ([]chat.Event, error)
	LastEventSeq(ctx context.Context, workspaceID int64) (int64, error)
	LastEventSeqs(ctx context.Context, workspaceIDs []int64) (map[int64]int64, error)
}

// Typing is the ephemeral "someone is typing" signal.
type Typing struct {
	ConversationID int64           `json:"conversation_id"`
	SenderType     chat.SenderType `json:"sender_type"`
	Typing         bool            `json:"typing"`
	// AssigneeID and State let the hub show a visitor's typing only to
	// agents who may see the conversation.
	AssigneeID int64      `json:"-"`
	State      chat.State `json:"-"`
}

// wireSignal is an ephemeral signal on the bus: Typing, with the fields
// hidden from clients, or the end of a console session.
type wireSignal struct {
	Typing
	// EndSession, when set, names a console session that signed out: its
	// sockets on every node close.
	EndSession string     `json:"end_session,omitempty"`
	AssigneeID int64      `json:"assignee_id"`
	State      chat.State `json:"state"`
}

// Item is what a subscription receives: an event or a typing signal.
type Item struct {
	Event  *chat.Event
	Typing *Typing
	// EndSession names a session whose sockets must close.
	EndSession string
	// frames holds an event's encoded frames, one per audience, shared by
	// every session on the node that shows the event.
	frames *frames
}

// frames caches what an event encodes to for each audience.
type frames struct {
	mu sync.Mutex
	by map[string][]byte
}

// get returns the audience's frame, encoding it on first use.
func (f *frames) get(audience string, encode func() ([]byte, error)) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if data, ok := f.by[audience]; ok {
		return data, nil
	}
	data, err := encode()
	if err != nil {
		return nil, err
	}
	if f.by == nil {
		f.by = map[string][]byte{}
	}
	f.by[audience] = data
	return data, nil
}

// SubscriptionBuffer is how many items a slow session may fall behind
// before the hub drops it; the client then reconnects and replays.
// ConversationBuffer is the same for a subscription to one conversation,
// which hears far less: every visitor socket holds one, so it is kept small.
const (
	SubscriptionBuffer = 512
	ConversationBuffer = 64
)

// Subscription receives one workspace's items in sequence order: all of
// them, or those of one conversation.
type Subscription struct {
	hub            *Hub
	workspaceID    int64
	conversationID int64
	feed           *workspaceFeed // guarded by hub.mu, as are member and queued
	member         bool           // in feed: not dropped, not closed
	queued         bool           // in feed.queued
	C              chan Item
	// Dropped is closed when the hub gave up on a slow subscriber.
	Dropped chan struct{}
	// push, when set, takes items instead of C (a live session's bounded
	// queue); false drops the subscriber. stop ends the session when the
	// hub stops.
	push func(Item) bool
	stop func()
	// from is the feed's last sequence when the subscription began: every
	// later event reaches it live. backlog, when ok, is what the feed's
	// recent events held after the subscriber's sequence, up to from
	// (see Hub.subscribe); the replay then needs no store read.
	from      int64
	backlog   []Item
	backlogOK bool
}

// Close unsubscribes.
func (s *Subscription) Close() { s.hub.unsubscribe(s) }

// SetQueued says whether the subscription's conversation waits in the
// queue: while it does, the subscription also hears the events that take
// other conversations out of the queue, which move its place.
func (s *Subscription) SetQueued(on bool) {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	f := s.feed
	if !s.member || s.conversationID == 0 || s.queued == on {
		return
	}
	s.queued = on
	if on {
		f.queued[s] = struct{}{}
	} else {
		delete(f.queued, s)
	}
}

// workspaceFeed is a workspace's subscribers on this node. Subscribers to
// one conversation are indexed by it, so that an event costs only the
// sockets that show it: with thousands of visitors on a node, handing
// every event to every visitor's session would cost more than the rest.
type workspaceFeed struct {
	last int64 // highest sequence delivered to this node's subscribers
	// ready, while set, says the log's end is being read for the
	// workspace's first subscriber (Hub.feed): last is not known yet.
	ready chan struct{}
	// ahead holds events that arrived before one below them: publishes
	// race (each request publishes its own commit, nodes publish
	// independently), so a gap usually closes within microseconds. They
	// wait up to GapWait for it before the hub reads the gap from the
	// store, which would cost a read for most events at a high rate.
	ahead      map[int64]aheadEvent
	aheadSince time.Time // when the oldest of ahead arrived
	// filling says a read of the gaps from the store is under way
	// (startFill). The hub goes on delivering meanwhile: a gap that the
	// bus closes first is not waited for.
	filling bool
	// pending is the last event known to be stored that is not in ahead:
	// left out of a full ahead, found by the sweep, heard while the log's
	// end was read for the first subscriber, or one whose bytes did not
	// decode. The next read brings it.
	pending int64
	// recent is a ring of the last RecentEvents events delivered, in
	// sequence order and without gaps, ending at last: a client that
	// reconnects after a short drop replays from here rather than from
	// the store, so a storm of reconnects costs no reads for the replay.
	recent []Item
	head   int // the oldest item once the ring is full

	all    map[*Subscription]struct{}
	byConv map[int64]map[*Subscription]struct{}
	queued map[*Subscription]struct{} // conversation subscribers waiting in the queue
	n      int
}

// aheadEvent is an event waiting in a feed's ahead, and when it arrived.
type aheadEvent struct {
	m  bus.Message
	at time.Time
}

// RecentEvents is how many delivered events a workspace's feed keeps for
// replays; MaxRemembered is how many the node keeps for all its feeds
// together (each with its frames, a few KiB), so that many busy
// workspaces cannot make the rings a node's largest use of memory.
const (
	RecentEvents  = 1024
	MaxRemembered = 16384
)

// waiting reports whether events wait for a gap to close: in ahead, or
// pending.
func (f *workspaceFeed) waiting() bool {
	return len(f.ahead) > 0 || f.pending > f.last
}

// remember adds a delivered event to the ring, which grows only while
// grow says the node's budget allows (once full, or stopped by the
// budget, it overwrites its oldest); a gap in the sequence (an event this
// node never saw) empties it first. It returns how many items the ring
// gained, negative when it emptied.
func (f *workspaceFeed) remember(it Item, grow bool) int {
	before := len(f.recent)
	if rewroteText(it.Event, f.recent) {
		// Text was rewritten (a mask): the store scrubbed the old events
		// that carried it, so replays read the store until the ring holds
		// only events from here on.
		f.recent, f.head = nil, 0
		return -before
	}
	if n := len(f.recent); n > 0 && f.recent[(f.head+n-1)%n].Event.Seq+1 != it.Event.Seq {
		f.recent, f.head = nil, 0
	}
	switch n := len(f.recent); {
	case grow && n < RecentEvents && f.head == 0:
		f.recent = append(f.recent, it)
	case n > 0:
		f.recent[f.head] = it
		f.head = (f.head + 1) % n
	}
	return len(f.recent) - before
}

// rewroteText reports whether ev rewrote text that events before it may
// carry, a mask or an unmask (§11), after which the store has scrubbed
// its log but not what a node holds: message.updated (a chat message), or
// a ticket event whose ticket's message is not the one an event of before
// carried (a ticket's message changes only so; its mask is told as
// ticket.updated).
func rewroteText(ev *chat.Event, before []Item) bool {
	if ev.Type == chat.EventMessageUpdated {
		return true
	}
	if ev.Ticket == nil {
		return false
	}
	return slices.ContainsFunc(before, func(it Item) bool {
		t := it.Event.Ticket
		return t != nil && t.ID == ev.Ticket.ID && t.Message != ev.Ticket.Message
	})
}

// since returns the remembered events after seq, up to f.last, in order
// (of one conversation when conversationID is set); false when the ring
// does not reach back that far.
func (f *workspaceFeed) since(seq, conversationID int64) ([]Item, bool) {
	if seq >= f.last {
		return nil, true
	}
	n := len(f.recent)
	if n == 0 {
		return nil, false
	}
	oldest := f.recent[f.head%n].Event.Seq
	if seq+1 < oldest || f.recent[(f.head+n-1)%n].Event.Seq != f.last {
		return nil, false
	}
	// The ring has no gaps: the event after seq is int(seq+1-oldest) in.
	var out []Item
	for i := int(seq + 1 - oldest); i < n; i++ {
		it := f.recent[(f.head+i)%n]
		if conversationID == 0 || it.Event.ConversationID() == conversationID {
			out = append(out, it)
		}
	}
	return out, true
}

// GapWait is how long events that arrived ahead of a missing one wait for
// it before the hub reads the gap from the store; MaxAhead is how many
// waiting start that read at once, and the most that wait; fillPage is the
// most one read brings.
const (
	GapWait  = 20 * time.Millisecond
	MaxAhead = 1024
	fillPage = 500
)

// filled is what a read of a feed's gaps from the store brought back.
type filled struct {
	workspaceID int64
	f           *workspaceFeed
	events      []chat.Event
	err         error
	short       bool // the store had fewer than asked for, or failed
}

// Hub fans events out to this node's subscriptions.
type Hub struct {
	src EventSource
	bus bus.Bus
	log *slog.Logger
	// Metrics, when set, counts stored messages and times deliveries.
	Metrics *metrics.Metrics

	gapWait  time.Duration // GapWait; longer in a test that must not depend on the machine's speed
	filled   chan filled   // the reads of gaps, back from the store (startFill)
	sweeping atomic.Bool   // a sweep runs

	mu         sync.Mutex
	feeds      map[int64]*workspaceFeed
	remembered int // events in the feeds' rings
}

// NewHub returns a hub reading gaps from src and publishing through b.
func NewHub(src EventSource, b bus.Bus, log *slog.Logger) *Hub {
	return &Hub{src: src, bus: b, log: log, gapWait: GapWait, filled: make(chan filled), feeds: map[int64]*workspaceFeed{}}
}

// Publish puts committed events on the bus. Call it after commit.
func (h *Hub) Publish(ctx context.Context, events []chat.Event) {
	for _, ev := range events {
		if ev.Type == chat.EventMessageCreated && ev.Message != nil {
			h.Metrics.MessageStored(string(ev.Message.SenderType))
		}
		data := ev.Encoded
		if data == nil {
			var err error
			if data, err = event.Encode(ev); err != nil {
				h.log.Error("encode event", slog.Any("err", err))
				continue
			}
		}
		// This node's subscribers take the event as decoding data would
		// give it, without the JSON (a fifteenth of the node's CPU at
		// 2,000 msg/s, docs/benchmarks.md), and share nothing with ev.
		local := event.FromDomain(ev).Domain()
		local.Encoded = data
		// A lost publish is repaired by the next event's gap fill, the
		// periodic sweep, or the client's replay on reconnect.
		if err := h.bus.Publish(ctx, bus.Message{WorkspaceID: ev.WorkspaceID, Seq: ev.Seq, Data: data, Event: &local}); err != nil {
			h.log.Warn("publish event", slog.Int64("workspace", ev.WorkspaceID), slog.Int64("seq", ev.Seq), slog.Any("err", err))
		}
	}
}

// PublishTyping puts a typing signal on the bus.
func (h *Hub) PublishTyping(ctx context.Context, workspaceID int64, t Typing) {
	data, _ := json.Marshal(wireSignal{Typing: t, AssigneeID: t.AssigneeID, State: t.State})
	if err := h.bus.Publish(ctx, bus.Message{WorkspaceID: workspaceID, Data: data}); err != nil {
		h.log.Debug("publish typing", slog.Any("err", err))
	}
}

// EndSession tells every node that a console session ended (signed out):
// its sockets in the workspace close at once.
func (h *Hub) EndSession(ctx context.Context, workspaceID int64, session string) {
	data, _ := json.Marshal(wireSignal{EndSession: session})
	if err := h.bus.Publish(ctx, bus.Message{WorkspaceID: workspaceID, Data: data}); err != nil {
		h.log.Warn("publish session end", slog.Any("err", err))
	}
}

// Run delivers bus messages until ctx ends, and every sweep interval checks
// the store for events whose publish was lost.
func (h *Hub) Run(ctx context.Context, sweep time.Duration) {
	in := make(chan bus.Message, 4096)
	cancel := h.bus.Subscribe(func(m bus.Message) {
		select {
		case in <- m:
		case <-ctx.Done():
		}
	})
	defer cancel()
	defer h.stopSessions()
	tick := time.NewTicker(sweep)
	defer tick.Stop()
	var gap <-chan time.Time // armed while events wait for a gap to close
	closeGaps := func() {
		gap = nil
		if next := h.closeGaps(ctx); next > 0 {
			gap = time.After(next)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-in:
			if h.handle(ctx, m) && gap == nil {
				gap = time.After(h.gapWait)
			}
		case <-gap:
			closeGaps()
		case r := <-h.filled:
			h.fillDone(ctx, r)
			closeGaps()
		case <-tick.C:
			if h.sweeping.CompareAndSwap(false, true) {
				go func() {
					defer h.sweeping.Store(false)
					h.sweep(ctx)
				}()
			}
		}
	}
}

// handle delivers m, or holds it until the events before it arrive; true
// says something waits for a gap to close.
func (h *Hub) handle(ctx context.Context, m bus.Message) (waiting bool) {
	if m.Seq == 0 {
		var w wireSignal
		if err := json.Unmarshal(m.Data, &w); err != nil {
			h.log.Warn("decode typing", slog.Any("err", err))
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		f := h.feeds[m.WorkspaceID]
		switch {
		case f == nil:
		case w.EndSession != "":
			h.deliver(f, Item{EndSession: w.EndSession}, 0, false)
		default:
			t := w.Typing
			t.AssigneeID, t.State = w.AssigneeID, w.State
			h.deliver(f, Item{Typing: &t}, t.ConversationID, false)
		}
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[m.WorkspaceID]
	switch {
	case f == nil:
		return false
	case f.ready != nil:
		// The log's end is being read for the first subscriber (feed):
		// the event is read from the store once that end is known,
		// unless the end covers it.
		f.pending = max(f.pending, m.Seq)
		return true
	case m.Seq <= f.last:
		return false
	}
	if m.Seq > f.last+1 {
		// Something in between has not reached us yet (a concurrent
		// publish) or never will (a lost one): wait for it a moment, then
		// read the gap from the store.
		if len(f.ahead) >= MaxAhead {
			// A read of the gap is under way (begun below), and the
			// store has this event too: the next read brings it, so
			// waiting events stay bounded while the store is slow.
			f.pending = max(f.pending, m.Seq)
			return true
		}
		now := time.Now()
		if len(f.ahead) == 0 {
			f.ahead = map[int64]aheadEvent{}
			f.aheadSince = now
		}
		f.ahead[m.Seq] = aheadEvent{m: m, at: now}
		if len(f.ahead) >= MaxAhead && !f.filling {
			h.startFill(ctx, m.WorkspaceID, f)
		}
		return true
	}
	h.deliverMessage(ctx, m, f)
	h.advance(ctx, m.WorkspaceID, f)
	return f.waiting()
}

// deliverMessage decodes and delivers the event after f.last; h.mu is held.
func (h *Hub) deliverMessage(ctx context.Context, m bus.Message, f *workspaceFeed) {
	if m.Event != nil {
		f.last = m.Event.Seq
		h.deliverEvent(f, m.Event)
		return
	}
	ev, err := event.Decode(m.Data)
	if err != nil {
		h.log.Warn("decode event", slog.Any("err", err))
		h.readPending(ctx, m.WorkspaceID, f, m.Seq)
		return
	}
	ev.Encoded = m.Data
	f.last = ev.Seq
	h.deliverEvent(f, &ev)
}

// advance delivers the events waiting in f.ahead that follow f.last and
// forgets those the store already filled in; h.mu is held. Under a steady
// stream of racing publishes ahead is seldom empty, so the wait is timed
// from the oldest event still in it: timed from when ahead was last empty,
// a gap that opened a moment ago would be read from the store at once.
func (h *Hub) advance(ctx context.Context, workspaceID int64, f *workspaceFeed) {
	n := len(f.ahead)
	for len(f.ahead) > 0 {
		w, ok := f.ahead[f.last+1]
		if !ok {
			break
		}
		delete(f.ahead, w.m.Seq)
		h.deliverMessage(ctx, w.m, f)
	}
	var oldest time.Time
	for seq, w := range f.ahead {
		if seq <= f.last {
			delete(f.ahead, seq)
		} else if oldest.IsZero() || w.at.Before(oldest) {
			oldest = w.at
		}
	}
	switch {
	case len(f.ahead) == 0:
		f.ahead = nil
	case len(f.ahead) < n:
		f.aheadSince = oldest
	}
}

// startFill reads from the store, on a goroutine of its own, every event
// up to the last one waiting in f.ahead: sequence order is commit order,
// so the store has them all. The hub goes on meanwhile, and fillDone
// delivers what the read brought back. Under load on several nodes a gap
// is read several times a second, and each read held up every delivery
// on the node while it lasted (docs/benchmarks.md). h.mu is held.
func (h *Hub) startFill(ctx context.Context, workspaceID int64, f *workspaceFeed) {
	upTo := max(f.last, f.pending)
	for seq := range f.ahead {
		upTo = max(upTo, seq)
	}
	from := f.last
	f.filling = true
	go func() {
		// Only the events up to upTo: those after it are still on their
		// way through the bus.
		want := int(min(upTo-from, fillPage))
		r := filled{workspaceID: workspaceID, f: f}
		r.events, r.err = h.src.Events(ctx, workspaceID, chat.EventFilter{AfterSeq: from, Limit: want})
		r.short = r.err != nil || len(r.events) < want
		select {
		case h.filled <- r:
		case <-ctx.Done():
		}
	}()
}

// fillDone delivers what a read of a feed's gaps brought back, skipping
// what the bus delivered meanwhile.
func (h *Hub) fillDone(ctx context.Context, r filled) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := r.f
	if h.feeds[r.workspaceID] != f { // its last subscriber left meanwhile
		return
	}
	f.filling = false
	if r.err != nil {
		h.log.Warn("fill event gap", slog.Int64("workspace", r.workspaceID), slog.Int64("after", f.last), slog.Any("err", r.err))
		h.Metrics.StoreError("hub")
	}
	for i := range r.events {
		// The store's events follow each other without gaps, and the bus
		// may have delivered the first of them already.
		if ev := &r.events[i]; ev.Seq == f.last+1 {
			f.last = ev.Seq
			h.deliverEvent(f, ev)
		}
	}
	h.advance(ctx, r.workspaceID, f)
	if r.short && f.waiting() {
		// Wait once more before the next read, rather than read again
		// at once.
		f.aheadSince = time.Now()
	}
}

// closeGaps starts reading from the store the gaps that have not closed
// within GapWait, and says when to look again: when the oldest event
// still waiting will have waited GapWait, or GapWait from now when events
// wait for a feed's first read (0: none waits, or only for a read under
// way, whose end looks again).
func (h *Hub) closeGaps(ctx context.Context) (next time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, f := range h.feeds {
		var d time.Duration
		switch {
		case f.ready != nil:
			if f.pending == 0 {
				continue
			}
			d = h.gapWait // look again once the log's end is known
		case !f.waiting() || f.filling:
			continue
		case time.Since(f.aheadSince) >= h.gapWait:
			h.startFill(ctx, id, f)
			continue
		default:
			d = max(h.gapWait-time.Since(f.aheadSince), time.Millisecond)
		}
		if next == 0 || d < next {
			next = d
		}
	}
	return next
}

// readPending marks the events up to seq as stored and reads them unless
// a read is under way (whose end looks again). h.mu is held.
func (h *Hub) readPending(ctx context.Context, workspaceID int64, f *workspaceFeed, seq int64) {
	f.pending = max(f.pending, seq)
	if !f.filling {
		h.startFill(ctx, workspaceID, f)
	}
}

// sweep compares each feed with the store's latest sequence, so that a
// publish lost with nothing after it still arrives. It runs beside the
// hub (Run), and asks the store without holding h.mu, once for every
// workspace with subscribers on the node.
func (h *Hub) sweep(ctx context.Context) {
	h.mu.Lock()
	ids := slices.Collect(maps.Keys(h.feeds))
	h.mu.Unlock()
	lasts, err := h.src.LastEventSeqs(ctx, ids)
	if err != nil {
		h.log.Warn("sweep", slog.Int("workspaces", len(ids)), slog.Any("err", err))
		h.Metrics.StoreError("hub")
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, last := range lasts {
		if f := h.feeds[id]; f != nil && f.ready == nil && last > f.last {
			h.readPending(ctx, id, f, last)
		}
	}
}

func (h *Hub) deliverEvent(f *workspaceFeed, ev *chat.Event) {
	it := Item{Event: ev, frames: &frames{}}
	h.remembered += f.remember(it, h.remembered < MaxRemembered)
	h.deliver(f, it, ev.ConversationID(), ev.PrevState == chat.StateUnassigned)
}

// deliver hands it to the subscriptions that want it: those to the whole
// workspace, those to its conversation, and, when it takes a conversation
// out of the queue, those still waiting there. h.mu is held.
func (h *Hub) deliver(f *workspaceFeed, it Item, conversationID int64, leavesQueue bool) {
	send := func(s *Subscription) {
		if s.push != nil {
			if s.push(it) {
				return
			}
		} else {
			select {
			case s.C <- it:
				return
			default:
			}
		}
		h.log.Info("dropping slow subscriber", slog.Int64("workspace", s.workspaceID))
		h.remove(f, s)
		close(s.Dropped)
	}
	for s := range f.all {
		send(s)
	}
	for s := range f.byConv[conversationID] {
		send(s)
	}
	// An archive closes the workspace's every socket (their EndOn), its
	// visitors' too, whatever their conversation; every visitor hears that
	// operation stopped or resumed.
	if it.Event != nil && it.Event.ForEveryVisitor() {
		for _, subs := range f.byConv {
			for s := range subs {
				send(s)
			}
		}
	}
	if leavesQueue {
		for s := range f.queued {
			if s.conversationID != conversationID {
				send(s)
			}
		}
	}
}

// remove takes s out of f; h.mu is held.
func (h *Hub) remove(f *workspaceFeed, s *Subscription) {
	s.member = false
	if s.conversationID == 0 {
		delete(f.all, s)
	} else if subs := f.byConv[s.conversationID]; subs != nil {
		delete(subs, s)
		if len(subs) == 0 {
			delete(f.byConv, s.conversationID)
		}
		delete(f.queued, s)
	}
	f.n--
}

// Subscribe starts receiving a workspace's items, or with a non-zero
// conversationID only that conversation's. Every event committed after
// Subscribe returns reaches the subscription; events committed before are
// in the store for the caller's replay.
func (h *Hub) Subscribe(ctx context.Context, workspaceID, conversationID int64) (*Subscription, error) {
	return h.subscribe(ctx, workspaceID, conversationID, -1, nil, nil)
}

// subscribe is Subscribe, handing items to push instead of a channel when
// push is set; stop is called if the hub stops first. With after ≥ 0 it
// also copies the feed's remembered events after that sequence into the
// subscription's backlog, when the feed remembers back that far.
func (h *Hub) subscribe(ctx context.Context, workspaceID, conversationID, after int64, push func(Item) bool, stop func()) (*Subscription, error) {
	s := &Subscription{hub: h, workspaceID: workspaceID, conversationID: conversationID, Dropped: make(chan struct{}), push: push, stop: stop}
	if push == nil {
		buffer := SubscriptionBuffer
		if conversationID != 0 {
			buffer = ConversationBuffer
		}
		s.C = make(chan Item, buffer)
	}
	f, err := h.feed(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	s.feed, s.member = f, true
	if conversationID == 0 {
		f.all[s] = struct{}{}
	} else {
		if f.byConv[conversationID] == nil {
			f.byConv[conversationID] = map[*Subscription]struct{}{}
		}
		f.byConv[conversationID][s] = struct{}{}
	}
	f.n++
	s.from = f.last
	if after >= 0 && after <= f.last {
		s.backlog, s.backlogOK = f.since(after, conversationID)
	}
	return s, nil
}

// feed returns the workspace's feed, with h.mu held unless it fails. A
// workspace's first subscriber on the node reads the log's end for it
// without holding h.mu, so that the hub goes on delivering the other
// workspaces' events meanwhile; later subscribers wait for that read.
// The feed exists before the read begins, so an event the hub skipped for
// want of a feed was committed before the read and is at or below the
// end it finds, in the store for the subscriber's replay. One the hub
// hears during the read is only noted (handle) and read from the store
// once the feed is ready (closeGaps), unless that end covers it.
func (h *Hub) feed(ctx context.Context, workspaceID int64) (*workspaceFeed, error) {
	h.mu.Lock()
	for {
		f := h.feeds[workspaceID]
		switch {
		case f == nil:
			f = &workspaceFeed{ready: make(chan struct{}), all: map[*Subscription]struct{}{}, byConv: map[int64]map[*Subscription]struct{}{}, queued: map[*Subscription]struct{}{}}
			h.feeds[workspaceID] = f
			h.mu.Unlock()
			last, err := h.src.LastEventSeq(ctx, workspaceID)
			h.mu.Lock()
			close(f.ready)
			f.ready = nil
			if err != nil {
				delete(h.feeds, workspaceID) // nobody subscribed to it yet
				h.mu.Unlock()
				return nil, err
			}
			f.last = last
			return f, nil
		case f.ready != nil:
			ready := f.ready
			h.mu.Unlock()
			select {
			case <-ready:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			h.mu.Lock()
		default:
			return f, nil
		}
	}
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := s.feed
	if s.member { // else deliver removed it, or it was closed before
		h.remove(f, s)
	}
	if f.n == 0 && h.feeds[s.workspaceID] == f {
		h.remembered -= len(f.recent)
		delete(h.feeds, s.workspaceID)
	}
}

// stopSessions ends every live session: the node is stopping, and its
// clients reconnect (to another node, or to this one when it is back).
func (h *Hub) stopSessions() {
	var stops []func()
	h.mu.Lock()
	for _, f := range h.feeds {
		for s := range f.all {
			if s.stop != nil {
				stops = append(stops, s.stop)
			}
		}
		for _, subs := range f.byConv {
			for s := range subs {
				if s.stop != nil {
					stops = append(stops, s.stop)
				}
			}
		}
	}
	h.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// Connections counts this node's subscriptions.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, f := range h.feeds {
		n += f.n
	}
	return n
}
