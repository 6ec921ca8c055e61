// Package bus carries committed events and ephemeral signals (typing)
// between the nodes of a Sodam installation. The in-memory bus serves one
// node; a NATS bus (same interface) serves a cluster. A bus may lose a
// message: durable events are also in the store, and the realtime hub fills
// any gap from there, so the bus only has to be fast.
package bus

import (
	"context"
	"sync"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Message is one thing on the bus.
type Message struct {
	WorkspaceID int64
	// Seq is the event's sequence number, or 0 for an ephemeral signal.
	Seq  int64
	Data []byte
	// Event, when set, is what Data decodes to (package event), for this
	// node's own subscribers, who need not decode it again. A bus never
	// sends it to another node.
	Event *chat.Event
}

// Bus publishes messages to every subscriber on every node.
type Bus interface {
	Publish(ctx context.Context, m Message) error
	// Subscribe calls fn for every message until cancel is called. fn runs
	// on the bus's goroutine and may block to apply back-pressure.
	Subscribe(fn func(Message)) (cancel func())
	Close() error
}

// fanout is the list of local subscribers both buses hand messages to.
type fanout struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Message)
}

func (f *fanout) subscribe(fn func(Message)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]func(Message){}
	}
	id := f.next
	f.next++
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, id)
	}
}

func (f *fanout) deliver(m Message) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, fn := range f.subs {
		fn(m)
	}
}

func (f *fanout) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.subs)
}

// Memory is the single-node bus: Publish calls every subscriber directly.
type Memory struct{ fanout }

var _ Bus = (*Memory)(nil)

// NewMemory returns an empty in-memory bus.
func NewMemory() *Memory { return &Memory{} }

// Publish hands m to every subscriber before returning.
func (b *Memory) Publish(_ context.Context, m Message) error {
	b.deliver(m)
	return nil
}

// Subscribe registers fn.
func (b *Memory) Subscribe(fn func(Message)) func() { return b.subscribe(fn) }

// Close drops every subscriber.
func (b *Memory) Close() error {
	b.clear()
	return nil
}
