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
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/metrics"
)

// EventSource reads the durable event log.
type EventSource interface {
	Events(ctx context.Context, workspaceID int64, f chat.EventFilter) ([]chat.Event, error)
	LastEventSeq(ctx context.Context, workspaceID int64) (int64, error)
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

// wireTyping is Typing on the bus, with the fields hidden from clients.
type wireTyping struct {
	Typing
	AssigneeID int64      `json:"assignee_id"`
	State      chat.State `json:"state"`
}

// Item is what a subscription receives: an event or a typing signal.
type Item struct {
	Event  *chat.Event
	Typing *Typing
}

// SubscriptionBuffer is how many items a slow session may fall behind
// before the hub drops it; the client then reconnects and replays.
const SubscriptionBuffer = 512

// Subscription receives one workspace's items in sequence order.
type Subscription struct {
	hub         *Hub
	workspaceID int64
	C           chan Item
	// Dropped is closed when the hub gave up on a slow subscriber.
	Dropped chan struct{}
}

// Close unsubscribes.
func (s *Subscription) Close() { s.hub.unsubscribe(s) }

type workspaceFeed struct {
	last int64 // highest sequence delivered to this node's subscribers
	subs map[*Subscription]struct{}
}

// Hub fans events out to this node's subscriptions.
type Hub struct {
	src EventSource
	bus bus.Bus
	log *slog.Logger
	// Metrics, when set, counts stored messages and times deliveries.
	Metrics *metrics.Metrics

	mu    sync.Mutex
	feeds map[int64]*workspaceFeed
}

// NewHub returns a hub reading gaps from src and publishing through b.
func NewHub(src EventSource, b bus.Bus, log *slog.Logger) *Hub {
	return &Hub{src: src, bus: b, log: log, feeds: map[int64]*workspaceFeed{}}
}

// Publish puts committed events on the bus. Call it after commit.
func (h *Hub) Publish(ctx context.Context, events []chat.Event) {
	for _, ev := range events {
		if ev.Type == chat.EventMessageCreated && ev.Message != nil {
			h.Metrics.MessageStored(string(ev.Message.SenderType))
		}
		data, err := json.Marshal(ev)
		if err != nil {
			h.log.Error("encode event", "err", err)
			continue
		}
		// A lost publish is repaired by the next event's gap fill, the
		// periodic sweep, or the client's replay on reconnect.
		if err := h.bus.Publish(ctx, bus.Message{WorkspaceID: ev.WorkspaceID, Seq: ev.Seq, Data: data}); err != nil {
			h.log.Warn("publish event", "workspace", ev.WorkspaceID, "seq", ev.Seq, "err", err)
		}
	}
}

// PublishTyping puts a typing signal on the bus.
func (h *Hub) PublishTyping(ctx context.Context, workspaceID int64, t Typing) {
	data, _ := json.Marshal(wireTyping{Typing: t, AssigneeID: t.AssigneeID, State: t.State})
	if err := h.bus.Publish(ctx, bus.Message{WorkspaceID: workspaceID, Data: data}); err != nil {
		h.log.Debug("publish typing", "err", err)
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
	tick := time.NewTicker(sweep)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-in:
			h.handle(ctx, m)
		case <-tick.C:
			h.sweep(ctx)
		}
	}
}

func (h *Hub) handle(ctx context.Context, m bus.Message) {
	if m.Seq == 0 {
		var w wireTyping
		if err := json.Unmarshal(m.Data, &w); err != nil {
			h.log.Warn("decode typing", "err", err)
			return
		}
		t := w.Typing
		t.AssigneeID, t.State = w.AssigneeID, w.State
		h.mu.Lock()
		defer h.mu.Unlock()
		if f := h.feeds[m.WorkspaceID]; f != nil {
			h.deliver(f, Item{Typing: &t})
		}
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[m.WorkspaceID]
	if f == nil || m.Seq <= f.last {
		return
	}
	if m.Seq > f.last+1 {
		// Something in between has not reached us (reordered publishes, a
		// lost message). Sequence order is commit order, so the store has
		// everything up to m.Seq: fill from there.
		h.fill(ctx, m.WorkspaceID, f, m.Seq)
		return
	}
	var ev chat.Event
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		h.log.Warn("decode event", "err", err)
		h.fill(ctx, m.WorkspaceID, f, m.Seq)
		return
	}
	f.last = ev.Seq
	h.deliver(f, Item{Event: &ev})
}

// fill delivers the stored events after f.last, up to at least upTo.
func (h *Hub) fill(ctx context.Context, workspaceID int64, f *workspaceFeed, upTo int64) {
	for f.last < upTo {
		events, err := h.src.Events(ctx, workspaceID, chat.EventFilter{AfterSeq: f.last, Limit: 500})
		if err != nil {
			h.log.Warn("fill event gap", "workspace", workspaceID, "after", f.last, "err", err)
			h.Metrics.StoreError("hub")
			return
		}
		for i := range events {
			f.last = events[i].Seq
			h.deliver(f, Item{Event: &events[i]})
		}
		if len(events) < 500 {
			return
		}
	}
}

func (h *Hub) sweep(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, f := range h.feeds {
		last, err := h.src.LastEventSeq(ctx, id)
		if err != nil {
			h.log.Warn("sweep", "workspace", id, "err", err)
			h.Metrics.StoreError("hub")
			continue
		}
		if last > f.last {
			h.fill(ctx, id, f, last)
		}
	}
}

// deliver hands it to every subscription; h.mu is held.
func (h *Hub) deliver(f *workspaceFeed, it Item) {
	for s := range f.subs {
		select {
		case s.C <- it:
		default:
			h.log.Info("dropping slow subscriber", "workspace", s.workspaceID)
			delete(f.subs, s)
			close(s.Dropped)
		}
	}
}

// Subscribe starts receiving a workspace's items. Every event committed
// after Subscribe returns reaches the subscription; events committed before
// are in the store for the caller's replay.
func (h *Hub) Subscribe(ctx context.Context, workspaceID int64) (*Subscription, error) {
	s := &Subscription{hub: h, workspaceID: workspaceID, C: make(chan Item, SubscriptionBuffer), Dropped: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[workspaceID]
	if f == nil {
		// Read the log's end while holding the lock that handle() takes:
		// an event this node skipped for lack of a feed is already at or
		// below last, so the subscriber's replay will find it.
		last, err := h.src.LastEventSeq(ctx, workspaceID)
		if err != nil {
			return nil, err
		}
		f = &workspaceFeed{last: last, subs: map[*Subscription]struct{}{}}
		h.feeds[workspaceID] = f
	}
	f.subs[s] = struct{}{}
	return s, nil
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[s.workspaceID]
	if f == nil {
		return
	}
	delete(f.subs, s)
	if len(f.subs) == 0 {
		delete(h.feeds, s.workspaceID)
	}
}

// Connections counts this node's subscriptions.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, f := range h.feeds {
		n += len(f.subs)
	}
	return n
}
