// Package bus carries committed events and ephemeral signals (typing)
// between the nodes of a Sodam installation. The in-memory bus serves one
// node; a NATS bus (same interface) serves a cluster. A bus may lose a
// message: durable events are also in the store, and the realtime hub fills
// any gap from there, so the bus only has to be fast.
package bus

import (
	"context"
	"sync"
)

// Message is one thing on the bus.
type Message struct {
	WorkspaceID int64
	// Seq is the event's sequence number, or 0 for an ephemeral signal.
	Seq  int64
	Data []byte
}

// Bus publishes messages to every subscriber on every node.
type Bus interface {
	Publish(ctx context.Context, m Message) error
	// Subscribe calls fn for every message until cancel is called. fn runs
	// on the bus's goroutine and may block to apply back-pressure.
	Subscribe(fn func(Message)) (cancel func())
	Close() error
}

// Memory is the single-node bus: Publish calls every subscriber directly.
type Memory struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Message)
}

var _ Bus = (*Memory)(nil)

// NewMemory returns an empty in-memory bus.
func NewMemory() *Memory { return &Memory{subs: map[int]func(Message){}} }

// Publish hands m to every subscriber before returning.
func (b *Memory) Publish(_ context.Context, m Message) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, fn := range b.subs {
		fn(m)
	}
	return nil
}

// Subscribe registers fn.
func (b *Memory) Subscribe(fn func(Message)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// Close drops every subscriber.
func (b *Memory) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.subs)
	return nil
}
