// Package app is Sodam's application layer: the workflows that decide what
// happens, in which order, over the store's transactions — what follows
// when a conversation opens, what each durable job does — and the one
// place committed events leave through.
//
// The store keeps transactions and invariants (locks, capacity, the
// five-waiting limit); the domain (package chat) decides single steps with
// pure rules; this package strings steps together. Every write of the HTTP
// layer and the job runner goes through an App, which publishes the
// events the write committed: handlers never publish.
package app

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
	"github.com/sodam-chat/sodam/internal/metrics"
)

// Publisher sends committed events on to every node (the realtime hub).
type Publisher interface {
	Publish(ctx context.Context, events []chat.Event)
}

// App runs the workflows of one node.
type App struct {
	store   chat.Store
	pub     Publisher
	metrics *metrics.Metrics
	files   blob.Store                 // exports' files (history.go)
	log     *slog.Logger               // what jobs log
	tickets atomic.Pointer[ticketMail] // tickets.go; nil until SetMailer
	sealer  chat.Sealer                // pii.go
	faq     *faq.Searcher              // the node's FAQ search (faq.go)
	// articleURL links the robot's articles (robot.go).
	articleURL ArticleURL
}

// New returns the application layer over store, publishing through pub.
// m may be nil.
func New(store chat.Store, pub Publisher, m *metrics.Metrics) *App {
	return &App{store: store, pub: pub, metrics: m, faq: faq.NewSearcher(store)}
}

// Commit runs fn in one write transaction and publishes what it committed.
func (a *App) Commit(ctx context.Context, fn func(chat.Tx) error) error {
	events, err := a.store.Write(ctx, fn)
	a.publish(ctx, events)
	return err
}

// publish is the one path committed events take to the bus. A request's
// events are timed from its arrival to here, after commit.
func (a *App) publish(ctx context.Context, events []chat.Event) {
	if len(events) == 0 {
		return
	}
	if start, ok := metrics.Started(ctx); ok {
		a.metrics.Committed(start)
	}
	a.pub.Publish(ctx, events)
}

// done publishes a store write's events and hands on its result.
func done[T any](ctx context.Context, a *App, v T, events []chat.Event, err error) (T, error) {
	a.publish(ctx, events)
	return v, err
}
