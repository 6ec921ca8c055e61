package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"

	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/jobs"
)

// Publisher is app.Publisher: where committed events go.
type Publisher interface {
	Publish(ctx context.Context, events []chat.Event)
}

// Kicking wraps the node's publisher so that every commit wakes the
// node's worker: a delivery written with an event is sent at once rather
// than at the worker's next look (deliveries written on other nodes are
// sent by their workers).
func Kicking(p Publisher, w *Worker) Publisher { return kicking{p, w} }

type kicking struct {
	Publisher
	w *Worker
}

func (k kicking) Publish(ctx context.Context, events []chat.Event) {
	if rewrites(events) {
		k.w.Rewritten()
	}
	k.w.Kick()
	k.Publisher.Publish(ctx, events)
}

// WaitingJob is the handler of JobWaiting: it writes the waiting alerts
// that are due (once per target: the store ignores a second) and wakes
// the worker. It runs outside a transaction and is safe to run twice.
func (w *Worker) WaitingJob() jobs.Handler {
	return jobs.Handler{Run: func(ctx context.Context, j chat.Job) error {
		_, err := w.Store.EnqueueWaiting(ctx, j.WorkspaceID, j.RefID)
		w.Wake() // its write is no batch's: Kick would not see it
		return err
	}}
}

// busSignal is what a worker announces on the cluster bus: workspace 0,
// no sequence — an ephemeral signal no workspace's feed takes — naming
// the node, which does not wake itself.
type busSignal struct {
	Outbox string `json:"outbox"`
}

// OverBus has the worker announce the deliveries its node commits on b,
// and wake when another node announces some: a delivery written on one
// node is sent by whichever node is free first, at once. It returns the
// subscription's cancel.
func (w *Worker) OverBus(ctx context.Context, b bus.Bus) (cancel func()) {
	w.init()
	data, _ := json.Marshal(busSignal{Outbox: w.Node})
	w.Announce = func() {
		if err := b.Publish(ctx, bus.Message{Data: data}); err != nil && w.Log != nil {
			w.Log.Warn("announce deliveries", slog.Any("err", err))
		}
	}
	return b.Subscribe(func(m bus.Message) {
		if m.Seq != 0 {
			// An event: one another node committed may be a mask.
			if rewriting(m) {
				w.Rewritten()
			}
			return
		}
		if m.WorkspaceID != 0 {
			return
		}
		var s busSignal
		if json.Unmarshal(m.Data, &s) == nil && s.Outbox != "" && s.Outbox != w.Node {
			w.Wake()
		}
	})
}

// rewriteMarks are how an encoded event (package event) says its type is
// one of rewriteTypes: a text's quotes are escaped, so no text matches.
var rewriteMarks = [][]byte{
	[]byte(`"type":"` + string(chat.EventMessageUpdated) + `"`),
	[]byte(`"type":"` + string(chat.EventTicketUpdated) + `"`),
}

// rewriting reports whether a bus message is an event that may have
// rewritten stored text (a mask): this node's own carry the event
// decoded, another's only its bytes, which are searched rather than
// decoded.
func rewriting(m bus.Message) bool {
	if m.Event != nil {
		return rewriteTypes[m.Event.Type]
	}
	return slices.ContainsFunc(rewriteMarks, func(mark []byte) bool { return bytes.Contains(m.Data, mark) })
}
